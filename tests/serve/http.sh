#!/bin/sh
# healthtap serve on the live /proc: endpoints, status codes, methods,
# content negotiation, values against /proc, one sample per interval (never
# per request), a real leak ranked in /api/v1/leaks, a tapset stream fed
# with --stream, usage errors and a clean stop on SIGTERM and SIGINT.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need curl
need python3

ctxt_before=$(awk '$1 == "ctxt" { print $2 }' /proc/stat)
start_agent a --interval 500ms --top 1000 --warmup 2s
url="http://127.0.0.1:$a_port"

# ---- status codes and methods
code() { curl -s -o "$TMP/body" -w '%{http_code}' "$@"; }
[ "$(code "$url/healthz")" = 200 ] && [ "$(cat "$TMP/body")" = ok ] || fail "/healthz: $(cat "$TMP/body")"
[ "$(code "$url/nope")" = 404 ] || fail "unknown path not 404"
[ "$(code "$url/metrics/x")" = 404 ] || fail "/metrics/x not 404"
[ "$(code "$url/api/v1/processes/abc/series")" = 404 ] || fail "non-numeric pid not 404"
[ "$(code "$url/api/v1/processes/-1/series")" = 404 ] || fail "negative pid not 404"
[ "$(code "$url/api/v1/processes/99999999999999999999/series")" = 404 ] || fail "huge pid not 404"
[ "$(code "$url/api/v1/processes/$a_pid/series?points=abc")" = 400 ] || fail "bad points not 400"
[ "$(code "$url/api/v1/processes/$a_pid/series?start_time=1")" = 404 ] ||
	fail "wrong start_time not 404"
for m in POST PUT DELETE PATCH OPTIONS TRACE; do
	c=$(curl -s -o /dev/null -D "$TMP/h" -w '%{http_code}' -X "$m" --data x "$url/metrics")
	[ "$c" = 405 ] || fail "$m /metrics gave $c, want 405"
	grep -qi '^allow: GET, HEAD' "$TMP/h" || fail "$m: no Allow header"
done
pass "status codes: 200 healthz, 404 unknown paths and pids, 400 bad query, 405 + Allow for 6 methods"

# HEAD: headers with the length, no body (read the raw bytes).
python3 - "$a_port" <<'PY' || fail "HEAD"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
head, _, body = data.partition(b"\r\n\r\n")
assert head.startswith(b"HTTP/1.1 200"), head[:40]
length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
assert length and int(length[0].split(b":")[1]) > 1000, length
assert body == b"", body[:40]
print("ok: HEAD /metrics: 200, Content-Length %d, no body" % int(length[0].split(b":")[1]))
PY

# ---- content negotiation
ctype() { curl -s -o "$TMP/body" -D - "$@" "$url/metrics" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Tt]ype: //p'; }
[ "$(ctype)" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "default content type: $(ctype)"
[ "$(ctype -H 'Accept: text/plain;version=0.0.4')" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "text/plain"
[ "$(ctype -H 'Accept: application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')" = \
	"application/openmetrics-text; version=1.0.0; charset=utf-8" ] || fail "Prometheus's Accept did not give OpenMetrics"
[ "$(tail -n 1 "$TMP/body")" = "# EOF" ] || fail "OpenMetrics without # EOF"
[ "$(ctype -H 'Accept: application/openmetrics-text;q=0')" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "q=0"
[ "$(ctype -H 'Accept: text/plain;q=0.9, application/openmetrics-text;q=0.5')" = "text/plain; version=0.0.4; charset=utf-8" ] || fail "higher q text"
pass "Accept: text by default and for q=0; OpenMetrics (with # EOF) for Prometheus's header"

# ---- values against /proc
curl -sf "$url/metrics" >"$TMP/m"
ctxt_after=$(awk '$1 == "ctxt" { print $2 }' /proc/stat)
memtotal=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
ncpus=$(grep -c '^cpu[0-9]' /proc/stat)
[ "$(metric_value "$TMP/m" healthtap_memory_total_bytes)" = "$memtotal" ] || fail "memory_total_bytes != MemTotal"
[ "$(metric_value "$TMP/m" healthtap_cpus)" = "$ncpus" ] || fail "healthtap_cpus != $ncpus"
c=$(metric_value "$TMP/m" healthtap_context_switches_total)
[ "$c" -ge "$ctxt_before" ] && [ "$c" -le "$ctxt_after" ] || fail "ctxt $c not in [$ctxt_before, $ctxt_after]"
n=$(metric_value "$TMP/m" healthtap_processes)
live=$(ls -d /proc/[0-9]* | wc -l)
# Other programs may fork meanwhile: the same count within a factor 2.
[ $((2 * n)) -ge "$live" ] && [ "$n" -le $((2 * live)) ] || fail "healthtap_processes $n, /proc has $live"
grep -q "^healthtap_process_resident_bytes{pid=\"$a_pid\",comm=\"healthtap\"," "$TMP/m" || fail "own process not exported with --top 1000"
rss=$(metric_value "$TMP/m" process_resident_memory_bytes)
[ "$rss" -gt 1000000 ] && [ "$rss" -lt 200000000 ] || fail "process_resident_memory_bytes $rss"
pass "MemTotal $memtotal, $ncpus CPUs, ctxt $c in [$ctxt_before, $ctxt_after], $n processes (/proc: $live), own RSS $rss"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TMP/m" || fail "promtool check metrics"
	pass "promtool check metrics accepts the live /metrics"
fi

# ---- never a sample per request: an hour's interval, 52 requests, one sample
start_agent slow --interval 1h
s0=$(curl -sf "http://127.0.0.1:$slow_port/api/v1/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
for i in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$slow_port/metrics"; done
curl -sf "http://127.0.0.1:$slow_port/metrics" >"$TMP/slow"
s1=$(curl -sf "http://127.0.0.1:$slow_port/api/v1/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["seq"])')
[ "$s0" = 1 ] && [ "$s1" = 1 ] || fail "snapshot seq went $s0 -> $s1 over 52 requests"
[ "$(metric_value "$TMP/slow" healthtap_samples_total)" = 1 ] || fail "samples_total moved"
[ "$(metric_value "$TMP/slow" healthtap_scrape_duration_seconds_count)" = 50 ] || fail "scrape count"
[ "$(metric_value "$TMP/slow" 'healthtap_http_requests_total{code="200"}')" = 51 ] || fail "request count"
pass "52 requests within one 1 h interval: 1 sample, scrape count 50, 51 answered 200 before the last"

# ---- a real leak: 80 MiB/s, ranked first in /api/v1/leaks
start_leak $((80 << 20))
has_leak() {
	curl -sf "$url/api/v1/leaks" >"$TMP/leaks.json" &&
	python3 - "$TMP/leaks.json" "$leak" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
l = [p for p in d["leaks"] if p["pid"] == int(sys.argv[2])]
sys.exit(0 if l and l[0]["risk"] > 0 else 1)
PY
}
wait_for has_leak || { cat "$TMP/leaks.json" >&2; fail "the leaking process never showed in /api/v1/leaks"; }
python3 - "$TMP/leaks.json" "$leak" <<'PY' || fail "leak figures"
import json, sys
d = json.load(open(sys.argv[1]))
pid = int(sys.argv[2])
p = [p for p in d["leaks"] if p["pid"] == pid][0]
assert d["leaks"][0]["pid"] == pid, "not ranked first: %r" % [(x["pid"], x["comm"], x["risk"]) for x in d["leaks"][:3]]
assert 40e6 < p["rate"] < 100e6, p["rate"]          # 80 MiB/s nominal
assert p["r2"] > 0.9, p["r2"]
assert p["limit"] in ("system", "cgroup", "rlimit_as"), p["limit"]
assert 0 < p["eta_s"] < 1e6, p["eta_s"]
assert p["comm"] == "leaker", p["comm"]
print("ok: leak pid %d rate %.1f MB/s r2 %.3f eta %.0f s limit %s risk %.3g" %
      (pid, p["rate"] / 1e6, p["r2"], p["eta_s"], p["limit"], p["risk"]))
PY
curl -sf "$url/metrics" >"$TMP/m2"
grep "^healthtap_process_leak_risk{pid=\"$leak\"," "$TMP/m2" | awk '{ exit !($NF > 0) }' || fail "leak_risk metric not > 0"
grep "^healthtap_process_time_to_limit_seconds{pid=\"$leak\"," "$TMP/m2" | grep -qv Inf || fail "time_to_limit not finite"
grep -q "^healthtap_process_limit_bytes{pid=\"$leak\",.*,limit=\"" "$TMP/m2" || fail "limit_bytes without limit label"
pass "leak exported: leak_risk > 0, finite time_to_limit, limit_bytes with its limit label"
curl -sf "$url/api/v1/processes/$leak/series?points=5" >"$TMP/series.json"
python3 - "$TMP/series.json" "$leak" <<'PY' || fail "series"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pid"] == int(sys.argv[2])
assert len(d["rss"]) == 5 and len(d["anon"]) == 5, (len(d["rss"]), len(d["anon"]))
ts = [t for t, v in d["rss"]]
assert ts == sorted(ts) and ts[-1] == d["now_t"], ts
assert d["rss"][-1][1] > d["rss"][0][1], d["rss"]
print("ok: series: 5 newest points, RSS %d -> %d" % (d["rss"][0][1], d["rss"][-1][1]))
PY
kill "$leak"
curl -sf "$url/api/v1/memory/series?points=3" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert 1 <= len(d["available"]) <= 3 and all(v > 0 for t, v in d["available"]), d
print("ok: memory series: %d points" % len(d["available"]))' || fail "memory series"

# ---- a tapset stream fed with --stream
cat >"$TMP/stream" <<'S'
#healthtap v=1 runtime=bpf start_ms=18645440 interval_ms=1000
1000 sched switches 1647
1000 sched switches 812 cpu=0
1000 sched switches 835 cpu=1
1000 sched proc_switches 12 pid=4242 comm=a) b"c
1000 sched batch 1
this line is not a record
2000 sched switches 2000
2000 sched switches 1200 cpu=0
2000 sched switches 800 cpu=1
2000 sched batch 2
S
start_agent st --interval 200ms --stream "$TMP/stream"
probes_in() { curl -sf "http://127.0.0.1:$st_port/metrics" >"$TMP/st" && grep -q '^healthtap_probe_sched_switches' "$TMP/st"; }
wait_for probes_in || fail "no probe metrics from --stream"
for kv in 'healthtap_probe_stream_active 1' \
	'healthtap_probe_batches_total{subsys="sched"} 2' \
	'healthtap_probe_batches_total{subsys="memory"} 0' \
	'healthtap_probe_bad_lines_total 1' \
	'healthtap_probe_sched_switches 2000' \
	'healthtap_probe_sched_switches{cpu="0"} 1200' \
	'healthtap_probe_sched_switches{cpu="1"} 800'; do
	grep -qxF "$kv" "$TMP/st" || fail "--stream: no line '$kv'"
done
grep -q '^healthtap_probe_sched_proc_switches' "$TMP/st" && fail "batch 1's proc_switches still there after batch 2"
# the merge's absolute: /proc/stat ctxt at batch 1 + batch 2's 2000 switches
grep -Eq '^healthtap_probe_context_switches [0-9.e+]+$' "$TMP/st" || fail "--stream: no absolute context switches"
pass "--stream: batches, bad lines and the latest batch's switches (total, per cpu) exported"
curl -sf "http://127.0.0.1:$st_port/api/v1/snapshot" | python3 -c '
import json, sys
p = json.load(sys.stdin)["probes"]
assert p["active"] and p["runtime"] == "bpf" and p["batches"]["sched"] == 2, p
assert {"subsys": "sched", "name": "switches", "labels": "cpu=0", "value": 1200} in p["latest"], p["latest"]
assert p["last_error"].startswith("line 7"), p["last_error"]
print("ok: snapshot probes: runtime bpf, 2 sched batches, latest records, last error %r" % p["last_error"])' ||
	fail "probes JSON"

# ---- IPv6 loopback
if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	start_agent v6 --listen '[::1]:0' --interval 1s
	grep -q 'listening on http://\[::1\]:' "$TMP/v6.err" || fail "v6: $(cat "$TMP/v6.err")"
	[ "$(curl -s -g "http://[::1]:$v6_port/healthz")" = ok ] || fail "no answer on [::1]"
	c=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$v6_port/healthz" || true)
	[ "$c" = 000 ] || fail "[::1] agent answered on 127.0.0.1 ($c)"
	pass "--listen [::1]:0 answers on [::1] only"
fi

# ---- usage errors exit 2, runtime errors 1
expect_exit 2 "$HEALTHTAP" serve --listen nocolon
expect_exit 2 "$HEALTHTAP" serve --listen 127.0.0.1:70000
expect_exit 2 "$HEALTHTAP" serve --top 1001
expect_exit 2 "$HEALTHTAP" serve --tls-cert /dev/null
expect_exit 2 "$HEALTHTAP" serve --bogus
expect_exit 2 "$HEALTHTAP" serve extra
expect_exit 1 "$HEALTHTAP" serve --listen 127.0.0.1:0 --basic-auth "$TMP/nonexistent"
expect_exit 0 "$HEALTHTAP" serve --help
grep -q "127.0.0.1:9464" "$TMP/out" || fail "--help does not say the default address"
pass "usage errors exit 2; a missing auth file exits 1"

# ---- why it cannot listen, said (it used to guess "address in use, or bad
# TLS key/cert?")
listen_error() {	# listen_error ADDR MESSAGE [RUNNER...]
	local addr=$1 want=$2
	shift 2
	expect_exit 1 "$@" "$HEALTHTAP" serve --listen "$addr"
	grep -q "cannot listen on $addr: $want" "$TMP/err" || fail "--listen $addr: $(cat "$TMP/err")"
}
listen_error "127.0.0.1:$a_port" "the address is in use"
listen_error 192.0.2.1:9464 "no interface of this host has that address"
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	listen_error 127.0.0.1:80 "permission denied (ports below 1024 need root" \
		setpriv --reuid=65534 --regid=65534 --clear-groups
fi
pass "listen errors say which: address in use, no such local address, privileged port"

# ---- keep-alive: answers on one connection, as Prometheus scrapes
python3 - "$a_port" <<'PY' || fail "keep-alive"
import http.client, sys
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
ports = set()
for path in ["/metrics", "/healthz", "/api/v1/snapshot", "/nope", "/metrics"]:
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    assert r.status in (200, 404), (path, r.status)
    assert (r.getheader("Connection") or "").lower() != "close", (path, r.getheaders())
    ports.add(conn.sock.getsockname()[1])
assert len(ports) == 1, ports
PY
pass "keep-alive: 5 requests (200 and 404) answered on one connection"

# ---- clean stop: SIGTERM and SIGINT end it with status 0
for sig in TERM INT; do
	kill -"$sig" "$a_pid"
	st=0
	wait "$a_pid" || st=$?
	[ "$st" = 0 ] || fail "SIG$sig: exit status $st"
	grep -q 'stopped' "$TMP/a.err" || fail "SIG$sig: no 'stopped' line"
	curl -s -o /dev/null "$url/healthz" && fail "still answering after SIG$sig"
	start_agent a --interval 500ms
	url="http://127.0.0.1:$a_port"
done
pass "SIGTERM and SIGINT: exit 0, 'stopped', port closed"
