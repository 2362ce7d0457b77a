/* /proc/slabinfo and /sys/kernel/slab: the slab allocator's caches.
 *
 * /proc/slabinfo needs root on most kernels (mode 0400); /sys/kernel/slab
 * (SLUB only) is world-readable and also tells which caches were merged
 * into another (an alias: a symlink such as skbuff_fclone_cache ->
 * :0000512), which /proc/slabinfo does not show at all. */
#ifndef PROC_SLABINFO_H
#define PROC_SLABINFO_H

#include <stddef.h>
#include <stdint.h>

#define PROC_SLAB_NAME_MAX 64

/* One cache. Counts are objects or slabs; objsize is bytes per object as
 * the allocator lays it out (slabinfo's <objsize>, sysfs slab_size). A
 * field the source does not give is -1. */
struct proc_slab_cache {
	char name[PROC_SLAB_NAME_MAX];
	int64_t active_objs, num_objs, objsize, objperslab, pagesperslab;
	int64_t active_slabs, num_slabs;
};

/* A cache name of /sys/kernel/slab that is an alias of a merged cache. */
struct proc_slab_alias {
	char name[PROC_SLAB_NAME_MAX];	/* "skbuff_fclone_cache" */
	char target[PROC_SLAB_NAME_MAX];	/* ":0000512" */
};

enum proc_slab_source { PROC_SLAB_NONE, PROC_SLAB_SLABINFO, PROC_SLAB_SYSFS };

struct proc_slabinfo {
	enum proc_slab_source source;
	struct proc_slab_cache *caches;	/* malloc'd, in file (or name) order */
	size_t n;
	struct proc_slab_alias *aliases;	/* malloc'd; sysfs only, by name */
	size_t naliases;
};

/* "slabinfo", "sysfs", "none". */
const char *proc_slab_source_name(enum proc_slab_source s);

/* Reads root/proc/slabinfo into out. Returns 0 or -errno: -ENOENT absent,
 * -EACCES not readable (not root), -EINVAL not version 2.x or no cache
 * line. On success out owns its arrays (proc_slabinfo_free()); on error
 * out is empty. */
int proc_slabinfo_read(const char *root, struct proc_slabinfo *out);

/* Parses NUL-terminated /proc/slabinfo text into out (source
 * PROC_SLAB_SLABINFO). Lines that do not parse (a garbled number, a name
 * too long) are skipped. Returns 0, -EINVAL (no "slabinfo - version: 2."
 * header, or no cache line) or -ENOMEM; out is empty on error. */
int proc_slabinfo_parse(const char *text, struct proc_slabinfo *out);

/* Reads root/sys/kernel/slab: every cache directory (objects,
 * total_objects, slab_size, objs_per_slab, order, slabs) in name order,
 * and every alias symlink with its target. Returns 0 or -errno (-ENOENT:
 * no SLUB sysfs). Same ownership as proc_slabinfo_read(). A cache whose
 * files vanish while read (destroyed) is left out. */
int proc_slabinfo_read_sysfs(const char *root, struct proc_slabinfo *out);

/* Reads /proc/slabinfo, else (any error) /sys/kernel/slab; then, when the
 * first worked, the aliases from /sys/kernel/slab if it exists. Returns
 * the sysfs error when both fail. */
int proc_slabinfo_read_any(const char *root, struct proc_slabinfo *out);

/* The first number of a /sys/kernel/slab count file ("432 N0=432\n").
 * Returns 0, or -EINVAL when the text does not start with a decimal. */
int proc_slabinfo_parse_count(const char *text, int64_t *out);

/* The cache named name, or NULL. */
const struct proc_slab_cache *proc_slabinfo_find(const struct proc_slabinfo *p,
						 const char *name);

/* The target of alias name (":0000512"), or NULL when name is not an
 * alias (or the aliases were not read). */
const char *proc_slabinfo_alias(const struct proc_slabinfo *p, const char *name);

/* Frees the arrays and empties *p. Accepts NULL and an empty one. */
void proc_slabinfo_free(struct proc_slabinfo *p);

#endif
