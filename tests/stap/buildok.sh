#!/bin/bash
# buildok: each tests/stap/buildok/*.stp (one per subsystem file, and
# health.* for the whole tapset) builds a module for stap's module runtime
# (-p4 against Debian's linux-headers): the procfs("health") file, the
# kprobe on __alloc_skb and the foreach paths are compiled there.
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
cd "$TMP"
for f in "$top_srcdir"/tests/stap/buildok/*.stp; do
	head -n 1 "$f" | grep -q '^#! stap -p4' || fail "$f: no '#! stap -p4' line"
	m=ht_$(basename "$f" .stp | tr -c 'a-z0-9\n' _)
	timeout 300 "$HARNESS" compile -m "$m" "$f" >"$TMP/out" 2>"$TMP/err" ||
		{ cat "$TMP/err" >&2; fail "stap -p4 $f"; }
	[ -s "$m.ko" ] || fail "$f: no module built"
	echo "built $(basename "$f") ($(stat -c %s "$m.ko") bytes)"
done
pass "every buildok script builds for the module runtime"
