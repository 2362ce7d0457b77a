/* The target's allocator from its maps (ht_alloc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_alloc.h"
#include "ht_path.h"

/* Allocators that replace glibc's malloc, by the basename prefix of their
 * shared object. */
static const struct {
	const char *prefix, *name;
} others[] = {
	{ "libjemalloc.so", "jemalloc" },
	{ "libtcmalloc", "tcmalloc" },
	{ "libmimalloc.so", "mimalloc" },
	{ "libhoard.so", "hoard" },
};

/* "7f2c1a000000-7f2c1a028000 r--p 00000000 fe:01 1055 /usr/lib/x86_64-linux-gnu/libc.so.6" */
int ht_alloc_check(const char *root, int pid, char *why, size_t size)
{
	char rel[64], path[4096];
	char *text = NULL, *line, *save = NULL;
	int libc = 0, err = 0;
	long n;

	snprintf(rel, sizeof(rel), "/proc/%d/maps", pid);
	if ((err = ht_path(path, sizeof(path), root, rel)))
		return err;
	n = ht_read_file_alloc(path, 65536, 64 << 20, &text);
	if (n < 0) {
		err = n == -ENOENT ? -ESRCH : (int)n;
		snprintf(why, size, "cannot read %s: %s", path, strerror(-err));
		return err;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *file = strchr(line, '/'), *base;

		if (!file)
			continue;
		base = strrchr(file, '/') + 1;
		if (!strncmp(base, "libc.so.6", 9) || !strncmp(base, "libc-2.", 7))
			libc = 1;
		for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
			if (!strncmp(base, others[i].prefix, strlen(others[i].prefix))) {
				snprintf(why, size, "its malloc is %s's (%s), not glibc's: run it "
					 "without %s (LD_PRELOAD or linking) to watch its allocations",
					 others[i].name, file, others[i].name);
				err = -ENOTSUP;
				goto cleanup;
			}
	}
	if (!libc) {
		snprintf(why, size, "statically linked or not glibc: no libc.so.6 mapped "
			 "(the probes sit on glibc's libc.so.6)");
		err = -ENOTSUP;
	}
cleanup:
	free(text);
	return err;
}
