#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ht_buf.h"
#include "proc_pid_statm.h"
#include "serve_snap.h"

static void snap_free(struct serve_snap *snap)
{
	for (size_t i = 0; i < snap->nprocs; i++) {
		free(snap->procs[i].cgroup);
		free(snap->procs[i].cmdline);
	}
	free(snap->procs);
	free(snap->slabs);
	for (size_t i = 0; i < snap->nrecs; i++)
		free((char *)snap->recs[i].name);	/* labels share it */
	free(snap->recs);
	free(snap);
}

struct serve_snap *serve_snap_get(struct serve_snap *snap)
{
	if (snap)
		atomic_fetch_add(&snap->refs, 1);
	return snap;
}

void serve_snap_put(struct serve_snap *snap)
{
	if (snap && atomic_fetch_sub(&snap->refs, 1) == 1)
		snap_free(snap);
}

/* Highest risk first, then largest RSS, then lowest pid. */
static int by_risk(const void *a, const void *b)
{
	const struct ht_proc_view *x = *(const struct ht_proc_view *const *)a;
	const struct ht_proc_view *y = *(const struct ht_proc_view *const *)b;

	if (x->risk != y->risk)
		return x->risk > y->risk ? -1 : 1;
	if (x->proc->rss != y->proc->rss)
		return x->proc->rss > y->proc->rss ? -1 : 1;
	return x->proc->pid < y->proc->pid ? -1 : x->proc->pid > y->proc->pid;
}

const struct serve_proc *serve_snap_find(const struct serve_snap *snap, pid_t pid)
{
	for (size_t i = 0; i < snap->nprocs; i++)
		if (snap->procs[i].pid == pid)
			return &snap->procs[i];
	return NULL;
}

static const struct serve_proc *find_same(const struct serve_snap *prev,
					  const struct ht_proc *p)
{
	const struct serve_proc *sp;

	if (!prev)
		return NULL;
	sp = serve_snap_find(prev, p->pid);
	return sp && sp->start_time == p->start_time ? sp : NULL;
}

static int copy_procs(struct ht_sampler *s, struct serve_snap *snap,
		      const struct serve_snap *prev, const struct serve_snap_opts *o)
{
	size_t n = ht_sampler_nprocs(s), keep;
	const struct ht_proc_view **order;
	struct ht_proctable *table = ht_sampler_table(s);

	snap->nprocs_total = n;
	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = ht_sampler_proc(s, i);
	qsort(order, n, sizeof(*order), by_risk);
	keep = n < o->keep ? n : o->keep;
	snap->procs = calloc(keep ? keep : 1, sizeof(*snap->procs));
	if (!snap->procs) {
		free(order);
		return -ENOMEM;
	}
	for (size_t i = 0; i < keep; i++) {
		const struct ht_proc_view *v = order[i];
		const struct ht_proc *p = v->proc;
		struct serve_proc *sp = &snap->procs[i];
		const struct serve_proc *old = find_same(prev, p);
		const char *cmd = old ? old->cmdline : ht_proctable_cmdline(table, p);

		*sp = (struct serve_proc){
			.pid = p->pid, .start_time = p->start_time,
			.rss = p->rss, .anon = p->anon, .size = p->size,
			.age_s = v->age_s, .rate = v->rate, .rate_lo = v->rate_lo,
			.rate_hi = v->rate_hi, .r2 = v->r2, .limit_kind = v->limit_kind,
			.limit_bytes = v->limit_bytes, .headroom = v->headroom,
			.eta_s = v->eta_s, .risk = v->risk,
			.points = v->rss ? ht_series_count(v->rss) : 0,
		};
		memcpy(sp->comm, p->comm, sizeof(sp->comm));
		sp->comm[sizeof(sp->comm) - 1] = '\0';
		sp->cgroup = strdup(v->cgroup ? v->cgroup->path : "");
		sp->cmdline = strdup(cmd ? cmd : "");
		snap->nprocs = i + 1;
		if (!sp->cgroup || !sp->cmdline) {
			free(order);
			return -ENOMEM;
		}
	}
	free(order);
	return 0;
}

struct rec_walk {
	struct serve_snap *snap;
	enum ht_subsys sub;
	size_t cap, max;
	int err;
};

static int add_rec(void *ctx, const char *name, const char *labels, int64_t value)
{
	struct rec_walk *w = ctx;
	struct serve_snap *snap = w->snap;
	size_t ln = strlen(name), ll = strlen(labels);
	char *mem;

	if (snap->nrecs >= w->max) {
		snap->recs_dropped++;
		return 0;
	}
	if (ht_grow(snap->recs, w->cap, snap->nrecs + 1))
		goto nomem;
	mem = malloc(ln + ll + 2);
	if (!mem)
		goto nomem;
	memcpy(mem, name, ln + 1);
	memcpy(mem + ln + 1, labels, ll + 1);
	snap->recs[snap->nrecs++] = (struct serve_probe_rec){
		w->sub, mem, mem + ln + 1, value,
	};
	return 0;
nomem:
	w->err = -ENOMEM;
	return 1;
}

static int by_bytes_desc(const void *a, const void *b)
{
	const struct serve_slab *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int copy_slabs(struct ht_sampler *s, struct serve_snap *snap)
{
	const struct proc_slabinfo *sl = ht_sampler_slabs(s);

	if (!sl->n)
		return 0;
	snap->slabs = calloc(sl->n, sizeof(*snap->slabs));
	if (!snap->slabs)
		return -ENOMEM;
	for (size_t i = 0; i < sl->n; i++) {
		const struct proc_slab_cache *c = &sl->caches[i];
		double bytes = (double)c->num_objs * (double)c->objsize;
		if (c->num_objs < 0 || c->objsize < 0 || bytes < HT_SLAB_STORE_MIN)
			continue;
		struct serve_slab *d = &snap->slabs[snap->nslabs++];
		snprintf(d->name, sizeof(d->name), "%s", c->name);
		d->objects = c->active_objs;
		d->bytes = c->num_objs * c->objsize;
	}
	qsort(snap->slabs, snap->nslabs, sizeof(*snap->slabs), by_bytes_desc);
	return 0;
}

struct serve_snap *serve_snap_build(struct ht_sampler *s, const struct serve_snap *prev,
				    const struct serve_snap_opts *o)
{
	struct serve_snap *snap = calloc(1, sizeof(*snap));
	struct rec_walk w = { .snap = snap, .max = o->max_recs };
	const struct ht_proc_view *self;
	struct proc_pid_statm statm;

	if (!snap)
		return NULL;
	atomic_init(&snap->refs, 1);
	snap->seq = prev ? prev->seq + 1 : 1;
	if (gethostname(snap->host, sizeof(snap->host) - 1) != 0)
		strcpy(snap->host, "unknown");
	snap->sys = *ht_sampler_system(s);
	snap->probe = *ht_sampler_probe_status(s);
	snap->self_pid = getpid();
	/* Our own RSS from the live /proc even when the sampler reads a
	 * fixture tree (--root) or nothing (a database). */
	self = o->root && *o->root ? NULL : ht_sampler_find(s, snap->self_pid);
	if (self)
		snap->self_rss = self->proc->rss;
	else
		snap->self_rss = proc_pid_statm_read("", snap->self_pid, &statm) ? -1 :
				 statm.resident;
	if (copy_procs(s, snap, prev, o) || copy_slabs(s, snap))
		goto nomem;
	for (int sub = 0; sub < HT_SUBSYS_COUNT; sub++) {
		w.sub = (enum ht_subsys)sub;
		ht_sampler_probe_foreach(s, w.sub, add_rec, &w);
		if (w.err)
			goto nomem;
	}
	return snap;
nomem:
	snap_free(snap);
	errno = ENOMEM;
	return NULL;
}
