/* healthtap report: reading history DBs into the report model. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "ht_buf.h"
#include "ht_proc_age.h"
#include "ht_store.h"
#include "ht_trend.h"
#include "report.h"

#define TARGET_POINTS 600		/* per series: enough for a chart */
#define MAX_NAMED 50			/* processes charted when named */
#define MS_PER_HOUR 3600000.0

struct host_ref {
	int64_t id;
	char name[128];
};

struct host_list {
	struct host_ref *v;
	size_t n, cap;
};

static int add_host(void *ctx, const struct ht_store_host *h)
{
	struct host_list *l = ctx;
	struct host_ref *v;

	if (ht_grow(l->v, l->cap, l->n + 1))
		return -ENOMEM;
	v = &l->v[l->n++];
	v->id = h->id;
	snprintf(v->name, sizeof(v->name), "%s", h->name);
	return 0;
}

/* "" (the edge of the data), "2h" (before the last sample), "@EPOCH" (s). */
static int parse_edge(const char *text, int64_t last_ms, int64_t dflt, int64_t *out)
{
	int64_t v;

	if (!text || !*text) {
		*out = dflt;
		return 0;
	}
	if (text[0] == '@') {
		if (ht_parse_count(text + 1, &v))
			return -EINVAL;
		*out = v * 1000;
		return 0;
	}
	if (ht_parse_duration_ms(text, &v))
		return -EINVAL;
	*out = last_ms - v;
	return 0;
}

static int64_t pick_step(int64_t since, int64_t until)
{
	int64_t step = (until - since) / TARGET_POINTS;

	step = (step / 1000) * 1000;
	return step < 1000 ? 0 : step;	/* short windows: the stored points */
}

static double hours(int64_t t_ms, int64_t since)
{
	return (double)(t_ms - since) / MS_PER_HOUR;
}

/* ---- system series ---- */

struct series_ref {
	int64_t id;
	char name[64], labels[64], unit[16];
};

struct series_list {
	struct series_ref *v;
	size_t n, cap;
};

static int add_series(void *ctx, const struct ht_store_series_info *s)
{
	struct series_list *l = ctx;
	struct series_ref *v;

	if (ht_grow(l->v, l->cap, l->n + 1))
		return -ENOMEM;
	v = &l->v[l->n++];
	v->id = s->id;
	snprintf(v->name, sizeof(v->name), "%s", s->name);
	snprintf(v->labels, sizeof(v->labels), "%s", s->labels);
	snprintf(v->unit, sizeof(v->unit), "%s", s->unit);
	return 0;
}

/* Slope (per second), R^2, Mann-Kendall p and a word for the trend. */
static void line_trend(struct report_line *l)
{
	struct ht_point *sec = malloc((l->n + 1) * sizeof(*sec));
	struct ht_fit fit;
	struct ht_mk mk;

	l->slope_per_s = l->r2 = l->mk_p = NAN;
	l->verdict = "too few points";
	if (!sec)
		return;
	for (size_t i = 0; i < l->n; i++)
		sec[i] = (struct ht_point){ l->pts[i].t * 3600.0, l->pts[i].v };
	if (l->n >= 3 && ht_trend_ols(sec, l->n, 0.95, &fit) == 0 &&
	    ht_trend_mann_kendall(sec, l->n, &mk) == 0) {
		l->slope_per_s = fit.slope;
		l->r2 = fit.r2;
		l->mk_p = mk.p;
		/* Significant but a poor fit (a cycle, noise): not a trend. */
		int sig = mk.p < 0.05 && (fit.lo > 0 || fit.hi < 0);
		l->verdict = !sig ? "flat" : !(fit.r2 >= 0.5) ? "noisy" :
			     fit.slope > 0 ? "rising" : "falling";
	}
	free(sec);
}

static int read_line(struct ht_store *st, const struct series_ref *ref,
		     int64_t since, int64_t until, struct report_line *l)
{
	struct ht_store_point *p = NULL;
	size_t n = 0;
	int err = ht_store_sys_series(st, ref->id, since, until, pick_step(since, until), &p, &n);

	memset(l, 0, sizeof(*l));
	if (err)
		return err;
	snprintf(l->name, sizeof(l->name), "%s%s%s", ref->name, ref->labels[0] ? " " : "",
		 ref->labels);
	snprintf(l->unit, sizeof(l->unit), "%s", ref->unit);
	l->pts = malloc((n + 1) * sizeof(*l->pts));
	if (!l->pts) {
		free(p);
		return -ENOMEM;
	}
	l->min = INFINITY;
	l->max = -INFINITY;
	l->first_ms = l->last_ms = -1;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(p[i].v))
			continue;
		l->pts[l->n++] = (struct ht_point){ hours(p[i].t_ms, since), p[i].v };
		l->min = fmin(l->min, p[i].v);
		l->max = fmax(l->max, p[i].v);
		l->mean += p[i].v;
		if (l->first_ms < 0)
			l->first_ms = p[i].t_ms;
		l->last_ms = p[i].t_ms;
	}
	l->mean = l->n ? l->mean / (double)l->n : 0;
	free(p);
	line_trend(l);
	return 0;
}

/* The lines of one series name whose points are kept: the busiest. */
struct busiest {
	size_t idx[REPORT_CHART_LINES + 2];
	size_t n;
};

/* Line i joins its name's busiest; beyond REPORT_CHART_LINES + 1 the
 * least busy of them drops its points (kept: its trend, mean and span). */
static void keep_busiest(struct report_host *h, struct busiest *b, size_t i)
{
	size_t low = 0;
	struct report_line *l;

	b->idx[b->n++] = i;
	if (b->n <= REPORT_CHART_LINES + 1)
		return;
	for (size_t k = 1; k < b->n; k++)
		if (h->lines[b->idx[k]].mean < h->lines[b->idx[low]].mean)
			low = k;
	l = &h->lines[b->idx[low]];
	free(l->pts);
	l->pts = NULL;
	l->n = 0;
	b->idx[low] = b->idx[--b->n];
}

static int collect_lines(struct ht_store *st, struct report_host *h, int64_t host_id,
			 int64_t since, int64_t until)
{
	struct series_list sl = { 0 };
	struct busiest b = { .n = 0 };
	int err = ht_store_series(st, host_id, "", add_series, &sl);

	if (!err && sl.n) {
		h->lines = calloc(sl.n, sizeof(*h->lines));
		err = h->lines ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !err && i < sl.n; i++) {
		/* the series come by name: a new name, a new group */
		if (i && strcmp(sl.v[i].name, sl.v[i - 1].name))
			b.n = 0;
		err = read_line(st, &sl.v[i], since, until, &h->lines[h->nlines]);
		if (!err)
			keep_busiest(h, &b, h->nlines++);
	}
	free(sl.v);
	return err;
}

/* ---- processes ---- */

struct proc_ref {
	int64_t id, first_ms, last_ms;
	double age_s;			/* at its last sample in the window */
	int pid;
	char comm[64], cmdline[256];
};

struct proc_list {
	const struct report_opts *o;
	int64_t until_ms;
	struct ht_proc_ages ages;	/* real ages from start times */
	struct proc_ref *v;
	size_t n, cap;
};

static int wanted(const struct report_opts *o, const struct ht_store_proc_info *p)
{
	if (o->npids == 0 && o->nnames == 0)
		return 1;
	for (size_t i = 0; i < o->npids; i++)
		if (o->pids[i] == p->pid)
			return 1;
	for (size_t i = 0; i < o->nnames; i++)
		if (!strcmp(o->names[i], p->comm))
			return 1;
	return 0;
}

static int add_proc(void *ctx, const struct ht_store_proc_info *p)
{
	struct proc_list *l = ctx;
	struct proc_ref *v;

	if (!wanted(l->o, p))
		return 0;
	if (ht_grow(l->v, l->cap, l->n + 1))
		return -ENOMEM;
	v = &l->v[l->n++];
	*v = (struct proc_ref){ p->id, p->first_ms, p->last_ms, NAN, p->pid, "", "" };
	v->age_s = ht_proc_age(&l->ages, p, p->last_ms < l->until_ms ? p->last_ms : l->until_ms);
	snprintf(v->comm, sizeof(v->comm), "%s", p->comm);
	snprintf(v->cmdline, sizeof(v->cmdline), "%s", p->cmdline);
	return 0;
}

static double last_value(const struct report_host *h, const char *name)
{
	const struct report_line *l = report_find_line(h, name);

	return l && l->n ? l->pts[l->n - 1].v : NAN;
}

static void analyze_proc(const struct report_host *h, const struct proc_ref *ref,
			 struct report_proc *rp)
{
	struct ht_point *sec = malloc((rp->n + 1) * sizeof(*sec));
	struct ht_leak_subject subj;
	double avail = last_value(h, HT_SYS_MEM_AVAILABLE);

	ht_leak_subject_init(&subj);
	subj.age_s = ref->age_s;
	subj.mem_available = isfinite(avail) ? (int64_t)avail : -1;
	if (rp->n)
		subj.anon = (int64_t)rp->anon[rp->n - 1].v;
	memset(&rp->leak, 0, sizeof(rp->leak));
	rp->leak.verdict = HT_LEAK_INCONCLUSIVE;
	rp->leak.rate = rp->leak.r2 = NAN;
	if (!sec)
		return;
	/* Times count from the window's start, in seconds. */
	for (size_t i = 0; i < rp->n; i++)
		sec[i] = (struct ht_point){ rp->rss[i].t * 3600.0, rp->rss[i].v };
	ht_leak_analyze(sec, rp->n, &subj, NULL, &rp->leak);
	free(sec);
	rp->risk = (rp->leak.verdict == HT_LEAK_YES ? 1e15 : 0) +
		   (isfinite(rp->leak.rate) && rp->leak.rate > 0 ?
		    rp->leak.rate * (isfinite(rp->leak.r2) ? rp->leak.r2 : 0) : 0);
}

static int read_proc(struct ht_store *st, const struct report_host *h,
		     const struct proc_ref *ref, int64_t since, int64_t until,
		     struct report_proc *rp)
{
	struct ht_store_proc_point *p = NULL;
	size_t n = 0;
	int err = ht_store_proc_series(st, ref->id, since, until, pick_step(since, until), &p, &n);

	memset(rp, 0, sizeof(*rp));
	if (err)
		return err;
	rp->id = ref->id;
	rp->pid = ref->pid;
	snprintf(rp->comm, sizeof(rp->comm), "%s", ref->comm);
	snprintf(rp->cmdline, sizeof(rp->cmdline), "%s", ref->cmdline);
	rp->rss = malloc((n + 1) * sizeof(*rp->rss));
	rp->anon = malloc((n + 1) * sizeof(*rp->anon));
	if (!rp->rss || !rp->anon) {
		free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i].rss < 0)
			continue;
		rp->rss[rp->n] = (struct ht_point){ hours(p[i].t_ms, since), (double)p[i].rss };
		rp->anon[rp->n] = (struct ht_point){ rp->rss[rp->n].t,
						     p[i].anon >= 0 ? (double)p[i].anon : NAN };
		rp->n++;
	}
	free(p);
	analyze_proc(h, ref, rp);
	return 0;
}

static int by_risk(const void *a, const void *b)
{
	const struct report_proc *x = a, *y = b;

	if (x->risk != y->risk)
		return x->risk < y->risk ? 1 : -1;
	return x->pid - y->pid;
}

static int collect_procs(struct ht_store *st, const struct report_opts *o,
			 struct report_host *h, int64_t host_id, int64_t since, int64_t until)
{
	struct ht_store_proc_filter f = { .host_id = host_id, .since_ms = since, .until_ms = until };
	struct proc_list pl = { .o = o, .until_ms = until };
	/* the recorder's interval is not known here: 5 s, its default */
	int err = ht_proc_ages_scan(&pl.ages, st, NULL, 5000);

	if (!err)
		err = ht_store_procs(st, &f, add_proc, &pl);

	if (!err && pl.n) {
		h->procs = calloc(pl.n, sizeof(*h->procs));
		err = h->procs ? 0 : -ENOMEM;
	}
	for (size_t i = 0; !err && i < pl.n; i++) {
		err = read_proc(st, h, &pl.v[i], since, until, &h->procs[h->nprocs]);
		if (!err && h->procs[h->nprocs].n > 0)
			h->nprocs++;
		else if (!err) {
			free(h->procs[h->nprocs].rss);
			free(h->procs[h->nprocs].anon);
		}
	}
	free(pl.v);
	if (err)
		return err;
	qsort(h->procs, h->nprocs, sizeof(*h->procs), by_risk);
	h->ninterest = o->npids || o->nnames ? h->nprocs : o->top;
	if (h->ninterest > h->nprocs)
		h->ninterest = h->nprocs;
	if (h->ninterest > MAX_NAMED)
		h->ninterest = MAX_NAMED;
	return 0;
}

/* ---- hosts and DBs ---- */

static int collect_host(struct ht_store *st, const struct report_opts *o,
			const struct host_ref *ref, struct report_host *h,
			char *err, size_t errsize)
{
	int64_t first, last, since, until;
	int rc = ht_store_time_range(st, ref->id, &first, &last);

	snprintf(h->name, sizeof(h->name), "%s", ref->name);
	if (rc == -ENOENT)
		return 1;	/* a host without samples: nothing to show */
	if (rc) {
		snprintf(err, errsize, "cannot read host %s: %s", ref->name, ht_store_error(st));
		return rc;
	}
	if ((parse_edge(o->since, last, first, &since) ||
			parse_edge(o->until, last, last, &until))) {
		snprintf(err, errsize, "bad --since or --until (a duration such as 2h, or @EPOCH)");
		return -EINVAL;
	}
	if (until <= since) {
		snprintf(err, errsize, "the report window is empty (--since is not before --until)");
		return -EINVAL;
	}
	h->first_ms = since;
	h->last_ms = until;
	rc = collect_lines(st, h, ref->id, since, until);
	if (!rc)
		rc = collect_procs(st, o, h, ref->id, since, until);
	if (rc)
		snprintf(err, errsize, "cannot read host %s: %s", ref->name, ht_store_error(st));
	return rc;
}

static int collect_db(const struct report_opts *o, const char *path, struct report *r,
		      char *err, size_t errsize)
{
	struct ht_store_opts so;
	struct ht_store *st = NULL;
	struct host_list hl = { 0 };
	char msg[512];
	int rc;

	ht_store_opts_default(&so);
	so.path = path;
	so.flags = HT_STORE_READONLY;
	rc = ht_store_open(&so, &st, msg, sizeof(msg));
	if (rc) {
		snprintf(err, errsize, "%s", msg);
		return rc;
	}
	rc = ht_store_hosts(st, add_host, &hl);
	for (size_t i = 0; !rc && i < hl.n; i++) {
		struct report_host *hs;

		if (ht_grow(r->hosts, r->hosts_cap, r->nhosts + 1)) {
			rc = -ENOMEM;
			break;
		}
		hs = r->hosts;
		memset(&hs[r->nhosts], 0, sizeof(*hs));
		hs[r->nhosts].db = path;
		rc = collect_host(st, o, &hl.v[i], &hs[r->nhosts], err, errsize);
		if (rc == 0)
			r->nhosts++;
		else if (rc == 1)
			rc = 0;
	}
	free(hl.v);
	ht_store_close(st);
	return rc;
}

int report_collect(const struct report_opts *o, struct report *r, char *err, size_t errsize)
{
	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < o->ndbs; i++) {
		int rc = collect_db(o, o->dbs[i], r, err, errsize);
		if (rc)
			return rc;
	}
	if (r->nhosts == 0) {
		snprintf(err, errsize, "no samples in %s", o->ndbs == 1 ? o->dbs[0] : "the databases");
		return -ENODATA;
	}
	return 0;
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nhosts; i++) {
		struct report_host *h = &r->hosts[i];
		for (size_t j = 0; j < h->nlines; j++)
			free(h->lines[j].pts);
		for (size_t j = 0; j < h->nprocs; j++) {
			free(h->procs[j].rss);
			free(h->procs[j].anon);
		}
		free(h->lines);
		free(h->procs);
	}
	free(r->hosts);
	memset(r, 0, sizeof(*r));
}

const struct report_line *report_find_line(const struct report_host *h, const char *name)
{
	for (size_t i = 0; i < h->nlines; i++)
		if (!strcmp(h->lines[i].name, name))
			return &h->lines[i];
	return NULL;
}
