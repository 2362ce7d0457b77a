/* One process's allocation sites, watched (ht_alloc_watch.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ht_alloc_watch.h"
#include "ht_counter.h"
#include "ht_stream.h"
#include "ht_supervisor.h"
#include "proc_pid_stat.h"

/* One batch's cost and the target's CPU time in it, for the budget. */
struct cost_slot {
	int64_t cost_ns, cpu_ns;
};

struct ht_alloc_watch {
	struct ht_alloc_watch_opts o;
	char root[4096];
	struct ht_supervisor *sv;
	struct ht_stream *stream;
	struct ht_alloc_sites *sites;
	struct ht_sym *sym;		/* opened at the first batch, again at stop */
	enum ht_alloc_watch_state state;
	char why[600];
	int over_budget;
	int got_table;			/* the end table was read */
	int64_t start_ns, first_batch_ns, last_ms;
	int64_t starttime;		/* the target's, to tell a reused pid */
	int64_t cpu_ticks;		/* the target's utime + stime at the last batch */
	int64_t sys_ticks;		/* its stime then */
	int64_t last_ns;		/* when they were read */
	double sys_base;		/* its stime rate before the probes (ticks/ns) */
	/* the batch being read: its alloc calls */
	int64_t b_allocs, b_frees, b_unknown, sample;
	int64_t t_allocs, t_frees, t_unknown;	/* the last totals, if totals */
	int64_t calls, cost_ns, cpu_ns;	/* totals while watched */
	int64_t est_ns;			/* calls x call_ns */
	struct cost_slot ring[HT_ALLOC_WATCH_BUDGET_BATCHES];
	unsigned nring;
	struct ht_alloc_where *where;
	size_t nwhere, nholding;
	FILE *tee;
	uint64_t batches;
};

static long clk_tck(void)
{
	long t = sysconf(_SC_CLK_TCK);

	return t > 0 ? t : 100;
}

/* The target's CPU ticks (and its system time in *sys, may be NULL), or
 * -1 when it is gone (or its pid reused). */
static int64_t target_ticks2(struct ht_alloc_watch *w, int64_t *sys)
{
	struct proc_pid_stat st;

	if (proc_pid_stat_read(w->root, w->o.pid, &st) || st.state == 'Z' || st.state == 'X')
		return -1;
	if (w->starttime >= 0 && st.starttime != w->starttime)
		return -1;
	if (sys)
		*sys = st.stime;
	return st.utime + st.stime;
}

static int64_t target_ticks(struct ht_alloc_watch *w)
{
	return target_ticks2(w, NULL);
}

static void end_early(struct ht_alloc_watch *w, const char *why)
{
	if (!w->why[0])
		snprintf(w->why, sizeof(w->why), "%s", why);
	if (w->state < HT_AW_STOPPING) {
		pid_t p = ht_supervisor_pid(w->sv);

		if (p > 0)
			kill(p, SIGINT);
		w->state = HT_AW_STOPPING;
	}
}

/* A batch ended: its cost against the target's CPU in it. */
static void batch_done(struct ht_alloc_watch *w)
{
	int64_t sys = 0, ticks = target_ticks2(w, &sys), now = ht_now_ns();
	int64_t cost, measured = 0, cpu = 0, sum_cost = 0, sum_cpu = 0, tick_ns = 1000000000LL / clk_tck();
	unsigned n;
	char msg[300];

	if (!w->first_batch_ns) {
		/* before the probes: the target's own system time rate */
		if (ticks >= 0 && w->cpu_ticks >= 0 && now > w->last_ns)
			w->sys_base = (double)(sys - w->sys_ticks) / (double)(now - w->last_ns);
		w->first_batch_ns = now;
		if (w->state == HT_AW_STARTING)
			w->state = HT_AW_WATCHING;
		if (!w->sym)
			ht_sym_open(w->root, w->o.pid, &w->sym);
	}
	/* allocs counts the tracked ones: each stands for sample calls */
	cost = (w->b_allocs * w->sample + w->b_frees + w->b_unknown);
	w->calls += cost;
	cost *= w->o.call_ns;
	if (ticks >= 0 && w->cpu_ticks >= 0) {
		cpu = (ticks - w->cpu_ticks) * tick_ns;
		/* the traps run as the target's system time: what it spent
		 * there beyond its rate before the probes */
		measured = (int64_t)(((double)(sys - w->sys_ticks) -
				      w->sys_base * (double)(now - w->last_ns)) * (double)tick_ns);
	}
	w->cpu_ticks = ticks;
	w->sys_ticks = sys;
	w->last_ns = now;
	w->est_ns += cost;
	if (w->nring > 0 && measured > cost)	/* not the first batch: before the probes */
		cost = measured;
	w->cost_ns += cost;
	w->cpu_ns += cpu;
	w->b_allocs = w->b_frees = w->b_unknown = 0;
	w->ring[w->nring++ % HT_ALLOC_WATCH_BUDGET_BATCHES] = (struct cost_slot){ cost, cpu };
	n = w->nring < HT_ALLOC_WATCH_BUDGET_BATCHES ? w->nring : HT_ALLOC_WATCH_BUDGET_BATCHES;
	for (unsigned i = 0; i < n; i++) {
		sum_cost += w->ring[i].cost_ns;
		sum_cpu += w->ring[i].cpu_ns;
	}
	if (ticks < 0 && w->state < HT_AW_STOPPING) {
		snprintf(msg, sizeof(msg), "the target exited after %.1f s watched",
			 (double)(ht_now_ns() - w->first_batch_ns) / 1e9);
		end_early(w, msg);
		return;
	}
	if (w->o.budget_pct <= 0 || sum_cost < w->o.budget_floor_ms * 1000000 ||
	    sum_cost * 100.0 <= w->o.budget_pct * (double)sum_cpu || w->state >= HT_AW_STOPPING)
		return;
	w->over_budget = 1;
	snprintf(msg, sizeof(msg), "the probes cost %.0f%% of the target's CPU time over the last "
		 "%u batches (%.2f s of %.2f s), over the budget of %.0f%%: stopped",
		 sum_cpu > 0 ? 100.0 * (double)sum_cost / (double)sum_cpu : 100.0, n,
		 (double)sum_cost / 1e9, (double)sum_cpu / 1e9, w->o.budget_pct);
	end_early(w, msg);
}

/* A batch's count from a delta record, or from a total one (the
 * protocol's kind says which) less the previous total. */
static int64_t per_batch(const struct ht_record *rec, int64_t *prev)
{
	int64_t d;

	if (rec->kind->kind != HT_TOTAL)
		return rec->value;
	d = rec->value >= *prev ? rec->value - *prev : rec->value;
	*prev = rec->value;
	return d;
}

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct ht_alloc_watch *w = ctx;
	const char *name;
	char msg[200];

	if (rec->subsys != HT_SUBSYS_ALLOC)
		return 0;
	name = rec->kind->name;
	w->last_ms = rec->t_ms;
	if (ht_alloc_sites_add(w->sites, rec) == -ENOMEM)
		return -ENOMEM;
	if (!strcmp(name, "sample"))
		w->sample = rec->value > 1 ? rec->value : 1;
	else if (!strcmp(name, "allocs"))
		w->b_allocs = per_batch(rec, &w->t_allocs);
	else if (!strcmp(name, "frees"))
		w->b_frees = per_batch(rec, &w->t_frees);
	else if (!strcmp(name, "unknown_frees"))
		w->b_unknown = per_batch(rec, &w->t_unknown);
	else if (!strcmp(name, "table"))
		w->got_table = 1;
	else if (!strcmp(name, "batch") && !w->got_table) {
		w->batches++;
		batch_done(w);
	}
	else if (!strcmp(name, "budget_exceeded")) {
		w->over_budget = 1;
		snprintf(msg, sizeof(msg), "the probes stopped themselves: they cost %.1f%% of one "
			 "CPU, over health_alloc_budget_pct", rec->value / 10.0);
		end_early(w, msg);
	}
	return 0;
}

int ht_alloc_watch_start(const struct ht_alloc_watch_opts *o, struct ht_alloc_watch **out,
			 char *why, size_t size)
{
	struct ht_supervisor_opts so = { .cmd = o->cmd, .backoff_min_ms = 1000,
					 .backoff_max_ms = 1000, .healthy_ms = 1000 };
	struct proc_pid_stat st;
	struct ht_alloc_watch *w;
	int err;

	*out = NULL;
	if ((err = ht_alloc_check(o->root, o->pid, why, size)))
		return err;
	if (!(w = calloc(1, sizeof(*w))))
		goto nomem;
	w->o = *o;
	snprintf(w->root, sizeof(w->root), "%s", o->root ? o->root : "");
	w->o.root = w->root;
	w->o.cmd = NULL;
	w->o.tee = NULL;
	if (o->tee && *o->tee && !(w->tee = fopen(o->tee, "w"))) {
		err = -errno;
		snprintf(why, size, "cannot write %s: %s", o->tee, strerror(-err));
		free(w);
		return err;
	}
	if (w->o.budget_floor_ms <= 0)
		w->o.budget_floor_ms = 1000;
	if (w->o.call_ns <= 0)
		w->o.call_ns = HT_ALLOC_CALL_NS;
	w->sample = 1;
	w->starttime = -1;
	if (proc_pid_stat_read(w->root, o->pid, &st) == 0)
		w->starttime = st.starttime;
	w->cpu_ticks = target_ticks2(w, &w->sys_ticks);
	w->last_ns = ht_now_ns();
	w->sites = ht_alloc_sites_new();
	w->stream = ht_stream_new(on_record, NULL, w);
	w->sv = ht_supervisor_new(&so);
	if (!w->sites || !w->stream || !w->sv) {
		ht_alloc_watch_free(w);
		goto nomem;
	}
	w->start_ns = ht_now_ns();
	*out = w;
	ht_alloc_watch_poll(w, 0);	/* starts stap */
	return 0;
nomem:
	snprintf(why, size, "out of memory");
	return -ENOMEM;
}

static void feed(struct ht_alloc_watch *w, const char *buf, size_t len)
{
	if (w->tee) {
		fwrite(buf, 1, len, w->tee);
		fflush(w->tee);
	}
	if (ht_stream_feed(w->stream, buf, len) == -ENOMEM)
		end_early(w, "out of memory");
}

/* Reads stap's stdout until it would block; notes its death. */
static void pump(struct ht_alloc_watch *w, int timeout_ms)
{
	struct ht_sv_event ev;
	struct pollfd p[2];
	char buf[16384];
	int n = 0;
	ssize_t r;

	if (w->state == HT_AW_ENDED)
		return;
	if (ht_supervisor_out_fd(w->sv) >= 0)
		p[n++] = (struct pollfd){ .fd = ht_supervisor_out_fd(w->sv), .events = POLLIN };
	if (ht_supervisor_err_fd(w->sv) >= 0)
		p[n++] = (struct pollfd){ .fd = ht_supervisor_err_fd(w->sv), .events = POLLIN };
	if (n && timeout_ms > 0)
		poll(p, n, timeout_ms);
	while ((r = ht_supervisor_read(w->sv, buf, sizeof(buf))) > 0)
		feed(w, buf, (size_t)r);
	if (r == 0)
		ht_stream_finish(w->stream);
	/* once stap started, it is never restarted: its death ends the watch */
	while (ht_supervisor_tick(w->sv, ht_now_ns(), &ev)) {
		if (ev.kind == HT_SV_DIED || ev.kind == HT_SV_START_FAILED) {
			if (w->state < HT_AW_STOPPING || (!w->got_table && !w->why[0]))
				snprintf(w->why, sizeof(w->why), "stap %s", ev.text);
			w->state = HT_AW_ENDED;
			break;
		}
	}
	if (w->state == HT_AW_ENDED)	/* what it printed before dying */
		while ((r = ht_supervisor_read(w->sv, buf, sizeof(buf))) > 0)
			feed(w, buf, (size_t)r);
}

enum ht_alloc_watch_state ht_alloc_watch_poll(struct ht_alloc_watch *w, int timeout_ms)
{
	pump(w, timeout_ms);
	if (w->state == HT_AW_WATCHING && target_ticks(w) < 0)
		batch_done(w);	/* says the target exited, stops stap */
	return w->state;
}

static int by_bytes(const void *x, const void *y)
{
	const struct ht_alloc_where *a = x, *b = y;

	return a->s.bytes < b->s.bytes ? 1 : a->s.bytes > b->s.bytes ? -1 : 0;
}

/* The sites, symbolized in the maps of now (libraries loaded while
 * watched), or of the first batch when the target is gone. */
static int symbolize(struct ht_alloc_watch *w)
{
	struct ht_alloc_site *s, one;
	struct ht_sym *now = NULL;
	size_t n;

	if (target_ticks(w) >= 0 && ht_sym_open(w->root, w->o.pid, &now) == 0) {
		ht_sym_free(w->sym);
		w->sym = now;
	}
	n = ht_alloc_sites_get(w->sites, &one, 0, NULL);
	if (!n)
		return 0;
	s = calloc(n, sizeof(*s));
	w->where = calloc(n, sizeof(*w->where));
	if (!s || !w->where) {
		free(s);
		return -ENOMEM;
	}
	n = ht_alloc_sites_get(w->sites, s, n, NULL);
	for (size_t i = 0; i < n; i++) {
		struct ht_alloc_where *x = &w->where[i];

		x->s = s[i];
		if (!w->sym || ht_sym_lookup(w->sym, s[i].addr, 1, &x->sym) < 0) {
			memset(&x->sym, 0, sizeof(x->sym));
			x->sym.addr = s[i].addr;
		}
		ht_sym_format(&x->sym, x->text, sizeof(x->text));
	}
	free(s);
	w->nwhere = w->nholding = n;
	qsort(w->where, n, sizeof(*w->where), by_bytes);
	return 0;
}

int ht_alloc_watch_stop(struct ht_alloc_watch *w, int timeout_ms)
{
	int64_t deadline = ht_now_ns() + (int64_t)timeout_ms * 1000000;

	if (w->state < HT_AW_STOPPING) {
		pid_t p = ht_supervisor_pid(w->sv);

		if (p > 0)
			kill(p, SIGINT);
		w->state = HT_AW_STOPPING;
	}
	while (w->state != HT_AW_ENDED && ht_now_ns() < deadline)
		pump(w, 100);
	if (w->state != HT_AW_ENDED) {
		ht_supervisor_free(w->sv);	/* SIGTERM, then SIGKILL */
		w->sv = NULL;
		w->state = HT_AW_ENDED;
		if (!w->why[0])
			snprintf(w->why, sizeof(w->why), "stap did not end within %d s of SIGINT: "
				 "killed", timeout_ms / 1000);
	}
	if (!w->got_table && !w->why[0])
		snprintf(w->why, sizeof(w->why), "stap ended without its end table");
	if (symbolize(w))
		snprintf(w->why, sizeof(w->why), "out of memory");
	return w->got_table ? 0 : -EIO;
}

const char *ht_alloc_watch_why(const struct ht_alloc_watch *w)
{
	return w->why;
}

int ht_alloc_watch_over_budget(const struct ht_alloc_watch *w)
{
	return w->over_budget;
}

size_t ht_alloc_watch_sites(const struct ht_alloc_watch *w, struct ht_alloc_where *out,
			    size_t max)
{
	if (out && max && w->nwhere)
		memcpy(out, w->where, (w->nwhere < max ? w->nwhere : max) * sizeof(*out));
	return w->nholding;
}

void ht_alloc_watch_stats(const struct ht_alloc_watch *w, struct ht_alloc_watch_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->watched_s = (double)w->last_ms / 1e3;	/* t_ms counts from the probes' start */
	st->sample = w->sample;
	for (size_t i = 0; i < w->nwhere; i++)
		st->outstanding += w->where[i].s.bytes;
	st->calls = w->calls;
	st->cost_s = (double)w->cost_ns / 1e9;
	st->estimate_s = (double)w->est_ns / 1e9;
	st->target_cpu_s = (double)w->cpu_ns / 1e9;
	st->attach_s = w->first_batch_ns ? (double)(w->first_batch_ns - w->start_ns) / 1e9 : -1;
	st->modules = w->sym ? ht_sym_modules(w->sym) : 0;
}

uint64_t ht_alloc_watch_batches(const struct ht_alloc_watch *w)
{
	return w->batches;
}

size_t ht_alloc_watch_current(const struct ht_alloc_watch *w, struct ht_alloc_site *out,
			      size_t max)
{
	return ht_alloc_sites_get(w->sites, out, max, NULL);
}

void ht_alloc_watch_symbol(const struct ht_alloc_watch *w, uint64_t addr, char *buf,
			   size_t size)
{
	struct ht_sym_site site;

	if (!w->sym || ht_sym_lookup(w->sym, addr, 1, &site) < 0) {
		memset(&site, 0, sizeof(site));
		site.addr = addr;
	}
	ht_sym_format(&site, buf, size);
}

void ht_alloc_watch_free(struct ht_alloc_watch *w)
{
	if (!w)
		return;
	ht_supervisor_free(w->sv);
	ht_stream_free(w->stream);
	ht_alloc_sites_free(w->sites);
	ht_sym_free(w->sym);
	free(w->where);
	if (w->tee)
		fclose(w->tee);
	free(w);
}
