# Symbolization with elfutils' libdwfl (runtime/ht_sym): what links it
# adds $(DW_LIBS) (pkg-config gives libdw no CFLAGS).
runtime_libhealthtap_a_SOURCES += runtime/ht_sym.h runtime/ht_sym.c
check_PROGRAMS += tests/test_sym
tests_test_sym_LDADD = runtime/libhealthtap.a $(DW_LIBS) -lm
TESTS += tests/test_sym
runtime_libhealthtap_a_SOURCES += runtime/ht_alloc.h runtime/ht_alloc.c
check_PROGRAMS += tests/helpers/symsites
tests_helpers_symsites_LDADD = runtime/libhealthtap.a $(DW_LIBS) -lm
# health.alloc.sites run on one process, its sites symbolized and its cost
# held to a share of the target's CPU (leaks --where, soak --where).
runtime_libhealthtap_a_SOURCES += runtime/ht_alloc_watch.h runtime/ht_alloc_watch.c
