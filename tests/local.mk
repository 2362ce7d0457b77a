# Tests: unit programs (tests/test_*.c) and shell tests (*.sh).
TEST_LDADD = runtime/libhealthtap.a -lm

check_PROGRAMS += tests/test_stream tests/test_proc_stat tests/helpers/switcher
tests_test_stream_LDADD = $(TEST_LDADD)
tests_test_proc_stat_LDADD = $(TEST_LDADD)

TESTS += tests/test_stream tests/test_proc_stat tests/cli.sh tests/hostile-names.sh tests/hostile-input.sh

EXTRA_DIST += tests/ht_test.h tests/lib.sh tests/cli.sh \
	tests/hostile-names.sh tests/hostile-names.py tests/hostile-input.sh \
	tests/fixtures
