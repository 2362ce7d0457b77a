#!/bin/sh
# libFuzzer target fuzz_proc_net_sock (tests/fuzz/fuzz_proc_net_sock.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_net_sock \
	"runtime/proc_net_sock.c runtime/ht_path.c runtime/ht_buf.c" \
	"tests/fixtures/*/proc/net/udp* tests/fixtures/*/proc/net/tcp*"
