# frontend/report.mk: healthtap report.
healthtap_SOURCES += frontend/report.h frontend/report_collect.c frontend/report_charts.c \
	frontend/report_tables.c frontend/report_html.h frontend/report_html.c \
	frontend/cmd_report.c
dist_gnuplot_DATA += gnuplot/process.gp gnuplot/memory.gp gnuplot/lines.gp

check_PROGRAMS += tests/report/mkdb
tests_report_mkdb_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
TESTS += tests/report/report.sh tests/report/report-browser.sh tests/report/axes.sh
EXTRA_DIST += tests/report/report.sh tests/report/report-browser.sh tests/report/golden-dumb.txt \
	tests/report/axes.sh tests/report/golden-axes.txt

noinst_PROGRAMS += bench/bench_report_week
bench_bench_report_week_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
bench_scripts += bench/report-week.sh
dist_man_MANS += docs/healthtap-report.1
