/* /proc/meminfo: system memory figures, in bytes. */
#ifndef PROC_MEMINFO_H
#define PROC_MEMINFO_H

#include <stdint.h>

/* Sizes in bytes (the file's kB times 1024), except the HugePages_* counts,
 * which are page counts. A field the kernel does not print is -1 (kernels
 * before 3.14 have no MemAvailable; KReclaimable came in 4.20). */
struct proc_meminfo {
	int64_t mem_total, mem_free, mem_available, buffers, cached;
	int64_t swap_cached, active, inactive;
	int64_t active_anon, inactive_anon, active_file, inactive_file;
	int64_t unevictable, mlocked;
	int64_t swap_total, swap_free, zswap, zswapped;
	int64_t dirty, writeback;
	int64_t anon_pages, mapped, shmem;
	int64_t kreclaimable, slab, sreclaimable, sunreclaim;
	int64_t kernel_stack, page_tables;
	int64_t commit_limit, committed_as;
	int64_t vmalloc_total, vmalloc_used, percpu;
	int64_t anon_huge_pages, shmem_huge_pages, file_huge_pages;
	int64_t hugepages_total, hugepages_free, hugepages_rsvd, hugepages_surp;
	int64_t hugepagesize, hugetlb;
};

/* Reads root/proc/meminfo into out ("" or NULL root means "/"). Returns 0
 * or -errno: -ENOENT when the file is absent, -EINVAL when it holds no
 * MemTotal line. out holds no resources; on error its contents are
 * unspecified. */
int proc_meminfo_read(const char *root, struct proc_meminfo *out);

/* Parses the NUL-terminated text of /proc/meminfo into out. Lines it does
 * not know, and lines whose number is garbled or too large to hold in
 * bytes, leave their field at -1. Returns 0, or -EINVAL when there is no
 * usable MemTotal line. */
int proc_meminfo_parse(const char *text, struct proc_meminfo *out);

#endif
