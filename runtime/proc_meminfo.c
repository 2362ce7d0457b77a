/* /proc/meminfo reader: see proc_meminfo.h. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ht_path.h"
#include "proc_meminfo.h"
#include "proc_num.h"

#define F(key, field, kb) { key, offsetof(struct proc_meminfo, field), kb }

static const struct {
	const char *key;
	size_t off;
	int kb;				/* the value is in kB */
} fields[] = {
	F("MemTotal", mem_total, 1), F("MemFree", mem_free, 1),
	F("MemAvailable", mem_available, 1), F("Buffers", buffers, 1),
	F("Cached", cached, 1), F("SwapCached", swap_cached, 1),
	F("Active", active, 1), F("Inactive", inactive, 1),
	F("Active(anon)", active_anon, 1), F("Inactive(anon)", inactive_anon, 1),
	F("Active(file)", active_file, 1), F("Inactive(file)", inactive_file, 1),
	F("Unevictable", unevictable, 1), F("Mlocked", mlocked, 1),
	F("SwapTotal", swap_total, 1), F("SwapFree", swap_free, 1),
	F("Zswap", zswap, 1), F("Zswapped", zswapped, 1),
	F("Dirty", dirty, 1), F("Writeback", writeback, 1),
	F("AnonPages", anon_pages, 1), F("Mapped", mapped, 1),
	F("Shmem", shmem, 1), F("KReclaimable", kreclaimable, 1),
	F("Slab", slab, 1), F("SReclaimable", sreclaimable, 1),
	F("SUnreclaim", sunreclaim, 1), F("KernelStack", kernel_stack, 1),
	F("PageTables", page_tables, 1), F("CommitLimit", commit_limit, 1),
	F("Committed_AS", committed_as, 1), F("VmallocTotal", vmalloc_total, 1),
	F("VmallocUsed", vmalloc_used, 1), F("Percpu", percpu, 1),
	F("AnonHugePages", anon_huge_pages, 1),
	F("ShmemHugePages", shmem_huge_pages, 1),
	F("FileHugePages", file_huge_pages, 1),
	F("HugePages_Total", hugepages_total, 0),
	F("HugePages_Free", hugepages_free, 0),
	F("HugePages_Rsvd", hugepages_rsvd, 0),
	F("HugePages_Surp", hugepages_surp, 0),
	F("Hugepagesize", hugepagesize, 1), F("Hugetlb", hugetlb, 1),
};


/* "MemAvailable:   24273916 kB" and "HugePages_Total:       0" */
static void parse_line(const char *line, size_t len, struct proc_meminfo *out)
{
	const char *colon = memchr(line, ':', len);
	const char *p;
	size_t klen;
	int64_t v;

	if (!colon)
		return;
	klen = colon - line;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strlen(fields[i].key) != klen || memcmp(fields[i].key, line, klen))
			continue;
		p = colon + 1;
		v = proc_u63_next(&p);
		while (*p == ' ' || *p == '\t')
			p++;
		if (v >= 0 && fields[i].kb) {
			/* "kB" must follow, and bytes must fit in 63 bits. */
			if (strncmp(p, "kB", 2) || v > INT64_MAX / 1024)
				v = -1;
			else
				v *= 1024;
		} else if (v >= 0 && *p != '\n' && *p != '\0') {
			v = -1;		/* a count with trailing junk */
		}
		*(int64_t *)((char *)out + fields[i].off) = v;
		return;
	}
}

int proc_meminfo_parse(const char *text, struct proc_meminfo *out)
{
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		*(int64_t *)((char *)out + fields[i].off) = -1;
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		parse_line(p, n, out);
		p += n;
		if (*p)
			p++;
	}
	return out->mem_total < 0 ? -EINVAL : 0;
}

int proc_meminfo_read(const char *root, struct proc_meminfo *out)
{
	char path[4096];
	char text[16384];		/* ~1.5 KB on 6.x kernels */
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/meminfo");

	if (err)
		return err;
	n = ht_read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return proc_meminfo_parse(text, out);
}
