#!/bin/sh
# Every DB reader judges a process by its real age (procs.start_time), not
# by how long it was recorded: serve -d and report agree with leaks -d.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need curl
need python3
need gnuplot

# 40 s of a recorder still running (tests/leaks/mkdb): 'plateau' started an
# hour before and climbs 20 KB/s; 'early' started 2 s after the recorder and
# climbs 1 MiB/s, 38 s old: younger than the 60 s minimum age.
"$top_builddir/tests/leaks/mkdb" "$TMP/open.db" 40 open || fail "mkdb"

start_agent d -d "$TMP/open.db" --interval 500ms
url="http://127.0.0.1:$d_port"
wait_for curl -sf --max-time 5 "$url/api/v1/snapshot" -o "$TMP/snap.json" ||
	fail "no snapshot: $(cat "$TMP/d.err")"
python3 - "$TMP/snap.json" <<'PY' || fail "serve -d ages"
import json, sys
procs = {p["comm"]: p for p in json.load(open(sys.argv[1]))["processes"]}
old, young = procs["plateau"], procs["early"]
# recorded 39 s, but an hour old: its climb is a risk already
assert old["observed_s"] < 60 and old["risk"] > 0, old
# 38 s old: too young to be a risk, however steep
assert young["risk"] == 0 and young["rate"] > old["rate"], young
PY
pass "serve -d: an hour-old process recorded 39 s is judged, a 38 s old one is young"

# report: the same DB, ended, read for its trend table
"$top_builddir/tests/leaks/mkdb" "$TMP/ended.db" 40 || fail "mkdb ended"
expect_exit 0 "$HEALTHTAP" report -d "$TMP/ended.db" -o "$TMP/r" --format svg --top 1
verdict() { awk -F, -v s="\"rss $1\"" '$2 == s { print $NF }' "$TMP/r/trends.csv"; }
[ "$(verdict "plateau pid=104")" = '"leaking"' ] || fail "report plateau: $(verdict "plateau pid=104")"
[ "$(verdict "early pid=106")" = '"inconclusive"' ] || fail "report early: $(verdict "early pid=106")"
pass "report: verdicts from real ages (old plateau leaking, early young)"
