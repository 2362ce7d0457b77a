/* healthtap report: the model that the collection (report_collect.c) fills
 * from one or more history DBs, and that the charts, tables and HTML page
 * are rendered from. */
#ifndef HT_REPORT_H
#define HT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "chart.h"
#include "ht_leak.h"
#include "ht_series.h"

struct report_opts {
	const char **dbs;
	size_t ndbs;
	const char *out_dir;
	const char *since, *until;	/* as given; see report_window() */
	const int64_t *pids;
	size_t npids;
	const char **names;
	size_t nnames;
	size_t top;			/* processes of interest when none named */
	const char *format;		/* html, png, svg, pdf, dumb */
	int keep;			/* keep .dat and .gp files */
};

/* Charts draw at most this many lines of one series name (the busiest). */
#define REPORT_CHART_LINES 8

/* A series against time: t in hours since the report window's start. */
struct report_line {
	char name[160];			/* "ctxt_rate", "softirq_rate vec=NET_RX" */
	char unit[16];
	/* Its points, kept only for the REPORT_CHART_LINES + 1 busiest
	 * lines (by mean) of each series name, the ones a chart may draw
	 * (+1: a name's total line beside its vectors): NULL and n 0 for the
	 * others, so that 60,000 series do not hold 60,000 point arrays. */
	struct ht_point *pts;
	size_t n;
	int64_t first_ms, last_ms;	/* its first and last point; -1 none */
	double mean;
	/* Trend over the window. */
	double slope_per_s, r2, mk_p, min, max;
	const char *verdict;		/* "rising", "falling" (significant, R^2 >=
					   0.5), "noisy" (significant, poor fit),
					   "flat", "too few points" */
};

struct report_proc {
	int64_t id;
	int pid;
	char comm[64];
	char cmdline[256];
	struct ht_point *rss, *anon;	/* t in hours */
	size_t n;
	struct ht_leak leak;
	double risk;			/* for ranking: leaks first, then rate x R^2 */
};

struct report_host {
	char name[128];
	const char *db;
	int64_t first_ms, last_ms;	/* the window actually covered */
	struct report_line *lines;
	size_t nlines;
	struct report_proc *procs;	/* ranked, riskiest first */
	size_t nprocs;
	size_t ninterest;		/* the first ninterest procs are charted */
};

struct report {
	struct report_host *hosts;
	size_t nhosts, hosts_cap;
};

/* Reads every DB into r. Returns 0 or -errno with a message in err. */
int report_collect(const struct report_opts *o, struct report *r, char *err, size_t errsize);
void report_free(struct report *r);

/* The series of a host by name (and labels), or NULL. */
const struct report_line *report_find_line(const struct report_host *h, const char *name);

/* Renders every chart of r into o->out_dir (svg for html). Each chart's
 * file name goes to the callback, for the page. Returns 0 or -errno. */
int report_charts(const struct report_opts *o, const struct report *r,
		  enum ht_chart_format fmt,
		  void (*on_chart)(void *ctx, size_t host, const char *title,
				   const char *file),
		  void *ctx, char *err, size_t errsize);

/* Trend tables: every series and every process, one row each. */
enum report_table_format { TABLE_TEXT, TABLE_MARKDOWN, TABLE_CSV, TABLE_JSON };
void report_table(FILE *out, const struct report *r, enum report_table_format f);

/* The time axis from from_s to to_s (seconds since the epoch, UTC): the
 * gnuplot tick format that fits the span (seconds up to 10 minutes, HH:MM
 * up to 20 hours, weekday and HH:MM up to 8 days, dates beyond or when
 * the ticks are whole days), the step between ticks (seconds) such that
 * their labels fit width_chars characters without running together (0:
 * no step fits, or width_chars is 0: gnuplot's own), and the axis label
 * ("time (UTC), 2026-11-22", "date and time (UTC), 2026-11-22 to ..."). */
void report_time_axis(double from_s, double to_s, int width_chars, char *fmt, size_t fmtsize,
		      double *step_s, char *label, size_t labelsize);
/* The axis label of a host's whole window. */
void report_xlabel(const struct report_host *h, char *buf, size_t size);

/* v in unit ("B", "1/s", "%", "1" a count) for people; per_s: v is that
 * unit per second (a slope). "20.0 KiB/s", "1000 /s", "3.2 /s²", "12". */
char *report_fmt_value(char *buf, size_t size, double v, const char *unit, int per_s);

/* Why a process is left out of the trend tables: 0 listed,
 * REPORT_KTHREAD (no command line, no memory ever), REPORT_UNCHANGED
 * (its RSS never changed over the window). */
enum { REPORT_LISTED, REPORT_KTHREAD, REPORT_UNCHANGED };
int report_proc_omitted(const struct report_proc *p);

#endif
