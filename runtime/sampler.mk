# runtime/sampler.mk: the sampler every command samples through.
runtime_libhealthtap_a_SOURCES += runtime/ht_sampler.h runtime/ht_sampler.c

check_PROGRAMS += tests/test_sampler
tests_test_sampler_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_sampler
