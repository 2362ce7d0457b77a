/* healthtap top: process table columns (see top_table.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fmt.h"
#include "top_table.h"

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* NAN sorts below every number, so unknowns sink when sorting descending. */
static int cmp_double(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b) ? (isnan(a) ? -1 : 1) : 0;
	return CMP(a, b);
}

static int cmp_pid(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return CMP(a->pid, b->pid);
}

static int cmp_user(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return strcmp(a->user, b->user);
}

static int cmp_rss(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return CMP(a->rss, b->rss);
}

static int cmp_anon(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return CMP(a->anon, b->anon);
}

static int cmp_growth(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return cmp_double(a->rate, b->rate);
}

static int cmp_r2(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return cmp_double(a->r2, b->r2);
}

/* Soonest first counts as "ascending"; never (INFINITY) and unknown last. */
static int cmp_ttl(const struct top_proc_row *a, const struct top_proc_row *b)
{
	double x = isnan(a->eta_s) ? INFINITY : a->eta_s;
	double y = isnan(b->eta_s) ? INFINITY : b->eta_s;
	return CMP(x, y);
}

static int cmp_cmd(const struct top_proc_row *a, const struct top_proc_row *b)
{
	return strcasecmp(a->cmd, b->cmd);
}

static int cmp_risk(const struct top_proc_row *a, const struct top_proc_row *b)
{
	int c = cmp_double(a->risk, b->risk);
	return c ? c : cmp_double(a->rate, b->rate);
}

static void cell_pid(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	snprintf(buf, size, "%d", (int)r->pid);
}

static void cell_user(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	snprintf(buf, size, "%.8s", r->user);
}

static void cell_rss(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	fmt_bytes_short(buf, size, r->rss < 0 ? NAN : (double)r->rss);
}

static void cell_anon(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	fmt_bytes_short(buf, size, r->anon < 0 ? NAN : (double)r->anon);
}

static void cell_growth(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	fmt_byte_rate_short(buf, size, r->rate);
}

static void cell_r2(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	fmt_num(buf, size, r->r2, 2);
}

static void cell_ttl(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	fmt_duration_short(buf, size, isnan(r->rate) ? NAN : r->eta_s);
}

static void cell_spark(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	fmt_spark(buf, size, r->spark, TOP_SPARK_BUCKETS, utf8);
}

static void cell_cmd(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	snprintf(buf, size, "%s", r->cmd);
}

static void cell_risk(const struct top_proc_row *r, char *buf, size_t size, int utf8)
{
	(void)utf8;
	fmt_num(buf, size, r->risk, 2);
}

const struct top_column top_columns[TOP_COL_N] = {
	[TOP_COL_PID] = { "PID", "pid", 7, 0, 'P', 0, cmp_pid, cell_pid },
	[TOP_COL_USER] = { "USER", "user", 8, 1, 'U', 0, cmp_user, cell_user },
	[TOP_COL_RSS] = { "RSS", "rss", 6, 0, 'M', 1, cmp_rss, cell_rss },
	[TOP_COL_ANON] = { "ANON", "anon", 6, 0, 'A', 1, cmp_anon, cell_anon },
	[TOP_COL_GROWTH] = { "GROWTH", "growth", 8, 0, 'G', 1, cmp_growth, cell_growth },
	[TOP_COL_R2] = { "R2", "r2", 4, 0, 'F', 1, cmp_r2, cell_r2 },
	[TOP_COL_TTL] = { "LIMIT-IN", "ttl", 8, 0, 'T', 0, cmp_ttl, cell_ttl },
	[TOP_COL_SPARK] = { "RSS-TREND", "spark", TOP_SPARK_BUCKETS, 1, 0, 0, NULL, cell_spark },
	[TOP_COL_CMD] = { "COMMAND", "command", -1, 1, 'N', 0, cmp_cmd, cell_cmd },
	[TOP_COL_RISK] = { "RISK", "risk", 0, 0, 'R', 1, cmp_risk, cell_risk },
};

int top_column_find(const char *name)
{
	for (int i = 0; i < TOP_COL_N; i++)
		if (!strcasecmp(top_columns[i].name, name) && top_columns[i].cmp)
			return i;
	return -1;
}

int top_row_matches(const struct top_proc_row *r, const char *filter)
{
	if (!filter || !*filter)
		return 1;
	return strcasestr(r->cmd, filter) || strcasestr(r->comm, filter);
}

/* qsort has no context argument: the view being built is file-static, and
 * only one thread (the one rendering) builds views. */
static const struct top_view_opts *sort_opts;
static const struct top_proc_row *sort_rows;

static int row_cmp(const struct top_proc_row *a, const struct top_proc_row *b)
{
	int c = top_columns[sort_opts->sort].cmp(a, b);

	if (sort_opts->desc)
		c = -c;
	if (!c && sort_opts->sort == TOP_COL_RISK)	/* ties: biggest first */
		c = -cmp_rss(a, b);
	return c ? c : cmp_pid(a, b);
}

static int idx_cmp(const void *x, const void *y)
{
	return row_cmp(&sort_rows[*(const size_t *)x], &sort_rows[*(const size_t *)y]);
}

static int pid_key_cmp(const void *key, const void *elem)
{
	pid_t pid = *(const pid_t *)key;
	return CMP(pid, ((const struct top_proc_row *)elem)->pid);
}

/* Rows come in ascending pid order (the sampler's), so parents are found
 * by binary search. */
static const struct top_proc_row *find_pid(const struct top_frame *f, pid_t pid)
{
	return bsearch(&pid, f->procs, f->nprocs, sizeof(*f->procs), pid_key_cmp);
}

static size_t add_subtree(struct top_frame *f, size_t *sorted, size_t nsorted, size_t row,
			  int depth, size_t *idx, size_t n, char *done)
{
	if (done[row])
		return n;
	done[row] = 1;
	f->procs[row].depth = depth;
	idx[n++] = row;
	for (size_t i = 0; i < nsorted; i++) {
		size_t c = sorted[i];
		if (!done[c] && f->procs[c].ppid == f->procs[row].pid && c != row)
			n = add_subtree(f, sorted, nsorted, c, depth + 1, idx, n, done);
	}
	return n;
}

size_t top_view_build(struct top_frame *f, const struct top_view_opts *o, size_t *idx)
{
	size_t n = 0;
	struct top_view_opts eff = *o;

	if (eff.sort < 0 || eff.sort >= TOP_COL_N || !top_columns[eff.sort].cmp)
		eff.sort = TOP_COL_RISK;
	for (size_t i = 0; i < f->nprocs; i++) {
		f->procs[i].depth = 0;
		if (!o->show_kthreads && (f->procs[i].flags & HT_PROC_KTHREAD))
			continue;
		if (top_row_matches(&f->procs[i], o->filter))
			idx[n++] = i;
	}
	sort_opts = &eff;
	sort_rows = f->procs;
	qsort(idx, n, sizeof(*idx), idx_cmp);
	if (o->tree && !(o->filter && *o->filter) && n) {
		size_t *sorted = malloc(n * sizeof(*sorted));
		char *done = calloc(f->nprocs, 1);
		size_t m = 0;

		if (!sorted || !done) {
			free(sorted);
			free(done);
			return n;
		}
		memcpy(sorted, idx, n * sizeof(*idx));
		/* roots: rows whose parent is not shown, in sort order */
		for (size_t i = 0; i < n; i++) {
			const struct top_proc_row *p = &f->procs[sorted[i]];
			const struct top_proc_row *parent = p->ppid > 0 ? find_pid(f, p->ppid) : NULL;
			if (!parent || parent == p)
				m = add_subtree(f, sorted, n, sorted[i], 0, idx, m, done);
		}
		/* cycles or parents hidden by kthread filtering */
		for (size_t i = 0; i < n; i++)
			if (!done[sorted[i]])
				m = add_subtree(f, sorted, n, sorted[i], 0, idx, m, done);
		free(sorted);
		free(done);
		n = m;
	}
	return n;
}

static size_t put(char *buf, size_t size, size_t at, const char *text, int width, int left)
{
	int len;

	if (at >= size)
		return at;
	if (width < 0)
		len = snprintf(buf + at, size - at, "%s", text);
	else if (left)
		len = snprintf(buf + at, size - at, "%-*.*s ", width, width, text);
	else
		len = snprintf(buf + at, size - at, "%*.*s ", width, width, text);
	if (len < 0)
		return at;
	return at + (size_t)len >= size ? size - 1 : at + (size_t)len;
}

void top_table_header(char *buf, size_t size, int width, int sort, int desc)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int c = 0; c < TOP_COL_N; c++) {
		char t[32];
		const struct top_column *col = &top_columns[c];

		if (col->width == 0)
			continue;
		snprintf(t, sizeof(t), "%s%s", col->title,
			 c == sort ? (desc ? "v" : "^") : "");
		at = put(buf, size, at, t, col->width, col->left);
	}
	if (width > 0 && (size_t)width < size)
		buf[width] = '\0';
}

void top_table_row(const struct top_proc_row *r, char *buf, size_t size, int width,
		   int utf8, int tree)
{
	size_t at = 0;
	char cell[TOP_CMD_MAX + 64];

	buf[0] = '\0';
	for (int c = 0; c < TOP_COL_N; c++) {
		const struct top_column *col = &top_columns[c];

		if (col->width == 0)
			continue;
		if (c == TOP_COL_CMD) {
			int ind = tree && r->depth > 0 ? (r->depth > 20 ? 20 : r->depth) : 0;
			snprintf(cell, sizeof(cell), "%*s%s%s%s", ind ? 2 * (ind - 1) : 0, "",
				 ind ? "`- " : "", r->own ? TOP_OWN_MARK : "", r->cmd);
		} else {
			col->cell(r, cell, sizeof(cell), utf8);
		}
		/* the sparkline holds multibyte characters: pad by hand */
		if (c == TOP_COL_SPARK) {
			size_t len = strlen(cell);
			if (at + len + 2 < size) {
				memcpy(buf + at, cell, len);
				at += len;
				buf[at++] = ' ';
				buf[at] = '\0';
			}
			continue;
		}
		at = put(buf, size, at, cell, col->width, col->left);
	}
	if (width > 0) {
		/* cut to width display columns (the sparkline's characters
		 * take one column each) */
		int cols = 0;
		for (size_t i = 0; buf[i]; i++) {
			if (((unsigned char)buf[i] & 0xC0) != 0x80) {
				if (cols == width) {
					buf[i] = '\0';
					break;
				}
				cols++;
			}
		}
	}
}
