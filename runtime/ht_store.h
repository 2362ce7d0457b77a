/* The history store: one SQLite file (docs/schema.md) that healthtap record
 * writes and leaks, report and serve read.
 *
 * Writing. One writer per DB: ht_store_open() without HT_STORE_READONLY
 * takes an exclusive flock(2) on "DB.lock" (the DB path plus ".lock"); a
 * second writer gets -EBUSY and ht_store_open()'s message names the pid that
 * holds it. The kernel drops the lock when the writer dies, even by kill -9.
 * The DB is in WAL mode with synchronous=NORMAL: a crash of the process loses
 * at most what was put since the last ht_store_flush(); a committed interval
 * is never lost and the file always passes PRAGMA integrity_check.
 *
 * A writer puts every live process and every system figure once per interval
 * (ht_store_put_proc(), ht_store_put_sys()), then calls ht_store_flush(),
 * which writes the interval in one transaction. Values equal to the previous
 * value of the same process or series are not written again. A process not
 * put since the previous flush is taken as gone (its end time is set).
 * When a flush fails (disk full: -ENOSPC; any other: -EIO) nothing is
 * half-written: the transaction is rolled back, what was put stays queued in
 * memory and the next flush retries it (see ht_store_pending()).
 *
 * Reading. Readers (HT_STORE_READONLY) take no lock and may run while a
 * recorder writes. Times are CLOCK_REALTIME ms since the epoch. Series come
 * back as arrays the caller frees with free(). Stored data has three tiers:
 * samples (span_ms 0), then per-minute and per-10-minutes buckets of
 * min/avg/max (span_ms 60000, 600000 by default) once ht_store_maintain()
 * has downsampled them.
 *
 * Not thread-safe: one thread uses a store at a time. Every function returns
 * 0 or -errno unless said otherwise; on error ht_store_error() says why.
 */
#ifndef HT_STORE_H
#define HT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HT_STORE_SCHEMA_VERSION 1

struct ht_store;
struct ht_store_point;

enum {
	HT_STORE_READONLY = 1u << 0,	/* no lock, no writes; the DB must exist */
};

struct ht_store_opts {
	const char *path;		/* the DB file (created with its schema) */
	unsigned flags;			/* HT_STORE_* */
	const char *root;		/* prefix for /proc (boot id): "" live */
	const char *host;		/* host name written; NULL: gethostname() */
	/* Downsampling (ht_store_maintain()): samples older than raw_keep_ms
	 * become buckets of bucket1_ms; those older than bucket1_keep_ms become
	 * buckets of bucket2_ms. 0 in any: the default (1 d, 60 s, 7 d, 600 s);
	 * a negative keep turns that step off. */
	int64_t raw_keep_ms, bucket1_ms;
	int64_t bucket1_keep_ms, bucket2_ms;
	/* Retention: delete data older than max_age_ms, then the oldest data
	 * until the DB uses at most max_bytes. 0: no limit. */
	int64_t max_age_ms;
	int64_t max_bytes;
	/* Queued operations kept in memory while flushes fail; beyond this
	 * the newest samples are dropped (and counted). 0: 2,000,000. */
	size_t max_pending;
};

void ht_store_opts_default(struct ht_store_opts *o);

/* Opens (creating if needed, unless HT_STORE_READONLY) the DB at o->path.
 * On success *out is the store, to be closed with ht_store_close(). On error
 * *out is NULL, errmsg (when not NULL) holds a message such as "database
 * /x.db is in use by another recorder (pid 42)", and the return is -EBUSY
 * (locked), -ENOENT (read-only, no file), -EPROTO (not a healthtap DB or a
 * newer schema), -EACCES, -ENOSPC or -EIO. */
int ht_store_open(const struct ht_store_opts *o, struct ht_store **out,
		  char *errmsg, size_t errlen);

/* Tries a last flush (a writer), closes the DB and drops the lock. Accepts
 * NULL. Samples still queued are lost; call ht_store_flush() first to know. */
void ht_store_close(struct ht_store *st);

/* Reopens the DB path (SIGHUP after a rotation: mv DB DB.old, then HUP).
 *   - The path still names the open file: nothing to do (*moved = 0).
 *   - Otherwise, with nothing queued (-EAGAIN while operations wait for the
 *     open file: flush first): the open file is checkpointed and followed
 *     to its new name (its WAL is named after the path, where the new DB
 *     will look for its own); then the path is opened (created when
 *     missing) and, on success, the old file's session is closed
 *     (end_reason reason) and a new one begun in the new file (the kind and
 *     interval of ht_store_session_begin(), at now_ms): every process and
 *     series is declared afresh there (*moved = 1).
 * On error (the path is a directory, a newer schema, not a DB...) nothing
 * is lost: the store keeps writing the file it had, under its new name
 * (ht_store_error() says "...; still writing DB.old"), or, when that file
 * was deleted, has no file ("...; no database open": puts fail with
 * -ENODEV, the next successful reopen records the time as a gap). The
 * caller retries later. */
int ht_store_reopen(struct ht_store *st, int64_t now_ms, const char *reason, int *moved);

/* The message of the latest error ("" if none). Owned by the store. */
const char *ht_store_error(const struct ht_store *st);

/* The file written: the path, or the name the open file was moved to while
 * a reopen fails (see ht_store_reopen()). Owned by the store. */
const char *ht_store_file(const struct ht_store *st);

/* The pid of the writer holding PATH's lock (the flock on "PATH.lock",
 * found in /proc/locks: nothing is locked or opened for writing, so a
 * recorder starting meanwhile is never refused). Returns the pid, 0 when
 * no process holds it (no recorder runs), or -errno when it cannot tell. */
long ht_store_writer_pid(const char *path);

/* ---- writing ---- */

/* Starts a session (one recorder run, or one import) at now_ms with the
 * given sampling interval and kind ("record", "import"). When this host has
 * an earlier session, the time from its last flushed sample to now_ms is
 * recorded as a gap with reason gap_reason (e.g. "recorder not running"),
 * and processes left open by it are closed at its last sample. On error
 * (a full disk) the session stays wanted: puts queue, and each
 * ht_store_flush() begins it first (as of now_ms) or fails. */
int ht_store_session_begin(struct ht_store *st, int64_t now_ms,
			   int64_t interval_ms, const char *kind,
			   const char *gap_reason);

/* Closes the session (queued; written by the next flush). reason: "stopped",
 * "--for elapsed"... */
int ht_store_session_end(struct ht_store *st, int64_t now_ms, const char *reason);

/* One process's figures at t_ms. comm and cmdline (may be NULL) are copied
 * when the process is new to the store (ht_store_proc_known() says when to
 * give the cmdline); given for a known process, names that differ from the
 * stored ones (an exec since) replace them. Bytes; -1 = unknown (stored NULL). -ENODEV: no file
 * open (see ht_store_reopen()). */
struct ht_store_proc_in {
	pid_t pid;
	int64_t start_time;		/* clock ticks since boot (stat field 22) */
	const char *comm;
	const char *cmdline;
	int64_t rss, anon;
};
int ht_store_put_proc(struct ht_store *st, int64_t t_ms,
		      const struct ht_store_proc_in *p);

/* 1 when the process (pid, start_time) was put into the open file, so its
 * comm and cmdline are stored already; 0 when the next put declares it
 * (new, pid reused, or after a reopen moved to another file). */
int ht_store_proc_known(struct ht_store *st, pid_t pid, int64_t start_time);

/* One system figure at t_ms: name (HT_SYS_* below, or "probe.<subsys>.<rec>"
 * for tapset records), labels ("" or "vec=NET_RX", "cpu=0"), unit ("B",
 * "1/s", "%", "1"). A NAN value is not stored (missing, not 0). */
int ht_store_put_sys(struct ht_store *st, int64_t t_ms, const char *name,
		     const char *labels, const char *unit, double v);

/* A per-process tapset record (one with a pid= label, e.g. the top
 * switchers' "probe.sched.proc_switches") for a live process the store
 * knows (put with ht_store_put_proc() in this or the previous interval and
 * not gone since). Every value is stored (no
 * change-only rule), never downsampled; retention applies. Returns 0, or
 * -ENOENT when pid was not put (nothing stored). */
int ht_store_put_proc_probe(struct ht_store *st, int64_t t_ms, pid_t pid,
			    const char *name, int64_t value);

/* An event: kind "stap" (why the tapset child died), "error", "note". */
int ht_store_put_event(struct ht_store *st, int64_t t_ms, const char *kind,
		       const char *text);

/* A time without samples (start_ms, end_ms), e.g. a stalled recorder:
 * readers do not hold values across it. -EINVAL unless end_ms > start_ms. */
int ht_store_put_gap(struct ht_store *st, int64_t start_ms, int64_t end_ms,
		     const char *reason);

/* Writes everything queued in one transaction and marks t_ms as the
 * session's last sample. Returns 0, -ENOSPC (disk full) or -EIO; on error
 * everything stays queued for the next flush. */
int ht_store_flush(struct ht_store *st, int64_t t_ms);

/* Operations queued and not yet written; samples dropped since open because
 * the queue was full. */
size_t ht_store_pending(const struct ht_store *st);
uint64_t ht_store_dropped(const struct ht_store *st);

struct ht_store_maint {
	uint64_t rows_downsampled;	/* rows turned into buckets */
	uint64_t buckets_written;
	uint64_t rows_expired;		/* rows deleted by age or size */
	int64_t db_bytes;		/* pages in use x page size, after */
};

/* Downsamples and applies retention as of now_ms, in one transaction.
 * Call it now and then (record: every 10 minutes). out may be NULL. */
int ht_store_maintain(struct ht_store *st, int64_t now_ms, struct ht_store_maint *out);

/* ---- reading ---- */

#define HT_SYS_MEM_AVAILABLE "mem_available"	/* B */
#define HT_SYS_MEM_TOTAL "mem_total"		/* B */
#define HT_SYS_SWAP_FREE "swap_free"		/* B */
#define HT_SYS_CPU_BUSY "cpu_busy"		/* % */
#define HT_SYS_CTXT_RATE "ctxt_rate"		/* 1/s */
#define HT_SYS_INTR_RATE "intr_rate"		/* 1/s */
#define HT_SYS_SOFTIRQ_RATE "softirq_rate"	/* 1/s; labels "" total or
						   "vec=NET_RX" per vector */
#define HT_SYS_FORK_RATE "fork_rate"		/* 1/s */
#define HT_SYS_PGMAJFAULT_RATE "pgmajfault_rate" /* 1/s */
#define HT_SYS_PSI "psi"			/* %, avg10; labels
						   "res=memory,kind=some" */
#define HT_SYS_PROBE_COVERAGE "probe.sched.coverage" /* probe switches over
						   /proc ctxt since the tapset
						   started (1 = all seen) */
#define HT_SYS_PROBE_CTXT "probe.sched.ctxt_absolute" /* 1: /proc ctxt at
						   the first sched batch + the
						   probe's switches since */
#define HT_SYS_KMEM "kmem"			/* B; labels "field=SUnreclaim"
						   (ht_kmem_fields' meminfo keys) */
#define HT_SYS_SLAB_CACHE "slab_cache"		/* B (num_objs x objsize);
						   labels "cache=kmalloc-512";
						   caches of HT_SLAB_STORE_MIN
						   bytes or more when put */
#define HT_SLAB_STORE_MIN (1024 * 1024)
#define HT_SYS_SKB_OUTSTANDING "skb_outstanding" /* 1; labels "source=slab":
						   skbuff_head_cache objects
						   (one sk_buff per skb) */
#define HT_SYS_SKB_RATE "skb_outstanding_rate"	/* 1/s; labels "source=slab" */
/* Tapset records: "probe.<subsys>.<name>", e.g. "probe.skb.alloc",
 * "probe.skb.free", "probe.skb.outstanding", "probe.sched.switches". */

struct ht_store_host {
	int64_t id;
	const char *name;
	int64_t first_ms, last_ms;	/* its sessions' span; -1 if none */
};

/* Calls fn for each host (ascending id); fn != 0 stops and is returned. */
int ht_store_hosts(struct ht_store *st,
		   int (*fn)(void *ctx, const struct ht_store_host *h), void *ctx);

/* First and last sample time of host_id (0: every host). -ENOENT if empty. */
int ht_store_time_range(struct ht_store *st, int64_t host_id,
			int64_t *first_ms, int64_t *last_ms);

struct ht_store_proc_info {
	int64_t id;			/* the store's process id */
	int64_t host_id;
	const char *boot_id;
	pid_t pid;
	int64_t start_time;
	const char *comm, *cmdline;	/* cmdline "" if unknown */
	int64_t first_ms;		/* first sample */
	int64_t last_ms;		/* exit seen, or its session's last sample */
	int ended;			/* gone (exit seen or recorder restarted
					   without it) */
};

struct ht_store_proc_filter {
	int64_t host_id;		/* 0: any */
	pid_t pid;			/* 0: any */
	const char *name;		/* comm equal to it, NULL: any */
	int64_t since_ms, until_ms;	/* alive at some time in [since, until];
					   0, 0: any time */
};

/* Calls fn for each matching process, by host, first_ms, pid. The strings
 * live during the call only. fn != 0 stops and is returned. f may be NULL. */
int ht_store_procs(struct ht_store *st, const struct ht_store_proc_filter *f,
		   int (*fn)(void *ctx, const struct ht_store_proc_info *p), void *ctx);

/* One point of a process series. For a sample (span_ms 0) min == max ==
 * the value; for a bucket [t_ms, t_ms + span_ms) rss/anon are the
 * time-weighted averages. -1: unknown. */
struct ht_store_proc_point {
	int64_t t_ms, span_ms;
	int64_t rss, rss_min, rss_max;
	int64_t anon, anon_min, anon_max;
};

/* A process's series in [since_ms, until_ms] (0, 0: all) into *out (the
 * caller frees it with free()), *n points, in time order.
 * step_ms 0: the stored points, plus a point at the end of each run of held
 * values (at the exit, at a session's last sample before a gap, and at
 * until_ms/now), so the series has its true shape.
 * step_ms > 0: one point every step_ms (multiples of step_ms) holding the
 * value at that time, only where the process was recorded (never across a
 * gap; a bucket gives its average). */
int ht_store_proc_series(struct ht_store *st, int64_t proc_id,
			 int64_t since_ms, int64_t until_ms, int64_t step_ms,
			 struct ht_store_proc_point **out, size_t *n);

/* A process's tapset records called name ("probe.sched.proc_switches") in
 * [since_ms, until_ms] (0, 0: all), as points (span 0, v = min = max =
 * value) into *out (free() it), in time order. */
int ht_store_proc_probes(struct ht_store *st, int64_t proc_id, const char *name,
			 int64_t since_ms, int64_t until_ms,
			 struct ht_store_point **out, size_t *n);

struct ht_store_series_info {
	int64_t id, host_id;
	const char *name, *labels, *unit;
};

/* Calls fn for each system series of host_id (0: all) whose name starts
 * with prefix (NULL or "": all), by host, name, labels. */
int ht_store_series(struct ht_store *st, int64_t host_id, const char *prefix,
		    int (*fn)(void *ctx, const struct ht_store_series_info *s),
		    void *ctx);

/* The id of a series by exact name and labels. -ENOENT if none. */
int ht_store_series_find(struct ht_store *st, int64_t host_id, const char *name,
			 const char *labels, int64_t *id);

struct ht_store_point {
	int64_t t_ms, span_ms;
	double v, min, max;		/* bucket: time-weighted average */
};

/* A system series, as ht_store_proc_series(). */
int ht_store_sys_series(struct ht_store *st, int64_t series_id,
			int64_t since_ms, int64_t until_ms, int64_t step_ms,
			struct ht_store_point **out, size_t *n);

struct ht_store_gap {
	int64_t host_id;
	int64_t start_ms, end_ms;	/* no samples in (start, end) */
	const char *reason;
};

/* Gaps (recorder restarts, dropped samples) overlapping [since, until]. */
int ht_store_gaps(struct ht_store *st, int64_t host_id, int64_t since_ms,
		  int64_t until_ms,
		  int (*fn)(void *ctx, const struct ht_store_gap *g), void *ctx);

struct ht_store_event {
	int64_t host_id, t_ms;
	const char *kind, *text;
};

/* Events in [since, until] (0, 0: all), in time order. */
int ht_store_events(struct ht_store *st, int64_t host_id, int64_t since_ms,
		    int64_t until_ms,
		    int (*fn)(void *ctx, const struct ht_store_event *e), void *ctx);

/* Every distinct time in [since_ms, until_ms] at which a process sample, a
 * process bucket or a system sample was stored (with hundreds of processes:
 * every sample the recorder took), ascending, into *out (free() it). */
int ht_store_sample_times(struct ht_store *st, int64_t since_ms, int64_t until_ms,
			  int64_t **out, size_t *n);

/* The underlying sqlite3 handle, for tests that check the schema directly;
 * the product reads only through the calls above. Owned by the store;
 * NULL while no file is open (see ht_store_reopen()). */
struct sqlite3 *ht_store_db(struct ht_store *st);

#endif
