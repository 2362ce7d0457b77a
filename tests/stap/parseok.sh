#!/bin/bash
# parseok: each tests/stap/parseok/*.stp (first line '#! stap -p1') passes
# stap's pass 1 (the script and all tapset files parse) for the module and
# the bpf runtime and for each architecture the tapset has branches for.
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
cd "$TMP"
for f in "$top_srcdir"/tests/stap/parseok/*.stp; do
	head -n 1 "$f" | grep -q '^#! stap -p1$' || fail "$f: no '#! stap -p1' first line"
	for arch in x86_64 arm64 i386; do
		"$HARNESS" compile -p1 -a "$arch" "$f" >"$TMP/out" 2>"$TMP/err" ||
			{ cat "$TMP/err" >&2; fail "module runtime, $arch, stap -p1 $(basename "$f")"; }
		"$HARNESS" run -p1 -a "$arch" "$f" >"$TMP/out" 2>"$TMP/err" ||
			{ cat "$TMP/err" >&2; fail "bpf runtime, $arch, stap -p1 $(basename "$f")"; }
	done
	echo "ok $(basename "$f"): pass 1, both runtimes, x86_64 arm64 i386"
done
pass "parseok scripts parse for both runtimes and every architecture"
