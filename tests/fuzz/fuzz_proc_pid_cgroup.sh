#!/bin/sh
# libFuzzer target fuzz_proc_pid_cgroup (tests/fuzz/fuzz_proc_pid_cgroup.c), seeded from the fixtures: see run.sh.
exec "${SHELL:-/bin/sh}" "$top_srcdir/tests/fuzz/run.sh" fuzz_proc_pid_cgroup \
	"runtime/proc_pid_cgroup.c runtime/proc_pid_file.c runtime/ht_path.c" \
	"tests/fixtures/*/proc/[0-9]*/cgroup tests/fixtures/*/sys/fs/cgroup/*/memory.* tests/fixtures/*/sys/fs/cgroup/*/*/memory.*"
