# The healthtap command.
bin_PROGRAMS += healthtap
healthtap_SOURCES = \
	frontend/healthtap.c frontend/cli.h frontend/cli.c \
	frontend/cmd_stream.c \
	$(OUT_SOURCES)
healthtap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/frontend
healthtap_LDADD = runtime/libhealthtap.a -lm

# The output layer: formatters, terminal-safe text, the JSON, CSV and
# Prometheus writers. Every command prints through it.
OUT_SOURCES = frontend/fmt.h frontend/fmt.c frontend/out.h frontend/out.c \
	frontend/out_json.h frontend/out_json.c frontend/out_csv.h frontend/out_csv.c \
	frontend/out_prom.h frontend/out_prom.c frontend/out_snap.h frontend/out_snap.c
check_PROGRAMS += tests/test_out
tests_test_out_SOURCES = tests/test_out.c $(OUT_SOURCES)
tests_test_out_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/frontend -I$(top_srcdir)/tests
tests_test_out_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_out
