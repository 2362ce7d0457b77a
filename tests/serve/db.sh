#!/bin/sh
# healthtap serve -d DB: serves what 'healthtap record' writes (read-only,
# while the recorder runs), with a real leak found in the recorded history.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need curl
need python3

# A leak: 40 MiB/s for 40 s.
start_leak $((40 << 20))

db="$TMP/h.db"
"$HEALTHTAP" record -i 500ms -d "$db" --for 300s --stap off -q 2>"$TMP/rec.err" &
rec=$!
track "$rec"
wait_for test -s "$db" || fail "the recorder wrote no database"

expect_exit 2 "$HEALTHTAP" serve -d "$db" --stream /dev/null
expect_exit 2 "$HEALTHTAP" serve --db-host x
expect_exit 1 "$HEALTHTAP" serve -d "$TMP/none.db" --listen 127.0.0.1:0
grep -q "none.db" "$TMP/err" || fail "missing DB: $(cat "$TMP/err")"
pass "usage: -d with --stream or --db-host alone exit 2; a missing DB exits 1 naming it"

# A DB without the schema yet: while a writer holds its lock (a recorder
# that has just created it, on a busy host), serve waits for the schema;
# with no writer it says so at once.
: >"$TMP/late.db"
expect_exit 1 "$HEALTHTAP" serve -d "$TMP/late.db" --listen 127.0.0.1:0
grep -q "late.db is not a healthtap database" "$TMP/err" || fail "no schema: $(cat "$TMP/err")"
if command -v flock >/dev/null 2>&1; then
	flock "$TMP/late.db.lock" sleep 5 &
	holder=$!
	for _ in $(seq 100); do flock -n "$TMP/late.db.lock" true || break; sleep 0.1; done
	t0=$(date +%s%N)
	expect_exit 1 "$HEALTHTAP" serve -d "$TMP/late.db" --listen 127.0.0.1:0
	waited=$(( ($(date +%s%N) - t0) / 1000000 ))
	wait "$holder"
	[ "$waited" -ge 1000 ] || fail "serve did not wait while the lock was held ($waited ms)"
	pass "a DB without its schema: exit 1 at once with no writer, after waiting ($waited ms) while one holds the lock"
fi

start_agent d -d "$db" --interval 500ms --warmup 3s --top 1000
url="http://127.0.0.1:$d_port"
wait_for curl -sf "$url/healthz" || fail "/healthz never 200 in db mode: $(curl -s "$url/healthz")"

# Rates need two recorded samples.
has_rate() { curl -sf "$url/metrics" >"$TMP/m" && grep -q '^healthtap_context_switches_per_second [0-9]' "$TMP/m"; }
wait_for has_rate || fail "no ctxt rate from the DB"
grep -q '^healthtap_build_info{version="[^"]*",mode="db"} 1$' "$TMP/m" || fail "build_info mode not db"
memtotal=$(($(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 1024))
[ "$(metric_value "$TMP/m" healthtap_memory_total_bytes)" = "$memtotal" ] || fail "memory_total_bytes"
n=$(metric_value "$TMP/m" healthtap_processes)
[ "$n" -gt 10 ] || fail "only $n processes from the DB"
grep -q '^healthtap_context_switches_total' "$TMP/m" && fail "a counter the recorder does not store was invented"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TMP/m" || fail "promtool check metrics (db mode)"
fi
pass "db mode /metrics: mode=\"db\", MemTotal $memtotal, $n processes, rates; no invented counters"

# The snapshot follows the recorder (however late its next sample comes).
snap_time() { curl -sf "$url/api/v1/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["time_ms"])'; }
t0=$(snap_time)
moved() { t1=$(snap_time) && [ "$t1" -gt "$t0" ]; }
wait_for moved || fail "snapshot time did not move with the recorder in 30 s ($t0 -> $t1)"
pass "the snapshot follows the recorder: time_ms $t0 -> $t1"

has_leak() {
	curl -sf "$url/api/v1/leaks" >"$TMP/leaks.json" &&
	python3 - "$TMP/leaks.json" "$leak" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(not any(p["pid"] == int(sys.argv[2]) and p["risk"] > 0 for p in d["leaks"]))
PY
}
wait_for has_leak || { cat "$TMP/leaks.json" >&2; fail "the leak never showed in db mode"; }
python3 - "$TMP/leaks.json" "$leak" <<'PY' || fail "db leak figures"
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["leaks"] if p["pid"] == int(sys.argv[2])][0]
assert d["mode"] == "db"
assert 20e6 < p["rate"] < 60e6, p["rate"]          # 40 MiB/s nominal
assert p["r2"] > 0.9 and p["limit"] == "system" and 0 < p["eta_s"] < 1e6, p
assert p["comm"] == "leaker", p["comm"]
print("ok: db leak: pid %d %s rate %.1f MB/s r2 %.3f eta %.0f s" %
      (p["pid"], p["comm"], p["rate"] / 1e6, p["r2"], p["eta_s"]))
PY

curl -sf "$url/api/v1/processes/$leak/series?points=8" >"$TMP/series.json" || fail "series in db mode"
python3 - "$TMP/series.json" "$leak" <<'PY' || fail "db series"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["pid"] == int(sys.argv[2]) and len(d["rss"]) == 8, d
ts = [t for t, v in d["rss"]]
assert ts == sorted(ts) and abs(d["now_ms"] - ts[-1] * 1000) < 1, (ts, d["now_ms"])
assert d["rss"][-1][1] > d["rss"][0][1]
print("ok: db series: 8 points over %.1f s, RSS %d -> %d" % (ts[-1] - ts[0], d["rss"][0][1], d["rss"][-1][1]))
PY
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/processes/1/series?start_time=999999999")" = 404 ] ||
	fail "db series with a wrong start_time not 404"

# A host the DB does not have: it starts, and /healthz says why it is 503.
start_agent nohost -d "$db" --db-host no-such-host --interval 500ms
grep -q 'no samples of host no-such-host' "$TMP/nohost.err" || fail "no-host message: $(cat "$TMP/nohost.err")"
[ "$(curl -s -o "$TMP/body" -w '%{http_code}' "http://127.0.0.1:$nohost_port/healthz")" = 503 ] ||
	fail "/healthz not 503 for an unknown --db-host"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$nohost_port/metrics")" = 503 ] ||
	fail "/metrics not 503 for an unknown --db-host"
pass "--db-host no-such-host: starts, /healthz and /metrics 503 ($(cat "$TMP/body"))"

# The recorder is late (stopped here; an overloaded host does the same):
# while it holds its lock, /healthz stays 200 and says how late it is
# (it was 503 past 3 intervals + 5 s: a busy CI host failed scrapes).
kill -STOP "$rec"
health() { curl -s --max-time 5 -w '%{http_code}' "$url/healthz" | tr '\n' ' '; }
late() { health | grep -q "^ok: latest sample is .* s old; recorder pid $rec runs (a busy host) 200$"; }
wait_for late || { kill -CONT "$rec"; fail "/healthz while the recorder is late: $(health)"; }
kill -CONT "$rec"
pass "recorder late but running: /healthz 200 ($(health))"

# The recorder stops: /healthz turns 503 once its latest sample is old.
kill "$leak" 2>/dev/null || true	# it may have ended (40 s)
kill "$rec"
wait "$rec" || true
stale() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")" = 503 ]; }
wait_for stale || fail "/healthz still 200 after the recorder stopped"
curl -s "$url/healthz" | grep -q 'is healthtap record running' || fail "503 without the reason"
pass "recorder stopped: /healthz 503 ($(curl -s "$url/healthz"))"

# A DB holding values outside int64_t (2^63, as REAL): left out, never a
# wrapped number (it served -9.223372036854776e+18; UBSan: double to long
# out of range at serve_db.c).
big=9223372036854775807
{
	printf '#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000\n'
	for t in 1000 2000; do
		printf '%s sched switches %s\n%s sched switches 5 cpu=0\n%s sched batch 1\n' $t $big $t $t
	done
} >"$TMP/big.stream"
expect_exit 0 "$HEALTHTAP" import -d "$TMP/big.db" --host bighost "$TMP/big.stream"
start_agent b -d "$TMP/big.db" --db-host bighost --interval 500ms
curl -sf "http://127.0.0.1:$b_port/metrics" >"$TMP/bm" || fail "no /metrics from the big DB"
! grep -q '^healthtap_probe_sched_switches ' "$TMP/bm" || fail "an out-of-range value served: $(grep '^healthtap_probe_sched_switches' "$TMP/bm")"
grep -q '^healthtap_probe_sched_switches{cpu="0"} 5$' "$TMP/bm" || fail "the in-range record is missing"
pass "db mode: a stored 2^63 is left out, the in-range record served"

# Rotation (mv DB DB.old; kill -HUP the recorder): serve -d follows the path
# to the new file once it holds samples (it kept reading DB.old for ever).
rdb="$TMP/r.db"
"$HEALTHTAP" record -i 300ms -d "$rdb" --for 60s --stap off -q 2>"$TMP/rrec.err" &
rrec=$!
track "$rrec"
wait_for test -s "$rdb" || fail "the second recorder wrote no database"
start_agent r -d "$rdb" --interval 300ms
rurl="http://127.0.0.1:$r_port"
wait_for curl -sf "$rurl/healthz" || fail "/healthz never 200 before the rotation"
mv "$rdb" "$rdb.old"
kill -HUP "$rrec"
wait_for test -s "$rdb" || fail "the recorder did not reopen $rdb: $(cat "$TMP/rrec.err")"
old_last() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT coalesce(max(coalesce(last_ms, start_ms)), 0) FROM sessions").fetchone()[0])' "$rdb.old"; }
followed() { t=$(snap_time_of "$rurl") && [ "$t" -gt "$(old_last)" ]; }
snap_time_of() { curl -sf "$1/api/v1/snapshot" | python3 -c 'import json,sys; print(json.load(sys.stdin)["time_ms"])'; }
wait_for followed || fail "serve -d still reads the rotated file: snapshot $(snap_time_of "$rurl"), old file's last $(old_last)"
[ "$(curl -s "$rurl/healthz")" = ok ] || fail "/healthz after the rotation: $(curl -s "$rurl/healthz")"
pass "rotation: serve -d follows the path to the new file (snapshot $t ms, the old file ends at $(old_last))"

