/* /proc/slabinfo and /sys/kernel/slab reader: see proc_slabinfo.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "proc_num.h"
#include "proc_slabinfo.h"

#define SLABINFO_MAX (16 << 20)	/* ~200 caches: 30 KB; a huge box: 1 MB */

const char *proc_slab_source_name(enum proc_slab_source s)
{
	return s == PROC_SLAB_SLABINFO ? "slabinfo" : s == PROC_SLAB_SYSFS ? "sysfs" : "none";
}

void proc_slabinfo_free(struct proc_slabinfo *p)
{
	if (!p)
		return;
	free(p->caches);
	free(p->aliases);
	*p = (struct proc_slabinfo){ 0 };
}

/* A non-negative decimal at *p after blanks, ending at a blank or the end
 * of the line; -1 (and *p unchanged) if none or too large. */
static int64_t number(const char **p)
{
	const char *q = *p;
	int64_t v = proc_u63_next(&q);

	if (v < 0 || (*q && *q != ' ' && *q != '\t' && *q != '\n'))
		return -1;
	*p = q;
	return v;
}

/* "skbuff_head_cache    432    432    256   16    1 : tunables    0    0    0 : slabdata     27     27      0"
 * Returns 1 when line (NUL-terminated, no newline) is a cache. */
static int parse_line(const char *line, struct proc_slab_cache *c)
{
	const char *p = line, *name;
	size_t n;
	int64_t *nums[] = { &c->active_objs, &c->num_objs, &c->objsize,
			    &c->objperslab, &c->pagesperslab };

	while (*p == ' ')
		p++;
	name = p;
	n = strcspn(p, " \t");
	if (n == 0 || n >= sizeof(c->name) || name[0] == '#')
		return 0;
	memcpy(c->name, name, n);
	c->name[n] = '\0';
	p += n;
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if ((*nums[i] = number(&p)) < 0)
			return 0;
	c->active_slabs = c->num_slabs = -1;
	p = strstr(p, ": slabdata");
	if (p) {
		p += strlen(": slabdata");
		c->active_slabs = number(&p);
		if (c->active_slabs >= 0)
			c->num_slabs = number(&p);
	}
	return 1;
}

int proc_slabinfo_parse(const char *text, struct proc_slabinfo *out)
{
	static const char head[] = "slabinfo - version: 2.";
	struct proc_slabinfo r = { .source = PROC_SLAB_SLABINFO };
	size_t cap = 0;
	char line[512];

	*out = (struct proc_slabinfo){ 0 };
	if (strncmp(text, head, sizeof(head) - 1))
		return -EINVAL;
	for (const char *p = text + strcspn(text, "\n"); *p; ) {
		size_t n;
		struct proc_slab_cache c;

		p++;			/* the newline */
		n = strcspn(p, "\n");
		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (parse_line(line, &c)) {
				if (ht_grow(r.caches, cap, r.n + 1)) {
					proc_slabinfo_free(&r);
					return -ENOMEM;
				}
				r.caches[r.n++] = c;
			}
		}
		p += n;
	}
	if (r.n == 0) {
		proc_slabinfo_free(&r);
		return -EINVAL;
	}
	*out = r;
	return 0;
}

int proc_slabinfo_read(const char *root, struct proc_slabinfo *out)
{
	char path[4096], *text;
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/slabinfo");

	*out = (struct proc_slabinfo){ 0 };
	if (err)
		return err;
	n = ht_read_file_alloc(path, 32768, SLABINFO_MAX, &text);
	if (n < 0)
		return (int)n;
	err = proc_slabinfo_parse(text, out);
	free(text);
	return err;
}

int proc_slabinfo_parse_count(const char *text, int64_t *out)
{
	const char *p = text;
	int64_t v = number(&p);

	if (v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* root/sys/kernel/slab/name/file's first number, or -1. */
static int64_t sysfs_count(const char *dir, const char *file)
{
	char path[4096], text[4096];
	int64_t v;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path))
		return -1;
	if (ht_read_file(path, text, sizeof(text)) < 0)
		return -1;
	return proc_slabinfo_parse_count(text, &v) ? -1 : v;
}

static int by_cache_name(const void *a, const void *b)
{
	return strcmp(((const struct proc_slab_cache *)a)->name,
		      ((const struct proc_slab_cache *)b)->name);
}

static int by_alias_name(const void *a, const void *b)
{
	return strcmp(((const struct proc_slab_alias *)a)->name,
		      ((const struct proc_slab_alias *)b)->name);
}

/* Reads the directory: caches (when want_caches) and aliases into r. */
static int read_sysfs(const char *root, struct proc_slabinfo *r, int want_caches)
{
	char base[4096], path[4096];
	size_t capc = 0, capa = 0;
	struct dirent *e;
	DIR *d;
	int err = ht_path(base, sizeof(base), root, "/sys/kernel/slab");

	if (err)
		return err;
	d = opendir(base);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len >= PROC_SLAB_NAME_MAX ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", base, e->d_name) >= sizeof(path) ||
		    lstat(path, &st) != 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t n = readlink(path, target, sizeof(target) - 1);
			const char *t;
			if (n <= 0)
				continue;
			target[n] = '\0';
			t = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
			if (strlen(t) >= PROC_SLAB_NAME_MAX)
				continue;
			if (ht_grow(r->aliases, capa, r->naliases + 1)) {
				err = -ENOMEM;
				goto cleanup;
			}
			strcpy(r->aliases[r->naliases].name, e->d_name);
			strcpy(r->aliases[r->naliases].target, t);
			r->naliases++;
		} else if (want_caches && S_ISDIR(st.st_mode)) {
			struct proc_slab_cache c = { 0 };
			int64_t order;
			memcpy(c.name, e->d_name, len + 1);
			c.active_objs = sysfs_count(path, "objects");
			if (c.active_objs < 0)
				continue;	/* destroyed meanwhile */
			c.num_objs = sysfs_count(path, "total_objects");
			c.objsize = sysfs_count(path, "slab_size");
			c.objperslab = sysfs_count(path, "objs_per_slab");
			order = sysfs_count(path, "order");
			c.pagesperslab = order >= 0 && order < 31 ? (int64_t)1 << order : -1;
			c.num_slabs = sysfs_count(path, "slabs");
			c.active_slabs = -1;
			if (ht_grow(r->caches, capc, r->n + 1)) {
				err = -ENOMEM;
				goto cleanup;
			}
			r->caches[r->n++] = c;
		}
	}
	if (r->n)
		qsort(r->caches, r->n, sizeof(*r->caches), by_cache_name);
	if (r->naliases)
		qsort(r->aliases, r->naliases, sizeof(*r->aliases), by_alias_name);
cleanup:
	closedir(d);
	return err;
}

int proc_slabinfo_read_sysfs(const char *root, struct proc_slabinfo *out)
{
	struct proc_slabinfo r = { .source = PROC_SLAB_SYSFS };
	int err = read_sysfs(root, &r, 1);

	*out = (struct proc_slabinfo){ 0 };
	if (!err && r.n == 0)
		err = -EINVAL;
	if (err) {
		proc_slabinfo_free(&r);
		return err;
	}
	*out = r;
	return 0;
}

int proc_slabinfo_read_any(const char *root, struct proc_slabinfo *out)
{
	int err = proc_slabinfo_read(root, out);

	if (err)
		return proc_slabinfo_read_sysfs(root, out);
	if (read_sysfs(root, out, 0) == -ENOMEM) {
		proc_slabinfo_free(out);
		return -ENOMEM;
	}
	return 0;
}

const struct proc_slab_cache *proc_slabinfo_find(const struct proc_slabinfo *p,
						 const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->caches[i].name, name))
			return &p->caches[i];
	return NULL;
}

const char *proc_slabinfo_alias(const struct proc_slabinfo *p, const char *name)
{
	struct proc_slab_alias key;
	const struct proc_slab_alias *a;

	if (!p->naliases || strlen(name) >= sizeof(key.name))
		return NULL;
	strcpy(key.name, name);
	a = bsearch(&key, p->aliases, p->naliases, sizeof(*a), by_alias_name);
	return a ? a->target : NULL;
}
