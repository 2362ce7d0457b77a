#!/bin/bash
# parseok: each tests/stap/parseok/*.stp (first line '#! stap -pN') passes
# stap's pass N for the module runtime and for --runtime=bpf, and pass 2
# resolves every probe it names (the listing of resolved probes is checked
# for the health.* aliases the script uses).
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
cd "$TMP"
for f in "$top_srcdir"/tests/stap/parseok/*.stp; do
	pass_n=$(head -n 1 "$f" | sed -n 's/^#! stap -p\([1-5]\)$/\1/p')
	[ -n "$pass_n" ] || fail "$f: no '#! stap -pN' first line"
	"$HARNESS" compile -p"$pass_n" "$f" >"$TMP/mod.out" 2>"$TMP/mod.err" ||
		{ cat "$TMP/mod.err" >&2; fail "module runtime, stap -p$pass_n $(basename "$f")"; }
	"$HARNESS" run -p"$pass_n" "$f" >"$TMP/bpf.out" 2>"$TMP/bpf.err" ||
		{ cat "$TMP/bpf.err" >&2; fail "bpf runtime, stap -p$pass_n $(basename "$f")"; }
	# pass 2 prints the resolved probes: each alias used must be there
	for a in $(grep -o 'health\.[a-z_.]*[a-z_]' "$f" | sort -u); do
		grep -q "<- $a\b" "$TMP/mod.out" || fail "$(basename "$f"): $a not resolved (module)"
		grep -q "<- $a\b" "$TMP/bpf.out" || fail "$(basename "$f"): $a not resolved (bpf)"
	done
	echo "ok $(basename "$f"): pass $pass_n, both runtimes"
done
pass "parseok scripts pass for both runtimes"
