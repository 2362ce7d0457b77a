#!/bin/bash
# healthtap leaks, live: nine processes with known memory behaviour, sampled
# together for 12 s every 200 ms. Every verdict must be right and every
# leak rate within 15% of the truth.
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

start_leaker steady steady $((2 * MiB))
start_leaker slow slow 204800
start_leaker noisy noisy $MiB $((4 * MiB))
start_leaker threads threads $MiB 4
start_leaker step step $((64 * MiB)) 13		# 64 MiB once, 13 s in
start_leaker plateau plateau $((4 * MiB)) 12	# 4 MiB/s for 12 s, then flat
start_leaker saw sawtooth $((8 * MiB)) 2	# climbs 1.5 s, frees, every 2 s
start_leaker stable stable
sleep 8
# The fresh process starts with the window: 12 s old at its end plus the
# first sample's time, the others 8 s more; --min-age 16s tells them apart.
start_leaker fresh fresh $((2 * MiB))
expect_exit 0 "$HEALTHTAP" leaks --live --window 12s --interval 200ms --min-age 16s --warmup 1s \
	--format csv -p "$steady" -p "$slow" -p "$noisy" -p "$threads" -p "$step" \
	-p "$plateau" -p "$saw" -p "$stable" -p "$fresh"
cp "$TMP/out" "$TMP/csv"
cat "$TMP/csv"
grep -q "sampling [0-9]* processes for 12.0 s every 200 ms" "$TMP/err" || fail "no progress on stderr"
[ "$(grep -c '^process,' "$TMP/csv")" -eq 9 ] || fail "want 9 process rows"

verdict() { echo "$(field "$TMP/csv" "$1" verdict)/$(field "$TMP/csv" "$1" reason)"; }
check_leak_rate() {	# NAME PID RATE
	local v r
	v=$(verdict "$2")
	r=$(field "$TMP/csv" "$2" rate_Bps)
	[ "$v" = "leaking/growing" ] || fail "$1 leaker judged $v"
	within "$r" "$3" 15 || fail "$1 leaker rate $r B/s, want $3 +- 15%"
	pass "$1 leaker: leaking at $r B/s (true $3 B/s)"
}
check_leak_rate steady "$steady" $((2 * MiB))
check_leak_rate slow "$slow" 204800
check_leak_rate noisy "$noisy" $MiB
check_leak_rate multi-threaded "$threads" $MiB

# A one-off event is a step or the end of a climb; on a loaded host a step
# may straddle samples, and a starved plateau leaker catches up in a burst,
# so either reason is right there, but the verdict is never "leaking".
case $(verdict "$step") in
"not leaking/step" | "not leaking/plateau") ;;
# or, when the short window cannot rule out a rate that fills the memory
# left within a day (rule 9): inconclusive, with the time it needs
"inconclusive/undecided")
	d=$(field "$TMP/csv" "$step" decide_in_s)
	[ -z "$d" ] || awk -v d="$d" 'BEGIN { exit !(d > 0) }' || fail "undecided step: decide_in_s $d" ;;
*) fail "one-off step judged $(verdict "$step")" ;;
esac
[ "$(field "$TMP/csv" "$step" steps_excluded)" = 1 ] || fail "step not excluded"
within "$(field "$TMP/csv" "$step" step_bytes)" $((64 * MiB)) 15 ||
	fail "step size $(field "$TMP/csv" "$step" step_bytes), want 64 MiB"
pass "one-off step: $(verdict "$step"), a 64 MiB step excluded"

case $(verdict "$plateau") in
"not leaking/plateau" | "not leaking/step") ;;
# the last quarter of a short window may not rule out a rate that fills
# the memory left within a day (rule 9): inconclusive, never leaking
"inconclusive/undecided") ;;
*) fail "plateau judged $(verdict "$plateau")" ;;
esac
pass "grow-then-plateau: $(verdict "$plateau")"
# a flat floor; or, when a few troughs cannot rule out a floor that fills
# the memory left within a day (rule 9), inconclusive: never leaking
case $(verdict "$saw") in
"not leaking/sawtooth" | "inconclusive/undecided") ;;
*) fail "sawtooth judged $(verdict "$saw")" ;;
esac
pass "sawtooth: $(verdict "$saw")"
[ "$(verdict "$stable")" = "not leaking/flat" ] || fail "stable judged $(verdict "$stable")"
awk -v r="$(field "$TMP/csv" "$stable" rate_Bps)" 'BEGIN { exit !(r > -4096 && r < 4096) }' ||
	fail "stable rate $(field "$TMP/csv" "$stable" rate_Bps)"
pass "stable: not leaking"
[ "$(verdict "$fresh")" = "inconclusive/young" ] || fail "fresh process judged $(verdict "$fresh")"
pass "fresh process: not judged (young)"

# RSS, anon and the nearest limit are there, with units in the header.
rss=$(field "$TMP/csv" "$steady" current_B)
anon=$(field "$TMP/csv" "$steady" anon_B)
[ "$rss" -gt $((20 * MiB)) ] && [ "$anon" -gt $((16 * MiB)) ] && [ "$anon" -le "$rss" ] ||
	fail "steady leaker RSS $rss, anon $anon"
[ "$(field "$TMP/csv" "$steady" limit)" != none ] || fail "no nearest limit"
eta=$(field "$TMP/csv" "$steady" eta_s)
head=$(field "$TMP/csv" "$steady" headroom_B)
awk -v e="$eta" -v h="$head" -v r="$(field "$TMP/csv" "$steady" rate_Bps)" \
	'BEGIN { exit !(e > 0 && (e - h / r < 1 && h / r - e < 1)) }' || fail "eta $eta s for headroom $head"
pass "RSS, anon, nearest limit and time to reach it"
