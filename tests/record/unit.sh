#!/bin/bash
# scripts/healthtap-record.service and healthtap-serve.service pass
# systemd-analyze verify, with ExecStart pointed at the built binary and
# the man pages from docs/.
. "${top_srcdir:-.}/tests/lib.sh"
command -v systemd-analyze >/dev/null 2>&1 || { echo "SKIP: no systemd-analyze"; exit 77; }
mkdir -p "$TMP/man/man1" "$TMP/unit"
ln -s "$top_srcdir/docs/healthtap-record.1" "$top_srcdir/docs/healthtap-import.1" "$TMP/man/man1/"
sed "s|/usr/bin/healthtap|$HEALTHTAP|" "$top_srcdir/scripts/healthtap-record.service" \
	>"$TMP/unit/healthtap-record.service"
grep -q "^ExecStart=$HEALTHTAP record " "$TMP/unit/healthtap-record.service" || fail "ExecStart not found"
MANPATH="$TMP/man" systemd-analyze verify "$TMP/unit/healthtap-record.service" >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out" >&2; fail "systemd-analyze verify failed"; }
[ ! -s "$TMP/out" ] || { cat "$TMP/out" >&2; fail "systemd-analyze verify warned"; }
for k in ProtectSystem=strict StateDirectory=healthtap NoNewPrivileges=yes PrivateTmp=yes KillSignal=SIGTERM; do
	grep -q "^$k\$" "$TMP/unit/healthtap-record.service" || fail "unit lacks $k"
done
pass "systemd-analyze verify accepts the unit"

# scripts/healthtap-serve.service (the Debian package's serve unit): the
# same check; it runs as the healthtap user with no capabilities.
ln -s "$top_srcdir/docs/healthtap-serve.1" "$TMP/man/man1/"
sed "s|/usr/bin/healthtap|$HEALTHTAP|" "$top_srcdir/scripts/healthtap-serve.service" \
	>"$TMP/unit/healthtap-serve.service"
grep -q "^ExecStart=$HEALTHTAP serve --listen 127.0.0.1:9464$" "$TMP/unit/healthtap-serve.service" ||
	fail "serve ExecStart not found"
MANPATH="$TMP/man" systemd-analyze verify "$TMP/unit/healthtap-serve.service" >"$TMP/out" 2>&1 ||
	{ cat "$TMP/out" >&2; fail "systemd-analyze verify failed (serve)"; }
[ ! -s "$TMP/out" ] || { cat "$TMP/out" >&2; fail "systemd-analyze verify warned (serve)"; }
for k in User=healthtap ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes CapabilityBoundingSet=; do
	grep -q "^$k\$" "$TMP/unit/healthtap-serve.service" || fail "serve unit lacks $k"
done
pass "systemd-analyze verify accepts the serve unit"
