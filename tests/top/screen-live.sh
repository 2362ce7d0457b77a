#!/bin/bash
# healthtap top's screen in tmux on the live machine: the first screen,
# a growing process found by filter with a positive growth rate, sorting by
# RSS, the detail view with its growing mappings, resizing, q; and a /proc
# read that hangs (a FIFO in a copy of the fixture) not freezing the keys.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/top/tmux-lib.sh"
GROWER=""
trap 'tm kill-server 2>/dev/null; [ -n "$GROWER" ] && kill "$GROWER" 2>/dev/null; rm -rf "$TMP"' EXIT

# A process that grows by 256 KiB every 100 ms (about 2.5 MiB/s) for 60 s,
# named by its script's path (python3 may be a shim that re-execs).
NAME="topgrow$$"
# NAME as a pattern that does not hold NAME itself: the greps of wait_for
# must not match the filter (top would list them)
NAME_RE="topgro[w]$$"
cat >"$TMP/$NAME.py" <<'PY'
import time
keep = []
for i in range(600):
    keep.append(bytearray(256 * 1024))
    time.sleep(0.1)
PY
python3 "$TMP/$NAME.py" &
GROWER=$!

start_pane 80 24
save_stty
keys "$HEALTHTAP top -i 500ms" Enter

# First screen: the live header with units, then every process.
wait_for '^healthtap top [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}  [0-9]+ procs  every 0\.5s  sort risk v$'
wait_for "^CPU  [0-9.]+% busy of $(nproc) CPUs  ctxsw [0-9.]+k?/s  forks [0-9.]+/s  tasks [0-9]+ running"
has '^Mem  [0-9.]+ [KMG]iB used, [0-9.]+ [KMG]iB avail of [0-9.]+ [KMG]iB' "memory line with units"
has '^IRQ  [0-9.]+k?/s: [^ ]+ [0-9.]+k?/s' "interrupts with top vectors"
has '^ +PID USER +RSS +ANON +GROWTH +R2 LIMIT-IN RSS-TREND +COMMAND' "table header"
# 24 lines: the header down to the column names, 1 of keys, the rest are
# process rows (the header grows when top gains a widget)
hdr=$(grep -n '^ *PID USER' "$TMP/pane" | head -n 1 | cut -d: -f1)
[ -n "$hdr" ] || { cat "$TMP/pane" >&2; fail "no column header on the screen"; }
want=$((24 - hdr - 1))
[ "$want" -ge 10 ] || { cat "$TMP/pane" >&2; fail "only $want process rows fit under a $hdr-line header"; }
[ "$(grep -cE '^ +[0-9]+ [a-z0-9_-]+ +[0-9.]+[BKMG] +[0-9.]+[BKMG] +(-|[0-9.]+[BKMG]/s|[+-][0-9.]+[BKMG]/s) ' "$TMP/pane")" -eq "$want" ] ||
	{ cat "$TMP/pane" >&2; fail "want $want process rows with units"; }
[ "$(max_width)" -le 80 ] || fail "line wider than 80"
pass "live first screen"

# Sorting by RSS: the visible rows are in non-increasing RSS order.
keys M
wait_for 'sort rss v$'
# a capture can catch a redraw halfway: try a few refreshes
sorted=no
for try in 1 2 3 4 5; do
	sleep 0.6
	screen >"$TMP/pane"
	python3 - "$TMP/pane" <<'PY' && { sorted=yes; break; }
import re, sys
unit = {"B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
rows = [l.split() for l in open(sys.argv[1], encoding="utf-8") if re.match(r"^ +\d+ \S+ +[\d.]+[BKMGT] ", l)]
vals = [float(r[2][:-1]) * unit[r[2][-1]] for r in rows]
assert len(vals) >= 10, vals
# short units round: allow a rounding step between neighbours
assert all(a >= b * 0.95 for a, b in zip(vals, vals[1:])), vals
PY
done
[ "$sorted" = yes ] || { cat "$TMP/pane" >&2; fail "rows not sorted by RSS"; }
pass "sorting by RSS"

# Filter on the grower: one row whose growth rate is positive (KiB/s, MiB/s).
keys /
keys -l "$NAME"
keys Enter
wait_for "filter $NAME_RE"
wait_for "^ +$GROWER [a-z]+ +[0-9.]+M +[0-9.]+M +\\+[0-9.]+[KM]/s +0\\.[5-9][0-9]|^ +$GROWER [a-z]+ +[0-9.]+M +[0-9.]+M +\\+[0-9.]+[KM]/s +1\\.00" 30
[ "$(grep -cE '^ +[0-9]+ [a-z]+ ' "$TMP/pane")" -eq 1 ] || fail "filter shows one row"
pass "filter finds the grower, growing with a good fit"

# Detail: the chart, smaps_rollup, and mappings that grow between refreshes.
keys Enter
wait_for "^healthtap top  process $GROWER python"
wait_for '^smaps_rollup  Rss [0-9.]+ MiB  Pss [0-9.]+ [KMG]iB  Swap '
wait_for '\* RSS   \. anonymous'
wait_for '^growing mappings \(of [0-9]+; RSS change since last refresh, since opened\):' 15
wait_for '^  [0-9a-f]+-[0-9a-f]+ +rw-p +\+[0-9.]+[KM] +\+[0-9.]+[KM] RSS' 15
pass "detail view: chart, smaps_rollup, growing mappings"

# Resize: 200x60, then 80x24.
keys Escape
wait_for "^ +$GROWER "
tm resize-window -t t -x 200 -y 60
wait_for "^ +$GROWER .*/$NAME_RE\\.py$"
[ "$(pane_size)" = "200 60" ] || fail "pane is $(pane_size)"
[ "$(max_width)" -le 200 ] || fail "line wider than 200"
keys Escape
wait_gone "filter $NAME_RE"
wait_for '^ +1 [a-z]+ '
# kernel threads shown (K): a quiet host may have fewer than 30 others
keys K
wait_for '^ +2 [a-z]+ '
[ "$(grep -cE '^ +[0-9]+ [a-z]+ ' "$TMP/pane")" -gt 30 ] || fail "60 lines show more than 30 processes"
tm resize-window -t t -x 80 -y 24
wait_gone 'RSS-TREND  COMMAND {60}'
sleep 0.6
screen >"$TMP/pane"
[ "$(max_width)" -le 80 ] || fail "line wider than 80 after shrinking"
[ "$(grep -cE '^ +[0-9]+ [a-z]+ ' "$TMP/pane")" -le 16 ] || fail "too many rows for 24 lines"
pass "live resize to 200x60 and 80x24"

# Pause: the screen holds still while the machine moves on; space resumes.
keys ' '
wait_for '  PAUSED  sort '
screen >"$TMP/paused1"
sleep 1.6	# three refreshes
screen >"$TMP/paused2"
cmp -s "$TMP/paused1" "$TMP/paused2" || { diff "$TMP/paused1" "$TMP/paused2" >&2; fail "paused screen changed"; }
keys ' '
wait_gone 'PAUSED'
pass "pause holds the screen"

keys q
check_restored
pass "q restores the terminal"

# A hung /proc read (meminfo is a FIFO nobody writes) stays in the sampler
# thread: the screen still answers keys, and q still quits at once.
mkdir -p "$TMP/hang"
cp -r "$top_srcdir/tests/fixtures/top/proc" "$TMP/hang/"
rm "$TMP/hang/proc/meminfo"
mkfifo "$TMP/hang/proc/meminfo"
save_stty
keys "$HEALTHTAP top -i 300ms --root $TMP/hang" Enter
wait_for '^healthtap top sampling\.\.\.'
keys '?'
wait_for '^healthtap top: keys'
keys x
wait_for '^healthtap top sampling\.\.\.'
keys q
check_restored
pass "a hung /proc read does not block the screen"

# The same hang in the middle of a run: the title says the figures are
# stale, sorting still works on the last frame, q still quits.
mkdir -p "$TMP/later"
cp -r "$top_srcdir/tests/fixtures/top/proc" "$TMP/later/"
save_stty
keys "HEALTHTAP_TOP_CLOCK=fixed $HEALTHTAP top -i 300ms --root $TMP/later" Enter
wait_for '^healthtap top fixed  7 procs'
wait_for '^ +1 root +9\.6M +4\.0M +0B/s'
rm "$TMP/later/proc/meminfo"
mkfifo "$TMP/later/proc/meminfo"
wait_for 'STALE [0-9]+s: /proc is slow' 15
keys P
wait_for 'sort pid \^'
has '^ +1 root +9\.6M' "last frame still shown"
keys q
check_restored
pass "a /proc read hanging mid-run: stale marked, keys work"
