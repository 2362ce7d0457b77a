#!/bin/bash
# The healthtap command line: help, usage errors, batch frames on a fixture.
. "${top_srcdir:-.}/tests/lib.sh"

expect_exit 0 "$HEALTHTAP" --help
grep -q "usage: healthtap" "$TMP/out" || fail "--help has no usage line"
expect_exit 0 "$HEALTHTAP" --version
grep -Eq '^healthtap [0-9]' "$TMP/out" || fail "--version"
expect_exit 2 "$HEALTHTAP" no-such-command
grep -q "unknown command 'no-such-command'" "$TMP/err" || fail "unknown command message"
expect_exit 2 "$HEALTHTAP" top --no-such-option
grep -q "Try 'healthtap top --help'" "$TMP/err" || fail "usage hint"
expect_exit 2 "$HEALTHTAP" top -i 0
expect_exit 2 "$HEALTHTAP" top -n -3
expect_exit 0 "$HEALTHTAP" top --help
pass "help and usage errors"

# Batch frames on a fixture: the fixture never changes, so every rate is 0.
expect_exit 0 "$HEALTHTAP" top -b -n 2 -i 100ms --root "$top_srcdir/tests/fixtures/basic"
[ "$(grep -c '^healthtap top' "$TMP/out")" -eq 2 ] || fail "want 2 frames"
grep -Eq '^  ctx switches +0\.0 /s$' "$TMP/out" || fail "ctx switches rate on fixture"
grep -Eq '^  running +2 tasks$' "$TMP/out" || fail "procs_running from fixture"
grep -Eq '^  blocked +1 tasks$' "$TMP/out" || fail "procs_blocked from fixture"
pass "batch frames on a fixture"

expect_exit 0 "$HEALTHTAP" top --json -n 1 -i 100ms --root "$top_srcdir/tests/fixtures/basic"
python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); assert d["procs_running"]==2 and d["ctxt_per_s"]==0, d' "$TMP/out" ||
	fail "json frame"
pass "json frame"

# Live /proc: the machine switches context, so the rate is positive.
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 300ms
grep -Eq '^  ctx switches +[0-9]*[1-9][0-9]*\.[0-9] /s$' "$TMP/out" || fail "live ctx switch rate"
pass "live frame"

# A missing /proc file is a clear error, exit 1.
mkdir -p "$TMP/empty/proc"
expect_exit 1 "$HEALTHTAP" top -b -n 1 --root "$TMP/empty"
grep -q "cannot read $TMP/empty/proc/stat: No such file or directory" "$TMP/err" || fail "missing file message"
pass "missing /proc file"

# stream: garbage lines are reported by number, good lines kept.
printf '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000\n1000 sched switches 5\n1000 sched batch 1\nzzz\n2000 sched switches 7\n2000 sched batch 2\n' >"$TMP/s"
expect_exit 1 "$HEALTHTAP" stream -f "$TMP/s" --root "$top_srcdir/tests/fixtures/basic"
grep -q "line 4: bad timestamp" "$TMP/err" || fail "garbled line not reported by number"
grep -q "4 records, 1 bad lines" "$TMP/out" || fail "stream summary"
expect_exit 1 "$HEALTHTAP" stream -f "$TMP/nonexistent"
grep -q "cannot open $TMP/nonexistent" "$TMP/err" || fail "missing stream file"
pass "stream errors"
