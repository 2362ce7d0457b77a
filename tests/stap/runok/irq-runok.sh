#!/bin/bash
# runok: health.irq under --runtime=bpf while the test makes block I/O.
# Softirqs per vector agree with /proc/softirqs within 5% (vectors with at
# least 200 in the window); hard IRQ handler calls per IRQ number with
# /proc/interrupts within 5% (IRQs with at least 200); the parser takes it.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare

# Direct writes to the disk: block IRQs and BLOCK softirqs, until the test
# kills it (stap may take long to start on a busy machine).
( end=$((SECONDS + 600)); while [ $SECONDS -lt $end ]; do
	dd if=/dev/zero of=/var/tmp/healthtap-irq.$$ bs=4k count=500 oflag=direct 2>/dev/null || break
  done; rm -f /var/tmp/healthtap-irq.$$ ) &
load=$!
trap 'kill $load 2>/dev/null || true; rm -f /var/tmp/healthtap-irq.*; rm -rf "$TMP"' EXIT
stap_join irq interrupts,softirqs 6 'probe health.irq {}' -G health_top_n=5
kill $load 2>/dev/null || true
cat "$TMP/join.json"
python3 - "$TMP/join.json" <<'PY' || fail "irq handler counts and /proc/interrupts disagree"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["batches"] >= 4, "too few batches: %d" % j["batches"]
checked = 0
for k, v in j["probe"].items():
    if not k.startswith("handler irq="):
        continue
    irq = k.split("=")[1].split()[0]
    ref = j["ref"].get(irq, 0)
    if ref < 200:
        continue
    # the top-N slots only list an IRQ in the intervals it ranked
    assert abs(v - ref) <= 0.05 * ref, "irq %s: probe %d, /proc %d" % (irq, v, ref)
    print("irq %s: probe %d, /proc/interrupts %d" % (irq, v, ref))
    checked += 1
assert checked >= 1, "no IRQ with 200 calls in the window: %s" % j
tot = j["probe"].get("handlers", 0)
reft = sum(v for k, v in j["ref"].items() if k.isdigit())
print("all numbered IRQs: probe %d, /proc/interrupts %d" % (tot, reft))
assert tot >= 0.95 * reft, "probe saw fewer handler calls than /proc counted"
PY
python3 - "$TMP/join.json" <<'PY' || fail "softirqs per vector and /proc/softirqs disagree"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["batches"] >= 4, "too few batches: %d" % j["batches"]
checked = 0
for vec, ref in sorted(j["ref"].items()):
    if vec.isdigit():
        continue
    v = j["probe"].get("softirqs vec=" + vec)
    assert v is not None, "no softirqs record for %s" % vec
    print("%-8s probe %6d  /proc/softirqs %6d" % (vec, v, ref))
    if ref >= 200:
        assert abs(v - ref) <= 0.05 * ref, "%s: probe %d, /proc %d, over 5%%" % (vec, v, ref)
        checked += 1
assert checked >= 2, "fewer than 2 vectors with 200 softirqs in the window"
PY
parser_accepts
pass "irq handlers and softirqs agree with /proc"
