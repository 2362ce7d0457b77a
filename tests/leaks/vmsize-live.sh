#!/bin/bash
# Address-space leaks: a process that maps 4 MiB/s it never touches (its
# VmSize grows, its RSS does not) under a 256 MiB RLIMIT_AS is reported as
# leaking address space, with the time until RLIMIT_AS; its RSS verdict is
# not a leak, and a stable process has no address-space leak.
. "${top_srcdir:-.}/tests/leaks/lib-leaks.sh"

(ulimit -v 262144 && HT_LEAKER_LIFE=60 exec "$LEAKER" vmleak $((4 * MiB))) &
vm=$!
LEAKER_PIDS="$LEAKER_PIDS $vm"
start_leaker stable stable
sleep 1
expect_exit 0 "$HEALTHTAP" leaks --window 4s --interval 200ms --min-age 1s --warmup 0 \
	--format json -p "$vm" -p "$stable"
python3 - "$TMP/out" "$vm" "$stable" <<'PY' || fail "address-space verdicts: $(cat "$TMP/out")"
import json, sys
procs = {p["pid"]: p for p in json.load(open(sys.argv[1]))["processes"]}
vm, stable = procs[int(sys.argv[2])], procs[int(sys.argv[3])]
a = vm["address_space"]
assert vm["verdict"] != "leaking", vm
assert a["verdict"] == "leaking", a
assert abs(a["rate_Bps"] - 4 * 1048576) < 0.15 * 4 * 1048576, a
# 256 MiB less what is mapped now, at 4 MiB/s: under a minute
assert a["limit"] == "rlimit-as" and a["limit_B"] == 256 << 20, a
assert 10 < a["eta_s"] < 64, a
assert stable["address_space"] is None or stable["address_space"]["verdict"] != "leaking", stable
PY
expect_exit 0 "$HEALTHTAP" leaks --window 3s --interval 200ms --min-age 1s --warmup 0 -p "$vm"
grep -Eq "^Process $vm is leaking address space [0-9]+ B/s" "$TMP/out" || fail "table headline: $(cat "$TMP/out")"
grep -Eq "^    address space grows [0-9.]+ MiB/s \([0-9]+ B/s\), RSS flat; VmSize .*, RLIMIT_AS 256 MiB reached in " "$TMP/out" ||
	fail "table line: $(cat "$TMP/out")"
pass "address space grows 4 MiB/s with flat RSS: its own verdict, RLIMIT_AS in under a minute"
