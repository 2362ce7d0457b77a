#!/usr/bin/env python3
"""alloc-sites.py [--sampled N] STREAM SITES: health.alloc.sites' end
table against the sites tests/helpers/allocsites says it left ("site NAME
0xADDR BYTES BLOCKS" lines): the sites inside each site function add up
to exactly its bytes and blocks. With --sampled N (1 in N tracked): the
sample record says N, and each function with at least 20 expected sampled
blocks comes out, scaled by N, within 4 standard errors (want /
sqrt(sampled blocks)); those that keep nothing hold nothing. Prints one
line a function; exits 1 when one is off. Used by the runok tests of both
runtimes."""
import math, sys


def exact(stream, sites):
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


def sampled(want_n, stream, sites):
    fns = sorted((int(a, 16), n, int(b), int(k)) for _, n, a, b, k in (l.split() for l in open(sites)))
    lines = open(stream).read().splitlines()
    start = max(i for i, l in enumerate(lines) if l.split()[1:3] == ["alloc", "table"])
    got, n = {}, None
    for l in lines[start:]:
        f = l.split()
        if f[2] == "sample":
            n = int(f[3])
        if f[2] in ("site_bytes", "site_blocks"):
            got.setdefault(int(f[4].split("=")[1], 16), {})[f[2]] = int(f[3])
    assert n == want_n, "sample record %r, want %d" % (n, want_n)
    bad = checked = 0
    for i, (a, name, b, k) in enumerate(fns):
        end = min(fns[i + 1][0] if i + 1 < len(fns) else a + 1024, a + 1024)
        gb = n * sum(v.get("site_bytes", 0) for s, v in got.items() if a <= s < end)
        if k == 0:
            ok = gb == 0
        elif k / n >= 20:
            ok = abs(gb - b) <= 4 * b / math.sqrt(k / n)
        else:
            continue
        checked += 1
        print("%-14s want %9d B, estimate %9d B %s" % (name, b, gb, "ok" if ok else "WRONG"))
        bad += not ok
    assert checked >= 5 and not bad, "%d of %d sites off" % (bad, checked)


if sys.argv[1] == "--sampled":
    sampled(int(sys.argv[2]), sys.argv[3], sys.argv[4])
else:
    exact(sys.argv[1], sys.argv[2])
