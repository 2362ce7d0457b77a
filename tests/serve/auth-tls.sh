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
