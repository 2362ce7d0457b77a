#!/bin/sh
# Basic auth (--basic-auth FILE) and TLS (--tls-cert/--tls-key) with a
# self-signed certificate made here by openssl.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need curl

printf 'scraper:s3cret:with:colons\n' >"$TMP/auth"
start_agent au --interval 1s --basic-auth "$TMP/auth"
url="http://127.0.0.1:$au_port"
code() { curl -s -o "$TMP/body" -D "$TMP/h" -w '%{http_code}' "$@"; }
[ "$(code "$url/metrics")" = 401 ] || fail "no credentials: not 401"
grep -qi '^www-authenticate: basic realm="healthtap"' "$TMP/h" || fail "no WWW-Authenticate"
[ "$(code -u scraper:wrong "$url/metrics")" = 401 ] || fail "wrong password: not 401"
[ "$(code -u scrapex:s3cret:with:colons "$url/metrics")" = 401 ] || fail "wrong user: not 401"
[ "$(code -u scraper:s3cret:with:colon "$url/metrics")" = 401 ] || fail "prefix of the password: not 401"
[ "$(code -H 'Authorization: Basic !!!notbase64' "$url/metrics")" = 401 ] || fail "garbage Authorization: not 401"
[ "$(code -u scraper:s3cret:with:colons "$url/api/v1/snapshot")" = 401 ] && fail "right credentials refused"
[ "$(code -u scraper:s3cret:with:colons "$url/metrics")" = 200 ] || fail "right credentials: not 200"
grep -q '^healthtap_memory_total_bytes ' "$TMP/body" || fail "authorized /metrics has no memory_total"
[ "$(code "$url/healthz")" = 200 ] || fail "/healthz needs no auth"
pass "basic auth: 401 + WWW-Authenticate for none/wrong/garbage, 200 for the right pair, /healthz open"

# The scheme is case-insensitive (RFC 7235 2.1); the credentials are exact:
# the right password followed by a NUL and more is another password.
tok=$(printf 'scraper:s3cret:with:colons' | base64 -w0)
[ "$(code -H "Authorization: basic $tok" "$url/metrics")" = 200 ] || fail "scheme 'basic': not 200"
[ "$(code -H "Authorization: BASIC  $tok" "$url/metrics")" = 200 ] || fail "scheme 'BASIC': not 200"
nul=$(printf 'scraper:s3cret:with:colons\000junk' | base64 -w0)
[ "$(code -H "Authorization: Basic $nul" "$url/metrics")" = 401 ] || fail "password + NUL + junk: not 401"
[ "$(code -H "Authorization: Basic ${tok}x" "$url/metrics")" = 401 ] || fail "token + junk: not 401"
[ "$(code -u scraper:s3cret:with:colons "$url/metrics")" = 200 ] || fail "right credentials: not 200"
pass "scheme in any case; password + NUL + junk and token + junk refused"

# Failed logins back off per address: 5 are answered 401, then 429 with
# Retry-After (the right password too) until it has passed; each failure
# is logged, a bounded number of lines.
start_agent bo --interval 1s --basic-auth "$TMP/auth"
burl="http://127.0.0.1:$bo_port"
python3 - "$bo_port" >"$TMP/guesses" <<'PY'
import base64, http.client, sys, time
conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
codes = {}
end = time.monotonic() + 2
i = 0
while time.monotonic() < end:
    tok = base64.b64encode(b"scraper:guess%d" % i).decode()
    conn.request("GET", "/metrics", headers={"Authorization": "Basic " + tok})
    r = conn.getresponse()
    r.read()
    codes[r.status] = codes.get(r.status, 0) + 1
    i += 1
print("%d guesses in 2 s: %d answered 401, %d refused 429" % (i, codes.get(401, 0), codes.get(429, 0)))
# The right password while backing off, sent from here right after a 429
# that leaves at least a second (Retry-After rounds up): a curl started
# from the shell came after the back-off on a busy host.
right = (0, "")
for _ in range(200):
    tok = base64.b64encode(b"scraper:guess%d" % i).decode()
    i += 1
    conn.request("GET", "/metrics", headers={"Authorization": "Basic " + tok})
    r = conn.getresponse()
    r.read()
    if r.status == 429 and int(r.getheader("Retry-After", "0")) >= 2:
        tok = base64.b64encode(b"scraper:s3cret:with:colons").decode()
        conn.request("GET", "/metrics", headers={"Authorization": "Basic " + tok})
        r = conn.getresponse()
        r.read()
        right = (r.status, r.getheader("Retry-After", ""))
        break
    time.sleep(0.05)
print("right %d %s" % right)
PY
cat "$TMP/guesses"
set -- $(head -n 1 "$TMP/guesses")
[ "$6" -le 8 ] || fail "more than 8 guesses were checked in 2 s: $(cat "$TMP/guesses")"
[ "$9" -gt 0 ] || fail "no guess was refused: $(cat "$TMP/guesses")"
set -- $(sed -n 's/^right //p' "$TMP/guesses")
[ "$1" = 429 ] || fail "right password while backing off: not 429 ($(cat "$TMP/guesses"))"
retry=${2:-}
[ -n "$retry" ] && [ "$retry" -ge 1 ] || fail "429 without Retry-After"
sleep $((retry + 1))
[ "$(code -u scraper:s3cret:with:colons "$burl/metrics")" = 200 ] || fail "right password after Retry-After: not 200"
logged=$(grep -c '^healthtap serve: failed basic auth from 127.0.0.1' "$TMP/bo.err" || true)
[ "$logged" -ge 5 ] && [ "$logged" -le 8 ] || fail "$logged failure lines logged: $(cat "$TMP/bo.err")"
grep -q 'failed basic auth from 127.0.0.1 (5 in a row): refused for 1 s' "$TMP/bo.err" || fail "no back-off line"
curl -s -u scraper:s3cret:with:colons "$burl/metrics" >"$TMP/bm"
[ "$(metric_value "$TMP/bm" healthtap_http_auth_refused_total)" -gt 0 ] || fail "auth_refused_total"
[ "$(metric_value "$TMP/bm" healthtap_http_auth_failures_total)" -ge 5 ] || fail "auth_failures_total"
pass "failed logins: $(head -n 1 "$TMP/guesses"); the right one 429 until Retry-After ($retry s), then 200; $logged lines logged"

if ! command -v openssl >/dev/null 2>&1; then
	echo "SKIP (TLS part): openssl is not installed"
	exit 0
fi
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>"$TMP/openssl.err" ||
	fail "openssl: $(cat "$TMP/openssl.err")"
start_agent tls --interval 1s --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
	--basic-auth "$TMP/auth"
grep -q 'listening on https://127.0.0.1:' "$TMP/tls.err" || fail "TLS agent does not say https"
turl="https://127.0.0.1:$tls_port"
[ "$(code --cacert "$TMP/cert.pem" -u scraper:s3cret:with:colons "$turl/metrics")" = 200 ] ||
	fail "HTTPS with the CA: not 200"
grep -q '^healthtap_cpus ' "$TMP/body" || fail "HTTPS body"
[ "$(code --cacert "$TMP/cert.pem" "$turl/metrics")" = 401 ] || fail "HTTPS without credentials: not 401"
c=$(curl -s -o /dev/null -w '%{http_code}' "$turl/healthz" || true)
[ "$c" = 000 ] || fail "an unknown self-signed cert was accepted ($c)"
c=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$tls_port/healthz" || true)
[ "$c" != 200 ] || fail "plain HTTP answered 200 on the TLS port"
[ "$(code --cacert "$TMP/cert.pem" "$turl/healthz")" = 200 ] || fail "agent broken after plain HTTP"
pass "TLS: 200 with the self-signed CA, 401 without auth, refused unverified, plain HTTP not served"

# A key that does not match the certificate: it refuses to start.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=other \
	-keyout "$TMP/key2.pem" -out "$TMP/cert2.pem" 2>/dev/null
expect_exit 1 "$HEALTHTAP" serve --listen 127.0.0.1:0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key2.pem"
expect_exit 1 "$HEALTHTAP" serve --listen 127.0.0.1:0 --tls-cert "$TMP/auth" --tls-key "$TMP/auth"
pass "a mismatched key or a non-PEM file: exit 1"
