# Shared by the live leak tests: starting leakers, killing them, reading CSV.
. "${top_srcdir:-.}/tests/lib.sh"
LEAKER="$top_builddir/tests/leaks/leaker"
MiB=1048576
LEAKER_PIDS=""

# Every leaker dies with the test (and by itself after HT_LEAKER_LIFE s).
cleanup_leakers() {
	local p
	for p in $LEAKER_PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $LEAKER_PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup_leakers EXIT

# start_leaker VAR MODE [ARGS]: runs a leaker in the background, its pid in VAR.
start_leaker() {
	local var=$1
	shift
	HT_LEAKER_LIFE=120 "$LEAKER" "$@" &
	LEAKER_PIDS="$LEAKER_PIDS $!"
	eval "$var=$!"
}

# field CSV PID COLUMN: a column of a process row of `healthtap leaks --format csv`.
field() {
	awk -F, -v pid="$2" -v col="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		$1 == "process" && $2 == pid { print $(idx[col]); exit }' "$1"
}

# within GOT WANT PCT: |GOT - WANT| <= PCT% of WANT.
within() {
	awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(g != "" && d <= w * p / 100) }'
}
