#!/bin/sh
# Hostile input against healthtap serve, all on 127.0.0.1: malformed HTTP
# over raw sockets, stalled and trickled partial requests, the connection
# limits, and 10,000 requests from a load generator (ab, else a bounded
# python3 loop) with no error and bounded memory.
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
python3 -c "import sys; sys.exit(not (1.5 <= $worst <= 6))" || fail "stalled requests closed after $worst s, want ~2"
alive "$s_pid" "$s_port"
pass "3 stalled partial requests closed after ${worst} s (--timeout 2s); others served meanwhile"

# ---- trickled requests: bounded by the per-address limit (half of 8)
$H trickle "$s_port" 4 4 >"$TMP/trickle" &
trickle=$!
sleep 1
$H refused "$s_port" >"$TMP/refused"
grep -q '^closed' "$TMP/refused" || fail "a 5th connection from 127.0.0.1 was not refused: $(cat "$TMP/refused")"
c=$(curl -s -m 5 -o /dev/null -w '%{http_code}' --interface 127.0.0.2 "http://127.0.0.1:$s_port/healthz" || true)
[ "$c" = 200 ] || fail "127.0.0.2 not served while 127.0.0.1 is at its limit ($c)"
wait "$trickle"
[ "$(cat "$TMP/trickle")" = 4 ] || fail "trickled connections dropped early: $(cat "$TMP/trickle") kept"
$H refused "$s_port" >"$TMP/refused2"
grep -q '^answered .* 200 OK' "$TMP/refused2" || fail "127.0.0.1 not served after the trickle: $(cat "$TMP/refused2")"
alive "$s_pid" "$s_port"
pass "4 trickling connections held; a 5th from 127.0.0.1 closed at once, 127.0.0.2 served, then 127.0.0.1 again"

# ---- the global connection limit, the per-address one off: past it a
# connection waits in the kernel's listen queue, unread, until a slot frees
start_agent g --interval 1s --timeout 3s --max-connections 4 --max-per-ip 0
$H trickle "$g_port" 4 6 >"$TMP/gtrickle" &
trickle=$!
sleep 1
$H refused "$g_port" >"$TMP/grefused"
grep -q '^hung' "$TMP/grefused" || fail "a 5th connection over --max-connections 4 was served: $(cat "$TMP/grefused")"
wait "$trickle"
[ "$(cat "$TMP/gtrickle")" = 4 ] || fail "trickled connections dropped early: $(cat "$TMP/gtrickle") kept"
wait_for curl -sf "http://127.0.0.1:$g_port/healthz" || fail "not served again after the trickle"
alive "$g_pid" "$g_port"
pass "--max-connections 4: 4 held; a 5th not read for 3 s while they are; served once they left"

# ---- 10,000 requests, no error, bounded memory. The agent samples the
# fixture tree, so its own memory depends on the requests alone, not on how
# many processes the machine runs meanwhile.
start_agent l --interval 1s --root "$top_srcdir/tests/serve/fixtures/host"
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
[ $((rss1 - rss0)) -lt 8192 ] || fail "RSS grew $((rss1 - rss0)) kB over 10000 requests"
[ $((rss2 - rss1)) -lt 4096 ] || fail "RSS grew $((rss2 - rss1)) kB over 5000 more"
alive "$l_pid" "$l_port"
pass "10000 /metrics ($rps req/s) + 5000 /api/v1/snapshot ($rps2 req/s): 0 failed, $ok200 counted 200, VmRSS $rss0 -> $rss1 -> $rss2 kB"
