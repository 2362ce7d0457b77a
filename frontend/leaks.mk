# frontend/leaks.mk: healthtap leaks, healthtap check (installed as
# check_leak too), their tests and man pages; the verdicts and the collector
# (runtime/ht_leak, runtime/ht_leak_collect) are in runtime/trend.mk.

healthtap_SOURCES += frontend/cmd_leaks.c frontend/cmd_check.c \
	frontend/check_state.h frontend/check_state.c

# A process with a known memory behaviour, driven by the live tests.
check_PROGRAMS += tests/leaks/leaker
tests_leaks_leaker_LDADD = -lpthread
tests_leaks_leaker_CFLAGS = $(HELPER_CFLAGS)
tests_leaks_leaker_LDFLAGS =

# Writes a history DB with known series through the store API.
check_PROGRAMS += tests/leaks/mkdb
tests_leaks_mkdb_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm

# Live tests against leakers (each under a minute), check and check_leak;
# the DB-mode test.
TESTS += tests/leaks/leaks-live.sh tests/leaks/leaks-output.sh tests/leaks/check.sh \
	tests/leaks/kmem-live.sh \
	tests/leaks/leaks-db.sh tests/leaks/ages-db.sh tests/leaks/cgroup.sh \
	tests/leaks/check-state.sh tests/leaks/where-refuse.sh tests/leaks/where-live.sh \
	tests/leaks/onset-live.sh tests/leaks/vmsize-live.sh
EXTRA_DIST += tests/leaks/lib-leaks.sh tests/leaks/leaks-live.sh \
	tests/leaks/kmem-live.sh tests/leaks/kmem-helper.py \
	tests/leaks/leaks-output.sh tests/leaks/check.sh tests/leaks/leaks-db.sh \
	tests/leaks/cgroup.sh tests/leaks/ages-db.sh tests/leaks/check-state.sh \
	tests/leaks/where-refuse.sh tests/leaks/where-live.sh tests/leaks/onset-live.sh \
	tests/leaks/vmsize-live.sh

# Man pages; check_leak(1) is a .so link to healthtap-check(1).
dist_man_MANS += docs/healthtap-leaks.1 docs/healthtap-check.1 docs/check_leak.1

# healthtap is also check_leak: main() dispatches on basename(argv[0]).
# Prerequisite-only hook rules, so other fragments may hook in too.
install-exec-hook: install-check-leak-link
install-check-leak-link:
	cd $(DESTDIR)$(bindir) && rm -f check_leak$(EXEEXT) && \
		$(LN_S) healthtap$(EXEEXT) check_leak$(EXEEXT)
uninstall-hook: uninstall-check-leak-link
uninstall-check-leak-link:
	rm -f $(DESTDIR)$(bindir)/check_leak$(EXEEXT)
.PHONY: install-check-leak-link uninstall-check-leak-link
# --where: allocation sites (runtime/ht_alloc_watch) beside the verdicts.
healthtap_SOURCES += frontend/alloc_where.h frontend/alloc_where.c
healthtap_LDADD += $(DW_LIBS)

# Benchmark (make bench): verdict quality against the textbook rules.
noinst_PROGRAMS += bench/verdict_quality
bench_verdict_quality_LDADD = runtime/libhealthtap.a -lm
EXTRA_DIST += bench/verdict-quality.sh
bench: bench-verdict
bench-verdict: all
	@echo "== bench/verdict-quality.sh"; \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/bench/verdict-quality.sh
.PHONY: bench-verdict
