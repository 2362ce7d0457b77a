/* The target's allocator from its maps (ht_alloc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_alloc.h"
#include <math.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "ht_stream.h"

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

struct raw_site {
	uint64_t addr;
	int64_t bytes, blocks;	/* as printed (sampled) */
	uint64_t gen;		/* table generation it was last seen in */
};

struct ht_alloc_sites {
	struct raw_site *s;
	size_t n, cap;
	int64_t sample, last_ms;
	uint64_t table_gen;	/* counts "table" records */
	int in_table;
};

struct ht_alloc_sites *ht_alloc_sites_new(void)
{
	struct ht_alloc_sites *a = calloc(1, sizeof(*a));

	if (a)
		a->sample = 1;
	return a;
}

void ht_alloc_sites_free(struct ht_alloc_sites *a)
{
	if (!a)
		return;
	free(a->s);
	free(a);
}

static struct raw_site *find_site(struct ht_alloc_sites *a, uint64_t addr)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->s[i].addr == addr)
			return &a->s[i];
	if (ht_grow(a->s, a->cap, a->n + 1))
		return NULL;
	a->s[a->n] = (struct raw_site){ .addr = addr };
	return &a->s[a->n++];
}

int ht_alloc_sites_add(struct ht_alloc_sites *a, const struct ht_record *rec)
{
	const char *name = rec->kind->name;
	char lab[32], *end;
	struct raw_site *s;
	uint64_t addr;
	int bytes;

	if (rec->subsys != HT_SUBSYS_ALLOC)
		return 0;
	a->last_ms = rec->t_ms;
	if (!strcmp(name, "sample")) {
		a->sample = rec->value > 1 ? rec->value : 1;
		return 0;
	}
	if (!strcmp(name, "table")) {
		a->table_gen++;
		a->in_table = 1;
		for (size_t i = 0; i < a->n; i++)	/* left out: holds nothing */
			a->s[i].bytes = a->s[i].blocks = 0;
		return 0;
	}
	if (!strcmp(name, "batch")) {
		a->in_table = 0;
		return 0;
	}
	bytes = !strcmp(name, "site_bytes");
	if (!bytes && strcmp(name, "site_blocks"))
		return 0;
	if (ht_record_label(rec, "site", lab, sizeof(lab)) < 0 || strncmp(lab, "0x", 2))
		return -EINVAL;
	errno = 0;
	addr = strtoull(lab + 2, &end, 16);
	if (errno || *end || end == lab + 2)
		return -EINVAL;
	if (!(s = find_site(a, addr)))
		return -ENOMEM;
	if (bytes)
		s->bytes = rec->value;
	else
		s->blocks = rec->value;
	s->gen = a->table_gen;
	return 0;
}

static int by_bytes(const void *x, const void *y)
{
	const struct ht_alloc_site *a = x, *b = y;

	return a->bytes < b->bytes ? 1 : a->bytes > b->bytes ? -1 :
	       a->addr < b->addr ? -1 : a->addr > b->addr;
}

size_t ht_alloc_sites_get(const struct ht_alloc_sites *a, struct ht_alloc_site *out,
			  size_t max, int64_t *watched_ms)
{
	struct ht_alloc_site *all;
	double total = 0, secs = a->last_ms > 0 ? a->last_ms / 1000.0 : 0;
	size_t n = 0;

	if (watched_ms)
		*watched_ms = a->last_ms;
	if (!(all = calloc(a->n ? a->n : 1, sizeof(*all))))
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct raw_site *r = &a->s[i];

		if (r->bytes <= 0)
			continue;
		all[n] = (struct ht_alloc_site){
			.addr = r->addr,
			.bytes = r->bytes * a->sample,
			.blocks = r->blocks * a->sample,
			.bytes_per_s = secs > 0 ? r->bytes * a->sample / secs : NAN,
			.rel_error = a->sample > 1 && r->blocks > 0 ? 1 / sqrt((double)r->blocks) : 0,
		};
		total += all[n].bytes;
		n++;
	}
	if (n)
		qsort(all, n, sizeof(*all), by_bytes);
	for (size_t i = 0; i < n; i++)
		all[i].share = all[i].bytes / total;
	memcpy(out, all, (n < max ? n : max) * sizeof(*out));
	free(all);
	return n;
}

int64_t ht_alloc_sites_sample(const struct ht_alloc_sites *a)
{
	return a->sample;
}
