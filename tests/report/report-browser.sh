#!/bin/bash
# The report's HTML page in headless Chromium: it renders, every chart has
# drawn, and the console has no error. Skips (77) without chromium.
. "${top_srcdir:-.}/tests/lib.sh"
command -v chromium >/dev/null || { echo "SKIP: chromium not installed"; exit 77; }
"$top_builddir/tests/report/mkdb" "$TMP/a.db" alpha 1 20480 || fail "mkdb"
"$top_builddir/tests/report/mkdb" "$TMP/b.db" beta 1 0 || fail "mkdb"
expect_exit 0 "$HEALTHTAP" report -d "$TMP/a.db" -d "$TMP/b.db" -o "$TMP/r"

chrome() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$TMP/profile" --window-size=1600,4000 \
		--enable-logging=stderr --v=0 "$@" "file://$TMP/r/index.html"
}
chrome --screenshot="$TMP/shot.png" >/dev/null 2>"$TMP/console.log" || fail "chromium screenshot"
chrome --dump-dom >"$TMP/dom.html" 2>>"$TMP/console.log" || fail "chromium dump-dom"
python3 - "$TMP/shot.png" <<'PY' || fail "screenshot"
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n' and len(d) > 50000, len(d)
PY
# 19: 6 host charts and 4 processes on alpha, 6 and 3 on beta (its
# "leaker" leaks 0 B/s: it never changed, so it is not charted)
loaded=$(grep -o 'data-charts-loaded="[0-9]*"' "$TMP/dom.html" | grep -o '[0-9]*')
expected=$(grep -o 'data-charts-expected="[0-9]*"' "$TMP/dom.html" | grep -o '[0-9]*')
[ -n "$loaded" ] && [ "$loaded" = "$expected" ] && [ "$expected" -eq 19 ] ||
	fail "charts loaded: ${loaded:-none} of ${expected:-?}"
if grep -E 'CONSOLE|Uncaught|:ERROR:.*(console|javascript)' "$TMP/console.log" | grep -vi 'dbus\|gpu\|sandbox' ; then
	fail "console errors"
fi
pass "chromium: $loaded of $expected charts drawn, no console errors"
