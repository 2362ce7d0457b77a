/* healthtap report: gnuplot charts and trend tables from history DBs. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "ht_buf.h"
#include "report.h"
#include "report_html.h"

#define MAX_ARGS 64

struct args {
	struct report_opts o;
	const char *dbs[MAX_ARGS];
	int64_t pids[MAX_ARGS];
	const char *names[MAX_ARGS];
	char default_db[4096];
	int out_given;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap report [-d DB]... [-o DIR] [--since T] [--until T]\n"
		"                        [--pid PID]... [--name NAME]... [--top N]\n"
		"                        [--format html|png|svg|pdf|dumb] [--keep]\n"
		"\n"
		"Charts (gnuplot) and trend tables from what 'healthtap record' stored:\n"
		"per process of interest its memory, allocation rate and rate change with\n"
		"the fitted trend, its 95%% band, steps and the predicted limit crossing;\n"
		"per host memory and MemAvailable with a forecast, context switches,\n"
		"interrupts, softirqs per vector, skbs (tapset) and PSI; and a trend table\n"
		"of every series (trends.txt, .md, .csv, .json).\n"
		"\n"
		"  -d, --db FILE     a history DB; give several to see hosts side by side\n"
		"                    (default: the one 'healthtap record' writes)\n"
		"  -o, --output DIR  where to write (default ./healthtap-report)\n"
		"      --since T     start T before the last sample (2h, 1d) or at @EPOCH\n"
		"      --until T     end T before the last sample, or at @EPOCH\n"
		"  -p, --pid PID     chart this process (repeatable)\n"
		"  -n, --name NAME   chart processes with this command name (repeatable)\n"
		"  -t, --top N       else chart the N riskiest processes (default 5)\n"
		"  -f, --format F    html (default: one self-contained page, inline SVG),\n"
		"                    png, svg, pdf (files), dumb (text charts on stdout)\n"
		"  -k, --keep        keep the gnuplot scripts and data files beside the\n"
		"                    charts, to tweak and re-plot by hand\n"
		"  -h, --help        show this help\n"
		"\n"
		"Examples:\n"
		"  healthtap report -d /var/lib/healthtap/healthtap.db -o /tmp/r\n"
		"  healthtap report -d a.db -d b.db --since 1d --top 3\n"
		"  healthtap report --name mysqld --format dumb | less\n"
		"\n"
		"Exit status: 0 ok, 1 an error (no DB, no samples, gnuplot failed),\n"
		"2 usage error.\n");
}

/* "2h" (a duration before the last sample) or "@EPOCH" (seconds). */
static int valid_edge(const char *text)
{
	int64_t v;

	return text[0] == '@' ? ht_parse_count(text + 1, &v) == 0
			      : ht_parse_duration_ms(text, &v) == 0;
}

static int parse_args(struct args *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "pid", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "top", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts *o = &a->o;
	enum ht_chart_format ignored;
	int64_t v;
	int c, rc;

	while ((c = getopt_long(argc, argv, "d:o:p:n:t:f:kh", opts, NULL)) != -1) {
		if (strchr("dpn", c) && (o->ndbs == MAX_ARGS || o->npids == MAX_ARGS ||
					 o->nnames == MAX_ARGS))
			return ht_usage_error("report", "too many -%c options", c);
		switch (c) {
		case 'd': a->dbs[o->ndbs++] = optarg; break;
		case 'o': o->out_dir = optarg; a->out_given = 1; break;
		case 'S':
		case 'U':
			if (!valid_edge(optarg))
				return ht_usage_error("report", "bad time '%s' (2h, 1d, or @EPOCH)", optarg);
			*(c == 'S' ? &o->since : &o->until) = optarg;
			break;
		case 'p':
			if ((rc = ht_opt_count("report", "--pid", optarg, 1, INT32_MAX, &v)))
				return rc;
			a->pids[o->npids++] = v;
			break;
		case 'n': a->names[o->nnames++] = optarg; break;
		case 't':
			if ((rc = ht_opt_count("report", "--top", optarg, 0, INT32_MAX, &v)))
				return rc;
			o->top = (size_t)v;
			break;
		case 'f':
			if (strcmp(optarg, "html") && ht_chart_format_parse(optarg, &ignored))
				return ht_usage_error("report", "bad format '%s' (html, png, svg, pdf, dumb)",
						      optarg);
			o->format = optarg;
			break;
		case 'k': o->keep = 1; break;
		case 'h': usage(stdout); return -1;
		default: return ht_usage_error("report", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (o->ndbs == 0) {
		if (ht_default_db_path(a->default_db, sizeof(a->default_db)))
			return ht_usage_error("report", "no -d given and no default DB path");
		a->dbs[o->ndbs++] = a->default_db;
	}
	return 0;
}

static int make_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	return mkdir(dir, 0755) == 0 ? 0 : -errno;
}

static void collect_chart(void *ctx, size_t host, const char *title, const char *file)
{
	struct report_chart_list *l = ctx;
	struct report_chart *v;

	if (ht_grow(l->v, l->cap, l->n + 1))
		return;
	v = &l->v[l->n++];
	v->host = host;
	snprintf(v->title, sizeof(v->title), "%s", title);
	snprintf(v->file, sizeof(v->file), "%s", file);
}

static int write_tables(const struct report_opts *o, const struct report *r)
{
	static const struct { const char *file; enum report_table_format f; } t[] = {
		{ "trends.txt", TABLE_TEXT }, { "trends.md", TABLE_MARKDOWN },
		{ "trends.csv", TABLE_CSV }, { "trends.json", TABLE_JSON },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char path[4096];
		FILE *f;
		snprintf(path, sizeof(path), "%s/%s", o->out_dir, t[i].file);
		f = fopen(path, "w");
		if (!f) {
			ht_err("cannot write %s: %s", path, strerror(errno));
			return -errno;
		}
		report_table(f, r, t[i].f);
		if (fclose(f) != 0) {
			ht_err("cannot write %s: %s", path, strerror(errno));
			return -EIO;
		}
	}
	return 0;
}

/* Text charts go to stdout, then the text table. */
static void print_dumb(const struct report_chart_list *charts, const struct report *r, int keep)
{
	char line[1024];

	for (size_t i = 0; i < charts->n; i++) {
		FILE *f = fopen(charts->v[i].file, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			fputs(line, stdout);
		fclose(f);
		if (!keep)
			unlink(charts->v[i].file);
	}
	report_table(stdout, r, TABLE_TEXT);
}

static void remove_svgs(const struct report_chart_list *charts)
{
	for (size_t i = 0; i < charts->n; i++)
		unlink(charts->v[i].file);
}

static int render_all(struct args *a, const struct report *r)
{
	struct report_opts *o = &a->o;
	struct report_chart_list charts = { 0 };
	enum ht_chart_format fmt = HT_CHART_SVG;
	int html = !strcmp(o->format, "html"), dumb = !strcmp(o->format, "dumb");
	char err[512], path[4096];
	int rc;

	if (!html)
		ht_chart_format_parse(o->format, &fmt);
	rc = make_dir(o->out_dir);
	if (rc) {
		ht_err("cannot create %s: %s", o->out_dir, strerror(-rc));
		return rc;
	}
	rc = report_charts(o, r, fmt, collect_chart, &charts, err, sizeof(err));
	if (rc)
		ht_err("report: %s", err);
	if (!rc && (!dumb || a->out_given || o->keep))
		rc = write_tables(o, r);
	if (!rc && html) {
		snprintf(path, sizeof(path), "%s/index.html", o->out_dir);
		rc = report_html_write(path, r, &charts);
		if (rc)
			ht_err("cannot write %s: %s", path, strerror(-rc));
		else
			fprintf(stderr, "report: %s (%zu charts, %zu host%s)\n", path, charts.n, r->nhosts,
				r->nhosts == 1 ? "" : "s");
		if (!o->keep)
			remove_svgs(&charts);
	} else if (!rc && dumb) {
		print_dumb(&charts, r, o->keep);
		if (!a->out_given && !o->keep)
			rmdir(o->out_dir);
	} else if (!rc) {
		fprintf(stderr, "report: %zu %s charts and trend tables in %s\n", charts.n,
			o->format, o->out_dir);
	}
	free(charts.v);
	return rc;
}

static int cmd_report(int argc, char **argv)
{
	struct args a = { .o = { .out_dir = "healthtap-report", .top = 5, .format = "html" } };
	struct report r;
	char err[512];
	int rc = parse_args(&a, argc, argv);

	if (rc)
		return rc < 0 ? 0 : rc;
	a.o.dbs = a.dbs;
	a.o.pids = a.pids;
	a.o.names = a.names;
	if (report_collect(&a.o, &r, err, sizeof(err))) {
		ht_err("report: %s", err);
		report_free(&r);
		return 1;
	}
	rc = render_all(&a, &r);
	report_free(&r);
	return rc ? 1 : 0;
}

HT_COMMAND(report, cmd_report, "gnuplot charts and trend tables from recorded history", 45)
