# proc.mk: see the header of each listed file.
# System /proc readers (runtime/proc_<path>.{c,h}), their unit tests, and
# the libFuzzer targets for every parse function.
runtime_libhealthtap_a_SOURCES += \
	runtime/proc_interrupts.h runtime/proc_interrupts.c \
	runtime/proc_softirqs.h runtime/proc_softirqs.c \
	runtime/proc_meminfo.h runtime/proc_meminfo.c \
	runtime/proc_vmstat.h runtime/proc_vmstat.c \
	runtime/proc_pressure.h runtime/proc_pressure.c \
	runtime/proc_net_sockstat.h runtime/proc_net_sockstat.c \
	runtime/proc_net_dev.h runtime/proc_net_dev.c \
	runtime/proc_net_snmp.h runtime/proc_net_snmp.c

check_PROGRAMS += tests/test_proc_system
tests_test_proc_system_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_proc_system
