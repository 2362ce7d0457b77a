#!/bin/bash
# Hostile streams and chart titles (tests/hostile-names.sh has the live
# outputs). A stream whose header and lines hold escapes: stream, import
# and top -b --stream show them escaped, stream --json parses. A process
# whose comm holds ESC, 0xff and a newline followed by "!touch p;#" (a
# line gnuplot runs as a shell command), and one with an escape sequence,
# 0xff 0xfe and a newline in its command line: soak --charts and report
# (from a recorded DB) write chart scripts that run nothing, with the name
# escaped; leaks -d and report print no control byte.
. "${top_srcdir:-.}/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }

comm=$(printf '\033\377\n!touch p;#')
cp /bin/sleep "$TMP/$comm"
"$TMP/$comm" 300 &
p1=$!
(exec -a "$(printf 'z\033[2J\377\376y\nq')" sleep 301) &
p2=$!
trap 'kill $p1 $p2 2>/dev/null; rm -rf "$TMP"' EXIT
# until both have exec'd (a process sampled before keeps the shell's name)
for _ in $(seq 100); do
	[ "$(head -c 1 "/proc/$p1/comm")" = "$(printf '\033')" ] && grep -q 301 "/proc/$p2/cmdline" && break
	sleep 0.1
done

# clean WHAT FILE...: no ESC, no other control byte but tab and newline,
# valid UTF-8
clean() {
	local what=$1
	shift
	python3 - "$@" <<'PY' || fail "$what: raw bytes reach the terminal"
import sys
for path in sys.argv[1:]:
    d = open(path, "rb").read()
    bad = [c for c in d if c < 32 and c not in (9, 10)] + ([0x7f] if 0x7f in d else [])
    try:
        d.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit("%s: not UTF-8: %s" % (path, e))
    if bad:
        sys.exit("%s: control bytes %s" % (path, sorted(set(bad))))
PY
}
# json WHAT FILE: one JSON document, or one per line (lines=1), in UTF-8
json() {
	python3 - "$2" "${3:-0}" <<'PY' || fail "$1: not valid JSON in UTF-8"
import json, sys
d = open(sys.argv[1], "rb").read().decode("utf-8")
if sys.argv[2] == "1":
    [json.loads(l) for l in d.splitlines() if l.strip()]
else:
    json.loads(d)
PY
}

# ---- a hostile stream
printf '#healthtap v=1 runtime=\033[2Jbpf\377 start_ms=18645440 interval_ms=1000\n%s\n%s\n%s\n%s\n%s\n' \
	"1000 sched switches 1647" "1000 $(printf '\033[2J')sched switches 1" \
	"1000 sched proc_switches 12 pid=4242 comm=$(printf '\033[31m\377\376x')" \
	"1000 sched batch 1" "2000 sched batch 2" >"$TMP/s"
"$HEALTHTAP" stream -f "$TMP/s" >"$TMP/st.out" 2>"$TMP/st.err" || true
grep -q "unknown subsystem '\\\\x1b\[2Jsched" "$TMP/st.err" || fail "stream error: $(cat -v "$TMP/st.err")"
clean "stream" "$TMP/st.out" "$TMP/st.err"
"$HEALTHTAP" stream --json -f "$TMP/s" >"$TMP/st.json" 2>/dev/null || true
json "stream --json" "$TMP/st.json" 1
"$HEALTHTAP" import -d "$TMP/i.db" "$TMP/s" >"$TMP/im.out" 2>"$TMP/im.err" || true
grep -q "unknown subsystem '\\\\x1b\[2Jsched" "$TMP/im.err" || fail "import error: $(cat -v "$TMP/im.err")"
clean "import" "$TMP/im.out" "$TMP/im.err"
"$HEALTHTAP" top -b -n 1 --stream "$TMP/s" >"$TMP/top.out" 2>"$TMP/top.err"
grep -q 'probes: \\x1b\[2Jbpf\\xff ' "$TMP/top.out" || fail "top probes line: $(grep probes "$TMP/top.out" | cat -v)"
clean "top -b --stream" "$TMP/top.out" "$TMP/top.err"
pass "stream, import and top -b --stream show a hostile stream escaped"

# ---- soak's charts
command -v gnuplot >/dev/null 2>&1 || { echo "SKIP: gnuplot is not installed (the charts)"; exit 77; }
mkdir "$TMP/cwd" "$TMP/charts"
(cd "$TMP/cwd" && "$HEALTHTAP" soak --target "$p1" --rounds 3 --settle 100ms --charts "$TMP/charts" \
	-- true >"$TMP/so.out" 2>"$TMP/so.err") || fail "soak: $(cat -v "$TMP/so.err")"
clean "soak" "$TMP/so.out" "$TMP/so.err"
[ ! -e "$TMP/cwd/p" ] && [ ! -e "$TMP/charts/p" ] || fail "soak --charts: gnuplot ran the process name"
pass "soak --charts: a process name in the title runs nothing"

# ---- recorded, then read back: leaks -d and report's chart scripts
"$HEALTHTAP" record -d "$TMP/r.db" -i 200ms --for 3s --stap off -q 2>"$TMP/rec.err" ||
	fail "record: $(cat "$TMP/rec.err")"
"$HEALTHTAP" leaks -d "$TMP/r.db" -a -p "$p1" -p "$p2" >"$TMP/ld.out" 2>"$TMP/ld.err" || true
clean "leaks -d" "$TMP/ld.out" "$TMP/ld.err"
(cd "$TMP/cwd" && "$HEALTHTAP" report -d "$TMP/r.db" -o "$TMP/rep" -p "$p1" -p "$p2" --format svg \
	--keep >"$TMP/rep.out" 2>"$TMP/rep.err") || fail "report: $(cat -v "$TMP/rep.err")"
[ ! -e "$TMP/cwd/p" ] && [ ! -e "$TMP/rep/p" ] || fail "report: gnuplot ran the process name"
grep -qF "$(printf '%s' '\x1b\xff\x0a!touch p;#')" "$TMP"/rep/*-proc-"$p1"-*.gp ||
	fail "report: the title is not escaped: $(grep -a title_text "$TMP"/rep/*-proc-"$p1"-*.gp | cat -v)"
! grep -q '^!' "$TMP"/rep/*.gp || fail "report: a chart script line starts with '!'"
clean "report" "$TMP/rep.out" "$TMP/rep.err" "$TMP"/rep/*.gp "$TMP/rep/trends.txt"
json "report trends.json" "$TMP/rep/trends.json"
pass "leaks -d and report show hostile names escaped; report's chart scripts run nothing"
