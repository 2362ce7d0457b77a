#!/bin/sh
# libFuzzer target fuzz_proc_meminfo (tests/fuzz/fuzz_proc_meminfo.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_meminfo \
	"runtime/proc_meminfo.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/meminfo"
