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

# Durations and counts: one parser with range checks for every command.
# Out of range, overflowing, signed, hex or non-finite values are usage
# errors that say the range; none runs (top -n 0 used to run forever).
bad_value() {	# bad_value WANT-IN-MESSAGE CMD...
	local want=$1
	shift
	expect_exit 2 timeout 10 "$HEALTHTAP" "$@"
	grep -q -- "$want" "$TMP/err" || { cat "$TMP/err" >&2; fail "'$*': no '$want'"; }
	grep -q "Try 'healthtap $1 --help'" "$TMP/err" || fail "'$*': no usage hint"
}
for v in 99999999999h 9223372036854775807 1e300d inf nan 0x10 -2s +2s ' 2s' 2x ''; do
	bad_value "bad -i '$v': want a duration from 100ms to 1d" top -b -i "$v"
	bad_value "bad -i '$v': want a duration from 10ms to 1d" serve -i "$v" --listen 127.0.0.1:0
done
for v in 0 -1 +1 99999999999999999999 3000000000 1.5 ''; do
	bad_value "bad -n '$v': want an integer from 1 to 2147483647" top -b -n "$v"
done
bad_value "bad --timeout '0.5s': want a duration from 1s to 1h" serve --timeout 0.5s
bad_value "bad --top '1001': want an integer from 0 to 1000" serve -n 1001
bad_value "bad --warmup '8d'" serve --warmup 8d
# Sizes: binary units, decimal only (record --max-size took inf and nan
# into an undefined cast).
for v in inf nan 1e30G 0x10 -1 0 +1 ' 1G' 5X 1GiB ''; do
	bad_value "bad --max-size '$v': want a size of at least 1 bytes" \
		record -d "$TMP/sized.db" --max-size "$v"
done
[ ! -e "$TMP/sized.db" ] || fail "record ran with a bad --max-size"
bad_value "bad --min-growth 'inf': want a size of at least 0 bytes" leaks --min-growth inf
bad_value "bad --min-growth '1e30G': want a size of at least 0 bytes" soak --min-growth 1e30G -t 1 -n 3 -- true
bad_value "bad --rounds '2': want an integer from 3 to 2147483647" soak -n 2 -t 1 -- true
bad_value "bad --settle 'nan': want a duration from 0ms to 1d" soak -s nan -t 1 -n 3 -- true
bad_value "bad --pid '4294967297': want an integer from 1 to 2147483647" report -d x.db -p 4294967297
bad_value "bad --top '-1': want an integer from 0 to 2147483647" report -d x.db -t -1
# The largest values in range are taken.
expect_exit 0 "$HEALTHTAP" top -b -n 1 -i 1d -m 2147483647 --root "$top_srcdir/tests/fixtures/basic"
pass "option values are range-checked"

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

# stream: the irq batches' softirqs joined per vector with /proc/softirqs
# (a fixture: /proc does not move, so the coverage is unknown).
mkdir -p "$TMP/sroot/proc"
cp "$top_srcdir/tests/fixtures/basic/proc/stat" "$TMP/sroot/proc/stat"
printf '                    CPU0       CPU1\n          HI:          1          2\n       BLOCK:        100        200\n' >"$TMP/sroot/proc/softirqs"
printf '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000\n' >"$TMP/irq"
for t in 1000 2000 3000; do printf '%s irq softirqs 5 vec=BLOCK\n%s irq batch 1\n' $t $t; done >>"$TMP/irq"
expect_exit 0 "$HEALTHTAP" stream --json -f "$TMP/irq" --root "$TMP/sroot"
tail -n 1 "$TMP/out" | python3 -c '
import json, sys
b = json.load(sys.stdin)["softirqs"]["BLOCK"]
assert b == {"probe": 10, "proc": 0, "coverage_pct": None, "intervals": 2}, b' ||
	fail "softirqs join: $(tail -n 1 "$TMP/out")"
pass "stream joins softirqs per vector"

# Totals past INT64_MAX are unknown, not wrapped (it printed "probe
# -9223372036854775807 switches"; UBSan: signed overflow).
big=9223372036854775807
printf '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000\n' >"$TMP/big"
for t in 1000 2000 3000; do printf '%s sched switches %s\n%s sched batch 1\n' $t $big $t; done >>"$TMP/big"
expect_exit 0 "$HEALTHTAP" stream -f "$TMP/big" --root "$top_srcdir/tests/fixtures/basic"
grep -q "^total: 2 intervals, probe - switches, /proc ctxt 0 switches, coverage -;" "$TMP/out" ||
	fail "overflowing total: $(tail -n 1 "$TMP/out")"
expect_exit 0 "$HEALTHTAP" stream --json -f "$TMP/big" --root "$top_srcdir/tests/fixtures/basic"
tail -n 1 "$TMP/out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["probe_switches"] is None and d["coverage_pct"] is None, d' ||
	fail "overflowing total in JSON"
# The sampler's coverage totals: the sanitizer pass catches their overflow
# (the stream is read at once: /proc's ctxt barely moves between batches).
expect_exit 0 "$HEALTHTAP" top --json -n 2 -i 100ms --root "$top_srcdir/tests/fixtures/basic" --stream "$TMP/big"
tail -n 1 "$TMP/out" | python3 -c 'import json,sys; p=json.load(sys.stdin)["probes"]; assert p["records"] == 6 and p["sched_coverage"] is None, p' ||
	fail "overflowing coverage in top: $(tail -n 1 "$TMP/out")"
pass "stream and sampler totals past INT64_MAX are unknown"
