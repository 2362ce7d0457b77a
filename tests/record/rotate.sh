#!/bin/bash
# Rotation and failed reopens (SIGHUP). mv DB DB.old + HUP: the old file's
# session is closed, the new file gets a whole session (host, boot, every
# series and process declared again, no sample pointing at a series or
# process that does not exist there). A reopen that fails (a DB of a newer
# schema, a directory, a file that is not a DB, a garbage WAL) keeps
# writing the old file under its new name, says why and retries with
# back-off until the path works; nothing queued is lost, no crash.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"

DB="$TMP/h.db"
sleep 300 &
sleeper=$!
rec=
trap 'kill $sleeper 2>/dev/null; [ -z "$rec" ] || kill -9 $rec 2>/dev/null; rm -rf "$TMP"' EXIT

# orphans DB: sys_samples and proc_samples whose series or process is missing
orphans() {
	sql "$1" "SELECT (SELECT count(*) FROM sys_samples WHERE series_id NOT IN (SELECT id FROM series))
		+ (SELECT count(*) FROM proc_samples WHERE proc_id NOT IN (SELECT id FROM procs))"
}
# last_ms DB: the latest session's last sample
last_ms() { sql "$1" "SELECT coalesce(max(last_ms), 0) FROM sessions"; }
advanced() { [ "$(last_ms "$1")" -gt "$2" ]; }
# said PATTERN N: the recorder said PATTERN more than N times
said() { [ "$(grep -c "$1" "$TMP/rec.err")" -gt "$2" ]; }
check_db() {
	[ "$(sql "$1" "PRAGMA integrity_check")" = ok ] || fail "$1: integrity_check"
	[ "$(orphans "$1")" = 0 ] || fail "$1: $(orphans "$1") samples of missing series or processes"
}

"$HEALTHTAP" record -d "$DB" -i 200ms --stap off 2>"$TMP/rec.err" &
rec=$!
wait_for 20 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms IS NOT NULL" 0 ||
	fail "nothing recorded: $(cat "$TMP/rec.err")"
nseries=$(sql "$DB" "SELECT count(*) FROM series")

# 1. rotation: a whole session in the new file
mv "$DB" "$DB.1"
kill -HUP $rec
wait_for 20 grep -q "reopened $DB: a new file, in a new session" "$TMP/rec.err" ||
	fail "no reopen into a new file: $(cat "$TMP/rec.err")"
wait_for 20 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms IS NOT NULL" 0 ||
	fail "the new file holds no session with samples"
wait_for 20 count_gt "$DB" "SELECT count(*) FROM procs WHERE pid = $sleeper AND cmdline LIKE 'sleep 300%'" 0 ||
	fail "sleeper $sleeper not declared (with its command line) in the new file"
[ "$(sql "$DB" "SELECT count(*) FROM hosts")" = 1 ] || fail "new file: hosts"
[ "$(sql "$DB" "SELECT count(*) FROM boots")" = 1 ] || fail "new file: boots"
wait_for 20 count_gt "$DB" "SELECT count(*) FROM series" $((nseries - 1)) ||
	fail "new file: $(sql "$DB" "SELECT count(*) FROM series") series, the old had $nseries"
[ "$(sql "$DB.1" "SELECT end_reason FROM sessions WHERE id = 1")" = \
	"rotated: SIGHUP and the path names another file" ] ||
	fail "old session not closed: $(sql "$DB.1" "SELECT * FROM sessions")"
[ "$(sql "$DB.1" "SELECT count(*) FROM procs WHERE end_ms IS NULL")" = 0 ] ||
	fail "old file keeps open processes"
check_db "$DB"
check_db "$DB.1"
"$HEALTHTAP" leaks -d "$DB" >"$TMP/leaks.out" 2>"$TMP/leaks.err" || true
! grep -q "holds no samples" "$TMP/leaks.err" || fail "leaks -d on the new file: $(cat "$TMP/leaks.err")"

# 2. failed reopens: the old file goes on, then the path is fixed
fail_reopen() {	# what: a description; setup: shell text making $DB bad; fix: making it good
	local what=$1 setup=$2 fix=$3 before n
	mv "$DB" "$DB.2"
	eval "$setup"
	n=$(grep -c "cannot reopen $DB" "$TMP/rec.err" || true)
	kill -HUP $rec
	wait_for 20 said "cannot reopen $DB" "$n" ||
		fail "$what: no error: $(tail -3 "$TMP/rec.err")"
	grep "cannot reopen $DB" "$TMP/rec.err" | tail -1 | grep -q "still writing $DB.2; retrying in" ||
		fail "$what: message: $(grep "cannot reopen" "$TMP/rec.err" | tail -1)"
	before=$(last_ms "$DB.2")
	wait_for 20 advanced "$DB.2" "$before" || fail "$what: the old file stopped being written"
	kill -0 $rec || fail "$what: the recorder died: $(tail -3 "$TMP/rec.err")"
	n=$(grep -c "reopened $DB: a new file" "$TMP/rec.err")
	eval "$fix"
	# retried with back-off: 1 s, 2 s, 4 s...
	wait_for 40 said "reopened $DB: a new file" "$n" ||
		fail "$what: not retried: $(tail -3 "$TMP/rec.err")"
	wait_for 20 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms IS NOT NULL" 0 ||
		fail "$what: no samples in the new file"
	check_db "$DB"
	check_db "$DB.2"
	rm -f "$DB.2" "$DB.2-wal" "$DB.2-shm"
	pass "$what: old file kept, error said, retried into the new file"
}
fail_reopen "a newer schema" \
	'sqlite3 "$DB" "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES (\"schema_version\", \"99\")"' \
	'grep -q "newer than this healthtap" "$TMP/rec.err" || fail "schema message"; rm -f "$DB"'
fail_reopen "a directory" 'mkdir "$DB"' 'rmdir "$DB"'
fail_reopen "not a database" 'head -c 8192 /dev/urandom >"$DB"' 'rm -f "$DB"'
# a DB moved into place with a garbage WAL: it opens (SQLite ignores a WAL
# whose header is bad), and the old file, whose WAL it was, loses nothing
sqlite3 "$TMP/other.db" "PRAGMA journal_mode=WAL; CREATE TABLE x(y)" >/dev/null
head -c 65536 /dev/urandom >"$TMP/garbage"
mv "$DB" "$DB.3"
mv "$TMP/other.db" "$DB"
mv "$TMP/garbage" "$DB-wal"
kill -HUP $rec
wait_for 20 said "reopened $DB: a new file" 4 ||
	fail "garbage WAL: $(tail -3 "$TMP/rec.err")"
wait_for 20 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms IS NOT NULL" 0 ||
	fail "garbage WAL: no samples"
check_db "$DB"
check_db "$DB.3"

# a HUP with nothing moved changes nothing
session=$(sql "$DB" "SELECT max(id) FROM sessions")
kill -HUP $rec
wait_for 20 grep -q "reopened $DB: still the same file" "$TMP/rec.err" || fail "same-file HUP"
kill -TERM $rec
rc=0; wait $rec || rc=$?
rec=
[ "$rc" -eq 0 ] || fail "exit status $rc: $(tail -5 "$TMP/rec.err")"
! grep -q "operations lost\|Segmentation\|misuse" "$TMP/rec.err" || fail "$(cat "$TMP/rec.err")"
[ "$(sql "$DB" "SELECT max(id) FROM sessions")" = "$session" ] || fail "same-file HUP began a session"
[ "$(sql "$DB" "SELECT end_reason FROM sessions WHERE id = $session")" = "stopped by SIGTERM" ] ||
	fail "last session: $(sql "$DB" "SELECT * FROM sessions")"
check_db "$DB"
check_db "$DB.1"
pass "rotation starts a whole session in the new file; failed reopens keep the old file and retry"
