#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "proc_pid_file.h"
#include "proc_pid_smaps.h"

/* 55d0c8a00000-55d0c8a21000 rw-p 00000000 00:00 0          [heap] */
static int parse_header(const char *line, struct proc_pid_smaps_region *r)
{
	int off = 0;
	unsigned long long start, end;
	const char *path;

	memset(r, 0, sizeof(*r));
	if (sscanf(line, "%llx-%llx %4s %*s %*s %*s%n", &start, &end, r->perms, &off) != 3 ||
	    off == 0 || end < start)
		return -EINVAL;
	r->start = start;
	r->end = end;
	path = line + off;
	path += strspn(path, " \t");
	snprintf(r->path, sizeof(r->path), "%.*s", (int)strcspn(path, "\n"), path);
	r->size = r->rss = r->pss = r->private_dirty = r->anonymous = r->swap = -1;
	return 0;
}

/* "Private_Dirty:         4 kB" */
static void parse_field(const char *line, struct proc_pid_smaps_region *r)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "Size:", offsetof(struct proc_pid_smaps_region, size) },
		{ "Rss:", offsetof(struct proc_pid_smaps_region, rss) },
		{ "Pss:", offsetof(struct proc_pid_smaps_region, pss) },
		{ "Private_Dirty:", offsetof(struct proc_pid_smaps_region, private_dirty) },
		{ "Anonymous:", offsetof(struct proc_pid_smaps_region, anonymous) },
		{ "Swap:", offsetof(struct proc_pid_smaps_region, swap) },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].key);
		int64_t v;
		if (strncmp(line, keys[i].key, n) == 0 && proc_pid_int(line + n, &v)) {
			*(int64_t *)((char *)r + keys[i].off) = proc_pid_scale(v, 1024);
			return;
		}
	}
}

/* A mapping line starts with a hex address and a dash; field lines with a
 * capitalised key and a colon. */
static int is_mapping_line(const char *line)
{
	size_t hex = strspn(line, "0123456789abcdef");

	return hex > 0 && line[hex] == '-';
}

static int append(struct proc_pid_smaps *m, size_t *cap)
{
	if (ht_grow(m->regions, *cap, m->n + 1))
		return -ENOMEM;
	m->n++;
	return 0;
}

int proc_pid_smaps_parse(const char *text, struct proc_pid_smaps *out)
{
	size_t cap = 0;
	int err = 0;

	out->regions = NULL;
	out->n = 0;
	for (const char *p = text; *p && !err; ) {
		char line[PROC_PID_SMAPS_PATH_MAX + 128];
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (is_mapping_line(line)) {
			err = append(out, &cap);
			if (!err)
				err = parse_header(line, &out->regions[out->n - 1]);
		} else if (out->n > 0) {
			parse_field(line, &out->regions[out->n - 1]);
		}
		p += len;
		if (*p)
			p++;
	}
	if (err)
		proc_pid_smaps_free(out);
	return err;
}

/* smaps grows with the mapping count: 64 KiB first, up to 256 MiB */
#define SMAPS_FIRST (1 << 16)
#define SMAPS_MAX (1 << 28)

/* Parses what a read of n bytes put in buf, and frees buf. */
static int parse_text(long n, char *buf, struct proc_pid_smaps *out)
{
	int err;

	if (n < 0)
		return (int)n;
	err = proc_pid_smaps_parse(buf, out);
	free(buf);
	return err;
}

int proc_pid_smaps_read(const char *root, pid_t pid, struct proc_pid_smaps *out)
{
	char path[4096], *buf;
	long n;
	int err;

	out->regions = NULL;
	out->n = 0;
	err = proc_pid_path(path, sizeof(path), root, pid, "smaps");
	if (err)
		return err;
	n = ht_read_file_alloc(path, SMAPS_FIRST, SMAPS_MAX, &buf);
	return parse_text(n, buf, out);
}

static long pread_fd(void *fd, char *buf, size_t size)
{
	return proc_pid_pread(*(int *)fd, buf, size);
}

int proc_pid_smaps_read_fd(int fd, struct proc_pid_smaps *out)
{
	char *buf;
	long n;

	out->regions = NULL;
	out->n = 0;
	n = ht_read_alloc(pread_fd, &fd, SMAPS_FIRST, SMAPS_MAX, &buf);
	return parse_text(n, buf, out);
}

void proc_pid_smaps_free(struct proc_pid_smaps *m)
{
	if (!m)
		return;
	free(m->regions);
	m->regions = NULL;
	m->n = 0;
}

static int is_named(const struct proc_pid_smaps_region *r)
{
	return r->path[0] != '\0';
}

static const struct proc_pid_smaps_region *
find_match(const struct proc_pid_smaps *before, const struct proc_pid_smaps_region *r,
	   unsigned char *used)
{
	for (size_t i = 0; i < before->n; i++)
		if (!used[i] && before->regions[i].start == r->start &&
		    !strcmp(before->regions[i].path, r->path))
			return used[i] = 1, &before->regions[i];
	if (!is_named(r))
		return NULL;
	for (size_t i = 0; i < before->n; i++)
		if (!used[i] && !strcmp(before->regions[i].path, r->path) &&
		    !strcmp(before->regions[i].perms, r->perms))
			return used[i] = 1, &before->regions[i];
	return NULL;
}

static int64_t grew(int64_t after, int64_t before)
{
	if (after < 0)
		return 0;
	return after - (before > 0 ? before : 0);
}

static int by_growth(const void *a, const void *b)
{
	const struct proc_pid_smaps_growth *x = a, *y = b;

	if (x->private_dirty_delta != y->private_dirty_delta)
		return x->private_dirty_delta < y->private_dirty_delta ? 1 : -1;
	if (x->size_delta != y->size_delta)
		return x->size_delta < y->size_delta ? 1 : -1;
	return x->after.start < y->after.start ? -1 : 1;
}

long proc_pid_smaps_grown(const struct proc_pid_smaps *before,
			  const struct proc_pid_smaps *after,
			  struct proc_pid_smaps_growth **out)
{
	unsigned char *used = calloc(before->n + 1, 1);
	struct proc_pid_smaps_growth *g = calloc(after->n + 1, sizeof(*g));
	long n = 0;

	if (!used || !g) {
		free(used);
		free(g);
		return -ENOMEM;
	}
	for (size_t i = 0; i < after->n; i++) {
		const struct proc_pid_smaps_region *r = &after->regions[i];
		const struct proc_pid_smaps_region *b = find_match(before, r, used);
		struct proc_pid_smaps_growth x = { .after = *r, .is_new = b == NULL };

		x.size_delta = grew(r->size, b ? b->size : 0);
		x.rss_delta = grew(r->rss, b ? b->rss : 0);
		x.private_dirty_delta = grew(r->private_dirty, b ? b->private_dirty : 0);
		if (x.is_new || x.size_delta > 0 || x.rss_delta > 0 || x.private_dirty_delta > 0)
			g[n++] = x;
	}
	qsort(g, (size_t)n, sizeof(*g), by_growth);
	free(used);
	*out = g;
	return n;
}
