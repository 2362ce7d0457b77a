#!/bin/bash
# A stall (SIGSTOP, then SIGCONT 3 s later, at 200 ms samples) leaves a
# gap row over the hole, so change-only rows are not read as values held
# through it; no sample lies inside the gap. Usage errors of record's
# options: an empty -d, a --root without /proc, an interval too long.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"

DB="$TMP/h.db"
rec=
trap '[ -z "$rec" ] || kill -9 $rec 2>/dev/null; rm -rf "$TMP"' EXIT

(cd "$TMP" && expect_exit 2 "$HEALTHTAP" record -d "" --for 1s --stap off)
grep -q -- "-d takes a file name" "$TMP/err" || fail "-d '': $(cat "$TMP/err")"
[ -z "$(ls -A "$TMP" | grep -v '^out$\|^err$')" ] || fail "-d '' left $(ls "$TMP")"
expect_exit 2 "$HEALTHTAP" record -d "$DB" --root /nonexistent --for 1s --stap off
grep -q -- "--root /nonexistent: cannot read /nonexistent/proc/stat" "$TMP/err" || fail "--root: $(cat "$TMP/err")"
expect_exit 2 "$HEALTHTAP" record -d "$DB" -i 99999999999h --for 1s --stap off
grep -q -- "bad -i '99999999999h': want a duration from 10ms to 1d" "$TMP/err" || fail "-i: $(cat "$TMP/err")"
expect_exit 2 "$HEALTHTAP" record -d "$DB" --for 99999999999h --stap off
[ ! -e "$DB" ] || fail "a usage error created the DB"
pass "record's usage errors exit 2 and create nothing"

"$HEALTHTAP" record -d "$DB" -i 200ms --stap off 2>"$TMP/rec.err" &
rec=$!
wait_for 20 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms IS NOT NULL" 0 ||
	fail "nothing recorded: $(cat "$TMP/rec.err")"
kill -STOP $rec
stop_ms=$(now_ms)
sleep 3
kill -CONT $rec
cont_ms=$(now_ms)
wait_for 20 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms > $cont_ms" 0 ||
	fail "no samples after SIGCONT"
kill -TERM $rec
rc=0; wait $rec || rc=$?
rec=
[ "$rc" -eq 0 ] || fail "exit status $rc: $(cat "$TMP/rec.err")"
g=$(sql "$DB" "SELECT count(*) FROM gaps WHERE reason LIKE 'recorder stalled: % samples missed%'
	AND start_ms <= $stop_ms AND end_ms >= $cont_ms - 500")
[ "$g" -ge 1 ] || fail "no gap over the stall ($stop_ms..$cont_ms): $(sql "$DB" "SELECT * FROM gaps")"
inside=$(sql "$DB" "SELECT count(*) FROM gaps g JOIN sys_samples s ON s.t_ms > g.start_ms AND s.t_ms < g.end_ms
	WHERE g.reason LIKE 'recorder stalled%'")
[ "$inside" = 0 ] || fail "$inside samples inside a stall gap"
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
pass "a stall is a gap"
