# trend.mk: see the header of each listed file.
# Series (bounded rings), trend math, leak verdicts and their collector,
# baseline merge.
runtime_libhealthtap_a_SOURCES += \
	runtime/ht_series.h runtime/ht_series.c \
	runtime/ht_trend.h runtime/ht_trend.c \
	runtime/ht_leak.h runtime/ht_leak.c \
	runtime/ht_leak_collect.h runtime/ht_leak_collect.c \
	runtime/ht_restarts.h runtime/ht_restarts.c \
	runtime/ht_merge.h runtime/ht_merge.c

check_PROGRAMS += tests/test_series tests/test_trend tests/test_merge tests/test_leak
tests_test_series_LDADD = runtime/libhealthtap.a -lm
tests_test_trend_LDADD = runtime/libhealthtap.a -lm
tests_test_merge_LDADD = runtime/libhealthtap.a -lm
tests_test_leak_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
TESTS += tests/test_series tests/test_trend tests/test_merge tests/test_leak

# Benchmarks (make bench): parser throughput, trend update cost. bench/local.mk
# sets bench_scripts with '=' after this fragment is included, so automake
# refuses 'bench_scripts +=' here; the scripts hang off the bench target.
noinst_PROGRAMS += bench/bench_stream_parse bench/bench_trend_update
bench_bench_stream_parse_LDADD = runtime/libhealthtap.a -lm
bench_bench_trend_update_LDADD = runtime/libhealthtap.a -lm
EXTRA_DIST += bench/stream-parse.sh bench/trend-update.sh
bench: bench-trend
bench-trend: all
	@for b in bench/stream-parse.sh bench/trend-update.sh; do \
	  echo "== $$b"; \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/$$b || exit 1; \
	done
.PHONY: bench-trend
