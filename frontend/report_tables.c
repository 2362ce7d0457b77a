/* healthtap report: trend tables of every series, in four formats. Every
 * format writes the same rows (struct row) through its own row function,
 * into one buffer: CSV and JSON through the output layer's writers. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "fmt.h"
#include "out_csv.h"
#include "out_json.h"
#include "report.h"

struct row {
	const char *host, *series, *unit, *verdict;
	int64_t start_ms, end_ms;
	double min, max, slope, r2;	/* slope per second */
};

/* Every format writes the table into one buffer. */
struct table_out {
	struct ht_buf buf;
	struct out_json json;
};

struct table_fmt {
	void (*begin)(struct table_out *t);
	void (*row)(struct table_out *t, const struct row *r);
	void (*end)(struct table_out *t);
	/* The processes left out, for people (NULL: machine formats,
	   whose readers filter as they like, get no note). */
	void (*omitted)(struct table_out *t, const char *host, size_t kthreads,
			size_t unchanged);
};

static void iso(char *buf, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *report_fmt_value(char *buf, size_t size, double v, const char *unit, int per_s)
{
	size_t len;

	if (!isfinite(v)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (!strcmp(unit, "B")) {
		if (fabs(v) < 0.5)
			v = 0;		/* "0 B/s", not "-0 B/s" */
		len = strlen(fmt_bytes(buf, size, v));
		snprintf(buf + len, size - len, "%s", per_s ? "/s" : "");
	} else if ((!strcmp(unit, "1") || !*unit) && !per_s && fabs(v) < 1e12 && v == floor(v))
		snprintf(buf, size, "%.0f", v);		/* a whole count: 13640, not 1.364e+04 */
	else if (!strcmp(unit, "1") || !*unit)	/* a count */
		snprintf(buf, size, "%.4g%s", v, per_s ? " /s" : "");
	else if (!strcmp(unit, "1/s"))			/* a rate */
		snprintf(buf, size, "%.4g %s", v, per_s ? "/s²" : "/s");
	else
		snprintf(buf, size, "%.4g %s%s", v, unit, per_s ? "/s" : "");
	return buf;
}

int report_proc_omitted(const struct report_proc *p)
{
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < p->n; i++)
		lo = fmin(lo, p->rss[i].v), hi = fmax(hi, p->rss[i].v);
	if (p->n == 0 || (!p->cmdline[0] && hi <= 0))
		return REPORT_KTHREAD;
	return lo == hi ? REPORT_UNCHANGED : REPORT_LISTED;
}

/* The cells people read, host and series made visible-safe (fmt.h). */
struct text_cells {
	char host[64], series[160], start[32], end[32], min[32], max[32], slope[40], r2[16];
};

static void text_cells(struct text_cells *c, const struct row *r)
{
	fmt_visible(c->host, sizeof(c->host), r->host);
	fmt_visible(c->series, sizeof(c->series), r->series);
	iso(c->start, sizeof(c->start), r->start_ms);
	iso(c->end, sizeof(c->end), r->end_ms);
	report_fmt_value(c->min, sizeof(c->min), r->min, r->unit, 0);
	report_fmt_value(c->max, sizeof(c->max), r->max, r->unit, 0);
	report_fmt_value(c->slope, sizeof(c->slope), r->slope, r->unit, 1);
	snprintf(c->r2, sizeof(c->r2), isfinite(r->r2) ? "%.3f" : "-", r->r2);
}

static void text_begin(struct table_out *t)
{
	ht_buf_printf(&t->buf, "%-10s %-34s %-20s %-20s %12s %12s %16s %6s  %s\n", "host",
		      "series", "start", "end", "min", "max", "slope", "R2", "verdict");
}

static void text_row(struct table_out *t, const struct row *r)
{
	struct text_cells c;

	text_cells(&c, r);
	ht_buf_printf(&t->buf, "%-10s %-34.34s %-20s %-20s %12s %12s %16s %6s  %s\n", c.host,
		      c.series, c.start, c.end, c.min, c.max, c.slope, c.r2, r->verdict);
}

static void text_omitted(struct table_out *t, const char *host, size_t kthreads,
			 size_t unchanged)
{
	char h[64];

	if (kthreads + unchanged)
		ht_buf_printf(&t->buf, "not listed on %s: %zu kernel threads, %zu processes whose "
			      "RSS never changed\n", fmt_visible(h, sizeof(h), host), kthreads,
			      unchanged);
}

static void md_omitted(struct table_out *t, const char *host, size_t kthreads,
		       size_t unchanged)
{
	char h[64];

	if (kthreads + unchanged)
		ht_buf_printf(&t->buf, "\nNot listed on %s: %zu kernel threads, %zu processes whose "
			      "RSS never changed\n", fmt_visible(h, sizeof(h), host), kthreads,
			      unchanged);
}

static void md_begin(struct table_out *t)
{
	ht_buf_puts(&t->buf, "| host | series | start | end | min | max | slope | R² | verdict |\n"
			     "|---|---|---|---|---:|---:|---:|---:|---|\n");
}

static void md_row(struct table_out *t, const struct row *r)
{
	struct text_cells c;

	text_cells(&c, r);
	ht_buf_printf(&t->buf, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", c.host,
		      c.series, c.start, c.end, c.min, c.max, c.slope, c.r2, r->verdict);
}

static void csv_begin(struct table_out *t)
{
	ht_buf_puts(&t->buf, "host,series,unit,start,end,min,max,slope_per_s,r2,verdict\n");
}

static void csv_row(struct table_out *t, const struct row *r)
{
	char s[32], e[32];
	struct out_csv c;

	iso(s, sizeof(s), r->start_ms);
	iso(e, sizeof(e), r->end_ms);
	out_csv_init(&c, &t->buf);
	out_csv_str(&c, r->host);
	out_csv_str(&c, r->series);
	out_csv_word(&c, r->unit);
	out_csv_word(&c, s);
	out_csv_word(&c, e);
	out_csv_double(&c, r->min);
	out_csv_double(&c, r->max);
	out_csv_double(&c, r->slope);
	out_csv_double(&c, r->r2);
	out_csv_str(&c, r->verdict);
	out_csv_end(&c);
}

static void json_begin(struct table_out *t)
{
	out_json_init(&t->json, &t->buf);
	out_json_array(&t->json, NULL);
}

static void json_row(struct table_out *t, const struct row *r)
{
	char s[32], e[32];
	struct out_json *j = &t->json;

	iso(s, sizeof(s), r->start_ms);
	iso(e, sizeof(e), r->end_ms);
	out_json_newline(j);
	out_json_object(j, NULL);
	out_json_str(j, "host", r->host);
	out_json_str(j, "series", r->series);
	out_json_str(j, "unit", r->unit);
	out_json_str(j, "start", s);
	out_json_str(j, "end", e);
	out_json_double(j, "min", r->min);
	out_json_double(j, "max", r->max);
	out_json_double(j, "slope_per_s", r->slope);
	out_json_double(j, "r2", r->r2);
	out_json_str(j, "verdict", r->verdict);
	out_json_end(j);
}

static void json_end(struct table_out *t)
{
	out_json_newline(&t->json);
	out_json_end(&t->json);
	out_json_newline(&t->json);
}

static const struct table_fmt formats[] = {
	[TABLE_TEXT] = { text_begin, text_row, NULL, text_omitted },
	[TABLE_MARKDOWN] = { md_begin, md_row, NULL, md_omitted },
	[TABLE_CSV] = { csv_begin, csv_row, NULL, NULL },
	[TABLE_JSON] = { json_begin, json_row, json_end, NULL },
};

static void series_min_max(const struct ht_point *p, size_t n, double *mn, double *mx)
{
	*mn = INFINITY;
	*mx = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		*mn = fmin(*mn, p[i].v);
		*mx = fmax(*mx, p[i].v);
	}
	if (n == 0)
		*mn = *mx = NAN;
}

/* The first and last sample times of a series, in ms. */
static void series_span(const struct report_host *h, const struct ht_point *p, size_t n,
			int64_t *start, int64_t *end)
{
	*start = n ? h->first_ms + (int64_t)llround(p[0].t * 3600000.0) : h->first_ms;
	*end = n ? h->first_ms + (int64_t)llround(p[n - 1].t * 3600000.0) : h->last_ms;
}

void report_table(FILE *out, const struct report *r, enum report_table_format f)
{
	const struct table_fmt *fmt = &formats[f];
	struct table_out t;

	memset(&t, 0, sizeof(t));
	fmt->begin(&t);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct report_host *h = &r->hosts[i];
		for (size_t k = 0; k < h->nlines; k++) {
			const struct report_line *l = &h->lines[k];
			struct row row = { h->name, l->name, l->unit, l->verdict, 0, 0,
					   l->min, l->max, l->slope_per_s, l->r2 };
			row.start_ms = l->first_ms >= 0 ? l->first_ms : h->first_ms;
			row.end_ms = l->last_ms >= 0 ? l->last_ms : h->last_ms;
			fmt->row(&t, &row);
		}
		for (size_t k = 0; k < h->nprocs; k++) {
			const struct report_proc *p = &h->procs[k];
			char name[128];
			if (report_proc_omitted(p))
				continue;
			struct row row = { h->name, name, "B", ht_leak_verdict_name(p->leak.verdict),
					   h->first_ms, h->last_ms, 0, 0, p->leak.rate, p->leak.r2 };
			snprintf(name, sizeof(name), "rss %s pid=%d", p->comm, p->pid);
			series_span(h, p->rss, p->n, &row.start_ms, &row.end_ms);
			series_min_max(p->rss, p->n, &row.min, &row.max);
			fmt->row(&t, &row);
		}
	}
	if (fmt->omitted)	/* after the table, not inside it */
		for (size_t i = 0; i < r->nhosts; i++) {
			size_t why[3] = { 0, 0, 0 };
			for (size_t k = 0; k < r->hosts[i].nprocs; k++)
				why[report_proc_omitted(&r->hosts[i].procs[k])]++;
			fmt->omitted(&t, r->hosts[i].name, why[REPORT_KTHREAD], why[REPORT_UNCHANGED]);
		}
	if (fmt->end)
		fmt->end(&t);
	out_write(&t.buf, out);
	ht_buf_free(&t.buf);
}
