/* The sampler: system files, the process table, per-process memory history
 * and the tapset stream, joined into one snapshot. */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_counter.h"
#include "ht_merge.h"
#include "ht_sampler.h"
#include "ht_stream.h"
#include "proc_meminfo.h"
#include "proc_pid_cgroup.h"
#include "proc_pid_limits.h"
#include "proc_pressure.h"
#include "proc_slabinfo.h"
#include "proc_softirqs.h"
#include "proc_stat.h"
#include "proc_vmstat.h"

/* The snapshot's softirq vectors are /proc/softirqs' (proc_softirq_name()
 * names them for every renderer). */
_Static_assert(HT_SOFTIRQ_VECTORS == PROC_SOFTIRQ_N, "softirq vectors");

#define LIMITS_REFRESH_NS (30 * 1000000000LL)	/* cgroup and rlimit reads */
#define CI_LEVEL 0.95

/* What the sampler keeps about one process between samples. */
struct tracked {
	pid_t pid;
	int64_t start_time;
	struct ht_series *rss, *anon, *size;	/* size: VmSize, address space */
	struct ht_trend_acc acc;	/* running OLS over what rss holds */
	int64_t first_ns;
	int64_t limits_ns;		/* when RLIMIT_AS was read; 0 never */
	int64_t rlimit_as;
	char *cgroup;			/* its v2 path; NULL unknown */
	int64_t cgroup_ns;		/* when the path was read; 0 never */
	size_t cg;			/* index into the cgroups, while
					   cg_gen is the sampler's */
	uint64_t cg_gen;
	int growing;			/* at the latest sample: a limit to find */
};

/* One record of a tapset batch. */
struct probe_rec {
	const char *name;		/* static, from ht_record_kinds */
	char *labels;
	int64_t value;
};

struct probe_batch {
	struct probe_rec *recs;
	size_t n, cap;
};

/* A slab cache's or a socket's kept history. */
struct slab_track {
	char name[PROC_SLAB_NAME_MAX];
	struct ht_series *bytes;
};

struct sock_track {
	struct ht_sock_view v;
	struct ht_series *queue;
	int64_t first_ns;
};

struct ht_sampler {
	struct ht_sampler_opts opts;
	char *root;
	struct ht_proctable *table;
	int64_t t0_ns;			/* the first sample: t = 0 s */

	struct ht_counter ctxt, intr, softirq, forks, cpu_total, cpu_idle;
	struct ht_counter softirq_vec[HT_SOFTIRQ_VECTORS];
	struct ht_counter pgfault, pgmajfault;
	int64_t skb_prev, skb_prev_ns;	/* outstanding skbs (a gauge: -1
					   unknown) at the previous sample */
	struct proc_slabinfo slabs;
	struct ht_series *kmem_series[HT_KMEM_FIELDS];
	struct slab_track *slab_tr;	/* by name */
	struct ht_slab_view *slab_views;	/* parallel */
	size_t nslab_tr;
	struct sock_track *sock_tr;	/* by proto, inode */
	size_t nsock_tr;
	struct ht_series *mem_series;
	struct ht_trend_acc mem_acc;
	struct ht_sys_snapshot sys;

	struct tracked *tracked;	/* ascending pid, parallel to views */
	struct ht_proc_view *views;
	size_t nprocs;

	struct ht_cgroup_view *cgs;	/* by path; each path owned */
	size_t ncgs, capcgs;
	uint64_t cg_gen;		/* changes when cgs is rebuilt */

	struct ht_irqs irqs;		/* opts.interrupts */
	int want_threads;
	struct ht_threads threads;	/* while want_threads */

	struct ht_stream *stream;
	struct ht_probe_status probe;
	struct probe_batch pending[HT_SUBSYS_COUNT], latest[HT_SUBSYS_COUNT];
	int64_t sched_batch_switches;	/* -1 until a switches record */
	struct ht_merge *merge;		/* probe figures joined with /proc */
};

void ht_sampler_opts_default(struct ht_sampler_opts *o)
{
	*o = (struct ht_sampler_opts){
		.root = "", .table_flags = 0, .history = 512,
		.sys_history = 2048, .warmup_s = 60, .min_points = 10,
	};
}

const char *ht_limit_name(enum ht_limit_kind k)
{
	static const char *const names[] = { "none", "system", "cgroup", "rlimit_as" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void counters_init(struct ht_sampler *s)
{
	struct ht_counter *all[] = { &s->ctxt, &s->intr, &s->softirq, &s->forks,
				     &s->cpu_total, &s->cpu_idle, &s->pgfault,
				     &s->pgmajfault };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ht_counter_init(all[i]);
	for (int v = 0; v < HT_SOFTIRQ_VECTORS; v++)
		ht_counter_init(&s->softirq_vec[v]);
}

static int on_stream_record(void *ctx, const struct ht_record *rec);
static int on_stream_error(void *ctx, uint64_t line, const char *msg);

struct ht_sampler *ht_sampler_new(const struct ht_sampler_opts *o)
{
	struct ht_sampler *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (o)
		s->opts = *o;
	else
		ht_sampler_opts_default(&s->opts);
	if (!s->opts.history)
		s->opts.history = 512;
	if (!s->opts.sys_history)
		s->opts.sys_history = 2048;
	s->root = strdup(s->opts.root ? s->opts.root : "");
	s->opts.root = s->root;
	s->table = ht_proctable_new(s->root, s->opts.table_flags);
	s->mem_series = ht_series_new(s->opts.sys_history);
	s->stream = ht_stream_new(on_stream_record, on_stream_error, s);
	s->merge = ht_merge_new();
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++)
		if (s->mem_series && !(s->kmem_series[i] = ht_series_new(s->opts.sys_history)))
			s->mem_series = (ht_series_free(s->mem_series), NULL);
	if (!s->root || !s->table || !s->mem_series || !s->stream || !s->merge) {
		ht_sampler_free(s);
		errno = ENOMEM;
		return NULL;
	}
	counters_init(s);
	ht_trend_acc_init(&s->mem_acc);
	s->sys.mem_eta_s = INFINITY;
	s->sched_batch_switches = -1;
	s->skb_prev = -1;
	s->cg_gen = 1;		/* a tracked process's 0: not looked up yet */
	s->probe.sched_coverage = NAN;
	s->probe.sched_ctxt_absolute = -1;
	return s;
}

static void tracked_release(struct tracked *t)
{
	ht_series_free(t->rss);
	ht_series_free(t->anon);
	ht_series_free(t->size);
	free(t->cgroup);
	t->rss = t->anon = t->size = NULL;
	t->cgroup = NULL;
}

static void cgroups_free(struct ht_cgroup_view *cgs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)cgs[i].path);
	free(cgs);
}

static void batch_clear(struct probe_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->recs[i].labels);
	b->n = 0;
}

void ht_sampler_free(struct ht_sampler *s)
{
	if (!s)
		return;
	ht_irqs_free(&s->irqs);
	ht_threads_free(&s->threads);
	for (size_t i = 0; i < s->nprocs; i++)
		tracked_release(&s->tracked[i]);
	for (int i = 0; i < HT_SUBSYS_COUNT; i++) {
		batch_clear(&s->pending[i]);
		batch_clear(&s->latest[i]);
		free(s->pending[i].recs);
		free(s->latest[i].recs);
	}
	free(s->tracked);
	free(s->views);
	cgroups_free(s->cgs, s->ncgs);
	ht_stream_free(s->stream);
	ht_merge_free(s->merge);
	ht_series_free(s->mem_series);
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++)
		ht_series_free(s->kmem_series[i]);
	for (size_t i = 0; i < s->nslab_tr; i++)
		ht_series_free(s->slab_tr[i].bytes);
	free(s->slab_tr);
	free(s->slab_views);
	for (size_t i = 0; i < s->nsock_tr; i++)
		ht_series_free(s->sock_tr[i].queue);
	free(s->sock_tr);
	ht_proctable_free(s->table);
	proc_slabinfo_free(&s->slabs);
	free(s->root);
	free(s);
}

/* ---- system ---- */

static double seconds_since_start(const struct ht_sampler *s, int64_t ns)
{
	return (double)(ns - s->t0_ns) / 1e9;
}

static double cpu_busy(struct ht_sampler *s, const struct proc_stat_cpu *c, int64_t now)
{
	int64_t idle, total;

	if (c->user < 0 || c->idle < 0 || c->system < 0)
		return NAN;
	idle = c->idle + (c->iowait > 0 ? c->iowait : 0);
	total = c->user + c->system + idle + (c->nice > 0 ? c->nice : 0) +
		(c->irq > 0 ? c->irq : 0) + (c->softirq > 0 ? c->softirq : 0) +
		(c->steal > 0 ? c->steal : 0);
	ht_counter_update(&s->cpu_total, total, now);
	ht_counter_update(&s->cpu_idle, idle, now);
	if (s->cpu_total.delta <= 0 || s->cpu_idle.delta < 0)
		return NAN;
	return 100.0 * (double)(s->cpu_total.delta - s->cpu_idle.delta) /
	       (double)s->cpu_total.delta;
}

static void apply_stat(struct ht_sampler *s, const struct proc_stat *st, int64_t now)
{
	struct ht_sys_snapshot *y = &s->sys;

	ht_counter_update(&s->ctxt, st->ctxt, now);
	ht_counter_update(&s->intr, st->intr, now);
	ht_counter_update(&s->softirq, st->softirq, now);
	ht_counter_update(&s->forks, st->processes, now);
	y->cpu_busy_pct = cpu_busy(s, &st->cpu, now);
	y->ctxt_rate = s->ctxt.rate;
	y->intr_rate = s->intr.rate;
	y->softirq_rate = s->softirq.rate;
	y->fork_rate = s->forks.rate;
	y->procs_running = st->procs_running;
	y->procs_blocked = st->procs_blocked;
	y->ctxt_total = st->ctxt;
	y->intr_total = st->intr;
	y->softirq_total = st->softirq;
	y->forks_total = st->processes;
	y->ncpus = st->ncpus;
}

/* Pushes v into a ring and its running fit, dropping the oldest point from
 * the fit when the ring is full. */
static void push_tracked(struct ht_series *ring, struct ht_trend_acc *acc,
			 double t, double v)
{
	struct ht_point old;

	if (ht_series_count(ring) == ht_series_capacity(ring) &&
	    ht_series_get(ring, 0, &old) == 0)
		ht_trend_acc_remove(acc, old.t, old.v);
	if (ht_series_push(ring, t, v) == 0)
		ht_trend_acc_add(acc, t, v);
}

static void apply_mem_trend(struct ht_sampler *s, double t)
{
	struct ht_sys_snapshot *y = &s->sys;
	struct ht_fit fit;

	y->mem_avail_rate = y->mem_avail_r2 = NAN;
	y->mem_eta_s = INFINITY;
	if (y->mem_available < 0)
		return;
	push_tracked(s->mem_series, &s->mem_acc, t, (double)y->mem_available);
	if (ht_trend_acc_fit(&s->mem_acc, CI_LEVEL, &fit) != 0 || fit.n < 3)
		return;
	y->mem_avail_rate = fit.slope;
	y->mem_avail_r2 = fit.r2;
	/* Only a shrink the CI is sure of predicts exhaustion. */
	if (fit.hi < 0)
		y->mem_eta_s = (double)y->mem_available / -fit.slope;
}

static void apply_meminfo(struct ht_sampler *s)
{
	struct ht_sys_snapshot *y = &s->sys;
	struct proc_meminfo m;

	if (proc_meminfo_read(s->root, &m) != 0) {
		y->missing |= HT_SYS_MISS_MEMINFO;
		y->mem_total = y->mem_available = y->mem_free = -1;
		y->swap_total = y->swap_free = y->anon_pages = y->shmem = y->slab = -1;
		y->sunreclaim = y->kernel_stack = y->page_tables = y->vmalloc_used = -1;
		return;
	}
	y->mem_total = m.mem_total;
	y->mem_available = m.mem_available;
	y->mem_free = m.mem_free;
	y->swap_total = m.swap_total;
	y->swap_free = m.swap_free;
	y->anon_pages = m.anon_pages;
	y->shmem = m.shmem;
	y->slab = m.slab;
	y->sunreclaim = m.sunreclaim;
	y->kernel_stack = m.kernel_stack;
	y->page_tables = m.page_tables;
	y->vmalloc_used = m.vmalloc_used;
}

#define KF(name, key, field) { name, key, offsetof(struct ht_sys_snapshot, field) }
const struct ht_kmem_field ht_kmem_fields[HT_KMEM_FIELDS] = {
	KF("Slab", "slab", slab), KF("SUnreclaim", "sunreclaim", sunreclaim),
	KF("KernelStack", "kernel_stack", kernel_stack),
	KF("PageTables", "page_tables", page_tables),
	KF("VmallocUsed", "vmalloc_used", vmalloc_used),
};

static int slab_track_cmp(const void *a, const void *b)
{
	return strcmp(((const struct slab_track *)a)->name, ((const struct slab_track *)b)->name);
}

/* Every cache's bytes into its history (opts.kernel): caches gone are
 * dropped, new ones start one. */
static int track_slabs(struct ht_sampler *s, double t)
{
	const struct proc_slabinfo *sl = &s->slabs;
	struct slab_track *nt = calloc(sl->n + 1, sizeof(*nt));
	struct ht_slab_view *nv = calloc(sl->n + 1, sizeof(*nv));
	size_t n = 0;

	if (!nt || !nv) {
		free(nt);
		free(nv);
		return -ENOMEM;
	}
	for (size_t i = 0; i < sl->n; i++) {
		const struct proc_slab_cache *c = &sl->caches[i];
		struct slab_track key, *old;
		snprintf(key.name, sizeof(key.name), "%s", c->name);
		old = s->nslab_tr ? bsearch(&key, s->slab_tr, s->nslab_tr, sizeof(key),
					    slab_track_cmp) : NULL;
		if (old && old->bytes) {
			nt[n] = *old;
			old->bytes = NULL;	/* moved */
		} else {
			nt[n] = key;
			nt[n].bytes = ht_series_new(s->opts.history);
			if (!nt[n].bytes)
				break;
		}
		if (c->num_objs >= 0 && c->objsize >= 0)
			ht_series_push(nt[n].bytes, t, (double)c->num_objs * (double)c->objsize);
		n++;
	}
	for (size_t i = 0; i < s->nslab_tr; i++)
		ht_series_free(s->slab_tr[i].bytes);
	free(s->slab_tr);
	free(s->slab_views);
	qsort(nt, n, sizeof(*nt), slab_track_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct proc_slab_cache *c = proc_slabinfo_find(sl, nt[i].name);
		nv[i] = (struct ht_slab_view){ nt[i].name, nt[i].bytes,
					       c ? c->active_objs : -1, c ? c->objsize : -1 };
	}
	s->slab_tr = nt;
	s->slab_views = nv;
	s->nslab_tr = n;
	return n == sl->n ? 0 : -ENOMEM;
}

static int sock_track_cmp(const void *a, const void *b)
{
	const struct proc_sock *x = &((const struct sock_track *)a)->v.sock;
	const struct proc_sock *y = &((const struct sock_track *)b)->v.sock;

	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Every socket with a queue into its history (opts.kernel). */
static int track_socks(struct ht_sampler *s, double t, int64_t now)
{
	struct proc_socks socks;
	struct sock_track *nt;
	size_t n = 0;
	int err = proc_net_sock_read(s->root, 1, &socks);

	if (err == -ENOMEM)
		return err;
	if (err)
		socks.n = 0, socks.v = NULL;
	nt = calloc(socks.n + 1, sizeof(*nt));
	if (!nt) {
		proc_socks_free(&socks);
		return -ENOMEM;
	}
	for (size_t i = 0; i < socks.n; i++) {
		struct sock_track key = { .v.sock = socks.v[i] }, *old;
		if (socks.v[i].inode == 0)
			continue;
		old = s->nsock_tr ? bsearch(&key, s->sock_tr, s->nsock_tr, sizeof(key),
					    sock_track_cmp) : NULL;
		if (old && old->queue) {
			nt[n] = *old;
			old->queue = NULL;
			nt[n].v.sock = socks.v[i];
		} else {
			nt[n] = key;
			nt[n].first_ns = now;
			nt[n].queue = ht_series_new(s->opts.history);
			if (!nt[n].queue) {
				err = -ENOMEM;
				break;
			}
		}
		ht_series_push(nt[n].queue, t, (double)(socks.v[i].rx_queue + socks.v[i].tx_queue));
		nt[n].v.queue = nt[n].queue;
		nt[n].v.age_s = (double)(now - nt[n].first_ns) / 1e9;
		n++;
	}
	proc_socks_free(&socks);
	for (size_t i = 0; i < s->nsock_tr; i++)
		ht_series_free(s->sock_tr[i].queue);
	free(s->sock_tr);
	qsort(nt, n, sizeof(*nt), sock_track_cmp);
	s->sock_tr = nt;
	s->nsock_tr = n;
	return err == -ENOMEM ? err : 0;
}

static void push_kmem(struct ht_sampler *s, double t)
{
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++) {
		int64_t v = ht_kmem_value(&s->sys, i);
		if (v >= 0)
			ht_series_push(s->kmem_series[i], t, (double)v);
	}
}

/* The slab caches, and the skbs in them. */
static void apply_slabs(struct ht_sampler *s, int64_t now)
{
	struct ht_skb_slab *k = &s->sys.skb;
	const struct proc_slab_cache *c;
	const char *alias;

	proc_slabinfo_free(&s->slabs);
	*k = (struct ht_skb_slab){ .heads = -1, .small_heads = -1, .outstanding = -1,
				   .fclones = -1, .rate = NAN };
	if (proc_slabinfo_read_any(s->root, &s->slabs) != 0) {
		s->sys.missing |= HT_SYS_MISS_SLAB;
		s->skb_prev = -1;
		return;
	}
	k->source = proc_slab_source_name(s->slabs.source);
	if ((c = proc_slabinfo_find(&s->slabs, "skbuff_head_cache")))
		k->heads = c->active_objs;
	if ((c = proc_slabinfo_find(&s->slabs, "skbuff_small_head")))
		k->small_heads = c->active_objs;
	/* one sk_buff per skb: small data heads are the same skbs' buffers */
	k->outstanding = k->heads;
	alias = proc_slabinfo_alias(&s->slabs, "skbuff_fclone_cache");
	if (alias) {
		k->fclone_merged = 1;
		snprintf(k->fclone_alias, sizeof(k->fclone_alias), "%s", alias);
	} else if ((c = proc_slabinfo_find(&s->slabs, "skbuff_fclone_cache"))) {
		k->fclones = c->active_objs;
	}
	if (s->skb_prev >= 0 && k->outstanding >= 0 && now > s->skb_prev_ns)
		k->rate = (double)(k->outstanding - s->skb_prev) /
			  ((double)(now - s->skb_prev_ns) / 1e9);
	s->skb_prev = k->outstanding;
	s->skb_prev_ns = now;
}

static void apply_pressure(struct ht_sampler *s)
{
	struct ht_sys_snapshot *y = &s->sys;
	struct proc_pressure p;

	y->psi_cpu_some = y->psi_mem_some = y->psi_mem_full = NAN;
	y->psi_io_some = y->psi_io_full = NAN;
	if (proc_pressure_read(s->root, &p) != 0) {
		y->missing |= HT_SYS_MISS_PRESSURE;
		return;
	}
	if (p.cpu.present)
		y->psi_cpu_some = p.cpu.some.avg10;
	if (p.memory.present) {
		y->psi_mem_some = p.memory.some.avg10;
		y->psi_mem_full = p.memory.full.avg10;
	}
	if (p.io.present) {
		y->psi_io_some = p.io.some.avg10;
		y->psi_io_full = p.io.full.avg10;
	}
}

static void apply_softirqs(struct ht_sampler *s, int64_t now)
{
	struct proc_softirqs si = { 0 };
	int ok = proc_softirqs_read(s->root, &si) == 0;

	if (!ok)
		s->sys.missing |= HT_SYS_MISS_SOFTIRQS;
	for (int v = 0; v < HT_SOFTIRQ_VECTORS; v++) {
		s->sys.softirq_vec_total[v] = ok ? si.total[v] : -1;
		ht_counter_update(&s->softirq_vec[v], s->sys.softirq_vec_total[v], now);
		s->sys.softirq_vec_rate[v] = s->softirq_vec[v].rate;
	}
	proc_softirqs_free(&si);
}

static void apply_vmstat(struct ht_sampler *s, int64_t now)
{
	struct proc_vmstat vm;
	int ok = proc_vmstat_read(s->root, &vm) == 0;

	if (!ok)
		s->sys.missing |= HT_SYS_MISS_VMSTAT;
	ht_counter_update(&s->pgfault, ok ? vm.pgfault : -1, now);
	ht_counter_update(&s->pgmajfault, ok ? vm.pgmajfault : -1, now);
	s->sys.pgfault_rate = s->pgfault.rate;
	s->sys.pgmajfault_rate = s->pgmajfault.rate;
	s->sys.oom_kills = ok ? vm.oom_kill : -1;
}

/* ---- processes ---- */

static int tracked_init(struct ht_sampler *s, struct tracked *t,
			const struct ht_proc *p, int64_t now)
{
	memset(t, 0, sizeof(*t));
	t->pid = p->pid;
	t->start_time = p->start_time;
	t->first_ns = now;
	t->rss = ht_series_new(s->opts.history);
	t->anon = ht_series_new(s->opts.history);
	t->size = ht_series_new(s->opts.history);
	ht_trend_acc_init(&t->acc);
	if (!t->rss || !t->anon || !t->size) {
		tracked_release(t);
		return -ENOMEM;
	}
	return 0;
}

/* Reads RLIMIT_AS, at most every 30 s. */
static void refresh_limits(struct ht_sampler *s, struct tracked *t, int64_t now)
{
	struct proc_pid_limits lim;

	if (t->limits_ns && now - t->limits_ns < LIMITS_REFRESH_NS)
		return;
	t->limits_ns = now;
	t->rlimit_as = -1;
	if (proc_pid_limits_read(s->root, t->pid, &lim) == 0 && lim.as_soft >= 0 &&
	    lim.as_soft != PROC_PID_LIMITS_UNLIMITED)
		t->rlimit_as = lim.as_soft;
}

/* Picks the limit with the least headroom. */
static void nearest_limit(struct ht_sampler *s, struct tracked *t,
			  struct ht_proc_view *v, int64_t now)
{
	const struct ht_proc *p = v->proc;
	const struct ht_cgroup_view *cg;

	v->limit_kind = HT_LIMIT_NONE;
	v->limit_bytes = v->headroom = -1;
	if (s->sys.mem_available >= 0 && p->rss >= 0) {
		v->limit_kind = HT_LIMIT_SYSTEM;
		v->headroom = s->sys.mem_available;
		v->limit_bytes = p->rss + s->sys.mem_available;
	}
	refresh_limits(s, t, now);
	cg = v->cgroup;
	if (cg && cg->memory_max >= 0 && cg->memory_max != HT_CGROUP_NO_LIMIT &&
	    cg->memory_current >= 0) {
		int64_t room = cg->memory_max > cg->memory_current ?
			       cg->memory_max - cg->memory_current : 0;
		if (v->headroom < 0 || room < v->headroom) {
			v->limit_kind = HT_LIMIT_CGROUP;
			v->headroom = room;
			v->limit_bytes = cg->memory_max;
		}
	}
	if (t->rlimit_as >= 0 && p->size >= 0) {
		int64_t room = t->rlimit_as > p->size ? t->rlimit_as - p->size : 0;
		if (v->headroom < 0 || room < v->headroom) {
			v->limit_kind = HT_LIMIT_RLIMIT_AS;
			v->headroom = room;
			v->limit_bytes = t->rlimit_as;
		}
	}
}

static void fill_view(struct ht_sampler *s, struct tracked *t,
		      struct ht_proc_view *v, const struct ht_proc *p, int64_t now)
{
	double tsec = seconds_since_start(s, now);
	struct ht_fit fit;

	if (p->rss >= 0 && !(p->flags & HT_PROC_KTHREAD)) {
		push_tracked(t->rss, &t->acc, tsec, (double)p->rss);
		if (p->anon >= 0)
			ht_series_push(t->anon, tsec, (double)p->anon);
		if (p->size >= 0)
			ht_series_push(t->size, tsec, (double)p->size);
	}
	*v = (struct ht_proc_view){
		.proc = p, .rss = t->rss, .anon = t->anon, .size = t->size,
		.age_s = (double)(now - t->first_ns) / 1e9,
		.rate = NAN, .rate_lo = NAN, .rate_hi = NAN, .r2 = NAN,
		.limit_kind = HT_LIMIT_NONE, .limit_bytes = -1, .headroom = -1,
		.eta_s = INFINITY, .risk = 0,
		.cgroup = t->cgroup && t->cg_gen == s->cg_gen ? &s->cgs[t->cg] : NULL,
	};
	t->growing = 0;
	if (ht_trend_acc_fit(&t->acc, CI_LEVEL, &fit) != 0 || fit.n < 3)
		return;
	v->rate = fit.slope;
	v->rate_lo = fit.lo;
	v->rate_hi = fit.hi;
	v->r2 = fit.r2;
	/* Limits cost reads: only for processes that grow for sure. */
	t->growing = fit.lo > 0 && v->age_s >= s->opts.warmup_s && fit.n >= s->opts.min_points;
	if (!t->growing)
		return;
	nearest_limit(s, t, v, now);
	if (v->headroom >= 0)
		v->eta_s = (double)v->headroom / fit.slope;
	/* Fraction of the headroom eaten per hour, weighted by fit quality. */
	v->risk = (isnan(fit.r2) ? 0 : fit.r2) * fit.slope * 3600.0 /
		  (double)(v->headroom > 0 ? v->headroom : (p->rss > 0 ? p->rss : 1));
}

/* ---- cgroups ---- */

/* A process's cgroup path: at first sight, then every 30 to 60 s (spread
 * by pid, so that the reads do not come in one sample). */
static void refresh_cgroup_path(struct ht_sampler *s, struct tracked *t,
				const struct ht_proc *p, int64_t now)
{
	int64_t every = LIMITS_REFRESH_NS + LIMITS_REFRESH_NS / 32 * (p->pid % 32);
	struct proc_pid_cgroup cg;
	char *copy;

	if (t->cgroup_ns && now - t->cgroup_ns < every)
		return;
	t->cgroup_ns = now;
	if (proc_pid_cgroup_read_path(s->root, p->pid, &cg) || !cg.path[0])
		return;		/* gone (the next sample drops it) or v1 only */
	if (t->cgroup && !strcmp(t->cgroup, cg.path))
		return;
	copy = strdup(cg.path);
	if (!copy)
		return;
	free(t->cgroup);
	t->cgroup = copy;
	t->cg_gen = 0;		/* look it up again */
}

static int by_path(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cg_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ht_cgroup_view *)elem)->path);
}

static struct ht_cgroup_view *cg_find(struct ht_cgroup_view *cgs, size_t n, const char *path)
{
	return n ? bsearch(path, cgs, n, sizeof(*cgs), cg_cmp) : NULL;
}

/* The cgroups of the tracked processes, rebuilt from their paths: each
 * cgroup kept keeps its memory readings. */
static int rebuild_cgroups(struct ht_sampler *s)
{
	const char **paths = malloc((s->nprocs ? s->nprocs : 1) * sizeof(*paths));
	struct ht_cgroup_view *cgs = NULL, *old;
	size_t np = 0, n = 0, cap = 0;

	if (!paths)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->tracked[i].cgroup)
			paths[np++] = s->tracked[i].cgroup;
	qsort(paths, np, sizeof(*paths), by_path);
	for (size_t i = 0; i < np; i++) {
		if (n && !strcmp(cgs[n - 1].path, paths[i]))
			continue;
		if (ht_grow(cgs, cap, n + 1) || !(cgs[n].path = strdup(paths[i]))) {
			cgroups_free(cgs, n);
			free(paths);
			return -ENOMEM;
		}
		old = cg_find(s->cgs, s->ncgs, paths[i]);
		cgs[n].memory_current = old ? old->memory_current : -1;
		cgs[n].memory_max = old ? old->memory_max : -1;
		cgs[n].read_ns = old ? old->read_ns : 0;
		n++;
	}
	free(paths);
	cgroups_free(s->cgs, s->ncgs);
	s->cgs = cgs;
	s->ncgs = n;
	s->capcgs = cap;
	s->cg_gen++;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct tracked *t = &s->tracked[i];
		if (t->cgroup) {
			t->cg = (size_t)(cg_find(s->cgs, s->ncgs, t->cgroup) - s->cgs);
			t->cg_gen = s->cg_gen;
		}
	}
	return 0;
}

/* Each process to its cgroup (a rebuild only when a cgroup appears or
 * loses its last member); then each cgroup's memory files, once for all
 * its members, when due. */
static int update_cgroups(struct ht_sampler *s, int64_t now)
{
	int64_t every = s->opts.cgroup_refresh_ms > 0 ? s->opts.cgroup_refresh_ms * 1000000 :
			LIMITS_REFRESH_NS;
	int rebuild = 0;

	for (size_t i = 0; i < s->ncgs; i++)
		s->cgs[i].nprocs = 0;
	for (size_t i = 0; i < s->nprocs && !rebuild; i++) {
		struct tracked *t = &s->tracked[i];
		struct ht_cgroup_view *c;
		if (!t->cgroup)
			continue;
		if (t->cg_gen != s->cg_gen) {
			c = cg_find(s->cgs, s->ncgs, t->cgroup);
			if (!c) {
				rebuild = 1;
				break;
			}
			t->cg = (size_t)(c - s->cgs);
			t->cg_gen = s->cg_gen;
		}
		s->cgs[t->cg].nprocs++;
	}
	for (size_t i = 0; i < s->ncgs && !rebuild; i++)
		rebuild = s->cgs[i].nprocs == 0;
	if (rebuild) {
		if (rebuild_cgroups(s))
			return -ENOMEM;
		for (size_t i = 0; i < s->ncgs; i++)
			s->cgs[i].nprocs = 0;
		for (size_t i = 0; i < s->nprocs; i++)
			if (s->tracked[i].cgroup)
				s->cgs[s->tracked[i].cg].nprocs++;
	}
	for (size_t i = 0; i < s->ncgs; i++) {
		struct ht_cgroup_view *c = &s->cgs[i];
		struct proc_pid_cgroup cg;
		if (c->read_ns && now - c->read_ns < every - every / 20)
			continue;	/* (a twentieth early: a sample's jitter) */
		snprintf(cg.path, sizeof(cg.path), "%s", c->path);
		proc_pid_cgroup_read_memory(s->root, &cg);
		c->memory_current = cg.memory_current;
		c->memory_max = cg.memory_max;
		c->read_ns = now;
	}
	return 0;
}

size_t ht_sampler_ncgroups(const struct ht_sampler *s)
{
	return s->ncgs;
}

const struct ht_cgroup_view *ht_sampler_cgroup(const struct ht_sampler *s, size_t i)
{
	return i < s->ncgs ? &s->cgs[i] : NULL;
}

/* Merges the table's processes (ascending pid) with what was tracked. */
static int update_processes(struct ht_sampler *s, int64_t now)
{
	size_t n = ht_proctable_count(s->table), j = 0, old_n = s->nprocs;
	struct tracked *nt = calloc(n ? n : 1, sizeof(*nt));
	struct ht_proc_view *nv = calloc(n ? n : 1, sizeof(*nv));
	int err = 0;

	if (!nt || !nv) {
		free(nt);
		free(nv);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ht_proc *p = ht_proctable_at(s->table, i);
		while (j < old_n && s->tracked[j].pid < p->pid)
			tracked_release(&s->tracked[j++]);
		if (j < old_n && s->tracked[j].pid == p->pid &&
		    s->tracked[j].start_time == p->start_time) {
			nt[i] = s->tracked[j++];
		} else {
			if (j < old_n && s->tracked[j].pid == p->pid)
				tracked_release(&s->tracked[j++]);	/* pid reused */
			if (tracked_init(s, &nt[i], p, now)) {
				err = -ENOMEM;
				n = i;
				break;
			}
		}
		/* the cgroup of every process costs a read each: only when
		 * asked for, else for those with a limit to find */
		if (s->opts.cgroups || nt[i].growing)
			refresh_cgroup_path(s, &nt[i], p, now);
	}
	while (j < old_n)
		tracked_release(&s->tracked[j++]);
	free(s->tracked);
	free(s->views);
	s->tracked = nt;
	s->views = nv;
	s->nprocs = n;
	if (update_cgroups(s, now))
		err = -ENOMEM;
	for (size_t i = 0; i < n; i++)
		fill_view(s, &nt[i], &nv[i], ht_proctable_at(s->table, i), now);
	return err;
}

/* The thread view: every thread of the processes that are not kernel
 * threads. */
static int sample_threads(struct ht_sampler *s, int64_t now)
{
	pid_t *pids = malloc((s->nprocs ? s->nprocs : 1) * sizeof(*pids));
	size_t n = 0;
	int err;

	if (!pids)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocs; i++)
		if (!(s->views[i].proc->flags & HT_PROC_KTHREAD))
			pids[n++] = s->views[i].proc->pid;
	err = ht_threads_sample(&s->threads, s->root, pids, n, now);
	free(pids);
	return err;
}

int ht_sampler_sample(struct ht_sampler *s)
{
	struct proc_stat st;
	int64_t now, prev_ns = s->sys.mono_ns;
	int err = proc_stat_read(s->root, &st);

	if (err)
		return err;
	err = ht_proctable_sample(s->table);
	if (err)
		return err;
	now = ht_now_ns();
	if (s->sys.samples == 0)
		s->t0_ns = now;
	s->sys.missing = 0;
	s->sys.samples++;
	s->sys.mono_ns = now;
	s->sys.wall_ms = ht_wall_ms();
	s->sys.interval_s = s->sys.samples > 1 ? (double)(now - prev_ns) / 1e9 : NAN;
	apply_stat(s, &st, now);
	apply_meminfo(s);
	apply_mem_trend(s, seconds_since_start(s, now));
	apply_pressure(s);
	apply_softirqs(s, now);
	apply_vmstat(s, now);
	apply_slabs(s, now);
	push_kmem(s, seconds_since_start(s, now));
	if (s->opts.interrupts && ht_irqs_sample(&s->irqs, s->root, now) == -ENOMEM)
		return -ENOMEM;
	if (s->opts.kernel && (track_slabs(s, seconds_since_start(s, now)) ||
			       track_socks(s, seconds_since_start(s, now), now)))
		return -ENOMEM;
	err = update_processes(s, now);
	if (!err && s->want_threads)
		err = sample_threads(s, now);
	return err;
}

size_t ht_sampler_nirqs(const struct ht_sampler *s)
{
	return s->irqs.n;
}

const struct ht_irq_view *ht_sampler_irq(const struct ht_sampler *s, size_t i)
{
	return i < s->irqs.n ? &s->irqs.v[i] : NULL;
}

void ht_sampler_want_threads(struct ht_sampler *s, int on)
{
	if (!on || !s->want_threads)
		ht_threads_free(&s->threads);
	s->want_threads = on;
}

size_t ht_sampler_nthreads(const struct ht_sampler *s)
{
	return s->threads.n;
}

const struct ht_thread_view *ht_sampler_thread(const struct ht_sampler *s, size_t i)
{
	return i < s->threads.n ? &s->threads.v[i] : NULL;
}

const struct ht_sys_snapshot *ht_sampler_system(const struct ht_sampler *s)
{
	return &s->sys;
}

const struct ht_series *ht_sampler_mem_series(const struct ht_sampler *s)
{
	return s->mem_series;
}

const struct proc_slabinfo *ht_sampler_slabs(const struct ht_sampler *s)
{
	return &s->slabs;
}

const struct ht_series *ht_sampler_kmem_series(const struct ht_sampler *s, size_t i)
{
	return i < HT_KMEM_FIELDS ? s->kmem_series[i] : NULL;
}

size_t ht_sampler_nslab_views(const struct ht_sampler *s)
{
	return s->nslab_tr;
}

const struct ht_slab_view *ht_sampler_slab_view(const struct ht_sampler *s, size_t i)
{
	return i < s->nslab_tr ? &s->slab_views[i] : NULL;
}

size_t ht_sampler_nsocks(const struct ht_sampler *s)
{
	return s->nsock_tr;
}

const struct ht_sock_view *ht_sampler_sock(const struct ht_sampler *s, size_t i)
{
	return i < s->nsock_tr ? &s->sock_tr[i].v : NULL;
}

size_t ht_sampler_nprocs(const struct ht_sampler *s)
{
	return s->nprocs;
}

const struct ht_proc_view *ht_sampler_proc(const struct ht_sampler *s, size_t i)
{
	return i < s->nprocs ? &s->views[i] : NULL;
}

const struct ht_proc_view *ht_sampler_find(const struct ht_sampler *s, pid_t pid)
{
	size_t lo = 0, hi = s->nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->tracked[mid].pid == pid)
			return &s->views[mid];
		if (s->tracked[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct ht_proctable *ht_sampler_table(struct ht_sampler *s)
{
	return s->table;
}

/* ---- the tapset stream ---- */

static int batch_add(struct probe_batch *b, const char *name,
		     const char *labels, int64_t value)
{
	char *copy;

	if (ht_grow(b->recs, b->cap, b->n + 1))
		return -ENOMEM;
	copy = strdup(labels);
	if (!copy)
		return -ENOMEM;
	b->recs[b->n++] = (struct probe_rec){ name, copy, value };
	return 0;
}

/* The sched batch against /proc/stat ctxt over the same batches, in the
 * merge engine (ht_merge). */
static void sched_coverage(struct ht_sampler *s, int64_t t_ms)
{
	struct proc_stat st;
	struct ht_merge_coverage cov;

	if (proc_stat_read(s->root, &st) != 0)
		st.ctxt = -1;
	/* the ratio is over all intervals so far: NAN only before /proc
	 * counted any, or once a total passed INT64_MAX (never a stale ratio) */
	if (ht_merge_interval(s->merge, "ctxt", s->sched_batch_switches, st.ctxt, t_ms) == 0 &&
	    ht_merge_coverage(s->merge, "ctxt", &cov) == 0)
		s->probe.sched_coverage = cov.ratio;
	if (ht_merge_absolute(s->merge, "ctxt", &s->probe.sched_ctxt_absolute))
		s->probe.sched_ctxt_absolute = -1;
	s->sched_batch_switches = -1;
}

static void close_batch(struct ht_sampler *s, enum ht_subsys sub, int64_t t_ms)
{
	struct probe_batch tmp = s->latest[sub];

	batch_clear(&s->latest[sub]);
	s->latest[sub] = s->pending[sub];
	s->pending[sub] = tmp;
	s->pending[sub].n = 0;
	s->probe.batches[sub]++;
	s->probe.last_batch_ns[sub] = ht_now_ns();
	if (sub == HT_SUBSYS_SCHED)
		sched_coverage(s, t_ms);
}

static int on_stream_record(void *ctx, const struct ht_record *rec)
{
	struct ht_sampler *s = ctx;
	const struct ht_stream_header *h = ht_stream_header(s->stream);

	s->probe.active = 1;
	s->probe.records++;
	if (h)
		snprintf(s->probe.runtime, sizeof(s->probe.runtime), "%s", h->runtime);
	if (rec->kind->kind == HT_MARK) {
		close_batch(s, rec->subsys, rec->t_ms);
		return 0;
	}
	if (rec->subsys == HT_SUBSYS_SCHED && !strcmp(rec->kind->name, "switches") &&
	    rec->labels[0] == '\0')
		s->sched_batch_switches = rec->value;
	return batch_add(&s->pending[rec->subsys], rec->kind->name, rec->labels,
			 rec->value) ? -ENOMEM : 0;
}

static int on_stream_error(void *ctx, uint64_t line, const char *msg)
{
	struct ht_sampler *s = ctx;

	s->probe.bad_lines++;
	snprintf(s->probe.last_error, sizeof(s->probe.last_error),
		 "line %llu: %s", (unsigned long long)line, msg);
	return 0;
}

int ht_sampler_feed(struct ht_sampler *s, const char *buf, size_t len)
{
	int err = ht_stream_feed(s->stream, buf, len);
	const struct ht_stream_header *h = ht_stream_header(s->stream);

	if (h) {
		s->probe.active = 1;
		snprintf(s->probe.runtime, sizeof(s->probe.runtime), "%s", h->runtime);
	}
	return err;
}

const struct ht_probe_status *ht_sampler_probe_status(const struct ht_sampler *s)
{
	return &s->probe;
}

int ht_sampler_probe_value(const struct ht_sampler *s, enum ht_subsys sub,
			   const char *name, const char *labels, int64_t *out)
{
	const struct probe_batch *b;

	if ((unsigned)sub >= HT_SUBSYS_COUNT)
		return -ENOENT;
	b = &s->latest[sub];
	for (size_t i = 0; i < b->n; i++) {
		if (!strcmp(b->recs[i].name, name) && !strcmp(b->recs[i].labels, labels)) {
			*out = b->recs[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

int ht_sampler_probe_foreach(const struct ht_sampler *s, enum ht_subsys sub,
			     int (*fn)(void *ctx, const char *name,
				       const char *labels, int64_t value),
			     void *ctx)
{
	const struct probe_batch *b;

	if ((unsigned)sub >= HT_SUBSYS_COUNT)
		return 0;
	b = &s->latest[sub];
	for (size_t i = 0; i < b->n; i++) {
		int rc = fn(ctx, b->recs[i].name, b->recs[i].labels, b->recs[i].value);
		if (rc)
			return rc;
	}
	return 0;
}
