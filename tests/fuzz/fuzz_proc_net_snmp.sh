#!/bin/sh
# libFuzzer target fuzz_proc_net_snmp (tests/fuzz/fuzz_proc_net_snmp.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_net_snmp \
	"runtime/proc_net_snmp.c runtime/ht_path.c runtime/ht_buf.c" \
	"tests/fixtures/*/proc/net/snmp tests/fixtures/*/proc/net/netstat"
