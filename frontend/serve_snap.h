/* The one snapshot type every serve renderer reads.
 *
 * The sampling thread builds a serve_snap from the sampler right after each
 * sample (holding the sampler), then publishes it; HTTP threads take a
 * reference to the latest one and render from it without touching the
 * sampler, so a scrape never samples and never waits for a sample. A
 * snapshot is immutable once published and freed when its last reference
 * goes. */
#ifndef SERVE_SNAP_H
#define SERVE_SNAP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ht_sampler.h"
#include "ht_store.h"

/* One process of the snapshot (copied from its ht_proc_view). */
struct serve_proc {
	pid_t pid;
	int64_t start_time;		/* clock ticks since boot: identity */
	char comm[HT_PROC_COMM_MAX];
	char *cgroup;			/* v2 path, "" unknown; owned */
	char *cmdline;			/* "" unknown; owned */
	int64_t rss, anon, size;	/* bytes; -1 unknown */
	double age_s;
	double rate, rate_lo, rate_hi, r2;	/* NAN before 3 points */
	enum ht_limit_kind limit_kind;
	int64_t limit_bytes, headroom;	/* -1 none */
	double eta_s;			/* INFINITY when not growing */
	double risk;
	size_t points;			/* RSS points held */
};

/* A slab cache of the snapshot (those of HT_SLAB_STORE_MIN bytes or
 * more, the same the recorder stores). */
struct serve_slab {
	char name[PROC_SLAB_NAME_MAX];
	int64_t objects, bytes;		/* active objects; num_objs x objsize */
};

/* One record of a probe batch. */
struct serve_probe_rec {
	enum ht_subsys subsys;
	const char *name;		/* into the snapshot's string arena */
	const char *labels;		/* "cpu=0", "" */
	int64_t value;
};

struct serve_snap {
	atomic_int refs;
	uint64_t seq;			/* 1 for the first snapshot */
	char host[256];			/* gethostname() */
	int sample_err;			/* -errno of the latest sample; 0 ok */
	uint64_t sample_errors;		/* failed samples so far */
	double sample_dur_s;		/* the latest sample's duration */
	double sample_dur_sum_s;	/* all samples' durations */
	uint64_t sample_count;

	struct ht_sys_snapshot sys;	/* its forks_total and
					   softirq_vec_total are -1 in db mode */
	size_t nprocs_total;		/* live processes */
	struct serve_slab *slabs;	/* by bytes, largest first */
	size_t nslabs;

	/* Processes by leak risk (highest first), then RSS, then pid; the
	 * first top are exported to /metrics, leaks are those with risk > 0. */
	struct serve_proc *procs;
	size_t nprocs;

	/* healthtap itself, from the same sample. */
	pid_t self_pid;
	int64_t self_rss;		/* -1 unknown */

	struct ht_probe_status probe;
	struct serve_probe_rec *recs;
	size_t nrecs;
	size_t recs_dropped;		/* past the bound */
	char *arena;			/* strings of recs */
};

/* What to copy from the sampler. */
struct serve_snap_opts {
	const char *root;		/* the sampler's (a fixture tree: serve's
					   own RSS then comes from /proc) */
	size_t keep;			/* processes kept, at most */
	size_t max_recs;		/* probe records kept, at most */
};

/* Builds a snapshot from the sampler's latest sample (every figure, the
 * cgroup paths too, comes from it); prev (may be NULL) is the previous
 * snapshot, whose command lines are reused for processes still there
 * (same pid and start time).
 * The caller must hold the sampler (no sample or feed in between). Returns
 * a snapshot holding one reference, or NULL with errno ENOMEM. */
struct serve_snap *serve_snap_build(struct ht_sampler *s, const struct serve_snap *prev,
				    const struct serve_snap_opts *o);

/* Takes and drops a reference; put frees the snapshot on its last one.
 * Both accept NULL. */
struct serve_snap *serve_snap_get(struct serve_snap *snap);
void serve_snap_put(struct serve_snap *snap);

/* The snapshot's process with this pid, or NULL. */
const struct serve_proc *serve_snap_find(const struct serve_snap *snap, pid_t pid);

#endif
