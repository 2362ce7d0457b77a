# Helpers for the stap runok tests. Source after tests/lib.sh.
JOIN="$top_srcdir/tests/stap/join.py"

# stap_join SUBSYS REF SECONDS SCRIPT [STAP-ARGS...]: runs SCRIPT under the
# bpf runtime for SECONDS after it starts, joins the stream with the
# reference REF (tests/stap/join.py) as it arrives. Leaves the stream in
# $TMP/stream, the join in $TMP/join.json, stap's errors in $TMP/stap.err.
# stap's start (it builds the bpf program) took over 90 s on a busy 2-CPU
# machine: it gets 300 s.
stap_join() {
	local sub=$1 ref=$2 secs=$3 script=$4
	shift 4
	timeout $((secs + 300)) "$HARNESS" run "$@" -e "$script probe timer.s($secs) { exit() }" \
		2>"$TMP/stap.err" | tee "$TMP/stream" |
		python3 "$JOIN" --subsys="$sub" --ref="$ref" >"$TMP/join.json" || true
	[ -s "$TMP/stream" ] || { cat "$TMP/stap.err" >&2; fail "stap printed nothing"; }
}

# parser_accepts: the runtime's stream parser takes every line of $TMP/stream.
parser_accepts() {
	"$HEALTHTAP" stream --json -f "$TMP/stream" >"$TMP/parse.json" 2>"$TMP/parse.err" || true
	tail -n 1 "$TMP/parse.json" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["summary"] and s["records"] > 0, s
assert s["bad_lines"] == 0, "parser rejected %d lines" % s["bad_lines"]
print("parser: %d records, 0 bad lines" % s["records"])
' || { head -n 20 "$TMP/parse.err" >&2; fail "the stream parser rejects the stream"; }
}
