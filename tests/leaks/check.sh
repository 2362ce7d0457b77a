#!/bin/bash
# healthtap check and check_leak: a Nagios plugin against a steady leaker
# (2 MiB/s) and a stable process. Thresholds that give OK, WARNING and
# CRITICAL; the status line, exit codes, perfdata that parses, the time it
# takes, UNKNOWN on errors.
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

# perfdata LINE: every item after '|' is 'label'=value[UOM];warn;crit;min;max
perfdata_ok() {
	local pd=${1#*|}
	[ "$pd" != "$1" ] || return 1
	echo "$pd" | tr ' ' '\n' | grep -v '^$' | grep -Evq \
		"^'[^'=]+'=(-?[0-9.]+|U)(B|KB|MB|TB|s|ms|us|%|c)?(;(@?(~|-?[0-9.]+)?:?(-?[0-9.]+)?)?){0,2}(;(-?[0-9.]+)?){0,2}$" && return 1
	return 0
}
perf() {	# perf LINE LABEL: the value (UOM stripped) of one perfdata item
	echo "${1#*|}" | tr ' ' '\n' | sed -n "s/^'$2'=\([-0-9.]*\).*/\1/p"
}

expect_exit 3 "$HEALTHTAP" check
grep -q "^LEAK UNKNOWN - give -w and -c" "$TMP/out" || fail "missing thresholds"
expect_exit 3 "$HEALTHTAP" check -w x -c 1
grep -q "^LEAK UNKNOWN - bad warning range 'x'" "$TMP/out" || fail "bad range"
expect_exit 3 "$HEALTHTAP" check -w 5:1 -c 1
# one threshold alone, or CRITICAL further away than WARNING, is refused
expect_exit 3 "$HEALTHTAP" check -w 48
grep -q "^LEAK UNKNOWN - -w needs -c" "$TMP/out" || fail "-w without -c: $(cat "$TMP/out")"
expect_exit 3 "$HEALTHTAP" check -c 48
expect_exit 3 "$HEALTHTAP" check -w 12 -c 48
grep -q "^LEAK UNKNOWN - inverted thresholds" "$TMP/out" || fail "inverted: $(cat "$TMP/out")"
expect_exit 3 "$HEALTHTAP" check -w 1 -c 1 --no-such-option
expect_exit 3 "$HEALTHTAP" check -w 1 -c 1 -p 1 -C foo
expect_exit 3 "$HEALTHTAP" check -w 1 -c 1 --window 20s
expect_exit 3 "$HEALTHTAP" check -w 1 -c 1 --root "$TMP/nonexistent"
grep -q "^LEAK UNKNOWN - cannot sample" "$TMP/out" || fail "sampling error not UNKNOWN"
expect_exit 0 "$HEALTHTAP" check --help
pass "UNKNOWN (exit 3) with the reason on bad options and internal errors"

# A /proc/stat that blocks (a FIFO nobody writes): the timeout answers.
mkdir -p "$TMP/stuck/proc"
mkfifo "$TMP/stuck/proc/stat"
t0=$(date +%s%N)
expect_exit 3 "$HEALTHTAP" check --root "$TMP/stuck" -w 1 -c 1 -t 2 --window 500ms
t1=$(date +%s%N)
grep -q "^LEAK UNKNOWN - timed out after 2 s$" "$TMP/out" || fail "timeout line: $(cat "$TMP/out")"
# it answers instead of blocking forever (how soon is bench/'s business)
[ $(( (t1 - t0) / 1000000 )) -lt 30000 ] || fail "the timeout took $(( (t1 - t0) / 1000000 )) ms"
pass "UNKNOWN on timeout, in $(( (t1 - t0) / 1000000 )) ms"

start_leaker steady steady $((2 * MiB))
start_leaker stable stable
sleep 2
# -t 120: a busy CI host must not turn a 4 s window into the plugin's
# default 10 s timeout (UNKNOWN); the timeout itself is tested above
common="--min-age 1s --warmup 0 --window 4s --interval 200ms -t 120"

# 1000 MiB for a process that grows 2 MiB/s from ~10 MiB: about 0.13 h left.
run_check() {	# WANT_EXIT ARGS...
	local want=$1 t0 t1
	shift
	t0=$(date +%s%N)
	expect_exit "$want" "$HEALTHTAP" check $common "$@"
	t1=$(date +%s%N)
	line=$(cat "$TMP/out")
	echo "$line ($(( (t1 - t0) / 1000000 )) ms)"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "want one status line: $line"
	perfdata_ok "$line" || fail "perfdata does not parse: $line"
}
run_check 1 -p "$steady" -m 1000 -w 1 -c 0.05
echo "$line" | grep -Eq "^LEAK WARNING - pid $steady \(leaker\) leaking [0-9.]+ MiB/s \([0-9]+ B/s\), 0\.1[0-9] h left" ||
	fail "warning line: $line"
left=$(perf "$line" time_left)
used=$(perf "$line" used)
rate=$(perf "$line" growth_Bps)
within "$rate" $((2 * MiB)) 15 || fail "growth $rate B/s"
awk -v l="$left" -v u="$used" -v r="$rate" 'BEGIN { w = (1000 * 1048576 - u) / r; exit !(l > w - 2 && l < w + 2) }' ||
	fail "time_left $left s for used $used B at $rate B/s"
echo "$line" | grep -q "'time_left'=[0-9]*s;3600:;180:;0;" || fail "thresholds in perfdata: $line"
echo "$line" | grep -q "'used'=[0-9]*B;;;0;1048576000 " || fail "used perfdata: $line"
pass "WARNING (exit 1): $left s left at $rate B/s"

run_check 2 -p "$steady" -m 1000 -w 1 -c 0.5
echo "$line" | grep -q "^LEAK CRITICAL - " || fail "critical line: $line"
pass "CRITICAL (exit 2)"

run_check 0 -p "$steady" -m 1000 -w 0.05 -c 0.01
echo "$line" | grep -q "^LEAK OK - " || fail "ok line: $line"
pass "OK (exit 0) with time to spare"

# The range syntax: @0:1 alerts inside 0..1 hours; 0.01:0.5 alerts outside.
run_check 1 -p "$steady" -m 1000 -w @0:1 -c @0:0.01
echo "$line" | grep -q "'time_left'=[0-9]*s;@0:3600;@0:36;0;" || fail "@ range in perfdata: $line"
run_check 2 -p "$steady" -m 1000 -w 0:1 -c 0.5:1
pass "range syntax ([@]start:end)"

run_check 0 -p "$stable" -w 24 -c 6
echo "$line" | grep -q "^LEAK OK - pid $stable (leaker): not leaking (flat)" || fail "stable: $line"
[ "$(perf "$line" growth_Bps)" = 0 ] || fail "stable growth: $line"
pass "stable process: OK, not leaking"

expect_exit 3 "$HEALTHTAP" check $common -w 1 -c 1 -p 999999999
grep -q "^LEAK UNKNOWN - no process 999999999" "$TMP/out" || fail "no such pid"
pass "UNKNOWN for a missing process"

# check_leak: the same program under that name, with the original options.
if grep -q check_leak "$top_srcdir/frontend/healthtap.c"; then
	ln -s "$HEALTHTAP" "$TMP/check_leak"
	expect_exit 0 "$TMP/check_leak" -a $common
	cat "$TMP/out"
	grep -Eq "^Process $steady is leaking [0-9]+ o/s \(.*leaker steady $((2 * MiB))\)$" "$TMP/out" ||
		fail "check_leak -a"
	grep -q "^Process $stable " "$TMP/out" && fail "check_leak -a lists the stable process"
	# the whole host against a memory size just above what is used now:
	# the leaker alone fills it within minutes
	usedmb=$(awk '/MemTotal/ { t = $2 } /MemAvailable/ { a = $2 } END { printf "%d", (t - a) / 1024 }' /proc/meminfo)
	t0=$(date +%s%N)
	expect_exit 2 "$TMP/check_leak" -m $((usedmb + 200)) -w 24 -c 1 $common
	t1=$(date +%s%N)
	cat "$TMP/out"
	grep -Eq "^LEAK CRITICAL - system memory leaking .* fastest pid [0-9]+ " "$TMP/out" || fail "check_leak line"
	perfdata_ok "$(cat "$TMP/out")" || fail "check_leak perfdata"
	pass "check_leak -a and -m -w -c"
else
	echo "SKIP: check_leak: frontend/healthtap.c does not dispatch on argv[0] yet"
fi
