# The healthtap command.
bin_PROGRAMS += healthtap
healthtap_SOURCES = \
	frontend/healthtap.c frontend/cli.h frontend/cli.c \
	frontend/cmd_stream.c
healthtap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/frontend
healthtap_LDADD = runtime/libhealthtap.a -lm
