# Guest job part (busybox sh, tests/stap/vm.sh), sourced by the jobs
# tests/stap/runok/alloc-guest-runok.sh writes, with MODULE and SCALE set:
# health.alloc.sites on the module runtime (/jobs/$MODULE.ko) with
# tests/helpers/allocsites $SCALE started by staprun -c: the stream in
# stream, the program's own site list (stderr of the child) in stap.err,
# staprun's exit code in stap.rc. The module's uprobes name libc by the
# host's canonical path (/lib is a link to /usr/lib there): the guest's
# copy is put there and loaded from there, so that the probes' path is
# the one the program maps.
mkdir -p /usr/lib/x86_64-linux-gnu
[ -e /usr/lib/x86_64-linux-gnu/libc.so.6 ] ||
	cp /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc.so.6
staprun -C never -c "env LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu /jobs/bin/allocsites $SCALE" \
	/jobs/$MODULE.ko >stream 2>stap.err
echo $? >stap.rc
grep -c . stream
