/* healthtap leaks: which processes (and cgroups, and the system) leak memory,
 * how fast, and when they reach their nearest limit.
 *
 * Live, it samples every process through the sampler for the window; with
 * -d it reads the series a recorder wrote. Each series is judged by
 * ht_leak_analyze() (runtime/ht_leak.h has the rules). The collection half
 * (leak_collect) is shared with healthtap check. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "fmt.h"
#include "leaks.h"
#include "out_csv.h"
#include "out_json.h"
#include "ht_counter.h"
#include "ht_sampler.h"
#include "ht_store.h"
#include "proc_pid_cgroup.h"
#include "proc_pid_file.h"
#include "proc_pid_limits.h"

#define MiB (1024.0 * 1024.0)

void leak_collect_opts_default(struct leak_collect_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->root = "";
	o->window_ms = 60000;
	o->interval_ms = 1000;
	ht_leak_opts_default(&o->lo);
}

static void errf(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static void item_free(struct leak_item *it)
{
	free(it->cmdline);
	free(it->cgroup);
	it->cmdline = it->cgroup = NULL;
}

void leak_report_free(struct leak_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs_items; i++)
		item_free(&r->procs[i]);
	for (size_t i = 0; i < r->ncgroups; i++)
		item_free(&r->cgroups[i]);
	item_free(&r->system);
	free(r->procs);
	free(r->cgroups);
	memset(r, 0, sizeof(*r));
}

static int by_rate_desc(const void *a, const void *b)
{
	double x = ((const struct leak_item *)a)->l.rate;
	double y = ((const struct leak_item *)b)->l.rate;

	if (isnan(x))
		return isnan(y) ? 0 : 1;
	if (isnan(y))
		return -1;
	return x > y ? -1 : x < y;
}

/* Fastest first. An empty list may be NULL, which qsort must not see. */
static void sort_by_rate(struct leak_item *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), by_rate_desc);
}

static int pid_wanted(const struct leak_collect_opts *o, pid_t pid)
{
	if (!o->npids)
		return 1;
	for (size_t i = 0; i < o->npids; i++)
		if (o->pids[i] == pid)
			return 1;
	return 0;
}

static struct leak_item *add_item(struct leak_item **arr, size_t *n, size_t *cap)
{
	struct leak_item *it;

	if (ht_grow(*arr, *cap, *n + 1))
		return NULL;
	it = &(*arr)[(*n)++];
	memset(it, 0, sizeof(*it));
	return it;
}

/* ---- live ---- */

struct cg_track {
	char *path;
	struct ht_series *s;
	int64_t max, current;
	pid_t rep;			/* a member of the latest sample */
};

struct pid_cg {
	pid_t pid;
	int64_t start_time;
	int cg;				/* index into the cgroup list; -1 none */
};

struct live {
	const struct leak_collect_opts *o;
	struct ht_sampler *s;
	struct cg_track *cgs;
	size_t ncgs, capcgs;
	struct pid_cg *map;
	size_t nmap;
	size_t history;
	int64_t t0_ns;
};

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int find_cg(struct live *lv, const char *path)
{
	struct cg_track *c;

	for (size_t i = 0; i < lv->ncgs; i++)
		if (strcmp(lv->cgs[i].path, path) == 0)
			return (int)i;
	if (lv->o->cgroup && strcmp(lv->o->cgroup, path) != 0)
		return -1;
	if (ht_grow(lv->cgs, lv->capcgs, lv->ncgs + 1))
		return -1;
	c = &lv->cgs[lv->ncgs];
	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	c->s = ht_series_new(lv->history);
	if (!c->path || !c->s) {
		free(c->path);
		ht_series_free(c->s);
		return -1;
	}
	c->max = c->current = -1;
	return (int)lv->ncgs++;
}

static int cmp_pid_cg(const void *a, const void *b)
{
	pid_t x = ((const struct pid_cg *)a)->pid, y = ((const struct pid_cg *)b)->pid;

	return x < y ? -1 : x > y;
}

/* After a sample: the cgroup of every process (read once per process), and
 * memory.current of every cgroup with a member, through one member. */
static int track_cgroups(struct live *lv, double t)
{
	size_t n = ht_sampler_nprocs(lv->s);
	struct pid_cg *map = malloc((n ? n : 1) * sizeof(*map));

	if (!map)
		return -ENOMEM;
	for (size_t i = 0; i < lv->ncgs; i++)
		lv->cgs[i].rep = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ht_proc *p = ht_sampler_proc(lv->s, i)->proc;
		struct pid_cg key = { .pid = p->pid }, *old;
		struct proc_pid_cgroup pc;
		char text[2048];

		map[i] = (struct pid_cg){ p->pid, p->start_time, -1 };
		old = lv->nmap ? bsearch(&key, lv->map, lv->nmap, sizeof(key), cmp_pid_cg) : NULL;
		if (old && old->start_time == p->start_time)
			map[i].cg = old->cg;
		else if (!(p->flags & HT_PROC_KTHREAD) &&
			 proc_pid_read_file(lv->o->root, p->pid, "cgroup", text,
					    sizeof(text)) > 0 &&
			 proc_pid_cgroup_parse(text, &pc) == 0 && pc.path[0])
			map[i].cg = find_cg(lv, pc.path);	/* one read, once */
		if (map[i].cg >= 0 && !lv->cgs[map[i].cg].rep)
			lv->cgs[map[i].cg].rep = p->pid;
	}
	free(lv->map);
	lv->map = map;
	lv->nmap = n;
	for (size_t i = 0; i < lv->ncgs; i++) {
		struct cg_track *c = &lv->cgs[i];
		struct proc_pid_cgroup pc;

		if (!c->rep || proc_pid_cgroup_read(lv->o->root, c->rep, &pc) ||
		    strcmp(pc.path, c->path) != 0)
			continue;
		c->max = pc.memory_max;
		c->current = pc.memory_current;
		if (pc.memory_current >= 0)
			ht_series_push(c->s, t, (double)pc.memory_current);
	}
	return 0;
}

static double proc_age(const char *root, const struct ht_proc *p)
{
	struct timespec ts;
	long tck = sysconf(_SC_CLK_TCK);

	if ((root && *root) || p->start_time < 0 || tck <= 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &ts))
		return NAN;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 - (double)p->start_time / (double)tck;
}

static struct ht_point *series_points(const struct ht_series *s, size_t *n)
{
	size_t cnt = ht_series_count(s);
	struct ht_point *pts = malloc((cnt ? cnt : 1) * sizeof(*pts));

	*n = 0;
	if (pts)
		*n = ht_series_copy(s, -INFINITY, pts, cnt);
	return pts;
}

static int live_sample_loop(struct live *lv, struct leak_report *r, char *err,
			    size_t errlen)
{
	const struct leak_collect_opts *o = lv->o;
	int64_t interval = o->interval_ms * 1000000LL, start, next;
	size_t want = (size_t)(o->window_ms / o->interval_ms) + 1;
	int tty = isatty(2), rc;
	struct sigaction sa = { .sa_handler = on_sigint }, old_int;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	interrupted = 0;
	start = next = ht_now_ns();
	/* samples on a fixed schedule until the window's end, the last one at
	 * or after it: a slow sample (a loaded host) costs samples, never
	 * stretches the window. The window starts after the first sample,
	 * which opens every process's files and is the slow one. */
	for (size_t k = 0; !interrupted; k++) {
		const struct ht_sys_snapshot *sys;
		int64_t end;

		rc = ht_sampler_sample(lv->s);
		if (rc) {
			errf(err, errlen, "cannot sample %s/proc: %s",
			     *o->root ? o->root : "", strerror(-rc));
			sigaction(SIGINT, &old_int, NULL);
			return rc;
		}
		sys = ht_sampler_system(lv->s);
		if (k == 0)
			lv->t0_ns = sys->mono_ns;
		r->samples++;
		if ((o->cgroups || o->cgroup) &&
		    track_cgroups(lv, (double)(sys->mono_ns - lv->t0_ns) / 1e9)) {
			errf(err, errlen, "out of memory");
			sigaction(SIGINT, &old_int, NULL);
			return -ENOMEM;
		}
		if (o->progress && k == 0 && !tty)
			fprintf(stderr, "healthtap: sampling %zu processes for %.1f s every %.0f ms\n",
				ht_sampler_nprocs(lv->s), o->window_ms / 1e3,
				(double)o->interval_ms);
		if (o->progress && tty)
			fprintf(stderr, "\rhealthtap: sampling %.0f s of %.0f s (%zu/%zu samples) ",
				(double)(ht_now_ns() - start) / 1e9, o->window_ms / 1e3,
				k + 1, want);
		if (k == 0)
			start = next = ht_now_ns();
		end = start + o->window_ms * 1000000LL;
		if (ht_now_ns() >= end || k + 1 >= lv->history)
			break;
		next += interval;
		if (next > end)
			next = end;
		ht_sleep_until(next);
	}
	sigaction(SIGINT, &old_int, NULL);
	r->interrupted = interrupted;
	if (o->progress)
		fprintf(stderr, "%shealthtap: %zu samples in %.1f s%s\n", tty ? "\r" : "",
			r->samples, (double)(ht_now_ns() - start) / 1e9,
			interrupted ? " (interrupted)" : "");
	return 0;
}

static int live_judge_procs(struct live *lv, struct leak_report *r)
{
	const struct leak_collect_opts *o = lv->o;
	const struct ht_sys_snapshot *sys = ht_sampler_system(lv->s);
	struct ht_proctable *table = ht_sampler_table(lv->s);
	size_t cap = 0, n = ht_sampler_nprocs(lv->s);

	for (size_t i = 0; i < n; i++) {
		const struct ht_proc_view *v = ht_sampler_proc(lv->s, i);
		const struct ht_proc *p = v->proc;
		struct ht_leak_subject subj;
		struct ht_point *pts;
		struct leak_item *it;
		size_t np;
		int rc;

		if ((p->flags & HT_PROC_KTHREAD) || !v->rss || ht_series_count(v->rss) == 0)
			continue;
		if (!*o->root && p->pid == getpid())
			continue;	/* our own sampling is not a leak */
		if (!pid_wanted(o, p->pid))
			continue;
		if (o->comm && strcmp(o->comm, p->comm) != 0)
			continue;
		r->nprocs++;
		pts = series_points(v->rss, &np);
		if (!pts)
			return -ENOMEM;
		ht_leak_subject_init(&subj);
		subj.age_s = proc_age(o->root, p);
		subj.current = p->rss;
		subj.anon = p->anon;
		subj.mem_available = sys->mem_available;
		subj.vsize = p->size;
		it = add_item(&r->procs, &r->nprocs_items, &cap);
		if (!it) {
			free(pts);
			return -ENOMEM;
		}
		it->kind = LEAK_PROC;
		it->pid = p->pid;
		it->selected = o->npids > 0;
		snprintf(it->comm, sizeof(it->comm), "%s", p->comm);
		rc = ht_leak_analyze(pts, np, &subj, &o->lo, &it->l);
		if (rc == 0 && (it->l.verdict == HT_LEAK_YES || ht_leak_positive(&it->l) ||
				it->selected || o->comm)) {
			/* worth the reads: its limits and command line */
			struct proc_pid_cgroup pc;
			struct proc_pid_limits pl;
			const char *cmd;

			if (proc_pid_cgroup_read(o->root, p->pid, &pc) == 0) {
				subj.cgroup_max = pc.memory_max;
				subj.cgroup_current = pc.memory_current;
			}
			if (proc_pid_limits_read(o->root, p->pid, &pl) == 0)
				subj.rlimit_as = pl.as_soft;
			rc = ht_leak_analyze(pts, np, &subj, &o->lo, &it->l);
			cmd = ht_proctable_cmdline(table, p);
			if (cmd && *cmd)
				it->cmdline = strdup(cmd);
			it->detailed = 1;
		}
		free(pts);
		if (rc)
			return rc;
	}
	sort_by_rate(r->procs, r->nprocs_items);
	return 0;
}

static int live_judge_system(struct live *lv, struct leak_report *r)
{
	const struct ht_sys_snapshot *sys = ht_sampler_system(lv->s);
	const struct ht_series *ms = ht_sampler_mem_series(lv->s);
	struct ht_leak_subject subj;
	struct ht_point *pts;
	size_t np;
	int rc;

	r->mem_total = sys->mem_total;
	r->mem_available = sys->mem_available;
	if (!ms || sys->mem_total < 0 || sys->mem_available < 0)
		return 0;
	pts = series_points(ms, &np);
	if (!pts)
		return -ENOMEM;
	for (size_t i = 0; i < np; i++)
		pts[i].v = (double)sys->mem_total - pts[i].v;	/* used */
	ht_leak_subject_init(&subj);
	subj.current = sys->mem_total - sys->mem_available;
	subj.mem_available = sys->mem_available;
	r->system.kind = LEAK_SYSTEM;
	rc = ht_leak_analyze(pts, np, &subj, &lv->o->lo, &r->system.l);
	r->have_system = rc == 0;
	free(pts);
	return rc;
}

static int live_judge_cgroups(struct live *lv, struct leak_report *r)
{
	size_t cap = 0;

	for (size_t i = 0; i < lv->ncgs; i++) {
		struct cg_track *c = &lv->cgs[i];
		struct ht_leak_subject subj;
		struct leak_item *it;
		struct ht_point *pts;
		size_t np;
		int rc;

		if (ht_series_count(c->s) == 0 || !c->rep)
			continue;
		pts = series_points(c->s, &np);
		it = pts ? add_item(&r->cgroups, &r->ncgroups, &cap) : NULL;
		if (!it || !(it->cgroup = strdup(c->path))) {
			free(pts);
			return -ENOMEM;
		}
		ht_leak_subject_init(&subj);
		subj.current = c->current;
		subj.cgroup_max = c->max;
		subj.cgroup_current = c->current;
		subj.mem_available = ht_sampler_system(lv->s)->mem_available;
		it->kind = LEAK_CGROUP;
		it->detailed = 1;
		rc = ht_leak_analyze(pts, np, &subj, &lv->o->lo, &it->l);
		free(pts);
		if (rc)
			return rc;
	}
	sort_by_rate(r->cgroups, r->ncgroups);
	return 0;
}

static int collect_live(const struct leak_collect_opts *o, struct leak_report *r,
			char *err, size_t errlen)
{
	struct ht_sampler_opts so;
	struct live lv = { .o = o };
	int rc;

	if (o->interval_ms <= 0 || o->window_ms < o->interval_ms) {
		errf(err, errlen, "the window must hold at least one interval");
		return -EINVAL;
	}
	ht_sampler_opts_default(&so);
	so.root = o->root;
	lv.history = (size_t)(o->window_ms / o->interval_ms) + 8;
	if (lv.history < 16)
		lv.history = 16;
	so.history = lv.history;
	so.sys_history = lv.history;
	lv.s = ht_sampler_new(&so);
	if (!lv.s) {
		errf(err, errlen, "cannot start the sampler: %s", strerror(errno));
		return -errno;
	}
	r->window_s = o->window_ms / 1e3;
	r->interval_s = o->interval_ms / 1e3;
	rc = live_sample_loop(&lv, r, err, errlen);
	if (rc == 0)
		rc = live_judge_procs(&lv, r);
	if (rc == 0)
		rc = live_judge_system(&lv, r);
	if (rc == 0)
		rc = live_judge_cgroups(&lv, r);
	if (rc && err && !*err)
		errf(err, errlen, "cannot judge the series: %s", strerror(-rc));
	for (size_t i = 0; i < lv.ncgs; i++) {
		free(lv.cgs[i].path);
		ht_series_free(lv.cgs[i].s);
	}
	free(lv.cgs);
	free(lv.map);
	ht_sampler_free(lv.s);
	return rc;
}

/* ---- a recorded DB ---- */

struct db_walk {
	const struct leak_collect_opts *o;
	struct ht_store *st;
	struct leak_report *r;
	size_t cap;
	int64_t first_ms, since_ms, until_ms, step_ms;
	int64_t first_proc_ms;		/* the first process sample recorded */
	int64_t *clock;			/* the host's sample times; NULL: a
					   grid of step_ms */
	size_t nclock;
	int64_t mem_available;
	int err;
};

static int db_proc(void *ctx, const struct ht_store_proc_info *info)
{
	struct db_walk *w = ctx;
	const struct leak_collect_opts *o = w->o;
	struct ht_store_proc_point *sp = NULL;
	struct ht_point *pts;
	struct ht_leak_subject subj;
	struct leak_item *it;
	size_t n = 0, np = 0;
	int64_t last_rss = -1, last_anon = -1;

	if (!pid_wanted(o, info->pid))
		return 0;
	if (ht_store_proc_series(w->st, info->id, w->since_ms, w->until_ms,
				 w->nclock ? 0 : w->step_ms, &sp, &n) || n == 0) {
		free(sp);
		return 0;
	}
	pts = malloc((n > w->nclock ? n : w->nclock) * sizeof(*pts));
	if (!pts) {
		free(sp);
		w->err = -ENOMEM;
		return 1;
	}
	if (w->nclock) {
		/* the stored changes, read at every sample time of the host:
		 * a value held between changes is there at each sample, and a
		 * stall of the recorder is a stall, not a held value */
		size_t j = 0;

		for (size_t k = 0; k < w->nclock; k++) {
			int64_t c = w->clock[k];

			if (c < sp[0].t_ms || c > sp[n - 1].t_ms)
				continue;
			while (j + 1 < n && sp[j + 1].t_ms <= c)
				j++;
			if (sp[j].rss < 0)
				continue;
			pts[np].t = (double)(c - w->since_ms) / 1e3;
			pts[np++].v = (double)sp[j].rss;
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			if (sp[i].rss < 0)
				continue;
			pts[np].t = (double)(sp[i].t_ms - w->since_ms) / 1e3;
			pts[np++].v = (double)sp[i].rss;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (sp[i].rss >= 0)
			last_rss = sp[i].rss;
		if (sp[i].anon >= 0)
			last_anon = sp[i].anon;
	}
	free(sp);
	if (np == 0) {
		free(pts);
		return 0;
	}
	ht_leak_subject_init(&subj);
	/* started while recording: its age is known; else it is older than
	 * the recording and the warm-up is long past */
	if (info->first_ms > w->first_proc_ms + 2 * w->step_ms)
		subj.age_s = (double)(w->until_ms - info->first_ms) / 1e3;
	subj.current = last_rss;
	subj.anon = last_anon;
	subj.mem_available = w->mem_available;
	it = add_item(&w->r->procs, &w->r->nprocs_items, &w->cap);
	if (!it) {
		free(pts);
		w->err = -ENOMEM;
		return 1;
	}
	w->r->nprocs++;
	it->kind = LEAK_PROC;
	it->pid = info->pid;
	it->selected = o->npids > 0;
	it->detailed = 1;
	snprintf(it->comm, sizeof(it->comm), "%s", info->comm ? info->comm : "");
	if (info->cmdline && *info->cmdline)
		it->cmdline = strdup(info->cmdline);
	w->err = ht_leak_analyze(pts, np, &subj, &o->lo, &it->l);
	free(pts);
	return w->err ? 1 : 0;
}

static int db_first_proc(void *ctx, const struct ht_store_proc_info *info)
{
	struct db_walk *w = ctx;

	if (info->first_ms < w->first_proc_ms)
		w->first_proc_ms = info->first_ms;
	return 0;
}

static int db_last(struct ht_store *st, const char *name, int64_t since, int64_t until,
		   int64_t step, struct ht_store_point **pts, size_t *n)
{
	int64_t id;

	*pts = NULL;
	*n = 0;
	if (ht_store_series_find(st, 0, name, "", &id))
		return -ENOENT;
	return ht_store_sys_series(st, id, since, until, step, pts, n);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The recorder's interval, guessed as the median gap between the stored
 * MemAvailable points (it changes at nearly every sample); 1 s if unknown. */
static int64_t recorded_interval(struct ht_store *st, int64_t since, int64_t until)
{
	struct ht_store_point *pts = NULL;
	size_t n = 0, m = 0;
	int64_t *gaps, med = 1000;

	if (db_last(st, HT_SYS_MEM_AVAILABLE, since, until, 0, &pts, &n) || n < 3) {
		free(pts);
		return med;
	}
	gaps = malloc(n * sizeof(*gaps));
	for (size_t i = 1; gaps && i < n; i++)
		if (pts[i].t_ms > pts[i - 1].t_ms)
			gaps[m++] = pts[i].t_ms - pts[i - 1].t_ms;
	if (gaps && m) {
		qsort(gaps, m, sizeof(*gaps), cmp_i64);
		med = gaps[m / 2];
	}
	free(gaps);
	free(pts);
	return med;
}

/* Every time in [since, until] at which the recorder stored anything (a
 * process or a system figure changed: with hundreds of processes, every
 * sample), thinned to about 4000. Returns 0 (*n may be 0: then read on a
 * grid), -ENOMEM or -EIO. */
static int sample_clock(struct ht_store *st, int64_t since, int64_t until,
			int64_t **out, size_t *n)
{
	size_t m, every, k = 0;
	int rc = ht_store_sample_times(st, since, until, out, &m);

	*n = 0;
	if (rc)
		return rc == -ENOMEM ? rc : -EIO;
	every = m / 4000 + 1;
	for (size_t i = 0; i < m; i++)
		if (i % every == 0 || i == m - 1)
			(*out)[k++] = (*out)[i];
	*n = m < 3 ? 0 : k;
	return 0;
}

static int collect_db(const struct leak_collect_opts *o, struct leak_report *r,
		      char *err, size_t errlen)
{
	struct ht_store_opts so;
	struct ht_store *st = NULL;
	struct ht_store_proc_filter f = { 0 };
	struct ht_store_point *avail = NULL, *total = NULL;
	size_t navail = 0, ntotal = 0;
	struct db_walk w = { .o = o, .r = r };
	char msg[256] = "";
	int64_t first, last;
	int rc;

	ht_store_opts_default(&so);
	so.path = o->db;
	so.flags = HT_STORE_READONLY;
	so.root = o->root;
	rc = ht_store_open(&so, &st, msg, sizeof(msg));
	if (rc) {
		errf(err, errlen, "cannot open %s: %s", o->db, *msg ? msg : strerror(-rc));
		return rc;
	}
	rc = ht_store_time_range(st, 0, &first, &last);
	if (rc) {
		errf(err, errlen, "%s holds no samples", o->db);
		goto cleanup;
	}
	r->from_db = 1;
	w.st = st;
	w.first_ms = first;
	w.until_ms = last;
	w.since_ms = o->window_ms > 0 && last - o->window_ms > first ? last - o->window_ms : first;
	w.step_ms = o->interval_ms > 0 ? o->interval_ms :
		    recorded_interval(st, w.since_ms, last);
	if (o->interval_ms <= 0 && w.step_ms < (last - w.since_ms) / 2000)
		w.step_ms = (last - w.since_ms) / 2000;	/* at most ~2000 points */
	if (w.step_ms < 100)
		w.step_ms = 100;
	r->window_s = (double)(last - w.since_ms) / 1e3;
	r->interval_s = (double)w.step_ms / 1e3;
	w.mem_available = -1;
	r->mem_total = r->mem_available = -1;
	if (db_last(st, HT_SYS_MEM_AVAILABLE, w.since_ms, w.until_ms, w.step_ms,
		    &avail, &navail) == 0 && navail)
		w.mem_available = r->mem_available = (int64_t)avail[navail - 1].v;
	if (db_last(st, HT_SYS_MEM_TOTAL, w.since_ms, w.until_ms, w.step_ms,
		    &total, &ntotal) == 0 && ntotal)
		r->mem_total = (int64_t)total[ntotal - 1].v;
	/* the host's sample times, thinned to about 4000 */
	if (o->interval_ms <= 0 && sample_clock(st, w.since_ms, w.until_ms, &w.clock,
						&w.nclock) == -ENOMEM) {
		rc = -ENOMEM;
		errf(err, errlen, "out of memory");
		goto cleanup;
	}
	/* processes there from the first sample are older than the recording */
	w.first_proc_ms = INT64_MAX;
	rc = ht_store_procs(st, NULL, db_first_proc, &w);
	if (rc < 0) {
		errf(err, errlen, "cannot read %s: %s", o->db, ht_store_error(st));
		goto cleanup;
	}
	f.since_ms = w.since_ms;
	f.until_ms = w.until_ms;
	f.name = o->comm;
	if (o->npids == 1)
		f.pid = o->pids[0];
	rc = ht_store_procs(st, &f, db_proc, &w);
	if (w.err) {
		rc = w.err;
		errf(err, errlen, "cannot judge the series: %s", strerror(-rc));
		goto cleanup;
	}
	if (rc < 0) {
		errf(err, errlen, "cannot read %s: %s", o->db, ht_store_error(st));
		goto cleanup;
	}
	rc = 0;
	sort_by_rate(r->procs, r->nprocs_items);
	/* the system: used = MemTotal - MemAvailable */
	if (navail && r->mem_total > 0) {
		struct ht_point *pts = malloc(navail * sizeof(*pts));
		struct ht_leak_subject subj;

		if (!pts) {
			rc = -ENOMEM;
			goto cleanup;
		}
		for (size_t i = 0; i < navail; i++) {
			pts[i].t = (double)(avail[i].t_ms - w.since_ms) / 1e3;
			pts[i].v = (double)r->mem_total - avail[i].v;
		}
		ht_leak_subject_init(&subj);
		subj.current = r->mem_total - r->mem_available;
		subj.mem_available = r->mem_available;
		r->system.kind = LEAK_SYSTEM;
		rc = ht_leak_analyze(pts, navail, &subj, &o->lo, &r->system.l);
		r->have_system = rc == 0;
		free(pts);
	}
cleanup:
	free(w.clock);
	free(avail);
	free(total);
	ht_store_close(st);
	return rc;
}

int leak_collect(const struct leak_collect_opts *o, struct leak_report *r,
		 char *err, size_t errlen)
{
	int rc;

	memset(r, 0, sizeof(*r));
	r->mem_total = r->mem_available = -1;
	if (err && errlen)
		*err = 0;
	rc = o->db ? collect_db(o, r, err, errlen) : collect_live(o, r, err, errlen);
	if (rc)
		leak_report_free(r);
	return rc;
}

/* ---- rendering ---- */

struct leaks_view {
	int all;			/* -a */
	int selected_only;		/* -p */
};

static int shown(const struct leaks_view *v, const struct leak_item *it)
{
	if (it->kind == LEAK_SYSTEM)
		return 1;
	if (v->selected_only)
		return it->kind == LEAK_PROC && it->selected;
	if (it->l.verdict == HT_LEAK_YES)
		return 1;
	return v->all && ht_leak_positive(&it->l);
}

static const char *item_name(const struct leak_item *it)
{
	switch (it->kind) {
	case LEAK_PROC: return it->cmdline ? it->cmdline : it->comm;
	case LEAK_CGROUP: return it->cgroup;
	case LEAK_SYSTEM: return "system";
	}
	return "";
}

static void table_details(FILE *out, const struct leak_item *it)
{
	const struct ht_leak *l = &it->l;
	char a[32], b[32], c[32], d[32], e[32], f[32];

	fprintf(out, "    %s (%s): %.0f B/s [%.0f, %.0f] B/s 95%% CI, R\xc2\xb2 %.3f, "
		"Mann-Kendall p %.2g, steps %s, %zu points over %s\n",
		ht_leak_verdict_name(l->verdict), ht_leak_reason_name(l->reason),
		l->rate, l->rate_lo, l->rate_hi, l->r2, l->mk_p,
		l->steps_excluded ? "excluded" : l->nsteps ? "kept" : "none",
		l->n, fmt_duration(a, sizeof(a), l->span_s));
	if (it->kind == LEAK_SYSTEM)
		fprintf(out, "    used %s, MemAvailable %s",
			fmt_bytes(a, sizeof(a), (double)l->current),
			fmt_bytes(b, sizeof(b), (double)l->headroom));
	else
		fprintf(out, "    %s %s, anon %s", it->kind == LEAK_CGROUP ? "memory.current" : "RSS",
			fmt_bytes(a, sizeof(a), (double)l->current),
			fmt_bytes(b, sizeof(b), (double)l->anon));
	if (l->limit_kind != HT_LIMIT_NONE && it->detailed)
		fprintf(out, "; nearest limit %s %s (%s left), reached in %s [%s, %s]\n",
			ht_leak_limit_name(l->limit_kind),
			fmt_bytes(c, sizeof(c), (double)l->limit_bytes),
			fmt_bytes(d, sizeof(d), (double)l->headroom),
			fmt_duration(e, sizeof(e), l->eta.point),
			fmt_duration(f, sizeof(f), l->eta.soonest),
			fmt_duration(a, sizeof(a), l->eta.latest));
	else
		fputc('\n', out);
}

static void table_item(FILE *out, const struct leak_item *it)
{
	const struct ht_leak *l = &it->l;
	char what[64], name[1024];

	if (l->verdict == HT_LEAK_YES)
		snprintf(what, sizeof(what), "is leaking %.0f B/s", l->rate);
	else if (l->rate > 0)
		snprintf(what, sizeof(what), "is growing %.0f B/s", l->rate);
	else if (isfinite(l->rate))
		snprintf(what, sizeof(what), "is not growing (%.0f B/s)", l->rate);
	else
		snprintf(what, sizeof(what), "has too few samples");
	fmt_visible(name, sizeof(name), item_name(it));
	if (it->kind == LEAK_PROC)
		fprintf(out, "Process %d %s (%s)\n", (int)it->pid, what, name);
	else if (it->kind == LEAK_CGROUP)
		fprintf(out, "Cgroup %s %s\n", name, what);
	else
		fprintf(out, "System memory %s\n", what);
	table_details(out, it);
}

static void render_table(FILE *out, const struct leak_report *r, const struct leaks_view *v)
{
	size_t shown_procs = 0;
	char w[32];

	fprintf(out, "healthtap leaks: %s, %s window, a point every %.0f ms, %zu processes\n",
		r->from_db ? "recorded DB" : "live",
		fmt_duration(w, sizeof(w), r->window_s), r->interval_s * 1e3,
		r->nprocs);
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (shown(v, &r->procs[i])) {
			table_item(out, &r->procs[i]);
			shown_procs++;
		}
	if (!shown_procs)
		fprintf(out, "no %s process\n", v->selected_only ? "such" :
			v->all ? "growing" : "leaking");
	for (size_t i = 0; i < r->ncgroups; i++)
		if (!v->selected_only && shown(v, &r->cgroups[i]))
			table_item(out, &r->cgroups[i]);
	if (r->have_system)
		table_item(out, &r->system);
}

static void json_item(struct out_json *j, const char *key, const struct leak_item *it)
{
	const struct ht_leak *l = &it->l;

	out_json_object(j, key);
	if (it->kind == LEAK_PROC) {
		out_json_int(j, "pid", it->pid);
		out_json_str(j, "comm", it->comm);
		out_json_str(j, "cmdline", it->cmdline ? it->cmdline : "");
	} else if (it->kind == LEAK_CGROUP) {
		out_json_str(j, "cgroup", it->cgroup);
	}
	out_json_str(j, "verdict", ht_leak_verdict_name(l->verdict));
	out_json_str(j, "reason", ht_leak_reason_name(l->reason));
	out_json_double(j, "rate_Bps", l->rate);
	out_json_double(j, "rate_lo_Bps", l->rate_lo);
	out_json_double(j, "rate_hi_Bps", l->rate_hi);
	out_json_double(j, "r2", l->r2);
	out_json_double(j, "mk_p", l->mk_p);
	out_json_bool(j, "steps_excluded", l->steps_excluded);
	out_json_uint(j, "steps", l->nsteps);
	out_json_double(j, "step_bytes", l->step_bytes);
	out_json_int(j, "current_B", l->current);
	out_json_int(j, "anon_B", l->anon);
	out_json_str(j, "limit", ht_leak_limit_name(l->limit_kind));
	out_json_int(j, "limit_B", l->limit_bytes);
	out_json_int(j, "headroom_B", l->headroom);
	out_json_double(j, "eta_s", l->eta.point);
	out_json_double(j, "eta_soonest_s", l->eta.soonest);
	out_json_double(j, "eta_latest_s", l->eta.latest);
	out_json_uint(j, "points", l->n);
	out_json_double(j, "span_s", l->span_s);
	out_json_end(j);
}

static void render_json(FILE *out, const struct leak_report *r, const struct leaks_view *v)
{
	struct ht_buf b = { 0 };
	struct out_json j;

	out_json_init(&j, &b);
	out_json_object(&j, NULL);
	out_json_str(&j, "source", r->from_db ? "db" : "live");
	out_json_double(&j, "window_s", r->window_s);
	out_json_double(&j, "interval_s", r->interval_s);
	out_json_uint(&j, "samples", r->samples);
	out_json_uint(&j, "processes_analysed", r->nprocs);
	out_json_array(&j, "processes");
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (shown(v, &r->procs[i]))
			json_item(&j, NULL, &r->procs[i]);
	out_json_end(&j);
	out_json_array(&j, "cgroups");
	for (size_t i = 0; i < r->ncgroups; i++)
		if (!v->selected_only && shown(v, &r->cgroups[i]))
			json_item(&j, NULL, &r->cgroups[i]);
	out_json_end(&j);
	if (r->have_system)
		json_item(&j, "system", &r->system);
	else
		out_json_null(&j, "system");
	out_json_end(&j);
	out_json_newline(&j);
	out_write(&b, out);
	ht_buf_free(&b);
}

static void csv_item(struct out_csv *c, const struct leak_item *it)
{
	const struct ht_leak *l = &it->l;
	static const char *const kinds[] = { "process", "cgroup", "system" };

	out_csv_word(c, kinds[it->kind]);
	if (it->kind == LEAK_PROC)
		out_csv_int(c, it->pid);
	else
		out_csv_str(c, it->kind == LEAK_CGROUP ? it->cgroup : "");
	out_csv_str(c, it->kind == LEAK_PROC ? it->comm : "");
	out_csv_word(c, ht_leak_verdict_name(l->verdict));
	out_csv_word(c, ht_leak_reason_name(l->reason));
	out_csv_double(c, l->rate);
	out_csv_double(c, l->rate_lo);
	out_csv_double(c, l->rate_hi);
	out_csv_double(c, l->r2);
	out_csv_double(c, l->mk_p);
	out_csv_int(c, l->steps_excluded);
	out_csv_int(c, (int64_t)l->nsteps);
	out_csv_double(c, l->step_bytes);
	out_csv_int(c, l->current);
	out_csv_int(c, l->anon);
	out_csv_word(c, ht_leak_limit_name(l->limit_kind));
	out_csv_int(c, l->limit_bytes);
	out_csv_int(c, l->headroom);
	out_csv_double(c, l->eta.point);
	out_csv_double(c, l->eta.soonest);
	out_csv_double(c, l->eta.latest);
	out_csv_int(c, (int64_t)l->n);
	out_csv_double(c, l->span_s);
	out_csv_str(c, it->kind == LEAK_PROC ? item_name(it) : "");
	out_csv_end(c);
}

static void render_csv(FILE *out, const struct leak_report *r, const struct leaks_view *v)
{
	struct ht_buf b = { 0 };
	struct out_csv c;

	out_csv_init(&c, &b);
	ht_buf_puts(&b, "kind,id,name,verdict,reason,rate_Bps,rate_lo_Bps,rate_hi_Bps,r2,mk_p,"
		    "steps_excluded,steps,step_bytes,current_B,anon_B,limit,limit_B,headroom_B,"
		    "eta_s,eta_soonest_s,eta_latest_s,points,span_s,cmdline\n");
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (shown(v, &r->procs[i]))
			csv_item(&c, &r->procs[i]);
	for (size_t i = 0; i < r->ncgroups; i++)
		if (!v->selected_only && shown(v, &r->cgroups[i]))
			csv_item(&c, &r->cgroups[i]);
	if (r->have_system)
		csv_item(&c, &r->system);
	out_write(&b, out);
	ht_buf_free(&b);
}

static const struct {
	const char *name;
	void (*render)(FILE *out, const struct leak_report *r, const struct leaks_view *v);
} renderers[] = {
	{ "table", render_table },
	{ "json", render_json },
	{ "csv", render_csv },
};

/* ---- the command ---- */

/* The default history DB, when a recorder has written to it in the last
 * 10 minutes (then it knows more than a live window could). */
static int recent_default_db(char *path, size_t len)
{
	struct ht_store_opts so;
	struct ht_store *st = NULL;
	struct timespec now;
	int64_t first, last;
	int ok;

	if (ht_default_db_path(path, len) || access(path, R_OK))
		return 0;
	ht_store_opts_default(&so);
	so.path = path;
	so.flags = HT_STORE_READONLY;
	if (ht_store_open(&so, &st, NULL, 0))
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	ok = ht_store_time_range(st, 0, &first, &last) == 0 &&
	     last >= (int64_t)now.tv_sec * 1000 - 600000;
	ht_store_close(st);
	return ok;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap leaks [-d DB] [-a] [-p PID]... [--window DURATION]\n"
		"                       [--interval DURATION] [--format table|json|csv]\n"
		"\n"
		"Says which processes leak memory: the growth rate (bytes/s) with its\n"
		"95%% confidence interval, R\xc2\xb2, the Mann-Kendall p-value, whether one-off\n"
		"steps were left out, RSS and anonymous memory, the nearest limit (system\n"
		"memory, the cgroup's memory.max, RLIMIT_AS) and when it is reached. Also a\n"
		"verdict per cgroup and one for the system (MemAvailable shrinking).\n"
		"Without -d it reads the default history DB when a recorder wrote to it in\n"
		"the last 10 minutes, else it samples every process for the window\n"
		"(progress on stderr).\n"
		"\n"
		"  -d, --db DB          judge the series recorded in DB (healthtap record)\n"
		"  -l, --live           sample live even when a recorder is running\n"
		"  -a, --all            every process with a positive trend, not only leaks\n"
		"  -p, --pid PID        only this process, whatever its verdict (repeatable)\n"
		"  -w, --window D       sample (or read the last) D (default 60s live, all of DB)\n"
		"  -i, --interval D     between samples (default 1s; DB: the step)\n"
		"  -f, --format F       table (default), json or csv\n"
		"      --min-age D      younger processes are not judged (default 60s)\n"
		"      --warmup D       a process's first D are not used (default 30s)\n"
		"      --min-growth B   less growth over the window is no leak (default 65536)\n"
		"      --no-cgroups     skip the per-cgroup verdicts\n"
		"      --root DIR       read DIR/proc and DIR/sys (for tests)\n"
		"  -h, --help           show this help\n"
		"\n"
		"Examples:\n"
		"  healthtap leaks                      sample 60 s, list confident leaks\n"
		"  healthtap leaks -a --window 10m      every growing process over 10 minutes\n"
		"  healthtap leaks -d /var/lib/healthtap/history.db --format json\n"
		"\n"
		"See healthtap-leaks(1) for the verdict rules.\n");
}

/* Options both leaks and check take; returns 1 when c was one of them,
 * 0 when not, or EXIT_USAGE after reporting. */
enum { OPT_MIN_AGE = 1000, OPT_WARMUP, OPT_MIN_GROWTH, OPT_NO_CGROUPS, OPT_ROOT,
       OPT_CGROUP };

static int parse_duration_opt(const char *cmd, const char *what, const char *arg,
			      int64_t *ms)
{
	if (ht_parse_duration_ms(arg, ms))
		return ht_usage_error(cmd, "bad %s '%s'", what, arg);
	return 0;
}

int cmd_leaks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "live", no_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "min-growth", required_argument, NULL, OPT_MIN_GROWTH },
		{ "no-cgroups", no_argument, NULL, OPT_NO_CGROUPS },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct leak_collect_opts co;
	struct leaks_view view = { 0 };
	struct leak_report rep;
	pid_t pids[64];
	size_t npids = 0, fmt = 0;
	int64_t ms, v;
	int c, window_set = 0, interval_set = 0, live = 0, rc;
	char err[512], dbpath[4096];

	leak_collect_opts_default(&co);
	co.cgroups = 1;
	co.progress = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:lap:w:i:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': co.db = optarg; break;
		case 'l': live = 1; break;
		case 'a': view.all = 1; break;
		case 'p':
			if (ht_parse_count(optarg, &v) || v <= 0 || v > INT32_MAX)
				return ht_usage_error("leaks", "bad pid '%s'", optarg);
			if (npids == sizeof(pids) / sizeof(pids[0]))
				return ht_usage_error("leaks", "too many -p");
			pids[npids++] = (pid_t)v;
			break;
		case 'w':
			if (parse_duration_opt("leaks", "window", optarg, &co.window_ms))
				return EXIT_USAGE;
			window_set = 1;
			break;
		case 'i':
			if (parse_duration_opt("leaks", "interval", optarg, &co.interval_ms))
				return EXIT_USAGE;
			if (co.interval_ms <= 0)
				return ht_usage_error("leaks", "the interval must be positive");
			interval_set = 1;
			break;
		case 'f':
			for (fmt = 0; fmt < sizeof(renderers) / sizeof(renderers[0]); fmt++)
				if (!strcmp(renderers[fmt].name, optarg))
					break;
			if (fmt == sizeof(renderers) / sizeof(renderers[0]))
				return ht_usage_error("leaks", "unknown format '%s'", optarg);
			break;
		case OPT_MIN_AGE:
			if (parse_duration_opt("leaks", "minimum age", optarg, &ms))
				return EXIT_USAGE;
			co.lo.min_age_s = ms / 1e3;
			break;
		case OPT_WARMUP:
			if (parse_duration_opt("leaks", "warm-up", optarg, &ms))
				return EXIT_USAGE;
			co.lo.warmup_s = ms / 1e3;
			break;
		case OPT_MIN_GROWTH:
			if (ht_parse_count(optarg, &v))
				return ht_usage_error("leaks", "bad byte count '%s'", optarg);
			co.lo.min_growth = (double)v;
			break;
		case OPT_NO_CGROUPS: co.cgroups = 0; break;
		case OPT_ROOT: co.root = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("leaks", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("leaks", "unexpected argument '%s'", argv[optind]);
	if (live && co.db)
		return ht_usage_error("leaks", "--live and -d exclude each other");
	if (!live && !co.db && !*co.root && recent_default_db(dbpath, sizeof(dbpath))) {
		co.db = dbpath;
		fprintf(stderr, "healthtap: reading %s, where a recorder writes "
			"(--live to sample instead)\n", dbpath);
	}
	if (co.db) {
		if (!window_set)
			co.window_ms = 0;
		if (!interval_set)
			co.interval_ms = 0;
	} else if (co.window_ms < co.interval_ms) {
		return ht_usage_error("leaks", "the window is shorter than the interval");
	}
	co.pids = pids;
	co.npids = npids;
	view.selected_only = npids > 0;
	rc = leak_collect(&co, &rep, err, sizeof(err));
	if (rc) {
		ht_err("%s", err);
		return 1;
	}
	renderers[fmt].render(stdout, &rep, &view);
	leak_report_free(&rep);
	return fflush(stdout) ? 1 : 0;
}

HT_COMMAND(leaks, cmd_leaks, "which processes leak memory, and when it runs out", 30)
