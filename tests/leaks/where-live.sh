#!/bin/bash
# leaks --where PID for real (stap --runtime=bpf through the harness):
# tests/helpers/allocsites, a PIE with known sites, waits until the probes
# are in, then allocates and holds. JSON: leak_malloc at allocsites.c:LINE
# with exactly 1000000 B in 1000 blocks, lib_leak (a dlopened library)
# 200000 B, thread_leak (4 threads) 512000 B, no churn site, rates and
# shares that add up, the budget not hit; the table names the same sites.
# Then the target dies while watched: the note says so and the sites
# resolved at attach keep their symbols, those of the library it loaded
# later are "[unknown] 0xADDR". Then a malloc/free loop
# (bench/alloc_loop) is stopped by the budget, the loop itself unharmed.
# (A malloc/free loop of another process runs beside the first watch.)
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
"$HARNESS" prepare
PROG="$top_builddir/tests/helpers/allocsites"
LIB="$top_builddir/tests/helpers/liballocleak.so"
LOOP="$top_builddir/bench/alloc_loop"
[ -x "$PROG" ] && [ -x "$LOOP" ] || fail "no $PROG or $LOOP (make check builds them)"
export HEALTHTAP_STAP="exec $HARNESS run"
prog= ht=
trap '[ -n "$prog" ] && kill $prog 2>/dev/null; [ -n "$ht" ] && kill $ht 2>/dev/null; rm -rf "$TMP"' EXIT

# watch TAG ARGS...: allocsites in wait mode under leaks --where ARGS; it
# allocates once the probes are in. Leaves $TMP/TAG.out and TAG.err; with
# KILL=1 the target is killed once it holds its blocks.
watch() {
	local tag=$1 i
	shift
	rm -f "$TMP/go" && mkfifo "$TMP/go"
	"$PROG" 1 wait "$LIB" <"$TMP/go" 2>"$TMP/$tag.prog" &
	prog=$!
	exec 7>"$TMP/go"
	HEALTHTAP_WHERE_STREAM="$TMP/$tag.stream" "$HEALTHTAP" leaks --where $prog --min-age 0 --warmup 0 "$@" >"$TMP/$tag.out" 2>"$TMP/$tag.err" &
	ht=$!
	for i in $(seq 1 720); do
		grep -q 'probes in' "$TMP/$tag.err" && break
		kill -0 $ht 2>/dev/null || { cat "$TMP/$tag.err" >&2; fail "$tag: leaks ended early"; }
		sleep 0.25
	done
	grep -q 'probes in' "$TMP/$tag.err" || fail "$tag: the probes were not in after 180 s"
	echo go >&7
	for i in $(seq 1 120); do grep -q '^ready$' "$TMP/$tag.prog" && break; sleep 0.25; done
	grep -q '^ready$' "$TMP/$tag.prog" || fail "$tag: allocsites did not finish allocating"
	if [ "${KILL:-0}" = 1 ]; then
		kill $prog; wait $prog 2>/dev/null || true
	fi
	wait $ht || { cat "$TMP/$tag.err" >&2; fail "$tag: leaks --where failed"; }
	ht=
	exec 7>&-
	kill $prog 2>/dev/null || true
	wait $prog 2>/dev/null || true
	prog=
}

# A bystander allocating all the time: its calls trap too (uprobes on
# libc), but are not the target's.
# 2e11 rounds: once the probes are off a round takes ~10 ns, and 2e9
# ended inside the window (the test then saw "the loop died")
"$LOOP" 200000000000 >/dev/null &
bystander=$!
trap '[ -n "$prog" ] && kill $prog 2>/dev/null; [ -n "$ht" ] && kill $ht 2>/dev/null; kill $bystander 2>/dev/null || true; rm -rf "$TMP"' EXIT
watch json --window 6s --format json
kill $bystander; wait $bystander 2>/dev/null || true
python3 - "$TMP/json.out" <<'PY' || { cat "$TMP/json.err" >&2; fail "leaks --where JSON is wrong"; }
import json, re, sys
d = json.load(open(sys.argv[1]))
w = d["where"]
sites = {s["function"]: s for s in w["sites"] if s["function"]}
for s in w["sites"]:
    print(s["bytes"], s["blocks"], s["symbol"])
m = sites["leak_malloc"]
assert (m["bytes"], m["blocks"]) == (1000000, 1000), m
assert m["file"].endswith("allocsites.c") and m["line"] > 0, m
assert m["module"].endswith("/allocsites") and m["rate_Bps"] > 0, m
assert (sites["lib_leak"]["bytes"], sites["lib_leak"]["blocks"]) == (200000, 100), sites["lib_leak"]
assert sites["lib_leak"]["module"].endswith("liballocleak.so")
assert sites["thread_leak"]["bytes"] == 512000, sites["thread_leak"]
assert "churn" not in sites, "the churn site holds bytes"
assert abs(sum(s["share"] for s in w["sites"]) - 1) < 1e-6
assert not w["over_budget"] and w["note"] == "", w["note"]
assert w["sample"] == 1 and w["watched_s"] > 0 and w["probe_cost_s"] > 0
assert any(p["pid"] == w["pid"] for p in d["processes"]), "no verdict for the watched process"
print("json: %d sites, %.2f s probe cost of %.2f s target CPU" %
      (len(w["sites"]), w["probe_cost_s"], w["target_cpu_s"]))
PY

watch table --window 4s
cat "$TMP/table.out"
grep -Eq '^ +977 KiB +1000 .* leak_malloc\+0x[0-9a-f]+ \(allocsites\.c:[0-9]+\)$' "$TMP/table.out" ||
	{ cat "$TMP/table.err" "$TMP/table.stream" >&2; fail "the table has no leak_malloc row"; }
grep -q 'allocation sites (health.alloc.sites)' "$TMP/table.out" || fail "no sites header"

# The target dies while watched: said, and what was resolved at attach
# (its own PIE) keeps its symbols.
KILL=1 watch died --window 6s --format json
python3 - "$TMP/died.out" <<'PY' || { cat "$TMP/died.err" >&2; fail "a target that died lost its sites"; }
import json, sys
w = json.load(open(sys.argv[1]))["where"]
assert w["note"].startswith("the target exited after"), w["note"]
m = [s for s in w["sites"] if s["function"] == "leak_malloc"]
assert m and m[0]["bytes"] == 1000000 and m[0]["line"] > 0, w["sites"]
print("died:", w["note"])
PY

# A malloc/free loop: the budget (10% of the target's CPU) stops the
# probes, not the loop; the end table is still read.
# 2e11 rounds: once the probes are off a round takes ~10 ns, and 2e9
# ended inside the window (the test then saw "the loop died")
"$LOOP" 200000000000 >/dev/null &
prog=$!
"$HEALTHTAP" leaks --where $prog --min-age 0 --warmup 0 --window 40s --format json \
	>"$TMP/budget.out" 2>"$TMP/budget.err" || { cat "$TMP/budget.err" >&2; fail "leaks --where on a loop failed"; }
kill -0 $prog || fail "the loop died"
kill $prog; wait $prog 2>/dev/null || true
prog=
python3 - "$TMP/budget.out" <<'PY' || { cat "$TMP/budget.err" >&2; fail "the budget did not stop the probes"; }
import json, sys
w = json.load(open(sys.argv[1]))["where"]
assert w["over_budget"], w
assert "budget" in w["note"], w["note"]
assert w["watched_s"] < 35, "the probes ran %.1f s of a 40 s window" % w["watched_s"]
print("budget:", w["note"])
PY
pass "leaks --where: sites exact and symbolized (PIE, library, threads), churn 0; target death and budget said"
