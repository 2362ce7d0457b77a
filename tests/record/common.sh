# Helpers for the record tests; source after tests/lib.sh.
command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 (the CLI) is not installed"; exit 77; }

# sql DB QUERY: one query, plain output.
sql() { sqlite3 -batch -noheader "$1" "$2"; }

now_ms() { date +%s%3N; }

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds.
wait_for() {
	local deadline=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# Rows in DB matching a query's count > N.
count_gt() { [ "$(sql "$1" "$2")" -gt "$3" ]; }
