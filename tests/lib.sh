# Shared helpers for the shell tests. Source it; it sets -eu.
set -eu
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
HEALTHTAP="$top_builddir/healthtap"
HARNESS="$top_srcdir/tests/stap/harness"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/healthtap-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# healthtap check keeps its history there (check_leak(1)), not in ~ or /var
export MP_STATE_PATH="$TMP/state"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# Stap tests skip (77) where stap cannot run, except under
# HEALTHTAP_REQUIRE_STAP=1 (CI), where a skip is a failure.
require_stap() {
	local reason
	reason=$("$HARNESS" check) && return 0
	if [ "${HEALTHTAP_REQUIRE_STAP:-0}" = 1 ]; then
		fail "stap is required here (HEALTHTAP_REQUIRE_STAP=1) but: $reason"
	fi
	echo "SKIP: $reason"
	exit 77
}

# The guest kernel tests (tests/stap/vm.sh) skip (77) where no guest can
# boot, under the same rule.
require_guest() {
	local reason
	reason=$("$HARNESS" vm check) && return 0
	if [ "${HEALTHTAP_REQUIRE_STAP:-0}" = 1 ]; then
		fail "a guest kernel is required here (HEALTHTAP_REQUIRE_STAP=1) but: $reason"
	fi
	echo "SKIP: $reason"
	exit 77
}

# slow_suite NAME: the guest kernel and package suites call it first. They
# run once, in the plain make check; HEALTHTAP_SKIP_SLOW=1 (distcheck's
# sanitizer pass) skips them, also under HEALTHTAP_REQUIRE_STAP=1.
slow_suite() {
	[ "${HEALTHTAP_SKIP_SLOW:-0}" = 1 ] || return 0
	echo "SKIP: the $1 suite runs in the plain make check (HEALTHTAP_SKIP_SLOW=1)"
	exit 77
}

# fixture SRC: prints the path of a copy of the fixture tree SRC in $TMP
# with the links its SYMLINKS file lists ("path target" lines): make
# dist's tar follows symlinks, so fixtures list them instead.
fixture() {
	local dst path target
	dst="$TMP/fixture.$(basename "$1")"
	rm -rf "$dst"
	cp -R "$1" "$dst" && chmod -R u+w "$dst" || fail "cannot copy the fixture $1"
	[ -f "$1/SYMLINKS" ] || { echo "$dst"; return 0; }
	while read -r path target; do
		rm -rf "${dst:?}/$path"
		ln -s "$target" "$dst/$path" || fail "cannot link $dst/$path"
	done <"$1/SYMLINKS"
	echo "$dst"
}

# host_exclusive NAME: waits for, then holds until the test exits, a
# host-wide lock: tests that measure a figure of the whole host (NAME)
# must not run at once, also not from two checkouts' suites.
host_exclusive() {
	exec 9>"${TMPDIR:-/tmp}/healthtap-$1.lock"
	flock -w 900 9 || echo "warning: ran without the $1 lock after 900 s" >&2
}

# sanitized: true in a --enable-sanitizers build's tests (tests/sanitized).
# Memory bounds of our own processes are checked in the plain build only:
# ASan's quarantine keeps freed memory (LSan finds the leaks instead).
sanitized() { [ "${HEALTHTAP_SANITIZED:-0}" = 1 ]; }

# expect_exit CODE CMD...: runs CMD, fails unless it exits with CODE.
expect_exit() {
	local want=$1 got=0
	shift
	"$@" >"$TMP/out" 2>"$TMP/err" || got=$?
	[ "$got" -eq "$want" ] || {
		cat "$TMP/out" "$TMP/err" >&2
		fail "'$*' exited $got, want $want"
	}
}
