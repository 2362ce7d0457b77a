#!/bin/bash
# Default DB paths and the --stap auto decision, as an ordinary user:
# $XDG_STATE_HOME/healthtap/healthtap.db, else ~/.local/state/...; auto
# falls back to /proc only and says why; --stap on refuses (exit 1).
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root to run as nobody"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: no setpriv"; exit 77; }
id nobody >/dev/null 2>&1 || { echo "SKIP: no user nobody"; exit 77; }
chmod 755 "$TMP"
mkdir -m 777 "$TMP/u"
# a copy nobody can reach: the build tree may sit in a private dir (mktemp -d)
cp "$HEALTHTAP" "$TMP/healthtap"
HEALTHTAP="$TMP/healthtap"
setpriv --reuid=nobody --regid=nogroup --clear-groups test -x "$HEALTHTAP" ||
	{ echo "SKIP: nobody cannot run $HEALTHTAP"; exit 77; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups env -u HEALTHTAP_STAP_CMD "$@"; }

expect_exit 0 as_nobody HOME="$TMP/u/home" XDG_STATE_HOME="$TMP/u/xdg" "$HEALTHTAP" record -i 200ms --for 1s
grep -q "recording to $TMP/u/xdg/healthtap/healthtap.db every" "$TMP/err" || fail "XDG path: $(cat "$TMP/err")"
grep -q "stap: off (not root: stap needs root to load probes); recording /proc only" "$TMP/err" ||
	command -v stap >/dev/null || grep -q "stap: off (stap is not installed" "$TMP/err" ||
	fail "auto decision: $(cat "$TMP/err")"
[ "$(sql "$TMP/u/xdg/healthtap/healthtap.db" "SELECT count(*) FROM procs WHERE pid = $$")" = 1 ] ||
	fail "this shell ($$) not recorded"
[ "$(stat -c %U "$TMP/u/xdg/healthtap/healthtap.db")" = nobody ] || fail "DB not owned by the user"

mkdir -m 777 "$TMP/u/home"
expect_exit 0 as_nobody HOME="$TMP/u/home" XDG_STATE_HOME= "$HEALTHTAP" record -q -i 200ms --for 500ms
[ -s "$TMP/u/home/.local/state/healthtap/healthtap.db" ] || fail "no DB under ~/.local/state"
[ "$(sql "$TMP/u/home/.local/state/healthtap/healthtap.db" "PRAGMA integrity_check")" = ok ] || fail integrity

expect_exit 1 as_nobody HOME="$TMP/u/home" "$HEALTHTAP" record --stap on --for 1s
grep -q "record: --stap on, but stap cannot run here: " "$TMP/err" || fail "--stap on: $(cat "$TMP/err")"
pass "default DB paths for a user; --stap auto falls back with the reason, --stap on refuses"
