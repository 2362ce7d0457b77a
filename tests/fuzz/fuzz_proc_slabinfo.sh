#!/bin/sh
# libFuzzer target fuzz_proc_slabinfo (tests/fuzz/fuzz_proc_slabinfo.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_slabinfo \
	"runtime/proc_slabinfo.c runtime/ht_path.c runtime/ht_buf.c" \
	"tests/fixtures/*/proc/slabinfo"
