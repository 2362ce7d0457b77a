#!/bin/sh
# libFuzzer target fuzz_proc_stat (tests/fuzz/fuzz_proc_stat.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_stat \
	"runtime/proc_stat.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/stat tests/fuzz/seeds/proc_stat/*"
