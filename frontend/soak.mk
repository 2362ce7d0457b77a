# frontend/soak.mk: healthtap soak, the smaps reader and gnuplot charts.
runtime_libhealthtap_a_SOURCES += runtime/proc_pid_smaps.h runtime/proc_pid_smaps.c
healthtap_SOURCES += frontend/chart.h frontend/chart.c frontend/cmd_soak.c
healthtap_CPPFLAGS += -DHT_GNUPLOT_DIR='"$(pkgdatadir)/gnuplot"' \
	-DHT_SOURCE_GNUPLOT_DIR='"$(abs_top_srcdir)/gnuplot"'

gnuplotdir = $(pkgdatadir)/gnuplot
dist_gnuplot_DATA = gnuplot/soak.gp
dist_man_MANS += docs/healthtap-soak.1

check_PROGRAMS += tests/soak/fakeserver tests/test_proc_pid_smaps
tests_test_proc_pid_smaps_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_proc_pid_smaps tests/soak/soak.sh
EXTRA_DIST += tests/soak/soak.sh
