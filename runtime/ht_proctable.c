#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "ht_buf.h"
#include "ht_counter.h"
#include "ht_path.h"
#include "ht_proctable.h"
#include "proc_pid_cmdline.h"
#include "proc_pid_file.h"
#include "proc_pid_smaps.h"
#include "proc_pid_smaps_rollup.h"
#include "proc_pid_stat.h"
#include "proc_pid_status.h"
#include "proc_pid_statm.h"

/* Fds left to the caller and to the table's own transient opens (the /proc
 * dir, a /proc/PID dir and one file in it). */
enum { RESERVE_FDS = 64 };

/* The public struct first, so that a const struct ht_proc * from the table
 * leads back to its entry. */
struct entry {
	struct ht_proc p;
	int fd_statm, fd_status, fd_stat;	/* -1: not kept */
	char *cmdline;				/* NULL until asked for */
	int64_t text;				/* statm text at the last read */
	unsigned reads;				/* samples that read it */
	int64_t tgid;				/* from status when found; -1 */
	int young;				/* under 1 s old when found */
};

struct vec {
	struct entry **v;
	size_t n, cap;
};

struct ht_proctable {
	char root[4096];
	unsigned flags;
	int files_per_proc;		/* kept fds per process */
	DIR *procdir;			/* root/proc, kept and rewound */
	struct vec live;		/* ascending pid */
	struct vec exited;
	struct vec spare_live, spare_exited;	/* reused between samples */
	pid_t *pids;			/* scratch: the listing */
	size_t npids, cap_pids;
	size_t kept_max;		/* per-process fds we allow ourselves */
	int stat_fd;			/* root/proc/stat; -1 none */
	char *stat_text;		/* its text */
	int loadavg_fd;			/* root/proc/loadavg; -1 none */
	int64_t forks;			/* "processes" of stat at the latest look */
	int64_t last_pid;		/* last pid of loadavg at the latest look */
	int unlisted;			/* samples since the latest full listing */
	int mode;			/* this sample: LIST_FULL, _NONE, _PROBE */
	int probe_ok;			/* -1 unknown; 1: root/proc is our pid ns */
	struct ht_proctable_stats st;
};

static int vec_push(struct vec *v, struct entry *e)
{
	if (ht_grow(v->v, v->cap, v->n + 1))
		return -ENOMEM;
	v->v[v->n++] = e;
	return 0;
}

static void close_fds(struct ht_proctable *t, struct entry *e)
{
	int *fds[3] = { &e->fd_statm, &e->fd_status, &e->fd_stat };

	for (int i = 0; i < 3; i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
			t->st.kept_fds--;
		}
	}
}

static void entry_free(struct ht_proctable *t, struct entry *e)
{
	if (!e)
		return;
	close_fds(t, e);
	free(e->cmdline);
	free(e);
}

static struct entry *entry_new(pid_t pid)
{
	struct entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->fd_statm = e->fd_status = e->fd_stat = -1;
	e->tgid = -1;
	e->p.pid = pid;
	e->p.start_time = -1;
	e->p.ppid = -1;
	e->p.uid = -1;
	e->p.state = '?';
	e->p.size = e->p.rss = e->p.shared = e->p.anon = -1;
	e->p.file = e->p.shmem = e->p.swap = -1;
	e->p.vol_ctxt = e->p.nonvol_ctxt = -1;
	e->p.threads = e->p.utime = e->p.stime = -1;
	return e;
}

static int is_gone(int err)
{
	return err == -ENOENT || err == -ESRCH;
}

static int is_denied(int err)
{
	return err == -EACCES || err == -EPERM;
}

static void set_limits(struct ht_proctable *t)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl)) {
		t->kept_max = 0;
		return;
	}
	t->st.nofile_soft = rl.rlim_cur == RLIM_INFINITY ? INT64_MAX : (int64_t)rl.rlim_cur;
	t->st.nofile_hard = rl.rlim_max == RLIM_INFINITY ? INT64_MAX : (int64_t)rl.rlim_max;
	t->kept_max = t->st.nofile_soft > RESERVE_FDS
		? (size_t)(t->st.nofile_soft - RESERVE_FDS) : 0;
}

/* Raises the soft RLIMIT_NOFILE towards what nprocs processes need, up to
 * the hard limit. */
static void raise_nofile(struct ht_proctable *t, size_t nprocs)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)nprocs * (rlim_t)t->files_per_proc + RESERVE_FDS;

	if (t->flags & (HT_PT_NO_RAISE_NOFILE | HT_PT_NO_KEEP))
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur == RLIM_INFINITY || need <= rl.rlim_cur)
		return;
	need += need / 4;	/* room to grow before the next raise */
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && need > rl.rlim_max ? rl.rlim_max : need;
	setrlimit(RLIMIT_NOFILE, &rl);
	set_limits(t);
}

static void apply_stat(struct ht_proc *p, const struct proc_pid_stat *s, int64_t now)
{
	snprintf(p->comm, sizeof(p->comm), "%s", s->comm);
	p->state = s->state;
	p->ppid = s->ppid >= 0 ? (pid_t)s->ppid : -1;
	p->utime = s->utime;
	p->stime = s->stime;
	p->threads = s->num_threads;
	p->flags &= ~(unsigned)(HT_PROC_KTHREAD | HT_PROC_ZOMBIE);
	if (s->flags >= 0 && (s->flags & PROC_PID_PF_KTHREAD))
		p->flags |= HT_PROC_KTHREAD;
	if (s->state == 'Z' || s->state == 'X')
		p->flags |= HT_PROC_ZOMBIE;
	p->missing &= ~(unsigned)HT_PROC_MISS_STAT;
	p->stat_ns = now;
}

/* apply_stat() for an entry: a new comm means an exec, so a cached
 * command line is dropped (read again when asked). */
static void take_stat(struct entry *e, const struct proc_pid_stat *s, int64_t now)
{
	if (e->cmdline && strncmp(e->p.comm, s->comm, sizeof(e->p.comm) - 1)) {
		free(e->cmdline);
		e->cmdline = NULL;
	}
	apply_stat(&e->p, s, now);
}

static void miss_stat(struct ht_proc *p)
{
	p->state = '?';
	p->ppid = -1;
	p->utime = p->stime = p->threads = -1;
	p->missing |= HT_PROC_MISS_STAT;
}

static void apply_statm(struct ht_proc *p, const struct proc_pid_statm *m)
{
	p->size = m->size;
	p->rss = m->resident;
	p->shared = m->shared;
	p->anon = m->resident >= 0 && m->shared >= 0 && m->resident >= m->shared
		? m->resident - m->shared : -1;
	p->missing &= ~(unsigned)HT_PROC_MISS_STATM;
}

static void miss_statm(struct ht_proc *p)
{
	p->size = p->rss = p->shared = p->anon = -1;
	p->missing |= HT_PROC_MISS_STATM;
}

static void apply_status(struct ht_proc *p, const struct proc_pid_status *s, int64_t now)
{
	p->uid = s->uid;
	p->file = s->rss_file;
	p->shmem = s->rss_shmem;
	p->swap = s->vm_swap;
	p->vol_ctxt = s->voluntary_ctxt_switches;
	p->nonvol_ctxt = s->nonvoluntary_ctxt_switches;
	if (s->threads >= 0)
		p->threads = s->threads;
	p->missing &= ~(unsigned)(HT_PROC_MISS_STATUS | HT_PROC_MISS_VM);
	if (s->vm_rss < 0)
		p->missing |= HT_PROC_MISS_VM;
	p->status_ns = now;
}

static void miss_status(struct ht_proc *p)
{
	p->uid = p->file = p->shmem = p->swap = -1;
	p->vol_ctxt = p->nonvol_ctxt = -1;
	p->missing |= HT_PROC_MISS_STATUS;
}

/* Outcome of reading one process. */
enum { READ_OK, READ_GONE, READ_REUSED };

/* Counts a per-file error; returns READ_GONE when it says the process is
 * gone. */
static int note_err(struct entry *e, int err, int *errs)
{
	if (is_gone(err))
		return READ_GONE;
	if (is_denied(err))
		e->p.missing |= HT_PROC_EACCES;
	else
		(*errs)++;
	return READ_OK;
}

static int open_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int out_of_fds(int err)
{
	return err == -EMFILE || err == -ENFILE;
}

/* Keeps fd in *slot when want, else closes it. */
static void keep_or_close(struct ht_proctable *t, int fd, int want, int *slot)
{
	if (fd < 0)
		return;
	if (want && *slot < 0) {
		*slot = fd;
		t->st.kept_fds++;
	} else {
		close(fd);
	}
}

/* Reads one process through its /proc/PID directory: every file opened
 * there belongs to the process the directory was opened for, so start time
 * and figures cannot come from two processes. Used for new processes and
 * for processes without kept fds; takes kept fds when the budget allows.
 * first: a new entry (status is read once even without HT_PT_STATUS). */
static int read_via_dir(struct ht_proctable *t, struct entry *e, int first, int64_t now)
{
	char name[32];
	struct proc_pid_stat ps;
	struct proc_pid_statm pm;
	struct proc_pid_status pst;
	int pdir, fd, err, errs = 0, ret = READ_OK, emfile = 0;
	int keep = !(t->flags & HT_PT_NO_KEEP)
		&& t->st.kept_fds + (size_t)t->files_per_proc <= t->kept_max;

	snprintf(name, sizeof(name), "%d", (int)e->p.pid);
	pdir = openat(dirfd(t->procdir), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pdir < 0) {
		err = -errno;
		if (is_gone(err))
			return READ_GONE;
		miss_stat(&e->p);
		miss_statm(&e->p);
		if (out_of_fds(err))
			t->kept_max = t->st.kept_fds;
		note_err(e, err, &errs);
		t->st.errors += (size_t)errs;
		return READ_OK;
	}

	/* stat: identity first. */
	fd = open_at(pdir, "stat");
	emfile |= out_of_fds(fd);
	err = fd < 0 ? fd : proc_pid_stat_read_fd(fd, &ps);
	if (!err && ps.starttime < 0)
		err = -EINVAL;
	if (!err && e->p.start_time >= 0 && ps.starttime != e->p.start_time) {
		ret = READ_REUSED;
	} else if (!err) {
		e->p.start_time = ps.starttime;
		take_stat(e, &ps, now);
	} else {
		miss_stat(&e->p);
		ret = note_err(e, err, &errs);
	}
	keep_or_close(t, fd, !err && ret == READ_OK && keep && (t->flags & HT_PT_STAT), &e->fd_stat);
	if (ret != READ_OK)
		goto cleanup;

	/* statm: the per-sample figures. */
	fd = open_at(pdir, "statm");
	emfile |= out_of_fds(fd);
	err = fd < 0 ? fd : proc_pid_statm_read_fd(fd, &pm);
	if (!err) {
		apply_statm(&e->p, &pm);
		e->text = pm.text;
	} else {
		miss_statm(&e->p);
		ret = note_err(e, err, &errs);
	}
	keep_or_close(t, fd, !err && ret == READ_OK && keep, &e->fd_statm);
	if (ret != READ_OK)
		goto cleanup;

	/* status: once when found, or every sample when asked. */
	if (first || (t->flags & HT_PT_STATUS)) {
		fd = open_at(pdir, "status");
		emfile |= out_of_fds(fd);
		err = fd < 0 ? fd : proc_pid_status_read_fd(fd, &pst);
		if (!err) {
			apply_status(&e->p, &pst, now);
			e->tgid = pst.tgid;
		} else {
			miss_status(&e->p);
			ret = note_err(e, err, &errs);
		}
		keep_or_close(t, fd, !err && ret == READ_OK && keep && (t->flags & HT_PT_STATUS),
			      &e->fd_status);
		if (ret != READ_OK)
			goto cleanup;
	}

	/* A process keeps all its fds or none; a failed open (EMFILE) stops
	 * further keeping until fds are freed. */
	if (keep && (e->fd_statm < 0 || ((t->flags & HT_PT_STATUS) && e->fd_status < 0)
		     || ((t->flags & HT_PT_STAT) && e->fd_stat < 0))) {
		close_fds(t, e);
		if (emfile)
			t->kept_max = t->st.kept_fds;
	}
	e->p.last_sample_ns = now;
	e->reads++;
cleanup:
	if (ret != READ_OK)
		close_fds(t, e);
	t->st.errors += (size_t)errs;
	close(pdir);
	return ret;
}

/* Reads one known process through its kept fds. */
static int read_kept(struct ht_proctable *t, struct entry *e, int64_t now)
{
	struct proc_pid_statm pm;
	struct proc_pid_status pst;
	struct proc_pid_stat ps;
	int err, errs = 0, ret = READ_OK, statm_ok;
	int64_t text;

	err = proc_pid_statm_read_fd(e->fd_statm, &pm);
	statm_ok = !err;
	text = pm.text;
	if (err) {
		miss_statm(&e->p);
		if ((ret = note_err(e, err, &errs)) == READ_GONE)
			goto done;
	} else {
		apply_statm(&e->p, &pm);
	}

	if (e->fd_stat >= 0) {
		err = proc_pid_stat_read_fd(e->fd_stat, &ps);
		if (!err && ps.starttime >= 0 && e->p.start_time >= 0
		    && ps.starttime != e->p.start_time) {
			ret = READ_REUSED;
			goto done;
		}
		if (!err) {
			take_stat(e, &ps, now);
		} else {
			miss_stat(&e->p);
			if ((ret = note_err(e, err, &errs)) == READ_GONE)
				goto done;
		}
	} else if (statm_ok && !(e->p.flags & (HT_PROC_KTHREAD | HT_PROC_ZOMBIE))
		   && ((pm.size == 0 && pm.resident == 0) || text != e->text
		       || (e->reads == 1 && e->young))) {
		/* Without a stat fd, stat is read again when statm says the mm
		 * is gone (exiting, zombie) or changed (text: an exec), and once
		 * on the sample after discovery of a process found under a
		 * second old (a fork caught before its exec).
		 * The statm fd read afterwards proves it is the same process. */
		err = proc_pid_stat_read(t->root, e->p.pid, &ps);
		if (!err && proc_pid_statm_read_fd(e->fd_statm, &pm) == 0
		    && ps.starttime == e->p.start_time) {
			if (text != e->text && e->cmdline) {
				free(e->cmdline);
				e->cmdline = NULL;
			}
			take_stat(e, &ps, now);
		} else if (!err && ps.starttime != e->p.start_time) {
			ret = READ_REUSED;
			goto done;
		}
	}
	if (statm_ok)
		e->text = text;

	if (e->fd_status >= 0) {
		err = proc_pid_status_read_fd(e->fd_status, &pst);
		if (!err) {
			apply_status(&e->p, &pst, now);
		} else {
			miss_status(&e->p);
			if ((ret = note_err(e, err, &errs)) == READ_GONE)
				goto done;
		}
	}
	e->p.last_sample_ns = now;
	e->reads++;
done:
	t->st.errors += (size_t)errs;
	if (ret != READ_OK)
		close_fds(t, e);
	return ret;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* Lists root/proc into t->pids, ascending. */
static int list_pids(struct ht_proctable *t)
{
	struct dirent *d;
	int sorted = 1;

	t->npids = 0;
	rewinddir(t->procdir);
	errno = 0;
	while ((d = readdir(t->procdir))) {
		const char *s = d->d_name;
		long v = 0;

		if (*s < '1' || *s > '9')
			continue;
		for (; *s >= '0' && *s <= '9' && v <= 0x3fffffff; s++)
			v = v * 10 + (*s - '0');
		if (*s || v > 0x3fffffff)
			continue;
		if (ht_grow(t->pids, t->cap_pids, t->npids + 1))
			return -ENOMEM;
		if (t->npids && t->pids[t->npids - 1] >= (pid_t)v)
			sorted = 0;
		t->pids[t->npids++] = (pid_t)v;
		errno = 0;
	}
	if (errno)
		return -errno;
	if (!sorted)
		qsort(t->pids, t->npids, sizeof(*t->pids), cmp_pid);
	return 0;
}

enum { LIST_FULL, LIST_NONE, LIST_PROBE };

/* Opens root/proc/name once into *fd and preads it into buf. */
static long read_kept_file(struct ht_proctable *t, int *fd, const char *name,
			   char *buf, size_t size)
{
	if (*fd < 0) {
		char path[4096 + 32];
		snprintf(path, sizeof(path), "%s/proc/%s", t->root, name);
		if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
	}
	return proc_pid_pread(*fd, buf, size);
}

/* Decides how this sample finds new processes.
 * - The "processes" line of root/proc/stat counts forks since boot (threads
 *   too). Unchanged since the previous look: no task was created, so there
 *   is no new process and no reused pid (exits show through the kept fds):
 *   LIST_NONE.
 * - Else, pids are handed out in increasing order until they wrap, and the
 *   last one is the fifth field of root/proc/loadavg: when it only moved up
 *   by a few, probing the pids in between costs less than listing every
 *   process: LIST_PROBE over (*lo, *hi]. A pid handed out out of order
 *   (ns_last_pid, clone3 set_tid) is then found by the next full listing.
 *   Only when root/proc/self is this process (loadavg's last pid is of
 *   the reader's pid namespace; a /proc of another one, such as the host's
 *   seen from a container, numbers pids differently).
 * - Else LIST_FULL; also at least every 10th sample, and on the first.
 *   processes 2912
 *   0.52 0.58 0.59 6/130 12600 */
static int plan_listing(struct ht_proctable *t, pid_t *lo, pid_t *hi)
{
	enum { MAX_UNLISTED = 9, STAT_TEXT = 1 << 16 };
	char buf[128];
	const char *p;
	int64_t forks = -1, last = -1, tasks;
	int64_t prev_forks = t->forks, prev_last = t->last_pid;
	long n;

	if (t->flags & HT_PT_LIST_ALWAYS)
		return LIST_FULL;
	if (!t->stat_text && !(t->stat_text = malloc(STAT_TEXT)))
		return LIST_FULL;
	n = read_kept_file(t, &t->stat_fd, "stat", t->stat_text, STAT_TEXT);
	if ((n > 0 || n == -EFBIG) && (p = strstr(t->stat_text, "\nprocesses ")))
		proc_pid_int(p + 11, &forks);
	if (read_kept_file(t, &t->loadavg_fd, "loadavg", buf, sizeof(buf)) > 0
	    && (p = strchr(buf, '/')) && (p = proc_pid_int(p + 1, &tasks)))
		proc_pid_int(p, &last);
	t->forks = forks;
	t->last_pid = last;
	if (forks < 0 || prev_forks < 0 || t->st.samples == 0 || t->unlisted >= MAX_UNLISTED)
		return LIST_FULL;
	if (forks == prev_forks) {
		t->unlisted++;
		return LIST_NONE;
	}
	if (t->probe_ok < 0) {
		char path[4096 + 16], link[32], me[32];
		ssize_t len;

		snprintf(path, sizeof(path), "%s/proc/self", t->root);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		len = readlink(path, link, sizeof(link) - 1);
		if (len > 0)
			link[len] = '\0';
		t->probe_ok = len > 0 && !strcmp(link, me);
	}
	if (!t->probe_ok || last < 0 || prev_last < 0 || last < prev_last
	    || (size_t)(last - prev_last) * 6 > t->live.n)
		return LIST_FULL;
	*lo = (pid_t)prev_last;
	*hi = (pid_t)last;
	t->unlisted++;
	return LIST_PROBE;
}


/* The pids of the table itself, merged with the pids in (lo, hi] that it
 * does not hold (none when lo == hi), ascending. */
static int list_known(struct ht_proctable *t, pid_t lo, pid_t hi)
{
	size_t need = t->live.n + (size_t)(hi - lo), i = 0, n = 0;
	pid_t c = lo + 1;

	if (ht_grow(t->pids, t->cap_pids, need))
		return -ENOMEM;
	while (i < t->live.n || c <= hi) {
		pid_t known = i < t->live.n ? t->live.v[i]->p.pid : 0;

		if (i < t->live.n && (c > hi || known <= c)) {
			t->pids[n++] = known;
			if (known == c)
				c++;
			i++;
		} else {
			t->pids[n++] = c++;
		}
	}
	t->npids = n;
	return 0;
}

struct ht_proctable *ht_proctable_new(const char *root, unsigned flags)
{
	struct ht_proctable *t = calloc(1, sizeof(*t));

	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	if (ht_path(t->root, sizeof(t->root), root, "")) {
		free(t);
		errno = ENAMETOOLONG;
		return NULL;
	}
	t->flags = flags;
	t->stat_fd = t->loadavg_fd = -1;
	t->probe_ok = -1;
	t->forks = t->last_pid = -1;
	t->files_per_proc = 1 + !!(flags & HT_PT_STATUS) + !!(flags & HT_PT_STAT);
	t->st.nofile_soft = t->st.nofile_hard = -1;
	set_limits(t);
	return t;
}

void ht_proctable_free(struct ht_proctable *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->live.n; i++)
		entry_free(t, t->live.v[i]);
	for (size_t i = 0; i < t->exited.n; i++)
		entry_free(t, t->exited.v[i]);
	free(t->live.v);
	free(t->exited.v);
	free(t->spare_live.v);
	free(t->spare_exited.v);
	free(t->pids);
	if (t->procdir)
		closedir(t->procdir);
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	if (t->loadavg_fd >= 0)
		close(t->loadavg_fd);
	free(t->stat_text);
	free(t);
}

/* Moves e to the exited list at now. */
static int retire(struct ht_proctable *t, struct vec *exited, struct entry *e, int64_t now)
{
	close_fds(t, e);
	e->p.flags |= HT_PROC_EXITED;
	e->p.flags &= ~(unsigned)HT_PROC_NEW;
	e->p.exit_ns = now;
	if (vec_push(exited, e)) {
		entry_free(t, e);
		return -ENOMEM;
	}
	return 0;
}

/* Whether a start time (clock ticks after boot, as in stat) is less than a
 * second ago: stat counts from CLOCK_BOOTTIME. */
static int is_young(int64_t start_time)
{
	static long hz;
	struct timespec ts;
	int64_t now_ticks;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	if (start_time < 0 || clock_gettime(CLOCK_BOOTTIME, &ts))
		return 1;
	now_ticks = (int64_t)ts.tv_sec * hz + (int64_t)ts.tv_nsec / (1000000000 / hz);
	return now_ticks - start_time < hz;
}

/* Counts a live process's fallback and EACCES as it goes into the table
 * (a pass of its own over 10,000 entries costs cache misses). */
static int push_live(struct ht_proctable *t, struct vec *live, struct entry *e)
{
	t->st.fallback += !!(e->p.flags & HT_PROC_FALLBACK);
	t->st.eacces += !!(e->p.missing & HT_PROC_EACCES);
	return vec_push(live, e);
}

/* Finds and reads a process first listed now. Returns 0 or -ENOMEM; a
 * process gone before its read is counted and dropped. */
static int discover(struct ht_proctable *t, struct vec *live, pid_t pid, int64_t now)
{
	struct entry *e = entry_new(pid);
	int r;

	if (!e)
		return -ENOMEM;
	r = read_via_dir(t, e, 1, now);
	if (t->mode == LIST_PROBE && (r != READ_OK || e->tgid != pid)) {
		/* A probed pid: nothing there, or a thread (its /proc/TID
		 * opens too, though readdir does not list it). */
		entry_free(t, e);
		return 0;
	}
	if (r != READ_OK) {
		t->st.vanished_midread++;
		entry_free(t, e);
		return 0;
	}
	e->p.flags |= HT_PROC_NEW;
	e->p.first_seen_ns = now;
	e->young = is_young(e->p.start_time);
	if (e->fd_statm < 0)
		e->p.flags |= HT_PROC_FALLBACK;
	if (push_live(t, live, e)) {
		entry_free(t, e);
		return -ENOMEM;
	}
	t->st.appeared++;
	return 0;
}

/* Reads a known process; moves it to exited if gone, and on pid reuse also
 * discovers the new process. */
static int refresh(struct ht_proctable *t, struct vec *live, struct vec *exited,
		   struct entry *e, int64_t now)
{
	int r;

	e->p.flags &= ~(unsigned)HT_PROC_NEW;
	e->p.missing &= ~(unsigned)HT_PROC_EACCES;
	if (e->fd_statm >= 0)
		r = read_kept(t, e, now);
	else
		r = read_via_dir(t, e, 0, now);
	if (r == READ_OK) {
		if (e->fd_statm >= 0)
			e->p.flags &= ~(unsigned)HT_PROC_FALLBACK;
		else
			e->p.flags |= HT_PROC_FALLBACK;
		return push_live(t, live, e) ? (entry_free(t, e), -ENOMEM) : 0;
	}
	pid_t pid = e->p.pid;
	t->st.exited++;
	if (retire(t, exited, e, now))
		return -ENOMEM;
	if (t->mode == LIST_NONE)	/* no task created: no pid reused */
		return 0;
	/* The pid is still listed: gone mid-read, or already reused by a new
	 * process (a kept fd fails with ESRCH then, whatever the start time). */
	size_t before = t->st.appeared;
	int err = discover(t, live, pid, now);
	if (!err && t->st.appeared > before)
		t->st.reused++;
	return err;
}

int ht_proctable_sample(struct ht_proctable *t)
{
	struct vec live = t->spare_live, exited = t->spare_exited;
	size_t i = 0, j = 0;
	int64_t now = ht_now_ns();
	int err;

	if (!t->procdir) {
		char path[4096 + 8];
		snprintf(path, sizeof(path), "%s/proc", t->root);
		if (!(t->procdir = opendir(path)))
			return -errno;
	}
	{
		pid_t lo = 0, hi = 0;

		t->mode = plan_listing(t, &lo, &hi);
		if (t->mode == LIST_FULL) {
			err = list_pids(t);
			t->unlisted = 0;
			if (err)
				t->forks = t->last_pid = -1;
		} else {
			err = list_known(t, lo, hi);
			if (t->mode == LIST_NONE)
				t->st.listings_skipped++;
			else
				t->st.listings_probed++;
		}
	}
	if (err)
		return err;
	set_limits(t);
	raise_nofile(t, t->npids);

	/* The previous sample's exited processes go now. */
	for (size_t k = 0; k < t->exited.n; k++)
		entry_free(t, t->exited.v[k]);
	t->exited.n = 0;
	t->st.appeared = t->st.exited = t->st.vanished_midread = 0;
	t->st.errors = 0;
	t->st.fallback = t->st.eacces = 0;

	/* Merge the sorted table with the sorted listing. */
	while (i < t->live.n || j < t->npids) {
		struct entry *e = i < t->live.n ? t->live.v[i] : NULL;
		pid_t listed = j < t->npids ? t->pids[j] : 0;

		if (e && (j == t->npids || e->p.pid < listed)) {
			t->st.exited++;
			i++;
			err = retire(t, &exited, e, now);
		} else if (e && e->p.pid == listed) {
			i++;
			j++;
			err = refresh(t, &live, &exited, e, now);
		} else {
			j++;
			err = discover(t, &live, listed, now);
		}
		if (err)
			break;
	}
	if (err) {
		/* Keep what was read; the rest of the old table stays as is. */
		for (; i < t->live.n; i++)
			if (push_live(t, &live, t->live.v[i]))
				entry_free(t, t->live.v[i]);
	}
	t->spare_live = t->live;
	t->spare_exited = t->exited;
	t->spare_live.n = t->spare_exited.n = 0;
	t->live = live;
	t->exited = exited;

	t->st.procs = t->live.n;
	t->st.samples++;
	t->st.sample_ns = now;
	return err;
}

size_t ht_proctable_count(const struct ht_proctable *t)
{
	return t->live.n;
}

const struct ht_proc *ht_proctable_at(const struct ht_proctable *t, size_t i)
{
	return i < t->live.n ? &t->live.v[i]->p : NULL;
}

static struct entry *find(const struct ht_proctable *t, pid_t pid)
{
	size_t lo = 0, hi = t->live.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		pid_t p = t->live.v[mid]->p.pid;
		if (p == pid)
			return t->live.v[mid];
		if (p < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct ht_proc *ht_proctable_find(const struct ht_proctable *t, pid_t pid)
{
	struct entry *e = find(t, pid);

	return e ? &e->p : NULL;
}

size_t ht_proctable_exited_count(const struct ht_proctable *t)
{
	return t->exited.n;
}

const struct ht_proc *ht_proctable_exited_at(const struct ht_proctable *t, size_t i)
{
	return i < t->exited.n ? &t->exited.v[i]->p : NULL;
}

/* Opens root/proc/PID of e and checks (by start time) that it is still e's
 * process. Returns the dir fd or -errno (-ESRCH for another process). */
static int open_checked(struct ht_proctable *t, const struct entry *e)
{
	char name[32];
	struct proc_pid_stat ps;
	int fd, pdir, err;

	snprintf(name, sizeof(name), "%d", (int)e->p.pid);
	pdir = openat(dirfd(t->procdir), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pdir < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	fd = open_at(pdir, "stat");
	err = fd < 0 ? fd : proc_pid_stat_read_fd(fd, &ps);
	if (fd >= 0)
		close(fd);
	if (!err && e->p.start_time >= 0 && ps.starttime != e->p.start_time)
		err = -ESRCH;
	if (err) {
		close(pdir);
		return err == -ENOENT ? -ESRCH : err;
	}
	return pdir;
}

const char *ht_proctable_cmdline(struct ht_proctable *t, const struct ht_proc *p)
{
	struct entry *e = p ? find(t, p->pid) : NULL;
	char *buf, *small;
	int pdir, fd, err;

	if (!e || &e->p != p) {
		errno = ENOENT;
		return NULL;
	}
	if (e->cmdline)
		return e->cmdline;
	if (e->p.flags & HT_PROC_KTHREAD)
		return e->cmdline = strdup("");
	if (!(buf = malloc(HT_PROC_CMDLINE_MAX))) {
		errno = ENOMEM;
		return NULL;
	}
	pdir = open_checked(t, e);
	if (pdir < 0) {
		free(buf);
		errno = -pdir;
		return NULL;
	}
	fd = open_at(pdir, "cmdline");
	err = fd < 0 ? fd : proc_pid_cmdline_read_fd(fd, buf, HT_PROC_CMDLINE_MAX);
	if (fd >= 0)
		close(fd);
	close(pdir);
	if (err) {
		free(buf);
		errno = err == -ENOENT ? ESRCH : -err;
		return NULL;
	}
	small = realloc(buf, strlen(buf) + 1);
	e->cmdline = small ? small : buf;
	return e->cmdline;
}

/* Opens name in the dir of the live process p (-ESRCH when p is gone or
 * its pid was reused). */
static int open_live(struct ht_proctable *t, const struct ht_proc *p, const char *name)
{
	struct entry *e = p ? find(t, p->pid) : NULL;
	int pdir, fd;

	if (!e || &e->p != p)
		return -ESRCH;
	pdir = open_checked(t, e);
	if (pdir < 0)
		return pdir;
	fd = open_at(pdir, name);
	close(pdir);
	return fd;
}

int ht_proctable_smaps_rollup(struct ht_proctable *t, const struct ht_proc *p,
			      struct proc_pid_smaps_rollup *out)
{
	int fd = open_live(t, p, "smaps_rollup"), err;

	*out = (struct proc_pid_smaps_rollup){ -1, -1, -1, -1, -1 };
	if (fd < 0)
		return fd;
	err = proc_pid_smaps_rollup_read_fd(fd, out);
	close(fd);
	return err;
}

int ht_proctable_smaps(struct ht_proctable *t, const struct ht_proc *p,
		       struct proc_pid_smaps *out)
{
	int fd = open_live(t, p, "smaps"), err;

	*out = (struct proc_pid_smaps){ 0 };
	if (fd < 0)
		return fd;
	err = proc_pid_smaps_read_fd(fd, out);
	close(fd);
	return err;
}

void ht_proctable_stats(const struct ht_proctable *t, struct ht_proctable_stats *out)
{
	*out = t->st;
}
