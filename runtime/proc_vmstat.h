/* /proc/vmstat: virtual memory event counters and page counts. */
#ifndef PROC_VMSTAT_H
#define PROC_VMSTAT_H

#include <stdint.h>

/* Event counters since boot (pg*, pswp*, oom_kill, ...) and current page
 * counts (nr_*), as the kernel prints them. A field the kernel does not
 * print is -1 (oom_kill came in 4.13, for instance).
 *
 * Fields marked "summed" add up the per-zone lines (pgalloc_dma,
 * pgalloc_dma32, pgalloc_normal, pgalloc_movable, pgalloc_high,
 * pgalloc_device, ...) and, where an old or new kernel prints it, the plain
 * line too (old kernels print "allocstall", new ones "allocstall_normal",
 * ...). Only zone suffixes count: "pgscan_anon" is not a zone of
 * "pgscan". Summed fields are -1 when no line matched. */
struct proc_vmstat {
	int64_t pgfault, pgmajfault;
	int64_t pgalloc;		/* summed over zones */
	int64_t pgfree;
	int64_t pgpgin, pgpgout;
	int64_t pswpin, pswpout;
	int64_t pgscan_kswapd, pgscan_direct;	/* summed (per zone before 4.8) */
	int64_t pgsteal_kswapd, pgsteal_direct;	/* summed (per zone before 4.8) */
	int64_t allocstall;		/* summed (per zone since 4.8) */
	int64_t compact_stall;
	int64_t oom_kill;
	int64_t thp_fault_alloc;
	int64_t workingset_refault;	/* "workingset_refault", or the sum of
					   its _anon and _file lines (5.9+) */
	int64_t nr_free_pages;
	int64_t nr_anon_pages, nr_file_pages, nr_mapped, nr_shmem;
	int64_t nr_dirty, nr_writeback;
	int64_t nr_slab_reclaimable, nr_slab_unreclaimable;
	int64_t nr_kernel_stack, nr_page_table_pages;
};

/* Reads root/proc/vmstat into out. Returns 0 or -errno: -ENOENT when the
 * file is absent, -EINVAL when no known line parsed. out holds no
 * resources; on error its contents are unspecified. */
int proc_vmstat_read(const char *root, struct proc_vmstat *out);

/* Parses the NUL-terminated text of /proc/vmstat into out. Unknown lines
 * and lines with a garbled or out-of-range number are skipped; a summed
 * field whose sum overflows is -1. Returns 0, or -EINVAL when no known
 * line parsed. */
int proc_vmstat_parse(const char *text, struct proc_vmstat *out);

#endif
