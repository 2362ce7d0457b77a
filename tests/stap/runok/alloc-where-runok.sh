#!/bin/bash
# runok: health.alloc on a running process (stap -x PID), its sites
# symbolized with libdwfl in that process: tests/helpers/allocsites (a PIE
# with DWARF) waits until the probes run, allocates from its known sites
# and holds; stap is stopped (SIGINT: the end batch is the full table);
# tests/helpers/symsites reads the stream and the live maps. leak_malloc
# symbolizes with allocsites.c:LINE and exactly 1000000 B, the threads'
# site thread_leak has 512000 B, glibc's thread stacks (anonymous mmap in
# pthread_create) are a site inside libc, lib_leak in the shared library
# liballocleak.so (dlopened) 200000 B; no site symbolizes to churn. Then a
# stripped copy: its leak site reads "[unknown] allocsites-stripped+0xOFF".
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare
PROG="$top_builddir/tests/helpers/allocsites"
SYMS="$top_builddir/tests/helpers/symsites"
LIB="$top_builddir/tests/helpers/liballocleak.so"
[ -x "$PROG" ] && [ -x "$SYMS" ] || fail "no $PROG or $SYMS (make check builds them)"

prog= stap=
trap '[ -n "$prog" ] && kill $prog 2>/dev/null; [ -n "$stap" ] && kill $stap 2>/dev/null; rm -rf "$TMP"' EXIT
# where TAG PROG: runs PROG (allocsites) in wait mode under stap -x, leaves
# the symbolized sites in $TMP/TAG.sites, then kills PROG.
where() {
	local tag=$1 bin=$2 i
	rm -f "$TMP/go" && mkfifo "$TMP/go"
	"$bin" 1 wait "$LIB" <"$TMP/go" 2>"$TMP/$tag.err" &
	prog=$!
	exec 7>"$TMP/go"
	"$HARNESS" run -o "$TMP/$tag.stream" -x "$prog" -e 'probe health.alloc.sites {}' 2>"$TMP/$tag.stap" &
	stap=$!
	for i in $(seq 1 240); do
		grep -q ' alloc batch 1$' "$TMP/$tag.stream" 2>/dev/null && break
		kill -0 $stap 2>/dev/null || { cat "$TMP/$tag.stap" >&2; fail "stap ended early"; }
		sleep 0.25
	done
	grep -q ' alloc batch 1$' "$TMP/$tag.stream" || fail "no alloc batch in 60 s"
	echo go >&7
	for i in $(seq 1 120); do grep -q '^ready$' "$TMP/$tag.err" && break; sleep 0.25; done
	grep -q '^ready$' "$TMP/$tag.err" || fail "allocsites did not finish allocating"
	kill -INT $stap
	wait $stap || true
	stap=
	grep -q ' alloc table 1$' "$TMP/$tag.stream" || { cat "$TMP/$tag.stap" >&2; fail "no end table"; }
	"$SYMS" "$prog" "$TMP/$tag.stream" >"$TMP/$tag.sites" || fail "symsites failed"
	exec 7>&-
	kill $prog 2>/dev/null; wait $prog 2>/dev/null || true
	prog=
	echo "== $tag"
	cat "$TMP/$tag.sites"
}
where full "$PROG"
cp "$TMP/full.sites" "$TMP/sites"
grep -Eq '^1000000 1000 leak_malloc\+0x[0-9a-f]+ \(allocsites\.c:[0-9]+\)$' "$TMP/sites" ||
	fail "no leak_malloc site with 1000000 B at allocsites.c:LINE"
grep -Eq '^200000 100 lib_leak\+0x[0-9a-f]+ \(liballocleak\.c:[0-9]+\)$' "$TMP/sites" ||
	fail "no lib_leak site in the shared library with 200000 B"
grep -Eq '^[0-9]+ [1-4] pthread_create' "$TMP/sites" || fail "no site in pthread_create (thread stacks)"
grep -q '^512000 1000 thread_leak+0x' "$TMP/sites" || fail "no thread_leak site with 512000 B"
! grep -q ' churn+' "$TMP/sites" || fail "the churn site holds bytes"

# The same program stripped: its own sites have no symbol, only the file
# and offset; the library's keep theirs.
strip -o "$TMP/allocsites-stripped" "$PROG" || fail "strip failed"
where stripped "$TMP/allocsites-stripped"
grep -Eq '^1000000 1000 \[unknown\] allocsites-stripped\+0x[0-9a-f]+$' "$TMP/stripped.sites" ||
	fail "no '[unknown] allocsites-stripped+0xOFF' site of 1000000 B"
grep -Eq '^200000 100 lib_leak\+0x' "$TMP/stripped.sites" || fail "the library's site lost its symbol"
pass "alloc: sites of a running PIE symbolized to function and line, leak exact; stripped: [unknown] file+offset"
