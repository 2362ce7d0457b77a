#!/bin/bash
# scripts/healthtap-record.service passes systemd-analyze verify, with
# ExecStart pointed at the built binary and the man pages from docs/.
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
