#!/bin/bash
# healthtap leaks and check on a recorded DB with known series (tests/leaks/mkdb).
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

"$top_builddir/tests/leaks/mkdb" "$TMP/h.db" || fail "mkdb"
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db" --format csv -p 100 -p 101 -p 102 -p 103 -p 104 -p 105
cp "$TMP/out" "$TMP/csv"
cat "$TMP/csv"
[ "$(grep -c '^process,' "$TMP/csv")" -eq 6 ] || fail "want 6 process rows"
verdict() { echo "$(field "$TMP/csv" "$1" verdict)/$(field "$TMP/csv" "$1" reason)"; }
[ "$(verdict 100)" = "leaking/growing" ] || fail "leaky judged $(verdict 100)"
within "$(field "$TMP/csv" 100 rate_Bps)" 1000 2 || fail "leaky rate $(field "$TMP/csv" 100 rate_Bps)"
[ "$(verdict 101)" = "not leaking/flat" ] || fail "calm judged $(verdict 101)"
[ "$(verdict 102)" = "not leaking/step" ] || fail "stepper judged $(verdict 102)"
[ "$(verdict 103)" = "not leaking/sawtooth" ] || fail "gc judged $(verdict 103)"
[ "$(verdict 104)" = "not leaking/plateau" ] || fail "plateau judged $(verdict 104)"
[ "$(verdict 105)" = "inconclusive/young" ] || fail "young judged $(verdict 105)"
grep -Eq '^system,"","",leaking,growing,(9[89][0-9]|10[01][0-9])\.' "$TMP/csv" || fail "system verdict"
# the system's used memory reaches MemTotal when MemAvailable (~4 GiB) runs out
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
	$1 == "system" { e = $(idx["eta_s"]); w = (4096 * 1048576 - 1000 * 1199) / 1000; exit !(e > w * 0.98 && e < w * 1.02) }' "$TMP/csv" ||
	fail "system eta"
pass "DB verdicts: leak at 1000 B/s, flat, step, sawtooth, plateau, young, system"

# real ages from the start times: a process that started 2 s after the
# recorder, 38 s old at the end, is young (against the 60 s minimum age),
# though it was there from the recording's third sample
"$top_builddir/tests/leaks/mkdb" "$TMP/short.db" 40 || fail "mkdb short"
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/short.db" --format csv -p 100 -p 106
[ "$(field "$TMP/out" 106 verdict)/$(field "$TMP/out" 106 reason)" = inconclusive/young ] ||
	fail "early process judged $(field "$TMP/out" 106 verdict)/$(field "$TMP/out" 106 reason)"
[ "$(field "$TMP/out" 100 reason)" != young ] || fail "a process older than the recording judged young"
# and over the 20 minutes it is old enough: its 1 MiB/s is a leak
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db" --format csv -p 106
[ "$(field "$TMP/out" 106 verdict)" = leaking ] || fail "early process over 20 min"
pass "process ages from start times"

# the last 5 minutes only: the plateau is flat there, the leak still a leak
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db" --window 5m --format csv -p 100 -p 104
[ "$(field "$TMP/out" 100 verdict)" = leaking ] || fail "leaky over 5 min"
[ "$(field "$TMP/out" 104 reason)" = flat ] || fail "plateau over 5 min: $(field "$TMP/out" 104 reason)"
awk -v n="$(field "$TMP/out" 100 points)" -v s="$(field "$TMP/out" 100 span_s)" \
	'BEGIN { exit !(n >= 50 && s > 290 && s <= 300) }' ||
	fail "5 min window: points/span"
pass "DB window"

# the plugin on the DB: 100 MiB for leaky (51.1 MiB, 1000 B/s): 14.2 h left
expect_exit 1 "$HEALTHTAP" check -d "$TMP/h.db" -p 100 -m 100 -w 24 -c 1
cat "$TMP/out"
grep -Eq "^LEAK WARNING - pid 100 \(leaky\) leaking 1000 B/s \((99[0-9]|100[0-9]) B/s\), 14\.2[0-9] h left" "$TMP/out" ||
	fail "check on DB"
expect_exit 0 "$HEALTHTAP" check -d "$TMP/h.db" -p 101 -w 24 -c 1
grep -q "^LEAK OK - pid 101 (calm): not leaking (flat)" "$TMP/out" || fail "check calm on DB"
pass "check on a DB"

expect_exit 1 "$HEALTHTAP" leaks -d "$TMP/nonexistent.db"
grep -q "cannot open $TMP/nonexistent.db" "$TMP/err" || fail "missing DB message"
expect_exit 3 "$HEALTHTAP" check -d "$TMP/nonexistent.db" -w 1 -c 1
grep -q "^LEAK UNKNOWN - cannot open" "$TMP/out" || fail "check on a missing DB"
pass "missing DB"

# a directory or a file that is no DB: say what is wrong, not "disk I/O error"
expect_exit 1 "$HEALTHTAP" leaks -d "$TMP"
grep -q "cannot open $TMP: is a directory" "$TMP/err" || fail "leaks -d DIR: $(cat "$TMP/err")"
printf 'not a database\n%.0s' $(seq 200) >"$TMP/junk.db"
expect_exit 1 "$HEALTHTAP" leaks -d "$TMP/junk.db"
grep -q "cannot open $TMP/junk.db: " "$TMP/err" || fail "leaks -d junk: $(cat "$TMP/err")"
grep -qi "disk I/O" "$TMP/err" && fail "leaks -d junk: $(cat "$TMP/err")"
# a window no clock can hold is a usage error, not one sample and rc 0
expect_exit 2 "$HEALTHTAP" leaks --live --window 99999999999h
grep -q "bad --window '99999999999h'" "$TMP/err" || fail "huge window: $(cat "$TMP/err")"
expect_exit 2 "$HEALTHTAP" leaks --live --window 2d
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db" --window 99999h --format csv -p 100
[ "$(field "$TMP/out" 100 verdict)" = leaking ] || fail "a DB window longer than the DB"
pass "a directory, junk, or a window out of range: clear errors"

# A DB written by healthtap record itself, around a leaker and a stable
# process; judged over its last 5 s (the recorder's first sample is slow).
start_leaker steady steady $((2 * MiB))
start_leaker stable stable
sleep 1
expect_exit 0 "$HEALTHTAP" record -d "$TMP/r.db" -i 200ms --stap off --for 8s -q
# both are about 9 s old (their real age from the start time): young
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/r.db" --window 5s --format csv -p "$steady" -p "$stable"
[ "$(field "$TMP/out" "$steady" reason)" = young ] || fail "a 9 s old leaker not young: $(cat "$TMP/out")"
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/r.db" --window 5s --min-age 1s --warmup 0 --format csv \
	-p "$steady" -p "$stable"
cat "$TMP/out"
[ "$(field "$TMP/out" "$steady" verdict)" = leaking ] || fail "recorded leaker: $(field "$TMP/out" "$steady" verdict)"
within "$(field "$TMP/out" "$steady" rate_Bps)" $((2 * MiB)) 15 ||
	fail "recorded leaker rate $(field "$TMP/out" "$steady" rate_Bps)"
[ "$(field "$TMP/out" "$stable" verdict)/$(field "$TMP/out" "$stable" reason)" = "not leaking/flat" ] ||
	fail "recorded stable process"
[ "$(field "$TMP/out" "$steady" points)" -ge 15 ] || fail "too few points read from the recording"
pass "a DB from healthtap record: leak at $(field "$TMP/out" "$steady" rate_Bps) B/s (true $((2 * MiB)))"

# a leak that outlives its pids: 'restarter' (mkdb) regrows to ~57 MiB in
# every 50 s life and is OOM-killed; no one pid is old enough to judge
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db" --format csv -p 200
[ "$(field "$TMP/out" 200 reason)" = young ] || fail "one life of the restarter: $(field "$TMP/out" 200 reason)"
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db"
grep -q "^Command restarter restarted 23 times, leaking across its lives (pid 223 now)$" "$TMP/out" ||
	fail "restart loop table: $(grep -A1 '^Command' "$TMP/out")"
grep -q "died at about one size, 57.0 MiB to 57.0 MiB (23 of 24 ended).*an OOM-kill loop: 23 OOM kills" "$TMP/out" ||
	fail "restart loop details: $(grep -A1 '^Command' "$TMP/out")"
expect_exit 0 "$HEALTHTAP" leaks -d "$TMP/h.db" --format json
python3 - "$TMP/out" <<'PY' || fail "restart loop JSON"
import json, sys
c = json.load(open(sys.argv[1]))["commands"]
assert len(c) == 1, c
c = c[0]
assert (c["comm"], c["restarts"], c["died"], c["regrows"], c["oom_loop"]) == ("restarter", 23, 23, True, True), c
assert c["verdict"] == "leaking" and c["rate_Bps"] == 1048576, c
PY
grep -q '^command,223,"restarter",leaking,' <("$HEALTHTAP" leaks -d "$TMP/h.db" --format csv) || fail "restart loop CSV"
pass "restart loop: one leak by command across 24 pids, an OOM-kill loop"
