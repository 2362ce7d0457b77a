#!/bin/bash
# Restart appends to the same history with the outage as a gap (never
# interpolated), a process keeps its identity (pid, start time, boot id)
# across runs; a second recorder on the same DB refuses; SIGTERM flushes and
# exits 0; SIGHUP reopens and recording goes on.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"

DB="$TMP/h.db"
sleep 60 &
sleeper=$!
trap 'kill $sleeper $rec 2>/dev/null || true; rm -rf "$TMP"' EXIT
rec=

# usage errors exit 2 and name the problem
expect_exit 2 "$HEALTHTAP" record -d "$DB" --stap maybe
grep -q -- "--stap takes auto, on or off, not 'maybe'" "$TMP/err" || fail "--stap message"
expect_exit 2 "$HEALTHTAP" record -d "$DB" --downsample 1d
expect_exit 2 "$HEALTHTAP" record -d "$DB" -i 0
expect_exit 2 "$HEALTHTAP" record -d "$DB" --max-size 5X
[ ! -e "$DB" ] || fail "a usage error created the DB"

# run 1: stops by itself
expect_exit 0 "$HEALTHTAP" record -d "$DB" -i 200ms --for 1s --stap off
grep -q -- "--for elapsed after" "$TMP/err" || fail "no stop message: $(cat "$TMP/err")"
sleep 1
# run 2: a second recorder refuses while it runs; SIGHUP reopens; SIGTERM stops
"$HEALTHTAP" record -d "$DB" -i 200ms --stap off 2>"$TMP/rec.err" &
rec=$!
wait_for 10 count_gt "$DB" "SELECT count(*) FROM sessions WHERE id = 2 AND last_ms IS NOT NULL" 0 ||
	fail "run 2 wrote nothing"
expect_exit 1 "$HEALTHTAP" record -d "$DB" -i 200ms --for 1s --stap off
grep -q "database $DB is in use by another recorder (pid $rec," "$TMP/err" ||
	fail "second recorder message: $(cat "$TMP/err")"
[ "$(sql "$DB" "SELECT count(*) FROM sessions")" -eq 2 ] || fail "the refused recorder started a session"
kill -HUP $rec
wait_for 5 grep -q "reopened $DB" "$TMP/rec.err" || fail "no reopen on SIGHUP: $(cat "$TMP/rec.err")"
hup_ms=$(now_ms)
wait_for 5 count_gt "$DB" "SELECT count(*) FROM sessions WHERE id = 2 AND last_ms > $hup_ms" 0 ||
	fail "no samples after SIGHUP"
kill -TERM $rec
rc=0; wait $rec || rc=$?
rec=
[ "$rc" -eq 0 ] || fail "SIGTERM exit status $rc: $(cat "$TMP/rec.err")"
[ "$(sql "$DB" "SELECT end_reason FROM sessions WHERE id = 2")" = "stopped by SIGTERM" ] ||
	fail "session 2 end: $(sql "$DB" "SELECT * FROM sessions WHERE id = 2")"

# the outage between the runs is one gap, from run 1's last sample to run 2's start
g=$(sql "$DB" "SELECT g.start_ms = s1.last_ms AND g.end_ms = s2.start_ms AND g.reason = 'recorder not running'
	FROM gaps g, sessions s1, sessions s2 WHERE s1.id = 1 AND s2.id = 2")
[ "$g" = 1 ] || fail "gap: $(sql "$DB" "SELECT * FROM gaps"), sessions: $(sql "$DB" "SELECT * FROM sessions")"
[ "$(sql "$DB" "SELECT count(*) FROM gaps g JOIN proc_samples p ON p.t_ms > g.start_ms AND p.t_ms < g.end_ms")" = 0 ] ||
	fail "samples inside the gap"
# the sleeper is one process across both runs, with samples in both
n=$(sql "$DB" "SELECT count(*) FROM procs WHERE pid = $sleeper")
[ "$n" = 1 ] || fail "sleeper $sleeper has $n process rows, want 1"
both=$(sql "$DB" "SELECT count(DISTINCT s.id) FROM proc_samples p, procs r, sessions s
	WHERE r.pid = $sleeper AND p.proc_id = r.id AND p.t_ms BETWEEN s.start_ms AND s.last_ms")
[ "$both" = 2 ] || fail "sleeper sampled in $both sessions, want 2"
boot=$(sql "$DB" "SELECT b.boot_id FROM procs r JOIN boots b ON b.id = r.boot WHERE r.pid = $sleeper")
[ "$boot" = "$(cat /proc/sys/kernel/random/boot_id)" ] || fail "boot id $boot"
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
pass "restart appends after a gap; second recorder refused; SIGHUP reopens; SIGTERM flushes"
