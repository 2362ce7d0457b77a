#!/bin/bash
# What health.sched adds per context switch under the bpf runtime: a
# switch-heavy load (tests/helpers/switcher, two processes bouncing a byte)
# counts its round trips for a few seconds without stap, then while
# 'probe health.sched {}' runs; prints both rates and their ratio.
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
# rate SECS: context switches per second over SECS while the switcher runs
rate() {
	local a b
	"$SWITCHER" $(($1 + 1)) &
	local pid=$!
	sleep 0.5
	a=$(ctxt); sleep "$1"; b=$(ctxt)
	wait $pid 2>/dev/null || true
	echo $(((b - a) / $1))
}
base=$(rate "$SECS")
out=$(mktemp)
"$HARNESS" run -e "probe health.sched {} probe timer.s($((SECS + 3))) { exit() }" >"$out" 2>&1 &
stap=$!
# wait until the tapset runs (its header is out)
for i in $(seq 1 120); do grep -q '^#healthtap' "$out" && break; sleep 0.5; done
with=$(rate "$SECS")
wait $stap || true
rm -f "$out"
echo "switches/s without stap: $base"
echo "switches/s with health.sched: $with"
awk -v a="$base" -v b="$with" 'BEGIN { if (b > 0) printf("ratio without/with: %.3f (cost per switch %.0f ns)\n", a / b, 1e9 / b - 1e9 / a) }'
