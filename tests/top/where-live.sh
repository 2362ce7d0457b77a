#!/bin/bash
# top --where in tmux, for real (stap --runtime=bpf through the harness):
# the detail view of tests/helpers/allocsites (a copy named for this run)
# says stap is starting, then once the probes are in and the program has
# allocated, lists its sites: leak_malloc with 977 KiB in 1000 blocks at
# allocsites.c:LINE. Esc closes the view and stops stap.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/top/tmux-lib.sh"
require_stap
"$HARNESS" prepare
NAME="allocw$$"
NAME_RE="allo[c]w$$"
cp "$top_builddir/tests/helpers/allocsites" "$TMP/$NAME"
prog=
trap 'tm kill-server 2>/dev/null; [ -n "$prog" ] && kill $prog 2>/dev/null; rm -rf "$TMP"' EXIT
mkfifo "$TMP/go"
"$TMP/$NAME" 1 wait <"$TMP/go" 2>"$TMP/prog.err" &
prog=$!
exec 7>"$TMP/go"

start_pane 100 40
keys "HEALTHTAP_STAP='exec $HARNESS run' $HEALTHTAP top -i 500ms --where" Enter
wait_for '^healthtap top [0-9]{4}-'
keys /
keys -l "$NAME"
keys Enter
wait_for "^ +$prog [a-z]+ "
keys Enter
wait_for "^healthtap top  process $prog $NAME_RE"
wait_for '^allocation sites \(health\.alloc\.sites(\): starting stap|, .* watched\))' 20
wait_for '^allocation sites \(health\.alloc\.sites, .* watched\): [0-9]+ holding the most' 180
echo go >&7
wait_for '^ +977 KiB +1000 blocks  leak_malloc\+0x[0-9a-f]+ \(allocsites\.c:[0-9]+\)$' 30
pass "top --where: the detail view lists the process's sites, symbolized"
keys Escape
wait_for "^ +$prog [a-z]+ "
keys q
wait_for '^PROMPT\$ ?$'
