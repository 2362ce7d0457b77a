/* healthtap top: text and JSON renderers (see top_render.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

static int text_frame(struct top_render_ctx *ctx, struct top_frame *f)
{
	FILE *o = ctx->out;
	char when[64], hdr[512], row[1024];
	struct top_line lines[16];
	size_t *idx = malloc((f->nprocs ? f->nprocs : 1) * sizeof(*idx));
	size_t n, kthreads = 0;

	if (!idx)
		return -ENOMEM;
	top_time_label(ctx, f, when, sizeof(when));
	fprintf(o, "healthtap top - %s - frame %" PRIu64 " - %d CPUs - source: %s/proc\n", when,
		ctx->frame_no, f->sys.ncpus, ctx->root);
	for (const struct top_widget *w = top_header_widgets; w->name; w++) {
		int k = w->lines(f, 1, lines, 16);
		for (int i = 0; i < k; i++)
			fprintf(o, "%s\n", lines[i].text);
	}
	for (size_t i = 0; i < f->nprocs; i++)
		kthreads += (f->procs[i].flags & HT_PROC_KTHREAD) != 0;
	n = top_view_build(f, &ctx->view, idx);
	fprintf(o, "\nProcesses: %zu (%zu kernel threads), %zu shown, sorted by %s%s%s%s\n",
		f->nprocs, kthreads, n, top_columns[ctx->view.sort].name,
		ctx->view.desc ? " (descending)" : "", ctx->view.filter ? ", filter: " : "",
		ctx->view.filter ? ctx->view.filter : "");
	top_table_header(hdr, sizeof(hdr), 0, ctx->view.sort, ctx->view.desc);
	fprintf(o, "%s\n", hdr);
	for (size_t i = 0; i < n && (!ctx->limit || i < ctx->limit); i++) {
		top_table_row(&f->procs[idx[i]], row, sizeof(row), 0, ctx->utf8, ctx->view.tree);
		fprintf(o, "%s\n", row);
	}
	if (f->nthreads) {
		size_t shown = 0;
		for (size_t i = 0; i < f->nthreads; i++)
			shown += pid_shown(f, idx, n, f->threads[i].pid);
		fprintf(o, "\nThreads: %zu of the processes shown\n%7s %7s %-16s %5s %10s %10s %12s %12s\n",
			shown, "PID", "TID", "COMM", "STATE", "VCSW/s", "IVCSW/s", "VCSW", "IVCSW");
		for (size_t i = 0; i < f->nthreads; i++) {
			const struct top_thread_row *t = &f->threads[i];
			char a[16], b[16];

			if (!pid_shown(f, idx, n, t->pid))
				continue;
			fprintf(o, "%7d %7d %-16.16s %5c %10s %10s %12" PRId64 " %12" PRId64 "\n",
				(int)t->pid, (int)t->tid, t->comm, t->state,
				isnan(t->vol_rate) ? "-" : (snprintf(a, 16, "%.1f", t->vol_rate), a),
				isnan(t->nonvol_rate) ? "-" : (snprintf(b, 16, "%.1f", t->nonvol_rate), b),
				t->vol, t->nonvol);
		}
	}
	fputc('\n', o);
	free(idx);
	fflush(o);
	return ferror(o) ? -EIO : 0;
}

/* ---- JSON ---- */

static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(o, "\\u%04x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

static void json_num(FILE *o, const char *key, double v, int comma)
{
	if (!isfinite(v))
		fprintf(o, "\"%s\":null", key);
	else if (v == (double)(int64_t)v && fabs(v) < 1e15)
		fprintf(o, "\"%s\":%" PRId64, key, (int64_t)v);
	else
		fprintf(o, "\"%s\":%.6g", key, v);
	if (comma)
		fputc(',', o);
}

static void json_bytes(FILE *o, const char *key, int64_t v, int comma)
{
	if (v < 0)
		fprintf(o, "\"%s\":null", key);
	else
		fprintf(o, "\"%s\":%" PRId64, key, v);
	if (comma)
		fputc(',', o);
}

static void json_vecs(FILE *o, const char *key, const struct top_vec_rate *v, size_t n)
{
	fprintf(o, "\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		fprintf(o, "%s{\"name\":", i ? "," : "");
		json_str(o, v[i].name);
		fputc(',', o);
		json_num(o, "per_s", v[i].rate, 0);
		fputc('}', o);
	}
	fputc(']', o);
}

static int json_frame(struct top_render_ctx *ctx, struct top_frame *f)
{
	FILE *o = ctx->out;
	const struct ht_sys_snapshot *s = &f->sys;
	size_t *idx = malloc((f->nprocs ? f->nprocs : 1) * sizeof(*idx));
	size_t n;
	char when[64];

	if (!idx)
		return -ENOMEM;
	top_time_label(ctx, f, when, sizeof(when));
	fprintf(o, "{\"frame\":%" PRIu64 ",\"time_ms\":%" PRId64 ",\"time\":", ctx->frame_no,
		ctx->clock_label ? (int64_t)0 : s->wall_ms);
	json_str(o, when);
	fprintf(o, ",\"ncpus\":%d,", s->ncpus);
	/* The flat figures of the first top, kept for scripts. */
	json_num(o, "cpu_busy_pct", s->cpu_busy_pct, 1);
	json_num(o, "ctxt_per_s", s->ctxt_rate, 1);
	json_num(o, "intr_per_s", s->intr_rate, 1);
	json_num(o, "softirq_per_s", s->softirq_rate, 1);
	json_num(o, "forks_per_s", s->fork_rate, 1);
	fprintf(o, "\"procs_running\":%" PRId64 ",\"procs_blocked\":%" PRId64 ",", s->procs_running,
		s->procs_blocked);
	fprintf(o, "\"memory\":{");
	json_bytes(o, "total_bytes", s->mem_total, 1);
	json_bytes(o, "available_bytes", s->mem_available, 1);
	json_bytes(o, "used_bytes", f->mem_used, 1);
	json_num(o, "available_trend_bytes_per_s", s->mem_avail_rate, 1);
	json_num(o, "available_trend_r2", s->mem_avail_r2, 1);
	json_num(o, "available_gone_in_s", s->mem_avail_rate < 0 ? s->mem_eta_s : NAN, 0);
	fprintf(o, "},\"psi_avg10_pct\":{");
	json_num(o, "cpu_some", s->psi_cpu_some, 1);
	json_num(o, "memory_some", s->psi_mem_some, 1);
	json_num(o, "memory_full", s->psi_mem_full, 1);
	json_num(o, "io_some", s->psi_io_some, 1);
	json_num(o, "io_full", s->psi_io_full, 0);
	fputs("},", o);
	json_vecs(o, "irq_top", f->intr_top, f->nintr);
	fputc(',', o);
	json_vecs(o, "softirq_top", f->soft_top, f->nsoft);
	fprintf(o, ",\"probes\":{\"source\":\"%s\",\"active\":%s,\"records\":%" PRIu64
		",\"bad_lines\":%" PRIu64 ",",
		f->probe_source == TOP_PROBES_OFF ? "off" :
		f->probe_source == TOP_PROBES_STAP ? "stap" : "stream",
		f->probe.active ? "true" : "false", f->probe.records, f->probe.bad_lines);
	json_num(o, "sched_coverage", f->probe.sched_coverage, 1);
	json_bytes(o, "skb_alloc", f->skb_alloc, 1);
	json_bytes(o, "skb_free", f->skb_free, 1);
	if (f->skb_outstanding == TOP_NO_COUNT)
		fputs("\"skb_outstanding\":null", o);
	else
		fprintf(o, "\"skb_outstanding\":%" PRId64, f->skb_outstanding);
	fputs("},\"processes\":[", o);
	n = top_view_build(f, &ctx->view, idx);
	for (size_t i = 0; i < n && (!ctx->limit || i < ctx->limit); i++) {
		const struct top_proc_row *r = &f->procs[idx[i]];
		fprintf(o, "%s{\"pid\":%d,\"ppid\":%d,\"user\":", i ? "," : "", (int)r->pid,
			(int)r->ppid);
		json_str(o, r->user);
		fputs(",\"comm\":", o);
		json_str(o, r->comm);
		fputs(",\"command\":", o);
		json_str(o, r->cmd);
		fputc(',', o);
		json_bytes(o, "rss_bytes", r->rss, 1);
		json_bytes(o, "anon_bytes", r->anon, 1);
		json_num(o, "growth_bytes_per_s", r->rate, 1);
		json_num(o, "r2", r->r2, 1);
		fprintf(o, "\"limit\":\"%s\",", ht_limit_name(r->limit_kind));
		json_bytes(o, "limit_bytes", r->limit_bytes, 1);
		json_num(o, "time_to_limit_s", r->eta_s, 1);
		json_num(o, "risk", r->risk, 1);
		fputs("\"rss_trend_bytes\":[", o);
		for (int k = 0; k < TOP_SPARK_BUCKETS; k++) {
			if (isnan(r->spark[k]))
				fprintf(o, "%snull", k ? "," : "");
			else
				fprintf(o, "%s%.0f", k ? "," : "", r->spark[k]);
		}
		fputs("]}", o);
	}
	fputs("]}\n", o);
	free(idx);
	fflush(o);
	return ferror(o) ? -EIO : 0;
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
