#!/bin/sh
# Stream parser throughput in records/s, and as a ratio against two
# references over the same bytes in the same run: a newline count (what
# `wc -l` does) and an fgets + sscanf loop splitting the same fields.
# Usage: bench/stream-parse.sh [RECORDS]   (from `make bench`, or with
# top_builddir set to the build tree)
set -eu
b=${top_builddir:-.}
prog=$b/bench/bench_stream_parse
if [ ! -x "$prog" ]; then
	echo "stream-parse: $prog not built (run make first)" >&2
	exit 1
fi
"$prog" "${1:-1000000}"
