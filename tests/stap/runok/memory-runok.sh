#!/bin/bash
# runok: health.memory under --runtime=bpf (--compatible=4.1: the rss_stat
# format struct, see docs/protocol.md). A test process (memhog) maps and
# touches 64 MiB: its proc_rss_anon records add up to 64 MiB within 10%, and
# its proc_mmap to at least 64 MiB. Then memhog runs in a memory cgroup
# limited to 32 MiB and asks for 128 MiB: the stream has an oom_kill record
# with its pid and comm. The parser takes every line.
. "${top_srcdir:-.}/tests/lib.sh"
. "$top_srcdir/tests/stap/stap-lib.sh"
require_stap
"$HARNESS" prepare
MEMHOG="$top_builddir/tests/helpers/memhog"
[ -x "$MEMHOG" ] || fail "no $MEMHOG (make check builds it)"

# A memory-limited cgroup: v2 where its memory controller is available,
# else v1's memory controller.
CG=
cg_make() {
	local v2
	v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	if [ -n "$v2" ] && grep -qw memory "$v2/cgroup.controllers" 2>/dev/null; then
		grep -qw memory "$v2/cgroup.subtree_control" || echo +memory >"$v2/cgroup.subtree_control"
		CG="$v2/healthtap-oom-$$"
		mkdir "$CG" && echo 32M >"$CG/memory.max" && echo 0 >"$CG/memory.swap.max" 2>/dev/null
		return 0
	fi
	local v1
	v1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
	[ -n "$v1" ] || return 1
	CG="$v1/healthtap-oom-$$"
	mkdir "$CG" && echo 32M >"$CG/memory.limit_in_bytes"
}
cg_make || fail "no memory cgroup controller (v2 or v1) to make an OOM kill in"
echo "cgroup: $CG"

# The load starts once the tapset has printed two memory batches.
(
	for i in $(seq 1 240); do
		grep -q ' memory batch 2$' "$TMP/stream" 2>/dev/null && break
		sleep 0.25
	done
	"$MEMHOG" 0 64 1500 >"$TMP/memhog.out"
	sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" 0 128 1000' sh "$CG" "$MEMHOG" \
		>"$TMP/oomhog.out" 2>&1 || true
) &
load=$!
trap 'kill $load 2>/dev/null || true; rmdir "$CG" 2>/dev/null || true; rm -rf "$TMP"' EXIT
stap_join memory none 9 'probe health.memory {}' --compatible=4.1
wait $load || true
hog=$(sed -n 's/^memhog pid=//p' "$TMP/memhog.out")
oom=$(sed -n 's/^memhog pid=//p' "$TMP/oomhog.out")
[ -n "$hog" ] && [ -n "$oom" ] || fail "memhog did not run: $(cat "$TMP/memhog.out" "$TMP/oomhog.out")"
grep -E " pid=($hog|$oom)( |$)" "$TMP/stream" || true
python3 - "$TMP/stream" "$hog" "$oom" <<'PY' || fail "memory records and the known allocation disagree"
import sys
stream, hog, oom = sys.argv[1], sys.argv[2], sys.argv[3]
anon = mmap = 0
kills = []
for line in open(stream):
    f = line.split(" ", 4)
    if len(f) < 5 or f[1] != "memory":
        continue
    if f[2] == "proc_rss_anon" and f[4].strip() == "pid=" + hog:
        anon += int(f[3])
    elif f[2] == "proc_mmap" and f[4].strip() == "pid=" + hog:
        mmap += int(f[3])
    elif f[2] == "oom_kill":
        kills.append(f[4].strip())
want = 64 << 20
print("memhog %s: proc_rss_anon sum %d, proc_mmap sum %d, want %d" % (hog, anon, mmap, want))
assert abs(anon - want) <= 0.10 * want, "RSS growth %d is not 64 MiB within 10%%" % anon
assert mmap >= want, "mmap bytes %d < 64 MiB" % mmap
print("oom_kill records: %s" % kills)
assert ("pid=%s comm=memhog" % oom) in kills, "no oom_kill of memhog %s" % oom
PY
parser_accepts
pass "memory: 64 MiB RSS growth seen, OOM kill of the known process seen"
