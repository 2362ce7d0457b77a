/* The sampler: one object that every frontend command samples through.
 *
 * Each ht_sampler_sample() reads the system files (/proc/stat, meminfo,
 * pressure, softirqs, vmstat) and every process (ht_proctable), turns
 * counters into rates, and appends each process's RSS and anonymous memory
 * to a bounded per-process history with an O(1) running trend. Records from
 * a health tapset stream, fed with ht_sampler_feed(), are kept per batch and
 * joined with /proc (probe coverage). On request it also reads every row of
 * /proc/interrupts (opts.interrupts, ht_irqs.h) and every thread
 * (ht_sampler_want_threads(), ht_threads.h).
 *
 * Renderers (top, serve, record, leaks) read the latest snapshot through
 * the accessors below; they never read /proc themselves.
 *
 * Not thread-safe: one thread samples and reads at a time. Every pointer
 * handed out is owned by the sampler and valid until the next
 * ht_sampler_sample() or ht_sampler_free().
 */
#ifndef HT_SAMPLER_H
#define HT_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ht_irqs.h"
#include "ht_proctable.h"
#include "ht_protocol.h"
#include "ht_series.h"
#include "ht_threads.h"
#include "ht_trend.h"
#include "proc_net_sock.h"
#include "proc_slabinfo.h"

struct ht_sampler;

struct ht_sampler_opts {
	const char *root;	/* prefix for /proc and /sys ("" or NULL: live) */
	unsigned table_flags;	/* HT_PT_* for the process table */
	size_t history;		/* points kept per process (default 512) */
	size_t sys_history;	/* points kept per system series (default 2048) */
	double warmup_s;	/* a process younger than this (by our samples)
				   gets no leak risk (default 60) */
	size_t min_points;	/* fewer points: no risk either (default 10) */
	int cgroups;		/* every process's cgroup in the snapshot
				   (serve, leaks); 0: only growing ones,
				   for their limit (top, record) */
	int kernel;		/* also keep a history of every slab cache and
				   of every socket with a queue (leaks, check:
				   the kernel memory verdicts) */
	int64_t cgroup_refresh_ms; /* each cgroup's memory.current and
				   memory.max are read at most this often
				   (0: every 30 s; shorter than the
				   interval: every sample) */
	int interrupts;		/* also every row of /proc/interrupts with its
				   rate (top: the busiest vectors) */
};

void ht_sampler_opts_default(struct ht_sampler_opts *o);

/* Returns a sampler (nothing read yet) or NULL with errno set. o may be
 * NULL (defaults); o->root is copied. Free with ht_sampler_free(). */
struct ht_sampler *ht_sampler_new(const struct ht_sampler_opts *o);
void ht_sampler_free(struct ht_sampler *s);

/* Takes one sample at ht_now_ns(). Returns 0, or -errno when /proc/stat or
 * the process list cannot be read (the previous snapshot stays). A missing
 * optional file (pressure, softirqs, vmstat) is not an error: its figures
 * are NAN / -1 and ht_sampler_system()->missing says which. */
int ht_sampler_sample(struct ht_sampler *s);

/* ---- system ---- */

enum {
	HT_SYS_MISS_MEMINFO = 1u << 0,
	HT_SYS_MISS_PRESSURE = 1u << 1,
	HT_SYS_MISS_SOFTIRQS = 1u << 2,
	HT_SYS_MISS_VMSTAT = 1u << 3,
	HT_SYS_MISS_SLAB = 1u << 4,	/* neither /proc/slabinfo nor
					   /sys/kernel/slab */
};

/* Socket buffers (skbs) the slab allocator holds: active objects of
 * skbuff_head_cache, one sk_buff per skb (an skb with a small data buffer
 * also holds an object of skbuff_small_head: the same skb, not counted
 * twice). Measured here: 1000 datagrams queued on an unread UDP socket add
 * ~1000 objects (within 5%; SLUB counts per-CPU free objects as active).
 * TCP clones its data skbs (skbuff_fclone_cache, often merged into a
 * generic cache) and coalesces sends, so it does not map one to one. */
struct ht_skb_slab {
	const char *source;		/* "slabinfo", "sysfs"; NULL unknown */
	int64_t heads, small_heads;	/* active objects; -1 unknown (a
					   kernel without skbuff_small_head,
					   before 6.6: -1 for it) */
	int64_t outstanding;		/* heads; -1 unknown */
	int64_t fclones;		/* skbuff_fclone_cache's objects; -1
					   merged or unknown */
	int fclone_merged;		/* 1: skbuff_fclone_cache is an alias of
					   a merged cache (fclone_alias), whose
					   objects mix other users' */
	char fclone_alias[PROC_SLAB_NAME_MAX];	/* ":0000512"; "" */
	double rate;			/* outstanding objects/s over the last
					   interval; NAN first */
};

#define HT_SOFTIRQ_VECTORS 10	/* HI TIMER NET_TX NET_RX BLOCK IRQ_POLL
				   TASKLET SCHED HRTIMER RCU */

/* Rates are per second over the last interval; NAN until two samples.
 * Bytes are bytes; -1 when unknown. */
struct ht_sys_snapshot {
	int64_t wall_ms;		/* CLOCK_REALTIME of the sample (label) */
	int64_t mono_ns;		/* ht_now_ns() of the sample */
	double interval_s;		/* since the previous sample; NAN first */
	uint64_t samples;
	unsigned missing;		/* HT_SYS_MISS_* */
	int ncpus;

	double cpu_busy_pct;
	double ctxt_rate, intr_rate, softirq_rate, fork_rate;
	double softirq_vec_rate[HT_SOFTIRQ_VECTORS];
	int64_t procs_running, procs_blocked;
	int64_t ctxt_total, intr_total, softirq_total;	/* since boot */
	int64_t forks_total;				/* since boot; -1 unknown */
	int64_t softirq_vec_total[HT_SOFTIRQ_VECTORS];	/* since boot; -1 unknown */

	int64_t mem_total, mem_available, mem_free, swap_total, swap_free;
	int64_t anon_pages, shmem, slab;
	/* kernel memory (meminfo), bytes; -1 unknown */
	int64_t sunreclaim, kernel_stack, page_tables, vmalloc_used;
	struct ht_skb_slab skb;
	double mem_avail_rate;		/* bytes/s, from the MemAvailable trend
					   over the kept history (negative while
					   it shrinks); NAN with < 3 points */
	double mem_avail_r2;
	double mem_eta_s;		/* seconds until MemAvailable reaches 0 at
					   that rate; INFINITY when not shrinking */

	/* PSI avg10 (%), NAN when the kernel has no PSI. */
	double psi_cpu_some, psi_mem_some, psi_mem_full, psi_io_some, psi_io_full;

	double pgfault_rate, pgmajfault_rate;
	int64_t oom_kills;		/* vmstat oom_kill since boot; -1 unknown */
};

const struct ht_sys_snapshot *ht_sampler_system(const struct ht_sampler *s);

/* The kernel memory figures of the snapshot, for every renderer to list
 * the same ones in the same order: name is the meminfo key ("SUnreclaim"),
 * key a short identifier ("sunreclaim"), off the int64_t field of struct
 * ht_sys_snapshot (bytes, -1 unknown). */
struct ht_kmem_field {
	const char *name, *key;
	size_t off;
};

#define HT_KMEM_FIELDS 5
extern const struct ht_kmem_field ht_kmem_fields[HT_KMEM_FIELDS];

static inline int64_t ht_kmem_value(const struct ht_sys_snapshot *y, size_t i)
{
	return *(const int64_t *)((const char *)y + ht_kmem_fields[i].off);
}

/* The kept history of MemAvailable (bytes against seconds since the
 * sampler started). */
const struct ht_series *ht_sampler_mem_series(const struct ht_sampler *s);

/* ---- slab caches ---- */

/* The slab caches of the latest sample (/proc/slabinfo's order, or name
 * order from /sys/kernel/slab), with the aliases sysfs shows (merged
 * caches). Empty (n 0, source PROC_SLAB_NONE) when neither could be read. */
const struct proc_slabinfo *ht_sampler_slabs(const struct ht_sampler *s);

/* The kept history of kernel memory figure i of ht_kmem_fields (bytes
 * against seconds since the sampler started; no points while unknown). */
const struct ht_series *ht_sampler_kmem_series(const struct ht_sampler *s, size_t i);

/* With opts.kernel: the kept history of every slab cache of the latest
 * sample (num_objs x objsize bytes), in name order. */
struct ht_slab_view {
	const char *name;
	const struct ht_series *bytes;
	int64_t objects;		/* active objects now */
	int64_t objsize;		/* bytes */
};

size_t ht_sampler_nslab_views(const struct ht_sampler *s);
const struct ht_slab_view *ht_sampler_slab_view(const struct ht_sampler *s, size_t i);

/* With opts.kernel: every TCP/UDP socket (IPv4 and IPv6) with bytes
 * queued in the latest sample, and the history of its queue (rx_queue +
 * tx_queue bytes) while it had one. */
struct ht_sock_view {
	struct proc_sock sock;		/* the latest reading */
	const struct ht_series *queue;
	double age_s;			/* since it was first seen queued */
};

size_t ht_sampler_nsocks(const struct ht_sampler *s);
const struct ht_sock_view *ht_sampler_sock(const struct ht_sampler *s, size_t i);

/* ---- processes ---- */

/* Where a process's memory would stop growing. */
enum ht_limit_kind {
	HT_LIMIT_NONE,
	HT_LIMIT_SYSTEM,	/* RSS + MemAvailable */
	HT_LIMIT_CGROUP,	/* the cgroup's memory.max */
	HT_LIMIT_RLIMIT_AS,	/* RLIMIT_AS, against the virtual size */
};

const char *ht_limit_name(enum ht_limit_kind k);

/* A cgroup (v2) with members in the latest sample. Its memory files are
 * read once for all members, at most every cgroup_refresh_ms. */
struct ht_cgroup_view {
	const char *path;		/* "/system.slice/x.service" */
	int64_t memory_current;		/* bytes; -1 unknown (the root cgroup) */
	int64_t memory_max;		/* bytes, HT_CGROUP_NO_LIMIT ("max"), -1 unknown */
	int64_t read_ns;		/* ht_now_ns() of that read; 0 never */
	size_t nprocs;			/* members in the latest sample */
};

#define HT_CGROUP_NO_LIMIT INT64_MAX

/* One process in the snapshot. */
struct ht_proc_view {
	const struct ht_proc *proc;	/* the table's entry (pid, comm, rss...) */
	const struct ht_series *rss;	/* RSS history, bytes vs seconds */
	const struct ht_series *anon;	/* anonymous memory history */
	const struct ht_series *size;	/* virtual size (VmSize) history */
	double age_s;			/* since the sampler first saw it */
	/* From the running OLS over the kept RSS history: */
	double rate;			/* bytes/s; NAN with < 3 points */
	double rate_lo, rate_hi;	/* 95% CI */
	double r2;
	/* The nearest limit and the predicted time to reach it at rate. */
	enum ht_limit_kind limit_kind;
	int64_t limit_bytes;		/* the limit (-1 none) */
	int64_t headroom;		/* bytes left before it (-1 none) */
	double eta_s;			/* INFINITY when not growing */
	/* Sort key for "leak risk", higher is riskier: 0 for processes in
	 * warm-up, not growing, or with a poor fit. */
	double risk;
	/* Its cgroup (kernel threads: the root, "/"); NULL when unknown
	 * (cgroup v1 only, a process gone before it was read, or not read:
	 * without opts.cgroups only growing processes' are). The path is read once per
	 * process and again every 30 s (a process may be moved). */
	const struct ht_cgroup_view *cgroup;
};

/* Live processes of the latest sample, in ascending pid order. */
size_t ht_sampler_nprocs(const struct ht_sampler *s);
const struct ht_proc_view *ht_sampler_proc(const struct ht_sampler *s, size_t i);
const struct ht_proc_view *ht_sampler_find(const struct ht_sampler *s, pid_t pid);

/* The cgroups of the latest sample's processes, in path order. */
size_t ht_sampler_ncgroups(const struct ht_sampler *s);
const struct ht_cgroup_view *ht_sampler_cgroup(const struct ht_sampler *s, size_t i);

/* The process table behind the snapshot, for command lines, smaps_rollup
 * and stats (ht_proctable_cmdline() and friends). */
struct ht_proctable *ht_sampler_table(struct ht_sampler *s);

/* ---- interrupts and threads (top) ---- */

/* With opts.interrupts: every /proc/interrupts row of the latest sample,
 * in file order; none when the file cannot be read. */
size_t ht_sampler_nirqs(const struct ht_sampler *s);
const struct ht_irq_view *ht_sampler_irq(const struct ht_sampler *s, size_t i);

/* The thread view: while on, each sample also reads every thread of every
 * process that is not a kernel thread (a read per thread: only while
 * someone looks). Turning it on starts the rates over. */
void ht_sampler_want_threads(struct ht_sampler *s, int on);
size_t ht_sampler_nthreads(const struct ht_sampler *s);
const struct ht_thread_view *ht_sampler_thread(const struct ht_sampler *s, size_t i);

/* ---- the tapset stream ---- */

/* Feeds bytes of a health tapset stream (lines may be split anywhere).
 * Each complete batch replaces the previous one's records for its
 * subsystem. Returns 0 or -ENOMEM. Bad lines are counted, never fatal. */
int ht_sampler_feed(struct ht_sampler *s, const char *buf, size_t len);

struct ht_probe_status {
	int active;			/* a header has been read */
	char runtime[16];		/* "bpf", "kernel" */
	uint64_t records, bad_lines;
	uint64_t batches[HT_SUBSYS_COUNT];
	int64_t last_batch_ns[HT_SUBSYS_COUNT];	/* ht_now_ns(); 0 never */
	char last_error[160];		/* "line N: ..." of the latest bad line */
	/* sched switches in the latest batch against the /proc/stat ctxt
	 * delta over the same batches: NAN until two sched batches. */
	double sched_coverage;
	/* the absolute context switches (ht_merge_absolute): /proc/stat ctxt
	 * at the first sched batch plus the probe's switches since; -1
	 * unknown (no sched batch yet, or past INT64_MAX). */
	int64_t sched_ctxt_absolute;
};

const struct ht_probe_status *ht_sampler_probe_status(const struct ht_sampler *s);

/* The value of a record in its subsystem's latest complete batch, matched
 * by name and exact label text ("" for none, "cpu=0", "vec=NET_RX").
 * Returns 0, or -ENOENT. */
int ht_sampler_probe_value(const struct ht_sampler *s, enum ht_subsys sub,
			   const char *name, const char *labels, int64_t *out);

/* Calls fn for every record of sub's latest complete batch, in stream order;
 * fn returning non-zero stops the walk. Returns fn's value or 0. */
int ht_sampler_probe_foreach(const struct ht_sampler *s, enum ht_subsys sub,
			     int (*fn)(void *ctx, const char *name,
				       const char *labels, int64_t value),
			     void *ctx);

#endif
