/* healthtap report: the charts, as data for the project's gnuplot scripts. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "ht_store.h"
#include "ht_trend.h"
#include "report.h"

#define FORECAST_SPANS 4.0	/* show a crossing up to 4 windows ahead */

struct chart_job {
	const struct report_opts *o;
	enum ht_chart_format fmt;
	void (*on_chart)(void *ctx, size_t host, const char *title, const char *file);
	void *ctx;
	char *err;
	size_t errsize;
};

/* Seconds since the epoch of t hours into h's window: the charts' x. */
static double wall_s(const struct report_host *h, double t_hours)
{
	return (double)h->first_ms / 1000.0 + t_hours * 3600.0;
}

static void utc_date(char *buf, size_t size, double epoch_s)
{
	time_t t = (time_t)floor(epoch_s);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d", &tm);
}

/* The length of epoch_s in the strftime format f (a tick label). */
static size_t utc_strlen(const char *f, double epoch_s)
{
	char buf[64];
	time_t t = (time_t)floor(epoch_s);
	struct tm tm;

	gmtime_r(&t, &tm);
	return strftime(buf, sizeof(buf), f, &tm);
}

/* Tick steps a reader counts in, seconds: 1 s up to 4 weeks. */
static const double tick_steps[] = {
	1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
	86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400,
};

/* The smallest step that leaves room for each tick's label: a label of
 * label_chars and two blanks between two ticks, along width_chars, at
 * most 8 gaps; 0: none fits (gnuplot's own choice). */
static double tick_step(double span, int width_chars, size_t label_chars)
{
	/* and no more than 8 gaps: a reader reads ticks, not a ruler */
	double max_gaps = fmin(8, floor((double)width_chars / (double)(label_chars + 2)));

	for (size_t i = 0; i < sizeof(tick_steps) / sizeof(tick_steps[0]); i++)
		if (floor(span / tick_steps[i]) <= max_gaps)
			return tick_steps[i];
	return 0;
}

void report_time_axis(double from_s, double to_s, int width_chars, char *fmt, size_t fmtsize,
		      double *step_s, char *label, size_t labelsize)
{
	double span = to_s - from_s;
	char d0[16], d1[16];
	const char *f;

	utc_date(d0, sizeof(d0), from_s);
	utc_date(d1, sizeof(d1), to_s);
	if (span > 8 * 86400.0)
		f = "%b %d";		/* "Nov 22" */
	else if (span >= 20 * 3600.0)
		f = "%a %H:%M";		/* "Sat 12:00": the label has the dates */
	else
		f = span <= 600 ? "%H:%M:%S" : "%H:%M";
	*step_s = tick_step(span, width_chars, utc_strlen(f, from_s));
	/* whole days: the date alone (ticks fall on UTC midnights) */
	if (*step_s >= 86400)
		f = "%b %d";
	snprintf(fmt, fmtsize, "%s", f);
	if (strcmp(d0, d1))
		snprintf(label, labelsize, "%s (UTC), %s to %s", span >= 20 * 3600.0 ?
			 "date and time" : "time", d0, d1);
	else
		snprintf(label, labelsize, "time (UTC), %s", d0);
}

void report_xlabel(const struct report_host *h, char *buf, size_t size)
{
	char fmt[32];
	double step;

	report_time_axis(wall_s(h, 0), (double)h->last_ms / 1000.0, 0, fmt, sizeof(fmt), &step,
			 buf, size);
}

static double span_hours(const struct report_host *h)
{
	double s = (double)(h->last_ms - h->first_ms) / 3600000.0;

	return s > 0 ? s : 1.0 / 60;
}

/* Appends the line NAME = 'V' (V may come from a process or a stream). */
static void put_var_str(char *buf, size_t size, const char *name, const char *v)
{
	size_t len = strlen(buf);
	int k = snprintf(buf + len, size - len, "%s = ", name);

	if (k < 0 || (size_t)k + 4 > size - len) {	/* no room for '' and \n */
		buf[len] = '\0';
		return;
	}
	len += (size_t)k;
	ht_chart_quote(buf + len, size - len - 1, v);
	len += strlen(buf + len);
	buf[len++] = '\n';
	buf[len] = '\0';
}

static void put_var_num(char *buf, size_t size, const char *name, double v)
{
	size_t len = strlen(buf);

	if (isfinite(v))
		snprintf(buf + len, size - len, "%s = %.17g\n", name, v);
	else
		snprintf(buf + len, size - len, "%s = NaN\n", name);
}

/* Characters along a chart's time axis: what tick labels may fill without
 * running together. The terminals (chart.c's sizes) are 100 columns, or
 * 900 px at ~7.5 px a character; the y tick labels take 12 and a key
 * beside the plot its longest title and sample (key_chars: 0 for a key
 * inside the plot). */
static int axis_chars(enum ht_chart_format fmt, int key_chars)
{
	return (fmt == HT_CHART_DUMB ? 100 : 120) - 12 - (key_chars ? key_chars + 10 : 4);
}

/* The time axis of a chart of h over xmax_hours: xmin and xmax (seconds
 * since the epoch), xformat (the tick format), xstep (seconds between
 * ticks, 0: gnuplot's own) and xlabel_text. */
static void put_axis(char *buf, size_t size, const struct chart_job *j,
		     const struct report_host *h, double xmax_hours, int key_chars)
{
	char fmt[32], label[96];
	double step;

	if (!(xmax_hours >= 1.0 / 60))
		xmax_hours = 1.0 / 60;	/* a minute at least: a lone sample's axis has ticks */
	report_time_axis(wall_s(h, 0), wall_s(h, xmax_hours), axis_chars(j->fmt, key_chars), fmt,
			 sizeof(fmt), &step, label, sizeof(label));
	put_var_num(buf, size, "xmin", wall_s(h, 0));
	put_var_num(buf, size, "xmax", wall_s(h, xmax_hours));
	put_var_num(buf, size, "xstep", step);
	put_var_str(buf, size, "xformat", fmt);
	put_var_str(buf, size, "xlabel_text", label);
}

/* File-name safe copy of a host name. */
static void safe_name(char *out, size_t size, const char *in)
{
	size_t i = 0;

	for (; *in && i + 1 < size; in++)
		out[i++] = (isalnum((unsigned char)*in) || *in == '-' || *in == '.') ? *in : '_';
	out[i] = '\0';
}

static int render(struct chart_job *j, size_t host, const char *name,
		  const struct ht_chart *c)
{
	char file[4096];
	int rc = ht_chart_render(j->o->out_dir, name, c, j->fmt, j->err, j->errsize);

	if (rc)
		return rc;
	snprintf(file, sizeof(file), "%s/%s.%s", j->o->out_dir, name, ht_chart_format_ext(j->fmt));
	if (!j->o->keep) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s.dat", j->o->out_dir, name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s.gp", j->o->out_dir, name);
		unlink(path);
	}
	if (j->on_chart)
		j->on_chart(j->ctx, host, c->title, file);
	return 0;
}

/* ---- a process ---- */

/* v to 9 significant digits: a steady rate's float noise (1e-12 B/s)
 * would otherwise be charted as a change, and gnuplot cannot tick a range
 * that narrow. */
static double round_sig(double v)
{
	if (!isfinite(v) || v == 0)
		return v;
	double m = pow(10.0, 9 - ceil(log10(fabs(v))));
	return round(v * m) / m;
}

/* Allocation rate (B/s, smoothed over 5 points) and its change (B/s²). */
static void rates(const struct report_proc *p, double *rate, double *accel)
{
	double *raw = calloc(p->n + 1, sizeof(*raw));

	for (size_t i = 0; i < p->n; i++) {
		double dt = i ? (p->rss[i].t - p->rss[i - 1].t) * 3600.0 : 0;
		raw[i] = raw && dt > 0 ? (p->rss[i].v - p->rss[i - 1].v) / dt : NAN;
	}
	for (size_t i = 0; i < p->n; i++) {
		double sum = 0;
		int k = 0;
		for (size_t w = i >= 4 ? i - 4 : 0; raw && w <= i; w++)
			if (isfinite(raw[w]))
				sum += raw[w], k++;
		rate[i] = k ? round_sig(sum / k) : NAN;
		double dt = i ? (p->rss[i].t - p->rss[i - 1].t) * 3600.0 : 0;
		accel[i] = i && dt > 0 ? (rate[i] - rate[i - 1]) / dt : NAN;
	}
	free(raw);
}

static void steps_list(const struct report_host *h, const struct report_proc *p, char *buf,
		       size_t size)
{
	struct ht_step steps[HT_TREND_MAX_STEPS];
	size_t nsteps = 0, len = 0;

	double lo = INFINITY, hi = -INFINITY;

	buf[0] = '\0';
	if (p->leak.nsteps == 0)
		return;
	for (size_t i = 0; i < p->n; i++)
		lo = fmin(lo, p->rss[i].v), hi = fmax(hi, p->rss[i].v);
	/* A series without noise makes page rounding look like jumps: a step
	 * worth marking is at least 1 MiB and 5% of the range. */
	if (ht_trend_steps(p->rss, p->n, 0, fmax(1048576.0, 0.05 * (hi - lo)), steps,
			   HT_TREND_MAX_STEPS, &nsteps) != 0)
		return;
	for (size_t i = 0; i < nsteps && i < HT_TREND_MAX_STEPS && len + 24 < size; i++)
		if (steps[i].size > 0)
			len += (size_t)snprintf(buf + len, size - len, "%s%.3f", len ? " " : "",
						wall_s(h, steps[i].t));
}

static int proc_chart(struct chart_job *j, const struct report_host *h, size_t hi,
		      const struct report_proc *p)
{
	double *rows = calloc(p->n + 1, 8 * sizeof(double));
	double *rate = calloc(p->n + 1, sizeof(double)), *accel = calloc(p->n + 1, sizeof(double));
	double t_last = p->n ? p->rss[p->n - 1].t : 0, v_last = p->n ? p->rss[p->n - 1].v : 0;
	double slope_h = p->leak.rate * 3600.0, xmax = span_hours(h), limit = NAN;
	double rate_points = 0, change_points = 0;
	char title[256], steps[512], name[192], host[128], vars[2048] = "";
	struct ht_chart c = { "process", title, "time(s since the epoch) rss anon fit band_lo band_hi "
			      "rate(B/s) rate_change(B/s^2)", rows, p->n, 8, vars };
	int rc = -ENOMEM;

	if (!rows || !rate || !accel)
		goto cleanup;
	rates(p, rate, accel);
	for (size_t i = 0; i < p->n; i++) {
		double dt = p->rss[i].t - t_last, *r = &rows[i * 8];
		rate_points += isfinite(rate[i]), change_points += isfinite(accel[i]);
		r[0] = wall_s(h, p->rss[i].t), r[1] = p->rss[i].v, r[2] = p->anon[i].v;
		r[3] = isfinite(slope_h) ? v_last + slope_h * dt : NAN;
		r[4] = isfinite(p->leak.rate_lo) ? v_last + p->leak.rate_lo * 3600.0 * dt : NAN;
		r[5] = isfinite(p->leak.rate_hi) ? v_last + p->leak.rate_hi * 3600.0 * dt : NAN;
		r[6] = rate[i], r[7] = accel[i];
	}
	if (isfinite(p->leak.eta.point) && p->leak.limit_bytes > 0 && p->leak.rate > 0) {
		double cross = t_last + p->leak.eta.point / 3600.0;
		if (cross <= xmax * FORECAST_SPANS) {
			xmax = fmax(xmax, cross * 1.05);
			limit = (double)p->leak.limit_bytes;
		}
	}
	steps_list(h, p, steps, sizeof(steps));
	snprintf(title, sizeof(title), "%s: %s (pid %d) %s, %s", h->name, p->comm, p->pid,
		 ht_leak_verdict_name(p->leak.verdict), ht_leak_reason_name(p->leak.reason));
	put_axis(vars, sizeof(vars), j, h, xmax, 16);	/* process.gp's right margin */
	put_var_str(vars, sizeof(vars), "steps_t", steps);
	put_var_num(vars, sizeof(vars), "fit_t0", wall_s(h, t_last));
	put_var_num(vars, sizeof(vars), "fit_v0", v_last);
	put_var_num(vars, sizeof(vars), "fit_slope", p->leak.rate > 0 ? p->leak.rate : NAN);
	put_var_num(vars, sizeof(vars), "limit_bytes", limit);
	put_var_num(vars, sizeof(vars), "rate_points", rate_points);
	put_var_num(vars, sizeof(vars), "change_points", change_points);
	safe_name(host, sizeof(host), h->name);
	snprintf(name, sizeof(name), "%s-proc-%d-%lld", host, p->pid, (long long)p->id);
	rc = render(j, hi, name, &c);
cleanup:
	free(rows);
	free(rate);
	free(accel);
	return rc;
}

/* ---- host charts ---- */

/* The value of l at t: the latest point at or before t (NAN before any). */
static double value_at(const struct report_line *l, double t)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->pts[mid].t <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? l->pts[lo - 1].v : NAN;
}

static int memory_chart(struct chart_job *j, const struct report_host *h, size_t hi)
{
	const struct report_line *avail = report_find_line(h, HT_SYS_MEM_AVAILABLE);
	const struct report_line *total = report_find_line(h, HT_SYS_MEM_TOTAL);
	char title[256], name[192], host[128], vars[1024] = "";
	struct ht_chart c = { "memory", title, "time(s since the epoch) mem_total mem_available used", NULL,
			      0, 4, vars };
	double *rows, slope = NAN, xmax = span_hours(h);
	int rc;

	if (!avail || avail->n == 0)
		return 0;
	rows = calloc(avail->n, 4 * sizeof(double));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < avail->n; i++) {
		double tot = total ? value_at(total, avail->pts[i].t) : NAN;
		double *r = &rows[i * 4];
		r[0] = wall_s(h, avail->pts[i].t), r[1] = tot, r[2] = avail->pts[i].v;
		r[3] = isfinite(tot) ? tot - avail->pts[i].v : NAN;
	}
	c.data = rows;
	c.rows = avail->n;
	if (!strcmp(avail->verdict, "falling")) {
		slope = avail->slope_per_s;
		double zero = avail->pts[avail->n - 1].t - avail->pts[avail->n - 1].v / (slope * 3600.0);
		if (zero <= xmax * FORECAST_SPANS)
			xmax = fmax(xmax, zero * 1.05);
	}
	snprintf(title, sizeof(title), "%s: memory and MemAvailable", h->name);
	put_axis(vars, sizeof(vars), j, h, xmax, 0);
	put_var_num(vars, sizeof(vars), "fit_t0", wall_s(h, avail->pts[avail->n - 1].t));
	put_var_num(vars, sizeof(vars), "fit_v0", avail->pts[avail->n - 1].v);
	put_var_num(vars, sizeof(vars), "fit_slope", slope);
	safe_name(host, sizeof(host), h->name);
	snprintf(name, sizeof(name), "%s-memory", host);
	rc = render(j, hi, name, &c);
	free(rows);
	return rc;
}

static int by_mean_desc(const void *a, const void *b)
{
	double x = (*(const struct report_line *const *)a)->mean;
	double y = (*(const struct report_line *const *)b)->mean;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Lines of h whose name starts with prefix, the busiest first, at most max. */
static size_t pick_lines(const struct report_host *h, const char *prefix,
			 const struct report_line **out, size_t max)
{
	const struct report_line **all = calloc(h->nlines + 1, sizeof(*all));
	size_t n = 0;

	if (!all)
		return 0;
	for (size_t i = 0; i < h->nlines; i++)
		if (!strncmp(h->lines[i].name, prefix, strlen(prefix)) && h->lines[i].n)
			all[n++] = &h->lines[i];
	qsort(all, n, sizeof(*all), by_mean_desc);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/* Gnuplot titles are words: spaces become underscores. */
static void add_title(char *buf, size_t size, const char *name, const char *prefix)
{
	size_t len = strlen(buf);
	const char *t = name + strlen(prefix);

	t += strspn(t, " ");
	if (!*t)
		t = name;
	if (len && len + 1 < size)
		buf[len++] = ' ';
	for (; *t && len + 1 < size; t++)
		buf[len++] = *t == ' ' ? '_' : *t;
	buf[len] = '\0';
}

/* The longest of the space-separated words in s (a key's titles). */
static int longest_word(const char *s)
{
	int best = 0;

	while (*s) {
		int n = (int)strcspn(s, " ");
		best = n > best ? n : best;
		s += n;
		s += strspn(s, " ");
	}
	return best;
}

static int lines_chart(struct chart_job *j, const struct report_host *h, size_t hi,
		       const char *prefix, const char *what, const char *ylabel, const char *kind)
{
	const struct report_line *ls[REPORT_CHART_LINES];
	size_t n = pick_lines(h, prefix, ls, REPORT_CHART_LINES), cols = n + 1;
	char title[256], name[192], host[128], titles[1024] = "", vars[2048] = "";
	struct ht_chart c = { "lines", title, "time(s since the epoch) series...", NULL, 0, cols, vars };
	double *rows;
	int rc;

	if (n == 0)
		return 0;
	rows = calloc(ls[0]->n, cols * sizeof(double));
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < ls[0]->n; i++) {
		double t = ls[0]->pts[i].t;
		rows[i * cols] = wall_s(h, t);
		for (size_t k = 0; k < n; k++)
			rows[i * cols + 1 + k] = k ? value_at(ls[k], t) : ls[0]->pts[i].v;
	}
	for (size_t k = 0; k < n; k++)
		add_title(titles, sizeof(titles), ls[k]->name, prefix);
	c.data = rows;
	c.rows = ls[0]->n;
	snprintf(title, sizeof(title), "%s: %s", h->name, what);
	put_axis(vars, sizeof(vars), j, h, span_hours(h), longest_word(titles));
	put_var_str(vars, sizeof(vars), "ylabel_text", ylabel);
	put_var_str(vars, sizeof(vars), "titles", titles);
	put_var_num(vars, sizeof(vars), "ncols", (double)cols);
	safe_name(host, sizeof(host), h->name);
	snprintf(name, sizeof(name), "%s-%s", host, kind);
	rc = render(j, hi, name, &c);
	free(rows);
	return rc;
}

static int host_charts(struct chart_job *j, const struct report_host *h, size_t hi)
{
	static const struct { const char *prefix, *what, *ylabel, *kind; } groups[] = {
		{ HT_SYS_CTXT_RATE, "context switches", "switches (/s)", "ctxt" },
		{ HT_SYS_INTR_RATE, "interrupts (all IRQs)", "interrupts (/s)", "intr" },
		{ "irq_rate", "interrupts, top IRQs", "interrupts (/s)", "irq" },
		{ HT_SYS_SOFTIRQ_RATE " vec=", "softirqs per vector", "softirqs (/s)", "softirq" },
		{ "probe.skb.", "skb alloc, free and outstanding (tapset)", "skbs (count)", "skb" },
		{ HT_SYS_SKB_OUTSTANDING " ", "skbs outstanding (slab allocator)", "skbs (count)",
		  "skb-slab" },
		{ HT_SYS_KMEM " ", "kernel memory (/proc/meminfo)", "memory (bytes)", "kmem" },
		{ HT_SYS_SLAB_CACHE " ", "slab caches, the largest", "memory (bytes)", "slab" },
		{ HT_SYS_PSI, "pressure stall (PSI avg10)", "stalled (% of time)", "psi" },
	};
	int rc = memory_chart(j, h, hi);

	for (size_t g = 0; !rc && g < sizeof(groups) / sizeof(groups[0]); g++)
		rc = lines_chart(j, h, hi, groups[g].prefix, groups[g].what, groups[g].ylabel,
				 groups[g].kind);
	/* Kernel threads and processes that never changed are charted only
	   when asked for by pid or name. */
	for (size_t i = 0; !rc && i < h->ninterest; i++)
		if (j->o->npids || j->o->nnames || !report_proc_omitted(&h->procs[i]))
			rc = proc_chart(j, h, hi, &h->procs[i]);
	return rc;
}

int report_charts(const struct report_opts *o, const struct report *r,
		  enum ht_chart_format fmt,
		  void (*on_chart)(void *ctx, size_t host, const char *title,
				   const char *file),
		  void *ctx, char *err, size_t errsize)
{
	struct chart_job j = { o, fmt, on_chart, ctx, err, errsize };

	for (size_t i = 0; i < r->nhosts; i++) {
		int rc = host_charts(&j, &r->hosts[i], i);
		if (rc)
			return rc;
	}
	return 0;
}
