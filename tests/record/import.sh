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

# labels as long as a line allows (over 510 bytes) are a good line
long=$(head -c 900 /dev/zero | tr '\0' x)
printf '#healthtap v=1 runtime=kernel start_ms=%s interval_ms=1000\n1000 sched switches 7 comm=%s\n' \
	"$START" "$long" >"$TMP/long.txt"
expect_exit 0 "$HEALTHTAP" import -d "$TMP/long.db" --host long "$TMP/long.txt"
[ "$(sql "$TMP/long.db" "SELECT length(labels) FROM series WHERE name = 'probe.sched.switches'")" = 905 ] ||
	fail "long labels: $(cat "$TMP/err")"

# a pipe, standard input and a FIFO are read once: every record imported
n_file=$(sed -n 's/^imported \([0-9]*\) records.*/\1/p' "$TMP/out")
cat "$S" | expect_exit 1 "$HEALTHTAP" import -d "$TMP/pipe.db" --host p1 /dev/stdin
grep -q "^imported 5 records from /dev/stdin" "$TMP/out" || fail "/dev/stdin: $(cat "$TMP/out" "$TMP/err")"
expect_exit 0 "$HEALTHTAP" import -d "$TMP/pipe.db" --host p2 - <"$TMP/clean.txt"
grep -q "^imported 1 records from -" "$TMP/out" || fail "-: $(cat "$TMP/out" "$TMP/err")"
mkfifo "$TMP/fifo"
cat "$TMP/clean.txt" >"$TMP/fifo" &
expect_exit 0 timeout 60 "$HEALTHTAP" import -d "$TMP/pipe.db" --host p3 "$TMP/fifo"
grep -q "^imported 1 records from $TMP/fifo" "$TMP/out" || fail "FIFO: $(cat "$TMP/out" "$TMP/err")"
[ "$(sql "$TMP/pipe.db" "SELECT count(*) FROM sys_samples")" -ge 6 ] || fail "pipe imports stored nothing"

# times: backwards, more than 10 years in, INT64_MAX, a wall start in the future
cat >"$TMP/times.txt" <<EOT
#healthtap v=1 runtime=kernel start_ms=$START interval_ms=1000
1000 sched switches 10
3000 sched switches 30
2000 sched switches 20
9223372036854775807 sched switches 99
400000000000 sched switches 98
4000 sched switches 40
EOT
expect_exit 1 "$HEALTHTAP" import -d "$TMP/times.db" --host t "$TMP/times.txt"
grep -q "times.txt:4: t_ms 2000 goes back in time (after 3000)" "$TMP/err" || fail "backwards: $(cat "$TMP/err")"
grep -q "times.txt:5: bad timestamp\|times.txt:5: t_ms 9223372036854775807 is more than 10 years" "$TMP/err" ||
	fail "INT64_MAX: $(cat "$TMP/err")"
grep -q "times.txt:6: t_ms 400000000000 is more than 10 years into the stream" "$TMP/err" ||
	fail "huge: $(cat "$TMP/err")"
got=$(sql "$TMP/times.db" "SELECT group_concat(t_ms - $START, ' ') FROM sys_samples ORDER BY t_ms")
[ "$got" = "1000 3000 4000" ] || fail "stored times: '$got'"
sed "s/start_ms=$START/start_ms=9223372036854775807/" "$TMP/clean.txt" >"$TMP/future.txt"
expect_exit 1 "$HEALTHTAP" import -d "$TMP/times.db" --host f "$TMP/future.txt"
grep -q "the header's start_ms 9223372036854775807 is in the future" "$TMP/err" || fail "future start: $(cat "$TMP/err")"
expect_exit 2 "$HEALTHTAP" import -d "$TMP/times.db" --start 9223372036854775807 "$TMP/clean.txt"

# one stream per import: a second header stops it there, the first's interval stays
{ cat "$TMP/clean.txt"; echo "#healthtap v=1 runtime=bpf start_ms=5 interval_ms=-1"; echo "10 sched switches 1"; } \
	>"$TMP/two.txt"
expect_exit 1 "$HEALTHTAP" import -d "$TMP/two.db" --host two "$TMP/two.txt"
grep -q "two.txt:3: a second stream header: one stream per import" "$TMP/err" || fail "second header: $(cat "$TMP/err")"
[ "$(sql "$TMP/two.db" "SELECT interval_ms FROM sessions")" = 1000 ] || fail "interval: $(sql "$TMP/two.db" "SELECT * FROM sessions")"
[ "$(sql "$TMP/two.db" "SELECT count(*) FROM sys_samples")" = 1 ] || fail "records after the second header stored"
pass "import: long labels, pipes and FIFOs, bad times, one stream per file"
