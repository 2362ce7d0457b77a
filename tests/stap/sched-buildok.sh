#!/bin/bash
# buildok: health.sched compiles for stap's module runtime (-p4).
. "${top_srcdir:-.}/tests/lib.sh"
require_stap
cd "$TMP"
"$HARNESS" compile -m health_sched_buildok -e 'probe health.sched {}' >"$TMP/out" 2>"$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "stap -p4 health.sched"; }
[ -s health_sched_buildok.ko ] || fail "no module built"
pass "health.sched builds for the module runtime"
