#!/bin/bash
# runok: health.alloc.sites on stap's module runtime, for real, in the
# Debian guest kernel (tests/stap/harness vm, one boot): allocsites under
# staprun -c, and the end table's sites inside each of its site functions
# add up to exactly what it says it left (tests/stap/alloc-sites.py, as
# alloc-runok.sh checks the bpf runtime): malloc, calloc, a realloc
# chain, aligned_alloc, posix_memalign, an anonymous mmap, 4 threads; the
# churn site holds nothing. The stream parser takes every line. Then
# sampled 1 in 64 with 10 times the blocks: each site within 4 standard
# errors of what it left, scaled by the sample record.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
slow_suite guest
require_guest
"$HARNESS" vm prepare || fail "the guest could not be prepared"
JOBS="$TMP/jobs"
mkdir -p "$JOBS/bin"
cp "$top_builddir/tests/helpers/allocsites" "$JOBS/bin/"
cp "$top_srcdir/tests/stap/guest/alloc-sites.sh" "$JOBS/alloc-sites.inc"
echo 'MODULE=health_alloc SCALE=1 . /jobs/alloc-sites.inc' >"$JOBS/10-alloc-sites.sh"
echo 'MODULE=health_alloc64 SCALE=10 . /jobs/alloc-sites.inc' >"$JOBS/20-alloc-sampled.sh"
# As guest-runok.sh: a probe waits for a global another CPU's probe holds
# (MAXTRYLOCK: up to 10 ms, not 10 us) instead of being skipped, which
# the emulated CPUs made common (the 4 threads' site lost 2 of 1000
# blocks with the defaults).
"$HARNESS" vm compile "$JOBS" health_alloc -DINTERRUPTIBLE=0 -DMAXTRYLOCK=1000000 -DMAXACTION=1000000 \
	-e 'probe health.alloc.sites {}' ||
	fail "health.alloc.sites did not compile for the guest kernel"
"$HARNESS" vm compile "$JOBS" health_alloc64 -DINTERRUPTIBLE=0 -DMAXTRYLOCK=1000000 -DMAXACTION=1000000 \
	-e 'probe begin(-1001) { health_alloc_sample = 64 health_alloc_budget_pct = 0 } probe health.alloc.sites {}' ||
	fail "health.alloc.sites sampled did not compile for the guest kernel"
OUT="$TMP/out"
"$HARNESS" vm boot "$JOBS" "$OUT" 600 || fail "the guest boot failed"
A="$OUT/10-alloc-sites"
cat "$A/stdout" "$A/stderr"
grep -v '^site ' "$A/stap.err" || true
[ "$(cat "$A/stap.rc" 2>/dev/null)" = 0 ] || fail "staprun exited $(cat "$A/stap.rc" 2>/dev/null): $(grep -v '^site ' "$A/stap.err" | tail -n 5)"
grep -q '^#healthtap v=1 runtime=kernel ' "$A/stream" || fail "no runtime=kernel header"
grep '^site ' "$A/stap.err" >"$TMP/sites" || fail "allocsites printed no sites in the guest"
grep ' alloc ' "$A/stream" | tail -n 30
python3 "$top_srcdir/tests/stap/alloc-sites.py" "$A/stream" "$TMP/sites" ||
	fail "module runtime: alloc sites and the known allocations disagree"
cp "$A/stream" "$TMP/stream"
parser_accepts
S="$OUT/20-alloc-sampled"
[ "$(cat "$S/stap.rc" 2>/dev/null)" = 0 ] || fail "sampled: staprun exited $(cat "$S/stap.rc" 2>/dev/null): $(grep -v '^site ' "$S/stap.err" | tail -n 5)"
grep '^site ' "$S/stap.err" >"$TMP/sites64" || fail "allocsites 10 printed no sites in the guest"
python3 "$top_srcdir/tests/stap/alloc-sites.py" --sampled 64 "$S/stream" "$TMP/sites64" ||
	fail "module runtime: sampled alloc sites are off"
pass "alloc on the module runtime: every known site exact, churn 0; sampled 1:64 within its error"
