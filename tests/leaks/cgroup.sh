#!/bin/bash
# Per-cgroup verdicts and the cgroup limit. Hosts differ (v1, hybrid, v2
# without the memory controller), so the cgroup tree is a fake one: --root
# points at a directory whose proc is the live /proc and whose
# sys/fs/cgroup is a v2 root with memory.max 512 MiB and a memory.current
# that grows 10 MiB/s (rewritten every 100 ms). Every process is in "/".
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

R="$TMP/root"
CG="$R/sys/fs/cgroup"
mkdir -p "$CG"
ln -s /proc "$R/proc"
: >"$CG/cgroup.controllers"
echo $((512 * MiB)) >"$CG/memory.max"
grow_cgroup() {	# writes 100 MiB + 10 MiB/s since start, atomically
	local t0 now
	t0=$(date +%s%N)
	while :; do
		now=$(date +%s%N)
		echo $(( 100 * MiB + (now - t0) / 1000 * 10 * MiB / 1000000 )) >"$CG/memory.current.tmp"
		mv "$CG/memory.current.tmp" "$CG/memory.current"
		sleep 0.1
	done
}
echo $((100 * MiB)) >"$CG/memory.current"
grow_cgroup &
LEAKER_PIDS="$LEAKER_PIDS $!"
start_leaker steady steady $((2 * MiB))
sleep 1

expect_exit 0 "$HEALTHTAP" leaks --root "$R" --window 4s --interval 200ms --format csv -p "$steady"
cat "$TMP/out"
row=$(grep '^process,' "$TMP/out")
[ "$(field "$TMP/out" "$steady" limit)" = cgroup ] || fail "nearest limit of the leaker: $row"
[ "$(field "$TMP/out" "$steady" limit_B)" = $((512 * MiB)) ] || fail "cgroup limit: $row"
head=$(field "$TMP/out" "$steady" headroom_B)
[ "$head" -gt $((300 * MiB)) ] && [ "$head" -lt $((412 * MiB)) ] || fail "cgroup headroom $head"
pass "a process's nearest limit is its cgroup's memory.max"

expect_exit 0 "$HEALTHTAP" leaks --root "$R" --window 4s --interval 200ms --format csv
cat "$TMP/out"
line=$(grep '^cgroup,"/",' "$TMP/out") || fail "no verdict for cgroup /"
verdict=$(echo "$line" | cut -d, -f4,5)
rate=$(echo "$line" | cut -d, -f6)
[ "$verdict" = "leaking,growing" ] || fail "cgroup verdict $verdict"
within "$rate" $((10 * MiB)) 15 || fail "cgroup rate $rate, want 10 MiB/s"
[ "$(echo "$line" | cut -d, -f17)" = cgroup ] || fail "cgroup limit kind (column 17, limit): $line"
pass "cgroup verdict: leaking at $rate B/s (true $((10 * MiB)))"

# the plugin on the cgroup: ~400 MiB left at 10 MiB/s is ~40 s = 0.011 h
expect_exit 2 "$HEALTHTAP" check --root "$R" --cgroup / -w 1 -c 0.1 --window 3s --interval 200ms
cat "$TMP/out"
grep -Eq "^LEAK CRITICAL - cgroup / leaking [0-9.]+ MiB/s \([0-9]+ B/s\), 0\.0[01][0-9]* h left before it reaches 512 MiB \(cgroup\)" "$TMP/out" ||
	fail "check --cgroup"
expect_exit 3 "$HEALTHTAP" check --root "$R" --cgroup /no/such -w 1 -c 0.1 --window 1s --interval 200ms
grep -q "^LEAK UNKNOWN - no memory.current for cgroup /no/such" "$TMP/out" || fail "unknown cgroup"
pass "check --cgroup: CRITICAL against memory.max; UNKNOWN for a cgroup with no process"
