#!/bin/sh
# Leak verdict quality: healthtap's verdicts next to least squares + t,
# check_leak's rate filter and Mann-Kendall + Sen on the same synthetic
# series (bench/verdict_quality.c names them): accuracy, false positives,
# detection latency, rate error, and healthtap's as ratios to the best
# textbook rule's in the same run.
# Usage: bench/verdict-quality.sh [SEEDS]
set -eu
b=${top_builddir:-.}
prog=$b/bench/verdict_quality
if [ ! -x "$prog" ]; then
	echo "verdict-quality: $prog not built (run make first)" >&2
	exit 1
fi
"$prog" "${1:-20}"
