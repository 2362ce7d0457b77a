#!/bin/sh
# libFuzzer target fuzz_proc_pid_smaps (tests/fuzz/fuzz_proc_pid_smaps.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_pid_smaps \
	"runtime/proc_pid_smaps.c runtime/proc_pid_file.c runtime/ht_path.c runtime/ht_buf.c" \
	"tests/fixtures/*/proc/[0-9]*/smaps tests/fixtures/*/proc/[0-9]*/smaps_rollup"
