#!/bin/bash
# What health.sched adds per context switch under the bpf runtime: a
# switch-heavy load (tests/helpers/switcher, two processes bouncing a byte)
# counts context switches per second without stap (before and after), while
# 'probe health.sched {}' runs, and while the reference runs: a minimal
# counting probe (one counter on sched_switch); prints the rates, the cost
# per switch of each, and health.sched's cost over the reference's (goal:
# at most 1.3x).
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
HARNESS="$top_srcdir/tests/stap/harness"
SWITCHER="$top_builddir/tests/helpers/switcher"
SECS=${SECS:-5}
if ! reason=$("$HARNESS" check); then
	echo "tapset-overhead: skipped: $reason"
	exit 0
fi
"$HARNESS" prepare
[ -x "$SWITCHER" ] || { echo "tapset-overhead: build $SWITCHER first (make check)" >&2; exit 1; }

ctxt() { awk '$1 == "ctxt" { print $2 }' /proc/stat; }
# rate SECS: context switches per second over SECS while the switcher runs.
# The switcher's child outlives its parent (it holds both pipes): kill both.
rate() {
	local a b pid
	"$SWITCHER" $(($1 + 5)) >/dev/null &
	pid=$!
	sleep 0.5
	a=$(ctxt); sleep "$1"; b=$(ctxt)
	pkill -P $pid 2>/dev/null || true
	kill $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	echo $(((b - a) / $1))
}
# with_probe SCRIPT: the switch rate while SCRIPT runs under the bpf runtime.
with_probe() {
	local out stap w
	out=$(mktemp)
	"$HARNESS" run -e "$1 probe timer.s($((SECS + 3))) { exit() }" >"$out" 2>&1 &
	stap=$!
	# wait until the probes run (the script's first line is out)
	for i in $(seq 1 240); do [ -s "$out" ] && break; sleep 0.5; done
	w=$(rate "$SECS")
	wait $stap || true
	[ -s "$out" ] || { cat "$out" >&2; rm -f "$out"; echo "tapset-overhead: stap did not start" >&2; exit 1; }
	rm -f "$out"
	echo "$w"
}
# The machine may be shared: each probe's reference is the mean of the runs
# without stap just before and just after it.
base1=$(rate "$SECS")
with=$(with_probe 'probe health.sched {}')
base2=$(rate "$SECS")
# The reference: the least a counting probe costs, one counter on
# sched_switch (it prints a line at start so that we know it runs).
minimal=$(with_probe 'global n probe begin { printf("running\n") } probe kernel.trace("sched:sched_switch") { n++ }')
base3=$(rate "$SECS")
base=$(((base1 + base2) / 2))
basem=$(((base2 + base3) / 2))
echo "switches/s without stap: $base1, $base2, $base3 (before, between, after)"
echo "switches/s with health.sched: $with"
echo "switches/s with a minimal counting probe: $minimal"
awk -v a="$base" -v b="$with" -v am="$basem" -v m="$minimal" 'BEGIN {
	if (b <= 0 || m <= 0) exit
	h = 1e9 / b - 1e9 / a; r = 1e9 / m - 1e9 / am
	printf("ratio without/with: %.3f (cost per switch %.0f ns)\n", a / b, h)
	printf("minimal probe: cost per switch %.0f ns\n", r)
	if (r > 0 && h > 0)
		printf("health.sched / minimal probe: %.2fx (goal: at most 1.3x) %s\n", h / r,
		       h / r <= 1.3 ? "met" : "missed")
	else
		printf("health.sched / minimal probe: not measured (a cost below the noise of the runs without stap: the machine is busy)\n")
}'
