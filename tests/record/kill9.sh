#!/bin/bash
# kill -9 at random moments while the recorder writes: every round the DB
# passes PRAGMA integrity_check, keeps every sample committed before, loses
# at most the interval in flight, and the next run appends after a gap.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"

DB="$TMP/h.db"
ROUNDS=${HT_KILL_ROUNDS:-20}
INTERVAL_MS=200
prev_rows=0 prev_last=0 killed=0
for round in $(seq 1 "$ROUNDS"); do
	"$HEALTHTAP" record -q -d "$DB" -i ${INTERVAL_MS}ms --stap off 2>"$TMP/err.$round" &
	pid=$!
	# the first sample lands once the DB is open; then kill at a random
	# moment 0.3-1.5 s later (several flushes of ~100-200 rows each)
	wait_for 10 count_gt "$DB" "SELECT count(*) FROM sessions WHERE id = $round AND last_ms IS NOT NULL" 0 ||
		{ kill -9 $pid; cat "$TMP/err.$round" >&2; fail "round $round: no sample within 10 s"; }
	sleep "0.$(( RANDOM % 9 + 3 ))$(( RANDOM % 10 ))"
	[ $(( RANDOM % 2 )) = 0 ] && sleep 0.$(( RANDOM % 10 ))
	kill_ms=$(now_ms)
	kill -9 $pid
	wait $pid 2>/dev/null || true
	killed=$((killed + 1))
	check=$(sql "$DB" "PRAGMA integrity_check")
	[ "$check" = ok ] || fail "round $round: integrity_check says: $check"
	rows=$(sql "$DB" "SELECT (SELECT count(*) FROM proc_samples) + (SELECT count(*) FROM sys_samples)")
	last=$(sql "$DB" "SELECT last_ms FROM sessions WHERE id = $round")
	[ "$rows" -gt "$prev_rows" ] || fail "round $round: $rows rows after, $prev_rows before: lost or nothing written"
	[ "$last" -gt "$prev_last" ] || fail "round $round: last sample $last not after $prev_last"
	# the committed history of earlier rounds is still there
	if [ "$round" -gt 1 ]; then
		old=$(sql "$DB" "SELECT last_ms FROM sessions WHERE id = $((round - 1))")
		[ "$old" = "$prev_last" ] || fail "round $round: round $((round - 1)) last sample changed: $old != $prev_last"
		[ "$(sql "$DB" "SELECT count(*) FROM sys_samples WHERE t_ms = $prev_last")" -gt 0 ] ||
			fail "round $round: samples of round $((round - 1)) lost"
	fi
	# at most the interval in flight is lost (plus scheduling slack on a
	# loaded machine)
	lost=$((kill_ms - last))
	[ "$lost" -le $((INTERVAL_MS + 3000)) ] || fail "round $round: last committed sample $lost ms before the kill"
	echo "round $round: ok, $rows rows, last sample ${lost} ms before the kill"
	prev_rows=$rows prev_last=$last
done
# every restart appended after a gap, none interpolated
gaps=$(sql "$DB" "SELECT count(*) FROM gaps")
[ "$gaps" -eq $((ROUNDS - 1)) ] || fail "$gaps gaps, want $((ROUNDS - 1))"
inside=$(sql "$DB" "SELECT count(*) FROM gaps g JOIN sys_samples s ON s.t_ms > g.start_ms AND s.t_ms < g.end_ms")
[ "$inside" -eq 0 ] || fail "$inside samples inside gaps"
[ "$(sql "$DB" "SELECT count(*) FROM sessions WHERE end_reason = 'killed (no clean stop)'")" -eq $((ROUNDS - 1)) ] ||
	fail "killed sessions not marked"

# Then a writer that never pauses (5,000 rows a transaction), killed nearly
# always inside a write: every sample it said was committed is there.
W="$TMP/w.db"
for round in $(seq 1 10); do
	"$top_builddir/tests/record/store_writer" "$W" >"$TMP/w.out" 2>"$TMP/w.err" &
	pid=$!
	# a busy host may start it late: kill only once it has committed
	for _ in $(seq 600); do grep -q '^committed ' "$TMP/w.out" && break; sleep 0.1; done
	sleep "0.$(( RANDOM % 7 + 2 ))$(( RANDOM % 10 ))"
	kill -9 $pid
	wait $pid 2>/dev/null || true
	killed=$((killed + 1))
	check=$(sql "$W" "PRAGMA integrity_check")
	[ "$check" = ok ] || fail "writer round $round: integrity_check says: $check"
	said=$(sed -n 's/^committed //p' "$TMP/w.out" | tail -n 1)
	[ -n "$said" ] || { cat "$TMP/w.err" >&2; fail "writer round $round committed nothing"; }
	have=$(sql "$W" "SELECT max(t_ms) FROM proc_samples")
	n=$(sql "$W" "SELECT count(*) FROM proc_samples WHERE t_ms = $said")
	[ "$have" -ge "$said" ] && [ "$n" -eq 50 ] ||
		fail "writer round $round: said committed $said, DB has up to $have ($n rows at $said)"
	# at most the transaction in flight was lost (one more may have
	# committed after the last line was printed)
	[ "$have" -le $((said + 100000)) ] || fail "writer round $round: $have beyond one transaction after $said"
	echo "writer round $round: ok, committed up to $said, on disk up to $have"
done
[ "$(sql "$W" "SELECT count(*) FROM gaps")" -eq 9 ] || fail "writer gaps"
pass "$killed kill -9 rounds: integrity ok, history appended with $gaps gaps"
