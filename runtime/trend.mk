# trend.mk: see the header of each listed file.
# Series (bounded rings), trend math for leak verdicts, baseline merge.
runtime_libhealthtap_a_SOURCES += \
	runtime/ht_series.h runtime/ht_series.c \
	runtime/ht_trend.h runtime/ht_trend.c \
	runtime/ht_merge.h runtime/ht_merge.c

check_PROGRAMS += tests/test_series tests/test_trend tests/test_merge
tests_test_series_LDADD = runtime/libhealthtap.a -lm
tests_test_trend_LDADD = runtime/libhealthtap.a -lm
tests_test_merge_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_series tests/test_trend tests/test_merge
