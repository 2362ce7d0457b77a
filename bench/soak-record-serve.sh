#!/bin/bash
# Soak of healthtap record + healthtap serve -d on the same DB: opt-in, not
# in make check or make bench (30 minutes by default).
#
#   bench/soak-record-serve.sh            # 30 min
#   SOAK_SECONDS=300 bench/soak-record-serve.sh
#
# For SOAK_SECONDS: record samples /proc every second, serve -d reads the DB
# every second and is scraped every second (/metrics over one keep-alive
# connection, /healthz), processes come and go all the time (pid churn: a
# few new short-lived processes a second), and at half time the DB is
# rotated (mv DB DB.old, SIGHUP). Printed: the RSS of both every minute and
# its ratio to the RSS after the warm-up (the reference, same run), samples
# expected against samples stored in both files and in recorded gaps (a
# recorder late on a busy host says so with a gap row: not a loss), scrapes
# failed. Exit 1 when a sample was lost without a gap, a scrape failed, or
# an RSS after the warm-up went past 1.25 times its reference.
#
# The warm-up is 11 minutes in a run of 20 or more: the recorder downsamples
# every 10 minutes, and that first run and SQLite's page cache (2 MB per
# connection by default) filling up are growth to a plateau, not a creep.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
HEALTHTAP="$top_builddir/healthtap"
SECONDS_TOTAL=${SOAK_SECONDS:-1800}
WARMUP=$((SECONDS_TOTAL < 1200 ? SECONDS_TOTAL / 5 : 660))
TMP=$(mktemp -d "${TMPDIR:-/tmp}/healthtap-soak.XXXXXX")
DB="$TMP/h.db"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
die() { echo "soak: $*" >&2; exit 1; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# the heap's part of it (RssFile is mapped code and the DB's -shm)
anon_kb() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

"$HEALTHTAP" record -d "$DB" -i 1s --stap off 2>"$TMP/record.err" &
rec=$!
pids+=("$rec")
for _ in $(seq 100); do [ -s "$DB" ] && break; sleep 0.1; done
[ -s "$DB" ] || die "record wrote no DB: $(cat "$TMP/record.err")"
"$HEALTHTAP" serve -d "$DB" -i 1s --listen 127.0.0.1:0 2>"$TMP/serve.err" &
srv=$!
pids+=("$srv")
port=
for _ in $(seq 100); do
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$TMP/serve.err")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || die "serve did not start: $(cat "$TMP/serve.err")"

# The scraper and the pid churn, for the whole run; each prints its
# figures when it ends.
python3 - "$port" "$SECONDS_TOTAL" >"$TMP/scrape.out" <<'PY' &
import http.client, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
conn = None
ok = failed = 0
worst = 0.0
fails = []
t0 = time.monotonic()
nxt = t0
while time.monotonic() < t0 + secs:
    for path in ("/metrics", "/healthz"):
        t = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            code = r.status
        except Exception as e:
            code, body = type(e).__name__, str(e).encode()
            conn = None
        worst = max(worst, time.monotonic() - t)
        if code == 200:
            ok += 1
        else:
            failed += 1
            # what serve said (a 503 says why), or the client's error
            fails.append("%.0f s %s %s after %.3f s: %s" % (t - t0, path, code, time.monotonic() - t,
                         body[:100].decode("utf-8", "replace").strip()))
    nxt += 1
    time.sleep(max(0, nxt - time.monotonic()))
print("scrapes %d ok %d failed, slowest %.3f s" % (ok, failed, worst))
for f in fails[:20]:
    print("failed at " + f)
PY
pids+=("$!")
scraper=$!
python3 - "$SECONDS_TOTAL" >"$TMP/churn.out" <<'PY' &
import random, subprocess, sys, time
end = time.monotonic() + float(sys.argv[1])
live, started = [], 0
while time.monotonic() < end:
    live = [p for p in live if p.poll() is None]
    while len(live) < 20:
        live.append(subprocess.Popen(["sleep", "%.1f" % random.uniform(0.3, 3.0)]))
        started += 1
    time.sleep(0.1)
for p in live:
    p.wait()
print("churn: %d short-lived processes started" % started)
PY
pids+=("$!")
churn=$!

# RSS every 10 s, a row a minute.
printf '%8s %12s %12s %12s %12s\n' "t (s)" "record kB" "(anon)" "serve kB" "(anon)"
t0=$(date +%s)
rotated=0 printed=-60
ref_rec=0 ref_srv=0 max_rec=0 max_srv=0 last_rec=0 last_srv=0
while :; do
	now=$(($(date +%s) - t0))
	kill -0 "$rec" 2>/dev/null || die "record died: $(tail -n 5 "$TMP/record.err")"
	kill -0 "$srv" 2>/dev/null || die "serve died: $(tail -n 5 "$TMP/serve.err")"
	last_rec=$(rss_kb "$rec") last_srv=$(rss_kb "$srv")
	if [ "$ref_rec" = 0 ] && [ "$now" -ge "$WARMUP" ]; then
		ref_rec=$last_rec ref_srv=$last_srv
	fi
	if [ "$ref_rec" != 0 ]; then	# the max after the warm-up
		[ "$last_rec" -gt "$max_rec" ] && max_rec=$last_rec
		[ "$last_srv" -gt "$max_srv" ] && max_srv=$last_srv
	fi
	if [ $((now - printed)) -ge 60 ] || [ "$now" -ge "$SECONDS_TOTAL" ]; then
		printf '%8d %12d %12d %12d %12d\n' "$now" "$last_rec" "$(anon_kb "$rec")" "$last_srv" "$(anon_kb "$srv")"
		printed=$now
	fi
	[ "$now" -ge "$SECONDS_TOTAL" ] && break
	if [ "$rotated" = 0 ] && [ "$now" -ge $((SECONDS_TOTAL / 2)) ]; then
		mv "$DB" "$DB.old"
		kill -HUP "$rec"
		rotated=$now
		echo "rotated at $now s: mv DB DB.old; kill -HUP"
	fi
	sleep 10
done
wait "$scraper" "$churn"
kill -TERM "$rec" "$srv"
wait "$rec" "$srv"

# Samples: every tick writes rows at its own t_ms (the churn guarantees a
# process seen for the first time); a session's ticks run from start_ms to
# last_ms every interval_ms.
count() {
	python3 - "$@" <<'PY'
import sqlite3, sys
exp = got = gapped = 0
for path in sys.argv[1:]:
    db = sqlite3.connect(path)
    for sid, start, last, iv in db.execute(
            "SELECT id, start_ms, last_ms, interval_ms FROM sessions WHERE last_ms IS NOT NULL"):
        exp += (last - start) // iv + 1
        got += db.execute(
            "SELECT count(*) FROM (SELECT t_ms FROM sys_samples WHERE t_ms BETWEEN ?1 AND ?2"
            " UNION SELECT t_ms FROM proc_samples WHERE t_ms BETWEEN ?1 AND ?2)",
            (start, last)).fetchone()[0]
        # a gap runs from the sample before the hole to the one after it
        for gs, ge in db.execute("SELECT start_ms, end_ms FROM gaps WHERE end_ms > ?1 AND start_ms < ?2",
                                 (start, last)):
            gapped += max(0, round((ge - gs) / iv) - 1)
    gaps = db.execute("SELECT count(*), coalesce(group_concat(reason, '; '), '') FROM gaps").fetchone()
    sess = db.execute("SELECT count(*) FROM sessions").fetchone()[0]
    print("%s: %d sessions, %d gaps %s" % (path.rsplit("/", 1)[-1], sess, gaps[0], gaps[1]))
print("samples expected %d stored %d, %d in recorded gaps (%d missing)" % (exp, got, gapped, exp - got - gapped))
PY
}
echo
cat "$TMP/churn.out" "$TMP/scrape.out"
count "$DB.old" "$DB" | tee "$TMP/count"
python3 - "$DB.old" "$DB" <<'PY'
import sqlite3, sys
old = sqlite3.connect(sys.argv[1]).execute("SELECT max(last_ms) FROM sessions").fetchone()[0]
new = sqlite3.connect(sys.argv[2]).execute("SELECT min(start_ms) FROM sessions").fetchone()[0]
print("rotation: the old file ends at %d, the new one starts %d ms later" % (old, new - old))
PY
echo "record RSS: $ref_rec kB after ${WARMUP} s (reference), max after it $max_rec, last $last_rec:" \
	"last/reference $(echo "scale=3; $last_rec / $ref_rec" | bc)"
echo "serve RSS: $ref_srv kB after ${WARMUP} s (reference), max after it $max_srv, last $last_srv:" \
	"last/reference $(echo "scale=3; $last_srv / $ref_srv" | bc)"
grep -E "lost|dropped|cannot" "$TMP/record.err" && echo "(record.err above)"
missing=$(sed -n 's/.*(\([0-9-]*\) missing)$/\1/p' "$TMP/count")
failed=$(sed -n 's/^scrapes [0-9]* ok \([0-9]*\) failed.*/\1/p' "$TMP/scrape.out")
# bounded: the max after the warm-up within 1.25 x the reference (x 4 / 5)
bounded=1
[ $((max_rec * 4)) -le $((ref_rec * 5)) ] || { echo "record RSS not bounded"; bounded=0; }
[ $((max_srv * 4)) -le $((ref_srv * 5)) ] || { echo "serve RSS not bounded"; bounded=0; }
[ "${missing:-1}" -le 0 ] && [ "${failed:-1}" = 0 ] && [ "$bounded" = 1 ] || exit 1
