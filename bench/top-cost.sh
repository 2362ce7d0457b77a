#!/bin/bash
# healthtap top's CPU time per refresh at 1,000 processes, against procps
# top measured in the same run (goal: cheaper than `top -b -n 1`).
#
# Spawns N sleeping processes (default 1000; BENCH_PROCS), killed by pid on
# exit. CPU time is user + system of the child, from getrusage(RUSAGE_CHILDREN)
# around each run; each figure is the median of 3 rounds. Both programs print
# every process to /dev/null.
#
#   healthtap, per refresh  (CPU of -n 21 minus CPU of -n 1) / 20: the
#                           steady state of a running dashboard
#   healthtap, one shot     CPU of `healthtap top -b -n 1` (2 samples and
#                           start-up: what a cron job pays)
#   healthtap screen        the same difference for the ncurses screen on an
#                           80x24 pseudo-terminal from script(1)
#   top -b -n 1             CPU of procps top's one-shot frame
#   top, per refresh        (CPU of top -b -n 21 minus -n 1) / 20
set -u
top_builddir=${top_builddir:-.}
HT="$top_builddir/healthtap"
N=${BENCH_PROCS:-1000}
[ -x "$HT" ] || { echo "top-cost: $HT not built (run make first)" >&2; exit 1; }
command -v top >/dev/null 2>&1 || { echo "top-cost: procps top not found: skipped"; exit 0; }
command -v python3 >/dev/null 2>&1 || { echo "top-cost: python3 not found: skipped"; exit 0; }

pids=()
cleanup() {
	[ "${#pids[@]}" -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT
for ((i = 0; i < N; i++)); do
	sleep 3600 &
	pids+=($!)
done
total=$(ls -d /proc/[0-9]* | wc -l)
echo "spawned $N sleeping processes; $total processes on the host"

HT="$HT" python3 - <<'PY'
import os, resource, shutil, statistics, subprocess

HT = os.environ["HT"]

def cpu(argv, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

def median(f, rounds=3):
    return statistics.median(f() for _ in range(rounds))

env = dict(os.environ, COLUMNS="200", LINES="60")
ht1 = median(lambda: cpu([HT, "top", "-b", "-n", "1", "-i", "100ms"]))
ht21 = median(lambda: cpu([HT, "top", "-b", "-n", "21", "-i", "100ms"]))
top1 = median(lambda: cpu(["top", "-b", "-n", "1"], env))
top21 = median(lambda: cpu(["top", "-b", "-n", "21", "-d", "0.1"], env))
ht_refresh = (ht21 - ht1) / 20
top_refresh = (top21 - top1) / 20
screen_refresh = None
if shutil.which("script"):
    # the full screen on an 80x24 pseudo-terminal (script(1) provides it);
    # script's own copying is counted too
    senv = dict(os.environ, TERM="xterm", COLUMNS="80", LINES="24")
    s1 = median(lambda: cpu(["script", "-qec", HT + " top -i 100ms -n 1", "/dev/null"], senv))
    s21 = median(lambda: cpu(["script", "-qec", HT + " top -i 100ms -n 21", "/dev/null"], senv))
    screen_refresh = (s21 - s1) / 20

print("healthtap top, per refresh:  %7.2f ms CPU" % (ht_refresh * 1e3))
if screen_refresh is not None:
    print("healthtap top screen, per refresh (80x24): %7.2f ms CPU" % (screen_refresh * 1e3))
print("healthtap top -b -n 1:       %7.2f ms CPU (start-up and 2 samples)" % (ht1 * 1e3))
print("top -b -n 1 (procps):        %7.2f ms CPU" % (top1 * 1e3))
print("top, per refresh (procps):   %7.2f ms CPU" % (top_refresh * 1e3))
print("ratio healthtap per refresh / top -b -n 1:    %.2fx %s" %
      (ht_refresh / top1, "(cheaper: goal met)" if ht_refresh < top1 else "(NOT cheaper)"))
print("ratio healthtap -n 1 / top -b -n 1:           %.2fx" % (ht1 / top1))
if top_refresh > 0:
    print("ratio per refresh, healthtap / top:           %.2fx" % (ht_refresh / top_refresh))
PY
