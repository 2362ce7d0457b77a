#!/bin/bash
# A leak that starts late (rule 10 of healthtap-leaks(1)): a process flat
# for 25 s, then leaking 128 KiB/s, is reported leaking within 30 s of
# the onset at 1 s sampling, at its own rate, with its onset; a flat
# process beside it is not.
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

start_leaker late late 131072 25
start_leaker flat stable
# at the leak's 20th second: 45 s of samples, 25 flat then 20 rising
sleep 0.5
expect_exit 0 "$HEALTHTAP" leaks --window 45s --interval 1s --min-age 1s --warmup 0 \
	--format csv -p "$late" -p "$flat"
cp "$TMP/out" "$TMP/csv"
cat "$TMP/csv"
v=$(field "$TMP/csv" "$late" verdict)
[ "$v" = leaking ] || fail "late leak judged $v/$(field "$TMP/csv" "$late" reason)"
within "$(field "$TMP/csv" "$late" rate_Bps)" 131072 15 || fail "late leak rate $(field "$TMP/csv" "$late" rate_Bps)"
ago=$(field "$TMP/csv" "$late" onset_ago_s)
# the onset 25 s into 45 s: 20 s before the end, give or take a busy host
awk -v a="$ago" 'BEGIN { exit !(a != "" && a >= 12 && a <= 26) }' || fail "onset $ago s ago"
[ "$(field "$TMP/csv" "$flat" verdict)" = "not leaking" ] || fail "flat judged $(field "$TMP/csv" "$flat" verdict)"
pass "late leak: leaking $(field "$TMP/csv" "$late" rate_Bps) B/s since $ago s before the end"
