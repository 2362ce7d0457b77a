/* healthtap report: one self-contained HTML page (inline SVG, no network),
 * hosts side by side. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "fmt.h"
#include "report_html.h"

static void esc(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* Copies an SVG file into the page, without its XML prolog and DOCTYPE. */
static int inline_svg(FILE *out, const char *path)
{
	FILE *in = fopen(path, "r");
	char line[8192];
	int started = 0;

	if (!in)
		return -errno;
	while (fgets(line, sizeof(line), in)) {
		if (!started && strstr(line, "<svg"))
			started = 1;
		if (started)
			fputs(line, out);
	}
	fclose(in);
	return started ? 0 : -EINVAL;
}

static void page_head(FILE *out, size_t nhosts)
{
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>healthtap report</title>\n<style>\n"
		"body{font-family:sans-serif;margin:1.5em;color:#222}\n"
		".hosts{display:grid;grid-template-columns:repeat(%zu,minmax(0,1fr));gap:1.5em}\n"
		".chart svg{width:100%%;height:auto;border:1px solid #ddd}\n"
		"table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}\n"
		"td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}\n"
		"td.n{text-align:right}\n.leaking{color:#b00;font-weight:bold}\n"
		"</style>\n</head>\n<body>\n", nhosts);
}

static void verdict_cell(FILE *out, const char *v)
{
	fprintf(out, "<td class=\"%s\">", strcmp(v, "leaking") ? "" : "leaking");
	esc(out, v);
	fputs("</td>", out);
}

static void num_cell(FILE *out, double v, const char *unit, int per_s)
{
	char buf[48];

	if (isfinite(v) && !unit)	/* a ratio (R²) */
		snprintf(buf, sizeof(buf), "%.3f", v);
	else
		report_fmt_value(buf, sizeof(buf), v, unit ? unit : "1", per_s);
	fputs("<td class=\"n\">", out);
	esc(out, buf);
	fputs("</td>", out);
}

static void procs_table(FILE *out, const struct report_host *h)
{
	fputs("<h3>Processes, riskiest first</h3>\n<table><tr><th>pid</th><th>command</th>"
	      "<th>RSS now</th><th>growth</th><th>R²</th><th>to limit</th><th>verdict</th></tr>\n",
	      out);
	size_t shown = 0, why[3] = { 0, 0, 0 };

	for (size_t i = 0; i < h->nprocs; i++)
		why[report_proc_omitted(&h->procs[i])]++;
	for (size_t i = 0; i < h->nprocs && shown < 20; i++) {
		const struct report_proc *p = &h->procs[i];
		char eta[48];
		if (report_proc_omitted(p))
			continue;
		shown++;
		fprintf(out, "<tr><td class=\"n\">%d</td><td>", p->pid);
		esc(out, p->comm);
		fputs("</td>", out);
		num_cell(out, p->n ? p->rss[p->n - 1].v : NAN, "B", 0);
		num_cell(out, p->leak.rate, "B", 1);
		num_cell(out, p->leak.r2, NULL, 0);
		/* "-" unknown, "never" not shrinking toward it, else "3.2 h" */
		fprintf(out, "<td class=\"n\">%s</td>",
			fmt_duration(eta, sizeof(eta), isnan(p->leak.eta.point) ? -1 :
				     p->leak.eta.point));
		verdict_cell(out, ht_leak_verdict_name(p->leak.verdict));
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	if (why[REPORT_KTHREAD] + why[REPORT_UNCHANGED])
		fprintf(out, "<p>Not listed: %zu kernel threads, %zu processes whose RSS never "
			"changed.</p>\n", why[REPORT_KTHREAD], why[REPORT_UNCHANGED]);
}

static void series_table(FILE *out, const struct report_host *h)
{
	fputs("<h3>Trends</h3>\n<table><tr><th>series</th><th>min</th><th>max</th>"
	      "<th>slope</th><th>R²</th><th>verdict</th></tr>\n", out);
	for (size_t i = 0; i < h->nlines; i++) {
		const struct report_line *l = &h->lines[i];
		fputs("<tr><td>", out);
		esc(out, l->name);
		fputs("</td>", out);
		num_cell(out, l->min, l->unit, 0);
		num_cell(out, l->max, l->unit, 0);
		num_cell(out, l->slope_per_s, l->unit, 1);
		num_cell(out, l->r2, NULL, 0);
		verdict_cell(out, l->verdict);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static int host_column(FILE *out, const struct report_host *h,
		       const struct report_chart_list *charts, size_t hi)
{
	time_t t0 = (time_t)(h->first_ms / 1000), t1 = (time_t)(h->last_ms / 1000);
	char from[32], to[32], span[32];
	struct tm tm;

	strftime(from, sizeof(from), "%Y-%m-%d %H:%M:%S", gmtime_r(&t0, &tm));
	strftime(to, sizeof(to), "%Y-%m-%d %H:%M:%S", gmtime_r(&t1, &tm));
	fmt_duration(span, sizeof(span), (double)(h->last_ms - h->first_ms) / 1000.0);
	fputs("<section class=\"host\">\n<h2>", out);
	esc(out, h->name);
	fputs("</h2>\n<p>", out);
	esc(out, h->db);
	fprintf(out, ", %s to %s UTC (%s)</p>\n", from, to, span);
	procs_table(out, h);
	for (size_t i = 0; i < charts->n; i++) {
		if (charts->v[i].host != hi)
			continue;
		fputs("<figure class=\"chart\">\n", out);
		if (inline_svg(out, charts->v[i].file) != 0)
			return -EIO;
		fputs("<figcaption>", out);
		esc(out, charts->v[i].title);
		fputs("</figcaption>\n</figure>\n", out);
	}
	series_table(out, h);
	fputs("</section>\n", out);
	return 0;
}

/* A check any browser runs: every chart has drawn something. */
static void page_tail(FILE *out, size_t ncharts)
{
	fprintf(out,
		"<p id=\"status\">%zu charts</p>\n"
		"<script>\n"
		"(function(){var n=0;document.querySelectorAll('figure.chart svg').forEach("
		"function(s){var b=s.getBBox();if(b.width>0&&b.height>0)n++;});"
		"document.body.setAttribute('data-charts-loaded',n);"
		"document.body.setAttribute('data-charts-expected',%zu);})();\n"
		"</script>\n</body>\n</html>\n", ncharts, ncharts);
}

int report_html_write(const char *path, const struct report *r,
		      const struct report_chart_list *charts)
{
	FILE *out = fopen(path, "w");
	int rc = 0;

	if (!out)
		return -errno;
	page_head(out, r->nhosts);
	fputs("<h1>healthtap report</h1>\n<div class=\"hosts\">\n", out);
	for (size_t i = 0; !rc && i < r->nhosts; i++)
		rc = host_column(out, &r->hosts[i], charts, i);
	fputs("</div>\n", out);
	page_tail(out, charts->n);
	if (fclose(out) != 0 && !rc)
		rc = -errno;
	return rc;
}
