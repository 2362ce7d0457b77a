# runtime/store.mk: the history store (SQLite; docs/schema.md), in files by
# job (runtime/ht_store_int.h names them), and its unit test.
runtime_libhealthtap_a_SOURCES += runtime/ht_store.h runtime/ht_store_int.h \
	runtime/ht_store.c runtime/ht_store_write.c runtime/ht_store_rollup.c \
	runtime/ht_store_read.c runtime/ht_proc_age.h runtime/ht_proc_age.c

# Debian's sqlite3.pc has empty cflags; per-target library CFLAGS would rename
# every library object, so SQLITE_CFLAGS goes to the programs only.
check_PROGRAMS += tests/test_store
tests_test_store_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_test_store_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_test_store_LDADD = runtime/libhealthtap.a $(SQLITE_LIBS) -lm
TESTS += tests/test_store
