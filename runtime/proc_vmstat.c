/* /proc/vmstat reader: see proc_vmstat.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ht_path.h"
#include "proc_num.h"
#include "proc_vmstat.h"

enum { EXACT, ZONES, PARTS };	/* how a key matches lines */

#define F(key, field, how) { key, offsetof(struct proc_vmstat, field), how }

static const struct {
	const char *key;
	size_t off;
	int how;
} fields[] = {
	F("pgfault", pgfault, EXACT), F("pgmajfault", pgmajfault, EXACT),
	F("pgalloc", pgalloc, ZONES), F("pgfree", pgfree, EXACT),
	F("pgpgin", pgpgin, EXACT), F("pgpgout", pgpgout, EXACT),
	F("pswpin", pswpin, EXACT), F("pswpout", pswpout, EXACT),
	F("pgscan_kswapd", pgscan_kswapd, ZONES),
	F("pgscan_direct", pgscan_direct, ZONES),
	F("pgsteal_kswapd", pgsteal_kswapd, ZONES),
	F("pgsteal_direct", pgsteal_direct, ZONES),
	F("allocstall", allocstall, ZONES),
	F("compact_stall", compact_stall, EXACT),
	F("oom_kill", oom_kill, EXACT),
	F("thp_fault_alloc", thp_fault_alloc, EXACT),
	F("workingset_refault", workingset_refault, PARTS),
	F("nr_free_pages", nr_free_pages, EXACT),
	F("nr_anon_pages", nr_anon_pages, EXACT),
	F("nr_file_pages", nr_file_pages, EXACT),
	F("nr_mapped", nr_mapped, EXACT), F("nr_shmem", nr_shmem, EXACT),
	F("nr_dirty", nr_dirty, EXACT), F("nr_writeback", nr_writeback, EXACT),
	F("nr_slab_reclaimable", nr_slab_reclaimable, EXACT),
	F("nr_slab_unreclaimable", nr_slab_unreclaimable, EXACT),
	F("nr_kernel_stack", nr_kernel_stack, EXACT),
	F("nr_page_table_pages", nr_page_table_pages, EXACT),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const zones[] = {
	"dma", "dma32", "normal", "high", "movable", "device",
};
static const char *const parts[] = { "anon", "file" };

/* Does key (klen bytes) name field i? */
static int matches(size_t i, const char *key, size_t klen)
{
	size_t n = strlen(fields[i].key);
	const char *const *suffix = fields[i].how == ZONES ? zones : parts;
	size_t nsuffix = fields[i].how == ZONES ? sizeof(zones) / sizeof(zones[0])
						: sizeof(parts) / sizeof(parts[0]);

	if (klen < n || memcmp(key, fields[i].key, n))
		return 0;
	if (klen == n)
		return 1;
	if (fields[i].how == EXACT || key[n] != '_')
		return 0;
	for (size_t z = 0; z < nsuffix; z++)
		if (klen - n - 1 == strlen(suffix[z]) &&
		    !memcmp(key + n + 1, suffix[z], klen - n - 1))
			return 1;
	return 0;
}

/* "pgalloc_normal 13965639": a key, one space, a decimal, end of line.
 * Returns the value, or -1 when the number is missing, garbled or too big. */
static int64_t line_value(const char *p, size_t len)
{
	int64_t v;

	return len > 0 && proc_u63(p, p + len, &v) == len ? v : -1;
}

int proc_vmstat_parse(const char *text, struct proc_vmstat *out)
{
	unsigned char overflow[NFIELDS] = { 0 };
	int known = 0;

	for (size_t i = 0; i < NFIELDS; i++)
		*(int64_t *)((char *)out + fields[i].off) = -1;
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");
		const char *sp = memchr(p, ' ', n);
		int64_t v = sp ? line_value(sp + 1, n - (sp + 1 - p)) : -1;

		for (size_t i = 0; v >= 0 && i < NFIELDS; i++) {
			int64_t *dst = (int64_t *)((char *)out + fields[i].off);

			if (!matches(i, p, sp - p))
				continue;
			known = 1;
			if (*dst < 0 || fields[i].how == EXACT)
				*dst = v;
			else if (__builtin_add_overflow(*dst, v, dst))
				overflow[i] = 1;
			break;
		}
		p += n;
		if (*p)
			p++;
	}
	for (size_t i = 0; i < NFIELDS; i++)
		if (overflow[i])
			*(int64_t *)((char *)out + fields[i].off) = -1;
	return known ? 0 : -EINVAL;
}

int proc_vmstat_read(const char *root, struct proc_vmstat *out)
{
	char path[4096];
	char text[65536];		/* ~4 KB on 6.x kernels */
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/vmstat");

	if (err)
		return err;
	n = ht_read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return proc_vmstat_parse(text, out);
}
