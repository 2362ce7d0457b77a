/* healthtap top: the collector (see top_collect.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ht_buf.h"
#include "ht_counter.h"
#include "ht_path.h"
#include "ht_sched.h"
#include "ht_supervisor.h"
#include "alloc_where.h"
#include "proc_pid_smaps.h"
#include "proc_pid_smaps_rollup.h"
#include "proc_softirqs.h"
#include "top_collect.h"

struct uid_name {
	int64_t uid;
	char name[TOP_USER_MAX];
};

struct top_collector {
	char *root;
	int64_t interval_ms;
	struct ht_sampler *sampler;
	int sampled;			/* a sample succeeded */
	double sample_s;
	uint64_t seq;

	/* tapset stream */
	int stream_fd;			/* -1 none or ended */
	int probe_source;
	char probe_note[256];
	struct ht_supervisor *sv;	/* --stap: the child, restarted with back-off */
	int sv_eof;			/* its stdout ended: stop polling it */

	int want_threads;		/* the thread view (the sampler reads it) */

	/* detail view */
	pid_t detail_pid;
	int64_t detail_start;
	struct proc_pid_smaps maps_first;	/* when the view opened */
	struct proc_pid_smaps maps_prev;	/* the previous refresh */
	int maps_rounds;
	/* --where: the detail process's allocation sites */
	int where;
	struct ht_alloc_watch *watch;
	pid_t watch_pid;
	int64_t watch_start;
	char watch_note[256];		/* why no watch runs */

	struct uid_name *users;
	size_t nusers, users_cap;

	/* thread */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	int stop;
	int wake[2];			/* UI -> collector */
	int ready[2];			/* collector -> UI */
	struct top_frame *latest;	/* under lock */
	int latest_err;
	char latest_msg[256];
	pid_t req_detail;		/* under lock */
	int req_threads;
	int req_pending;
};

void top_frame_free(struct top_frame *f)
{
	if (!f)
		return;
	free(f->procs);
	free(f->threads);
	free(f->detail);
	free(f);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* ---- the stap child and the stream ---- */

/* Starts, reaps and restarts the stap child; keeps the note current. */
static void stap_tick(struct top_collector *c)
{
	struct ht_sv_event ev;

	if (!c->sv)
		return;
	while (ht_supervisor_tick(c->sv, ht_now_ns(), &ev)) {
		switch (ev.kind) {
		case HT_SV_STARTED:
			/* a new stream: end any partial line of the old one */
			ht_sampler_feed(c->sampler, "\n", 1);
			c->sv_eof = 0;
			snprintf(c->probe_note, sizeof(c->probe_note), "stap running (pid %d)",
				 (int)ev.pid);
			break;
		case HT_SV_DIED:
			snprintf(c->probe_note, sizeof(c->probe_note), "stap %.200s; restart in %.0fs",
				 ev.text, ev.restart_in_ms / 1000.0);
			break;
		case HT_SV_START_FAILED:
			snprintf(c->probe_note, sizeof(c->probe_note), "stap: %.200s", ev.text);
			break;
		default:
			break;
		}
	}
}

/* Reads what the stap child has written. */
static void drain_stap(struct top_collector *c)
{
	char buf[16384];
	ssize_t n;

	if (!c->sv)
		return;
	while ((n = ht_supervisor_read(c->sv, buf, sizeof(buf))) > 0)
		ht_sampler_feed(c->sampler, buf, (size_t)n);
	if (n == 0)
		c->sv_eof = 1;
	ht_supervisor_drain_err(c->sv);
}

/* Reads what the stream has now. Returns 1 at end of stream, else 0. */
static int drain_stream(struct top_collector *c)
{
	char buf[8192];

	while (c->stream_fd >= 0) {
		ssize_t n = read(c->stream_fd, buf, sizeof(buf));
		if (n > 0) {
			ht_sampler_feed(c->sampler, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		/* end of stream or an error */
		if (c->stream_fd != STDIN_FILENO)
			close(c->stream_fd);
		c->stream_fd = -1;
		snprintf(c->probe_note, sizeof(c->probe_note), "stream ended%s%s",
			 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		return 1;
	}
	return 0;
}

/* ---- users ---- */

static const char *user_name(struct top_collector *c, int64_t uid, char *buf, size_t size)
{
	struct passwd pw, *res = NULL;
	char pwbuf[1024];

	if (uid < 0) {
		snprintf(buf, size, "?");
		return buf;
	}
	for (size_t i = 0; i < c->nusers; i++)
		if (c->users[i].uid == uid) {
			snprintf(buf, size, "%s", c->users[i].name);
			return buf;
		}
	if (getpwuid_r((uid_t)uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
		snprintf(buf, size, "%s", res->pw_name);
	else
		snprintf(buf, size, "%u", (unsigned)uid);
	if (ht_grow(c->users, c->users_cap, c->nusers + 1) == 0) {
		c->users[c->nusers].uid = uid;
		snprintf(c->users[c->nusers].name, TOP_USER_MAX, "%s", buf);
		c->nusers++;
	}
	return buf;
}

/* ---- the busiest interrupts and softirqs, threads ---- */

/* Puts name at its place in top (n entries, highest rate first, at most
 * TOP_TOPVEC): a rate below all of a full list is dropped. */
static void top_insert(struct top_vec_rate *top, size_t *n, const char *name, double rate)
{
	size_t k = *n < TOP_TOPVEC ? (*n)++ : TOP_TOPVEC;

	if (k == TOP_TOPVEC) {
		if (rate <= top[TOP_TOPVEC - 1].rate)
			return;
		k = TOP_TOPVEC - 1;
	}
	while (k > 0 && top[k - 1].rate < rate) {
		top[k] = top[k - 1];
		k--;
	}
	snprintf(top[k].name, sizeof(top[k].name), "%s", name);
	top[k].rate = rate;
}

static void irq_top(const struct ht_sampler *s, struct top_frame *f)
{
	f->nintr = 0;
	for (size_t i = 0; i < ht_sampler_nirqs(s); i++) {
		const struct ht_irq_view *v = ht_sampler_irq(s, i);

		if (!isnan(v->rate))
			top_insert(f->intr_top, &f->nintr, v->name, v->rate);
	}
}

static void soft_top(const struct ht_sys_snapshot *s, struct top_frame *f)
{
	f->nsoft = 0;
	for (int v = 0; v < HT_SOFTIRQ_VECTORS; v++)
		if (!isnan(s->softirq_vec_rate[v]))
			top_insert(f->soft_top, &f->nsoft, proc_softirq_name(v), s->softirq_vec_rate[v]);
}

/* The sampler's thread view into the frame's rows. */
static void copy_threads(const struct ht_sampler *s, struct top_frame *f)
{
	size_t n = ht_sampler_nthreads(s);

	f->threads = calloc(n ? n : 1, sizeof(*f->threads));
	if (!f->threads)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct ht_thread_view *v = ht_sampler_thread(s, i);
		struct top_thread_row *r = &f->threads[i];

		r->pid = v->pid;
		r->tid = v->tid;
		snprintf(r->comm, sizeof(r->comm), "%s", v->comm);
		r->state = v->state;
		r->vol = v->vol;
		r->nonvol = v->nonvol;
		r->vol_rate = v->vol_rate;
		r->nonvol_rate = v->nonvol_rate;
	}
	f->nthreads = n;
}

/* ---- detail: smaps_rollup, the series, growing mappings ---- */

static int mapping_growth_cmp(const void *a, const void *b)
{
	const struct top_mapping *x = a, *y = b;
	if (x->rss_delta != y->rss_delta)
		return x->rss_delta < y->rss_delta ? 1 : -1;
	if (x->rss_growth != y->rss_growth)
		return x->rss_growth < y->rss_growth ? 1 : -1;
	return strcmp(x->range, y->range);
}

static void maps_reset(struct top_collector *c)
{
	proc_pid_smaps_free(&c->maps_first);
	proc_pid_smaps_free(&c->maps_prev);
	c->maps_rounds = 0;
}

static void put_mapping(struct top_mapping *m, const struct proc_pid_smaps_region *r)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->range, sizeof(m->range), "%" PRIx64 "-%" PRIx64, r->start, r->end);
	snprintf(m->perms, sizeof(m->perms), "%s", r->perms);
	snprintf(m->path, sizeof(m->path), "%s", r->path);
	m->rss = r->rss;
	m->anon = r->anonymous;
}

/* Reads p's smaps through the sampler's table (the pid checked to be the
 * same process) and lists the mappings grown since the view opened, with
 * their change since the last refresh. */
static void collect_maps(struct top_collector *c, const struct ht_proc *p,
			 struct top_detail *d)
{
	struct proc_pid_smaps now = { 0 };
	struct proc_pid_smaps_growth *since_open = NULL, *since_prev = NULL;
	long nopen = 0, nprev = 0;
	struct top_mapping all[4 * TOP_MAPS_MAX];
	size_t n = 0;
	int err = ht_proctable_smaps(ht_sampler_table(c->sampler), p, &now);

	if (err) {
		d->maps_err = err;
		return;
	}
	d->nmaps_total = now.n;
	d->maps_compared = c->maps_rounds > 0;
	if (c->maps_rounds > 0) {
		nopen = proc_pid_smaps_grown(&c->maps_first, &now, &since_open);
		nprev = proc_pid_smaps_grown(c->maps_rounds > 1 ? &c->maps_prev : &c->maps_first,
					     &now, &since_prev);
		if (nopen < 0 || nprev < 0)
			nopen = nprev = 0;
	}
	/* everything grown since the view opened ... */
	for (long i = 0; i < nopen && n < sizeof(all) / sizeof(all[0]); i++) {
		put_mapping(&all[n], &since_open[i].after);
		all[n].rss_growth = since_open[i].is_new ? since_open[i].after.rss
							 : since_open[i].rss_delta;
		n++;
	}
	/* ... with what it grew since the last refresh (and what is new) */
	for (long j = 0; j < nprev; j++) {
		const struct proc_pid_smaps_region *r = &since_prev[j].after;
		int64_t delta = since_prev[j].is_new ? r->rss : since_prev[j].rss_delta;
		size_t k;
		for (k = 0; k < n; k++)
			if (!strcmp(all[k].path, r->path) && all[k].rss == r->rss &&
			    strtoull(all[k].range, NULL, 16) == r->start)
				break;
		if (k == n) {
			if (n == sizeof(all) / sizeof(all[0]))
				continue;
			put_mapping(&all[n], r);
			all[n].rss_growth = delta;
			n++;
		}
		all[k].rss_delta = delta;
	}
	if (n)
		qsort(all, n, sizeof(*all), mapping_growth_cmp);
	for (size_t i = 0; i < n && d->nmaps < TOP_MAPS_MAX; i++)
		if (all[i].rss_delta > 0 || all[i].rss_growth > 0)
			d->maps[d->nmaps++] = all[i];
	free(since_open);
	free(since_prev);
	if (c->maps_rounds == 0) {
		c->maps_first = now;	/* also the "previous" of round 1 */
	} else {
		proc_pid_smaps_free(&c->maps_prev);
		c->maps_prev = now;
	}
	c->maps_rounds++;
}

static void copy_series(const struct ht_series *s, double t_end, struct ht_point *out,
			size_t *n)
{
	*n = 0;
	if (!s)
		return;
	*n = ht_series_copy(s, -INFINITY, out, TOP_CHART_POINTS);
	for (size_t i = 0; i < *n; i++)
		out[i].t -= t_end;
}

/* --where: one watch, on the detail view's process; started without
 * waiting (stap compiles while the view refreshes), stopped when the view
 * closes or moves to another process. */
static void watch_follow(struct top_collector *c, pid_t pid, int64_t start_time)
{
	struct ht_alloc_watch_opts wo = { .root = c->root };
	struct where_opts o;
	char cmd[4096];
	const char *no;
	int err;

	if (c->watch && (c->watch_pid != pid || c->watch_start != start_time)) {
		ht_alloc_watch_free(c->watch);
		c->watch = NULL;
	}
	if (c->watch_pid == pid && c->watch_start == start_time)
		return;		/* started, or refused: not again for this process */
	c->watch_pid = pid;
	c->watch_start = start_time;
	c->watch_note[0] = '\0';
	if (pid <= 0)
		return;
	where_opts_default(&o);
	o.pid = pid;
	o.root = c->root;
	if ((no = where_command(&o, cmd, sizeof(cmd)))) {
		snprintf(c->watch_note, sizeof(c->watch_note), "%s", no);
		return;
	}
	wo.cmd = cmd;
	wo.pid = pid;
	wo.budget_pct = o.budget_pct;
	if ((err = ht_alloc_watch_start(&wo, &c->watch, c->watch_note, sizeof(c->watch_note))))
		c->watch = NULL;
}

static void collect_sites(struct top_collector *c, struct top_detail *d)
{
	struct ht_alloc_site cur[TOP_SITES_MAX];
	struct ht_alloc_watch_stats st;
	enum ht_alloc_watch_state state;
	size_t n;

	if (!c->watch) {
		d->where = TOP_WHERE_ENDED;
		snprintf(d->where_note, sizeof(d->where_note), "%s", c->watch_note);
		return;
	}
	state = ht_alloc_watch_poll(c->watch, 0);
	d->where = state == HT_AW_STARTING ? TOP_WHERE_STARTING :
		   state == HT_AW_WATCHING ? TOP_WHERE_WATCHING : TOP_WHERE_ENDED;
	snprintf(d->where_note, sizeof(d->where_note), "%s", ht_alloc_watch_why(c->watch));
	ht_alloc_watch_stats(c->watch, &st);
	d->where_watched_s = st.watched_s;
	n = ht_alloc_watch_current(c->watch, cur, TOP_SITES_MAX);
	d->nsites = n < TOP_SITES_MAX ? n : TOP_SITES_MAX;
	for (size_t i = 0; i < d->nsites; i++) {
		d->sites[i].bytes = cur[i].bytes;
		d->sites[i].blocks = cur[i].blocks;
		ht_alloc_watch_symbol(c->watch, cur[i].addr, d->sites[i].sym, sizeof(d->sites[i].sym));
	}
}

static struct top_detail *collect_detail(struct top_collector *c, int with_maps)
{
	struct ht_proctable *t = ht_sampler_table(c->sampler);
	const struct ht_proc_view *v = ht_sampler_find(c->sampler, c->detail_pid);
	struct top_detail *d;
	struct ht_point last;
	double t_end = 0;

	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->pid = c->detail_pid;
	if (!v) {
		d->rollup_err = -ESRCH;
		d->maps_err = -ESRCH;
		return d;
	}
	d->start_time = v->proc->start_time;
	if (c->detail_start != v->proc->start_time) {	/* a new process: start over */
		maps_reset(c);
		c->detail_start = v->proc->start_time;
	}
	d->rollup_err = ht_proctable_smaps_rollup(t, v->proc, &d->rollup);
	d->have_rollup = d->rollup_err == 0;
	if (v->rss && ht_series_last(v->rss, &last) == 0)
		t_end = last.t;
	copy_series(v->rss, t_end, d->rss_pts, &d->npoints);
	copy_series(v->anon, t_end, d->anon_pts, &d->nanon);
	if (with_maps)
		collect_maps(c, v->proc, d);
	if (c->where) {
		watch_follow(c, d->pid, d->start_time);
		collect_sites(c, d);
	}
	return d;
}

/* ---- frames ---- */

static void spark(const struct ht_series *s, double window_s, double *out)
{
	struct ht_bucket b[TOP_SPARK_BUCKETS];
	struct ht_point last;

	for (int i = 0; i < TOP_SPARK_BUCKETS; i++)
		out[i] = NAN;
	if (!s || ht_series_last(s, &last))
		return;
	if (ht_series_downsample(s, last.t - window_s, last.t, b, TOP_SPARK_BUCKETS))
		return;
	for (int i = 0; i < TOP_SPARK_BUCKETS; i++)
		out[i] = b[i].n ? b[i].mean : NAN;
}

/* The sparkline spans 150 refreshes, at least 30 s and at most 10 min. */
static double spark_window(const struct top_collector *c)
{
	double w = 150 * c->interval_ms / 1000.0;
	return w < 30 ? 30 : w > 600 ? 600 : w;
}

/* The skb batch: allocs, frees and outstanding; the _approx records stand
 * in where the tapset could not probe __alloc_skb. */
static int skb_walk(void *ctx, const char *name, const char *labels, int64_t value)
{
	struct top_frame *f = ctx;

	if (labels[0])
		return 0;
	if (!strcmp(name, "allocs") || (!strcmp(name, "alloc_approx") && f->skb_alloc < 0))
		f->skb_alloc = value;
	else if (!strcmp(name, "frees"))
		f->skb_free = value;
	else if (!strcmp(name, "outstanding") ||
		 (!strcmp(name, "outstanding_approx") && f->skb_outstanding == TOP_NO_COUNT))
		f->skb_outstanding = value;
	return 0;
}

static int row_pid_cmp(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key, other = ((const struct top_proc_row *)elem)->pid;
	return (pid > other) - (pid < other);
}

/* Marks healthtap's own processes, so a reader can tell the tool's cost
 * from the host's: this top (on the live /proc only: a fixture's pids are
 * not ours), every "healthtap" command (record, serve), and their
 * descendants (the stap child, stapio). Rows are in ascending pid order. */
static void mark_own(struct top_frame *f, int live)
{
	pid_t self = live ? getpid() : 0;

	for (size_t i = 0; i < f->nprocs; i++) {
		const struct top_proc_row *p = &f->procs[i];
		/* ancestors, at most 64 up (a ppid loop in a fixture ends too) */
		for (int up = 0; p && up < 64; up++) {
			if (p->pid == self || !strcmp(p->comm, "healthtap")) {
				f->procs[i].own = 1;
				break;
			}
			if (p->ppid <= 0 || p->ppid == p->pid)
				break;
			p = bsearch(&p->ppid, f->procs, f->nprocs, sizeof(*f->procs), row_pid_cmp);
		}
	}
}

static struct top_frame *build_frame(struct top_collector *c, int with_maps)
{
	struct top_frame *f = calloc(1, sizeof(*f));
	const struct ht_sys_snapshot *sys = ht_sampler_system(c->sampler);
	struct ht_proctable *t = ht_sampler_table(c->sampler);
	size_t n = ht_sampler_nprocs(c->sampler);
	double window = spark_window(c);

	if (!f)
		return NULL;
	f->seq = c->seq;
	f->sys = *sys;
	f->mem_used = sys->mem_total >= 0 && sys->mem_available >= 0 ?
		sys->mem_total - sys->mem_available : -1;
	f->sample_s = c->sample_s;
	f->interval_s = c->interval_ms / 1000.0;
	f->probe = *ht_sampler_probe_status(c->sampler);
	f->probe_source = c->probe_source;
	snprintf(f->probe_note, sizeof(f->probe_note), "%s", c->probe_note);
	f->skb_alloc = f->skb_free = -1;
	f->skb_outstanding = TOP_NO_COUNT;
	ht_sampler_probe_foreach(c->sampler, HT_SUBSYS_SKB, skb_walk, f);
	irq_top(c->sampler, f);
	soft_top(sys, f);
	ht_proctable_stats(t, &f->pstats);
	f->procs = calloc(n ? n : 1, sizeof(*f->procs));
	if (!f->procs) {
		free(f);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ht_proc_view *v = ht_sampler_proc(c->sampler, i);
		const struct ht_proc *p = v->proc;
		struct top_proc_row *r = &f->procs[f->nprocs];
		const char *cmd;

		r->pid = p->pid;
		r->ppid = p->ppid;
		r->state = p->state;
		r->flags = p->flags;
		r->uid = p->uid;
		user_name(c, p->uid, r->user, sizeof(r->user));
		snprintf(r->comm, sizeof(r->comm), "%s", p->comm);
		cmd = ht_proctable_cmdline(t, p);
		if (p->flags & HT_PROC_ZOMBIE)
			snprintf(r->cmd, sizeof(r->cmd), "[%s] <defunct>", p->comm);
		else if (cmd && *cmd)
			snprintf(r->cmd, sizeof(r->cmd), "%s", cmd);
		else
			snprintf(r->cmd, sizeof(r->cmd), "[%s]", p->comm);
		r->rss = p->rss;
		r->anon = p->anon;
		r->size = p->size;
		r->threads = p->threads;
		r->rate = v->rate;
		r->r2 = v->r2;
		r->limit_kind = v->limit_kind;
		r->limit_bytes = v->limit_bytes;
		r->headroom = v->headroom;
		r->eta_s = v->eta_s;
		r->risk = v->risk;
		r->age_s = v->age_s;
		spark(v->rss, window, r->spark);
		f->nprocs++;
	}
	mark_own(f, !c->root[0] || !strcmp(c->root, "/"));
	if (c->want_threads)
		copy_threads(c->sampler, f);
	if (c->detail_pid > 0)
		f->detail = collect_detail(c, with_maps);
	else if (c->where && c->watch)
		watch_follow(c, 0, 0);	/* the view closed: stap stops */
	return f;
}

struct top_frame *top_collect_frame(struct top_collector *c)
{
	return build_frame(c, 1);
}

/* ---- life cycle ---- */

struct top_collector *top_collect_new(const struct top_collect_opts *o,
				      char *msg, size_t msgsize, int *err)
{
	struct top_collector *c = calloc(1, sizeof(*c));
	struct ht_sampler_opts so;

	*err = 0;
	msg[0] = '\0';
	if (!c) {
		*err = -ENOMEM;
		snprintf(msg, msgsize, "out of memory");
		return NULL;
	}
	c->stream_fd = -1;
	c->wake[0] = c->wake[1] = c->ready[0] = c->ready[1] = -1;
	pthread_mutex_init(&c->lock, NULL);
	c->root = strdup(o->root ? o->root : "");
	c->interval_ms = o->interval_ms;
	c->where = o->where;
	ht_sampler_opts_default(&so);
	so.root = c->root;
	so.interrupts = 1;
	if (o->history)
		so.history = o->history;
	c->sampler = ht_sampler_new(&so);
	if (!c->root || !c->sampler) {
		*err = -errno;
		snprintf(msg, msgsize, "cannot create the sampler: %s", strerror(errno));
		goto fail;
	}
	snprintf(c->probe_note, sizeof(c->probe_note), "%s", "");
	if (o->stap_cmd) {
		struct ht_supervisor_opts svo = { .cmd = o->stap_cmd };
		c->sv = ht_supervisor_new(&svo);
		if (!c->sv) {
			*err = -errno;
			snprintf(msg, msgsize, "cannot start stap: %s", strerror(errno));
			goto fail;
		}
		c->probe_source = TOP_PROBES_STAP;
		stap_tick(c);
	} else if (o->stream_path) {
		if (!strcmp(o->stream_path, "-")) {
			c->stream_fd = STDIN_FILENO;
		} else {
			c->stream_fd = open(o->stream_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
			if (c->stream_fd < 0) {
				*err = -errno;
				snprintf(msg, msgsize, "cannot open %s: %s", o->stream_path,
					 strerror(errno));
				goto fail;
			}
		}
		set_nonblock(c->stream_fd);
		c->probe_source = TOP_PROBES_STREAM;
		snprintf(c->probe_note, sizeof(c->probe_note), "reading %s",
			 strcmp(o->stream_path, "-") ? o->stream_path : "standard input");
	}
	return c;
fail:
	top_collect_free(c);
	return NULL;
}

void top_collect_free(struct top_collector *c)
{
	if (!c)
		return;
	if (c->started) {
		char b = 's';
		pthread_mutex_lock(&c->lock);
		c->stop = 1;
		pthread_mutex_unlock(&c->lock);
		struct timespec until;

		if (write(c->wake[1], &b, 1) < 0) { /* the thread polls with a timeout anyway */ }
		/* A read stuck in /proc (a hung FUSE or NFS mount, a dead
		 * process's smaps) must not hold up quitting: after 2 s the
		 * thread is left behind, with everything it may touch. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 2;
		if (pthread_timedjoin_np(c->thread, NULL, &until) != 0) {
			pthread_detach(c->thread);
			if (ht_supervisor_pid(c->sv) > 0)	/* the thread may be in it: kill only */
				kill(-ht_supervisor_pid(c->sv), SIGTERM);
			return;
		}
	}
	ht_supervisor_free(c->sv);
	ht_alloc_watch_free(c->watch);
	if (c->stream_fd > STDIN_FILENO)
		close(c->stream_fd);
	for (int i = 0; i < 2; i++) {
		if (c->wake[i] >= 0)
			close(c->wake[i]);
		if (c->ready[i] >= 0)
			close(c->ready[i]);
	}
	top_frame_free(c->latest);
	ht_sampler_free(c->sampler);
	maps_reset(c);
	free(c->users);
	free(c->root);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* Feeds the stream until the deadline or until fd wake is readable.
 * Returns 1 when woken, -EINTR on a signal, 0 at the deadline. */
static int wait_until(struct top_collector *c, int64_t deadline_ns, int wakefd)
{
	for (;;) {
		struct pollfd pf[4];
		int n = 0, ms, rc;
		int64_t left = deadline_ns - ht_now_ns();

		if (left <= 0)
			return 0;
		ms = (int)((left + 999999) / 1000000);
		if (c->stream_fd >= 0)
			pf[n++] = (struct pollfd){ .fd = c->stream_fd, .events = POLLIN };
		if (wakefd >= 0)
			pf[n++] = (struct pollfd){ .fd = wakefd, .events = POLLIN };
		if (c->sv && !c->sv_eof && ht_supervisor_out_fd(c->sv) >= 0)
			pf[n++] = (struct pollfd){ .fd = ht_supervisor_out_fd(c->sv), .events = POLLIN };
		if (c->sv && ht_supervisor_err_fd(c->sv) >= 0)
			pf[n++] = (struct pollfd){ .fd = ht_supervisor_err_fd(c->sv), .events = POLLIN };
		if (c->sv && ms > 250)
			ms = 250;	/* restarts are due between samples too */
		rc = poll(pf, n, ms);
		stap_tick(c);
		if (rc < 0 && errno == EINTR)
			return -EINTR;
		if (rc <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == wakefd) {
				char buf[64];
				while (read(wakefd, buf, sizeof(buf)) > 0)
					;
				return 1;
			}
			if (pf[i].fd == c->stream_fd)
				drain_stream(c);
			else
				drain_stap(c);
		}
	}
}

int top_collect_wait(struct top_collector *c, int64_t deadline_ns)
{
	return wait_until(c, deadline_ns, -1) == -EINTR ? -EINTR : 0;
}

int top_collect_sample(struct top_collector *c, char *msg, size_t msgsize)
{
	int64_t t0 = ht_now_ns();
	int err;

	drain_stream(c);
	drain_stap(c);
	stap_tick(c);
	err = ht_sampler_sample(c->sampler);
	if (err) {
		char path[512];
		/* Name the file most likely at fault: /proc/stat first. */
		ht_path(path, sizeof(path), c->root, "/proc/stat");
		if (access(path, R_OK) != 0)
			snprintf(msg, msgsize, "cannot read %s: %s", path, strerror(-err));
		else
			snprintf(msg, msgsize, "cannot read %s/proc: %s", c->root, strerror(-err));
		return err;
	}
	c->sampled = 1;
	c->seq++;
	c->sample_s = (ht_now_ns() - t0) / 1e9;
	return 0;
}

void top_collect_set(struct top_collector *c, pid_t detail_pid, int threads)
{
	if (detail_pid != c->detail_pid) {
		maps_reset(c);
		c->detail_start = -1;
	}
	c->detail_pid = detail_pid;
	ht_sampler_want_threads(c->sampler, threads);
	c->want_threads = threads;
}

/* ---- threaded use ---- */

static void publish(struct top_collector *c, struct top_frame *f, int err, const char *msg)
{
	char b = 'f';

	pthread_mutex_lock(&c->lock);
	if (f) {
		top_frame_free(c->latest);
		c->latest = f;
	}
	c->latest_err = err;
	snprintf(c->latest_msg, sizeof(c->latest_msg), "%s", msg ? msg : "");
	pthread_mutex_unlock(&c->lock);
	if (write(c->ready[1], &b, 1) < 0) { /* full pipe: the UI has a wake-up pending */ }
}

/* Applies what the UI asked for (detail pid, threads); returns whether it
 * wants a frame at once. */
static int take_requests(struct top_collector *c)
{
	pid_t det;
	int thr, pending;

	pthread_mutex_lock(&c->lock);
	det = c->req_detail;
	thr = c->req_threads;
	pending = c->req_pending;
	c->req_pending = 0;
	pthread_mutex_unlock(&c->lock);
	top_collect_set(c, det, thr);
	return pending;
}

static int collector_tick(void *arg, const struct ht_sched_tick *t)
{
	struct top_collector *c = arg;
	char msg[256];
	int err;

	(void)t;
	take_requests(c);
	err = top_collect_sample(c, msg, sizeof(msg));
	if (err)
		publish(c, NULL, err, msg);
	else
		publish(c, build_frame(c, 1), 0, NULL);
	return 0;
}

/* Between samples: the stream and stap pipes, and the UI's requests,
 * answered at once from the last sample. */
static void collector_wait(void *arg, int64_t deadline_ns)
{
	struct top_collector *c = arg;

	if (take_requests(c) && c->sampled)
		publish(c, build_frame(c, 1), 0, NULL);
	wait_until(c, deadline_ns, c->wake[0]);
}

static int collector_should_stop(void *arg)
{
	struct top_collector *c = arg;
	int stop;

	pthread_mutex_lock(&c->lock);
	stop = c->stop;
	pthread_mutex_unlock(&c->lock);
	return stop;
}

/* Samples on ht_sched's schedule. The first sample only primes the
 * counters: the second comes 200 ms later so that rates show at once. */
static void *collector_main(void *arg)
{
	struct top_collector *c = arg;
	struct ht_sched_opts so;

	ht_sched_opts_default(&so);
	so.interval_ns = c->interval_ms * 1000000LL;
	so.second_ns = 200 * 1000000LL;
	so.ctx = c;
	so.tick = collector_tick;
	so.wait = collector_wait;
	so.should_stop = collector_should_stop;
	ht_sched_run(&so, NULL);
	return NULL;
}

int top_collect_start(struct top_collector *c)
{
	sigset_t all, old;
	int rc;

	if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(c->ready, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	c->req_detail = c->detail_pid;
	c->req_threads = c->want_threads;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&c->thread, NULL, collector_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	c->started = 1;
	return 0;
}

int top_collect_fd(const struct top_collector *c)
{
	return c->ready[0];
}

struct top_frame *top_collect_take(struct top_collector *c, int *err, char *msg,
				   size_t msgsize)
{
	struct top_frame *f;
	char buf[64];

	while (read(c->ready[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&c->lock);
	f = c->latest;
	c->latest = NULL;
	*err = c->latest_err;
	snprintf(msg, msgsize, "%s", c->latest_msg);
	pthread_mutex_unlock(&c->lock);
	return f;
}

void top_collect_request(struct top_collector *c, pid_t detail_pid, int threads)
{
	char b = 'r';

	pthread_mutex_lock(&c->lock);
	c->req_detail = detail_pid;
	c->req_threads = threads;
	c->req_pending = 1;
	pthread_mutex_unlock(&c->lock);
	if (write(c->wake[1], &b, 1) < 0) { /* a wake-up is pending already */ }
}
