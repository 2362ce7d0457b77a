#!/bin/sh
# libFuzzer target fuzz_proc_interrupts (tests/fuzz/fuzz_proc_interrupts.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_interrupts \
	"runtime/proc_interrupts.c runtime/proc_percpu.c runtime/ht_path.c runtime/ht_buf.c" \
	"tests/fixtures/*/proc/interrupts"
