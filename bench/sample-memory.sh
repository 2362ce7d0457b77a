#!/bin/sh
# Sampling every process's memory at about 1,000 and 10,000 processes:
# ht_proctable_sample() against a minimal kept-fd pread loop over
# /proc/PID/statm and against `ps -e -o pid,rss`, measured in the same run
# (CPU time per sample, medians). Goals (issue 3): within 1.5x of the minimal
# loop, at least 20x cheaper than ps.
#
# Spawns N sleeping processes per run (bench/bench_sample forks and reaps
# them). When pid_max, threads-max, the process limit or the open-file limit
# cannot hold N more processes, N is scaled down and the run says so.
set -u
top_builddir=${top_builddir:-.}
prog="$top_builddir/bench/bench_sample"
samples=${SAMPLES:-10}	# per round; 3 rounds
if [ ! -x "$prog" ]; then
	echo "sample-memory: $prog not built (run make first)" >&2
	exit 1
fi
command -v ps >/dev/null 2>&1 || { echo "sample-memory: ps not found: skipped"; exit 0; }

existing=$(ls /proc | grep -c '^[0-9]')
pid_max=$(cat /proc/sys/kernel/pid_max 2>/dev/null || echo 32768)
threads_max=$(cat /proc/sys/kernel/threads-max 2>/dev/null || echo 32768)
nproc_lim=$(ulimit -u 2>/dev/null || echo unlimited)
nofile_hard=$(ulimit -Hn 2>/dev/null || echo unlimited)

# How many more processes this host takes, keeping a quarter of the headroom
# for everyone else on it.
room() {
	r=$(( (pid_max - existing) * 3 / 4 ))
	t=$(( (threads_max - existing) * 3 / 4 ))
	[ "$t" -lt "$r" ] && r=$t
	if [ "$nproc_lim" != unlimited ]; then
		t=$(( (nproc_lim - existing) * 3 / 4 ))
		[ "$t" -lt "$r" ] && r=$t
	fi
	if [ "$nofile_hard" != unlimited ]; then
		t=$(( nofile_hard - existing - 200 ))	# one statm fd per process
		[ "$t" -lt "$r" ] && r=$t
	fi
	echo "$r"
}

max=$(room)
echo "host: $existing processes, pid_max $pid_max, threads-max $threads_max, ulimit -u $nproc_lim, ulimit -Hn $nofile_hard"
for target in 1000 10000; do
	n=$(( target - existing ))
	[ "$n" -lt 0 ] && n=0
	if [ "$n" -gt "$max" ]; then
		echo "note: $target processes do not fit the limits above; running with $max more instead"
		n=$max
	fi
	echo "-- about $target processes"
	"$prog" "$n" "$samples" || exit 1
done
