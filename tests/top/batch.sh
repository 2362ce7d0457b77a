#!/bin/bash
# healthtap top --batch and --json on the fixture root tests/fixtures/top:
# frames compared with golden files (diff -u), JSON figures checked against
# the fixture's own files.
. "${top_srcdir:-.}/tests/lib.sh"
FIX="$top_srcdir/tests/fixtures/top"
GOLD="$top_srcdir/tests/top"
export HEALTHTAP_TOP_CLOCK="2026-01-01 00:00:00"

# golden NAME ARGS...: runs top on the fixture, compares with NAME.golden.
golden() {
	local name=$1
	shift
	expect_exit 0 "$HEALTHTAP" top -b -i 100ms --root "$FIX" "$@"
	sed "s|$FIX|FIXTURE|g" "$TMP/out" >"$TMP/$name.out"
	diff -u "$GOLD/$name.golden" "$TMP/$name.out" || fail "$name: output differs from $name.golden"
}

# Two frames: the second has a growth rate (3 samples) for every process.
# Kernel threads are hidden by default (as in htop), and the count says so.
golden batch-risk -n 2
pass "batch frames sorted by leak risk, kernel threads hidden (golden)"
golden batch-sort -n 1 -s pid -r --filter / --kthreads
pass "batch sorted by pid descending, filtered, kernel threads shown (golden)"
golden batch-tree -n 1 --tree --no-kthreads -m 4
pass "batch tree view, at most 4 rows (golden)"
golden batch-threads -n 2 --threads --filter process_api
pass "batch thread view (golden)"

# A thread that exits between the task listing and the read of its status
# (a task dir without status) is left out; it was shown with the counters
# of the thread read before it.
cp -a "$FIX" "$TMP/gone"
mkdir "$TMP/gone/proc/6818/task/6820"
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --root "$TMP/gone" --threads
sed -n '/^Threads:/,$p' "$TMP/out" >"$TMP/threads"
grep -Eq '^ +6818 +6818 bash ' "$TMP/threads" || fail "the live thread of 6818 is missing"
! grep -Eq '^ +6818 +6820 ' "$TMP/threads" || fail "an exited thread shown: $(grep 6820 "$TMP/threads")"
grep -q '^Threads: 4 of the processes shown$' "$TMP/threads" || fail "thread count: $(head -1 "$TMP/threads")"
pass "a thread gone between listing and reading is left out"

# The clock label is the only thing fixed for the goldens: without it the
# frame carries the real time.
unset HEALTHTAP_TOP_CLOCK
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --root "$FIX"
grep -Eq "^healthtap top - $(date +%Y-%m-%d) [0-9:]{8} - frame 1 - 2 CPUs" "$TMP/out" ||
	grep -Eq "^healthtap top - $(date -d tomorrow +%Y-%m-%d) " "$TMP/out" || fail "real clock label"
pass "real clock label without HEALTHTAP_TOP_CLOCK"

# healthtap's own processes are marked '*': a "healthtap" command and its
# children (a copy of the fixture where 6818 is "healthtap record" and
# 6123 its child). On a fixture root, this top's own pid means nothing.
cp -a "$FIX" "$TMP/own"
sed -i 's/^6818 (bash)/6818 (healthtap)/' "$TMP/own/proc/6818/stat"
printf 'healthtap\0record\0-o\0/var/lib/healthtap/h.db\0' >"$TMP/own/proc/6818/cmdline"
sed -i 's/^Name:.*/Name:\thealthtap/' "$TMP/own/proc/6818/status"
sed -i 's/^\(6123 (a) b) S\) 1 /\1 6818 /' "$TMP/own/proc/6123/stat"
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --root "$TMP/own"
grep -Eq '^ +6818 root .* \* healthtap record -o /var/lib/healthtap/h.db$' "$TMP/out" ||
	fail "healthtap record not marked: $(grep 6818 "$TMP/out")"
grep -Eq '^ +6123 root .*[.] \* /tmp/w/a\) b 1000$' "$TMP/out" ||
	fail "a child of healthtap not marked: $(grep 6123 "$TMP/out")"
[ "$(grep -c ' \* ' "$TMP/out")" -eq 2 ] || fail "other rows marked: $(grep ' \* ' "$TMP/out")"
# On the live /proc, this top itself is marked.
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --filter "top -b -n 1 -i 100ms --filter"
grep -Eq '^ +[0-9]+ .* \* .*healthtap top -b -n 1 ' "$TMP/out" || fail "this top not marked: $(tail -3 "$TMP/out")"
pass "healthtap's own processes marked"

# JSON: one document per frame; figures equal the fixture's files.
expect_exit 0 "$HEALTHTAP" top --json -n 2 -i 100ms --root "$FIX" --clock-label fixed --kthreads
[ "$(wc -l <"$TMP/out")" -eq 2 ] || fail "want 2 JSON lines"
python3 - "$TMP/out" "$FIX" <<'PY' || fail "json frames"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
fix = sys.argv[2]
docs = [json.loads(l) for l in lines]
d = docs[1]
assert [x["frame"] for x in docs] == [1, 2], [x["frame"] for x in docs]
assert d["time"] == "fixed"
meminfo = dict((l.split(":")[0], int(l.split()[1]) * 1024) for l in open(fix + "/proc/meminfo") if l.split()[-1] == "kB")
assert d["memory"]["total_bytes"] == meminfo["MemTotal"], d["memory"]
assert d["memory"]["available_bytes"] == meminfo["MemAvailable"]
assert d["memory"]["used_bytes"] == meminfo["MemTotal"] - meminfo["MemAvailable"]
assert d["procs_running"] == 3 and d["ctxt_per_s"] == 0
assert abs(d["psi_avg10_pct"]["cpu_some"] - 56.8) < 1e-9, d["psi_avg10_pct"]
assert d["probes"]["source"] == "off" and d["probes"]["active"] is False
procs = {p["pid"]: p for p in d["processes"]}
assert sorted(procs) == [1, 2, 6123, 6232, 6236, 6818, 7088], sorted(procs)
for pid in (1, 6123, 6818):
    statm = [int(x) for x in open("%s/proc/%d/statm" % (fix, pid)).read().split()]
    assert procs[pid]["rss_bytes"] == statm[1] * 4096, (pid, procs[pid]["rss_bytes"])
    assert procs[pid]["anon_bytes"] == (statm[1] - statm[2]) * 4096
    assert procs[pid]["growth_bytes_per_s"] == 0, procs[pid]
assert procs[6123]["comm"] == "a) b" and procs[6123]["command"] == "/tmp/w/a) b 1000"
assert procs[6236]["command"] == "[fake] <defunct>"
assert procs[2]["rss_bytes"] == 0 and procs[2]["growth_bytes_per_s"] is None
assert procs[2]["kernel_thread"] is True and procs[1]["kernel_thread"] is False
assert not any(p["healthtap"] for p in procs.values())
assert d["processes"][0]["pid"] == 1   # ties on risk: biggest RSS first
assert len(procs[1]["rss_trend_bytes"]) == 10
assert procs[1]["rss_trend_bytes"][-1] == procs[1]["rss_bytes"]
PY
pass "json frames match the fixture"

# Usage errors.
expect_exit 2 "$HEALTHTAP" top -s nosuchcolumn
grep -q "unknown sort column 'nosuchcolumn'" "$TMP/err" || fail "bad sort column message"
expect_exit 2 "$HEALTHTAP" top --stap --stream -
expect_exit 1 "$HEALTHTAP" top -b -n 1 --stream "$TMP/none" --root "$FIX"
grep -q "cannot open $TMP/none: No such file or directory" "$TMP/err" || fail "missing stream message"
pass "usage and stream errors"

# Probe figures from a tapset stream: a file, then a child started with
# --stap=CMD (a stand-in for stap that prints the same stream and stays).
printf '%s\n' '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000' \
	'1000 sched switches 5' '1000 sched batch 1' '1000 skb allocs 120' \
	'1000 skb alloc_approx 7' '1000 skb frees 100' '1000 skb outstanding 20' \
	'1000 skb outstanding_approx 3' '1000 skb batch 1' 'zzz' >"$TMP/stream"
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --root "$FIX" --stream "$TMP/stream"
grep -qx '  probes: bpf 8 records, 1 bad; sched coverage -; skb/batch alloc 120 free 100, outstanding 20; stream ended' "$TMP/out" ||
	{ grep probes "$TMP/out" >&2; fail "probes line from a stream file"; }
expect_exit 0 "$HEALTHTAP" top --json -n 1 -i 100ms --root "$FIX" --stream "$TMP/stream"
python3 -c '
import json, sys
p = json.loads(open(sys.argv[1]).read())["probes"]
assert p == {"source": "stream", "active": True, "records": 8, "bad_lines": 1, "sched_coverage": None,
             "sched_ctxt_absolute": 13426488,
             "skb_alloc": 120, "skb_free": 100, "skb_outstanding": 20}, p' "$TMP/out" || fail "json probes"
# The bpf runtime's outstanding_approx may go below 0: shown, not dropped.
printf '%s\n' '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000' \
	'1000 skb frees 9' '1000 skb alloc_approx 4' '1000 skb outstanding_approx -5' \
	'1000 skb batch 1' >"$TMP/stream-neg"
expect_exit 0 "$HEALTHTAP" top --json -n 1 -i 100ms --root "$FIX" --stream "$TMP/stream-neg"
python3 -c '
import json, sys
p = json.loads(open(sys.argv[1]).read())["probes"]
assert (p["skb_alloc"], p["skb_free"], p["skb_outstanding"]) == (4, 9, -5), p' "$TMP/out" ||
	fail "negative outstanding_approx"
pass "probe figures from --stream FILE"

mark="sleep 3$$.5"
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --root "$FIX" --stap="cat $TMP/stream; exec $mark"
grep -Eq '^  probes: bpf 8 records, 1 bad; .*; stap running \(pid [0-9]+\)$' "$TMP/out" ||
	{ grep probes "$TMP/out" >&2; fail "probes line from a --stap child"; }
# top signals its child on exit: it must be gone soon (not within a time)
for _ in $(seq 100); do pgrep -f "$mark" >/dev/null || break; sleep 0.1; done
! pgrep -f "$mark" >/dev/null || fail "the --stap child outlived top by 10 s"
expect_exit 0 "$HEALTHTAP" top -b -n 4 -i 300ms --root "$FIX" --stap="echo no stap here >&2; exit 3"
grep -Eq "^  probes: waiting for the tapset stream: stap exited with status 3: no stap here; restart in [0-9]+s$" "$TMP/out" ||
	{ grep probes "$TMP/out" >&2; fail "failed stap child reported with its stderr"; }
# Plain --stap where stap cannot run (a kernel without a build tree, as on
# these test VMs): an error that says why, before any frame.
if [ ! -e "/lib/modules/$(uname -r)/build" ] && [ -z "${HEALTHTAP_STAP_CMD:-}" ]; then
	expect_exit 1 "$HEALTHTAP" top --stap -b -n 1 --root "$FIX"
	grep -q "stap cannot run here: .*HEALTHTAP_STAP_CMD" "$TMP/err" || fail "plain --stap: $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "a frame before the --stap error"
fi
HEALTHTAP_STAP_CMD="cat $TMP/stream; exec $mark" expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 100ms --root "$FIX" --stap
grep -Eq '^  probes: bpf 8 records, 1 bad; .*; stap running \(pid [0-9]+\)$' "$TMP/out" ||
	{ grep probes "$TMP/out" >&2; fail "probes line from HEALTHTAP_STAP_CMD"; }
pass "probe figures from a --stap child, stopped on exit; HEALTHTAP_STAP_CMD; plain --stap refused here"
