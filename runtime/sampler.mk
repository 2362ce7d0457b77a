# runtime/sampler.mk: the sampler every command samples through, and the
# scheduler every sampling loop runs in.
runtime_libhealthtap_a_SOURCES += runtime/ht_sampler.h runtime/ht_sampler.c \
	runtime/ht_irqs.h runtime/ht_irqs.c runtime/ht_threads.h runtime/ht_threads.c \
	runtime/ht_sched.h runtime/ht_sched.c

check_PROGRAMS += tests/test_sampler tests/test_sched
tests_test_sampler_LDADD = runtime/libhealthtap.a -lm
tests_test_sched_LDADD = runtime/libhealthtap.a -lm
TESTS += tests/test_sampler tests/test_sched
