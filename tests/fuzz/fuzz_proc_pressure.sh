#!/bin/sh
# libFuzzer target fuzz_proc_pressure (tests/fuzz/fuzz_proc_pressure.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_pressure \
	"runtime/proc_pressure.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/pressure/*"
