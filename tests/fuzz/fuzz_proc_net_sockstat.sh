#!/bin/sh
# libFuzzer target fuzz_proc_net_sockstat (tests/fuzz/fuzz_proc_net_sockstat.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_net_sockstat \
	"runtime/proc_net_sockstat.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/net/sockstat*"
