/* The leak collector: windows of memory series, live (through the sampler,
 * on the one schedule, ht_sched) or from a recorded DB (through ht_store's
 * read API), turned into verdicts by ht_leak_analyze() (ht_leak.h has the
 * rules). leaks, check, top and serve call it once and render the report.
 *
 *	struct ht_leak_collect_opts o;
 *	struct ht_leak_report r;
 *	char err[256];
 *	ht_leak_collect_opts_default(&o);
 *	o.window_ms = 30000;
 *	if (ht_leak_collect(&o, &r, err, sizeof(err)) == 0) {
 *		for (size_t i = 0; i < r.nprocs_items; i++) ... r.procs[i].l ...
 *		ht_leak_report_free(&r);
 *	}
 *
 * It never prints and never installs a signal handler: progress and
 * interruption go through the callbacks in the options. */
#ifndef HT_LEAK_COLLECT_H
#define HT_LEAK_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ht_leak.h"

struct ht_sampler;

enum ht_leak_kind {
	HT_LEAK_PROC, HT_LEAK_CGROUP, HT_LEAK_SYSTEM,
	HT_LEAK_KERNEL,		/* a /proc/meminfo kernel figure (name) */
	HT_LEAK_SLAB,		/* a slab cache (name), num_objs x objsize */
	HT_LEAK_SOCKET,		/* a socket's queue (name "udp 127.0.0.1:53"):
				   skbs nobody reads */
	HT_LEAK_COMMAND,	/* a command restarted (DB only): its lives
				   regrow (ht_restarts.h); pid the latest */
};

/* One subject's verdict. */
struct ht_leak_item {
	enum ht_leak_kind kind;
	pid_t pid;			/* HT_LEAK_PROC */
	int64_t start_time;		/* HT_LEAK_PROC: clock ticks since boot */
	char comm[64];			/* HT_LEAK_PROC */
	char *cmdline;			/* HT_LEAK_PROC, malloc'd; NULL: not read */
	char *cgroup;			/* HT_LEAK_CGROUP: its path (malloc'd) */
	int detailed;			/* limits and command line were read */
	int selected;			/* named by pids */
	char name[128];			/* HT_LEAK_KERNEL: "SUnreclaim";
					   HT_LEAK_SLAB: "dentry";
					   HT_LEAK_SOCKET: "udp 127.0.0.1:53" */
	uint64_t inode;			/* HT_LEAK_SOCKET */
	char *owners;			/* HT_LEAK_SOCKET, malloc'd: "1234
					   (python3), 1240 (worker)" from
					   /proc/PID/fd; NULL: none found */
	struct ht_leak l;
	/* HT_LEAK_COMMAND: its lives in the window, how many ended, the
	 * sizes they died at, and the OOM killer's victims meanwhile
	 * (host-wide; -1 unknown): as many as the deaths is an OOM loop */
	size_t lives, died;
	int64_t peak_min, peak_max;
	int regrows, grows_across;
	int64_t oom_kills;
	/* HT_LEAK_PROC, live, when its RSS is no leak: its address space
	 * (VmSize) judged the same way, against RLIMIT_AS (reserved and never
	 * touched memory: "address space grows 1 MiB/s, RSS flat") */
	int as_judged;
	struct ht_leak as;
};

struct ht_leak_report {
	int from_db;
	double window_s;		/* the span judged */
	double interval_s;		/* between samples (DB: the step) */
	size_t samples;			/* samples taken (live) or read (DB: the
					   recorder's sample times in the window) */
	size_t nprocs;			/* processes analysed */
	struct ht_leak_item *procs;	/* sorted by rate, fastest first */
	size_t nprocs_items;
	struct ht_leak_item *cgroups;	/* sorted the same way */
	size_t ncgroups;
	struct ht_leak_item *commands;	/* restart loops (DB only): a leak
					   that outlives its pids */
	size_t ncommands;
	struct ht_leak_item system;	/* used memory (MemTotal - MemAvailable) */
	int have_system;
	int64_t mem_total, mem_available;	/* bytes; -1 unknown */
	/* With opts.kernel (live or a sampler; not from a DB): */
	struct ht_leak_item *kernel;	/* every ht_kmem_fields figure known */
	size_t nkernel;
	struct ht_leak_item *slabs;	/* caches with a positive trend
					   (ht_leak_positive), fastest first */
	size_t nslabs, nslabs_judged;	/* listed, and judged */
	struct ht_leak_item *sockets;	/* socket queues with a positive
					   trend, fastest first */
	size_t nsockets, nsockets_judged;
	int interrupted;		/* should_stop() cut the window short */
};

/* Progress of a live window, for a caller that shows it. */
struct ht_leak_progress {
	size_t samples, want;		/* taken, and the window's count */
	double elapsed_s, window_s;
	double interval_s;
	size_t nprocs;			/* processes in the latest sample */
	int done;			/* the last call: sampling is over */
};

struct ht_leak_collect_opts {
	const char *db;			/* NULL: live */
	const char *root;		/* "" live /proc */
	int64_t window_ms;		/* live: how long to sample (at most
					   HT_LEAK_MAX_WINDOW_MS); DB: the last
					   window_ms of data (0: all) */
	int64_t interval_ms;		/* live: between samples; DB: the step
					   (0: the recorded interval, at most
					   ~2000 points, at least 100 ms) */
	struct ht_leak_opts lo;
	const pid_t *pids;		/* only these (and mark them selected) */
	size_t npids;
	const char *comm;		/* only processes with this comm */
	const char *cgroup;		/* only this cgroup */
	int cgroups;			/* also judge every cgroup */
	int kernel;			/* also judge kernel memory, every slab
					   cache and every queued socket (live
					   and sampler only) */
	/* Live only, both may be NULL. progress() after every sample (and
	 * once with done set); should_stop() != 0 ends the window early (a
	 * Ctrl-C flag): the samples taken are judged, interrupted is set. */
	void (*progress)(void *ctx, const struct ht_leak_progress *p);
	int (*should_stop)(void *ctx);
	void *ctx;
};

/* The longest live window (a day) and the most samples it may take: the
 * history of every process is held in memory. */
#define HT_LEAK_MAX_WINDOW_MS (86400 * 1000LL)
#define HT_LEAK_MAX_SAMPLES 100000

/* Defaults: live, 60 s every 1 s, ht_leak_opts_default(). */
void ht_leak_collect_opts_default(struct ht_leak_collect_opts *o);

/* Collects and judges into *r (the caller frees it with
 * ht_leak_report_free()). Returns 0, or -errno with a message in err
 * ("cannot open X: ...", "X holds no samples", "the window must hold at
 * least one interval"); the report is then empty. -EINVAL: bad options
 * (a live window shorter than the interval, longer than
 * HT_LEAK_MAX_WINDOW_MS or of more than HT_LEAK_MAX_SAMPLES samples). */
int ht_leak_collect(const struct ht_leak_collect_opts *o, struct ht_leak_report *r,
		    char *err, size_t errlen);

/* Judges what a running sampler holds now (its kept history: top, serve),
 * with o's filters and verdict options (o->db, window_ms, interval_ms,
 * cgroups and the callbacks are not used: a sampler keeps no cgroup
 * history). Returns 0, -EINVAL or -ENOMEM (the report then empty). */
int ht_leak_judge_sampler(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
			  struct ht_leak_report *r);

/* Frees what a report holds and empties it. Accepts NULL, and a report
 * that a failed call left empty. */
void ht_leak_report_free(struct ht_leak_report *r);

#endif
