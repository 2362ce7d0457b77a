#!/bin/bash
# runok: health.skb under --runtime=bpf while the test sends UDP datagrams
# over loopback. Over the same batches: tx_packets equals the sum of all
# devices' tx packets in /proc/net/dev within 5%; rx_packets is at least
# the loopback rx packets; frees equal, within 5%, a tracefs count of the
# skb:consume_skb and skb:kfree_skb events (a tracefs instance of its own);
# the parser takes every line. (UDP skbs freed after a read do not pass
# consume_skb: __consume_stateless_skb has no tracepoint.)
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare

T=/sys/kernel/tracing/instances/healthtap-skb
rmdir "$T" 2>/dev/null || true
mkdir "$T" || fail "cannot make the tracefs instance $T"
echo 1 >"$T/events/skb/consume_skb/enable"
echo 1 >"$T/events/skb/kfree_skb/enable"
python3 - <<'PY' &
import socket, time
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", 0))
r.settimeout(0.5)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 40
while time.time() < end:
    for i in range(50):
        s.sendto(b"x" * 100, r.getsockname())
        try:
            r.recv(200)
        except OSError:
            pass
    time.sleep(0.01)
PY
load=$!
trap 'kill $load 2>/dev/null || true; echo 0 >"$T/events/enable" 2>/dev/null; rmdir "$T" 2>/dev/null || true; rm -rf "$TMP"' EXIT
stap_join skb tracefs 6 'probe health.skb {}'
kill $load 2>/dev/null || true
echo 0 >"$T/events/enable"
cat "$TMP/join.json"
python3 - "$TMP/join.json" <<'PY' || fail "skb records and /proc/net/dev disagree"
import json, sys
j = json.load(open(sys.argv[1]))
p, r = j["probe"], j["ref"]
assert j["batches"] >= 4, "too few batches: %d" % j["batches"]
tx_ref = sum(v for k, v in r.items() if k.endswith("_tx"))
lo = r["lo_rx"]
print("tx_packets: probe %d, /proc/net/dev all devices %d" % (p["tx_packets"], tx_ref))
print("rx_packets: probe %d, lo rx %d" % (p["rx_packets"], lo))
tf = r["tracefs_frees"]
print("frees: probe %d (consumed %d, dropped %d), tracefs %d" %
      (p["frees"], p["consumed"], p["dropped"], tf))
print("alloc_approx %d" % p["alloc_approx"])
assert lo > 1000, "no loopback load seen: %d" % lo
assert abs(p["tx_packets"] - tx_ref) <= 0.05 * tx_ref, "tx_packets off by over 5%"
assert p["rx_packets"] >= lo, "rx_packets below the loopback packets"
assert tf > 0, "tracefs counted no frees"
assert abs(p["frees"] - tf) <= max(0.05 * tf, 5), "frees and tracefs differ by over 5%"
assert p["frees"] == p["consumed"] + p["dropped"], "frees != consumed + dropped"
PY
parser_accepts
pass "skb frees agree with tracefs, rx/tx with /proc/net/dev"
