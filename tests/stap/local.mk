# Tapset tests and the harness.
# Folders and runners are named by stap pass as in systemtap's testsuite:
# parseok (-p1), semok (-p2), buildok (-p4), runok (run for real).
STAP_TESTS = tests/stap/tapset-doc.sh tests/stap/parseok.sh tests/stap/semok.sh tests/stap/buildok.sh \
	tests/stap/runok/sched-runok.sh tests/stap/runok/irq-runok.sh \
	tests/stap/runok/memory-runok.sh tests/stap/runok/skb-runok.sh \
	tests/stap/runok/alloc-runok.sh tests/stap/runok/alloc-where-runok.sh \
	tests/stap/runok/all-runok.sh tests/stap/runok/guest-runok.sh \
	tests/stap/runok/alloc-guest-runok.sh
TESTS += $(STAP_TESTS)
EXTRA_DIST += tests/stap/harness tests/stap/vm.sh tests/stap/join.py tests/stap/stap-lib.sh \
	tests/stap/alloc-sites.py \
	$(STAP_TESTS) tests/stap/parseok tests/stap/semok tests/stap/buildok tests/stap/guest
# The pass folders are data, never built. Without a rule of their own,
# make's built-in '%: %.sh' rule takes a folder in EXTRA_DIST for the
# product of the runner beside it: once semok.sh is newer than semok/
# (an edit, or a fresh clone's checkout order), make dist runs
# 'cat semok.sh >semok' into the folder and fails.
tests/stap/parseok tests/stap/semok tests/stap/buildok: ;
check_PROGRAMS += tests/helpers/memhog
tests_helpers_memhog_SOURCES = tests/helpers/memhog.c
tests_helpers_memhog_CFLAGS = $(HELPER_CFLAGS)
tests_helpers_memhog_LDFLAGS =
# Known allocation sites for health.alloc: -O0 so that no malloc/free
# pair is elided.
check_PROGRAMS += tests/helpers/allocsites
tests_helpers_allocsites_SOURCES = tests/helpers/allocsites.c
tests_helpers_allocsites_CFLAGS = $(HELPER_CFLAGS) -O0 -pthread
tests_helpers_allocsites_LDFLAGS = -pthread
tests_helpers_allocsites_LDADD = -ldl
# A leak in a shared library (allocsites dlopens it).
check_PROGRAMS += tests/helpers/liballocleak.so
tests_helpers_liballocleak_so_SOURCES = tests/helpers/liballocleak.c
tests_helpers_liballocleak_so_CFLAGS = $(HELPER_CFLAGS) -O0 -fPIC
tests_helpers_liballocleak_so_LDFLAGS = -shared
bench_scripts += bench/tapset-overhead.sh
# bench/alloc-overhead.sh: malloc+free pairs timed in CPU ns, -O0 so that
# the pairs stay.
noinst_PROGRAMS += bench/alloc_loop
bench_alloc_loop_SOURCES = bench/alloc_loop.c
bench_alloc_loop_CFLAGS = $(HELPER_CFLAGS) -O0
bench_alloc_loop_LDFLAGS =
bench_scripts += bench/alloc-overhead.sh
