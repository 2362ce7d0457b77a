#!/bin/sh
# libFuzzer target fuzz_stream (tests/fuzz/fuzz_stream.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_stream \
	"runtime/ht_stream.c runtime/ht_protocol.c" \
	"tests/fuzz/seeds/stream/*"
