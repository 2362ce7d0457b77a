# Helpers for the tmux-driven tests of healthtap top. Source after lib.sh.
# Every test runs its own tmux server (-S in $TMP) and kills it on exit.
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }
# A private server whose socket lives in $TMP, so it goes with it.
tm() { tmux -S "$TMP/tmux.sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

# start_pane W H: a shell in a W x H window with a known prompt.
start_pane() {
	tm new-session -d -s t -x "$1" -y "$2" "env -i PATH=$PATH HOME=$TMP HISTFILE=/dev/null TERM=screen LANG=${TOP_LANG:-C.UTF-8} bash --norc --noprofile"
	tm set-option -t t status off >/dev/null
	tm send-keys -t t "PS1='PROMPT\$ '; clear" Enter
	wait_for '^PROMPT\$ ?$'
}

screen() { tm capture-pane -t t -p; }

# wait_for ERE [SECONDS]: polls the pane until a line matches, else fails
# and shows the pane.
wait_for() {
	local re=$1 limit=${2:-20} i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		screen >"$TMP/pane" 2>/dev/null || true
		grep -Eq -- "$re" "$TMP/pane" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- pane (waited ${limit}s for /$re/):" >&2
	cat "$TMP/pane" >&2
	fail "timed out waiting for /$re/"
}

# wait_gone ERE [SECONDS]: polls until no line matches.
wait_gone() {
	local re=$1 limit=${2:-20} i=0
	while [ "$i" -lt $((limit * 10)) ]; do
		screen >"$TMP/pane" 2>/dev/null || true
		grep -Eq -- "$re" "$TMP/pane" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	cat "$TMP/pane" >&2
	fail "timed out waiting for /$re/ to go"
}

keys() { tm send-keys -t t "$@"; }

# The pane's size as tmux sees it: "W H".
pane_size() { tm display-message -p -t t '#{pane_width} #{pane_height}'; }

# Saves the terminal settings in the pane and prints a marker, to compare
# after top exits (top draws on the alternate screen, so the marker must be
# back on screen after it).
save_stty() {
	tm clear-history -t t	# an earlier marker must not count
	keys "clear; stty -g > $TMP/stty.before; echo BEFORE-TOP-MARK" Enter
	wait_for '^BEFORE-TOP-MARK$'
}

# Asserts that top has exited: the prompt and the pre-run content are back,
# none of top's screen is left, and stty reports the same settings.
check_restored() {
	wait_for '^PROMPT\$ ?$'
	# The marker may have scrolled into tmux's history: when the pane was
	# resized while top ran, tmux reflows the saved screen on the way back.
	tm capture-pane -t t -p -S - >"$TMP/all"
	grep -q '^BEFORE-TOP-MARK$' "$TMP/all" || { cat "$TMP/all" >&2; fail "the pre-run screen is not back"; }
	! grep -Eq '^healthtap top [0-9]|RSS-TREND' "$TMP/pane" || fail "top's screen left behind"
	keys "stty -g > $TMP/stty.after; echo restored-\$(cmp -s $TMP/stty.before $TMP/stty.after && echo same || echo DIFFERENT)" Enter
	wait_for 'restored-(same|DIFFERENT)'
	grep -q 'restored-same' "$TMP/pane" || fail "terminal settings differ after top exits"
}

# has ERE MESSAGE: the last captured pane has a line matching ERE, else
# fails showing the pane.
has() {
	grep -Eq -- "$1" "$TMP/pane" && return 0
	echo "--- pane:" >&2
	cat "$TMP/pane" >&2
	fail "$2"
}

# The widest line of the last captured pane, in characters.
max_width() {
	python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] + [0]))' "$TMP/pane"
}
