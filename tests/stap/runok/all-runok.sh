#!/bin/bash
# runok: 'probe health.* {}' under --runtime=bpf prints the stream header
# exactly once and batches of all four subsystems; the sched switches agree
# with /proc/stat ctxt within 5% over the same batches; the parser takes
# every line.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare
"$top_builddir/tests/helpers/switcher" 40 &
load=$!
trap 'kill $load 2>/dev/null || true; rm -rf "$TMP"' EXIT
stap_join sched ctxt 6 'probe health.* {}' --compatible=4.1
kill $load 2>/dev/null || true
cat "$TMP/join.json"
python3 - "$TMP/join.json" "$TMP/stream" <<'PY' || fail "health.* stream is wrong"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["headers"] == 1, "%d header lines, want 1" % j["headers"]
subs = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 4 and f[2] == "batch":
        subs[f[1]] = int(f[3])
print("batches per subsystem: %s" % subs)
for s in ("memory", "sched", "irq", "skb"):
    assert subs.get(s, 0) >= 4, "fewer than 4 %s batches" % s
p, r = j["probe"]["switches"], j["ref"]["ctxt"]
print("switches: probe %d, /proc/stat ctxt %d (%.2f%%)" % (p, r, 100.0 * p / r))
assert abs(p - r) <= 0.05 * r, "switches off by over 5%"
PY
parser_accepts
pass "health.* prints one header and every subsystem"
