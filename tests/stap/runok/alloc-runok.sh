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

timeout 300 "$HARNESS" run -o "$TMP/stream" -e 'probe health.alloc {}' -c "$PROG" \
	2>"$TMP/stap.err" || { cat "$TMP/stap.err" >&2; fail "stap -c allocsites failed"; }
grep '^site ' "$TMP/stap.err" >"$TMP/sites" || { cat "$TMP/stap.err" >&2; fail "allocsites printed no sites"; }
grep ' alloc ' "$TMP/stream" | tail -n 40
python3 - "$TMP/stream" "$TMP/sites" <<'PY' || fail "alloc sites and the known allocations disagree"
import sys
stream, sites = sys.argv[1], sys.argv[2]
fns = []
for line in open(sites):
    _, name, addr, b, n = line.split()
    fns.append((int(addr, 16), name, int(b), int(n)))
fns.sort()
lines = open(stream).read().splitlines()
start = max(i for i, l in enumerate(lines) if l.split()[1:3] == ["alloc", "table"])
got = {}
for l in lines[start:]:
    f = l.split()
    if f[1] == "alloc" and f[2] in ("site_bytes", "site_blocks"):
        got.setdefault(int(f[4].split("=")[1], 16), {})[f[2]] = int(f[3])
bad = 0
for i, (a, name, b, n) in enumerate(fns):
    end = min(fns[i + 1][0] if i + 1 < len(fns) else a + 1024, a + 1024)
    inside = [s for s in got if a <= s < end]
    gb = sum(got[s].get("site_bytes", 0) for s in inside)
    gn = sum(got[s].get("site_blocks", 0) for s in inside)
    ok = gb == b and gn == n and (n == 0 or inside)
    print("%-14s want %9d B %5d blocks, got %9d B %5d blocks in %d site(s) %s"
          % (name, b, n, gb, gn, len(inside), "ok" if ok else "WRONG"))
    bad += not ok
assert not bad, "%d site(s) wrong" % bad
PY
parser_accepts
pass "alloc: every known site exact, churn 0"
