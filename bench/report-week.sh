#!/bin/bash
# healthtap report over a synthetic week for 2,000 processes. Goal: under
# 10 s, most of it gnuplot. The reference, measured in the same run, is the
# same report with gnuplot replaced by true: what healthtap itself costs.
set -eu
b=${top_builddir:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=${BENCH_PROCS:-2000}
echo "generating a synthetic week for $n processes..."
start=$(date +%s.%N)
"$b/bench/bench_report_week" "$tmp/week.db" "$n"
echo "  generated in $(echo "$(date +%s.%N) - $start" | bc) s, $(du -h "$tmp/week.db" | cut -f1)"

run() {		# label, gnuplot: prints wall seconds (best of 3)
	local best=999 t s
	for _ in 1 2 3; do
		rm -rf "$tmp/out"
		s=$(date +%s.%N)
		HEALTHTAP_GNUPLOT=$2 "$b/healthtap" report -d "$tmp/week.db" -o "$tmp/out" \
			--format png --top 5 2>/dev/null || [ "$2" != gnuplot ]
		t=$(echo "$(date +%s.%N) - $s" | bc)
		best=$(echo "if ($t < $best) $t else $best" | bc)
	done
	echo "$best"
}
full=$(run full gnuplot)
ours=$(run healthtap-only true)
printf 'report, week x %d processes: %.2f s (goal 10 s: %.2fx of goal)\n' "$n" "$full" "$(echo "$full / 10" | bc -l)"
printf 'without gnuplot (reference): %.2f s; gnuplot share %.0f%%\n' "$ours" \
	"$(echo "100 * ($full - $ours) / $full" | bc -l)"
