#!/bin/bash
# What health.sched adds per context switch under the bpf runtime: a
# switch-heavy load (tests/helpers/switcher, two processes bouncing a byte)
# counts context switches per second without stap (before and after), and
# while 'probe health.sched {}' runs; prints the rates and their ratio.
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
base1=$(rate "$SECS")
out=$(mktemp)
"$HARNESS" run -e "probe health.sched {} probe timer.s($((SECS + 3))) { exit() }" >"$out" 2>&1 &
stap=$!
# wait until the tapset runs (its header is out)
for i in $(seq 1 120); do grep -q '^#healthtap' "$out" && break; sleep 0.5; done
with=$(rate "$SECS")
wait $stap || true
grep -q '^#healthtap' "$out" || { cat "$out" >&2; rm -f "$out"; echo "tapset-overhead: stap did not start" >&2; exit 1; }
rm -f "$out"
# the machine may be shared: the reference is the mean of a run before and
# a run after
base2=$(rate "$SECS")
base=$(((base1 + base2) / 2))
echo "switches/s without stap: $base ($base1 before, $base2 after)"
echo "switches/s with health.sched: $with"
awk -v a="$base" -v b="$with" 'BEGIN { if (b > 0) printf("ratio without/with: %.3f (cost per switch %.0f ns)\n", a / b, 1e9 / b - 1e9 / a) }'
