/* Minimal assertions for the unit tests: each failure prints where and what;
 * ht_test_done() exits 1 if any check failed. */
#ifndef HT_TEST_H
#define HT_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int ht_test_failures;
static int ht_test_checks;

#define CHECK(cond) do { \
	ht_test_checks++; \
	if (!(cond)) { \
		ht_test_failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	ht_test_checks++; \
	if (g_ != w_) { \
		ht_test_failures++; \
		fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	ht_test_checks++; \
	if (strcmp(g_, w_)) { \
		ht_test_failures++; \
		fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got, g_, w_); \
	} \
} while (0)

#define CHECK_NEAR(got, want, tol) do { \
	double g_ = (got), w_ = (want); \
	ht_test_checks++; \
	if (!(fabs(g_ - w_) <= (tol))) { \
		ht_test_failures++; \
		fprintf(stderr, "%s:%d: %s = %g, want %g +- %g\n", __FILE__, __LINE__, #got, g_, w_, (double)(tol)); \
	} \
} while (0)

static inline int ht_test_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, ht_test_checks, ht_test_failures);
	return ht_test_failures ? 1 : 0;
}

#endif
