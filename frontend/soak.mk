# frontend/soak.mk: healthtap soak and its gnuplot charts.
healthtap_SOURCES += frontend/chart.h frontend/chart.c frontend/cmd_soak.c
healthtap_CPPFLAGS += -DHT_GNUPLOT_DIR='"$(pkgdatadir)/gnuplot"' \
	-DHT_SOURCE_GNUPLOT_DIR='"$(abs_top_srcdir)/gnuplot"'

gnuplotdir = $(pkgdatadir)/gnuplot
dist_gnuplot_DATA = gnuplot/soak.gp
dist_man_MANS += docs/healthtap-soak.1

check_PROGRAMS += tests/soak/fakeserver
tests_soak_fakeserver_CFLAGS = $(HELPER_CFLAGS)
tests_soak_fakeserver_LDFLAGS =
TESTS += tests/soak/soak.sh tests/soak/where-live.sh
EXTRA_DIST += tests/soak/soak.sh tests/soak/where-live.sh
