#!/bin/bash
# healthtap leaks output: the -a lines in check_leak's manner, JSON, usage.
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

expect_exit 0 "$HEALTHTAP" leaks --help
grep -q "usage: healthtap leaks" "$TMP/out" || fail "--help"
expect_exit 2 "$HEALTHTAP" leaks --format xml
expect_exit 2 "$HEALTHTAP" leaks --window 1s --interval 2s
expect_exit 2 "$HEALTHTAP" leaks -p abc
pass "usage errors"

start_leaker steady steady $((2 * MiB))
start_leaker stable stable
sleep 2
expect_exit 0 "$HEALTHTAP" leaks --live -a --window 4s --interval 200ms --min-age 1s --warmup 0
cat "$TMP/out"
grep -Eq "^Process $steady is leaking [0-9]+ B/s \(.*leaker steady $((2 * MiB))\)$" "$TMP/out" ||
	fail "no check_leak-style line for the steady leaker"
grep -Eq "^    leaking \(growing\): [0-9]+ B/s \[[0-9]+, [0-9]+\] B/s 95% CI, R. [0-9.]+, Mann-Kendall p [0-9.e-]+, steps none" "$TMP/out" ||
	fail "no verdict line with units"
grep -Eq "^    RSS [0-9.]+ MiB, anon [0-9.]+ MiB; nearest limit [a-z-]+ [0-9.]+ [KMGT]iB \([0-9.]+ [KMGT]iB left\), reached in [0-9.]+ (s|min|h|d) \[" "$TMP/out" ||
	fail "no RSS/limit line"
grep -q "^Process $stable " "$TMP/out" && fail "-a lists the stable process"
grep -q "^System memory " "$TMP/out" || fail "no system verdict"
pass "-a lists growing processes in check_leak's manner, with units"

expect_exit 0 "$HEALTHTAP" leaks --live --format json --window 2s --interval 200ms --min-age 1s --warmup 0 -p "$steady" -p "$stable"
python3 - "$TMP/out" "$steady" "$stable" <<'PY' || fail "json"
import json, sys
d = json.load(open(sys.argv[1]))
procs = {p["pid"]: p for p in d["processes"]}
s, q = procs[int(sys.argv[2])], procs[int(sys.argv[3])]
assert d["source"] == "live" and 6 <= d["samples"] <= 12, d
assert s["verdict"] == "leaking" and abs(s["rate_Bps"] - 2 * 1048576) < 0.15 * 2 * 1048576, s
assert s["rate_lo_Bps"] < s["rate_Bps"] < s["rate_hi_Bps"] and s["r2"] > 0.9 and s["mk_p"] < 0.01, s
assert q["verdict"] == "not leaking" and q["reason"] == "flat", q
assert d["system"]["verdict"] in ("leaking", "not leaking", "inconclusive"), d["system"]
# unknown is null, never -1 (the system has no anonymous figure); bytes are integers
assert d["system"]["anon_B"] is None, d["system"]
for p in [s, q, d["system"]]:
    for k in ("current_B", "limit_B", "headroom_B", "step_bytes"):
        assert p[k] is None or (type(p[k]) is int and p[k] >= 0), (k, p)
    assert type(p["steps"]) is int and type(p["drops"]) is int, p
assert s["mk_p"] > 0, s
PY
pass "json"
