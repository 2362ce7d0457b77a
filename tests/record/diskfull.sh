#!/bin/bash
# Disk full: the DB on a small tmpfs, then a filler takes the rest. The
# recorder says so clearly, keeps sampling into memory, and once space is
# freed writes what it kept; the DB is never corrupt and has no hole.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"

MNT="$TMP/mnt"
mkdir -p "$MNT"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=4m healthtap-test "$MNT" 2>"$TMP/mount.err"; then
	echo "SKIP: cannot mount a tmpfs here: $(cat "$TMP/mount.err" 2>/dev/null || echo not root)"
	exit 77
fi
rec=
cleanup() {
	set +e
	if [ -n "$rec" ]; then kill -9 "$rec" 2>/dev/null; wait "$rec" 2>/dev/null; fi
	umount "$MNT" 2>/dev/null || umount -l "$MNT"
	rm -rf "$TMP"
}
trap cleanup EXIT
DB="$MNT/h.db"

"$HEALTHTAP" record -d "$DB" -i 200ms --stap off 2>"$TMP/err" &
rec=$!
wait_for 10 count_gt "$DB" "SELECT count(*) FROM sessions WHERE last_ms IS NOT NULL" 0 ||
	fail "no sample: $(cat "$TMP/err")"
sleep 1
# fill the filesystem (dd stops at ENOSPC)
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
full_ms=$(now_ms)
wait_for 20 grep -q "healthtap record: cannot write .*disk full" "$TMP/err" || fail "no disk-full message: $(cat "$TMP/err")"
grep -q "keeping samples in memory" "$TMP/err" || fail "message does not say samples are kept"
kill -0 $rec || fail "the recorder died on a full disk"
sleep 2
# while full, the committed history still reads fine
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check while full"
stuck=$(sql "$DB" "SELECT last_ms FROM sessions WHERE id = 1")
rm -f "$MNT/filler"
free_ms=$(now_ms)
wait_for 20 grep -q "healthtap record: .* is writable again: wrote" "$TMP/err" || fail "no recovery: $(cat "$TMP/err")"
sleep 1
kill -TERM $rec
rc=0; wait $rec || rc=$?
rec=
[ "$rc" -eq 0 ] || fail "exit status $rc after recovery: $(cat "$TMP/err")"
cat "$TMP/err"
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check after recovery"
# the samples taken while the disk was full were kept and written: the
# cpu figure is sampled every 200 ms, so a 2 s full spell has ~10 of them
kept=$(sql "$DB" "SELECT count(DISTINCT t_ms) FROM sys_samples WHERE t_ms > $stuck AND t_ms < $free_ms")
[ "$kept" -ge 5 ] || fail "only $kept sample times between $stuck and $free_ms"
# nothing dropped for the full disk (a busy host may stall the recorder:
# that is a gap of its own, said as such)
[ "$(sql "$DB" "SELECT count(*) FROM gaps WHERE reason NOT LIKE 'recorder stalled: %'")" = 0 ] ||
	fail "a gap was recorded: $(sql "$DB" "SELECT * FROM gaps")"

# Started on a full disk: it says so and waits; once space is back it
# samples and writes (either the session begins late, with the samples kept
# in memory meanwhile, or the DB opens late: the time before is a gap).
: >"$TMP/err"
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
"$HEALTHTAP" record -d "$DB" -i 200ms --stap off 2>"$TMP/err" &
rec=$!
wait_for 20 grep -q "healthtap record: cannot write .*disk full" "$TMP/err" ||
	fail "no disk-full message at start: $(cat "$TMP/err")"
sleep 1.5
kill -0 $rec || fail "the recorder died on a full disk at start: $(cat "$TMP/err")"
rm -f "$MNT/filler"
freed_ms=$(now_ms)
wait_for 20 grep -q "healthtap record: .* is writable again: " "$TMP/err" ||
	fail "no recovery at start: $(cat "$TMP/err")"
wait_for 10 count_gt "$DB" "SELECT count(*) FROM sessions WHERE id = 2 AND last_ms > $freed_ms" 0 ||
	fail "no samples after space came back"
kill -TERM $rec
rc=0; wait $rec || rc=$?
rec=
[ "$rc" -eq 0 ] || fail "exit status $rc: $(cat "$TMP/err")"
cat "$TMP/err"
[ "$(sql "$DB" "PRAGMA integrity_check")" = ok ] || fail "integrity_check after a full start"
[ "$(sql "$DB" "SELECT count(*) FROM sessions")" = 2 ] || fail "want two sessions"
[ "$(sql "$DB" "SELECT count(*) FROM gaps WHERE reason NOT LIKE 'recorder stalled: %'")" = 1 ] ||
	fail "want one gap (and stalls), between the two runs: $(sql "$DB" "SELECT * FROM gaps")"
[ "$(sql "$DB" "SELECT count(*) FROM (SELECT host_id, boot, pid, start_time FROM procs
	GROUP BY 1, 2, 3, 4 HAVING count(*) > 1)")" = 0 ] || fail "a process stored twice"
pass "disk full: clear error, $kept sample times kept in memory and written after space was freed; a start on a full disk waits and recovers"
