#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "config.h"
#include "out_prom.h"
#include "out_snap.h"
#include "proc_softirqs.h"
#include "serve_render.h"

static const unsigned code_values[] = {
#define SERVE_CODE_VAL(c) c,
	SERVE_CODES(SERVE_CODE_VAL)
#undef SERVE_CODE_VAL
};

void serve_stats_count(struct serve_stats *st, unsigned code)
{
	size_t i = 0;

	while (i < SERVE_CODE_OTHER && code_values[i] != code)
		i++;
	atomic_fetch_add(&st->requests[i], 1);
}

/* ---- Prometheus text and OpenMetrics ---- */

struct prom {
	struct ht_buf *b;
	int om;				/* OpenMetrics */
};

enum fam_type { GAUGE, COUNTER, SUMMARY };

struct label {
	const char *name, *value;
};

/* # HELP and # TYPE of a family. For counters, base is the name without
 * _total: the text format names the family with it, OpenMetrics without. */
static void family(struct prom *p, const char *base, enum fam_type type,
		   const char *help)
{
	static const char *const types[] = { "gauge", "counter", "summary" };
	const char *suffix = type == COUNTER && !p->om ? "_total" : "";

	ht_buf_printf(p->b, "# HELP %s%s ", base, suffix);
	out_prom_escape(p->b, help, 0);
	ht_buf_printf(p->b, "\n# TYPE %s%s %s\n", base, suffix, types[type]);
}

/* One sample line: base + suffix {labels} value. Labels whose value is NULL
 * are left out. */
static void sample(struct prom *p, const char *base, const char *suffix,
		   const struct label *labels, size_t nlabels, double v)
{
	int first = 1;

	ht_buf_puts(p->b, base);
	ht_buf_puts(p->b, suffix);
	for (size_t i = 0; i < nlabels; i++) {
		if (!labels[i].value)
			continue;
		ht_buf_printf(p->b, "%s%s=\"", first ? "{" : ",", labels[i].name);
		out_prom_escape(p->b, labels[i].value, 1);
		ht_buf_add(p->b, "\"", 1);
		first = 0;
	}
	ht_buf_puts(p->b, first ? " " : "} ");
	out_prom_double(p->b, v);
	ht_buf_add(p->b, "\n", 1);
}

/* A family with one unlabelled sample; nothing when v is NAN (unknown). */
static void gauge1(struct prom *p, const char *name, const char *help, double v)
{
	if (isnan(v))
		return;
	family(p, name, GAUGE, help);
	sample(p, name, "", NULL, 0, v);
}

static void counter1(struct prom *p, const char *base, const char *help, double v)
{
	if (isnan(v) || v < 0)
		return;
	family(p, base, COUNTER, help);
	sample(p, base, "_total", NULL, 0, v);
}

/* Bytes where -1 means unknown. */
static double bytes(int64_t v)
{
	return v < 0 ? NAN : (double)v;
}

static void render_system(struct prom *p, const struct serve_view *v)
{
	const struct ht_sys_snapshot *s = &v->snap->sys;
	static const char *const missing_files[] = { "meminfo", "pressure", "softirqs", "vmstat",
						     "slab" };
	struct label l[2];
	int any;

	counter1(p, "healthtap_samples", "samples taken by the sampling thread",
		 (double)s->samples);
	counter1(p, "healthtap_sample_errors", "samples that failed (the previous snapshot stayed)",
		 (double)v->snap->sample_errors);
	gauge1(p, "healthtap_sample_interval_seconds", "time between the latest two samples",
	       s->interval_s);
	gauge1(p, "healthtap_last_sample_timestamp_seconds",
	       "wall-clock time of the latest sample", (double)s->wall_ms / 1e3);
	family(p, "healthtap_source_missing", GAUGE,
	       "1 when an optional /proc file could not be read in the latest sample");
	for (size_t i = 0; i < sizeof(missing_files) / sizeof(missing_files[0]); i++) {
		l[0] = (struct label){ "file", missing_files[i] };
		sample(p, "healthtap_source_missing", "", l, 1, (s->missing >> i) & 1);
	}
	gauge1(p, "healthtap_cpus", "online CPUs", s->ncpus > 0 ? s->ncpus : NAN);
	gauge1(p, "healthtap_cpu_busy_ratio", "share of CPU time not idle over the latest interval",
	       s->cpu_busy_pct / 100.0);
	counter1(p, "healthtap_context_switches", "context switches since boot (/proc/stat ctxt)",
		 (double)s->ctxt_total);
	gauge1(p, "healthtap_context_switches_per_second", "context switch rate over the latest interval",
	       s->ctxt_rate);
	counter1(p, "healthtap_interrupts", "interrupts since boot (/proc/stat intr)",
		 (double)s->intr_total);
	gauge1(p, "healthtap_interrupts_per_second", "interrupt rate over the latest interval",
	       s->intr_rate);
	counter1(p, "healthtap_softirqs", "softirqs since boot (/proc/stat softirq)",
		 (double)s->softirq_total);
	gauge1(p, "healthtap_softirqs_per_second", "softirq rate over the latest interval",
	       s->softirq_rate);
	any = 0;
	for (size_t i = 0; i < HT_SOFTIRQ_VECTORS; i++)
		any |= !isnan(s->softirq_vec_rate[i]);
	if (any) {
		family(p, "healthtap_softirq_vector_per_second", GAUGE,
		       "softirq rate of one vector over the latest interval (/proc/softirqs)");
		for (size_t i = 0; i < HT_SOFTIRQ_VECTORS; i++) {
			if (isnan(s->softirq_vec_rate[i]))
				continue;
			l[0] = (struct label){ "vector", proc_softirq_name(i) };
			sample(p, "healthtap_softirq_vector_per_second", "", l, 1,
			       s->softirq_vec_rate[i]);
		}
	}
	any = 0;
	for (size_t i = 0; i < HT_SOFTIRQ_VECTORS; i++)
		any |= v->snap->sys.softirq_vec_total[i] >= 0;
	if (any) {
		family(p, "healthtap_softirq_vector", COUNTER,
		       "softirqs of one vector since boot, all CPUs (/proc/softirqs)");
		for (size_t i = 0; i < HT_SOFTIRQ_VECTORS; i++) {
			if (v->snap->sys.softirq_vec_total[i] < 0)
				continue;
			l[0] = (struct label){ "vector", proc_softirq_name(i) };
			sample(p, "healthtap_softirq_vector", "_total", l, 1,
			       (double)v->snap->sys.softirq_vec_total[i]);
		}
	}
	counter1(p, "healthtap_forks", "processes and threads created since boot (/proc/stat processes)",
		 v->snap->sys.forks_total < 0 ? NAN : (double)v->snap->sys.forks_total);
	gauge1(p, "healthtap_forks_per_second", "process creation rate over the latest interval",
	       s->fork_rate);
	gauge1(p, "healthtap_procs_running", "runnable tasks (/proc/stat procs_running)",
	       s->procs_running < 0 ? NAN : (double)s->procs_running);
	gauge1(p, "healthtap_procs_blocked", "tasks blocked on I/O (/proc/stat procs_blocked)",
	       s->procs_blocked < 0 ? NAN : (double)s->procs_blocked);
	gauge1(p, "healthtap_processes", "live processes", (double)v->snap->nprocs_total);

	gauge1(p, "healthtap_memory_total_bytes", "MemTotal", bytes(s->mem_total));
	gauge1(p, "healthtap_memory_available_bytes", "MemAvailable", bytes(s->mem_available));
	gauge1(p, "healthtap_memory_free_bytes", "MemFree", bytes(s->mem_free));
	gauge1(p, "healthtap_memory_anon_bytes", "AnonPages", bytes(s->anon_pages));
	gauge1(p, "healthtap_memory_shmem_bytes", "Shmem", bytes(s->shmem));
	gauge1(p, "healthtap_memory_slab_bytes", "Slab", bytes(s->slab));
	gauge1(p, "healthtap_swap_total_bytes", "SwapTotal", bytes(s->swap_total));
	gauge1(p, "healthtap_swap_free_bytes", "SwapFree", bytes(s->swap_free));
	gauge1(p, "healthtap_memory_available_trend_bytes_per_second",
	       "slope of MemAvailable over the kept history (negative while it shrinks)",
	       s->mem_avail_rate);
	gauge1(p, "healthtap_memory_available_trend_r2",
	       "coefficient of determination of the MemAvailable trend", s->mem_avail_r2);
	gauge1(p, "healthtap_memory_available_eta_seconds",
	       "seconds until MemAvailable reaches 0 at the trend (+Inf when not shrinking)",
	       s->mem_eta_s);
	any = 0;
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++) {
		int64_t b = ht_kmem_value(s, i);
		if (b < 0)
			continue;
		if (!any++)
			family(p, "healthtap_kernel_memory_bytes", GAUGE,
			       "kernel memory by kind (/proc/meminfo field)");
		l[0] = (struct label){ "field", ht_kmem_fields[i].name };
		sample(p, "healthtap_kernel_memory_bytes", "", l, 1, (double)b);
	}
	if (v->snap->nslabs) {
		family(p, "healthtap_slab_cache_bytes", GAUGE,
		       "memory of one slab cache, num_objs x objsize (caches of 1 MiB or more)");
		for (size_t i = 0; i < v->snap->nslabs; i++) {
			l[0] = (struct label){ "cache", v->snap->slabs[i].name };
			sample(p, "healthtap_slab_cache_bytes", "", l, 1,
			       (double)v->snap->slabs[i].bytes);
		}
	}
	if (s->skb.outstanding >= 0) {
		l[0] = (struct label){ "source", "slab" };
		family(p, "healthtap_skb_outstanding", GAUGE,
		       "socket buffers allocated now: skbuff_head_cache active objects, one "
		       "per skb (source slab: /proc/slabinfo or /sys/kernel/slab; within "
		       "1-5% of queued skbs, slightly low)");
		sample(p, "healthtap_skb_outstanding", "", l, 1, (double)s->skb.outstanding);
		if (!isnan(s->skb.rate)) {
			family(p, "healthtap_skb_outstanding_per_second", GAUGE,
			       "change of healthtap_skb_outstanding over the latest interval");
			sample(p, "healthtap_skb_outstanding_per_second", "", l, 1, s->skb.rate);
		}
	}
	if (s->skb.fclone_merged) {
		l[0] = (struct label){ "alias", s->skb.fclone_alias };
		family(p, "healthtap_skb_fclone_cache_merged", GAUGE,
		       "1: skbuff_fclone_cache is merged into another slab cache (alias), its "
		       "objects not told apart (slab_nomerge prevents it)");
		sample(p, "healthtap_skb_fclone_cache_merged", "", l, 1, 1);
	}

	{
		static const struct { const char *res, *kind; size_t off; } psi[] = {
			{ "cpu", "some", offsetof(struct ht_sys_snapshot, psi_cpu_some) },
			{ "memory", "some", offsetof(struct ht_sys_snapshot, psi_mem_some) },
			{ "memory", "full", offsetof(struct ht_sys_snapshot, psi_mem_full) },
			{ "io", "some", offsetof(struct ht_sys_snapshot, psi_io_some) },
			{ "io", "full", offsetof(struct ht_sys_snapshot, psi_io_full) },
		};
		int fam = 0;

		for (size_t i = 0; i < sizeof(psi) / sizeof(psi[0]); i++) {
			double x = *(const double *)((const char *)s + psi[i].off);
			if (isnan(x))
				continue;
			if (!fam++)
				family(p, "healthtap_pressure_avg10_percent", GAUGE,
				       "pressure stall information, avg10 (/proc/pressure)");
			l[0] = (struct label){ "resource", psi[i].res };
			l[1] = (struct label){ "kind", psi[i].kind };
			sample(p, "healthtap_pressure_avg10_percent", "", l, 2, x);
		}
	}
	gauge1(p, "healthtap_page_faults_per_second", "page fault rate (vmstat pgfault)",
	       s->pgfault_rate);
	gauge1(p, "healthtap_major_page_faults_per_second", "major page fault rate (vmstat pgmajfault)",
	       s->pgmajfault_rate);
	counter1(p, "healthtap_oom_kills", "OOM kills since boot (vmstat oom_kill)",
		 s->oom_kills < 0 ? NAN : (double)s->oom_kills);
}

/* The per-process families, over the first top processes. */
static const struct proc_metric {
	const char *name, *help;
	double (*get)(const struct serve_proc *sp);
	int with_limit;			/* adds the limit label */
} proc_metrics[];

static double pm_rss(const struct serve_proc *sp) { return bytes(sp->rss); }
static double pm_anon(const struct serve_proc *sp) { return bytes(sp->anon); }
static double pm_size(const struct serve_proc *sp) { return bytes(sp->size); }
static double pm_rate(const struct serve_proc *sp) { return sp->rate; }
static double pm_r2(const struct serve_proc *sp) { return sp->r2; }
static double pm_limit(const struct serve_proc *sp) { return bytes(sp->limit_bytes); }
static double pm_headroom(const struct serve_proc *sp) { return bytes(sp->headroom); }
static double pm_eta(const struct serve_proc *sp) { return sp->eta_s; }
static double pm_risk(const struct serve_proc *sp) { return sp->risk; }
static double pm_age(const struct serve_proc *sp) { return sp->age_s; }

static const struct proc_metric proc_metrics[] = {
	{ "healthtap_process_resident_bytes", "resident set size (statm)", pm_rss, 0 },
	{ "healthtap_process_anon_bytes", "resident anonymous memory (statm)", pm_anon, 0 },
	{ "healthtap_process_virtual_bytes", "virtual size (statm)", pm_size, 0 },
	{ "healthtap_process_growth_bytes_per_second",
	  "RSS growth rate, least squares over the kept history", pm_rate, 0 },
	{ "healthtap_process_growth_r2", "coefficient of determination of the RSS trend", pm_r2, 0 },
	{ "healthtap_process_limit_bytes",
	  "the nearest memory limit of a growing process (system, cgroup memory.max, RLIMIT_AS)",
	  pm_limit, 1 },
	{ "healthtap_process_headroom_bytes", "bytes left before the nearest limit", pm_headroom, 1 },
	{ "healthtap_process_time_to_limit_seconds",
	  "predicted seconds until the nearest limit at the growth rate (+Inf when not growing)",
	  pm_eta, 0 },
	{ "healthtap_process_leak_risk",
	  "share of the headroom eaten per hour, weighted by the fit (0 in warm-up, not growing or poor fit)",
	  pm_risk, 0 },
	{ "healthtap_process_observed_seconds", "how long healthtap has watched the process", pm_age, 0 },
};

static void render_procs(struct prom *p, const struct serve_view *v)
{
	const struct serve_snap *snap = v->snap;
	size_t n = snap->nprocs < v->top ? snap->nprocs : v->top;
	char pid[24];
	struct label l[4];

	gauge1(p, "healthtap_processes_exported", "processes exported with per-process metrics (--top)",
	       (double)n);
	for (size_t m = 0; m < sizeof(proc_metrics) / sizeof(proc_metrics[0]); m++) {
		const struct proc_metric *pm = &proc_metrics[m];
		int fam = 0;

		for (size_t i = 0; i < n; i++) {
			const struct serve_proc *sp = &snap->procs[i];
			double x = pm->get(sp);

			if (isnan(x) || (pm->with_limit && sp->limit_kind == HT_LIMIT_NONE))
				continue;
			if (!fam++)
				family(p, pm->name, GAUGE, pm->help);
			snprintf(pid, sizeof(pid), "%d", (int)sp->pid);
			l[0] = (struct label){ "pid", pid };
			l[1] = (struct label){ "comm", sp->comm };
			l[2] = (struct label){ "cgroup", sp->cgroup };
			l[3] = (struct label){ "limit", pm->with_limit ?
					       ht_limit_name(sp->limit_kind) : NULL };
			sample(p, pm->name, "", l, 4, x);
		}
	}
}

/* A label name from probe label text: [a-zA-Z_][a-zA-Z0-9_]*, never "__"
 * first (reserved), never one of the names the family already uses. */
static void label_name(char *out, size_t cap, const char *key, size_t len)
{
	size_t j = 0;

	if (len == 0 || isdigit((unsigned char)key[0]) || (len >= 2 && key[0] == '_' && key[1] == '_'))
		out[j++] = 'l';
	for (size_t i = 0; i < len && j + 1 < cap; i++)
		out[j++] = isalnum((unsigned char)key[i]) || key[i] == '_' ? key[i] : '_';
	out[j] = '\0';
	if (!strcmp(out, "subsys") || !strcmp(out, "name"))
		snprintf(out, cap, "probe_%.*s", (int)len, key);
}

#define MAX_PROBE_LABELS 8

/* Splits "cpu=0 vec=NET_RX comm=a b" into labels; comm runs to the end.
 * Returns the count; names and values are written into store. */
static size_t parse_labels(const char *text, char *store, size_t cap, struct label *l)
{
	size_t n = 0, used = 0;
	const char *p = text;

	while (*p && n < MAX_PROBE_LABELS) {
		const char *eq = strchr(p, '='), *end;
		size_t klen, vlen;
		char *name, *val;
		int dup = 0;

		while (*p == ' ')
			p++;
		eq = strchr(p, '=');
		if (!*p || !eq)
			break;
		klen = (size_t)(eq - p);
		end = (klen == 4 && !strncmp(p, "comm", 4)) ? eq + strlen(eq) : strchrnul(eq + 1, ' ');
		vlen = (size_t)(end - eq - 1);
		if (used + klen + 8 + vlen + 2 > cap)
			break;
		name = store + used;
		label_name(name, klen + 8, p, klen);
		used += strlen(name) + 1;
		val = store + used;
		memcpy(val, eq + 1, vlen);
		val[vlen] = '\0';
		used += vlen + 1;
		for (size_t i = 0; i < n; i++)
			dup |= !strcmp(l[i].name, name);
		if (!dup)
			l[n++] = (struct label){ name, val };
		p = end;
	}
	return n;
}

static void render_probes(struct prom *p, const struct serve_view *v)
{
	const struct serve_snap *snap = v->snap;
	const struct ht_probe_status *ps = &snap->probe;
	struct label l[MAX_PROBE_LABELS];
	char store[2 * HT_PROTO_MAX_LINE];

	gauge1(p, "healthtap_probe_stream_active", "1 once a health tapset stream header was read",
	       ps->active ? 1 : 0);
	if (!ps->active)
		return;
	counter1(p, "healthtap_probe_records", "stream records read", (double)ps->records);
	counter1(p, "healthtap_probe_bad_lines", "stream lines rejected", (double)ps->bad_lines);
	family(p, "healthtap_probe_batches", COUNTER, "complete batches per tapset subsystem");
	for (int sub = 0; sub < HT_SUBSYS_COUNT; sub++) {
		l[0] = (struct label){ "subsys", ht_subsys_name(sub) };
		sample(p, "healthtap_probe_batches", "_total", l, 1, (double)ps->batches[sub]);
	}
	gauge1(p, "healthtap_probe_sched_coverage_ratio",
	       "probe context switches against the /proc/stat ctxt delta over the same batches",
	       ps->sched_coverage);
	/* a gauge: a re-anchor on /proc may move it back (probe over 100%) */
	if (ps->sched_ctxt_absolute >= 0)
		gauge1(p, "healthtap_probe_context_switches",
		       "/proc/stat ctxt at the first sched batch plus the probe's switches since",
		       (double)ps->sched_ctxt_absolute);
	gauge1(p, "healthtap_probe_records_dropped",
	       "records of the latest batches left out of the snapshot (bound)",
	       (double)snap->recs_dropped);
	/* One family per record kind, in the protocol's order. */
	for (const struct ht_record_kind *k = ht_record_kinds; k->name; k++) {
		char fam[128];
		int started = 0;

		if (k->kind == HT_MARK)
			continue;
		snprintf(fam, sizeof(fam), "healthtap_probe_%s_", ht_subsys_name(k->subsys));
		label_name(fam + strlen(fam), sizeof(fam) - strlen(fam), k->name, strlen(k->name));
		for (size_t i = 0; i < snap->nrecs; i++) {
			const struct serve_probe_rec *r = &snap->recs[i];
			size_t nl;

			if (r->subsys != k->subsys || strcmp(r->name, k->name))
				continue;
			if (!started++) {
				char help[256];
				snprintf(help, sizeof(help), "%s (%s, unit %s, latest batch)", k->help,
					 k->kind == HT_DELTA ? "events in the interval" :
					 k->kind == HT_TOTAL ? "since the stream started" : "level",
					 k->unit);
				family(p, fam, GAUGE, help);
			}
			nl = parse_labels(r->labels, store, sizeof(store), l);
			sample(p, fam, "", l, nl, (double)r->value);
		}
	}
}

/* What serve_guard did: connections cut, failed logins. */
static void render_guard(struct prom *p, const struct serve_guard_stats *g)
{
	struct label l[1];

	if (!g)
		return;
	family(p, "healthtap_http_connections_cut", COUNTER,
	       "connections closed by healthtap serve: past their deadline (--timeout for a "
	       "whole exchange), or to make room at --max-connections");
	l[0] = (struct label){ "reason", "deadline" };
	sample(p, "healthtap_http_connections_cut", "_total", l, 1,
	       (double)atomic_load(&g->cut_deadline));
	l[0] = (struct label){ "reason", "room" };
	sample(p, "healthtap_http_connections_cut", "_total", l, 1,
	       (double)atomic_load(&g->cut_room));
	counter1(p, "healthtap_http_auth_failures", "requests with wrong basic auth credentials",
		 (double)atomic_load(&g->auth_failures));
	counter1(p, "healthtap_http_auth_refused", "requests refused (429) while their address "
		 "backs off after failed logins", (double)atomic_load(&g->auth_refused));
}

static void render_self(struct prom *p, const struct serve_view *v)
{
	const struct serve_snap *snap = v->snap;
	const struct serve_stats *st = v->stats;
	struct label l[1];
	char code[8];

	counter1(p, "process_cpu_seconds", "CPU time healthtap serve has used (user + system)",
		 v->self_cpu_s);
	gauge1(p, "process_resident_memory_bytes", "healthtap serve's resident set size (latest sample)",
	       bytes(snap->self_rss));
	gauge1(p, "process_start_time_seconds", "when healthtap serve started (wall clock)",
	       (double)st->start_wall_ms / 1e3);
	family(p, "healthtap_sample_duration_seconds", SUMMARY, "time one sample of /proc took");
	sample(p, "healthtap_sample_duration_seconds", "_sum", NULL, 0, snap->sample_dur_sum_s);
	sample(p, "healthtap_sample_duration_seconds", "_count", NULL, 0, (double)snap->sample_count);
	gauge1(p, "healthtap_last_sample_duration_seconds", "time the latest sample took",
	       snap->sample_dur_s);
	family(p, "healthtap_scrape_duration_seconds", SUMMARY,
	       "time spent rendering /metrics (earlier scrapes)");
	sample(p, "healthtap_scrape_duration_seconds", "_sum", NULL, 0,
	       (double)atomic_load(&st->scrape_ns) / 1e9);
	sample(p, "healthtap_scrape_duration_seconds", "_count", NULL, 0,
	       (double)atomic_load(&st->scrapes));
	family(p, "healthtap_scrapes", COUNTER, "/metrics answered, by format");
	l[0] = (struct label){ "format", "prometheus" };
	sample(p, "healthtap_scrapes", "_total", l, 1,
	       (double)atomic_load(&st->scrapes_text));
	l[0] = (struct label){ "format", "openmetrics" };
	sample(p, "healthtap_scrapes", "_total", l, 1, (double)atomic_load(&st->scrapes_om));
	family(p, "healthtap_http_requests", COUNTER, "answered HTTP requests by status code");
	for (size_t i = 0; i < SERVE_NCODES; i++) {
		if (i == SERVE_CODE_OTHER)
			snprintf(code, sizeof(code), "other");
		else
			snprintf(code, sizeof(code), "%u", code_values[i]);
		l[0] = (struct label){ "code", code };
		sample(p, "healthtap_http_requests", "_total", l, 1,
		       (double)atomic_load(&st->requests[i]));
	}
	render_guard(p, v->guard);
}

static void render_metrics(struct ht_buf *b, const struct serve_view *v, int om)
{
	struct prom p = { b, om };
	struct label l[2] = { { "version", PACKAGE_VERSION }, { "mode", v->mode } };

	family(&p, "healthtap_build_info", GAUGE, "always 1; labels say the version and the source");
	sample(&p, "healthtap_build_info", "", l, 2, 1);
	render_system(&p, v);
	render_procs(&p, v);
	render_probes(&p, v);
	render_self(&p, v);
	if (om)
		ht_buf_puts(b, "# EOF\n");
}

static void render_prometheus(struct ht_buf *b, const struct serve_view *v)
{
	render_metrics(b, v, 0);
}

static void render_openmetrics(struct ht_buf *b, const struct serve_view *v)
{
	render_metrics(b, v, 1);
}

/* ---- JSON ---- */

static void json_head(struct out_json *j, const struct serve_view *v)
{
	const struct serve_snap *snap = v->snap;

	out_json_str(j, "host", snap->host);
	out_json_str(j, "version", PACKAGE_VERSION);
	out_json_str(j, "mode", v->mode);
	out_json_uint(j, "seq", snap->seq);
	out_json_count(j, "time_ms", snap->sys.wall_ms);
	out_json_double(j, "interval_s", snap->sys.interval_s);
	out_json_double(j, "sample_interval_s", v->interval_s);
	out_json_str(j, "sample_error", snap->sample_err ? strerror(-snap->sample_err) : NULL);
}

static void json_proc(struct out_json *j, const struct serve_proc *sp)
{
	out_json_object(j, NULL);
	out_json_count(j, "pid", sp->pid);
	out_json_count(j, "start_time", sp->start_time);
	out_json_str(j, "comm", sp->comm);
	out_json_str(j, "cgroup", sp->cgroup);
	out_json_str(j, "cmdline", sp->cmdline);
	out_json_count(j, "rss", sp->rss);
	out_json_count(j, "anon", sp->anon);
	out_json_count(j, "size", sp->size);
	out_json_double(j, "observed_s", sp->age_s);
	out_json_double(j, "rate", sp->rate);
	out_json_double(j, "rate_lo", sp->rate_lo);
	out_json_double(j, "rate_hi", sp->rate_hi);
	out_json_double(j, "r2", sp->r2);
	out_json_str(j, "limit", sp->limit_kind == HT_LIMIT_NONE ? NULL : ht_limit_name(sp->limit_kind));
	out_json_count(j, "limit_bytes", sp->limit_bytes);
	out_json_count(j, "headroom", sp->headroom);
	out_json_double(j, "eta_s", sp->eta_s);
	out_json_double(j, "risk", sp->risk);
	out_json_uint(j, "points", sp->points);
	out_json_end(j);
}

static void json_system(struct out_json *j, const struct ht_sys_snapshot *s)
{
	static const char *const missing_files[] = { "meminfo", "pressure", "softirqs", "vmstat",
						     "slab" };

	out_json_object(j, "system");
	out_json_count(j, "ncpus", s->ncpus);
	out_json_uint(j, "samples", s->samples);
	out_snap_rates(j, s);
	out_json_object(j, "softirq_vector_per_s");
	for (size_t i = 0; i < HT_SOFTIRQ_VECTORS; i++)
		out_json_double(j, proc_softirq_name(i), s->softirq_vec_rate[i]);
	out_json_end(j);
	out_json_count(j, "procs_running", s->procs_running);
	out_json_count(j, "procs_blocked", s->procs_blocked);
	out_json_count(j, "ctxt_total", s->ctxt_total);
	out_json_count(j, "intr_total", s->intr_total);
	out_json_count(j, "softirq_total", s->softirq_total);
	out_json_object(j, "memory");
	out_json_count(j, "total", s->mem_total);
	out_json_count(j, "available", s->mem_available);
	out_json_count(j, "free", s->mem_free);
	out_json_count(j, "swap_total", s->swap_total);
	out_json_count(j, "swap_free", s->swap_free);
	out_json_count(j, "anon", s->anon_pages);
	out_json_count(j, "shmem", s->shmem);
	out_json_count(j, "slab", s->slab);
	out_json_count(j, "sunreclaim", s->sunreclaim);
	out_json_count(j, "kernel_stack", s->kernel_stack);
	out_json_count(j, "page_tables", s->page_tables);
	out_json_count(j, "vmalloc_used", s->vmalloc_used);
	out_json_double(j, "available_rate", s->mem_avail_rate);
	out_json_double(j, "available_r2", s->mem_avail_r2);
	out_json_double(j, "available_eta_s", s->mem_eta_s);
	out_json_end(j);
	out_snap_skb(j, "skb", &s->skb);
	out_snap_psi(j, "psi_avg10", s);
	out_json_double(j, "pgfault_per_s", s->pgfault_rate);
	out_json_double(j, "pgmajfault_per_s", s->pgmajfault_rate);
	out_json_count(j, "oom_kills", s->oom_kills);
	out_json_array(j, "missing");
	for (size_t i = 0; i < sizeof(missing_files) / sizeof(missing_files[0]); i++)
		if ((s->missing >> i) & 1)
			out_json_str(j, NULL, missing_files[i]);
	out_json_end(j);
	out_json_end(j);
}

static void json_probes(struct out_json *j, const struct serve_snap *snap)
{
	const struct ht_probe_status *ps = &snap->probe;

	out_json_object(j, "probes");
	out_json_bool(j, "active", ps->active);
	out_json_str(j, "runtime", ps->runtime);
	out_json_uint(j, "records", ps->records);
	out_json_uint(j, "bad_lines", ps->bad_lines);
	out_json_str(j, "last_error", ps->last_error);
	out_json_double(j, "sched_coverage", ps->sched_coverage);
	out_json_count(j, "sched_ctxt_absolute", ps->sched_ctxt_absolute);
	out_json_object(j, "batches");
	for (int sub = 0; sub < HT_SUBSYS_COUNT; sub++)
		out_json_uint(j, ht_subsys_name(sub), ps->batches[sub]);
	out_json_end(j);
	out_json_uint(j, "records_dropped", snap->recs_dropped);
	out_json_array(j, "latest");
	for (size_t i = 0; i < snap->nrecs; i++) {
		const struct serve_probe_rec *r = &snap->recs[i];
		out_json_object(j, NULL);
		out_json_str(j, "subsys", ht_subsys_name(r->subsys));
		out_json_str(j, "name", r->name);
		out_json_str(j, "labels", r->labels);
		out_json_int(j, "value", r->value);
		out_json_end(j);
	}
	out_json_end(j);
	out_json_end(j);
}

static void render_snapshot(struct ht_buf *b, const struct serve_view *v)
{
	const struct serve_snap *snap = v->snap;
	size_t n = snap->nprocs < v->top ? snap->nprocs : v->top;
	struct out_json j;

	out_json_init(&j, b);
	out_json_object(&j, NULL);
	json_head(&j, v);
	json_system(&j, &snap->sys);
	out_json_uint(&j, "processes_total", snap->nprocs_total);
	out_json_array(&j, "processes");
	for (size_t i = 0; i < n; i++)
		json_proc(&j, &snap->procs[i]);
	out_json_end(&j);
	json_probes(&j, snap);
	out_json_object(&j, "self");
	out_json_count(&j, "pid", snap->self_pid);
	out_json_count(&j, "rss", snap->self_rss);
	out_json_double(&j, "cpu_s", v->self_cpu_s);
	out_json_double(&j, "last_sample_duration_s", snap->sample_dur_s);
	out_json_uint(&j, "sample_errors", snap->sample_errors);
	out_json_uint(&j, "scrapes", atomic_load(&v->stats->scrapes));
	out_json_end(&j);
	out_json_end(&j);
	out_json_newline(&j);
}

static void render_leaks(struct ht_buf *b, const struct serve_view *v)
{
	const struct serve_snap *snap = v->snap;
	struct out_json j;

	out_json_init(&j, b);
	out_json_object(&j, NULL);
	json_head(&j, v);
	out_json_uint(&j, "processes_total", snap->nprocs_total);
	out_json_uint(&j, "processes_ranked", snap->nprocs);
	out_json_array(&j, "leaks");
	for (size_t i = 0; i < snap->nprocs && snap->procs[i].risk > 0; i++)
		json_proc(&j, &snap->procs[i]);
	out_json_end(&j);
	out_json_end(&j);
	out_json_newline(&j);
}

const struct serve_renderer serve_renderers[] = {
	{ "prometheus", "text/plain; version=0.0.4; charset=utf-8", render_prometheus },
	{ "openmetrics", "application/openmetrics-text; version=1.0.0; charset=utf-8",
	  render_openmetrics },
	{ "snapshot", "application/json", render_snapshot },
	{ "leaks", "application/json", render_leaks },
	{ NULL, NULL, NULL },
};

const struct serve_renderer *serve_renderer_find(const char *name)
{
	for (const struct serve_renderer *r = serve_renderers; r->name; r++)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

/* The q of one media range ("type;a=b;q=0.5"): 1 when absent. */
static double media_q(const char *params, size_t len)
{
	for (size_t i = 0; i + 2 < len; i++) {
		if (params[i] == ';') {
			size_t j = i + 1;
			while (j < len && params[j] == ' ')
				j++;
			if (j + 1 < len && (params[j] == 'q' || params[j] == 'Q') && params[j + 1] == '=')
				return strtod(params + j + 2, NULL);
		}
	}
	return 1;
}

const struct serve_renderer *serve_renderer_for_accept(const char *accept)
{
	static const char om[] = "application/openmetrics-text";
	double q_om = 0, q_text = 0;
	const char *p = accept;

	if (!accept)
		return serve_renderer_find("prometheus");
	while (*p) {
		const char *end = strchrnul(p, ',');
		size_t len, tlen;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		tlen = strcspn(p, ";,");
		if (tlen > len)
			tlen = len;
		while (tlen > 0 && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
			tlen--;
		if (tlen == sizeof(om) - 1 && !strncasecmp(p, om, tlen)) {
			double q = media_q(p, len);
			if (q > q_om)
				q_om = q;
		} else if (tlen == 10 && !strncasecmp(p, "text/plain", 10)) {
			double q = media_q(p, len);
			if (q > q_text)
				q_text = q;
		}
		p = *end ? end + 1 : end;
	}
	return serve_renderer_find(q_om > 0 && q_om >= q_text ? "openmetrics" : "prometheus");
}

/* ---- series (from the sampler) ---- */

/* The newest max points of s as [[t, v], ...]. */
static void json_points(struct out_json *j, const char *key, const struct ht_series *s,
			size_t max)
{
	size_t n = s ? ht_series_count(s) : 0, from = n > max ? n - max : 0;
	struct ht_point pt;

	out_json_array(j, key);
	for (size_t i = from; i < n && ht_series_get(s, i, &pt) == 0; i++)
		serve_json_point(j, &pt);
	out_json_end(j);
}

/* Newest t of the series, or NAN. */
static double last_t(const struct ht_series *s)
{
	struct ht_point pt;

	return s && ht_series_last(s, &pt) == 0 ? pt.t : NAN;
}

void serve_json_point(struct out_json *j, const struct ht_point *pt)
{
	out_json_array(j, NULL);
	out_json_double(j, NULL, pt->t);
	out_json_double(j, NULL, pt->v);
	out_json_end(j);
}

int serve_render_series(struct ht_buf *b, struct ht_sampler *s,
			const struct serve_snap *snap, pid_t pid,
			int64_t start_time, size_t max_points)
{
	const struct ht_proc_view *v = ht_sampler_find(s, pid);
	const struct ht_sys_snapshot *sys = ht_sampler_system(s);
	struct out_json j;

	if (!v || (start_time >= 0 && v->proc->start_time != start_time))
		return -ESRCH;
	out_json_init(&j, b);
	out_json_object(&j, NULL);
	out_json_str(&j, "host", snap->host);
	out_json_count(&j, "pid", v->proc->pid);
	out_json_count(&j, "start_time", v->proc->start_time);
	out_json_str(&j, "comm", v->proc->comm);
	/* t is seconds on the sampler's clock; now_t is the latest sample's t
	 * and now_ms its wall time, so wall = now_ms + (t - now_t) * 1000. */
	out_json_double(&j, "now_t", last_t(v->rss));
	out_json_count(&j, "now_ms", sys->wall_ms);
	out_json_double(&j, "rate", v->rate);
	out_json_double(&j, "r2", v->r2);
	out_json_double(&j, "eta_s", v->eta_s);
	out_json_double(&j, "risk", v->risk);
	json_points(&j, "rss", v->rss, max_points);
	json_points(&j, "anon", v->anon, max_points);
	out_json_end(&j);
	out_json_newline(&j);
	return 0;
}

void serve_render_mem_series(struct ht_buf *b, struct ht_sampler *s,
			     const struct serve_snap *snap, size_t max_points)
{
	const struct ht_series *m = ht_sampler_mem_series(s);
	const struct ht_sys_snapshot *sys = ht_sampler_system(s);
	struct out_json j;

	out_json_init(&j, b);
	out_json_object(&j, NULL);
	out_json_str(&j, "host", snap->host);
	out_json_double(&j, "now_t", last_t(m));
	out_json_count(&j, "now_ms", sys->wall_ms);
	out_json_double(&j, "rate", sys->mem_avail_rate);
	out_json_double(&j, "r2", sys->mem_avail_r2);
	out_json_double(&j, "eta_s", sys->mem_eta_s);
	json_points(&j, "available", m, max_points);
	out_json_end(&j);
	out_json_newline(&j);
}
