/* healthtap top: text and JSON renderers (see top_render.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "fmt.h"
#include "out_json.h"
#include "out_snap.h"
#include "top_render.h"
#include "top_widget.h"

void top_time_label(const struct top_render_ctx *ctx, const struct top_frame *f,
		    char *buf, size_t size)
{
	time_t secs = (time_t)(f->sys.wall_ms / 1000);
	struct tm tm;

	if (ctx->clock_label) {
		snprintf(buf, size, "%s", ctx->clock_label);
		return;
	}
	localtime_r(&secs, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static int pid_shown(const struct top_frame *f, const size_t *idx, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (f->procs[idx[i]].pid == pid)
			return 1;
	return 0;
}

/* One line of a text frame: it may hold a comm, a command line or a
 * stream's words, so it is made visible-safe (fmt.h). */
static void text_line(struct ht_buf *b, const char *line)
{
	fmt_visible_add(b, line, strlen(line));
	ht_buf_putc(b, '\n');
}

static void text_threads(struct ht_buf *b, const struct top_frame *f, const size_t *idx, size_t n)
{
	char line[256];
	size_t shown = 0;

	for (size_t i = 0; i < f->nthreads; i++)
		shown += pid_shown(f, idx, n, f->threads[i].pid);
	ht_buf_printf(b, "\nThreads: %zu of the processes shown\n%7s %7s %-16s %5s %10s %10s %12s %12s\n",
		      shown, "PID", "TID", "COMM", "STATE", "VCSW/s", "IVCSW/s", "VCSW", "IVCSW");
	for (size_t i = 0; i < f->nthreads; i++) {
		const struct top_thread_row *t = &f->threads[i];
		char a[16], c[16];

		if (!pid_shown(f, idx, n, t->pid))
			continue;
		snprintf(line, sizeof(line), "%7d %7d %-16.16s %5c %10s %10s %12" PRId64 " %12" PRId64,
			 (int)t->pid, (int)t->tid, t->comm, t->state,
			 fmt_num(a, sizeof(a), t->vol_rate, 1), fmt_num(c, sizeof(c), t->nonvol_rate, 1),
			 t->vol, t->nonvol);
		text_line(b, line);
	}
}

static int text_frame(struct top_render_ctx *ctx, struct top_frame *f)
{
	char when[64], line[1024];
	struct top_line lines[16];
	struct ht_buf b = { 0 };
	size_t *idx = malloc((f->nprocs ? f->nprocs : 1) * sizeof(*idx));
	size_t n, kthreads = 0;
	int err;

	if (!idx)
		return -ENOMEM;
	top_time_label(ctx, f, when, sizeof(when));
	snprintf(line, sizeof(line), "healthtap top - %s - frame %" PRIu64 " - %d CPUs - source: %s/proc",
		 when, ctx->frame_no, f->sys.ncpus, ctx->root);
	text_line(&b, line);
	for (const struct top_widget *w = top_header_widgets; w->name; w++) {
		int k = w->lines(f, 1, lines, 16);
		for (int i = 0; i < k; i++)
			text_line(&b, lines[i].text);
	}
	for (size_t i = 0; i < f->nprocs; i++)
		kthreads += (f->procs[i].flags & HT_PROC_KTHREAD) != 0;
	n = top_view_build(f, &ctx->view, idx);
	ht_buf_putc(&b, '\n');
	snprintf(line, sizeof(line), "Processes: %zu (%zu kernel threads%s), %zu shown, sorted by %s%s%s%s",
		 f->nprocs, kthreads, ctx->view.show_kthreads || !kthreads ? "" :
		 ", hidden: --kthreads shows them", n, top_columns[ctx->view.sort].name,
		 ctx->view.desc ? " (descending)" : "", ctx->view.filter ? ", filter: " : "",
		 ctx->view.filter ? ctx->view.filter : "");
	text_line(&b, line);
	top_table_header(line, sizeof(line), 0, ctx->view.sort, ctx->view.desc);
	text_line(&b, line);
	for (size_t i = 0; i < n && (!ctx->limit || i < ctx->limit); i++) {
		top_table_row(&f->procs[idx[i]], line, sizeof(line), 0, ctx->utf8, ctx->view.tree);
		text_line(&b, line);
	}
	if (f->nthreads)
		text_threads(&b, f, idx, n);
	ht_buf_putc(&b, '\n');
	free(idx);
	err = out_write(&b, ctx->out);
	ht_buf_free(&b);
	return err;
}

/* ---- JSON ---- */

static void json_vecs(struct out_json *j, const char *key, const struct top_vec_rate *v, size_t n)
{
	out_json_array(j, key);
	for (size_t i = 0; i < n; i++) {
		out_json_object(j, NULL);
		out_json_str(j, "name", v[i].name);
		out_json_double(j, "per_s", v[i].rate);
		out_json_end(j);
	}
	out_json_end(j);
}

static void json_system(struct out_json *j, const struct top_frame *f)
{
	const struct ht_sys_snapshot *s = &f->sys;

	out_json_int(j, "ncpus", s->ncpus);
	/* The flat figures of the first top, kept for scripts. */
	out_snap_rates(j, s);
	out_json_int(j, "procs_running", s->procs_running);
	out_json_int(j, "procs_blocked", s->procs_blocked);
	out_json_object(j, "memory");
	out_json_count(j, "total_bytes", s->mem_total);
	out_json_count(j, "available_bytes", s->mem_available);
	out_json_count(j, "used_bytes", f->mem_used);
	out_json_double(j, "available_trend_bytes_per_s", s->mem_avail_rate);
	out_json_double(j, "available_trend_r2", s->mem_avail_r2);
	out_json_double(j, "available_gone_in_s", s->mem_avail_rate < 0 ? s->mem_eta_s : NAN);
	out_json_end(j);
	out_json_object(j, "kernel_memory_bytes");
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++)
		out_json_count(j, ht_kmem_fields[i].key, ht_kmem_value(s, i));
	out_json_end(j);
	out_snap_skb(j, "skb", &s->skb);
	out_snap_psi(j, "psi_avg10_pct", s);
	json_vecs(j, "irq_top", f->intr_top, f->nintr);
	json_vecs(j, "softirq_top", f->soft_top, f->nsoft);
}

static void json_probes(struct out_json *j, const struct top_frame *f)
{
	out_json_object(j, "probes");
	out_json_str(j, "source", f->probe_source == TOP_PROBES_OFF ? "off" :
				  f->probe_source == TOP_PROBES_STAP ? "stap" : "stream");
	out_json_bool(j, "active", f->probe.active);
	out_json_uint(j, "records", f->probe.records);
	out_json_uint(j, "bad_lines", f->probe.bad_lines);
	out_json_double(j, "sched_coverage", f->probe.sched_coverage);
	out_json_count(j, "sched_ctxt_absolute", f->probe.sched_ctxt_absolute);
	out_json_count(j, "skb_alloc", f->skb_alloc);
	out_json_count(j, "skb_free", f->skb_free);
	if (f->skb_outstanding == TOP_NO_COUNT)
		out_json_null(j, "skb_outstanding");
	else
		out_json_int(j, "skb_outstanding", f->skb_outstanding);
	out_json_end(j);
}

static void json_proc(struct out_json *j, const struct top_proc_row *r)
{
	out_json_object(j, NULL);
	out_json_int(j, "pid", r->pid);
	out_json_int(j, "ppid", r->ppid);
	out_json_str(j, "user", r->user);
	out_json_str(j, "comm", r->comm);
	out_json_str(j, "command", r->cmd);
	out_json_bool(j, "kernel_thread", (r->flags & HT_PROC_KTHREAD) != 0);
	out_json_bool(j, "healthtap", r->own);
	out_json_count(j, "rss_bytes", r->rss);
	out_json_count(j, "anon_bytes", r->anon);
	out_json_double(j, "growth_bytes_per_s", r->rate);
	out_json_double(j, "r2", r->r2);
	out_json_str(j, "limit", ht_limit_name(r->limit_kind));
	out_json_count(j, "limit_bytes", r->limit_bytes);
	out_json_double(j, "time_to_limit_s", r->eta_s);
	out_json_double(j, "risk", r->risk);
	out_json_array(j, "rss_trend_bytes");
	for (int k = 0; k < TOP_SPARK_BUCKETS; k++)
		out_json_double(j, NULL, round(r->spark[k]));
	out_json_end(j);
	out_json_end(j);
}

static int json_frame(struct top_render_ctx *ctx, struct top_frame *f)
{
	size_t *idx = malloc((f->nprocs ? f->nprocs : 1) * sizeof(*idx));
	struct ht_buf b = { 0 };
	struct out_json j;
	size_t n;
	char when[64];
	int err;

	if (!idx)
		return -ENOMEM;
	top_time_label(ctx, f, when, sizeof(when));
	out_json_init(&j, &b);
	out_json_object(&j, NULL);
	out_json_uint(&j, "frame", ctx->frame_no);
	out_json_int(&j, "time_ms", ctx->clock_label ? 0 : f->sys.wall_ms);
	out_json_str(&j, "time", when);
	json_system(&j, f);
	json_probes(&j, f);
	out_json_array(&j, "processes");
	n = top_view_build(f, &ctx->view, idx);
	for (size_t i = 0; i < n && (!ctx->limit || i < ctx->limit); i++)
		json_proc(&j, &f->procs[idx[i]]);
	out_json_end(&j);
	out_json_end(&j);
	out_json_newline(&j);
	free(idx);
	err = out_write(&b, ctx->out);
	ht_buf_free(&b);
	return err;
}

static const struct top_renderer renderers[] = {
	{ "text", text_frame },
	{ "json", json_frame },
};

const struct top_renderer *top_renderer_find(const char *name)
{
	for (size_t i = 0; i < sizeof(renderers) / sizeof(renderers[0]); i++)
		if (!strcmp(renderers[i].name, name))
			return &renderers[i];
	return NULL;
}
