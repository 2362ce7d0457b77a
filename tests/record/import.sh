#!/bin/bash
# import: a saved stream with garbage lines. Each bad line is reported with
# its number, the good records land in the DB at the stream's wall time, and
# the exit status says lines were skipped.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"

DB="$TMP/h.db"
S="$TMP/stream.txt"
START=1795000000000
cat >"$S" <<EOT
#healthtap v=1 runtime=kernel start_ms=$START interval_ms=1000
1000 sched switches 1500
this is not a record
1000 sched switches 700 cpu=0
1000 sched batch 1
1000 sched nosuch 5
2000 sched switches 1800
abc sched switches 1
2000 sched switches 900 cpu=0
2000 sched wakeups 12x
2000 sched batch 2
EOT
printf '3000 sched switches 2100\n3000 sched batch 3\n\0garbage\n' >>"$S"
expect_exit 1 "$HEALTHTAP" import -d "$DB" --host far "$S"
cat "$TMP/err"
for line in 3 6 8 10 14; do
	grep -q "^healthtap import: $S:$line: " "$TMP/err" || fail "line $line not reported"
done
[ "$(grep -c "^healthtap import: $S:" "$TMP/err")" -eq 5 ] || fail "wrong bad-line count"
grep -q "imported 5 records from $S into $DB (host far), 5 bad lines skipped" "$TMP/out" ||
	fail "summary: $(cat "$TMP/out")"
got=$(sql "$DB" "SELECT group_concat((x.t_ms - $START) || ':' || CAST(x.v AS INTEGER), ' ') FROM series s
	JOIN sys_samples x ON x.series_id = s.id JOIN hosts h ON h.id = s.host_id
	WHERE h.name = 'far' AND s.name = 'probe.sched.switches' AND s.labels = '' ORDER BY x.t_ms")
[ "$got" = "1000:1500 2000:1800 3000:2100" ] || fail "total switches: '$got'"
got=$(sql "$DB" "SELECT group_concat(CAST(x.v AS INTEGER), ' ') FROM series s JOIN sys_samples x
	ON x.series_id = s.id WHERE s.name = 'probe.sched.switches' AND s.labels = 'cpu=0'")
[ "$got" = "700 900" ] || fail "cpu=0 switches: '$got'"
[ "$(sql "$DB" "SELECT count(*) FROM series WHERE name = 'probe.sched.wakeups'")" = 0 ] ||
	fail "a bad line was stored"
[ "$(sql "$DB" "SELECT kind || ' ' || start_ms || ' ' || last_ms FROM sessions")" = "import $START $((START + 3000))" ] ||
	fail "session: $(sql "$DB" "SELECT * FROM sessions")"
# a clean stream imports with status 0; a missing file is an error
head -n 2 "$S" >"$TMP/clean.txt"
expect_exit 0 "$HEALTHTAP" import -q -d "$DB" "$TMP/clean.txt"
expect_exit 1 "$HEALTHTAP" import -d "$DB" "$TMP/nope.txt"
grep -q "cannot open $TMP/nope.txt: No such file" "$TMP/err" || fail "missing file message"
expect_exit 2 "$HEALTHTAP" import -d "$DB"
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
pass "import reports bad lines by number and keeps the good ones"
