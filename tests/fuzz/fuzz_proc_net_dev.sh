#!/bin/sh
# libFuzzer target fuzz_proc_net_dev (tests/fuzz/fuzz_proc_net_dev.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_net_dev \
	"runtime/proc_net_dev.c runtime/ht_path.c runtime/ht_buf.c" \
	"tests/fixtures/*/proc/net/dev"
