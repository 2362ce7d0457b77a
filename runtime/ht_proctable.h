/* Process table: every process on the host, identified by (pid, start time),
 * sampled through file descriptors kept open from one sample to the next.
 *
 * Each sample lists root/proc (readdir; skipped or narrowed to the new pids
 * while /proc/stat and /proc/loadavg allow, see HT_PT_LIST_ALWAYS), then
 * for every process preads /proc/PID/statm at offset 0 on a kept fd (and
 * status/stat when asked for, see HT_PT_STATUS and HT_PT_STAT). A kept fd is bound to the process it was
 * opened for: once that process is gone it fails with ESRCH even if the pid
 * was reused, so it is also the identity check. A new pid (or a known pid
 * whose start time changed) is a new process: its stat and status are read
 * once when it is found.
 *
 * When the open-file limit is below what the table needs, the table first
 * raises the soft RLIMIT_NOFILE up to the hard limit; processes still without
 * a kept fd are read by open/read/close every sample (HT_PROC_FALLBACK), and
 * ht_proctable_stats() says how many.
 *
 * Memory: about 320 bytes per process plus its command line once asked for
 * (at most HT_PROC_CMDLINE_MAX bytes), plus one kernel fd (~4.4 KB kernel
 * memory) per kept file. Exited processes are held until the next sample.
 *
 * A process whose main thread exited while other threads run shows state
 * 'Z' and a statm of zeros, as ps shows it.
 *
 * Not thread-safe: one thread samples and reads a table at a time. */
#ifndef HT_PROCTABLE_H
#define HT_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ht_proctable;
struct proc_pid_smaps;
struct proc_pid_smaps_rollup;

/* Flags for ht_proctable_new(). */
enum {
	/* pread /proc/PID/status every sample: file/shmem split, swap, threads,
	 * uid, context switches stay current (costs ~5x a statm-only sample and
	 * a second kept fd per process). Without it these are from the sample
	 * that found the process (see status_ns). */
	HT_PT_STATUS = 1u << 0,
	/* pread /proc/PID/stat every sample: state, ppid, utime, stime, threads
	 * stay current, and a changed start time is caught (a third kept fd).
	 * Without it they are from the sample that found the process, except
	 * that stat is read again on the next sample for a process found
	 * under a second old (a fork caught before its exec), when statm's
	 * text size changes (an exec) and when statm reads all zeros (exiting
	 * or a zombie). */
	HT_PT_STAT = 1u << 1,
	/* Keep no fds: every process is read by open/read/close each sample
	 * (identity then checked by start time). For comparisons and tests. */
	HT_PT_NO_KEEP = 1u << 2,
	/* Do not touch RLIMIT_NOFILE (raising it affects the whole process:
	 * a caller that uses select() needs its fds below FD_SETSIZE). */
	HT_PT_NO_RAISE_NOFILE = 1u << 3,
	/* List root/proc every sample. By default the listing is skipped when
	 * the "processes" line (forks since boot) of root/proc/stat did not
	 * move: no task was created, so there is no new process and no reused
	 * pid; exits show through the kept fds. When it moved but the last pid
	 * of root/proc/loadavg only rose by a few (fewer than a sixth of the
	 * processes), only the pids in between are probed (when root/proc is
	 * of the caller's pid namespace); a pid handed out out of order
	 * (ns_last_pid, clone3 set_tid) is then found by the next full
	 * listing. At least every 10th sample lists in full. */
	HT_PT_LIST_ALWAYS = 1u << 4,
};

/* ht_proc.flags */
enum {
	HT_PROC_KTHREAD = 1u << 0,	/* PF_KTHREAD in stat flags */
	HT_PROC_ZOMBIE = 1u << 1,	/* state 'Z' (or 'X') when last read */
	HT_PROC_NEW = 1u << 2,		/* first seen in the latest sample */
	HT_PROC_EXITED = 1u << 3,	/* gone: only in the exited list */
	HT_PROC_FALLBACK = 1u << 4,	/* no kept fd: open/read/close */
};

/* ht_proc.missing: figures that could not be read in the latest sample
 * (permission denied, vanished mid-read, or the kernel lacks them). The
 * matching fields are -1 (state '?'); they are never faked as 0. */
enum {
	HT_PROC_MISS_STATM = 1u << 0,	/* size, rss, shared, anon */
	HT_PROC_MISS_STATUS = 1u << 1,	/* uid, file, shmem, swap, ctxt, threads */
	HT_PROC_MISS_STAT = 1u << 2,	/* state, ppid, utime, stime, flags */
	HT_PROC_MISS_VM = 1u << 3,	/* status has no Vm lines (kernel thread) */
	HT_PROC_EACCES = 1u << 4,	/* some file was not readable (EACCES/EPERM) */
};

#define HT_PROC_COMM_MAX 64		/* kernel threads' comm can exceed 16 */
#define HT_PROC_CMDLINE_MAX 4096	/* longer command lines are cut */

/* One process. Owned by the table; valid until the next sample or free.
 * Byte figures are bytes; -1 means unknown (see missing). */
struct ht_proc {
	pid_t pid;
	int64_t start_time;		/* stat field 22, clock ticks since boot */
	pid_t ppid;			/* -1 unknown */
	int64_t uid;			/* real uid from status; -1 unknown */
	char state;			/* stat state letter: R S D Z I T t X; '?' */
	char comm[HT_PROC_COMM_MAX];	/* from stat (when stat is read, see
					 * stat_ns); may hold spaces and ')' */
	unsigned flags;			/* HT_PROC_* */
	unsigned missing;		/* HT_PROC_MISS_*, HT_PROC_EACCES */

	/* Every sample, from statm (0 for kernel threads and zombies). */
	int64_t size;			/* virtual size */
	int64_t rss;			/* resident = anon + file + shmem */
	int64_t shared;			/* resident file + shmem */
	int64_t anon;			/* resident anonymous (rss - shared) */

	/* From status: every sample with HT_PT_STATUS, else when found.
	 * -1 for kernel threads (no Vm lines). */
	int64_t file;			/* RssFile */
	int64_t shmem;			/* RssShmem */
	int64_t swap;			/* VmSwap */
	int64_t vol_ctxt;		/* voluntary_ctxt_switches */
	int64_t nonvol_ctxt;		/* nonvoluntary_ctxt_switches */
	int64_t status_ns;		/* when these were read; 0 never */

	/* From stat: every sample with HT_PT_STAT, else when found. */
	int64_t threads;		/* num_threads */
	int64_t utime, stime;		/* clock ticks */
	int64_t stat_ns;		/* when these were read; 0 never */

	int64_t first_seen_ns;		/* ht_now_ns() of the sample that found it */
	int64_t last_sample_ns;		/* latest sample that read it */
	int64_t exit_ns;		/* sample that found it gone; 0 while alive */
};

struct ht_proctable_stats {
	size_t procs;			/* live processes after the latest sample */
	size_t appeared;		/* new in the latest sample */
	size_t exited;			/* gone in the latest sample */
	size_t kept_fds;		/* per-process fds held open now */
	size_t fallback;		/* processes read by open/read/close */
	size_t vanished_midread;	/* listed, then gone before their read */
	size_t reused;			/* pids whose process was replaced by a new
					 * one (kept fd ESRCH or new start time) */
	size_t eacces;			/* processes with a file not readable */
	size_t errors;			/* other read errors in the latest sample */
	int64_t nofile_soft, nofile_hard;	/* RLIMIT_NOFILE after any raise */
	int64_t samples;		/* samples taken */
	int64_t sample_ns;		/* ht_now_ns() of the latest sample */
	int64_t listings_skipped;	/* samples that did not list root/proc */
	int64_t listings_probed;	/* samples that probed new pids instead */
};

/* Creates an empty table over root/proc (NULL or "" root: the live /proc);
 * flags are HT_PT_*. Nothing is read until ht_proctable_sample(). Returns
 * NULL with errno set (ENOMEM, ENAMETOOLONG). The caller frees the table
 * with ht_proctable_free(). */
struct ht_proctable *ht_proctable_new(const char *root, unsigned flags);

/* Closes every kept fd and frees the table. Accepts NULL. */
void ht_proctable_free(struct ht_proctable *t);

/* Takes one sample at ht_now_ns(): lists root/proc, reads every process,
 * adds new ones (HT_PROC_NEW) and moves gone ones to the exited list
 * (replacing the previous sample's exited list). Returns 0, or -errno when
 * root/proc cannot be listed (the table then holds the previous sample) or
 * on ENOMEM (the table holds what was read so far, consistent). Per-process
 * failures are not errors: see ht_proc.missing and the stats. Invalidates
 * every ht_proc pointer handed out before. */
int ht_proctable_sample(struct ht_proctable *t);

/* Live processes after the latest sample, in ascending pid order:
 * ht_proctable_at(t, i) for i < ht_proctable_count(t). The pointer is owned
 * by the table, valid until the next sample or free; NULL when i is out of
 * range. */
size_t ht_proctable_count(const struct ht_proctable *t);
const struct ht_proc *ht_proctable_at(const struct ht_proctable *t, size_t i);

/* The live process with this pid, or NULL. Same lifetime as _at(). */
const struct ht_proc *ht_proctable_find(const struct ht_proctable *t, pid_t pid);

/* Processes found gone by the latest sample (HT_PROC_EXITED, exit_ns set),
 * holding the figures of the last sample that read them. Same lifetime as
 * _at(). Processes that appeared are the live ones with HT_PROC_NEW. */
size_t ht_proctable_exited_count(const struct ht_proctable *t);
const struct ht_proc *ht_proctable_exited_at(const struct ht_proctable *t, size_t i);

/* The command line of a live process, NUL separators turned into spaces,
 * cut at HT_PROC_CMDLINE_MAX - 1 bytes; read on first call and kept while
 * the process lives. "" for kernel threads, zombies and processes with an
 * empty cmdline. Returns a string owned by the table (same lifetime as
 * _at()), or NULL with errno set (ESRCH gone, EACCES, ENOMEM, ENOENT for a
 * process not in the table). */
const char *ht_proctable_cmdline(struct ht_proctable *t, const struct ht_proc *p);

/* Reads /proc/PID/smaps_rollup of a live process, on demand only (it is
 * costly and holds the target's mmap lock). Fills the caller's out; returns
 * 0 or -errno: -ENOENT on kernels without smaps_rollup, -EACCES without
 * ptrace access, -ESRCH when the process is gone (or its pid was reused). */
int ht_proctable_smaps_rollup(struct ht_proctable *t, const struct ht_proc *p,
			      struct proc_pid_smaps_rollup *out);

/* Reads /proc/PID/smaps of a live process, on demand only (costlier still:
 * every mapping), with the same checks and returns as
 * ht_proctable_smaps_rollup(). On success out is the caller's to release
 * with proc_pid_smaps_free(); on error it is empty. */
int ht_proctable_smaps(struct ht_proctable *t, const struct ht_proc *p,
		       struct proc_pid_smaps *out);

/* Copies the counters of the latest sample into out. */
void ht_proctable_stats(const struct ht_proctable *t, struct ht_proctable_stats *out);

#endif
