/* healthtap report: trend tables of every series, in four formats. Every
 * format prints the same rows (struct row) through its own row function. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "fmt.h"
#include "report.h"

struct row {
	const char *host, *series, *unit, *verdict;
	int64_t start_ms, end_ms;
	double min, max, slope, r2;	/* slope per second */
};

struct table_fmt {
	void (*begin)(FILE *out);
	void (*row)(FILE *out, const struct row *r, int first);
	void (*end)(FILE *out);
};

static void iso(char *buf, size_t size, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A number with its unit for people: bytes in binary units. */
static void human(char *buf, size_t size, double v, const char *unit, const char *suffix)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else if (!strcmp(unit, "B")) {
		size_t len = strlen(fmt_bytes(buf, size, v));
		snprintf(buf + len, size - len, "%s", suffix);
	}
	else
		snprintf(buf, size, "%.4g %s%s", v, unit, suffix);
}

static void text_begin(FILE *out)
{
	fprintf(out, "%-10s %-34s %-20s %-20s %12s %12s %16s %6s  %s\n", "host", "series",
		"start", "end", "min", "max", "slope", "R2", "verdict");
}

static void text_row(FILE *out, const struct row *r, int first)
{
	char s[32], e[32], mn[32], mx[32], sl[40], r2[16];

	(void)first;
	iso(s, sizeof(s), r->start_ms);
	iso(e, sizeof(e), r->end_ms);
	human(mn, sizeof(mn), r->min, r->unit, "");
	human(mx, sizeof(mx), r->max, r->unit, "");
	human(sl, sizeof(sl), r->slope, r->unit, "/s");
	snprintf(r2, sizeof(r2), isfinite(r->r2) ? "%.3f" : "-", r->r2);
	fprintf(out, "%-10s %-34.34s %-20s %-20s %12s %12s %16s %6s  %s\n", r->host, r->series,
		s, e, mn, mx, sl, r2, r->verdict);
}

static void md_begin(FILE *out)
{
	fprintf(out, "| host | series | start | end | min | max | slope | R² | verdict |\n"
		     "|---|---|---|---|---:|---:|---:|---:|---|\n");
}

static void md_row(FILE *out, const struct row *r, int first)
{
	char s[32], e[32], mn[32], mx[32], sl[40], r2[16];

	(void)first;
	iso(s, sizeof(s), r->start_ms);
	iso(e, sizeof(e), r->end_ms);
	human(mn, sizeof(mn), r->min, r->unit, "");
	human(mx, sizeof(mx), r->max, r->unit, "");
	human(sl, sizeof(sl), r->slope, r->unit, "/s");
	snprintf(r2, sizeof(r2), isfinite(r->r2) ? "%.3f" : "-", r->r2);
	fprintf(out, "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", r->host, r->series,
		s, e, mn, mx, sl, r2, r->verdict);
}

/* CSV fields are quoted, quotes doubled (RFC 4180). */
static void csv_field(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void csv_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, ",%.9g", v);
	else
		fputs(",", out);
}

static void csv_begin(FILE *out)
{
	fprintf(out, "host,series,unit,start,end,min,max,slope_per_s,r2,verdict\n");
}

static void csv_row(FILE *out, const struct row *r, int first)
{
	char s[32], e[32];

	(void)first;
	iso(s, sizeof(s), r->start_ms);
	iso(e, sizeof(e), r->end_ms);
	csv_field(out, r->host);
	fputc(',', out);
	csv_field(out, r->series);
	fprintf(out, ",%s,%s,%s", r->unit, s, e);
	csv_num(out, r->min);
	csv_num(out, r->max);
	csv_num(out, r->slope);
	csv_num(out, r->r2);
	fputc(',', out);
	csv_field(out, r->verdict);
	fputc('\n', out);
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void json_num(FILE *out, const char *key, double v)
{
	if (isfinite(v))
		fprintf(out, ",\"%s\":%.9g", key, v);
	else
		fprintf(out, ",\"%s\":null", key);
}

static void json_begin(FILE *out)
{
	fputs("[", out);
}

static void json_row(FILE *out, const struct row *r, int first)
{
	char s[32], e[32];

	iso(s, sizeof(s), r->start_ms);
	iso(e, sizeof(e), r->end_ms);
	fprintf(out, "%s\n{\"host\":", first ? "" : ",");
	json_str(out, r->host);
	fputs(",\"series\":", out);
	json_str(out, r->series);
	fprintf(out, ",\"unit\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"", r->unit, s, e);
	json_num(out, "min", r->min);
	json_num(out, "max", r->max);
	json_num(out, "slope_per_s", r->slope);
	json_num(out, "r2", r->r2);
	fputs(",\"verdict\":", out);
	json_str(out, r->verdict);
	fputs("}", out);
}

static void json_end(FILE *out)
{
	fputs("\n]\n", out);
}

static const struct table_fmt formats[] = {
	[TABLE_TEXT] = { text_begin, text_row, NULL },
	[TABLE_MARKDOWN] = { md_begin, md_row, NULL },
	[TABLE_CSV] = { csv_begin, csv_row, NULL },
	[TABLE_JSON] = { json_begin, json_row, json_end },
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
	const struct table_fmt *t = &formats[f];
	int first = 1;

	t->begin(out);
	for (size_t i = 0; i < r->nhosts; i++) {
		const struct report_host *h = &r->hosts[i];
		for (size_t k = 0; k < h->nlines; k++, first = 0) {
			const struct report_line *l = &h->lines[k];
			struct row row = { h->name, l->name, l->unit, l->verdict, 0, 0,
					   l->min, l->max, l->slope_per_s, l->r2 };
			series_span(h, l->pts, l->n, &row.start_ms, &row.end_ms);
			t->row(out, &row, first);
		}
		for (size_t k = 0; k < h->nprocs; k++, first = 0) {
			const struct report_proc *p = &h->procs[k];
			char name[128];
			struct row row = { h->name, name, "B", ht_leak_verdict_name(p->leak.verdict),
					   h->first_ms, h->last_ms, 0, 0, p->leak.rate, p->leak.r2 };
			snprintf(name, sizeof(name), "rss %s pid=%d", p->comm, p->pid);
			series_span(h, p->rss, p->n, &row.start_ms, &row.end_ms);
			series_min_max(p->rss, p->n, &row.min, &row.max);
			t->row(out, &row, first);
		}
	}
	if (t->end)
		t->end(out);
}
