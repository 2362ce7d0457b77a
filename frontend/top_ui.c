/* healthtap top: the ncurses dashboard (see top_ui.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include "ht_counter.h"
#include "fmt.h"
#include "top_render.h"
#include "top_ui.h"
#include "top_widget.h"

enum ui_mode { MODE_MAIN, MODE_DETAIL, MODE_HELP };

enum { PAIR_GOOD = 1, PAIR_WARN, PAIR_CRIT, PAIR_DIM, PAIR_TITLE, PAIR_SEL, PAIR_RSS, PAIR_ANON };

struct ui {
	const struct top_ui_opts *o;
	struct top_collector *c;
	struct top_frame *frame;	/* on screen */
	struct top_frame *held;		/* newest while paused */
	struct top_detail last_detail;	/* the detail view's last answer */
	int have_detail;
	enum ui_mode mode;
	struct top_view_opts view;
	char filter[64];
	int editing;			/* typing a filter */
	char filter_saved[64];
	int threads;
	int paused;
	pid_t sel_pid;
	size_t sel, top;		/* selected row, first row shown */
	pid_t detail_pid;
	int color;
	size_t *idx;
	size_t nidx, idx_cap;
	size_t nthread_rows;		/* thread view: rows listed */
	pid_t thread_sel_pid;		/* thread view: the selected thread's process */
	char status[256];
	uint64_t frames;
	int64_t fresh_ns;		/* when the latest new sample arrived */
	int64_t interval_ns;
	int err;
	char errmsg[256];
};

static int attr_of(const struct ui *u, enum top_attr a)
{
	switch (a) {
	case TOP_A_GOOD: return u->color ? COLOR_PAIR(PAIR_GOOD) : A_NORMAL;
	case TOP_A_WARN: return u->color ? COLOR_PAIR(PAIR_WARN) | A_BOLD : A_BOLD;
	case TOP_A_CRIT: return u->color ? COLOR_PAIR(PAIR_CRIT) | A_BOLD : A_BOLD | A_REVERSE;
	case TOP_A_DIM: return u->color ? COLOR_PAIR(PAIR_DIM) : A_DIM;
	default: return A_NORMAL;
	}
}

static int title_attr(const struct ui *u)
{
	return u->color ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_REVERSE;
}

/* Writes text at (y, x), cut to the screen width, the rest of the line
 * cleared when fill. Multibyte characters (UTF-8) count as one column.
 * Everything on the screen is drawn here, made visible-safe first: a comm
 * or a stream's words may hold escape sequences. */
static void put_line(int y, int x, const char *raw, int attr, int fill)
{
	int cols = COLS - x, used = 0;
	size_t i = 0, start = 0;
	char text[4096];

	if (y < 0 || y >= LINES || cols <= 0)
		return;
	fmt_visible(text, sizeof(text), raw);
	while (text[i] && used < cols) {
		i++;
		while (((unsigned char)text[i] & 0xC0) == 0x80)
			i++;
		used++;
	}
	attron(attr);
	mvaddnstr(y, x, text + start, (int)i);
	if (fill)
		for (int k = x + used; k < COLS; k++)
			mvaddch(y, k, ' ');
	attroff(attr);
}

static void view_rebuild(struct ui *u)
{
	struct top_frame *f = u->frame;

	u->nidx = 0;
	if (!f)
		return;
	if (ht_grow(u->idx, u->idx_cap, f->nprocs + 1))
		return;
	u->view.filter = u->filter[0] ? u->filter : NULL;
	u->nidx = top_view_build(f, &u->view, u->idx);
	/* keep the selection on the same process */
	for (size_t i = 0; i < u->nidx; i++)
		if (f->procs[u->idx[i]].pid == u->sel_pid) {
			u->sel = i;
			return;
		}
	if (u->sel >= u->nidx)
		u->sel = u->nidx ? u->nidx - 1 : 0;
	if (u->nidx)
		u->sel_pid = f->procs[u->idx[u->sel]].pid;
}

/* Seconds since the last new sample when that is more than three
 * intervals (the sampler thread is stuck in a slow /proc read), else 0. */
static double stale_s(const struct ui *u)
{
	int64_t age;

	if (!u->fresh_ns || u->paused)
		return 0;
	age = ht_now_ns() - u->fresh_ns;
	return age > 3 * u->interval_ns + 1000000000LL ? age / 1e9 : 0;
}

/* ---- main screen ---- */

static int draw_title(struct ui *u)
{
	char line[512], when[64], secs[16];
	struct top_render_ctx rc = { .clock_label = u->o->clock_label };
	const struct top_frame *f = u->frame;

	if (f)
		top_time_label(&rc, f, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "sampling...");
	snprintf(secs, sizeof(secs), "%g", f ? f->interval_s : 0);
	snprintf(line, sizeof(line), "healthtap top %s  %zu procs  every %ss%s%s%s%s  sort %s%s",
		 when, f ? f->nprocs : 0, secs,
		 u->paused ? "  PAUSED" : "", u->threads ? "  threads" : u->view.tree ? "  tree" : "",
		 u->filter[0] ? "  filter " : "", u->filter,
		 top_columns[u->view.sort].name, u->view.desc ? " v" : " ^");
	put_line(0, 0, line, title_attr(u), 1);
	if (stale_s(u) > 0) {
		char st[48];
		snprintf(st, sizeof(st), " STALE %.0fs: /proc is slow ", stale_s(u));
		if ((int)strlen(st) < COLS)
			put_line(0, COLS - (int)strlen(st), st, attr_of(u, TOP_A_CRIT) | A_REVERSE, 0);
	}
	return 1;
}

static int draw_header(struct ui *u, int y)
{
	struct top_line lines[16];

	if (!u->frame)
		return y;
	for (const struct top_widget *w = top_header_widgets; w->name; w++) {
		int n = w->lines(u->frame, 0, lines, 16);
		for (int i = 0; i < n && y < LINES - 3; i++, y++) {
			int ll = lines[i].label_len;
			char label[32];
			snprintf(label, sizeof(label), "%.*s", ll, lines[i].text);
			move(y, 0);
			clrtoeol();
			if (ll)
				put_line(y, 0, label, A_BOLD | (u->color ? COLOR_PAIR(PAIR_RSS) : 0), 0);
			put_line(y, ll, lines[i].text + ll, attr_of(u, lines[i].attr), 0);
		}
	}
	return y;
}

static void scroll_to_sel(struct ui *u, size_t rows)
{
	if (rows == 0)
		return;
	if (u->sel < u->top)
		u->top = u->sel;
	if (u->sel >= u->top + rows)
		u->top = u->sel - rows + 1;
	if (u->top + rows > u->nidx)
		u->top = u->nidx > rows ? u->nidx - rows : 0;
}

static int row_attr(const struct ui *u, const struct top_proc_row *r)
{
	if (r->risk > 0 && isfinite(r->eta_s) && r->eta_s < 3600)
		return attr_of(u, TOP_A_CRIT);
	if (r->risk > 0)
		return attr_of(u, TOP_A_WARN);
	if (r->flags & HT_PROC_KTHREAD || r->own)
		return attr_of(u, TOP_A_DIM);	/* neither is the host's workload */
	return A_NORMAL;
}

static void draw_procs(struct ui *u, int y)
{
	char buf[1024];
	size_t rows = LINES - 1 > y + 1 ? (size_t)(LINES - 1 - y - 1) : 0;

	top_table_header(buf, sizeof(buf), COLS, u->view.sort, u->view.desc);
	put_line(y++, 0, buf, title_attr(u), 1);
	scroll_to_sel(u, rows);
	for (size_t i = 0; i < rows; i++, y++) {
		size_t k = u->top + i;
		move(y, 0);
		clrtoeol();
		if (k >= u->nidx)
			continue;
		top_table_row(&u->frame->procs[u->idx[k]], buf, sizeof(buf), COLS, u->o->utf8,
			      u->view.tree);
		put_line(y, 0, buf, k == u->sel ? (u->color ? COLOR_PAIR(PAIR_SEL) | A_BOLD : A_REVERSE)
					       : row_attr(u, &u->frame->procs[u->idx[k]]),
			 k == u->sel);
	}
}

static double thread_rate(const struct top_thread_row *t)
{
	double a = isnan(t->vol_rate) ? 0 : t->vol_rate, b = isnan(t->nonvol_rate) ? 0 : t->nonvol_rate;
	return a + b;
}

static const struct top_frame *thread_sort_frame;

static int thread_cmp(const void *x, const void *y)
{
	const struct top_thread_row *a = &thread_sort_frame->threads[*(const size_t *)x];
	const struct top_thread_row *b = &thread_sort_frame->threads[*(const size_t *)y];
	double ra = thread_rate(a), rb = thread_rate(b);

	if (ra != rb)
		return ra < rb ? 1 : -1;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return (a->tid > b->tid) - (a->tid < b->tid);
}

/* Thread view: every thread of the shown processes, busiest switcher first. */
static void draw_threads(struct ui *u, int y)
{
	const struct top_frame *f = u->frame;
	char buf[512];
	size_t rows = LINES - 1 > y + 1 ? (size_t)(LINES - 1 - y - 1) : 0, n = 0, *ti;

	snprintf(buf, sizeof(buf), "%6s %6s %-14s %1s %8s %8s %8s %9s %9s", "PID", "TID", "THREAD",
		 "S", "CSW/s", "VCSW/s", "IVCSW/s", "VCSW", "IVCSW");
	put_line(y++, 0, buf, title_attr(u), 1);
	if (!f || !f->nthreads) {
		put_line(y, 0, f && f->seq ? "reading /proc/PID/task/*/status..." : "", A_DIM, 1);
		return;
	}
	ti = malloc(f->nthreads * sizeof(*ti));
	if (!ti)
		return;
	for (size_t i = 0; i < f->nthreads; i++) {
		const struct top_proc_row *p = NULL;
		for (size_t k = 0; k < u->nidx; k++)	/* only shown processes */
			if (f->procs[u->idx[k]].pid == f->threads[i].pid) {
				p = &f->procs[u->idx[k]];
				break;
			}
		if (p)
			ti[n++] = i;
	}
	thread_sort_frame = f;
	qsort(ti, n, sizeof(*ti), thread_cmp);
	u->nthread_rows = n;
	u->thread_sel_pid = n ? f->threads[ti[u->sel < n ? u->sel : n - 1]].pid : 0;
	if (u->sel >= n)
		u->sel = n ? n - 1 : 0;
	if (u->sel < u->top)
		u->top = u->sel;
	if (rows && u->sel >= u->top + rows)
		u->top = u->sel - rows + 1;
	for (size_t i = 0; i < rows; i++, y++) {
		size_t k = u->top + i;
		const struct top_thread_row *t;
		char a[16], b[16], c[16];

		move(y, 0);
		clrtoeol();
		if (k >= n)
			continue;
		t = &f->threads[ti[k]];
		snprintf(buf, sizeof(buf), "%6d %6d %-14.14s %c %8s %8s %8s %9" PRId64 " %9" PRId64,
			 (int)t->pid, (int)t->tid, t->comm, t->state ? t->state : '?',
			 fmt_count_rate(a, sizeof(a), isnan(t->vol_rate) && isnan(t->nonvol_rate) ?
							   NAN : thread_rate(t)),
			 fmt_count_rate(b, sizeof(b), t->vol_rate),
			 fmt_count_rate(c, sizeof(c), t->nonvol_rate), t->vol, t->nonvol);
		put_line(y, 0, buf, k == u->sel ? A_REVERSE : A_NORMAL, k == u->sel);
	}
	free(ti);
}

static void draw_footer(struct ui *u)
{
	char buf[256];

	if (u->editing) {
		snprintf(buf, sizeof(buf), "filter: %s_   (Enter: apply, Esc: cancel)", u->filter);
		put_line(LINES - 1, 0, buf, A_BOLD, 1);
		return;
	}
	if (u->status[0])
		snprintf(buf, sizeof(buf), "%s", u->status);
	else if (u->mode == MODE_DETAIL)
		snprintf(buf, sizeof(buf), "Esc/q:back  space:pause  ?:help");
	else
		snprintf(buf, sizeof(buf),
			 "?:help q:quit Enter:detail /:filter K:%s kthreads t:tree H:threads "
			 "M/A/G/T/R/P/N:sort I:invert space:pause", u->view.show_kthreads ? "hide" : "show");
	put_line(LINES - 1, 0, buf, u->status[0] ? attr_of(u, TOP_A_WARN) : A_DIM, 1);
}

/* ---- detail view ---- */

/* A line chart of RSS ('*') and anonymous memory ('.') against time. */
static void draw_chart(struct ui *u, const struct top_detail *d, int y0, int h, int w)
{
	double vmin = INFINITY, vmax = -INFINITY, tmin = 0;
	char lab[24], axis[64];
	int x0 = 9, cw = w - x0;

	if (h < 3 || cw < 10)
		return;
	for (size_t i = 0; i < d->npoints; i++) {
		vmin = fmin(vmin, d->rss_pts[i].v);
		vmax = fmax(vmax, d->rss_pts[i].v);
		tmin = fmin(tmin, d->rss_pts[i].t);
	}
	for (size_t i = 0; i < d->nanon; i++) {
		vmin = fmin(vmin, d->anon_pts[i].v);
		vmax = fmax(vmax, d->anon_pts[i].v);
	}
	for (int r = 0; r < h; r++) {
		move(y0 + r, 0);
		clrtoeol();
		mvaddch(y0 + r, x0 - 1, '|');
	}
	if (d->npoints == 0) {
		put_line(y0 + h / 2, x0 + 1, "no samples yet", A_DIM, 0);
		return;
	}
	if (vmax - vmin < 1) {	/* a flat line: centre it */
		vmin -= 1024;
		vmax += 1024;
	}
	fmt_bytes_short(lab, sizeof(lab), vmax);
	put_line(y0, 0, lab, A_NORMAL, 0);
	fmt_bytes_short(lab, sizeof(lab), (vmin + vmax) / 2);
	put_line(y0 + h / 2, 0, lab, A_NORMAL, 0);
	fmt_bytes_short(lab, sizeof(lab), vmin);
	put_line(y0 + h - 1, 0, lab, A_NORMAL, 0);
	if (tmin >= 0)
		tmin = -1;
	for (int pass = 0; pass < 2; pass++) {
		const struct ht_point *p = pass ? d->rss_pts : d->anon_pts;
		size_t n = pass ? d->npoints : d->nanon;
		int attr = u->color ? COLOR_PAIR(pass ? PAIR_RSS : PAIR_ANON) | (pass ? A_BOLD : 0)
				    : (pass ? A_BOLD : A_NORMAL);
		size_t k = 0;
		/* each column shows the newest point at or before its time, so
		 * the line runs on between samples */
		for (int col = 0; col < cw && n; col++) {
			double tc = tmin + (0 - tmin) * col / (cw - 1);
			int row;
			if (p[0].t > tc + 1e-9)
				continue;
			while (k + 1 < n && p[k + 1].t <= tc + 1e-9)
				k++;
			row = (int)((vmax - p[k].v) / (vmax - vmin) * (h - 1) + 0.5);
			if (row < 0 || row >= h)
				continue;
			attron(attr);
			mvaddch(y0 + row, x0 + col, pass ? '*' : '.');
			attroff(attr);
		}
	}
	move(y0 + h, 0);
	clrtoeol();
	fmt_duration_short(lab, sizeof(lab), -tmin);
	snprintf(axis, sizeof(axis), "-%s", lab);
	put_line(y0 + h, x0, axis, A_DIM, 0);
	put_line(y0 + h, x0 + cw / 2 - 12, "* RSS   . anonymous", A_DIM, 0);
	put_line(y0 + h, w - 3 > x0 ? w - 3 : x0, "now", A_DIM, 0);
}

/* top --where: the detail process's allocation sites, as the latest batch
 * of health.alloc.sites lists them (up to 8, most bytes first). Returns
 * the next row. */
static int draw_sites(struct ui *u, const struct top_detail *d, int y)
{
	char buf[512], a[32], b[32], sym[256];

	if (d->where == TOP_WHERE_STARTING)
		snprintf(buf, sizeof(buf), "allocation sites (health.alloc.sites): starting stap...");
	else if (d->where == TOP_WHERE_WATCHING)
		snprintf(buf, sizeof(buf), "allocation sites (health.alloc.sites, %s watched): %zu "
			 "holding the most", fmt_duration_short(a, sizeof(a), d->where_watched_s),
			 d->nsites);
	else
		snprintf(buf, sizeof(buf), "allocation sites: %s", fmt_visible(sym, sizeof(sym),
			 d->where_note[0] ? d->where_note : "stap ended"));
	put_line(y++, 0, buf, d->where == TOP_WHERE_ENDED && d->where_note[0] ?
		 attr_of(u, TOP_A_WARN) : A_BOLD, 1);
	if (d->where == TOP_WHERE_WATCHING && d->where_note[0]) {
		snprintf(buf, sizeof(buf), "  note: %s", fmt_visible(sym, sizeof(sym), d->where_note));
		put_line(y++, 0, buf, attr_of(u, TOP_A_WARN), 1);
	}
	for (size_t i = 0; i < d->nsites && y < LINES - 4; i++) {
		snprintf(buf, sizeof(buf), "  %10s %8" PRId64 " blocks  %s",
			 fmt_bytes(b, sizeof(b), (double)d->sites[i].bytes), d->sites[i].blocks,
			 fmt_visible(sym, sizeof(sym), d->sites[i].sym));
		put_line(y++, 0, buf, A_NORMAL, 1);
	}
	return y;
}

static void draw_detail(struct ui *u)
{
	const struct top_frame *f = u->frame;
	const struct top_proc_row *r = NULL;
	const struct top_detail *d = u->have_detail ? &u->last_detail : NULL;
	char buf[512], a[32], b[32], c[32], e[32], g[32];
	int y = 0, chart_h, maps_rows;

	for (size_t i = 0; f && i < f->nprocs; i++)
		if (f->procs[i].pid == u->detail_pid) {
			r = &f->procs[i];
			break;
		}
	snprintf(buf, sizeof(buf), "healthtap top  process %d%s%s%s  (Esc: back)", (int)u->detail_pid,
		 r ? " " : " (gone)", r ? r->comm : "", u->paused ? "  [PAUSED]" : "");
	put_line(y++, 0, buf, title_attr(u), 1);
	if (r) {
		snprintf(buf, sizeof(buf), "cmd  %s", r->cmd);
		put_line(y++, 0, buf, A_NORMAL, 1);
		fmt_bytes(a, sizeof(a), fmt_known(r->rss));
		fmt_bytes(b, sizeof(b), fmt_known(r->anon));
		fmt_byte_rate(c, sizeof(c), r->rate);
		fmt_duration_short(e, sizeof(e), r->age_s);
		snprintf(buf, sizeof(buf), "who  user %s  ppid %d  threads %" PRId64 "  state %c",
			 r->user, (int)r->ppid, r->threads, r->state);
		put_line(y++, 0, buf, A_NORMAL, 1);
		snprintf(buf, sizeof(buf), "mem  RSS %s  anon %s  growth %s  R2 %s  watched %s",
			 a, b, c, fmt_num(g, sizeof(g), r->r2, 2), e);
		put_line(y++, 0, buf, A_NORMAL, 1);
		fmt_bytes(a, sizeof(a), fmt_known(r->limit_bytes));
		fmt_bytes(b, sizeof(b), fmt_known(r->headroom));
		fmt_duration_short(c, sizeof(c), r->eta_s);
		if (r->limit_kind == HT_LIMIT_NONE)
			snprintf(buf, sizeof(buf), "lim  no limit in reach (looked up once it grows for sure)  risk %s",
				 fmt_num(g, sizeof(g), r->risk, 2));
		else
			snprintf(buf, sizeof(buf), "lim  %s limit %s, headroom %s, reached in %s  risk %s",
				 ht_limit_name(r->limit_kind), a, b, c, fmt_num(g, sizeof(g), r->risk, 2));
		put_line(y++, 0, buf, row_attr(u, r), 1);
	} else {
		put_line(y++, 0, "the process has exited", attr_of(u, TOP_A_WARN), 1);
	}
	if (d && d->have_rollup) {
		fmt_bytes(a, sizeof(a), fmt_known(d->rollup.rss));
		fmt_bytes(b, sizeof(b), fmt_known(d->rollup.pss));
		fmt_bytes(c, sizeof(c), fmt_known(d->rollup.private_dirty));
		fmt_bytes(e, sizeof(e), fmt_known(d->rollup.anonymous));
		fmt_bytes(g, sizeof(g), fmt_known(d->rollup.swap));
		snprintf(buf, sizeof(buf), "smaps_rollup  Rss %s  Pss %s  Swap %s", a, b, g);
		put_line(y++, 0, buf, A_NORMAL, 1);
		snprintf(buf, sizeof(buf), "              Private_Dirty %s  Anonymous %s", c, e);
	} else if (d) {
		snprintf(buf, sizeof(buf), "smaps_rollup  cannot read: %s", strerror(-d->rollup_err));
	} else {
		snprintf(buf, sizeof(buf), "smaps_rollup  reading...");
	}
	put_line(y++, 0, buf, A_NORMAL, 1);
	if (d && d->where != TOP_WHERE_OFF)
		y = draw_sites(u, d, y);
	/* the chart takes half of what is left, the mappings the rest */
	chart_h = (LINES - y - 3) / 2;
	if (chart_h > 14)
		chart_h = 14;
	if (chart_h >= 3 && d) {
		put_line(y++, 0, "memory series (RSS and anonymous, bytes)", A_BOLD, 1);
		draw_chart(u, d, y, chart_h, COLS);
		y += chart_h + 1;
	}
	maps_rows = LINES - 1 - y - 1;
	if (maps_rows < 1)
		return;
	if (!d)
		snprintf(buf, sizeof(buf), "growing mappings: reading /proc/%d/smaps...", (int)u->detail_pid);
	else if (d->maps_err)
		snprintf(buf, sizeof(buf), "growing mappings: cannot read /proc/%d/smaps: %s",
			 (int)u->detail_pid, strerror(-d->maps_err));
	else if (!d->maps_compared)
		snprintf(buf, sizeof(buf), "growing mappings: %zu mappings, compared from the next refresh",
			 d->nmaps_total);
	else
		snprintf(buf, sizeof(buf), "growing mappings (of %zu; RSS change since last refresh, since opened):",
			 d->nmaps_total);
	put_line(y++, 0, buf, A_BOLD, 1);
	for (size_t i = 0; d && !d->maps_err && i < d->nmaps && (int)i < maps_rows; i++, y++) {
		const struct top_mapping *m = &d->maps[i];
		char dl[24], gr[24], rs[24];
		fmt_bytes_short(rs, sizeof(rs), (double)m->rss);
		snprintf(dl, sizeof(dl), "%s%s", m->rss_delta >= 0 ? "+" : "-",
			 fmt_bytes_short(a, sizeof(a), fabs((double)m->rss_delta)));
		snprintf(gr, sizeof(gr), "%s%s", m->rss_growth >= 0 ? "+" : "-",
			 fmt_bytes_short(b, sizeof(b), fabs((double)m->rss_growth)));
		snprintf(buf, sizeof(buf), "  %-33s %-4s %7s %7s RSS %6s  %s", m->range, m->perms, dl, gr,
			 rs, m->path[0] ? m->path : "[anon]");
		put_line(y, 0, buf, m->rss_delta > 0 ? attr_of(u, TOP_A_WARN) : A_NORMAL, 1);
	}
	if (d && !d->maps_err && d->maps_compared && d->nmaps == 0)
		put_line(y++, 0, "  none has grown", A_DIM, 1);
	for (; y < LINES - 1; y++) {
		move(y, 0);
		clrtoeol();
	}
}

/* ---- help ---- */

static void draw_help(struct ui *u)
{
	static const char *const text[] = {
		"healthtap top: keys (any key goes back)",
		"  Up/Down j/k PgUp/PgDn Home/End   move the selection",
		"  Enter, d      detail view of the selected process: its memory series",
		"                as a chart, smaps_rollup, growing mappings (from smaps)",
		"  /             filter by command name (Enter applies, Esc cancels)",
		"  Esc           clear the filter; leave the detail or help view",
		"  R             sort by leak risk (the default)",
		"  P M A G F T N U   sort by pid, RSS, anon, growth, R2 (fit), time to",
		"                limit, command, user; the same key again inverts",
		"  < >           sort by the previous / next column;  I  invert",
		"  t             tree view;   H  thread view (per-thread context switches)",
		"  K             show / hide kernel threads (hidden at start; --kthreads)",
		"  space p  pause (sampling goes on);  Ctrl-L  redraw;  ? h  help;  q  quit",
		"Columns: RSS, ANON resident bytes (K/M/G = KiB/MiB/GiB); GROWTH the RSS",
		"trend in bytes/s, the slope of a line fitted to the samples (- before 3);",
		"R2 how well the line fits (1: steady growth, near 0: noise); LIMIT-IN the",
		"time until the nearest limit (cgroup memory.max, RLIMIT_AS, or the host's",
		"memory) at that rate, only for a process that surely grows; RSS-TREND the",
		"RSS over the last minutes. Risk (the default sort): the share of the",
		"headroom eaten per hour, times R2. '*' before a command: healthtap's own",
		"processes (this top, its stap child, record, serve); [comm]: kernel thread.",
		"Prb: the health tapset (--stap starts it, --stream FILE|- reads one);",
		"cov = probe context switches / the /proc/stat ctxt delta (coverage).",
		"STALE in the title: the sampler is stuck in a slow /proc read.",
	};
	int y = 0;

	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]) && y < LINES; i++, y++)
		put_line(y, 0, text[i], i == 0 ? title_attr(u) : A_NORMAL, 1);
	for (; y < LINES; y++) {
		move(y, 0);
		clrtoeol();
	}
}

static void draw(struct ui *u)
{
	int y;

	if (LINES < 8 || COLS < 40) {
		erase();
		put_line(0, 0, "terminal too small (need 40x8); q quits", A_BOLD, 1);
		refresh();
		return;
	}
	if (u->mode == MODE_HELP) {
		draw_help(u);
	} else if (u->mode == MODE_DETAIL) {
		draw_detail(u);
		draw_footer(u);
	} else {
		y = draw_title(u);
		y = draw_header(u, y);
		if (u->threads)
			draw_threads(u, y);
		else
			draw_procs(u, y);
		draw_footer(u);
	}
	refresh();
}

/* ---- keys ---- */

static void take_frame(struct ui *u, struct top_frame *f)
{
	if (f->detail && f->detail->pid == u->detail_pid) {
		u->last_detail = *f->detail;
		u->have_detail = 1;
	}
	top_frame_free(u->frame);
	u->frame = f;
	view_rebuild(u);
}

static void set_sort(struct ui *u, int col)
{
	if (u->view.sort == col)
		u->view.desc = !u->view.desc;
	else {
		u->view.sort = col;
		u->view.desc = top_columns[col].desc_first;
	}
	view_rebuild(u);
}

static void step_sort(struct ui *u, int dir)
{
	int c = u->view.sort;

	do
		c = (c + dir + TOP_COL_N) % TOP_COL_N;
	while (!top_columns[c].cmp);
	u->view.sort = c;
	u->view.desc = top_columns[c].desc_first;
	view_rebuild(u);
}

static void open_detail(struct ui *u)
{
	if (u->threads) {
		if (!u->thread_sel_pid)
			return;
		u->detail_pid = u->thread_sel_pid;
	} else {
		if (!u->frame || !u->nidx || u->sel >= u->nidx)
			return;
		u->detail_pid = u->frame->procs[u->idx[u->sel]].pid;
	}
	u->have_detail = 0;
	u->mode = MODE_DETAIL;
	top_collect_request(u->c, u->detail_pid, u->threads);
}

static int on_key(struct ui *u, int ch)
{
	size_t page = LINES > 12 ? (size_t)(LINES - 12) : 1;
	size_t nrows = u->threads ? u->nthread_rows : u->nidx;

	if (ch == KEY_RESIZE) {	/* ncurses has resized stdscr already */
		clear();
		return 0;
	}
	u->status[0] = '\0';
	if (u->editing) {
		size_t len = strlen(u->filter);
		if (ch == 27) {
			snprintf(u->filter, sizeof(u->filter), "%s", u->filter_saved);
			u->editing = 0;
		} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			u->editing = 0;
		} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
			if (len)
				u->filter[len - 1] = '\0';
		} else if (ch >= 32 && ch < 127 && len + 1 < sizeof(u->filter)) {
			u->filter[len] = (char)ch;
			u->filter[len + 1] = '\0';
		}
		u->sel = 0;
		view_rebuild(u);
		return 0;
	}
	if (u->mode == MODE_HELP) {
		u->mode = MODE_MAIN;
		return ch == 'q' ? 0 : 0;
	}
	if (u->mode == MODE_DETAIL) {
		if (ch == 'q' || ch == 27 || ch == KEY_LEFT || ch == KEY_BACKSPACE || ch == 'd') {
			u->mode = MODE_MAIN;
			u->detail_pid = 0;
			u->have_detail = 0;
			top_collect_request(u->c, 0, u->threads);
		} else if (ch == ' ' || ch == 'p') {
			u->paused = !u->paused;
		} else if (ch == '?' || ch == 'h') {
			u->mode = MODE_HELP;
		}
		return 0;
	}
	switch (ch) {
	case 'q': case 'Q': return 1;
	case '?': case 'h': case KEY_F(1): u->mode = MODE_HELP; break;
	case KEY_UP: case 'k': if (u->sel) u->sel--; break;
	case KEY_DOWN: case 'j': if (u->sel + 1 < nrows) u->sel++; break;
	case KEY_PPAGE: u->sel = u->sel > page ? u->sel - page : 0; break;
	case KEY_NPAGE: u->sel = u->sel + page < nrows ? u->sel + page : (nrows ? nrows - 1 : 0); break;
	case KEY_HOME: case 'g': u->sel = 0; break;
	case KEY_END: u->sel = nrows ? nrows - 1 : 0; break;
	case '\n': case '\r': case KEY_ENTER: case 'd': open_detail(u); break;
	case '/': case '\\':
		snprintf(u->filter_saved, sizeof(u->filter_saved), "%s", u->filter);
		u->filter[0] = '\0';
		u->editing = 1;
		break;
	case 27: u->filter[0] = '\0'; view_rebuild(u); break;
	case '<': case ',': step_sort(u, -1); break;
	case '>': case '.': step_sort(u, 1); break;
	case 'I': u->view.desc = !u->view.desc; view_rebuild(u); break;
	case 't': u->view.tree = !u->view.tree; u->threads = 0; view_rebuild(u);
		top_collect_request(u->c, u->detail_pid, 0); break;
	case 'H':
		u->threads = !u->threads;
		u->sel = u->top = 0;
		top_collect_request(u->c, u->detail_pid, u->threads);
		break;
	case 'K': u->view.show_kthreads = !u->view.show_kthreads; view_rebuild(u); break;
	case ' ': case 'p':
		u->paused = !u->paused;
		if (!u->paused && u->held) {
			take_frame(u, u->held);
			u->held = NULL;
		}
		break;
	case 12: clearok(curscr, TRUE); break;	/* Ctrl-L */
	default:
		for (int c = 0; c < TOP_COL_N; c++)
			if (top_columns[c].key && top_columns[c].key == ch) {
				set_sort(u, c);
				return 0;
			}
		if (ch != ERR && ch >= 32 && ch < 127)
			snprintf(u->status, sizeof(u->status), "unknown key '%c': ? shows the keys", ch);
	}
	if (u->nidx && u->frame && !u->threads && u->sel < u->nidx)
		u->sel_pid = u->frame->procs[u->idx[u->sel]].pid;
	return 0;
}

static void init_colors(struct ui *u)
{
	u->color = u->o->color && has_colors();
	if (!u->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_GOOD, COLOR_GREEN, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_CRIT, COLOR_RED, -1);
	init_pair(PAIR_DIM, COLOR_BLUE, -1);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_SEL, COLOR_BLACK, COLOR_YELLOW);
	init_pair(PAIR_RSS, COLOR_CYAN, -1);
	init_pair(PAIR_ANON, COLOR_MAGENTA, -1);
}

int top_ui_run(struct top_collector *c, const struct top_ui_opts *o,
	       volatile sig_atomic_t *stop, char *msg, size_t msgsize)
{
	struct ui u = { .o = o, .c = c, .view = o->view, .threads = o->threads,
			.interval_ns = o->interval_ms * 1000000LL };
	SCREEN *scr;
	FILE *in = o->tty_fd >= 0 ? fdopen(dup(o->tty_fd), "r") : stdin;
	FILE *out = o->out_fd >= 0 ? fdopen(dup(o->out_fd), "w") : stdout;
	int infd, rc = 0;

	msg[0] = '\0';
	if (o->view.filter)
		snprintf(u.filter, sizeof(u.filter), "%s", o->view.filter);
	if (!in || !out) {
		snprintf(msg, msgsize, "cannot open the terminal: %s", strerror(errno));
		return 1;
	}
	infd = fileno(in);
	scr = newterm(NULL, out, in);
	if (!scr) {
		snprintf(msg, msgsize, "cannot start the screen (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "unset");
		return 1;
	}
	set_term(scr);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	init_colors(&u);
	draw(&u);
	top_collect_request(c, 0, u.threads);
	while (!*stop) {
		struct pollfd pf[2] = {
			{ .fd = infd, .events = POLLIN },
			{ .fd = top_collect_fd(c), .events = POLLIN },
		};
		int ch, quit = 0, redraw = 0;
		int polled = poll(pf, 2, 1000);

		if (polled < 0 && errno != EINTR)
			break;
		if (*stop)
			break;
		if (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;		/* the terminal is gone */
		if (polled == 0 && stale_s(&u) > 0)
			redraw = 1;	/* the title counts the stale seconds */
		if (pf[1].revents) {
			int err;
			struct top_frame *f = top_collect_take(c, &err, u.errmsg, sizeof(u.errmsg));
			if (err && !u.frame) {	/* never sampled: nothing to show */
				snprintf(msg, msgsize, "%s", u.errmsg);
				rc = 1;
				break;
			}
			if (err)
				snprintf(u.status, sizeof(u.status), "%s", u.errmsg);
			if (f) {
				int fresh = !u.frame || f->seq != u.frame->seq;
				if (u.paused && u.frame) {
					/* hold the newest; a first detail answer still shows */
					if (f->detail && f->detail->pid == u.detail_pid && !u.have_detail) {
						u.last_detail = *f->detail;
						u.have_detail = 1;
					}
					top_frame_free(u.held);
					u.held = f;
				} else {
					take_frame(&u, f);
				}
				if (fresh) {
					u.frames++;
					u.fresh_ns = ht_now_ns();
				}
				redraw = 1;
			}
		}
		while ((ch = getch()) != ERR) {
			if (on_key(&u, ch)) {
				quit = 1;
				break;
			}
			redraw = 1;
		}
		if (quit)
			break;
		if (redraw)
			draw(&u);
		if (o->iterations && u.frames >= (uint64_t)o->iterations)
			break;
	}
	/* Terminals without an alternate screen (vt100) would keep the
	 * dashboard on screen: wipe it first. */
	{
		const char *smcup = tigetstr("smcup");
		if (!smcup || smcup == (const char *)-1) {
			erase();
			refresh();
		}
	}
	endwin();
	delscreen(scr);
	if (in != stdin)
		fclose(in);
	if (out != stdout)
		fclose(out);
	top_frame_free(u.frame);
	top_frame_free(u.held);
	free(u.idx);
	return rc;
}
