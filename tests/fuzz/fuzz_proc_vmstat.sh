#!/bin/sh
# libFuzzer target fuzz_proc_vmstat (tests/fuzz/fuzz_proc_vmstat.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_vmstat \
	"runtime/proc_vmstat.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/vmstat"
