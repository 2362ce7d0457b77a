#!/bin/bash
# record --where PID for real (stap --runtime=bpf through the harness):
# tests/helpers/allocsites allocates once the probes are in and holds; the
# recorder stores its sites with the process, as proc_probes rows named
# "alloc.site_bytes SYMBOL": the last row of leak_malloc is exactly
# 1000000 B (the end table) and 1000 blocks, at allocsites.c:LINE; churn
# holds nothing.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/record/common.sh"
require_stap
"$HARNESS" prepare
PROG="$top_builddir/tests/helpers/allocsites"
[ -x "$PROG" ] || fail "no $PROG (make check builds it)"
export HEALTHTAP_STAP="exec $HARNESS run"
prog= rec=
trap '[ -n "$prog" ] && kill $prog 2>/dev/null; [ -n "$rec" ] && kill $rec 2>/dev/null; rm -rf "$TMP"' EXIT
mkfifo "$TMP/go"
"$PROG" 1 wait <"$TMP/go" 2>"$TMP/prog.err" &
prog=$!
exec 7>"$TMP/go"
"$HEALTHTAP" record -d "$TMP/h.db" -i 1s --stap off --where $prog >"$TMP/rec.out" 2>"$TMP/rec.err" &
rec=$!
for i in $(seq 1 720); do
	grep -q 'probes in' "$TMP/rec.err" && break
	kill -0 $rec 2>/dev/null || { cat "$TMP/rec.err" >&2; fail "record ended early"; }
	sleep 0.25
done
grep -q 'probes in' "$TMP/rec.err" || fail "the probes were not in after 180 s"
echo go >&7
wait_for 30 grep -q '^ready$' "$TMP/prog.err" || fail "allocsites did not finish allocating"
sleep 3	# a few batches stored
kill -INT $rec
wait $rec || { cat "$TMP/rec.err" >&2; fail "record failed"; }
rec=
q="SELECT s.value FROM proc_probes s JOIN procs p ON p.id = s.proc_id WHERE p.pid = $prog"
last() { sql "$TMP/h.db" "$q AND s.name LIKE '$1' ORDER BY s.t_ms DESC LIMIT 1"; }
sql "$TMP/h.db" "SELECT s.name, s.value FROM proc_probes s JOIN procs p ON p.id = s.proc_id
	WHERE p.pid = $prog AND s.name LIKE 'alloc.site_bytes %' ORDER BY s.t_ms DESC, s.value DESC LIMIT 12"
[ "$(last 'alloc.site_bytes leak_malloc+0x% (allocsites.c:%)')" = 1000000 ] ||
	fail "no leak_malloc row of 1000000 B at allocsites.c:LINE"
[ "$(last 'alloc.site_blocks leak_malloc+0x%')" = 1000 ] || fail "leak_malloc's blocks are not 1000"
[ -z "$(last 'alloc.site_bytes churn+0x%')" ] || [ "$(last 'alloc.site_bytes churn+0x%')" = 0 ] ||
	fail "the churn site holds bytes"
n=$(sql "$TMP/h.db" "SELECT count(DISTINCT t_ms) FROM proc_probes WHERE name LIKE 'alloc.site_bytes %'")
[ "$n" -ge 2 ] || fail "sites stored at $n times, want batches and the end table"
pass "record --where: sites stored with the process, leak_malloc exact at the end, churn 0"
