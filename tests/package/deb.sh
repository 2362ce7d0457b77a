#!/bin/bash
# The Debian package (debian/), as a user gets it: built from a copy of the
# tree with dpkg-buildpackage -us -uc -b, lintian without errors, installed
# with apt-get install ./healthtap_*.deb. Then stap finds the tapset
# without -I, top and the Nagios plugin run from where they are installed,
# the units verify and are not enabled, the system user and its state
# directory exist; the tree's own stap tests still see the tree's tapset.
# Purged, nothing of it is left: no file, no user, no /var/lib/healthtap.
# Root only (it installs); the package suite runs once, in the plain make
# check (tests/lib.sh: slow_suite).
. "${top_srcdir:-.}/tests/lib.sh"
slow_suite package

# need WHAT: a skip where this machine cannot build or install packages;
# under HEALTHTAP_REQUIRE_STAP=1 (CI) a failure (scripts/install-deps
# installs what it takes).
need() {
	if [ "${HEALTHTAP_REQUIRE_STAP:-0}" = 1 ]; then
		fail "the package test needs $1 (HEALTHTAP_REQUIRE_STAP=1)"
	fi
	echo "SKIP: the package test needs $1"
	exit 77
}
[ "$(id -u)" -eq 0 ] || need "root (apt-get install)"
for t in dpkg-buildpackage dh lintian apt-get fakeroot; do
	command -v "$t" >/dev/null 2>&1 || need "$t (scripts/install-deps)"
done
if dpkg-query -W -f='${Status}' healthtap 2>/dev/null | grep -q 'ok installed'; then
	fail "a healthtap package is installed already: purge it first (apt-get purge healthtap)"
fi

# The tree's files (tracked and new, as git sees them; all of it without
# git) in a copy: the package build cleans and autoreconfs its tree.
mkdir "$TMP/b" "$TMP/b/healthtap"
if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top_srcdir" ls-files -z --cached --others --exclude-standard |
		(cd "$top_srcdir" && tar -c --null -T - -f -) | tar -x -C "$TMP/b/healthtap"
else
	(cd "$top_srcdir" && tar -c -f - .) | tar -x -C "$TMP/b/healthtap"
fi
(cd "$TMP/b/healthtap" && dpkg-buildpackage -us -uc -b) >"$TMP/build.log" 2>&1 ||
	{ tail -n 40 "$TMP/build.log" >&2; fail "dpkg-buildpackage failed"; }
deb=$(ls "$TMP"/b/healthtap_*_*.deb)
[ -f "$deb" ] || fail "no healthtap_*.deb"
pass "dpkg-buildpackage -us -uc -b: $(basename "$deb")"

# lintian: no error. Warnings and infos are printed, kept on purpose or
# listed in the report.
rc=0
lintian "$TMP"/b/healthtap_*.changes >"$TMP/lintian" 2>&1 || rc=$?
cat "$TMP/lintian"
[ "$rc" -le 1 ] || fail "lintian did not run (exit $rc)"
! grep -q '^E: ' "$TMP/lintian" && [ "$rc" -eq 0 ] || fail "lintian errors"
pass "lintian: no errors ($(grep -c '^W: ' "$TMP/lintian" || true) warnings)"

# From here on the package is on the machine: purged whatever happens.
purge() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q healthtap \
		>>"$TMP/apt.log" 2>&1
}
trap 'purge || true; rm -rf "$TMP"' EXIT
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "$deb" \
	>"$TMP/apt.log" 2>&1 || { tail -n 30 "$TMP/apt.log" >&2; fail "apt-get install $deb"; }
dpkg-query -W -f='${Status}\n' healthtap | grep -q 'install ok installed' || fail "not installed"
dpkg -L healthtap >"$TMP/files"
for f in /usr/bin/healthtap /usr/lib/nagios/plugins/check_leak /usr/share/systemtap/tapset/health_sched.stp \
	/usr/share/systemtap/tapset/health_common.stpm /usr/share/healthtap/gnuplot/process.gp \
	/usr/share/man/man1/healthtap-top.1.gz /usr/share/man/man3/stapprobes.health.3stap.gz \
	/lib/systemd/system/healthtap-record.service /lib/systemd/system/healthtap-serve.service \
	/etc/nagios-plugins/config/healthtap.cfg /usr/share/doc/healthtap/examples/healthtap.cfg; do
	grep -qx "$f" "$TMP/files" || fail "the package lacks $f"
	[ -e "$f" ] || fail "$f is not on disk"
done
[ ! -e /usr/bin/check_leak ] || fail "check_leak in PATH: it belongs in /usr/lib/nagios/plugins"
pass "apt-get install ./$(basename "$deb"): binaries, plugin link, tapset, man pages, units, examples"

# The system user, its group, and /var/lib/healthtap root:healthtap 0750.
getent passwd healthtap >/dev/null || fail "no healthtap user"
getent group healthtap >/dev/null || fail "no healthtap group"
[ "$(stat -c '%U:%G %a' /var/lib/healthtap)" = "root:healthtap 750" ] ||
	fail "/var/lib/healthtap is $(stat -c '%U:%G %a' /var/lib/healthtap)"
pass "healthtap system user and /var/lib/healthtap"

# The units: valid, and not enabled (no wants link anywhere in /etc).
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify /lib/systemd/system/healthtap-record.service \
		/lib/systemd/system/healthtap-serve.service >"$TMP/verify" 2>&1 ||
		{ cat "$TMP/verify" >&2; fail "systemd-analyze verify"; }
fi
! find /etc/systemd/system -name 'healthtap-*' 2>/dev/null | grep -q . ||
	fail "units enabled: $(find /etc/systemd/system -name 'healthtap-*')"
pass "record and serve units verify and are not enabled"

# The installed commands, not the tree's.
expect_exit 0 /usr/bin/healthtap top -b -n 1 -i 200ms
grep -q '^healthtap top - .* - frame 1 - ' "$TMP/out" || fail "top -b -n 1: $(head -3 "$TMP/out")"
grep -q '^Processes: ' "$TMP/out" || fail "top -b -n 1 shows no processes"
pass "healthtap top -b -n 1"
rc=0
/usr/lib/nagios/plugins/check_leak -w 48 -c 12 --window 2s >"$TMP/out" 2>"$TMP/err" || rc=$?
[ "$rc" -le 2 ] || fail "check_leak exit $rc: $(cat "$TMP/out" "$TMP/err")"
grep -Eq "^LEAK (OK|WARNING|CRITICAL) - system memory: .* \| 'used'=[0-9]+B;;;0;[0-9]+ " "$TMP/out" ||
	fail "check_leak: $(cat "$TMP/out")"
pass "check_leak from /usr/lib/nagios/plugins: $(cut -d'|' -f1 "$TMP/out")"
# the report finds its gnuplot scripts where the package put them
/usr/bin/healthtap record --stap off -i 500ms --for 2s -d "$TMP/h.db" 2>"$TMP/err" ||
	fail "record: $(cat "$TMP/err")"
expect_exit 0 /usr/bin/healthtap report -d "$TMP/h.db" -o "$TMP/r" --format svg --top 1
ls "$TMP"/r/*-memory.svg >/dev/null 2>&1 || fail "report: no memory chart from the installed scripts"
pass "report charts with the installed gnuplot scripts"

# stap finds the tapset in its own directory: no -I (the harness's kernel
# build tree, as these machines have no /lib/modules/*/build).
"$HARNESS" check >/dev/null || fail "stap cannot run here: $("$HARNESS" check)"
"$HARNESS" prepare 2>/dev/null || fail "harness prepare"
WORK=${HT_STAP_DIR:-$top_builddir/tests/stap/work}
env -u SYSTEMTAP_TAPSET stap -p4 -r "$WORK/kbuild-module" -R "$WORK/runtime" \
	-e 'probe health.sched {}' >"$TMP/stap.out" 2>"$TMP/stap.err" ||
	{ tail -n 20 "$TMP/stap.err" >&2; fail "stap -p4 -e 'probe health.sched {}' without -I"; }
grep -q '\.ko$' "$TMP/stap.out" || fail "stap -p4 built no module: $(cat "$TMP/stap.out")"
pass "stap -p4 -e 'probe health.sched {}' without -I"
# the tree's harness still elaborates the tree's tapset beside the
# installed one (no duplicate definitions)
"$HARNESS" compile -p2 -e 'probe health.sched {}' >/dev/null 2>"$TMP/stap.err" ||
	{ tail -n 20 "$TMP/stap.err" >&2; fail "the tree's tapset beside the installed one"; }
pass "the tree's stap tests unaffected by the installed tapset"

# Purge: every file the package listed, its user, group and state go.
purge || { tail -n 30 "$TMP/apt.log" >&2; fail "apt-get purge healthtap"; }
trap 'rm -rf "$TMP"' EXIT
! dpkg-query -W -f='${Status}' healthtap 2>/dev/null | grep -q 'installed' ||
	fail "still installed after purge: $(dpkg-query -W -f='${Status}' healthtap)"
left=""
while read -r f; do
	if [ -d "$f" ]; then
		continue	# shared directories (/usr/share/doc; /lib, a link on usrmerge)
	fi
	if [ -e "$f" ] || [ -L "$f" ]; then
		left="$left $f"
	fi
done <"$TMP/files"
[ -z "$left" ] || fail "left after purge:$left"
for d in /usr/share/healthtap /usr/share/doc/healthtap /var/lib/healthtap /etc/nagios-plugins/config/healthtap.cfg; do
	[ ! -e "$d" ] || fail "left after purge: $d"
done
! getent passwd healthtap >/dev/null || fail "user healthtap left after purge"
! getent group healthtap >/dev/null || fail "group healthtap left after purge"
pass "apt-get purge healthtap leaves nothing behind"
