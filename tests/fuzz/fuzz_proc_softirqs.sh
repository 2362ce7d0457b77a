#!/bin/sh
# libFuzzer target fuzz_proc_softirqs (tests/fuzz/fuzz_proc_softirqs.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_softirqs \
	"runtime/proc_softirqs.c runtime/proc_percpu.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/softirqs"
