/* What health.alloc can watch: the target's allocator, from its maps.
 *
 * The tapset's probes sit on glibc's libc.so.6 (tapset/health/alloc.stp).
 * A statically linked program maps no libc.so.6; a program whose malloc is
 * jemalloc's or tcmalloc's (linked or LD_PRELOADed) allocates around it. */
#ifndef HT_ALLOC_H
#define HT_ALLOC_H
#include <stddef.h>
#include <stdint.h>

/* Reads root/proc/PID/maps. Returns 0 when the process maps glibc's
 * libc.so.6 and no other allocator; -ENOTSUP when it cannot be watched,
 * with why filled ("statically linked: no libc.so.6 mapped", "its malloc is
 * jemalloc's (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2): ..."); -ESRCH
 * for no such process, or another -errno (why then says what failed). */
int ht_alloc_check(const char *root, int pid, char *why, size_t size);

/* Allocation sites of one health.alloc stream: feed it the stream's alloc
 * records, read per-site growth (the tapset counts from its start: blocks
 * older than the probes are unknown, a site's figure is its growth while
 * watched), scaled by the stream's sample record. */
struct ht_record;
struct ht_alloc_sites;

struct ht_alloc_site {
	uint64_t addr;		/* the return address in the caller */
	int64_t bytes;		/* outstanding, scaled by sample */
	int64_t blocks;		/* the same in blocks */
	double bytes_per_s;	/* bytes over the time watched */
	double share;		/* of the growth of all growing sites, 0..1 */
	double rel_error;	/* 1/sqrt(sampled blocks) when sampled, else 0 */
};

/* Returns an empty collector, or NULL (ENOMEM). */
struct ht_alloc_sites *ht_alloc_sites_new(void);
void ht_alloc_sites_free(struct ht_alloc_sites *a);

/* Takes one record: alloc sample, site_bytes, site_blocks and table
 * (after which the batch is the full table: sites it leaves out hold
 * nothing); others are ignored. Returns 0, -EINVAL for a site record
 * without a hex site= label, -ENOMEM. */
int ht_alloc_sites_add(struct ht_alloc_sites *a, const struct ht_record *rec);

/* Fills out with up to max sites holding bytes, the most first; returns
 * how many sites hold bytes. *watched_ms (may be NULL) gets the time
 * watched: the t_ms of the latest alloc record. */
size_t ht_alloc_sites_get(const struct ht_alloc_sites *a, struct ht_alloc_site *out,
			  size_t max, int64_t *watched_ms);

/* The sample record's N (1 when unsampled or not seen yet). */
int64_t ht_alloc_sites_sample(const struct ht_alloc_sites *a);

#endif
