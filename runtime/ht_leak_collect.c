/* The leak collector (ht_leak_collect.h): live windows through the sampler
 * and ht_sched, recorded windows through ht_store's read API, each series
 * judged by ht_leak_analyze(). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ht_buf.h"
#include "ht_counter.h"
#include "ht_leak_collect.h"
#include "ht_proc_age.h"
#include "ht_restarts.h"
#include "proc_net_sock.h"
#include "ht_sampler.h"
#include "ht_sched.h"
#include "ht_store.h"
#include "proc_pid_limits.h"

void ht_leak_collect_opts_default(struct ht_leak_collect_opts *o)
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

static void item_free(struct ht_leak_item *it)
{
	free(it->cmdline);
	free(it->cgroup);
	free(it->owners);
	it->cmdline = it->cgroup = it->owners = NULL;
}

static void report_init(struct ht_leak_report *r)
{
	memset(r, 0, sizeof(*r));
	r->mem_total = r->mem_available = -1;
}

void ht_leak_report_free(struct ht_leak_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs_items; i++)
		item_free(&r->procs[i]);
	for (size_t i = 0; i < r->ncgroups; i++)
		item_free(&r->cgroups[i]);
	item_free(&r->system);
	for (size_t i = 0; i < r->nsockets; i++)
		item_free(&r->sockets[i]);
	for (size_t i = 0; i < r->ncommands; i++)
		item_free(&r->commands[i]);
	free(r->commands);
	free(r->procs);
	free(r->cgroups);
	free(r->kernel);
	free(r->slabs);
	free(r->sockets);
	report_init(r);
}

static int by_rate_desc(const void *a, const void *b)
{
	double x = ((const struct ht_leak_item *)a)->l.rate;
	double y = ((const struct ht_leak_item *)b)->l.rate;

	if (isnan(x))
		return isnan(y) ? 0 : 1;
	if (isnan(y))
		return -1;
	return x > y ? -1 : x < y;
}

/* Fastest first. An empty list may be NULL, which qsort must not see. */
static void sort_by_rate(struct ht_leak_item *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), by_rate_desc);
}

static int pid_wanted(const struct ht_leak_collect_opts *o, pid_t pid)
{
	if (!o->npids)
		return 1;
	for (size_t i = 0; i < o->npids; i++)
		if (o->pids[i] == pid)
			return 1;
	return 0;
}

/* A zeroed item at the end of *arr, or NULL when memory runs out. */
static struct ht_leak_item *add_item(struct ht_leak_item **arr, size_t *n, size_t *cap)
{
	struct ht_leak_item *it;

	if (ht_grow(*arr, *cap, *n + 1))
		return NULL;
	it = &(*arr)[(*n)++];
	memset(it, 0, sizeof(*it));
	return it;
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

/* ---- judging what a sampler holds ---- */

/* A process's age from its start time (clock ticks since boot) against
 * CLOCK_BOOTTIME; NAN when unknown (a fixture tree has another boot). */
static double proc_age(const char *root, const struct ht_proc *p)
{
	struct timespec ts;
	long tck = sysconf(_SC_CLK_TCK);

	if ((root && *root) || p->start_time < 0 || tck <= 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &ts))
		return NAN;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9 - (double)p->start_time / (double)tck;
}

/* The process's nearest limits as the snapshot knows them: its cgroup's
 * memory.max, and RLIMIT_AS (read here: only for the processes worth it). */
static void proc_limits(const char *root, const struct ht_proc_view *v,
			struct ht_leak_subject *subj)
{
	struct proc_pid_limits pl;

	if (v->cgroup) {
		subj->cgroup_max = v->cgroup->memory_max;
		subj->cgroup_current = v->cgroup->memory_current;
	}
	if (proc_pid_limits_read(root, v->proc->pid, &pl) == 0)
		subj->rlimit_as = pl.as_soft;
}

static int proc_selected(const struct ht_leak_collect_opts *o, const struct ht_proc *p)
{
	if (p->flags & HT_PROC_KTHREAD)
		return 0;
	if (!*o->root && p->pid == getpid())
		return 0;	/* our own sampling is not a leak */
	if (!pid_wanted(o, p->pid))
		return 0;
	return !o->comm || strcmp(o->comm, p->comm) == 0;
}

/* A process whose RSS is no leak may still leak address space (mmap'd,
 * never touched): its VmSize series judged by the same rules, against
 * RLIMIT_AS only (the system and its cgroup count resident memory). */
static int judge_address_space(const struct ht_leak_collect_opts *o,
			       const struct ht_proc_view *v, struct ht_leak_item *it)
{
	struct ht_leak_subject subj;
	struct ht_point *pts;
	size_t np;
	int rc;

	if (it->l.verdict == HT_LEAK_YES || !v->size || ht_series_count(v->size) < 3)
		return 0;
	pts = series_points(v->size, &np);
	if (!pts)
		return -ENOMEM;
	ht_leak_subject_init(&subj);
	subj.age_s = proc_age(o->root, v->proc);
	subj.current = subj.vsize = v->proc->size;
	proc_limits(o->root, v, &subj);
	subj.cgroup_max = subj.cgroup_current = -1;
	rc = ht_leak_analyze(pts, np, &subj, &o->lo, &it->as);
	it->as_judged = rc == 0;
	free(pts);
	return rc;
}

static int judge_proc(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
		      const struct ht_proc_view *v, struct ht_leak_report *r, size_t *cap)
{
	const struct ht_sys_snapshot *sys = ht_sampler_system(s);
	const struct ht_proc *p = v->proc;
	struct ht_leak_subject subj;
	struct ht_leak_item *it;
	struct ht_point *pts;
	size_t np;
	int rc;

	pts = series_points(v->rss, &np);
	if (!pts)
		return -ENOMEM;
	r->nprocs++;
	ht_leak_subject_init(&subj);
	subj.age_s = proc_age(o->root, p);
	subj.current = p->rss;
	subj.anon = p->anon;
	subj.mem_available = sys->mem_available;
	subj.vsize = p->size;
	it = add_item(&r->procs, &r->nprocs_items, cap);
	if (!it) {
		free(pts);
		return -ENOMEM;
	}
	it->kind = HT_LEAK_PROC;
	it->pid = p->pid;
	it->start_time = p->start_time;
	it->selected = o->npids > 0;
	snprintf(it->comm, sizeof(it->comm), "%s", p->comm);
	rc = ht_leak_analyze(pts, np, &subj, &o->lo, &it->l);
	if (rc == 0 && (it->l.verdict == HT_LEAK_YES || ht_leak_positive(&it->l) ||
			it->selected || o->comm)) {
		/* worth the reads: its limits and command line */
		const char *cmd;

		proc_limits(o->root, v, &subj);
		rc = ht_leak_analyze(pts, np, &subj, &o->lo, &it->l);
		cmd = ht_proctable_cmdline(ht_sampler_table(s), p);
		if (cmd && *cmd && !(it->cmdline = strdup(cmd)))
			rc = -ENOMEM;
		it->detailed = 1;
	}
	free(pts);
	if (rc == 0)
		rc = judge_address_space(o, v, it);
	if (rc == 0 && it->as_judged && it->as.verdict == HT_LEAK_YES && !it->cmdline) {
		const char *cmd = ht_proctable_cmdline(ht_sampler_table(s), p);

		if (cmd && *cmd && !(it->cmdline = strdup(cmd)))
			rc = -ENOMEM;
		it->detailed = 1;
	}
	return rc;
}

static int judge_procs(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
		       struct ht_leak_report *r)
{
	size_t cap = 0, n = ht_sampler_nprocs(s);

	for (size_t i = 0; i < n; i++) {
		const struct ht_proc_view *v = ht_sampler_proc(s, i);
		int rc;

		if (!proc_selected(o, v->proc) || !v->rss || ht_series_count(v->rss) == 0)
			continue;
		rc = judge_proc(s, o, v, r, &cap);
		if (rc)
			return rc;
	}
	sort_by_rate(r->procs, r->nprocs_items);
	return 0;
}

/* The system's used memory, MemTotal - MemAvailable. */
static int judge_system(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
			struct ht_leak_report *r)
{
	const struct ht_sys_snapshot *sys = ht_sampler_system(s);
	const struct ht_series *ms = ht_sampler_mem_series(s);
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
	r->system.kind = HT_LEAK_SYSTEM;
	rc = ht_leak_analyze(pts, np, &subj, &o->lo, &r->system.l);
	r->have_system = rc == 0;
	free(pts);
	return rc;
}

/* One kernel subject: its series against MemAvailable (the limit a
 * kernel figure grows into: the ETA is when MemAvailable runs out at its
 * rate). */
static int judge_kernel_series(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
			       const struct ht_series *ser, int64_t current,
			       struct ht_leak *out)
{
	struct ht_leak_subject subj;
	struct ht_point *pts;
	size_t np;
	int rc;

	pts = series_points(ser, &np);
	if (!pts)
		return -ENOMEM;
	ht_leak_subject_init(&subj);
	subj.current = current;
	subj.mem_available = ht_sampler_system(s)->mem_available;
	rc = ht_leak_analyze(pts, np, &subj, &o->lo, out);
	free(pts);
	return rc;
}

struct owners {
	struct ht_sampler *s;
	struct ht_leak_item *items;
	size_t n;
};

static int add_owner(void *ctx, pid_t pid, uint64_t inode)
{
	struct owners *w = ctx;
	const struct ht_proc_view *v = ht_sampler_find(w->s, pid);

	for (size_t i = 0; i < w->n; i++) {
		struct ht_leak_item *it = &w->items[i];
		char one[128], *grown;
		size_t had;
		if (it->inode != inode)
			continue;
		snprintf(one, sizeof(one), "%d (%s)", (int)pid, v ? v->proc->comm : "?");
		had = it->owners ? strlen(it->owners) : 0;
		grown = realloc(it->owners, had + strlen(one) + 3);
		if (!grown)
			return -ENOMEM;
		snprintf(grown + had, strlen(one) + 3, "%s%s", had ? ", " : "", one);
		it->owners = grown;
	}
	return 0;
}

/* Kernel memory figures, slab caches and socket queues. */
static int judge_kernel(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
			struct ht_leak_report *r)
{
	const struct ht_sys_snapshot *sys = ht_sampler_system(s);
	size_t cap = 0, capsl = 0, capso = 0;
	struct ht_leak_item *it;
	struct ht_leak tmp;
	uint64_t *inodes;
	struct owners w;
	int rc;

	for (size_t i = 0; i < HT_KMEM_FIELDS; i++) {
		const struct ht_series *ser = ht_sampler_kmem_series(s, i);
		if (ht_kmem_value(sys, i) < 0 || !ser || ht_series_count(ser) == 0)
			continue;
		if (!(it = add_item(&r->kernel, &r->nkernel, &cap)))
			return -ENOMEM;
		it->kind = HT_LEAK_KERNEL;
		it->detailed = 1;	/* its limit: MemAvailable */
		snprintf(it->name, sizeof(it->name), "%s", ht_kmem_fields[i].name);
		if ((rc = judge_kernel_series(s, o, ser, ht_kmem_value(sys, i), &it->l)))
			return rc;
	}
	for (size_t i = 0; i < ht_sampler_nslab_views(s); i++) {
		const struct ht_slab_view *v = ht_sampler_slab_view(s, i);
		struct ht_point last;
		if (!v->bytes || ht_series_get(v->bytes, ht_series_count(v->bytes) - 1, &last))
			continue;
		if ((rc = judge_kernel_series(s, o, v->bytes, (int64_t)last.v, &tmp)))
			return rc;
		r->nslabs_judged++;
		if (!ht_leak_positive(&tmp) && tmp.verdict != HT_LEAK_YES)
			continue;
		if (!(it = add_item(&r->slabs, &r->nslabs, &capsl)))
			return -ENOMEM;
		it->kind = HT_LEAK_SLAB;
		it->detailed = 1;
		snprintf(it->name, sizeof(it->name), "%s", v->name);
		it->l = tmp;
	}
	sort_by_rate(r->slabs, r->nslabs);
	for (size_t i = 0; i < ht_sampler_nsocks(s); i++) {
		const struct ht_sock_view *v = ht_sampler_sock(s, i);
		struct ht_leak_subject subj;
		struct ht_point *pts;
		size_t np;
		pts = series_points(v->queue, &np);
		if (!pts)
			return -ENOMEM;
		ht_leak_subject_init(&subj);
		subj.current = v->sock.rx_queue + v->sock.tx_queue;
		subj.mem_available = sys->mem_available;
		rc = ht_leak_analyze(pts, np, &subj, &o->lo, &tmp);
		free(pts);
		if (rc)
			return rc;
		r->nsockets_judged++;
		if (!ht_leak_positive(&tmp) && tmp.verdict != HT_LEAK_YES)
			continue;
		if (!(it = add_item(&r->sockets, &r->nsockets, &capso)))
			return -ENOMEM;
		it->kind = HT_LEAK_SOCKET;
		it->detailed = 1;
		it->inode = v->sock.inode;
		snprintf(it->name, sizeof(it->name), "%s %s%s%s",
			 proc_sock_proto_name(v->sock.proto), v->sock.local,
			 strcmp(v->sock.remote, "0.0.0.0:0") && strncmp(v->sock.remote, "[0000:", 6) ?
			 " -> " : "",
			 strcmp(v->sock.remote, "0.0.0.0:0") && strncmp(v->sock.remote, "[0000:", 6) ?
			 v->sock.remote : "");
		it->l = tmp;
	}
	sort_by_rate(r->sockets, r->nsockets);
	if (!r->nsockets)
		return 0;
	/* who holds them: one walk of every process's fds */
	inodes = malloc(r->nsockets * sizeof(*inodes));
	if (!inodes)
		return -ENOMEM;
	for (size_t i = 0; i < r->nsockets; i++)
		inodes[i] = r->sockets[i].inode;
	w = (struct owners){ s, r->sockets, r->nsockets };
	rc = proc_sock_owners(o->root, inodes, r->nsockets, add_owner, &w);
	free(inodes);
	return rc == -ENOMEM ? rc : 0;
}

int ht_leak_judge_sampler(struct ht_sampler *s, const struct ht_leak_collect_opts *o,
			  struct ht_leak_report *r)
{
	int rc;

	if (!r)
		return -EINVAL;
	report_init(r);
	if (!s || !o)
		return -EINVAL;
	r->samples = (size_t)ht_sampler_system(s)->samples;
	rc = judge_procs(s, o, r);
	if (rc == 0)
		rc = judge_system(s, o, r);
	if (rc == 0 && o->kernel)
		rc = judge_kernel(s, o, r);
	if (rc)
		ht_leak_report_free(r);
	return rc;
}

/* ---- live ---- */

/* A cgroup's memory.current over the window (the sampler keeps no cgroup
 * history). */
struct cg_track {
	char *path;
	struct ht_series *s;
	int64_t max, current;
	int64_t read_ns;		/* the sampler's reading last pushed */
	int present;			/* has members in the latest sample */
};

struct live {
	const struct ht_leak_collect_opts *o;
	struct ht_sampler *s;
	struct ht_leak_report *r;
	struct cg_track *cgs;
	size_t ncgs, capcgs;
	size_t history, want;
	int64_t t0_ns;			/* the first sample's time */
	int64_t origin_ns;		/* when the first sample ended */
	int rc;
	char *err;
	size_t errlen;
};

static struct cg_track *find_cg(struct live *lv, const char *path)
{
	struct cg_track *c;

	for (size_t i = 0; i < lv->ncgs; i++)
		if (strcmp(lv->cgs[i].path, path) == 0)
			return &lv->cgs[i];
	if (ht_grow(lv->cgs, lv->capcgs, lv->ncgs + 1))
		return NULL;
	c = &lv->cgs[lv->ncgs];
	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	c->s = ht_series_new(lv->history);
	if (!c->path || !c->s) {
		free(c->path);
		ht_series_free(c->s);
		return NULL;
	}
	c->max = c->current = -1;
	lv->ncgs++;
	return c;
}

/* After a sample: memory.current of every cgroup with a member, as the
 * sampler read it (once for all its members). */
static int track_cgroups(struct live *lv, double t)
{
	size_t n = ht_sampler_ncgroups(lv->s);

	for (size_t i = 0; i < lv->ncgs; i++)
		lv->cgs[i].present = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ht_cgroup_view *v = ht_sampler_cgroup(lv->s, i);
		struct cg_track *c;

		if (lv->o->cgroup && strcmp(lv->o->cgroup, v->path) != 0)
			continue;
		if (!v->nprocs || v->memory_current < 0)
			continue;	/* the root cgroup has no memory.current */
		c = find_cg(lv, v->path);
		if (!c)
			return -ENOMEM;
		c->present = 1;
		c->max = v->memory_max;
		c->current = v->memory_current;
		if (v->read_ns != c->read_ns)
			ht_series_push(c->s, t, (double)v->memory_current);
		c->read_ns = v->read_ns;
	}
	return 0;
}

static void live_progress(struct live *lv, int done)
{
	struct ht_leak_progress p;
	int64_t now = ht_now_ns();

	if (!lv->o->progress)
		return;
	p.samples = lv->r->samples;
	p.want = lv->want;
	p.elapsed_s = lv->origin_ns ? (double)(now - lv->origin_ns) / 1e9 : 0;
	p.window_s = (double)lv->o->window_ms / 1e3;
	p.interval_s = (double)lv->o->interval_ms / 1e3;
	p.nprocs = ht_sampler_nprocs(lv->s);
	p.done = done;
	lv->o->progress(lv->o->ctx, &p);
}

static int live_tick(void *ctx, const struct ht_sched_tick *t)
{
	struct live *lv = ctx;
	const struct ht_sys_snapshot *sys;
	int rc = ht_sampler_sample(lv->s);

	if (rc) {
		errf(lv->err, lv->errlen, "cannot sample %s/proc: %s",
		     lv->o->root, strerror(-rc));
		lv->rc = rc;
		return 1;
	}
	sys = ht_sampler_system(lv->s);
	if (t->seq == 1)
		lv->t0_ns = sys->mono_ns;
	lv->r->samples++;
	if ((lv->o->cgroups || lv->o->cgroup) &&
	    track_cgroups(lv, (double)(sys->mono_ns - lv->t0_ns) / 1e9)) {
		errf(lv->err, lv->errlen, "out of memory");
		lv->rc = -ENOMEM;
		return 1;
	}
	if (t->seq == 1)
		lv->origin_ns = ht_now_ns();
	live_progress(lv, 0);
	/* the history is full: the window ends here */
	return lv->r->samples + 1 >= lv->history;
}

static int live_stop(void *ctx)
{
	struct live *lv = ctx;

	return lv->o->should_stop && lv->o->should_stop(lv->o->ctx);
}

/* Samples on ht_sched's schedule until the window's end, the last sample
 * at it: a slow sample (a loaded host) costs samples, never stretches the
 * window. The window starts after the first sample, which opens every
 * process's files and is the slow one. */
static int live_sample(struct live *lv)
{
	struct ht_sched_opts so;
	struct ht_sched_stats st;

	ht_sched_opts_default(&so);
	so.interval_ns = lv->o->interval_ms * 1000000;
	so.run_ns = lv->o->window_ms * 1000000;
	so.tick_at_end = 1;
	so.ctx = lv;
	so.tick = live_tick;
	so.should_stop = live_stop;
	ht_sched_run(&so, &st);
	lv->r->interrupted = st.end == HT_SCHED_STOPPED;
	live_progress(lv, 1);
	return lv->rc;
}

static int judge_cgroups(struct live *lv)
{
	struct ht_leak_report *r = lv->r;
	size_t cap = 0;

	for (size_t i = 0; i < lv->ncgs; i++) {
		struct cg_track *c = &lv->cgs[i];
		struct ht_leak_subject subj;
		struct ht_leak_item *it;
		struct ht_point *pts;
		size_t np;
		int rc;

		if (ht_series_count(c->s) == 0 || !c->present)
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
		it->kind = HT_LEAK_CGROUP;
		it->detailed = 1;
		rc = ht_leak_analyze(pts, np, &subj, &lv->o->lo, &it->l);
		free(pts);
		if (rc)
			return rc;
	}
	sort_by_rate(r->cgroups, r->ncgroups);
	return 0;
}

static int live_check(const struct ht_leak_collect_opts *o, char *err, size_t errlen)
{
	if (o->interval_ms <= 0 || o->window_ms < o->interval_ms) {
		errf(err, errlen, "the window must hold at least one interval");
		return -EINVAL;
	}
	if (o->window_ms > HT_LEAK_MAX_WINDOW_MS ||
	    o->window_ms / o->interval_ms > HT_LEAK_MAX_SAMPLES) {
		errf(err, errlen, "a live window is at most a day and %d samples "
		     "(record, then read the DB, for longer)", HT_LEAK_MAX_SAMPLES);
		return -EINVAL;
	}
	return 0;
}

static int collect_live(const struct ht_leak_collect_opts *o, struct ht_leak_report *r,
			char *err, size_t errlen)
{
	struct ht_sampler_opts so;
	struct live lv = { .o = o, .r = r, .err = err, .errlen = errlen };
	int rc = live_check(o, err, errlen);

	if (rc)
		return rc;
	ht_sampler_opts_default(&so);
	so.root = o->root;
	so.cgroups = 1;			/* every process's cgroup: its limit */
	so.cgroup_refresh_ms = 1;	/* memory.current at every sample */
	so.kernel = o->kernel;
	lv.want = (size_t)(o->window_ms / o->interval_ms) + 1;
	lv.history = lv.want + 8 < 16 ? 16 : lv.want + 8;
	so.history = lv.history;
	so.sys_history = lv.history;
	lv.s = ht_sampler_new(&so);
	if (!lv.s) {
		rc = -errno;
		errf(err, errlen, "cannot start the sampler: %s", strerror(errno));
		return rc;
	}
	r->window_s = (double)o->window_ms / 1e3;
	r->interval_s = (double)o->interval_ms / 1e3;
	rc = live_sample(&lv);
	if (rc == 0)
		rc = judge_procs(lv.s, o, r);
	if (rc == 0)
		rc = judge_system(lv.s, o, r);
	if (rc == 0)
		rc = judge_cgroups(&lv);
	if (rc == 0 && o->kernel)
		rc = judge_kernel(lv.s, o, r);
	if (rc && err && !*err)
		errf(err, errlen, "cannot judge the series: %s", strerror(-rc));
	for (size_t i = 0; i < lv.ncgs; i++) {
		free(lv.cgs[i].path);
		ht_series_free(lv.cgs[i].s);
	}
	free(lv.cgs);
	ht_sampler_free(lv.s);
	return rc;
}

/* ---- a recorded DB ---- */

struct db_walk {
	const struct ht_leak_collect_opts *o;
	struct ht_store *st;
	struct ht_leak_report *r;
	size_t cap;
	int64_t first_ms, since_ms, until_ms, step_ms;
	int64_t *clock;			/* the host's sample times; NULL: a
					   grid of step_ms */
	size_t nclock;
	int64_t mem_available;
	struct ht_proc_ages ages;	/* real ages from start times */
	struct ht_restarts lives;	/* every process, for restart loops */
	int err;
};

/* The stored changes of a process as points: read at every sample time of
 * the host when the clock is known (a value held between changes is there
 * at each sample, and a stall of the recorder is a stall, not a held
 * value), else as they come on the step grid. Returns the count. */
static size_t db_points(const struct db_walk *w, const struct ht_store_proc_point *sp,
			size_t n, struct ht_point *pts)
{
	size_t np = 0, j = 0;

	if (!w->nclock) {
		for (size_t i = 0; i < n; i++)
			if (sp[i].rss >= 0)
				pts[np++] = (struct ht_point){
					(double)(sp[i].t_ms - w->since_ms) / 1e3, (double)sp[i].rss };
		return np;
	}
	for (size_t k = 0; k < w->nclock; k++) {
		int64_t c = w->clock[k];

		if (c < sp[0].t_ms || c > sp[n - 1].t_ms)
			continue;
		while (j + 1 < n && sp[j + 1].t_ms <= c)
			j++;
		if (sp[j].rss >= 0)
			pts[np++] = (struct ht_point){ (double)(c - w->since_ms) / 1e3,
						       (double)sp[j].rss };
	}
	return np;
}

static int db_proc(void *ctx, const struct ht_store_proc_info *info)
{
	struct db_walk *w = ctx;
	const struct ht_leak_collect_opts *o = w->o;
	struct ht_store_proc_point *sp = NULL;
	struct ht_point *pts;
	struct ht_leak_subject subj;
	struct ht_leak_item *it;
	size_t n = 0, np;
	int64_t last_rss = -1, last_anon = -1, peak = -1;

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
	np = db_points(w, sp, n, pts);
	for (size_t i = 0; i < n; i++) {
		if (sp[i].rss >= 0)
			last_rss = sp[i].rss;
		if (sp[i].rss_max > peak)
			peak = sp[i].rss_max;
		if (sp[i].rss > peak)
			peak = sp[i].rss;
		if (sp[i].anon >= 0)
			last_anon = sp[i].anon;
	}
	free(sp);
	if (np == 0) {
		free(pts);
		return 0;
	}
	ht_leak_subject_init(&subj);
	/* its real age from its start time; failing that (a boot whose start
	 * is not known), started while recording: known from its first
	 * sample; else older than the recording, the warm-up long past */
	/* at its last sample: an ended process's series ends there */
	subj.age_s = ht_proc_age(&w->ages, info, info->last_ms < w->until_ms ?
				 info->last_ms : w->until_ms);
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
	it->kind = HT_LEAK_PROC;
	it->pid = info->pid;
	it->start_time = info->start_time;
	it->selected = o->npids > 0;
	it->detailed = 1;
	snprintf(it->comm, sizeof(it->comm), "%s", info->comm ? info->comm : "");
	if (info->cmdline && *info->cmdline && !(it->cmdline = strdup(info->cmdline)))
		w->err = -ENOMEM;
	if (!w->err)
		w->err = ht_leak_analyze(pts, np, &subj, &o->lo, &it->l);
	free(pts);
	if (!w->err) {
		struct ht_restart_life life = {
			.first_ms = info->first_ms, .last_ms = info->last_ms,
			.ended = info->ended && info->last_ms < w->until_ms, .peak = peak,
			.last_rss = last_rss, .rate = it->l.rate, .grew = ht_leak_positive(&it->l),
			.pid = info->pid,
		};
		w->err = ht_restarts_add(&w->lives, info->cmdline && *info->cmdline ?
					 info->cmdline : info->comm, info->comm, &life);
	}
	return w->err ? 1 : 0;
}

/* The OOM killer's victims in the window (host-wide), -1 unknown. */
static int64_t db_oom_kills(struct db_walk *w)
{
	struct ht_store_point *p = NULL;
	size_t n = 0;
	int64_t id, kills = -1;

	if (ht_store_series_find(w->st, 0, "oom_kills", "", &id) == 0 &&
	    ht_store_sys_series(w->st, id, w->since_ms, w->until_ms, 0, &p, &n) == 0 && n)
		kills = (int64_t)(p[n - 1].v - p[0].v);
	free(p);
	return kills;
}

/* Commands whose lives regrow (ht_restarts.h): one leak across pids. */
static int db_restarts(struct db_walk *w)
{
	struct ht_leak_report *r = w->r;
	struct ht_restart_loop *loops;
	size_t n, cap = 0;
	int64_t kills;
	int rc = ht_restarts_find(&w->lives, 2 * w->step_ms, &loops, &n);

	if (rc || !n) {
		free(loops);
		return rc;
	}
	kills = db_oom_kills(w);
	for (size_t i = 0; i < n; i++) {
		const struct ht_restart_loop *lp = &loops[i];
		struct ht_leak_item *it = add_item(&r->commands, &r->ncommands, &cap);

		if (!it || !(it->cmdline = strdup(lp->cmdline))) {
			free(loops);
			return -ENOMEM;
		}
		it->kind = HT_LEAK_COMMAND;
		it->pid = lp->last_pid;
		it->detailed = 1;
		snprintf(it->comm, sizeof(it->comm), "%s", lp->comm);
		snprintf(it->name, sizeof(it->name), "%s", lp->comm);
		it->lives = lp->lives;
		it->died = lp->died;
		it->peak_min = lp->peak_min;
		it->peak_max = lp->peak_max;
		it->regrows = lp->regrows;
		it->grows_across = lp->grows_across;
		it->oom_kills = kills;
		memset(&it->l, 0, sizeof(it->l));
		it->l.verdict = HT_LEAK_YES;
		it->l.reason = HT_LEAK_R_GROWING;
		it->l.rate = lp->rate;
		it->l.rate_lo = it->l.rate_hi = it->l.r2 = it->l.mk_p = NAN;
		it->l.recent_rate = it->l.onset_ago_s = NAN;
		it->l.decide_in_s = 0;
		it->l.current = lp->current;
		it->l.anon = -1;
		it->l.limit_kind = HT_LIMIT_NONE;
		it->l.limit_bytes = it->l.headroom = -1;
		it->l.eta.point = it->l.eta.soonest = it->l.eta.latest = INFINITY;
		it->l.span_s = (double)(lp->last_ms - lp->first_ms) / 1e3;
		it->l.n = lp->lives;
	}
	free(loops);
	return 0;
}


static int db_sys(struct ht_store *st, const char *name, int64_t since, int64_t until,
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

	if (db_sys(st, HT_SYS_MEM_AVAILABLE, since, until, 0, &pts, &n) || n < 3) {
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
 * sample), thinned to about 4000; *total is the count before thinning.
 * Returns 0 (*n may be 0: then read on a grid), -ENOMEM or -EIO. */
static int sample_clock(struct ht_store *st, int64_t since, int64_t until,
			int64_t **out, size_t *n, size_t *total)
{
	size_t m, every, k = 0;
	int rc = ht_store_sample_times(st, since, until, out, &m);

	*n = *total = 0;
	if (rc)
		return rc == -ENOMEM ? rc : -EIO;
	every = m / 4000 + 1;
	for (size_t i = 0; i < m; i++)
		if (i % every == 0 || i == m - 1)
			(*out)[k++] = (*out)[i];
	*total = m;
	*n = m < 3 ? 0 : k;
	return 0;
}

/* used = MemTotal - MemAvailable, from the stored MemAvailable points. */
static int db_system(struct db_walk *w, const struct ht_store_point *avail, size_t navail)
{
	struct ht_leak_report *r = w->r;
	struct ht_leak_subject subj;
	struct ht_point *pts;
	int rc;

	if (!navail || r->mem_total <= 0)
		return 0;
	pts = malloc(navail * sizeof(*pts));
	if (!pts)
		return -ENOMEM;
	for (size_t i = 0; i < navail; i++) {
		pts[i].t = (double)(avail[i].t_ms - w->since_ms) / 1e3;
		pts[i].v = (double)r->mem_total - avail[i].v;
	}
	ht_leak_subject_init(&subj);
	subj.current = r->mem_total - r->mem_available;
	subj.mem_available = r->mem_available;
	r->system.kind = HT_LEAK_SYSTEM;
	rc = ht_leak_analyze(pts, navail, &subj, &w->o->lo, &r->system.l);
	r->have_system = rc == 0;
	free(pts);
	return rc;
}

/* The store's message less a leading "cannot open PATH: " or "PATH: ",
 * which ours says already. */
static const char *without_path(const char *msg, const char *path)
{
	size_t n = strlen(path);

	if (!strncmp(msg, "cannot open ", 12) && !strncmp(msg + 12, path, n) &&
	    !strncmp(msg + 12 + n, ": ", 2))
		return msg + 14 + n;
	if (!strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2))
		return msg + n + 2;
	return msg;
}

/* Opens the DB read-only, saying what is wrong with a path that is no DB. */
static int db_open(const struct ht_leak_collect_opts *o, struct ht_store **st,
		   char *err, size_t errlen)
{
	struct ht_store_opts so;
	struct stat sb;
	char msg[256] = "";
	int rc;

	if (stat(o->db, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		errf(err, errlen, "cannot open %s: is a directory, not a history DB", o->db);
		return -EISDIR;
	}
	ht_store_opts_default(&so);
	so.path = o->db;
	so.flags = HT_STORE_READONLY;
	so.root = o->root;
	rc = ht_store_open(&so, st, msg, sizeof(msg));
	if (rc)
		errf(err, errlen, "cannot open %s: %s", o->db,
		     *msg && rc != -ENOENT ? without_path(msg, o->db) : strerror(-rc));
	return rc;
}

/* The window in the DB: its last window_ms (all of it for 0), the step,
 * and the host's clock of sample times in it. */
static int db_window(struct db_walk *w, int64_t first, int64_t last)
{
	const struct ht_leak_collect_opts *o = w->o;
	struct ht_leak_report *r = w->r;
	size_t total = 0;
	int rc;

	w->first_ms = first;
	w->until_ms = last;
	w->since_ms = o->window_ms > 0 && last - o->window_ms > first ? last - o->window_ms : first;
	w->step_ms = o->interval_ms > 0 ? o->interval_ms :
		     recorded_interval(w->st, w->since_ms, last);
	if (o->interval_ms <= 0 && w->step_ms < (last - w->since_ms) / 2000)
		w->step_ms = (last - w->since_ms) / 2000;	/* at most ~2000 points */
	if (w->step_ms < 100)
		w->step_ms = 100;
	r->window_s = (double)(last - w->since_ms) / 1e3;
	r->interval_s = (double)w->step_ms / 1e3;
	rc = sample_clock(w->st, w->since_ms, w->until_ms, &w->clock, &w->nclock, &total);
	r->samples = total;
	if (o->interval_ms > 0)
		w->nclock = 0;		/* a step asked for: read on its grid */
	return rc;
}

static int collect_db(const struct ht_leak_collect_opts *o, struct ht_leak_report *r,
		      char *err, size_t errlen)
{
	struct ht_store *st = NULL;
	struct ht_store_proc_filter f = { 0 };
	struct ht_store_point *avail = NULL, *total = NULL;
	size_t navail = 0, ntotal = 0;
	struct db_walk w = { .o = o, .r = r };
	int64_t first, last;
	int rc = db_open(o, &st, err, errlen);

	if (rc)
		return rc;
	rc = ht_store_time_range(st, 0, &first, &last);
	if (rc) {
		errf(err, errlen, "%s holds no samples", o->db);
		goto cleanup;
	}
	r->from_db = 1;
	w.st = st;
	rc = db_window(&w, first, last);
	if (rc) {
		errf(err, errlen, "cannot read %s: %s", o->db,
		     rc == -ENOMEM ? strerror(ENOMEM) : ht_store_error(st));
		goto cleanup;
	}
	w.mem_available = -1;
	if (db_sys(st, HT_SYS_MEM_AVAILABLE, w.since_ms, w.until_ms, w.step_ms,
		   &avail, &navail) == 0 && navail)
		w.mem_available = r->mem_available = (int64_t)avail[navail - 1].v;
	if (db_sys(st, HT_SYS_MEM_TOTAL, w.since_ms, w.until_ms, w.step_ms,
		   &total, &ntotal) == 0 && ntotal)
		r->mem_total = (int64_t)total[ntotal - 1].v;
	rc = ht_proc_ages_scan(&w.ages, st, o->root, w.step_ms);
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
	sort_by_rate(r->procs, r->nprocs_items);
	rc = db_restarts(&w);
	if (!rc)
		rc = db_system(&w, avail, navail);
	if (rc)
		errf(err, errlen, "cannot judge the series: %s", strerror(-rc));
cleanup:
	ht_restarts_free(&w.lives);
	free(w.clock);
	free(avail);
	free(total);
	ht_store_close(st);
	return rc;
}

int ht_leak_collect(const struct ht_leak_collect_opts *o, struct ht_leak_report *r,
		    char *err, size_t errlen)
{
	int rc;

	if (err && errlen)
		*err = 0;
	if (!r)
		return -EINVAL;
	report_init(r);
	if (!o) {
		errf(err, errlen, "no options");
		return -EINVAL;
	}
	rc = o->db ? collect_db(o, r, err, errlen) : collect_live(o, r, err, errlen);
	if (rc)
		ht_leak_report_free(r);
	return rc;
}
