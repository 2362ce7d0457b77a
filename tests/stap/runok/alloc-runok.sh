#!/bin/bash
# runok: health.alloc under --runtime=bpf with a test program of known call
# sites (tests/helpers/allocsites, started by stap -c). In the final table
# (the end batch, after "alloc table 1") the sites inside each site
# function add up to exactly the bytes and blocks the program says it left
# allocated: malloc, calloc, a realloc chain (realloc(NULL, n) counted
# once), aligned_alloc, posix_memalign, an anonymous mmap, 4 threads; the
# malloc/free churn site and the intermediate realloc site hold nothing.
# The parser takes every line.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare
PROG="$top_builddir/tests/helpers/allocsites"
[ -x "$PROG" ] || fail "no $PROG (make check builds it)"

timeout 300 "$HARNESS" run -o "$TMP/stream" -e 'probe health.alloc.sites {}' -c "$PROG" \
	2>"$TMP/stap.err" || { cat "$TMP/stap.err" >&2; fail "stap -c allocsites failed"; }
grep '^site ' "$TMP/stap.err" >"$TMP/sites" || { cat "$TMP/stap.err" >&2; fail "allocsites printed no sites"; }
grep ' alloc ' "$TMP/stream" | tail -n 40
python3 "$top_srcdir/tests/stap/alloc-sites.py" "$TMP/stream" "$TMP/sites" ||
	fail "alloc sites and the known allocations disagree"
parser_accepts

# Sampled 1 in 64 (count sampling), 10 times the blocks: sites with at
# least 20 expected sampled blocks come out, scaled by the stream's sample
# record, within 4 standard errors (want / sqrt(sampled blocks)); churn
# and the intermediate realloc sites hold nothing. (Its burst of ~130000
# trapped calls may pass the default budget, half a CPU: off here.)
timeout 300 "$HARNESS" run -o "$TMP/stream64" \
	-e 'probe begin(-1001) { health_alloc_sample = 64 health_alloc_budget_pct = 0 } probe health.alloc.sites {}' -c "$PROG 10" \
	2>"$TMP/stap64.err" || { cat "$TMP/stap64.err" >&2; fail "stap -c allocsites 10 (sampled) failed"; }
grep '^site ' "$TMP/stap64.err" >"$TMP/sites64" || fail "allocsites 10 printed no sites"
python3 "$top_srcdir/tests/stap/alloc-sites.py" --sampled 64 "$TMP/stream64" "$TMP/sites64" ||
	fail "sampled alloc sites are off"
# The CPU budget: at 1% of a CPU a malloc/free loop (bench/alloc_loop)
# trips it: the stream says budget_exceeded (permille, over 10) and the
# script ends with its full table while the loop still runs.
LOOP="$top_builddir/bench/alloc_loop"
[ -x "$LOOP" ] || fail "no $LOOP (make builds it)"
timeout 300 "$HARNESS" run -o "$TMP/streamb" \
	-e 'probe begin(-1001) { health_alloc_budget_pct = 1 } probe health.alloc.sites {}' -c "$LOOP 20000000" \
	>"$TMP/loop.out" 2>"$TMP/stapb.err" || { cat "$TMP/stapb.err" >&2; fail "stap -c alloc_loop (budget) failed"; }
grep -E ' alloc (budget_exceeded|table) ' "$TMP/streamb"
over=$(awk '$2 == "alloc" && $3 == "budget_exceeded" { print $4 }' "$TMP/streamb")
[ -n "$over" ] && [ "$over" -gt 10 ] || fail "no budget_exceeded record over 10 permille"
grep -q ' alloc table 1$' "$TMP/streamb" || fail "no final table after the budget stop"
pass "alloc: every known site exact, churn 0; sampled 1:64 within its error; budget stops it"
