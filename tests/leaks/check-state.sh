#!/bin/bash
# healthtap check / check_leak keep their history between runs (the
# monitoring-plugins state convention, check_leak(1)): runs of a second
# each against a slow leaker add up to a verdict no single run can give;
# the state survives a kill -9 mid-write; a file of another format is no
# state; two users never share one.
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"
need_cmd() { command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 is not installed"; exit 77; }; }
need_cmd sqlite3

mkdir -p "$MP_STATE_PATH"
chmod 1777 "$MP_STATE_PATH"
ln -s "$HEALTHTAP" "$TMP/check_leak"
start_leaker slow slow 16384		# 16 KiB/s: 4 pages a second
sleep 2
# 10 MiB: ~4.5 MiB of room, about 0.08 h at 16 KiB/s
args="-p $slow -m 10 -w 1 -c 0.01 --min-age 1s --warmup 0 --window 1s"
# history_s FILE: the seconds of history a status line says it judged
history_s() {
	sed -n 's/.* \([0-9.]*\) \([a-z]*\) of history.*/\1 \2/p' "$1" |
		awk '{ m = $2 == "min" ? 60 : $2 == "h" ? 3600 : 1; printf "%d\n", $1 * m }'
}
state_file() { ls "$MP_STATE_PATH/$(id -u)/check_leak/"*.db; }

# one run alone, without history: a second of a slow leak is no verdict
expect_exit 0 "$HEALTHTAP" check $args --no-state
grep -Eq "^LEAK OK - pid $slow \(leaker\): inconclusive .*no history kept, too short to tell a slow leak \|" "$TMP/out" ||
	fail "one run without state: $(cat "$TMP/out")"
[ ! -d "$MP_STATE_PATH/$(id -u)" ] || fail "--no-state wrote a state"
pass "--no-state: one second of a slow leak is inconclusive, and says it is too short"

# 12 runs, one every 3 s: the history adds up to a WARNING
for i in $(seq 12); do
	rc=0
	"$TMP/check_leak" $args >"$TMP/run$i" 2>>"$TMP/err" || rc=$?
	echo "run $i (exit $rc): $(cat "$TMP/run$i")"
	[ "$rc" -le 2 ] || fail "run $i UNKNOWN: $(cat "$TMP/run$i" "$TMP/err")"
	sleep 2
done
grep -Eq "^LEAK OK - .*inconclusive.*[0-9.]+ s of history \(kept between runs\), too short" "$TMP/run1" ||
	fail "the first run: $(cat "$TMP/run1")"
grep -Eq "^LEAK WARNING - pid $slow \(leaker\) leaking 1[4-8]\.[0-9] KiB/s .* [0-9.]+ [a-z]+ of history \(kept between runs\) \|" "$TMP/run12" ||
	fail "the 12th run: $(cat "$TMP/run12")"
span=$(history_s "$TMP/run12")
[ "$span" -ge 25 ] || fail "12 runs kept only $span s"
pass "12 runs of check_leak, a second each: WARNING from $span s of kept history"

# kill -9 mid-write: the history committed before stays, and reads
db=$(state_file)
"$HEALTHTAP" check $args --window 3s >/dev/null 2>&1 &
victim=$!
sleep 1.5
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
[ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || fail "state DB damaged by kill -9"
expect_exit 1 "$HEALTHTAP" check $args
span2=$(history_s "$TMP/out")
[ "$span2" -gt "$span" ] || fail "history after kill -9: $(cat "$TMP/out")"
pass "kill -9 mid-write: the state is intact, $span2 s of history after"

# another format (check_leak's data file, garbage): no state, replaced
printf 'pid=1 rss=123\ncheck_leak data\n' >"$db"
rm -f "$db-wal" "$db-shm"
expect_exit 0 "$HEALTHTAP" check $args
grep -Eq "[0-9.]+ s of history \(kept between runs\), too short" "$TMP/out" ||
	fail "a state of another format: $(cat "$TMP/out")"
[ "$(sqlite3 "$db" "SELECT count(*) FROM sessions")" = 1 ] || fail "the state was not started anew"
pass "a state file of another format is no state, and is replaced"

# two users: each its own directory, by effective uid. The probe runs it
# through env as the test does: setpriv's own exec reaches a binary in a
# checkout nobody may enter (mktemp -d, 0700), env's does not.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	chmod o+x "$TMP" && setpriv --reuid=65534 --regid=65534 --clear-groups env "$HEALTHTAP" --help >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups env MP_STATE_PATH="$MP_STATE_PATH" \
		"$HEALTHTAP" check $args >"$TMP/nobody" 2>&1 || true
	cat "$TMP/nobody"
	grep -Eq "[0-9.]+ s of history \(kept between runs\)" "$TMP/nobody" || fail "nobody's first run: $(cat "$TMP/nobody")"
	ls "$MP_STATE_PATH/65534/check_leak/"*.db >/dev/null || fail "no state for uid 65534"
	[ "$(stat -c %a "$MP_STATE_PATH/65534")" = 700 ] || fail "uid 65534's state dir is not 0700"
	[ "$(stat -c %u "$(ls "$MP_STATE_PATH/65534/check_leak/"*.db)")" = 65534 ] || fail "owner"
	pass "two users: uid 0 and uid 65534 each keep their own state (0700)"

	# while a recorder writes the default DB (uid 65534's, under
	# XDG_STATE_HOME), the check reads that instead of sampling
	mkdir -m 1777 "$TMP/xdg"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups \
		env XDG_STATE_HOME="$TMP/xdg" MP_STATE_PATH="$MP_STATE_PATH" "$@"; }
	as_nobody "$HEALTHTAP" record -i 300ms --for 30s --stap off -q &
	rec=$!
	LEAKER_PIDS="$LEAKER_PIDS $rec"
	# until the recorder has stored the leaker (a busy machine: bounded)
	for i in $(seq 40); do
		as_nobody "$HEALTHTAP" check -p "$slow" -m 10 -w 1 -c 0.01 >"$TMP/rec" 2>&1 || true
		grep -q "of history (the recorder's DB)" "$TMP/rec" && break
		sleep 0.5
	done
	cat "$TMP/rec"
	grep -Eq "of history \(the recorder's DB\)" "$TMP/rec" || fail "with a recorder: $(cat "$TMP/rec")"
	kill "$rec"
	pass "while a recorder writes the default DB, check judges that"
else
	echo "skipped: a second user (needs root, setpriv, and $HEALTHTAP runnable by nobody)"
fi
