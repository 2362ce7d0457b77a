# trend.mk: see the header of each listed file.
# Series (bounded rings), trend math for leak verdicts, baseline merge.
runtime_libhealthtap_a_SOURCES += \
	runtime/ht_series.h \
	runtime/ht_trend.h
