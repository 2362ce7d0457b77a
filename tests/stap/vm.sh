# The guest part of tests/stap/harness (sourced by it): stap's module
# runtime run for real in a Debian kernel booted under qemu, for hosts whose
# own kernel loads no modules.
#
#   harness vm check                 exit 0 if a guest can run here, 77 (and why) if not
#   harness vm prepare               kernel, build tree, System.map, base initramfs
#   harness vm compile DIR NAME ARGS...  stap -p4 -m NAME for the guest kernel: DIR/NAME.ko
#   harness vm boot JOBDIR OUTDIR [SECONDS]  one boot that runs every JOBDIR/*.sh
#
# One boot runs every job JOBDIR/NAME.sh in name order with busybox sh, in
# the folder /out/NAME (its stdout, stderr and exit code go to OUTDIR/NAME/
# stdout, stderr, rc). JOBDIR is /jobs in the guest: its .ko files, and its
# bin/ folder on PATH (the shared libraries of what is there are added).
# The guest has busybox, staprun, stapio, proc, sysfs, devtmpfs, debugfs,
# tracefs, cgroup2 and lo up; ttyS2 and ttyS3 write to nothing (IRQ load).
# OUTDIR/console.log is the kernel's console.
#
# Everything is built once per kernel version under $WORK/vm/KV (the Debian
# linux-image of the linux-headers-amd64 version, unpacked with apt-get
# download and dpkg-deb -x: nothing is installed) and stap's cache is kept
# there (SYSTEMTAP_DIR). HT_VM_ACCEL=kvm uses KVM where it works (default:
# tcg, software emulation: it works everywhere, slowly).

VM_ACCEL=${HT_VM_ACCEL:-tcg}
VM_MEM=${HT_VM_MEM:-1024}
VM_SMP=${HT_VM_SMP:-2}

vm_kv() {
	local h
	h=$(headers_dir) || return 1
	basename "$h" | sed 's/^linux-headers-//'
}

vm_dir() { echo "$WORK/vm/$(vm_kv)"; }

# Prints why no guest can run here, or nothing when one can.
vm_why_not() {
	command -v stap >/dev/null 2>&1 || { echo "stap is not installed (scripts/install-deps)"; return; }
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		{ echo "no qemu-system-x86_64 (scripts/install-deps: qemu-system-x86)"; return; }
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
		{ echo "no static /bin/busybox (scripts/install-deps: busybox-static)"; return; }
	command -v staprun >/dev/null 2>&1 && [ -x /usr/lib/systemtap/stapio ] ||
		{ echo "no staprun or stapio (systemtap-runtime)"; return; }
	headers_dir >/dev/null || { echo "no Debian linux-headers-*-amd64 in /usr/src (scripts/install-deps)"; return; }
	command -v dpkg-deb >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
		{ echo "no apt-get/dpkg-deb to fetch the guest kernel"; return; }
	[ -f "$(vm_dir)/vmlinuz" ] && return
	local kv ver
	kv=$(vm_kv)
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kv" 2>/dev/null)
	[ -n "$ver" ] || { echo "linux-headers-$kv is not a Debian package"; return; }
	apt-cache show "linux-image-$kv=$ver" >/dev/null 2>&1 ||
		echo "apt knows no linux-image-$kv=$ver (the headers' version) to boot"
}

# The kernel image: linux-image-KV of the headers' own version.
vm_kernel() {
	local d=$1 kv=$2 ver
	[ -f "$d/vmlinuz" ] && return 0
	ver=$(dpkg-query -W -f='${Version}' "linux-headers-$kv")
	echo "harness: fetching linux-image-$kv=$ver" >&2
	rm -rf "$d/deb" && mkdir -p "$d/deb"
	(cd "$d/deb" && apt-get download -q "linux-image-$kv=$ver" >/dev/null 2>&1) ||
		die "apt-get download linux-image-$kv=$ver failed"
	dpkg-deb -x "$d"/deb/linux-image-*.deb "$d/deb/x" || die "cannot unpack the kernel package"
	cp "$d/deb/x/boot/vmlinuz-$kv" "$d/vmlinuz.tmp" || die "no vmlinuz-$kv in the package"
	rm -rf "$d/deb"
	mv "$d/vmlinuz.tmp" "$d/vmlinuz"
}

# Copies FILE and the shared libraries ldd lists for it into ROOT, at the
# same paths.
vm_copy_with_libs() {
	local root=$1 f lib
	shift
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
	done
}

# The guest's /init: mounts, lo, then by ht.mode= on the kernel command
# line either dumps /proc/kallsyms or runs the jobs; the results go to the
# second serial port (gzip, base64), then poweroff.
vm_init() {
	cat <<'EOF'
#!/bin/sh
export PATH=/jobs/bin:/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /out /var/tmp
ip link set lo up
stty -F /dev/ttyS1 raw -echo 2>/dev/null
send() { gzip -c | base64 >/dev/ttyS1; echo "====" >/dev/ttyS1; }
case " $(cat /proc/cmdline) " in
*" ht.mode=kallsyms "*)
	awk 'NF == 3' /proc/kallsyms | send ;;
*)
	for j in /jobs/*.sh; do
		[ -f "$j" ] || continue
		n=$(basename "$j" .sh)
		mkdir -p "/out/$n"
		echo "ht-job-begin $n"
		(cd "/out/$n" && sh "$j" >stdout 2>stderr; echo $? >rc)
		echo "ht-job-end $n rc=$(cat "/out/$n/rc")"
	done
	tar -C /out -cf - . | send ;;
esac
echo ht-guest-done
poweroff -f
EOF
}

# busybox (with its applet links), staprun, stapio and their libraries.
vm_base() {
	local d=$1 root="$1/base.root" a
	[ -f "$d/base.cpio.gz" ] && return 0
	rm -rf "$root" && mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/jobs"
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
	done
	vm_copy_with_libs "$root" /usr/bin/staprun /usr/lib/systemtap/stapio
	vm_init >"$root/init" && chmod +x "$root/init"
	vm_cpio "$root" "$d/base.cpio.gz.tmp" && mv "$d/base.cpio.gz.tmp" "$d/base.cpio.gz"
	rm -rf "$root"
}

# A gzipped newc archive of ROOT (no cpio binary needed: busybox has one).
vm_cpio() {
	(cd "$1" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$2"
}

# vm_qemu INITRD APPEND SECONDS CONSOLE SERIAL1: one bounded boot.
vm_qemu() {
	local d accel
	d=$(vm_dir)
	accel="-accel tcg"
	[ "$VM_ACCEL" = kvm ] && accel="-accel kvm -cpu host"
	# shellcheck disable=SC2086
	timeout -k 5 "$3" qemu-system-x86_64 $accel -smp "$VM_SMP" -m "$VM_MEM" \
		-kernel "$d/vmlinuz" -initrd "$1" \
		-append "console=ttyS0 quiet panic=-1 $2" \
		-display none -monitor none -nodefaults -nic none -no-reboot \
		-serial "file:$4" -serial "file:$5" -serial null -serial null </dev/null
}

# Decodes the first block the guest sent over the second serial port.
vm_received() {
	awk '/^====/ { exit } { print }' "$1" | tr -d '\r' | base64 -d 2>/dev/null | gunzip -c
}

# A real System.map: kprobes and pass 2 need the guest kernel's symbols
# (Debian ships a stub). One boot with nokaslr, /proc/kallsyms sent back.
vm_system_map() {
	local d=$1 tmp
	[ -s "$d/kbuild/System.map" ] && [ "$(wc -l <"$d/kbuild/System.map")" -gt 10000 ] && return 0
	echo "harness: booting the guest once for its System.map" >&2
	tmp=$(mktemp -d "$d/boot.XXXXXX")
	vm_qemu "$d/base.cpio.gz" "ht.mode=kallsyms nokaslr" 300 "$tmp/console.log" "$tmp/ttyS1" ||
		{ tail -n 20 "$tmp/console.log" >&2; die "the System.map boot failed (or took over 300 s)"; }
	vm_received "$tmp/ttyS1" >"$tmp/System.map"
	[ "$(wc -l <"$tmp/System.map")" -gt 10000 ] || die "the guest sent no kallsyms ($tmp)"
	mv "$tmp/System.map" "$d/kbuild/System.map"
	rm -rf "$tmp"
}

vm_prepare_locked() {
	local d kv hdr
	kv=$(vm_kv) || die "no linux-headers-*-amd64 in /usr/src"
	hdr=$(headers_dir)
	d="$WORK/vm/$kv"
	mkdir -p "$d"
	[ -f "$d/.prepared" ] && return 0
	echo "harness: preparing the $kv guest in $d (once)" >&2
	vm_kernel "$d" "$kv"
	if [ ! -d "$d/kbuild" ]; then
		make_tree "$hdr" "$d/kbuild" "$kv"
		: >"$d/kbuild/System.map"
	fi
	vm_base "$d"
	vm_system_map "$d"
	touch "$d/.prepared"
}

vm_prepare() {
	prepare || return 1
	mkdir -p "$WORK/vm"
	exec 8>"$WORK/vm/.lock"
	flock 8
	vm_prepare_locked
	local rc=$?
	flock -u 8
	return $rc
}

# vm_compile DIR NAME ARGS...: DIR/NAME.ko for the guest kernel.
vm_compile() {
	local out=$1 name=$2 d
	shift 2
	d=$(vm_dir)
	mkdir -p "$out" "$d/stap-cache"
	# STP_NO_OVERLOAD: under emulation every probe takes many times its real
	# cycles, and stap's overload check would stop the module. One compile
	# at a time: the guest tests of one make check share stap's cache (and
	# the 2 CPUs).
	(cd "$out" && exec 7>"$d/compile.lock" && flock 7 &&
		SYSTEMTAP_DIR="$d/stap-cache" stap -p4 -m "$name" -r "$d/kbuild" \
		-R "$WORK/runtime" -I "$TAPSET" -DSTP_NO_OVERLOAD "$@" >/dev/null) || return 1
	[ -f "$out/$name.ko" ]
}

# vm_boot JOBDIR OUTDIR [SECONDS]: one boot running every job.
vm_boot() {
	local jobs=$1 out=$2 secs=${3:-300} d root rc=0 f
	d=$(vm_dir)
	[ -d "$jobs" ] || die "no job folder $jobs"
	rm -rf "$out" && mkdir -p "$out"
	root="$out/initrd.root"
	mkdir -p "$root/jobs"
	cp -a "$jobs/." "$root/jobs/"
	for f in "$root"/jobs/bin/*; do
		[ -f "$f" ] && [ -x "$f" ] && vm_copy_with_libs "$root" "$f"
	done
	vm_cpio "$root" "$out/jobs.cpio.gz" || die "cannot pack the jobs"
	rm -rf "$root"
	# Linux unpacks concatenated archives in turn: the jobs over the base.
	cat "$d/base.cpio.gz" "$out/jobs.cpio.gz" >"$out/initrd.cpio.gz"
	rm -f "$out/jobs.cpio.gz"
	vm_qemu "$out/initrd.cpio.gz" "" "$secs" "$out/console.log" "$out/ttyS1" || rc=$?
	rm -f "$out/initrd.cpio.gz"
	if [ "$rc" -ne 0 ]; then
		tail -n 30 "$out/console.log" >&2
		[ "$rc" -eq 124 ] && die "the guest did not power off within $secs s"
		die "qemu exited $rc"
	fi
	vm_received "$out/ttyS1" | tar -C "$out" -xf - ||
		{ tail -n 30 "$out/console.log" >&2; die "the guest sent no results"; }
	rm -f "$out/ttyS1"
}

vm_main() {
	local sub=${1:-} reason
	[ $# -gt 0 ] && shift
	case "$sub" in
	check)
		reason=$(vm_why_not)
		[ -z "$reason" ] && exit 0
		echo "$reason"
		exit 77 ;;
	prepare)
		reason=$(vm_why_not)
		[ -z "$reason" ] || die "$reason"
		vm_prepare ;;
	compile)
		[ $# -ge 2 ] || die "usage: harness vm compile DIR NAME STAP-ARGS..."
		vm_prepare || exit 1
		vm_compile "$@" ;;
	boot)
		[ $# -ge 2 ] || die "usage: harness vm boot JOBDIR OUTDIR [SECONDS]"
		vm_prepare || exit 1
		vm_boot "$@" ;;
	*)
		die "unknown vm command '$sub' (check, prepare, compile, boot)" ;;
	esac
}
