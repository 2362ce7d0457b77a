#!/bin/bash
# healthtap report's time axes on clock time, golden for three spans: a
# 1-minute, a 1-hour and a 1-day recording (DBs made through the store
# API). Each span's memory chart (dumb) gives its tick labels and axis
# label; the trend table leaves out the kernel thread and the process that
# never changed, as a count. On every chart of every span the tick labels
# stand apart (the 1-day text chart's ran together).
. "${top_srcdir:-.}/tests/lib.sh"
MKDB="$top_builddir/tests/report/mkdb"
: >"$TMP/axes"
for span in 1m:0.016667 1h:1 1d:24; do
	name=${span%%:*}
	"$MKDB" "$TMP/$name.db" "span$name" "${span#*:}" 20480 || fail "mkdb $name"
	expect_exit 0 "$HEALTHTAP" report -d "$TMP/$name.db" --format dumb --top 1
	echo "== $name" >>"$TMP/axes"
	# the first chart's bottom border, then its tick labels and axis label
	awk '/^ *[0-9.]+ \+-+\+ *$/ { n++ } n == 2 { getline; print; getline; print; exit }' \
		"$TMP/out" | sed 's/ *$//' >>"$TMP/axes"
	# every chart's tick labels (the line under each bottom border) stand
	# apart: two blanks or more between labels of the span's format
	python3 - "$TMP/out" "$name" <<'PY' || fail "$name: time tick labels run together"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
fmt = {"1m": r"\d\d:\d\d:\d\d", "1h": r"\d\d:\d\d",
       "1d": r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d|(Nov|Dec) \d\d"}[sys.argv[2]]
axes = 0
for i, l in enumerate(lines[:-1]):
    # a bottom border: the line under it has no plot border '|'
    if re.match(r"^ *-?[0-9.]+ \+-+\+-? *$", l) and "|" not in lines[i + 1]:
        labels = lines[i + 1].split("  ")
        labels = [x.strip() for x in labels if x.strip()]
        bad = [x for x in labels if not re.fullmatch(fmt, x)]
        assert len(labels) >= 3 and not bad, (sys.argv[2], lines[i + 1], bad)
        axes += 1
assert axes >= 8, axes   # memory, 5 host charts, 3 process panels
PY
	grep -Eq "^not listed on span$name: 1 kernel threads, [12] processes whose RSS never changed$" \
		"$TMP/out" || fail "$name: trend table does not count what it leaves out"
	! grep -Eq 'kthreadd|rss idle' "$TMP/out" || fail "$name: omitted processes listed"
done
if [ "${HEALTHTAP_UPDATE_GOLDEN:-0}" = 1 ]; then cp "$TMP/axes" "$top_srcdir/tests/report/golden-axes.txt"; fi
diff -u "$top_srcdir/tests/report/golden-axes.txt" "$TMP/axes" || fail "time axes differ from golden"
pass "time axes of 1-minute, 1-hour and 1-day recordings match golden"
