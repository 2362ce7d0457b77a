#!/bin/bash
# healthtap report on DBs made through the store API: gnuplot really runs,
# PNG and SVG files are valid and plotted, verdicts and slopes are right,
# two DBs show side by side, and the dumb output matches its golden file.
. "${top_srcdir:-.}/tests/lib.sh"
MKDB="$top_builddir/tests/report/mkdb"
LEAK=20480
"$MKDB" "$TMP/alpha.db" alpha 2 $LEAK || fail "mkdb alpha"
"$MKDB" "$TMP/beta.db" beta 1 10240 || fail "mkdb beta"

# 1. The HTML page: two hosts, every chart inline and plotted.
expect_exit 0 "$HEALTHTAP" report -d "$TMP/alpha.db" -d "$TMP/beta.db" -o "$TMP/html" --keep
grep -q "report: $TMP/html/index.html (20 charts, 2 hosts)" "$TMP/err" || { cat "$TMP/err"; fail "summary line"; }
python3 - "$TMP/html/index.html" <<'PY' || fail "HTML page"
import re, sys, xml.etree.ElementTree as ET
html = open(sys.argv[1]).read()
svgs = re.findall(r'<svg.*?</svg>', html, re.S)
assert len(svgs) == 20, len(svgs)
for s in svgs:
    root = ET.fromstring(s)
    paths = [e for e in root.iter() if e.tag.endswith('path')]
    assert len(paths) >= 4, len(paths)
assert '<h2>alpha</h2>' in html and '<h2>beta</h2>' in html
assert 'grid-template-columns:repeat(2,' in html
assert 'http://' not in html.replace('http://www.w3.org', '')   # no network
# "to limit" through fmt_duration, as every command says it: the leaker's
# days away in days (not "86.4 h"), a process not growing toward it "never"
cells = dict(re.findall(r'<td>(leaker|steady)</td>(?:<td class="n">[^<]*</td>){3}'
                        r'<td class="n">([^<]*)</td>', html))
assert re.fullmatch(r'[0-9.]+ d', cells['leaker']), cells
assert cells['steady'] == 'never', cells
PY
rows=$(grep -vc '^#' "$TMP/html/alpha-memory.dat")
[ "$rows" -ge 500 ] || fail "memory data has $rows rows"
[ -s "$TMP/html/alpha-memory.gp" ] || fail "--keep keeps the gnuplot script"
(cd "$TMP/html" && gnuplot alpha-memory.gp) || fail "a kept script re-plots by hand"
pass "html page: 20 inline charts for 2 hosts"

# 2. Trend tables: verdicts and the leaker's slope.
python3 - "$TMP/html/trends.json" $LEAK <<'PY' || fail "trend table"
import json, sys
rows = {(r["host"], r["series"]): r for r in json.load(open(sys.argv[1]))}
leak = float(sys.argv[2])
r = rows[("alpha", "rss leaker pid=100")]
assert r["verdict"] == "leaking", r
assert abs(r["slope_per_s"] - leak) / leak < 0.05, r
for name in ("rss steady pid=200", "rss stepper pid=300", "rss sawtooth pid=400"):
    assert rows[("alpha", name)]["verdict"] != "leaking", rows[("alpha", name)]
assert rows[("alpha", "mem_available")]["verdict"] == "falling"
assert abs(rows[("alpha", "mem_available")]["slope_per_s"] + leak) / leak < 0.05
assert rows[("beta", "rss leaker pid=100")]["verdict"] == "leaking"
assert rows[("alpha", "softirq_rate vec=TIMER")]["unit"] == "1/s"
PY
head -1 "$TMP/html/trends.csv" | grep -q '^host,series,unit,start,end,min,max,slope_per_s,r2,verdict$' || fail "csv header"
grep -q '^| alpha | `rss leaker pid=100` |' "$TMP/html/trends.md" || fail "markdown row"
grep -Eq '^alpha +rss leaker pid=100 .* 20.0 KiB/s .* leaking$' "$TMP/html/trends.txt" || fail "text row"
pass "trend tables"

# 3. PNG files: header and size.
expect_exit 0 "$HEALTHTAP" report -d "$TMP/alpha.db" -o "$TMP/png" --format png --pid 100
python3 - "$TMP/png/alpha-proc-100-1.png" <<'PY' || fail "PNG"
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
w, h = struct.unpack('>II', d[16:24])
assert (w, h) == (900, 540), (w, h)
assert len(d) > 10000, len(d)
PY
[ ! -e "$TMP/png/alpha-proc-100-1.dat" ] || fail "data files are removed without --keep"
[ "$(ls "$TMP/png"/*.png | wc -l)" -eq 7 ] || fail "want 6 host charts and 1 process chart"
pass "png charts"

# 4. SVG files parse as XML and hold the plotted data.
expect_exit 0 "$HEALTHTAP" report -d "$TMP/alpha.db" -o "$TMP/svg" --format svg --name stepper
python3 - "$TMP/svg/alpha-proc-300-3.svg" <<'PY' || fail "SVG"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert len([e for e in root.iter() if e.tag.endswith('path')]) >= 6
PY
pass "svg charts"

# 5. Text charts on a fixture DB, golden.
expect_exit 0 "$HEALTHTAP" report -d "$TMP/alpha.db" --format dumb --top 1 --since 1h
if [ "${HEALTHTAP_UPDATE_GOLDEN:-0}" = 1 ]; then cp "$TMP/out" "$top_srcdir/tests/report/golden-dumb.txt"; fi
diff -u "$top_srcdir/tests/report/golden-dumb.txt" "$TMP/out" || fail "dumb output differs from golden"
grep -q "memory and MemAvailable, memory (GiB)" "$TMP/out" || fail "dumb charts carry no unit"
pass "dumb output matches golden"

# 5b. A short history from a real recorder (2 samples: a rate, no rate
# change yet) still charts in every format. The recorder is named: a
# process that never changed is charted only when asked for.
"$HEALTHTAP" record --stap off -i 1s --for 1s -d "$TMP/short.db" 2>"$TMP/err" ||
	fail "record: $(cat "$TMP/err")"
for f in html svg dumb; do
	expect_exit 0 "$HEALTHTAP" report -d "$TMP/short.db" -o "$TMP/short-$f" --name healthtap --format "$f"
done
grep -q "too few samples yet" "$TMP/out" || fail "dumb charts of a short history: no placeholder"
[ "$(grep -c '<svg' "$TMP/short-html/index.html")" -ge 3 ] || fail "html of a short history"
pass "a 2-sample history charts in html, svg and dumb"

# 6. Errors: a missing DB, no gnuplot, bad options.
expect_exit 1 "$HEALTHTAP" report -d "$TMP/nope.db" -o "$TMP/x"
grep -q "nope.db" "$TMP/err" || fail "missing DB message"
HEALTHTAP_GNUPLOT=/nonexistent/gnuplot expect_exit 1 "$HEALTHTAP" report -d "$TMP/alpha.db" -o "$TMP/y"
grep -q "gnuplot not found" "$TMP/err" || { cat "$TMP/err"; fail "no gnuplot message"; }
expect_exit 2 "$HEALTHTAP" report --format jpeg
expect_exit 2 "$HEALTHTAP" report --since yesterday
expect_exit 2 "$HEALTHTAP" report --pid 0
pass "errors"
