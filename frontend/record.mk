# frontend/record.mk: the history store, healthtap record and import.
runtime_libhealthtap_a_SOURCES += runtime/ht_store.h runtime/ht_store.c \
	runtime/ht_supervisor.h runtime/ht_supervisor.c
healthtap_SOURCES += frontend/cmd_record.c frontend/cmd_import.c
# Debian's sqlite3.pc has empty cflags; per-target library CFLAGS would rename
# every library object, so SQLITE_CFLAGS goes to the programs only.
healthtap_LDADD += $(SQLITE_LIBS)

check_PROGRAMS += tests/record/test_store
tests_record_test_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_record_test_store_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_record_test_store_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
TESTS += tests/record/test_store

TESTS += tests/record/kill9.sh tests/record/restart.sh tests/record/import.sh \
	tests/record/diskfull.sh tests/record/stap.sh tests/record/unit.sh \
	tests/record/defaults.sh
EXTRA_DIST += tests/record/unit.sh tests/record/defaults.sh tests/record/common.sh tests/record/kill9.sh tests/record/restart.sh \
	tests/record/import.sh tests/record/diskfull.sh tests/record/stap.sh

# Benchmark: a synthetic week through the store (make bench).
noinst_PROGRAMS += bench/store-week
bench_store_week_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
bench_store_week_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
bench_scripts += bench/store-week.sh

# Docs and the systemd unit.
dist_man_MANS += docs/healthtap-record.1 docs/healthtap-import.1
EXTRA_DIST += docs/schema.md scripts/healthtap-record.service

# The writer the kill -9 test kills in the middle of transactions.
check_PROGRAMS += tests/record/store_writer
tests_record_store_writer_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
EXTRA_DIST += tests/record/store_writer.c
