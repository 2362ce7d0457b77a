#!/bin/bash
# runok: 'probe health.* {}' under --runtime=bpf (stap's default raw
# tracepoint arguments) prints the stream header exactly once and batches of
# all four subsystems; the sched switches agree with /proc/stat ctxt within
# 5% over the same batches; a test process (memhog, 32 MiB) has proc_faults
# adding up to its own getrusage fault count within 10%; the parser takes
# every line. (The switcher's child outlives its parent: the test kills it.)
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare
"$top_builddir/tests/helpers/switcher" 40 &
load=$!
(
	for i in $(seq 1 240); do
		grep -q ' memory batch 2$' "$TMP/stream" 2>/dev/null && break
		sleep 0.25
	done
	"$top_builddir/tests/helpers/memhog" 0 32 500 >"$TMP/memhog.out"
) &
hogger=$!
trap 'pkill -P $load 2>/dev/null || true; kill $load $hogger 2>/dev/null || true; rm -rf "$TMP"' EXIT
stap_join sched ctxt 6 'probe health.* {}'
pkill -P $load 2>/dev/null || true; kill $load 2>/dev/null || true
wait $hogger || true
hog=$(sed -n 's/^memhog pid=//p' "$TMP/memhog.out")
flt=$(sed -n 's/^memhog faults=//p' "$TMP/memhog.out")
[ -n "$hog" ] && [ -n "$flt" ] || fail "memhog did not run"
cat "$TMP/join.json"
python3 - "$TMP/join.json" "$TMP/stream" "$hog" "$flt" <<'PY' || fail "health.* stream is wrong"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["headers"] == 1, "%d header lines, want 1" % j["headers"]
subs = {}
faults = 0
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 4 and f[2] == "batch":
        subs[f[1]] = int(f[3])
    if len(f) == 5 and f[2] == "proc_faults" and f[4] == "pid=" + sys.argv[3]:
        faults += int(f[3])
flt = int(sys.argv[4])
print("memhog %s: proc_faults %d, getrusage faults %d" % (sys.argv[3], faults, flt))
assert abs(faults - flt) <= 0.10 * flt, "faults off by over 10%"
print("batches per subsystem: %s" % subs)
for s in ("memory", "sched", "irq", "skb"):
    assert subs.get(s, 0) >= 4, "fewer than 4 %s batches" % s
p, r = j["probe"]["switches"], j["ref"]["ctxt"]
print("switches: probe %d, /proc/stat ctxt %d (%.2f%%)" % (p, r, 100.0 * p / r))
assert abs(p - r) <= 0.05 * r, "switches off by over 5%"
PY
parser_accepts
pass "health.* prints one header and every subsystem"
