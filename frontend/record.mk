# frontend/record.mk: healthtap record and import (the store itself is
# runtime/store.mk).
healthtap_SOURCES += frontend/cmd_record.c frontend/cmd_import.c
healthtap_LDADD += $(SQLITE_LIBS)

TESTS += tests/record/kill9.sh tests/record/restart.sh tests/record/import.sh \
	tests/record/diskfull.sh tests/record/stap.sh tests/record/unit.sh \
	tests/record/defaults.sh tests/record/rotate.sh tests/record/stall.sh tests/record/where.sh
EXTRA_DIST += tests/record/unit.sh tests/record/defaults.sh tests/record/rotate.sh tests/record/stall.sh tests/record/common.sh tests/record/kill9.sh tests/record/restart.sh \
	tests/record/import.sh tests/record/diskfull.sh tests/record/stap.sh tests/record/where.sh

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
