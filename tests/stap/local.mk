# Tapset tests by stap pass (parseok, buildok, runok) and the harness.
TESTS += tests/stap/sched-runok.sh \
	tests/stap/runok/irq-runok.sh tests/stap/runok/memory-runok.sh \
	tests/stap/runok/skb-runok.sh tests/stap/buildok.sh tests/stap/runok/all-runok.sh \
	tests/stap/parseok.sh
EXTRA_DIST += tests/stap/harness tests/stap/sched-runok.sh \
	tests/stap/join.py tests/stap/stap-lib.sh \
	tests/stap/runok/irq-runok.sh tests/stap/runok/memory-runok.sh \
	tests/stap/runok/skb-runok.sh tests/stap/buildok.sh tests/stap/buildok \
	tests/stap/runok/all-runok.sh tests/stap/parseok.sh tests/stap/parseok
check_PROGRAMS += tests/helpers/memhog
tests_helpers_memhog_SOURCES = tests/helpers/memhog.c
tests_helpers_memhog_CFLAGS = $(HELPER_CFLAGS)
tests_helpers_memhog_LDFLAGS =
bench_scripts += bench/tapset-overhead.sh
