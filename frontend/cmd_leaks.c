/* healthtap leaks: which processes (and cgroups, and the system) leak memory,
 * how fast, and when they reach their nearest limit.
 *
 * The collector (runtime/ht_leak_collect.h) samples every process for the
 * window, or reads the series a recorder wrote (-d), and judges each with
 * ht_leak_analyze() (runtime/ht_leak.h has the rules); this file renders
 * its report as a table, JSON or CSV. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "alloc_where.h"
#include "cli.h"
#include "fmt.h"
#include "ht_leak_collect.h"
#include "out_csv.h"
#include "out_json.h"
#include "ht_store.h"

/* ---- rendering ---- */

struct leaks_view {
	int all;			/* -a */
	int selected_only;		/* -p */
	int kernel;			/* -k */
	struct ht_alloc_watch *where;	/* --where PID: its sites, or NULL */
	int where_pid;
};

/* The RSS growth rate of the --where process, NAN if not judged. */
static double where_rss_rate(const struct ht_leak_report *r, const struct leaks_view *v)
{
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (r->procs[i].kind == HT_LEAK_PROC && r->procs[i].pid == v->where_pid)
			return r->procs[i].l.rate;
	return NAN;
}

static int shown(const struct leaks_view *v, const struct ht_leak_item *it)
{
	if (it->kind == HT_LEAK_SYSTEM || it->kind == HT_LEAK_KERNEL)
		return 1;
	if (v->selected_only)
		return it->kind == HT_LEAK_PROC && it->selected;
	if (it->l.verdict == HT_LEAK_YES || (it->as_judged && it->as.verdict == HT_LEAK_YES))
		return 1;
	return v->all && ht_leak_positive(&it->l);
}

/* "address space grows 1.00 MiB/s, RSS flat ...", for a process whose
 * VmSize leaks while its RSS does not. */
static void table_address_space(FILE *out, const struct ht_leak_item *it)
{
	const struct ht_leak *a = &it->as;
	char r[32], v[32], l[32], e[32];

	if (!it->as_judged || a->verdict != HT_LEAK_YES)
		return;
	fprintf(out, "    address space grows %s/s (%.0f B/s), RSS %s; VmSize %s",
		fmt_bytes(r, sizeof(r), a->rate), a->rate,
		it->l.verdict == HT_LEAK_NO ? "flat" : ht_leak_verdict_name(it->l.verdict),
		fmt_bytes(v, sizeof(v), (double)a->current));
	if (a->limit_kind == HT_LIMIT_RLIMIT_AS)
		fprintf(out, ", RLIMIT_AS %s reached in %s\n",
			fmt_bytes(l, sizeof(l), (double)a->limit_bytes),
			fmt_duration(e, sizeof(e), a->eta.point));
	else
		fprintf(out, ", no RLIMIT_AS\n");
}

static const char *item_name(const struct ht_leak_item *it)
{
	switch (it->kind) {
	case HT_LEAK_PROC: return it->cmdline ? it->cmdline : it->comm;
	case HT_LEAK_CGROUP: return it->cgroup;
	case HT_LEAK_SYSTEM: return "system";
	case HT_LEAK_KERNEL: case HT_LEAK_SLAB: case HT_LEAK_SOCKET: return it->name;
	case HT_LEAK_COMMAND: return it->cmdline ? it->cmdline : it->comm;
	}
	return "";
}

/* A leak across pids: "Command app restarted 4 times ..." */
static void table_command(FILE *out, const struct ht_leak_item *it)
{
	char name[1024], a[32], b[32], c[32];

	fmt_visible(name, sizeof(name), item_name(it));
	fprintf(out, "Command %s restarted %zu times, leaking across its lives (pid %d now)\n",
		name, it->lives - 1, (int)it->pid);
	fprintf(out, "    each life grew about %.0f B/s and %s, %s to %s (%zu of %zu ended) "
		"over %s",
		it->l.rate, it->regrows ? "died at about one size" : "died bigger each time",
		fmt_bytes(a, sizeof(a), (double)it->peak_min),
		fmt_bytes(b, sizeof(b), (double)it->peak_max), it->died, it->lives,
		fmt_duration(c, sizeof(c), it->l.span_s));
	if (it->oom_kills >= (int64_t)it->died)
		fprintf(out, "; an OOM-kill loop: %" PRId64 " OOM kills meanwhile\n", it->oom_kills);
	else
		fputc('\n', out);
}

static void table_details(FILE *out, const struct ht_leak_item *it)
{
	const struct ht_leak *l = &it->l;
	char a[32], b[32], c[32], d[32], e[32], f[32];

	fprintf(out, "    %s (%s): %.0f B/s [%.0f, %.0f] B/s 95%% CI, R\xc2\xb2 %.3f, "
		"Mann-Kendall p %.2g, steps %s, %zu points over %s\n",
		ht_leak_verdict_name(l->verdict), ht_leak_reason_name(l->reason),
		l->rate, l->rate_lo, l->rate_hi, l->r2, l->mk_p,
		l->steps_excluded ? "excluded" : l->nsteps ? "kept" : "none",
		l->n, fmt_duration(a, sizeof(a), l->span_s));
	if (l->verdict == HT_LEAK_INCONCLUSIVE)
		fprintf(out, "    a verdict in about %s more at this noise\n",
			isfinite(l->decide_in_s) ? fmt_duration(a, sizeof(a), l->decide_in_s)
						 : "an unknown time");
	if (it->kind == HT_LEAK_SYSTEM)
		fprintf(out, "    used %s, MemAvailable %s",
			fmt_bytes(a, sizeof(a), (double)l->current),
			fmt_bytes(b, sizeof(b), (double)l->headroom));
	else if (it->kind == HT_LEAK_SOCKET)
		fprintf(out, "    queued %s, held by %s", fmt_bytes(a, sizeof(a), (double)l->current),
			it->owners ? it->owners : "no process found in /proc/PID/fd");
	else if (it->kind == HT_LEAK_KERNEL || it->kind == HT_LEAK_SLAB)
		fprintf(out, "    now %s", fmt_bytes(a, sizeof(a), (double)l->current));
	else
		fprintf(out, "    %s %s, anon %s", it->kind == HT_LEAK_CGROUP ? "memory.current" : "RSS",
			fmt_bytes(a, sizeof(a), (double)l->current),
			fmt_bytes(b, sizeof(b), (double)l->anon));
	if (l->limit_kind != HT_LIMIT_NONE && it->detailed)
		fprintf(out, "; nearest limit %s %s (%s left), reached in %s [%s, %s]\n",
			ht_leak_limit_name(l->limit_kind),
			fmt_bytes(c, sizeof(c), (double)l->limit_bytes),
			fmt_bytes(d, sizeof(d), (double)l->headroom),
			fmt_duration(e, sizeof(e), l->eta.point),
			fmt_duration(f, sizeof(f), l->eta.soonest),
			fmt_duration(a, sizeof(a), l->eta.latest));
	else
		fputc('\n', out);
}

static void table_item(FILE *out, const struct ht_leak_item *it)
{
	const struct ht_leak *l = &it->l;
	char what[64], name[1024];

	if (l->verdict == HT_LEAK_YES && isfinite(l->onset_ago_s))
		snprintf(what, sizeof(what), "is leaking %.0f B/s since %.0f s ago", l->rate,
			 l->onset_ago_s);
	else if (l->verdict == HT_LEAK_YES)
		snprintf(what, sizeof(what), "is leaking %.0f B/s", l->rate);
	else if (it->as_judged && it->as.verdict == HT_LEAK_YES)
		snprintf(what, sizeof(what), "is leaking address space %.0f B/s", it->as.rate);
	else if (l->rate > 0)
		snprintf(what, sizeof(what), "is growing %.0f B/s", l->rate);
	else if (isfinite(l->rate))
		snprintf(what, sizeof(what), "is not growing (%.0f B/s)", l->rate);
	else
		snprintf(what, sizeof(what), "has too few samples");
	fmt_visible(name, sizeof(name), item_name(it));
	if (it->kind == HT_LEAK_PROC)
		fprintf(out, "Process %d %s (%s)\n", (int)it->pid, what, name);
	else if (it->kind == HT_LEAK_CGROUP)
		fprintf(out, "Cgroup %s %s\n", name, what);
	else if (it->kind == HT_LEAK_KERNEL)
		fprintf(out, "Kernel %s %s\n", name, what);
	else if (it->kind == HT_LEAK_SLAB)
		fprintf(out, "Slab cache %s %s\n", name, what);
	else if (it->kind == HT_LEAK_SOCKET)
		fprintf(out, "Socket queue %s %s%s\n", name, what,
			l->verdict == HT_LEAK_YES ? " (skbs nobody reads)" : "");
	else
		fprintf(out, "System memory %s\n", what);
	table_details(out, it);
	table_address_space(out, it);
}

static void render_table(FILE *out, const struct ht_leak_report *r, const struct leaks_view *v)
{
	size_t shown_procs = 0;
	char w[32];

	fprintf(out, "healthtap leaks: %s, %s window, a point every %.0f ms, %zu processes\n",
		r->from_db ? "recorded DB" : "live",
		fmt_duration(w, sizeof(w), r->window_s), r->interval_s * 1e3,
		r->nprocs);
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (shown(v, &r->procs[i])) {
			table_item(out, &r->procs[i]);
			shown_procs++;
		}
	if (!shown_procs)
		fprintf(out, "no %s process\n", v->selected_only ? "such" :
			v->all ? "growing" : "leaking");
	for (size_t i = 0; i < r->ncommands; i++)
		table_command(out, &r->commands[i]);
	for (size_t i = 0; i < r->ncgroups; i++)
		if (!v->selected_only && shown(v, &r->cgroups[i]))
			table_item(out, &r->cgroups[i]);
	if (r->have_system)
		table_item(out, &r->system);
	for (size_t i = 0; i < r->nkernel; i++)
		table_item(out, &r->kernel[i]);
	for (size_t i = 0; i < r->nslabs; i++)
		if (shown(v, &r->slabs[i]))
			table_item(out, &r->slabs[i]);
	for (size_t i = 0; i < r->nsockets; i++)
		if (shown(v, &r->sockets[i]))
			table_item(out, &r->sockets[i]);
	if (v->where)
		where_render_table(out, v->where, 20, where_rss_rate(r, v), NULL);
}

static void json_item(struct out_json *j, const char *key, const struct ht_leak_item *it)
{
	const struct ht_leak *l = &it->l;

	out_json_object(j, key);
	if (it->kind == HT_LEAK_PROC) {
		out_json_int(j, "pid", it->pid);
		out_json_str(j, "comm", it->comm);
		out_json_str(j, "cmdline", it->cmdline ? it->cmdline : "");
		if (it->as_judged) {
			out_json_object(j, "address_space");
			out_json_str(j, "verdict", ht_leak_verdict_name(it->as.verdict));
			out_json_str(j, "reason", ht_leak_reason_name(it->as.reason));
			out_json_double(j, "rate_Bps", it->as.rate);
			out_json_double(j, "rate_lo_Bps", it->as.rate_lo);
			out_json_double(j, "rate_hi_Bps", it->as.rate_hi);
			out_json_count(j, "vmsize_B", it->as.current);
			out_json_str(j, "limit", ht_leak_limit_name(it->as.limit_kind));
			out_json_count(j, "limit_B", it->as.limit_bytes);
			out_json_count(j, "headroom_B", it->as.headroom);
			out_json_double(j, "eta_s", it->as.eta.point);
			out_json_end(j);
		} else {
			out_json_null(j, "address_space");
		}
	} else if (it->kind == HT_LEAK_CGROUP) {
		out_json_str(j, "cgroup", it->cgroup);
	} else if (it->kind == HT_LEAK_KERNEL || it->kind == HT_LEAK_SLAB) {
		out_json_str(j, "name", it->name);
	} else if (it->kind == HT_LEAK_SOCKET) {
		out_json_str(j, "socket", it->name);
		out_json_uint(j, "inode", it->inode);
		out_json_str(j, "owners", it->owners);
	} else if (it->kind == HT_LEAK_COMMAND) {
		out_json_int(j, "pid", it->pid);
		out_json_str(j, "comm", it->comm);
		out_json_str(j, "cmdline", it->cmdline ? it->cmdline : "");
		out_json_uint(j, "lives", it->lives);
		out_json_uint(j, "restarts", it->lives - 1);
		out_json_uint(j, "died", it->died);
		out_json_count(j, "died_at_min_B", it->peak_min);
		out_json_count(j, "died_at_max_B", it->peak_max);
		out_json_bool(j, "regrows", it->regrows);
		out_json_bool(j, "grows_across", it->grows_across);
		out_json_count(j, "oom_kills", it->oom_kills);
		out_json_bool(j, "oom_loop", it->oom_kills >= (int64_t)it->died);
	}
	out_json_str(j, "verdict", ht_leak_verdict_name(l->verdict));
	out_json_str(j, "reason", ht_leak_reason_name(l->reason));
	out_json_double(j, "rate_Bps", l->rate);
	out_json_double(j, "rate_lo_Bps", l->rate_lo);
	out_json_double(j, "rate_hi_Bps", l->rate_hi);
	out_json_double(j, "r2", l->r2);
	out_json_double(j, "mk_p", l->mk_p);
	out_json_bool(j, "steps_excluded", l->steps_excluded);
	out_json_uint(j, "steps", l->nups);
	out_json_uint(j, "drops", l->ndrops);
	out_json_count(j, "step_bytes", (int64_t)l->step_bytes);
	out_json_count(j, "current_B", l->current);
	out_json_count(j, "anon_B", l->anon);
	out_json_str(j, "limit", ht_leak_limit_name(l->limit_kind));
	out_json_count(j, "limit_B", l->limit_bytes);
	out_json_count(j, "headroom_B", l->headroom);
	out_json_double(j, "eta_s", l->eta.point);
	out_json_double(j, "eta_soonest_s", l->eta.soonest);
	out_json_double(j, "eta_latest_s", l->eta.latest);
	out_json_uint(j, "points", l->n);
	out_json_double(j, "span_s", l->span_s);
	out_json_double(j, "decide_in_s", l->decide_in_s);
	out_json_double(j, "onset_ago_s", l->onset_ago_s);
	out_json_end(j);
}

static void render_json(FILE *out, const struct ht_leak_report *r, const struct leaks_view *v)
{
	struct ht_buf b = { 0 };
	struct out_json j;

	out_json_init(&j, &b);
	out_json_object(&j, NULL);
	out_json_str(&j, "source", r->from_db ? "db" : "live");
	out_json_double(&j, "window_s", r->window_s);
	out_json_double(&j, "interval_s", r->interval_s);
	out_json_uint(&j, "samples", r->samples);
	out_json_uint(&j, "processes_analysed", r->nprocs);
	out_json_array(&j, "processes");
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (shown(v, &r->procs[i]))
			json_item(&j, NULL, &r->procs[i]);
	out_json_end(&j);
	out_json_array(&j, "cgroups");
	for (size_t i = 0; i < r->ncgroups; i++)
		if (!v->selected_only && shown(v, &r->cgroups[i]))
			json_item(&j, NULL, &r->cgroups[i]);
	out_json_end(&j);
	out_json_array(&j, "commands");
	for (size_t i = 0; i < r->ncommands; i++)
		json_item(&j, NULL, &r->commands[i]);
	out_json_end(&j);
	if (r->have_system)
		json_item(&j, "system", &r->system);
	else
		out_json_null(&j, "system");
	if (v->kernel) {
		out_json_array(&j, "kernel");
		for (size_t i = 0; i < r->nkernel; i++)
			json_item(&j, NULL, &r->kernel[i]);
		out_json_end(&j);
		out_json_uint(&j, "slab_caches_analysed", r->nslabs_judged);
		out_json_array(&j, "slab_caches");
		for (size_t i = 0; i < r->nslabs; i++)
			if (shown(v, &r->slabs[i]))
				json_item(&j, NULL, &r->slabs[i]);
		out_json_end(&j);
		out_json_uint(&j, "sockets_analysed", r->nsockets_judged);
		out_json_array(&j, "sockets");
		for (size_t i = 0; i < r->nsockets; i++)
			if (shown(v, &r->sockets[i]))
				json_item(&j, NULL, &r->sockets[i]);
		out_json_end(&j);
	}
	if (v->where)
		where_render_json(&j, v->where, v->where_pid, 64, where_rss_rate(r, v), NULL);
	out_json_end(&j);
	out_json_newline(&j);
	out_write(&b, out);
	ht_buf_free(&b);
}

static void csv_item(struct out_csv *c, const struct ht_leak_item *it)
{
	const struct ht_leak *l = &it->l;
	static const char *const kinds[] = { "process", "cgroup", "system", "kernel", "slab",
					     "socket", "command" };

	out_csv_word(c, kinds[it->kind]);
	if (it->kind == HT_LEAK_PROC || it->kind == HT_LEAK_COMMAND)
		out_csv_int(c, it->pid);
	else if (it->kind == HT_LEAK_SOCKET)
		out_csv_int(c, (int64_t)it->inode);
	else
		out_csv_str(c, it->kind == HT_LEAK_CGROUP ? it->cgroup : "");
	out_csv_str(c, it->kind == HT_LEAK_PROC ? it->comm :
		       it->kind >= HT_LEAK_KERNEL ? it->name : "");
	out_csv_word(c, ht_leak_verdict_name(l->verdict));
	out_csv_word(c, ht_leak_reason_name(l->reason));
	out_csv_double(c, l->rate);
	out_csv_double(c, l->rate_lo);
	out_csv_double(c, l->rate_hi);
	out_csv_double(c, l->r2);
	out_csv_double(c, l->mk_p);
	out_csv_int(c, l->steps_excluded);
	out_csv_int(c, (int64_t)l->nups);
	out_csv_int(c, (int64_t)l->ndrops);
	out_csv_count(c, (int64_t)l->step_bytes);
	out_csv_count(c, l->current);
	out_csv_count(c, l->anon);
	out_csv_word(c, ht_leak_limit_name(l->limit_kind));
	out_csv_count(c, l->limit_bytes);
	out_csv_count(c, l->headroom);
	out_csv_double(c, l->eta.point);
	out_csv_double(c, l->eta.soonest);
	out_csv_double(c, l->eta.latest);
	out_csv_int(c, (int64_t)l->n);
	out_csv_double(c, l->span_s);
	out_csv_double(c, l->decide_in_s);
	out_csv_double(c, l->onset_ago_s);
	if (it->as_judged) {
		out_csv_word(c, ht_leak_verdict_name(it->as.verdict));
		out_csv_double(c, it->as.rate);
		out_csv_double(c, it->as.eta.point);
	} else {
		out_csv_empty(c);
		out_csv_empty(c);
		out_csv_empty(c);
	}
	out_csv_str(c, it->kind == HT_LEAK_PROC || it->kind == HT_LEAK_COMMAND ? item_name(it) : "");
	out_csv_end(c);
}

static void render_csv(FILE *out, const struct ht_leak_report *r, const struct leaks_view *v)
{
	struct ht_buf b = { 0 };
	struct out_csv c;

	out_csv_init(&c, &b);
	ht_buf_puts(&b, "kind,id,name,verdict,reason,rate_Bps,rate_lo_Bps,rate_hi_Bps,r2,mk_p,"
		    "steps_excluded,steps,drops,step_bytes,current_B,anon_B,limit,limit_B,headroom_B,"
		    "eta_s,eta_soonest_s,eta_latest_s,points,span_s,decide_in_s,onset_ago_s,as_verdict,as_rate_Bps,as_eta_s,cmdline\n");
	for (size_t i = 0; i < r->nprocs_items; i++)
		if (shown(v, &r->procs[i]))
			csv_item(&c, &r->procs[i]);
	for (size_t i = 0; i < r->ncgroups; i++)
		if (!v->selected_only && shown(v, &r->cgroups[i]))
			csv_item(&c, &r->cgroups[i]);
	for (size_t i = 0; i < r->ncommands; i++)
		csv_item(&c, &r->commands[i]);
	if (r->have_system)
		csv_item(&c, &r->system);
	for (size_t i = 0; i < r->nkernel; i++)
		csv_item(&c, &r->kernel[i]);
	for (size_t i = 0; i < r->nslabs; i++)
		if (shown(v, &r->slabs[i]))
			csv_item(&c, &r->slabs[i]);
	for (size_t i = 0; i < r->nsockets; i++)
		if (shown(v, &r->sockets[i]))
			csv_item(&c, &r->sockets[i]);
	out_write(&b, out);
	ht_buf_free(&b);
}

static const struct {
	const char *name;
	void (*render)(FILE *out, const struct ht_leak_report *r, const struct leaks_view *v);
} renderers[] = {
	{ "table", render_table },
	{ "json", render_json },
	{ "csv", render_csv },
};

/* ---- the command ---- */

/* The default history DB, when a recorder has written to it in the last
 * 10 minutes (then it knows more than a live window could). */
static int recent_default_db(char *path, size_t len)
{
	struct ht_store_opts so;
	struct ht_store *st = NULL;
	struct timespec now;
	int64_t first, last;
	int ok;

	if (ht_default_db_path(path, len) || access(path, R_OK))
		return 0;
	ht_store_opts_default(&so);
	so.path = path;
	so.flags = HT_STORE_READONLY;
	if (ht_store_open(&so, &st, NULL, 0))
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	ok = ht_store_time_range(st, 0, &first, &last) == 0 &&
	     last >= (int64_t)now.tv_sec * 1000 - 600000;
	ht_store_close(st);
	return ok;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap leaks [-d DB] [-a] [-k] [-p PID]... [--window DURATION]\n"
		"                       [--interval DURATION] [--format table|json|csv]\n"
		"                       [--where PID [--sample N] [--budget P]]\n"
		"\n"
		"Says which processes leak memory: the growth rate (bytes/s) with its\n"
		"95%% confidence interval, R\xc2\xb2, the Mann-Kendall p-value, whether one-off\n"
		"steps were left out, RSS and anonymous memory, the nearest limit (system\n"
		"memory, the cgroup's memory.max, RLIMIT_AS) and when it is reached. Also a\n"
		"verdict per cgroup and one for the system (MemAvailable shrinking).\n"
		"Without -d it reads the default history DB when a recorder wrote to it in\n"
		"the last 10 minutes, else it samples every process for the window\n"
		"(progress on stderr).\n"
		"\n"
		"  -d, --db DB          judge the series recorded in DB (healthtap record)\n"
		"  -l, --live           sample live even when a recorder is running\n"
		"  -a, --all            every process with a positive trend, not only leaks\n"
		"  -k, --kernel         also judge kernel memory (Slab, SUnreclaim, KernelStack,\n"
		"                       PageTables, VmallocUsed), every slab cache, and every\n"
		"                       TCP/UDP socket queue, naming the processes holding a\n"
		"                       growing one (live only)\n"
		"  -p, --pid PID        only this process, whatever its verdict (repeatable)\n"
		"  -w, --window D       sample (or read the last) D (default 60s live, at most\n"
		"                       1d; all of a DB)\n"
		"  -i, --interval D     between samples (default 1s; DB: the step)\n"
		"  -f, --format F       table (default), json or csv\n"
		"      --min-age D      younger processes are not judged (default 60s)\n"
		"      --warmup D       a process's first D are not used (default 30s)\n"
		"      --min-growth B   less growth over the window is no leak (default 65536)\n"
		"      --horizon D      never 'not leaking' while the CI holds a rate that\n"
		"                       reaches the nearest limit within D (default 1d)\n"
		"      --no-cgroups     skip the per-cgroup verdicts\n"
		"      --where PID      also where PID allocates: health.alloc.sites on it (stap,\n"
		"                       root), its growing call sites with bytes/s and their\n"
		"                       share, symbolized (function, file:line), beside its\n"
		"                       verdict (implies -p PID, live)\n"
		"      --sample N       with --where: track 1 allocation in N (default 1)\n"
		"      --budget P       with --where: stop the probes when they cost more than\n"
		"                       P%% of the target's CPU time (default 10, 0: off)\n"
		"      --root DIR       read DIR/proc and DIR/sys (for tests)\n"
		"  -h, --help           show this help\n"
		"\n"
		"Examples:\n"
		"  healthtap leaks                      sample 60 s, list confident leaks\n"
		"  healthtap leaks -a --window 10m      every growing process over 10 minutes\n"
		"  healthtap leaks -d /var/lib/healthtap/history.db --format json\n"
		"  healthtap leaks --where 1234         where process 1234 allocates\n"
		"\n"
		"See healthtap-leaks(1) for the verdict rules.\n");
}

enum { OPT_MIN_AGE = 1000, OPT_WARMUP, OPT_MIN_GROWTH, OPT_NO_CGROUPS, OPT_ROOT, OPT_WHERE,
       OPT_SAMPLE, OPT_BUDGET, OPT_HORIZON };

/* The longest window a DB can be read over (a century). */
#define MAX_DB_WINDOW_MS (36500LL * 86400 * 1000)

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

struct progress_ctx {
	int tty;
	struct ht_alloc_watch *where;
};

static int stop_asked(void *ctx)
{
	where_pump(((struct progress_ctx *)ctx)->where);
	return interrupted;
}

/* Live progress on stderr: one line when it is not a terminal, a line
 * that counts on one that is. */
static void show_progress(void *ctx, const struct ht_leak_progress *p)
{
	int tty = ((const struct progress_ctx *)ctx)->tty;

	where_pump(((const struct progress_ctx *)ctx)->where);

	if (p->done)
		fprintf(stderr, "%shealthtap: %zu samples in %.1f s%s\n", tty ? "\r" : "",
			p->samples, p->elapsed_s, interrupted ? " (interrupted)" : "");
	else if (tty)
		fprintf(stderr, "\rhealthtap: sampling %.0f s of %.0f s (%zu/%zu samples) ",
			p->elapsed_s, p->window_s, p->samples, p->want);
	else if (p->samples == 1)
		fprintf(stderr, "healthtap: sampling %zu processes for %.1f s every %.0f ms\n",
			p->nprocs, p->window_s, p->interval_s * 1e3);
}

/* Collects with Ctrl-C ending a live window early (what was sampled is
 * judged). */
static int collect(struct ht_leak_collect_opts *co, struct ht_leak_report *rep,
		   struct ht_alloc_watch *where)
{
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	struct progress_ctx pc = { .tty = isatty(2), .where = where };
	int rc;
	char err[512];

	co->progress = show_progress;
	co->should_stop = stop_asked;
	co->ctx = &pc;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	rc = ht_leak_collect(co, rep, err, sizeof(err));
	sigaction(SIGINT, &old, NULL);
	if (rc)
		ht_cmd_err("leaks", "%s", err);
	return rc;
}

int cmd_leaks(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "live", no_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "pid", required_argument, NULL, 'p' },
		{ "window", required_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "format", required_argument, NULL, 'f' },
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "horizon", required_argument, NULL, OPT_HORIZON },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "min-growth", required_argument, NULL, OPT_MIN_GROWTH },
		{ "no-cgroups", no_argument, NULL, OPT_NO_CGROUPS },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "sample", required_argument, NULL, OPT_SAMPLE },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ht_leak_collect_opts co;
	struct leaks_view view = { 0 };
	struct ht_leak_report rep;
	struct where_opts wo;
	pid_t pids[64];
	size_t npids = 0, fmt = 0;
	int64_t ms, v;
	int c, window_set = 0, interval_set = 0, live = 0, rc;
	char dbpath[4096], *window_text = NULL;

	ht_leak_collect_opts_default(&co);
	where_opts_default(&wo);
	wo.pid = 0;
	co.cgroups = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:lakp:w:i:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': co.db = optarg; break;
		case 'l': live = 1; break;
		case 'a': view.all = 1; break;
		case 'k': co.kernel = view.kernel = 1; break;
		case 'p':
			if ((rc = ht_opt_count("leaks", "-p", optarg, 1, INT32_MAX, &v)))
				return rc;
			if (npids == sizeof(pids) / sizeof(pids[0]))
				return ht_usage_error("leaks", "too many -p");
			pids[npids++] = (pid_t)v;
			break;
		case 'w':
			if ((rc = ht_opt_duration("leaks", "--window", optarg, 0, MAX_DB_WINDOW_MS,
						  &co.window_ms)))
				return rc;
			window_text = optarg;
			window_set = 1;
			break;
		case 'i':
			if ((rc = ht_opt_duration("leaks", "--interval", optarg, 10,
						  HT_MAX_INTERVAL_MS, &co.interval_ms)))
				return rc;
			interval_set = 1;
			break;
		case 'f':
			for (fmt = 0; fmt < sizeof(renderers) / sizeof(renderers[0]); fmt++)
				if (!strcmp(renderers[fmt].name, optarg))
					break;
			if (fmt == sizeof(renderers) / sizeof(renderers[0]))
				return ht_usage_error("leaks", "unknown format '%s'", optarg);
			break;
		case OPT_MIN_AGE:
			if ((rc = ht_opt_duration("leaks", "--min-age", optarg, 0, MAX_DB_WINDOW_MS,
						  &ms)))
				return rc;
			co.lo.min_age_s = ms / 1e3;
			break;
		case OPT_WARMUP:
			if ((rc = ht_opt_duration("leaks", "--warmup", optarg, 0, MAX_DB_WINDOW_MS,
						  &ms)))
				return rc;
			co.lo.warmup_s = ms / 1e3;
			break;
		case OPT_MIN_GROWTH:
			if ((rc = ht_opt_bytes("leaks", "--min-growth", optarg, 0, INT64_MAX, &v)))
				return rc;
			co.lo.min_growth = (double)v;
			break;
		case OPT_HORIZON:
			if ((rc = ht_opt_duration("leaks", "--horizon", optarg, 1000, MAX_DB_WINDOW_MS,
						  &ms)))
				return rc;
			co.lo.horizon_s = ms / 1e3;
			break;
		case OPT_NO_CGROUPS: co.cgroups = 0; break;
		case OPT_ROOT: co.root = optarg; break;
		case OPT_WHERE:
			if ((rc = ht_opt_count("leaks", "--where", optarg, 1, INT32_MAX, &v)))
				return rc;
			wo.pid = (int)v;
			break;
		case OPT_SAMPLE:
			if ((rc = where_opt_sample("leaks", optarg, &wo)))
				return rc;
			break;
		case OPT_BUDGET:
			if ((rc = where_opt_budget("leaks", optarg, &wo)))
				return rc;
			break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("leaks", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("leaks", "unexpected argument '%s'", argv[optind]);
	if (live && co.db)
		return ht_usage_error("leaks", "--live and -d exclude each other");
	if (wo.pid && co.db)
		return ht_usage_error("leaks", "--where watches a live process, not -d");
	if (wo.pid && fmt == 2)
		return ht_usage_error("leaks", "--where has no CSV form: --format table or json");
	if (wo.pid) {	/* its sites beside its own verdict, sampled live */
		live = 1;
		if (npids < sizeof(pids) / sizeof(pids[0]))
			pids[npids++] = wo.pid;
	}
	if (co.kernel && co.db)
		return ht_usage_error("leaks", "--kernel judges live samples only, not -d");
	if (!live && !co.kernel && !co.db && !*co.root && recent_default_db(dbpath, sizeof(dbpath))) {
		co.db = dbpath;
		fprintf(stderr, "healthtap: reading %s, where a recorder writes "
			"(--live to sample instead)\n", dbpath);
	}
	if (co.db) {
		if (!window_set)
			co.window_ms = 0;
		if (!interval_set)
			co.interval_ms = 0;
	} else if (co.window_ms < co.interval_ms) {
		return ht_usage_error("leaks", "the window is shorter than the interval");
	} else if (co.window_ms > HT_LEAK_MAX_WINDOW_MS ||
		   co.window_ms / co.interval_ms > HT_LEAK_MAX_SAMPLES) {
		return ht_usage_error("leaks", "bad --window '%s': a live window is at most 1d "
				      "and %d intervals (record, then -d DB, for longer)",
				      window_text ? window_text : "", HT_LEAK_MAX_SAMPLES);
	}
	co.pids = pids;
	co.npids = npids;
	view.selected_only = npids > 0;
	if (wo.pid) {
		wo.root = co.root;
		if (where_start("leaks", &wo, &view.where))
			return 1;
		view.where_pid = wo.pid;
	}
	rc = collect(&co, &rep, view.where);
	where_stop("leaks", view.where);
	if (rc) {
		ht_alloc_watch_free(view.where);
		return 1;
	}
	renderers[fmt].render(stdout, &rep, &view);
	ht_leak_report_free(&rep);
	ht_alloc_watch_free(view.where);
	return fflush(stdout) ? 1 : 0;
}

HT_COMMAND(leaks, cmd_leaks, "which processes leak memory, and when it runs out", 30)
