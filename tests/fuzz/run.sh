#!/bin/sh
# Builds one libFuzzer target and gives it a short run: the `make check`
# side of fuzzing (docs/fuzzing.md has the long campaign).
#
#   run.sh NAME "SOURCES" "SEED GLOBS"
#
# NAME is tests/fuzz/NAME.c; SOURCES are runtime files it links with and
# SEED GLOBS pick fixture files (all relative to $top_srcdir) that seed the
# corpus. The binary and a work directory go under $top_builddir/tests/fuzz;
# the work directory is removed after a clean run and kept (with the crash
# input) after a failed one.
#
# Environment: HT_CLANG (set by make from configure's CLANG; empty: skip),
# HT_FUZZ_SECONDS (default 10) or HT_FUZZ_RUNS (a fixed number of inputs
# instead of a time budget).
# Exit: 0 clean, 1 a crash, sanitizer report, leak or broken invariant,
# 77 skipped (no clang, or clang without libFuzzer), 99 a setup error.

name=$1 sources=$2 seeds=$3
: "${top_srcdir:?run from make check}" "${top_builddir:?run from make check}"
clang=${HT_CLANG-}
if test -z "$clang"; then
	echo "$name: skipped: configure found no clang"
	exit 77
fi

out=$top_builddir/tests/fuzz
bin=$out/$name
work=$out/$name.work
mkdir -p "$out" || exit 99

flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"

# A clang without the libFuzzer runtime cannot run these: skip.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return d && n ? 0 : 0; }\n' \
	>"$out/$name.probe.c" || exit 99
# shellcheck disable=SC2086
if ! "$clang" $flags "$out/$name.probe.c" -o "$out/$name.probe" >/dev/null 2>&1; then
	rm -f "$out/$name.probe.c" "$out/$name.probe"
	echo "$name: skipped: $clang cannot link -fsanitize=fuzzer"
	exit 77
fi
rm -f "$out/$name.probe.c" "$out/$name.probe"

# Rebuild when the binary is missing or older than any runtime or fuzz file.
stale=
test -x "$bin" || stale=1
for f in "$top_srcdir"/runtime/*.[ch] "$top_srcdir"/tests/fuzz/*.[ch]; do
	test -n "$stale" || test ! "$f" -nt "$bin" || stale=1
done
if test -n "$stale"; then
	srcs=
	for f in $sources; do srcs="$srcs $top_srcdir/$f"; done
	# shellcheck disable=SC2086
	"$clang" $flags -std=gnu11 -D_GNU_SOURCE \
		-I"$top_srcdir/runtime" -I"$top_builddir" \
		"$top_srcdir/tests/fuzz/$name.c" $srcs -lm -o "$bin.tmp" || {
		echo "$name: FAIL: cannot build"
		exit 99
	}
	mv "$bin.tmp" "$bin" || exit 99
fi

# Seeds: the fixture files, copied (libFuzzer writes new inputs into the
# first corpus directory; the source tree stays untouched).
rm -rf "$work"
mkdir -p "$work/corpus" "$work/seeds" || exit 99
nseeds=0
for g in $seeds; do
	for f in "$top_srcdir"/$g; do
		test -f "$f" || continue
		nseeds=$((nseeds + 1))
		cp "$f" "$work/seeds/$nseeds" || exit 99
	done
done

if test -n "${HT_FUZZ_RUNS-}"; then
	budget="-runs=$HT_FUZZ_RUNS"
else
	budget="-max_total_time=${HT_FUZZ_SECONDS:-10}"
fi
set -- "$budget"
if test -f "$top_srcdir/tests/fuzz/$name.dict"; then
	set -- "$@" "-dict=$top_srcdir/tests/fuzz/$name.dict"
	budget="$budget, $name.dict"
fi
echo "$name: $nseeds seed files, $budget"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$bin" "$@" -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/" \
	"$work/corpus" "$work/seeds" >"$work/fuzz.log" 2>&1
rc=$?
grep -E '^(#[0-9]+ +DONE|Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/fuzz.log"
if test $rc -ne 0 || grep -q 'runtime error:\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer' "$work/fuzz.log"; then
	tail -n 60 "$work/fuzz.log"
	echo "$name: FAIL (exit $rc); inputs and log kept in $work"
	exit 1
fi
echo "$name: PASS"
rm -rf "$work"
exit 0
