#!/bin/sh
# A live process whose comm and command line hold invalid UTF-8, a quote, a
# backslash, a bell, a terminal escape (ESC [2J) and the 8-bit CSI: every
# JSON output (top, top --threads, leaks, soak, serve's API) parses and
# holds the name escaped, leaks' CSV parses, and no text output (top's
# frames, leaks' table, soak's report, /metrics) passes a control
# character to the terminal. tests/hostile-names.py says what is checked.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
. "$top_srcdir/tests/serve/serve-lib.sh"
need python3
need curl
PY="python3 $top_srcdir/tests/hostile-names.py"

python3 "$top_srcdir/tests/hostile-names.py" run 300 &
victim=$!
track "$victim"
hostile() { [ "$(od -An -tx1 "/proc/$victim/comm" | tr -d ' \n')" = 68ff1b5b324a225c07c29b7a0a ]; }
wait_for hostile || fail "the hostile process did not rename itself"

check() {	# KIND FILE [PID]: the file checked, shown on failure
	$PY check "$1" "$2" "${3:-$victim}" || { head -c 2000 "$2" | od -c | head -40 >&2; fail "$2"; }
}

"$HEALTHTAP" top -b -n 2 -i 200ms -m 0 --json >"$TMP/top.json"
check json "$TMP/top.json"
"$HEALTHTAP" top -b -n 1 -m 0 --threads --json >"$TMP/threads.json"
check json "$TMP/threads.json"
"$HEALTHTAP" top -b -n 1 -m 0 >"$TMP/top.txt"
check text "$TMP/top.txt"
"$HEALTHTAP" top -b -n 1 -m 0 --threads >"$TMP/threads.txt"
check text "$TMP/threads.txt"
pass "top: frames, threads, JSON"

# ran(CMD...): CMD ran to its end; its verdict (exit 0, 1 or 3) is not
# what this test looks at, a usage error (2) or a crash is.
ran() {
	local rc=0
	"$@" || rc=$?
	[ "$rc" -le 3 ] && [ "$rc" -ne 2 ] || fail "'$*' exited $rc"
}

for f in json csv table; do
	ran "$HEALTHTAP" leaks -l -p "$victim" --window 2s --interval 500ms --format $f \
		>"$TMP/leaks.$f" 2>"$TMP/leaks.err"
done
check json "$TMP/leaks.json"
check csv "$TMP/leaks.csv"
check text "$TMP/leaks.table"
pass "leaks: json, csv, table"

ran "$HEALTHTAP" soak --target "$victim" --rounds 3 --settle 100ms --json -- true >"$TMP/soak.json"
check json "$TMP/soak.json"
ran "$HEALTHTAP" soak --target "$victim" --rounds 3 --settle 100ms -- true >"$TMP/soak.txt" 2>&1
check text "$TMP/soak.txt"
pass "soak: report and JSON"

start_agent a --interval 500ms
url="http://127.0.0.1:$a_port"
in_snapshot() {
	curl -s --max-time 5 "$url/api/v1/snapshot" >"$TMP/snapshot.json" &&
		grep -q "\"pid\":$victim[,}]" "$TMP/snapshot.json"
}
wait_for in_snapshot || fail "serve's snapshot never listed pid $victim"
check json "$TMP/snapshot.json"
curl -sf --max-time 5 "$url/api/v1/processes/$victim/series" >"$TMP/series.json" ||
	fail "no series of pid $victim"
check json "$TMP/series.json"
curl -sf --max-time 10 "$url/api/v1/leaks" >"$TMP/leaks-api.json" || fail "no /api/v1/leaks"
check json "$TMP/leaks-api.json" 0
curl -sf --max-time 5 "$url/metrics" >"$TMP/metrics" || fail "no /metrics"
check text "$TMP/metrics"
pass "serve: snapshot, series, leaks, metrics"
