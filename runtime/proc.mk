# proc.mk: see the header of each listed file.
# System /proc readers (runtime/proc_<path>.{c,h}), their unit tests, and
# the libFuzzer targets for every parse function.
runtime_libhealthtap_a_SOURCES += \
	runtime/proc_num.h runtime/proc_percpu.h runtime/proc_percpu.c \
	runtime/proc_interrupts.h runtime/proc_interrupts.c \
	runtime/proc_softirqs.h runtime/proc_softirqs.c \
	runtime/proc_meminfo.h runtime/proc_meminfo.c \
	runtime/proc_vmstat.h runtime/proc_vmstat.c \
	runtime/proc_pressure.h runtime/proc_pressure.c \
	runtime/proc_net_sockstat.h runtime/proc_net_sockstat.c \
	runtime/proc_net_dev.h runtime/proc_net_dev.c \
	runtime/proc_net_snmp.h runtime/proc_net_snmp.c \
	runtime/proc_slabinfo.h runtime/proc_slabinfo.c \
	runtime/proc_net_sock.h runtime/proc_net_sock.c

check_PROGRAMS += tests/test_proc_system
tests_test_proc_system_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_proc_system

# libFuzzer targets, one per parse function. tests/fuzz/run.sh builds each
# with $(CLANG) into the build tree and gives it a short run (10 s, or
# HT_FUZZ_SECONDS / HT_FUZZ_RUNS); it skips when configure found no clang.
FUZZ_TARGETS = \
	tests/fuzz/fuzz_stream \
	tests/fuzz/fuzz_proc_stat \
	tests/fuzz/fuzz_proc_interrupts \
	tests/fuzz/fuzz_proc_softirqs \
	tests/fuzz/fuzz_proc_meminfo \
	tests/fuzz/fuzz_proc_vmstat \
	tests/fuzz/fuzz_proc_pressure \
	tests/fuzz/fuzz_proc_net_sockstat \
	tests/fuzz/fuzz_proc_net_dev \
	tests/fuzz/fuzz_proc_net_snmp \
	tests/fuzz/fuzz_proc_slabinfo \
	tests/fuzz/fuzz_proc_net_sock \
	tests/fuzz/fuzz_proc_pid_stat \
	tests/fuzz/fuzz_proc_pid_statm \
	tests/fuzz/fuzz_proc_pid_status \
	tests/fuzz/fuzz_proc_pid_smaps_rollup \
	tests/fuzz/fuzz_proc_pid_limits \
	tests/fuzz/fuzz_proc_pid_cgroup \
	tests/fuzz/fuzz_proc_pid_cmdline \
	tests/fuzz/fuzz_proc_pid_smaps
AM_TESTS_ENVIRONMENT += HT_CLANG='$(CLANG)'; export HT_CLANG;
TESTS += $(FUZZ_TARGETS:=.sh)
EXTRA_DIST += docs/fuzzing.md tests/fuzz/run.sh tests/fuzz/fuzz.h tests/fuzz/seeds \
	$(FUZZ_TARGETS:=.sh) $(FUZZ_TARGETS:=.c) \
	tests/fuzz/fuzz_stream.dict tests/fuzz/fuzz_proc_interrupts.dict \
	tests/fuzz/fuzz_proc_softirqs.dict tests/fuzz/fuzz_proc_pressure.dict \
	tests/fuzz/fuzz_proc_net_dev.dict tests/fuzz/fuzz_proc_net_snmp.dict
CLEANFILES += $(FUZZ_TARGETS) $(FUZZ_TARGETS:=.tmp)
# Work dirs (corpus, crash inputs) of failed runs.
clean-local: clean-fuzz-work
clean-fuzz-work:
	rm -rf $(FUZZ_TARGETS:=.work)
.PHONY: clean-fuzz-work

# Kernel memory verdicts (ht_leak_collect, opts.kernel) on a fixture series.
check_PROGRAMS += tests/test_kmem
tests_test_kmem_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
TESTS += tests/test_kmem
