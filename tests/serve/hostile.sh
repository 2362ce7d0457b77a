#!/bin/sh
# Hostile input against healthtap serve, all on loopback: malformed HTTP
# over raw sockets, stalled, trickled and slowloris requests, the connection
# limits, too many query arguments, and 10,000 requests from a load
# generator (ab, else a bounded python3 loop) with no error and bounded
# memory.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need curl
need python3
H="python3 $top_srcdir/tests/serve/hostile.py"

alive() {
	kill -0 "$1" 2>/dev/null || fail "the server died"
	[ "$(curl -s -m 5 "http://127.0.0.1:$2/healthz")" = ok ] || fail "the server no longer answers"
}

# ---- malformed requests: 4xx or a closed connection, never a crash
start_agent m --interval 1s
$H malformed "$m_port" >"$TMP/malformed" || { cat "$TMP/malformed" >&2; fail "a malformed request got a bad answer"; }
cat "$TMP/malformed"
alive "$m_pid" "$m_port"
pass "$(wc -l <"$TMP/malformed") malformed requests: 4xx or closed; server alive"

# ---- stalled partial requests are closed after --timeout
start_agent s --interval 1s --timeout 2s --max-connections 8
$H stalled "$s_port" 3 >"$TMP/stalled" &
stalled=$!
sleep 0.5
[ "$(curl -s -m 5 "http://127.0.0.1:$s_port/healthz")" = ok ] || fail "no answer while 3 requests stall"
wait "$stalled"
cat "$TMP/stalled"
worst=$(sed -n 's/^worst //p' "$TMP/stalled")
# closed at the deadline, not before it, and well before the client's own
# 30 s (a busy host may run the cut and the client late, never early)
python3 -c "import sys; sys.exit(not (1.5 <= $worst <= 15))" || fail "stalled requests closed after $worst s, want ~2"
alive "$s_pid" "$s_port"
pass "3 stalled partial requests closed after ${worst} s (--timeout 2s); others served meanwhile"

# ---- the per-address limit (half of --max-connections 8): with a long
# --timeout, 4 trickling connections from 127.0.0.1 are held; a 5th from
# there is closed at once while 127.0.0.2 is served
start_agent p --interval 1s --timeout 60s --max-connections 8
$H trickle "$p_port" 4 4 >"$TMP/trickle" &
trickle=$!
wait_for grep -q '^connected' "$TMP/trickle" || fail "the trickling client did not connect"
$H refused "$p_port" >"$TMP/refused"
grep -q '^closed' "$TMP/refused" || fail "a 5th connection from 127.0.0.1 was not refused: $(cat "$TMP/refused")"
c=$(curl -s -m 10 -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$p_port/healthz" || true)
[ "$c" = 200 ] || fail "127.0.0.2 not served while 127.0.0.1 is at its limit ($c)"
wait "$trickle"
[ "$(tail -n 1 "$TMP/trickle")" = 4 ] || fail "trickled connections dropped early: $(tail -n 1 "$TMP/trickle") kept"
$H refused "$p_port" >"$TMP/refused2"
grep -q '^answered .* 200 OK' "$TMP/refused2" || fail "127.0.0.1 not served after the trickle: $(cat "$TMP/refused2")"
alive "$p_pid" "$p_port"
pass "4 trickling connections held; a 5th from 127.0.0.1 closed at once, 127.0.0.2 served, then 127.0.0.1 again"

# ---- slowloris: --timeout bounds a whole request, not only idle time. Each
# connection sends a header line a second (never idle) and is cut at its
# deadline; the client reconnects and is cut again.
$H slowloris "$s_port" 3 7 >"$TMP/slow"
cat "$TMP/slow"
set -- $(cat "$TMP/slow")	# opened O cut C longest L
[ "$4" -ge 3 ] || fail "slow requests were not cut at --timeout 2s: $(cat "$TMP/slow")"
python3 -c "import sys; sys.exit(not $6 >= 1.5)" || fail "a slow request was cut before its deadline: $6 s"
alive "$s_pid" "$s_port"
pass "slow requests cut at their deadline (--timeout 2s): $2 opened over 7 s, $4 cut, held at most $6 s"

# ---- at the connection limit: 100 slowloris connections from 100 loopback
# addresses against --max-connections 64 (default --timeout 10s). New
# connections cut the one waiting longest for its request, so /healthz and
# /metrics keep answering (they used to wait out the whole attack).
start_agent z --interval 1s
$H slowloris "$z_port" 100 15 >"$TMP/zslow" &
slow=$!
sleep 3
worst=0 n=0
while kill -0 "$slow" 2>/dev/null && [ "$n" -lt 20 ]; do
	for path in /healthz /metrics; do
		t=$(curl -s -m 15 -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$z_port$path" || true)
		[ "${t%% *}" = 200 ] || fail "$path during the attack: $t"
		worst=$(python3 -c "print(max($worst, ${t#* }))")
	done
	n=$((n + 1))
	sleep 0.5
done
wait "$slow"
cat "$TMP/zslow"
[ "$n" -ge 3 ] || fail "only $n rounds of requests during the attack"
curl -sf "http://127.0.0.1:$z_port/metrics" >"$TMP/zm"
room=$(metric_value "$TMP/zm" 'healthtap_http_connections_cut_total{reason="room"}')
[ "$room" -gt 0 ] || fail "no connection was cut for room"
alive "$z_pid" "$z_port"
pass "100 slowloris connections from 100 addresses: $n rounds of /healthz and /metrics all 200 (slowest ${worst} s), $room cut for room"

# ---- many query arguments: libmicrohttpd 0.9.75 runs out of connection
# memory at a few hundred and used to answer nothing until the timeout
$H args "$m_port" 32 >"$TMP/args32"
grep -q ': HTTP/1.1 200 ' "$TMP/args32" || fail "32 arguments: $(cat "$TMP/args32")"
for n in 33 450 500 5000; do
	$H args "$m_port" "$n" >"$TMP/args"
	cat "$TMP/args"
	grep -q ': HTTP/1.1 414 URI Too Long after' "$TMP/args" || fail "$n arguments: $(cat "$TMP/args")"
done
alive "$m_pid" "$m_port"
pass "32 query arguments answered, 33 to 5000 get 414 at once"

# ---- 10,000 requests, no error, bounded memory. The agent samples the
# fixture tree, so its own memory depends on the requests alone, not on how
# many processes the machine runs meanwhile.
start_agent l --interval 1s --root "$(fixture "$top_srcdir/tests/serve/fixtures/host")"
lurl="http://127.0.0.1:$l_port"
$H load "$l_port" /metrics 200 4 >/dev/null	# warm up allocator and buffers
rss0=$(vm_rss "$l_pid")
load() {
	if command -v ab >/dev/null 2>&1; then
		ab -q -l -k -n "$2" -c 8 "$lurl$1" >"$TMP/ab" 2>&1 || { cat "$TMP/ab" >&2; fail "ab failed"; }
	else
		$H load "$l_port" "$1" "$2" 8 >"$TMP/ab"
	fi
	grep -q "^Complete requests: *$2\$" "$TMP/ab" || { cat "$TMP/ab" >&2; fail "not $2 complete"; }
	grep -q '^Failed requests: *0$' "$TMP/ab" || { cat "$TMP/ab" >&2; fail "failed requests"; }
	! grep -q '^Non-2xx responses' "$TMP/ab" || { cat "$TMP/ab" >&2; fail "non-2xx responses"; }
	sed -n 's/^Requests per second: *\([0-9.]*\).*/\1/p' "$TMP/ab"
}
rps=$(load /metrics 10000)
rss1=$(vm_rss "$l_pid")
rps2=$(load /api/v1/snapshot 5000)
rss2=$(vm_rss "$l_pid")
curl -sf "$lurl/metrics" >"$TMP/lm"
ok200=$(metric_value "$TMP/lm" 'healthtap_http_requests_total{code="200"}')
[ "$ok200" -ge 15200 ] || fail "healthtap counted $ok200 answered 200, want >= 15200"
for c in 400 404 405 500 503 other; do
	[ "$(metric_value "$TMP/lm" "healthtap_http_requests_total{code=\"$c\"}")" = 0 ] || fail "code $c counted"
done
echo "VmHWM $(awk '/^VmHWM:/ { print $2 }' /proc/$l_pid/status) kB; VmRSS: ${rss0} kB before, ${rss1} kB after 10000 /metrics, ${rss2} kB after 5000 more /api/v1/snapshot"
if sanitized; then
	echo "RSS bounds not checked: ASan's quarantine keeps freed memory (LSan checks leaks)"
else
	[ $((rss1 - rss0)) -lt 8192 ] || fail "RSS grew $((rss1 - rss0)) kB over 10000 requests"
	[ $((rss2 - rss1)) -lt 4096 ] || fail "RSS grew $((rss2 - rss1)) kB over 5000 more"
fi
alive "$l_pid" "$l_port"
pass "10000 /metrics ($rps req/s) + 5000 /api/v1/snapshot ($rps2 req/s): 0 failed, $ok200 counted 200, VmRSS $rss0 -> $rss1 -> $rss2 kB"
