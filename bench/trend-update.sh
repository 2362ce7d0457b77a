#!/bin/sh
# Cost of a trend update per sample (ns), against a plain loop summing the
# same values into the same per-figure slots, measured in the same run; and
# the cost of a fit and of a full analysis, for scale.
# Usage: bench/trend-update.sh [FIGURES [ROUNDS]]
set -eu
b=${top_builddir:-.}
prog=$b/bench/bench_trend_update
if [ ! -x "$prog" ]; then
	echo "trend-update: $prog not built (run make first)" >&2
	exit 1
fi
"$prog" "${1:-10000}" "${2:-100}"
