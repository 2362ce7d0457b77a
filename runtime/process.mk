# process.mk: per-process /proc readers (runtime/proc_pid_*) and the process
# table (runtime/ht_proctable); see the header of each listed file.
runtime_libhealthtap_a_SOURCES += \
	runtime/proc_pid_file.h runtime/proc_pid_file.c \
	runtime/proc_pid_statm.h runtime/proc_pid_statm.c \
	runtime/proc_pid_status.h runtime/proc_pid_status.c \
	runtime/proc_pid_stat.h runtime/proc_pid_stat.c \
	runtime/proc_pid_smaps_rollup.h runtime/proc_pid_smaps_rollup.c \
	runtime/proc_pid_cmdline.h runtime/proc_pid_cmdline.c \
	runtime/proc_pid_cgroup.h runtime/proc_pid_cgroup.c \
	runtime/proc_pid_limits.h runtime/proc_pid_limits.c \
	runtime/proc_pid_smaps.h runtime/proc_pid_smaps.c \
	runtime/ht_proctable.h runtime/ht_proctable.c

check_PROGRAMS += tests/test_proc_pid
tests_test_proc_pid_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_proc_pid
# tests/fixtures/procs and procs-old ship with tests/fixtures (tests/local.mk).

check_PROGRAMS += tests/test_proc_pid_smaps
tests_test_proc_pid_smaps_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_proc_pid_smaps

check_PROGRAMS += tests/test_proctable
tests_test_proctable_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_proctable

# Benchmark: sampling every process's memory (make bench).
noinst_PROGRAMS += bench/bench_sample
bench_bench_sample_LDADD = runtime/libhealthtap.a -lm
bench_scripts += bench/sample-memory.sh
