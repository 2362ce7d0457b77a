#!/bin/bash
# healthtap soak against a real fake server that leaks a known amount per
# config call, and one that does not.
. "${top_srcdir:-.}/tests/lib.sh"
# A server name of this run's own, so that finding it by name cannot pick
# another run's server; and a client with another name than the server.
NAME="fakesrv$$"
cp "$top_builddir/tests/soak/fakeserver" "$TMP/$NAME"
FAKE="$TMP/$NAME"
LEAK=102400			# bytes per config call
ln -s "$FAKE" "$TMP/fakeclient"
servers=()
cleanup() { for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$TMP"; }
trap cleanup EXIT

start_server() {	# mode sock -> pid in $server
	"$FAKE" "$1" "$LEAK" "$2" &
	server=$!
	servers+=("$server")
	for _ in $(seq 100); do [ -S "$2" ] && return 0; sleep 0.05; done
	fail "fake server did not start"
}

json() { python3 -c "import json,sys; d=json.load(open('$TMP/out')); print($1)"; }

# 1. A leaker: verdict, bytes per round within 10%, the heap grew, a chart.
start_server --leak "$TMP/leak.sock"
expect_exit 1 "$HEALTHTAP" soak --target "$server" --rounds 12 --settle 100ms --json \
	--charts "$TMP/charts" -- "$TMP/fakeclient" --send "$TMP/leak.sock"
[ "$(json 'd["targets"][0]["verdict"]')" = leak ] || fail "leaker not judged a leak"
json 'd["targets"][0]["growth_bytes_per_round"]' >"$TMP/rate"
python3 -c "r=float(open('$TMP/rate').read()); assert abs(r-$LEAK)/$LEAK < 0.10, r" ||
	fail "growth $(cat "$TMP/rate") B/round, want $LEAK within 10%"
heap=$(json '[m["private_dirty_delta_bytes"] for m in d["targets"][0]["mappings_grown"] if m["path"]=="[heap]"][0]')
python3 -c "h=$heap; want=12*$LEAK; assert abs(h-want)/want < 0.10, h" ||
	fail "heap grew $heap bytes over 12 calls of $LEAK"
[ "$(json 'd["rounds_run"]')" = 12 ] || fail "rounds_run"
[ "$(json 'len(d["targets"][0]["samples"])')" = 13 ] || fail "want round 0 plus 12 samples"
svg="$TMP/charts/soak-$server.svg"
python3 - "$svg" <<'PY' || fail "chart is not a plotted SVG"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
paths = [e for e in root.iter() if e.tag.endswith('path')]
assert len(paths) > 10, len(paths)
PY
[ -s "$TMP/charts/soak-$server.dat" ] && [ -s "$TMP/charts/soak-$server.gp" ] || fail "chart data and script kept"
pass "leaker: $(cat "$TMP/rate") B/round (known $LEAK), heap +$heap B"

# 2. The text report of the same kind names the growing region.
expect_exit 1 "$HEALTHTAP" soak -t "$server" -n 5 -s 100ms -- "$TMP/fakeclient" --send "$TMP/leak.sock"
grep -q "leaks" "$TMP/out" || fail "text verdict"
grep -Eq 'private dirty .*\[heap\]' "$TMP/out" || fail "maps diff does not show the heap"
grep -q "^other processes whose RSS changed" "$TMP/out" || fail "others section"
pass "text report"

# 3. A server that frees what it allocates does not leak.
start_server --no-leak "$TMP/ok.sock"
expect_exit 0 "$HEALTHTAP" soak --target "$server" --rounds 10 --settle 100ms --json \
	-- "$TMP/fakeclient" --send "$TMP/ok.sock"
[ "$(json 'd["targets"][0]["verdict"]')" = no_leak ] || fail "non-leaker judged $(json 'd["targets"][0]["verdict"]')"
pass "non-leaker: no leak"

# 4. By name, a restart mid-soak is followed to the new pid (by name the
# oldest fakeserver is taken: stop the earlier ones first).
for p in "${servers[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
start_server --leak "$TMP/r.sock"
first=$server
cat >"$TMP/step.sh" <<STEP
#!/bin/bash
n=\$(( \$(cat "$TMP/count" 2>/dev/null || echo 0) + 1 )); echo \$n >"$TMP/count"
if [ \$n -eq 4 ]; then
	kill $first; sleep 0.2
	"$FAKE" --leak $LEAK "$TMP/r.sock" & echo \$! >"$TMP/second"
	for i in \$(seq 100); do [ -S "$TMP/r.sock" ] && break; sleep 0.05; done
	sleep 0.2
fi
exec "$TMP/fakeclient" --send "$TMP/r.sock"
STEP
chmod +x "$TMP/step.sh"
"$HEALTHTAP" soak --target "$NAME" --rounds 10 --settle 100ms --json -- "$TMP/step.sh" \
	>"$TMP/out" 2>"$TMP/err" || true
second=$(cat "$TMP/second"); servers+=("$second")
[ "$(json 'd["targets"][0]["restarts"]')" = 1 ] || { cat "$TMP/err" "$TMP/out" >&2; fail "restart not seen"; }
[ "$(json 'd["targets"][0]["pid"]')" = "$second" ] || fail "new pid not followed"
grep -q "restarted: pid $first -> $second" "$TMP/err" || fail "restart not reported"
pass "restart followed by name ($first -> $second)"

# 5. A failing step stops the soak (inconclusive, 3) or is skipped past.
expect_exit 3 "$HEALTHTAP" soak -t "$second" -n 5 -s 50ms --json -- false
[ "$(json 'd["rounds_failed"]')" = 1 ] || fail "failed round count"
cat >"$TMP/flaky.sh" <<STEP
#!/bin/bash
n=\$(( \$(cat "$TMP/fcount" 2>/dev/null || echo 0) + 1 )); echo \$n >"$TMP/fcount"
[ \$n -ne 3 ] || exit 1
exec "$TMP/fakeclient" --send "$TMP/r.sock"
STEP
chmod +x "$TMP/flaky.sh"
expect_exit 1 "$HEALTHTAP" soak -t "$second" -n 8 -s 100ms -k --json -- "$TMP/flaky.sh"
[ "$(json 'd["rounds_failed"]')" = 1 ] && [ "$(json 'd["rounds_run"]')" = 8 ] || fail "keep-going counts"
[ "$(json 'len(d["targets"][0]["samples"])')" = 8 ] || fail "a failed round must not be sampled"
pass "failing steps"

# 6. Ctrl-C prints the partial verdict.
"$HEALTHTAP" soak -t "$second" -n 1000 -s 50ms --json -- "$TMP/fakeclient" --send "$TMP/r.sock" \
	>"$TMP/out" 2>"$TMP/err" &
soak=$!
for _ in $(seq 200); do grep -q "^round 5/" "$TMP/err" 2>/dev/null && break; sleep 0.05; done
kill -INT $soak
wait $soak || true
[ "$(json 'd["interrupted"]')" = True ] || fail "not marked interrupted"
python3 -c "import json; d=json.load(open('$TMP/out')); assert 5 <= d['rounds_run'] < 1000, d['rounds_run']" ||
	fail "partial rounds"
pass "Ctrl-C gives a partial verdict"

# 7. Usage and target errors.
expect_exit 2 "$HEALTHTAP" soak --rounds 5 -- true
grep -q "no --target" "$TMP/err" || fail "missing target message"
expect_exit 2 "$HEALTHTAP" soak -t 1 -- true
expect_exit 2 "$HEALTHTAP" soak -t 1 -n 5
expect_exit 2 "$HEALTHTAP" soak -t 1 -n 2 -- true
expect_exit 2 "$HEALTHTAP" soak --bogus
expect_exit 3 "$HEALTHTAP" soak -t no-such-process-name -n 5 -- true
grep -q "cannot find target no-such-process-name: no such process" "$TMP/err" || fail "target error"
pass "usage errors"
