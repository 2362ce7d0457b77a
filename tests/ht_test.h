/* Minimal assertions for the unit tests: each failure prints where and what;
 * ht_test_done() exits 1 if any check failed. */
#ifndef HT_TEST_H
#define HT_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (!g_ || strcmp(g_, w_)) { \
		ht_test_failures++; \
		fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_); \
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

/* A fixture tree as the tests read it, copied into a new temp directory
 * (out, n bytes). Symlinks do not survive make dist (its tar follows
 * them), so a fixture lists its links in SYMLINKS ("path target" lines)
 * and they are made here. Returns 0, or -1 with a message. */
static inline int ht_test_fixture(const char *src, char *out, size_t n)
{
	char cmd[12288], path[8400], target[4096];
	FILE *f;

	if (snprintf(out, n, "/tmp/ht-fixture-XXXXXX") >= (int)n || !mkdtemp(out))
		goto fail;
	snprintf(cmd, sizeof(cmd), "cp -R '%s/.' '%s/' && chmod -R u+w '%s'", src, out, out);
	if (system(cmd) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/SYMLINKS", src);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fscanf(f, "%4095s %4095s", cmd, target) == 2) {
		char rm[9000];

		snprintf(path, sizeof(path), "%s/%s", out, cmd);
		snprintf(rm, sizeof(rm), "rm -rf '%s'", path);
		if (system(rm) != 0 || symlink(target, path) != 0) {
			fclose(f);
			goto fail;
		}
	}
	fclose(f);
	return 0;
fail:
	fprintf(stderr, "cannot copy the fixture %s: %s\n", src, strerror(errno));
	return -1;
}

/* Removes a tree ht_test_fixture() made. */
static inline void ht_test_fixture_free(const char *dir)
{
	char cmd[4200];

	if (strncmp(dir, "/tmp/ht-fixture-", 16))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static inline int ht_test_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, ht_test_checks, ht_test_failures);
	return ht_test_failures ? 1 : 0;
}

#endif
