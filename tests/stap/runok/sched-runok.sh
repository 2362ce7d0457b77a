#!/bin/bash
# runok: the vertical slice. health.sched runs under --runtime=bpf, healthtap
# joins its switch counts with /proc/stat ctxt, and the two agree within 5%.
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
"$HARNESS" prepare

# until the test kills it: stap may take long to start on a busy machine
"$top_builddir/tests/helpers/switcher" 600 &
load=$!
trap 'pkill -P $load 2>/dev/null || true; kill $load 2>/dev/null || true; rm -rf "$TMP"' EXIT
"$HARNESS" run -e 'probe health.sched {} probe timer.s(7) { exit() }' 2>"$TMP/stap.err" |
	"$HEALTHTAP" stream --json >"$TMP/out" 2>"$TMP/err" || true
pkill -P $load 2>/dev/null || true; kill $load 2>/dev/null || true
cat "$TMP/out"
# Never a whole interval off (a reset racing with a probe on another CPU
# once lost or doubled one): every interval with 1000 switches or more is
# within half of /proc's; the batch edges move a few percent only.
python3 - "$TMP/out" <<'PY' || { cat "$TMP/stap.err" "$TMP/err" >&2; fail "an interval is off by half or more"; }
import json, sys
for line in open(sys.argv[1]):
    i = json.loads(line)
    if i.get("summary") or i["proc_ctxt_delta"] < 1000:
        continue
    r = i["probe_switches"] / i["proc_ctxt_delta"]
    assert 0.5 < r < 1.5, "interval at %d ms: probe %d, /proc %d" % (i["t_ms"], i["probe_switches"], i["proc_ctxt_delta"])
PY
tail -n 1 "$TMP/out" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["summary"] and s["bad_lines"] == 0, s
assert s["intervals"] >= 4, "too few intervals: %s" % s
assert s["proc_ctxt_delta"] > 1000, "no load seen: %s" % s
cov = s["coverage_pct"]
assert 95.0 <= cov <= 105.0, "probe/proc = %.2f%%, want within 5%%" % cov
print("coverage %.2f%% over %d intervals (probe %d, /proc %d)" % (cov, s["intervals"], s["probe_switches"], s["proc_ctxt_delta"]))
' || { cat "$TMP/stap.err" "$TMP/err" >&2; fail "probe and /proc disagree"; }
pass "sched switches agree with /proc/stat ctxt"
