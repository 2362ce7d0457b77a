#!/bin/bash
# leaks --where refuses clearly, before sampling, what health.alloc.sites
# cannot watch, and exits 1 with one line that says why: no stap, a
# process whose malloc is jemalloc's (named, with the way out), a static
# binary (no libc.so.6), no such process, not root, and a stap that fails at once
# (its own message passed on). Usage errors exit 2: --where with -d, with
# CSV, a bad --budget. (Fixture maps under --root; no stap needed.)
. "${top_srcdir:-.}/tests/lib.sh"
root="$TMP/root"
mkdir -p "$root/proc/4242" "$root/proc/4343" "$TMP/nostap"
lib=/usr/lib/x86_64-linux-gnu
cat >"$root/proc/4242/maps" <<MAPS
55d0c0000000-55d0c0001000 r-xp 00000000 fe:01 11 /usr/bin/server
7f2c1a000000-7f2c1a028000 r-xp 00000000 fe:01 12 $lib/libc.so.6
7f2c1b000000-7f2c1b0a0000 r-xp 00000000 fe:01 13 $lib/libjemalloc.so.2
MAPS
printf '00400000-004c0000 r-xp 00000000 fe:01 14 /usr/bin/busybox\n' >"$root/proc/4343/maps"

# where_err WANT [VAR=VALUE...] ARGS...: leaks exits 1 and its stderr has WANT
where_err() {
	local want=$1
	shift
	expect_exit 1 env "$@"
	grep -qF -- "$want" "$TMP/err" || { cat "$TMP/err" >&2; fail "leaks $*: no '$want'"; }
	[ ! -s "$TMP/out" ] || fail "leaks $*: printed a report after a refusal"
	echo "ok: $(tail -n 1 "$TMP/err")"
}
where_err "stap is not installed" PATH="$TMP/nostap" "$HEALTHTAP" leaks --where 4242 --root "$root"
# not root (where stap is installed and setpriv can drop to nobody)
if command -v stap >/dev/null && command -v setpriv >/dev/null && [ "$(id -u)" = 0 ] &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$HEALTHTAP" --help >/dev/null 2>&1; then
	where_err "not root: stap needs root to load probes" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$HEALTHTAP" leaks --where $$
fi
export HEALTHTAP_STAP="exec false"
where_err "its malloc is jemalloc's ($lib/libjemalloc.so.2), not glibc's: run it without jemalloc" \
	"$HEALTHTAP" leaks --where 4242 --root "$root"
where_err "statically linked or not glibc: no libc.so.6 mapped" "$HEALTHTAP" leaks --where 4343 --root "$root"
where_err "--where 4444: no such process" "$HEALTHTAP" leaks --where 4444 --root "$root"
# a real glibc process, and a stap that fails at once
sleep 60 &
sleeper=$!
trap 'kill $sleeper 2>/dev/null; rm -rf "$TMP"' EXIT
where_err "stap exited with status 1: semantic error: no match" \
	HEALTHTAP_STAP="echo 'semantic error: no match' >&2; exit 1" "$HEALTHTAP" leaks --where $sleeper
expect_exit 2 "$HEALTHTAP" leaks --where $sleeper -d "$TMP/x.db" 2>/dev/null
expect_exit 2 "$HEALTHTAP" leaks --where $sleeper --format csv 2>/dev/null
expect_exit 2 "$HEALTHTAP" leaks --where $sleeper --budget 101 2>/dev/null
expect_exit 2 "$HEALTHTAP" leaks --where $sleeper --sample 0 2>/dev/null
pass "leaks --where: no stap, not root, jemalloc, static, no process, stap failing: refused, said why"
