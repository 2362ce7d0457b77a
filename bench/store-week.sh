#!/bin/sh
# The history store on a synthetic week: 5 s samples for 2,000 processes
# written through ht_store (change-only rows, downsampled to per-minute
# buckets after a day), DB size against the goal (500 MB) and against the
# raw size of the same samples (5 x u64 per process-sample), in the same run;
# then the recorder's CPU per sample against /proc sampling alone.
set -eu
b=${top_builddir:-.}
# tmpfs when there is one: the size is measured, not the disk
[ -d /dev/shm ] && [ -w /dev/shm ] && : "${TMPDIR:=/dev/shm}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/store-week.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$b/bench/store-week" "$tmp/week.db" "${BENCH_PROCS:-2000}" "${BENCH_DAYS:-7}"
sqlite3 "$tmp/week.db" "SELECT 'rows: ' || (SELECT count(*) FROM proc_samples) || ' samples (last day), '
	|| (SELECT count(*) FROM proc_buckets) || ' per-minute buckets, integrity ' ||
	(SELECT integrity_check FROM pragma_integrity_check)" 2>/dev/null || true
# The recorder's CPU per sample at 1,000 processes against /proc sampling
# alone, alternating the two in the same run (goal 1.3x).
"$b/bench/store-week" --overhead "$tmp/overhead.db" "${BENCH_OVERHEAD_PROCS:-1000}" 30
