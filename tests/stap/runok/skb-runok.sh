#!/bin/bash
# runok: health.skb under --runtime=bpf while the test sends UDP datagrams
# over loopback, data over an AF_UNIX socket pair (consume_skb) and
# datagrams to a closed UDP port (kfree_skb, NO_SOCKET). Over the same
# batches: tx_packets equals the sum of all devices' tx packets in
# /proc/net/dev within 5%; rx_packets is at least the loopback rx packets
# (less 5%);
# frees (over 1000) equal, within 5%, a tracefs count of the
# skb:consume_skb and skb:kfree_skb events (a tracefs instance of its own);
# drops are there and add up by reason; the parser takes every line.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare

# an instance per run: two runs at once must not share (or remove) it
T=/sys/kernel/tracing/instances/healthtap-skb-$$
export HEALTHTAP_TRACEFS="$T"
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
# a port nobody listens on: each datagram there is dropped (NO_SOCKET)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.bind(("127.0.0.1", 0))
closed = c.getsockname()
c.close()
# AF_UNIX buffers are freed with consume_skb once read
a, b = socket.socketpair()
# until the test kills it: stap may take long to start on a busy machine
end = time.time() + 600
while time.time() < end:
    for i in range(50):
        s.sendto(b"x" * 100, r.getsockname())
        try:
            r.recv(200)
        except OSError:
            pass
        a.send(b"y" * 100)
        b.recv(200)
    s.sendto(b"z", closed)
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
# rx counts every device's netif_receive_skb, so at least lo's, less what
# the batch edges shift (the probe reads at the timer, the join reads /proc
# when it gets the batch line)
assert p["rx_packets"] >= 0.95 * lo, "rx_packets over 5% below the loopback packets"
assert tf > 1000, "tracefs counted only %d frees" % tf
reasons = {k: v for k, v in p.items() if k.startswith("drops reason=")}
print("drops by reason: %s" % reasons)
# the per-reason counters (reason=other for reasons the table lacks) are
# read just after dropped: a drop landing in between shifts one event from
# one batch to the next, so the sums over the batches differ by the edges
assert p["dropped"] > 0, "no drops"
assert abs(sum(reasons.values()) - p["dropped"]) <= max(2, 0.01 * p["dropped"]), "drops by reason do not add up"
assert abs(p["frees"] - tf) <= max(0.05 * tf, 5), "frees and tracefs differ by over 5%"
# frees is consumed + dropped of the same batch
assert p["frees"] == p["consumed"] + p["dropped"], "frees != consumed + dropped"
PY
# In every batch the drops by reason add up to dropped (but for a drop
# landing between the two reads), and frees = consumed + dropped.
python3 - "$TMP/stream" <<'PY' || fail "a batch's drops do not add up"
import sys
b = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 4 or f[1] != "skb":
        continue
    if f[2] == "batch":
        if b:
            reasons = b.get("drops", 0)
            assert abs(reasons - b["dropped"]) <= 2, "batch %s: %s" % (f[3], b)
            assert b["frees"] == b["consumed"] + b["dropped"], "batch %s: %s" % (f[3], b)
        b = {}
        continue
    b[f[2]] = b.get(f[2], 0) + int(f[3])
PY
parser_accepts
pass "skb frees agree with tracefs, rx/tx with /proc/net/dev"
