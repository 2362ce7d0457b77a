#!/bin/bash
# healthtap top's screen in tmux against the fixture root tests/fixtures/top:
# first screen, sorting, filtering, tree and thread views, detail view,
# help, resizing to 200x60 and 80x24, q restoring the terminal.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/top/tmux-lib.sh"
FIX="$top_srcdir/tests/fixtures/top"
TOP="HEALTHTAP_TOP_CLOCK='2026-01-01 00:00:00' $HEALTHTAP top -i 300ms --root $FIX"

start_pane 80 24
save_stty
keys "$TOP" Enter

# First screen: the title, the header panel from the fixture's files, the
# table sorted by risk (all 0 on a still fixture: then biggest RSS first).
wait_for '^healthtap top 2026-01-01 00:00:00  7 procs  every 0\.3s  sort risk v$'
wait_for '^Mem  541 MiB used, 23\.0 GiB avail of 23\.5 GiB'
has '^PSI  avg10 some: cpu 56\.8% mem 0\.0% io 2\.4%  full: mem 0\.0% io 0\.0%' "PSI line"
wait_for '^CPU  - busy of 2 CPUs  ctxsw 0\.0/s  forks 0\.0/s  tasks 3 running, 0 blocked'
wait_for '^IRQ  0\.0/s: '
wait_for '^SIRQ 0\.0/s: '
has '^Prb  off \(skb alloc/free need the tapset\): use --stap or --stream' "probes-off line"
has '^ +PID USER +RSS +ANON +GROWTH +R2 LIMIT-IN RSS-TREND +COMMAND' "table header"
# three samples give every process a growth rate (0 on a still fixture)
wait_for '^ +1 root +9\.6M +4\.0M +0B/s +- +never'
rows=$(grep -E '^ +[0-9]+ root ' "$TMP/pane")
[ "$(echo "$rows" | head -n 1 | awk '{print $1, $3, $4}')" = "1 9.6M 4.0M" ] || fail "first row: want pid 1 9.6M 4.0M, got: $(echo "$rows" | head -n 1)"
[ "$(echo "$rows" | awk '{print $1}' | tr '\n' ' ')" = "1 6818 6123 6232 7088 6236 " ] ||
	fail "risk order (ties by RSS), kernel threads hidden: $(echo "$rows" | awk '{print $1}' | tr '\n' ' ')"
has '^ +6236 root .*\[fake\] <defunct' "zombie marked"
has '^\?:help q:quit Enter:detail /:filter K:show kthreads t:tree ' "footer names the keys"
# 80 columns: no line is wider than the terminal
[ "$(max_width)" -le 80 ] || fail "line wider than 80"
# colours where the terminal has them (TERM=screen): a yellow/black title bar
tm capture-pane -t t -p -e >"$TMP/pane.esc"
grep -Eq $'\e\\[[0-9;]*(3[0-7]|4[0-7])[;m]' "$TMP/pane.esc" || fail "no colours on a colour terminal"
pass "first screen on the fixture"

# Sorting: P sorts by pid ascending, again descending; M by RSS.
keys P
wait_for 'sort pid \^'
wait_for 'PID\^ USER'
[ "$(grep -E '^ +[0-9]+ root ' "$TMP/pane" | awk '{print $1}' | tr '\n' ' ')" = "1 6123 6232 6236 6818 7088 " ] || fail "pid ascending"
# K shows the kernel threads, and the footer offers to hide them again
keys K
wait_for '^ +2 root .*\[kthreadd\]'
wait_for 'K:hide kthreads'
[ "$(grep -E '^ +[0-9]+ root ' "$TMP/pane" | awk '{print $1}' | tr '\n' ' ')" = "1 2 6123 6232 6236 6818 7088 " ] || fail "pid ascending with kthreads"
keys K
wait_gone 'kthreadd'
has 'K:show kthreads' "footer after hiding kthreads"
keys P
wait_for 'sort pid v'
[ "$(grep -E '^ +[0-9]+ root ' "$TMP/pane" | awk '{print $1}' | head -n 1)" = 7088 ] || fail "pid descending"
keys M
wait_for 'sort rss v'
[ "$(grep -E '^ +[0-9]+ root ' "$TMP/pane" | awk '{print $1}' | head -n 2 | tr '\n' ' ')" = "1 6818 " ] || fail "rss descending"
keys '>'
wait_for 'sort anon v'
pass "sorting by column"

# Filtering by name: only the matching process stays; Esc clears it.
keys /
wait_for '^filter: _'
keys -l 'sd-pam'
keys Enter
wait_for 'filter sd-pam'
[ "$(grep -cE '^ +[0-9]+ root ' "$TMP/pane")" -eq 1 ] || fail "filter keeps one row"
has '^ +6232 root .*\(sd-pam\)' "filtered row"
keys Escape
wait_gone 'filter sd-pam'
wait_for '^ +6818 root '
pass "filtering by name"

# Tree view: children indented under pid 1.
keys t
wait_for 'every 0\.3s  tree  sort'
wait_for '^ +6123 root .*`- /tmp/w/a\) b'
keys t
wait_gone 'every 0\.3s  tree  sort'
pass "tree view"

# Thread view: per-thread context switches from task/TID/status.
keys H
wait_for '^ +PID +TID THREAD +S +CSW/s +VCSW/s +IVCSW/s +VCSW +IVCSW$'
wait_for '^ +1 +31 process_api-io +S +0\.0/s +0\.0/s +0\.0/s +4211 +17$'
has '^ +1 +1 process_api +S .* 353 +33$' "thread 1 of pid 1"
# the selection moves over threads; Enter opens the thread's process
keys End
keys Enter
wait_for '^healthtap top  process 6818 bash'
keys Escape
wait_for '^ +1 +31 process_api-io '
keys H
wait_gone 'IVCSW'
pass "thread view"

# Detail view of 6123: smaps_rollup, the memory chart, the mappings.
keys /
keys -l 'w/a'
keys Enter
wait_for 'filter w/a'
keys Enter
wait_for '^healthtap top  process 6123 a\) b'
wait_for '^smaps_rollup  Rss 1\.71 MiB  Pss 215 KiB  Swap 0 B$'
has '^ +Private_Dirty 144 KiB  Anonymous 108 KiB$' "smaps_rollup second line"
has '^who  user root  ppid 1  threads 1  state S$' "detail: who line"
wait_for '^memory series \(RSS and anonymous, bytes\)'
wait_for '^growing mappings \(of 12; RSS change since last refresh, since opened\):'
wait_for '^  none has grown'
has '^1\.7M +\|\*+' "chart: RSS line at 1.7M"
has '^mem  RSS 1\.71 MiB  anon 108 KiB  growth 0 B/s  R2 -  watched [0-9]+s$' "detail memory line"
keys Escape
wait_for '^ +6123 root '
pass "detail view"

# Help screen, any key goes back.
keys '?'
wait_for '^healthtap top: keys'
# the whole help fits 80x24, its last line included
has '^STALE in the title: the sampler is stuck in a slow /proc read\.$' "help cut at 24 lines"
has '^  K +show / hide kernel threads \(hidden at start; --kthreads\)$' "help: the K key"
has '^headroom eaten per hour, times R2\. .\*. before a command: healthtap.s own$' "help: the own mark"
has '^R2 how well the line fits' "help: the growth columns"
[ "$(max_width)" -le 80 ] || fail "help wider than 80"
keys x
wait_for 'RSS-TREND'
pass "help screen"

# Resizing: 200x60 shows whole command lines and more rows; back to 80x24.
keys Escape
wait_for '^ +6818 root '
tm resize-window -t t -x 200 -y 60
wait_for '^ +6818 root .*--option-000=x+ --option-001=x'
[ "$(pane_size)" = "200 60" ] || fail "pane is $(pane_size)"
[ "$(max_width)" -gt 80 ] || fail "no wide lines at 200 columns"
[ "$(max_width)" -le 200 ] || fail "line wider than 200"
tm resize-window -t t -x 80 -y 24
wait_gone 'option-001'
wait_for '^ +6818 root '
[ "$(max_width)" -le 80 ] || fail "line wider than 80 after shrinking"
[ "$(wc -l <"$TMP/pane")" -le 24 ] || fail "more than 24 lines"
wait_for '^healthtap top 2026-01-01'
pass "resize to 200x60 and back to 80x24"

# q quits and restores the terminal.
keys q
check_restored
pass "q restores the terminal"

# A tapset stream on standard input: the probe line fills in, keys come
# from the terminal.
printf '%s\n' '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000' \
	'1000 sched switches 5' '1000 sched batch 1' '1000 skb allocs 120' \
	'1000 skb frees 100' '1000 skb outstanding 20' '1000 skb batch 1' >"$TMP/stream"
save_stty
keys "cat $TMP/stream | $TOP --stream -" Enter
wait_for '^Prb  bpf 6 records 0 bad  cov -  skb alloc 120 free 100 out 20  \(stream'
keys P
wait_for 'sort pid \^$'
keys q
check_restored
pass "stream on standard input, keys from the terminal"

# Standard input at EOF (a pipe): the screen still reads keys from the tty.
save_stty
keys "true | $TOP" Enter
wait_for '^healthtap top 2026-01-01'
keys M
wait_for 'sort rss v$'
keys q
check_restored
pass "standard input from a pipe, keys from the terminal"

# An error before the first frame (no /proc/stat) restores the terminal,
# then says what went wrong; exit status 1.
mkdir -p "$TMP/empty/proc"
save_stty
keys "$HEALTHTAP top --root $TMP/empty; echo status=\$?" Enter
wait_for '^status=1$'
tm capture-pane -t t -p -J >"$TMP/pane"	# the message is wider than 80: joined
has "^healthtap: cannot read $TMP/empty/proc/stat: No such file or directory$" "error message after the screen"
has '^BEFORE-TOP-MARK$' "pre-run screen back after an error"
keys "stty -g > $TMP/stty.after; echo restored-\$(cmp -s $TMP/stty.before $TMP/stty.after && echo same || echo DIFFERENT)" Enter
wait_for 'restored-(same|DIFFERENT)' 10
has 'restored-same' "terminal settings differ after an error"
pass "an error restores the terminal first"

# Ctrl-C and SIGTERM restore it too.
save_stty
keys "$TOP" Enter
wait_for '^healthtap top 2026-01-01'
keys C-c
check_restored
pass "Ctrl-C restores the terminal"

save_stty
keys "$TOP --no-kthreads" Enter
wait_for '^healthtap top 2026-01-01'
pid=$(pgrep -n -f -- "--root $FIX --no-kthreads") || fail "top's pid not found"
kill -TERM "$pid"
check_restored
pass "SIGTERM restores the terminal"

# Monochrome: on a vt100 (no colours) the screen uses reverse video and
# bold only, and leaves a clean screen behind (no alternate screen there).
save_stty
keys "TERM=vt100 $TOP" Enter
wait_for '^healthtap top 2026-01-01'
wait_for '^ +1 root +9\.6M'
tm capture-pane -t t -p -e >"$TMP/pane.esc"
grep -q $'\e\[7m' "$TMP/pane.esc" || fail "vt100: no reverse video for the title"
! grep -Eq $'\e\\[(3|4)[0-7]m|\e\\[[0-9;]*;(3|4)[0-7]m' "$TMP/pane.esc" || fail "vt100: colour escapes on a monochrome terminal"
keys q
wait_for '^PROMPT\$ ?$'
! grep -Eq '^healthtap top [0-9]|RSS-TREND' "$TMP/pane" || fail "vt100: dashboard left on screen"
keys "stty -g > $TMP/stty.after; echo restored-\$(cmp -s $TMP/stty.before $TMP/stty.after && echo same || echo DIFFERENT)" Enter
wait_for 'restored-(same|DIFFERENT)' 10
has 'restored-same' "vt100: terminal settings differ after top exits"
pass "monochrome terminal"
