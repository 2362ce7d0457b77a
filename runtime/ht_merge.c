/* Baseline merge: /proc baseline + probe deltas, and probe coverage. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_merge.h"

struct figure {
	char *name;
	int have_base;
	int64_t base, base_t;
	int64_t deltas;			/* since the baseline */
	int have_proc;
	int64_t proc, proc_t;		/* the last /proc reading */
	int64_t pending;		/* probe events since then */
	int64_t cov_probe, cov_proc;
	int64_t last_probe, last_procd;
	uint64_t intervals, skipped, late;
	int overflowed;			/* a sum passed INT64_MAX: the absolute
					   and coverage are unknown until the
					   next baseline */
};

struct ht_merge {
	struct figure *figs;
	size_t n, cap;
	size_t *slots;			/* open addressing: index + 1, 0 = empty */
	size_t nslots;			/* a power of two, > 2 n */
};

struct ht_merge *ht_merge_new(void)
{
	return calloc(1, sizeof(struct ht_merge));
}

void ht_merge_free(struct ht_merge *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->figs[i].name);
	free(m->figs);
	free(m->slots);
	free(m);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static size_t find_slot(const struct ht_merge *m, const char *name)
{
	size_t mask = m->nslots - 1, i = hash(name) & mask;

	while (m->slots[i] && strcmp(m->figs[m->slots[i] - 1].name, name))
		i = (i + 1) & mask;
	return i;
}

static struct figure *lookup(const struct ht_merge *m, const char *name)
{
	size_t i;

	if (!m->nslots || !name)
		return NULL;
	i = find_slot(m, name);
	return m->slots[i] ? &m->figs[m->slots[i] - 1] : NULL;
}

static int rehash(struct ht_merge *m, size_t nslots)
{
	size_t *old = m->slots, oldn = m->nslots;

	m->slots = calloc(nslots, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->nslots = nslots;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			m->slots[find_slot(m, m->figs[old[i] - 1].name)] = old[i];
	free(old);
	return 0;
}

/* Finds or creates figure name. NULL on ENOMEM (nothing changed). */
static struct figure *get(struct ht_merge *m, const char *name)
{
	struct figure *f = lookup(m, name);
	char *copy;

	if (f)
		return f;
	if (ht_grow(m->figs, m->cap, m->n + 1))
		return NULL;
	if (2 * (m->n + 1) >= m->nslots &&
	    rehash(m, m->nslots ? 2 * m->nslots : 16))
		return NULL;
	copy = strdup(name);
	if (!copy)
		return NULL;
	f = &m->figs[m->n];
	memset(f, 0, sizeof(*f));
	f->name = copy;
	m->slots[find_slot(m, name)] = ++m->n;
	return f;
}

static void restart(struct figure *f, int64_t value, int64_t t)
{
	char *name = f->name;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->have_base = 1;
	f->base = value;
	f->base_t = t;
	f->have_proc = 1;
	f->proc = value;
	f->proc_t = t;
}

int ht_merge_set_baseline(struct ht_merge *m, const char *name, int64_t value,
			  int64_t t)
{
	struct figure *f;

	if (!m || !name || value < 0)
		return -EINVAL;
	f = get(m, name);
	if (!f)
		return -ENOMEM;
	restart(f, value, t);
	return 0;
}

int ht_merge_add_delta(struct ht_merge *m, const char *name, int64_t delta,
		       int64_t t)
{
	struct figure *f;
	int64_t sum, pend;

	if (!m || !name || delta < 0)
		return -EINVAL;
	f = get(m, name);
	if (!f)
		return -ENOMEM;
	if (f->have_base && t <= f->base_t)
		return -ERANGE;
	if (__builtin_add_overflow(f->deltas, delta, &sum))
		goto overflow;
	if (f->have_proc && t <= f->proc_t) {
		/* its interval is closed: the totals take it, no interval does */
		if (__builtin_add_overflow(f->cov_probe, delta, &pend))
			goto overflow;
		f->cov_probe = pend;
		f->late++;
	} else {
		if (__builtin_add_overflow(f->pending, delta, &pend))
			goto overflow;
		f->pending = pend;
	}
	f->deltas = sum;
	return 0;
overflow:
	/* never an absolute silently short by the delta: unknown instead */
	f->overflowed = 1;
	return -EOVERFLOW;
}

int ht_merge_observe_proc(struct ht_merge *m, const char *name,
			  int64_t absolute, int64_t t)
{
	struct figure *f;

	if (!m || !name || absolute < 0)
		return -EINVAL;
	f = lookup(m, name);
	if (f && f->have_proc && t <= f->proc_t)
		return -EINVAL;
	if (!f && !(f = get(m, name)))
		return -ENOMEM;
	if (!f->have_base) {
		restart(f, absolute, t);
		return 0;
	}
	if (absolute >= f->proc) {
		int64_t d = absolute - f->proc, probe, proc;

		/* the interval counts either way; past INT64_MAX the
		 * totals are unknown, not the interval dropped */
		if (__builtin_add_overflow(f->cov_probe, f->pending, &probe) ||
		    __builtin_add_overflow(f->cov_proc, d, &proc))
			f->overflowed = 1;
		else
			f->cov_probe = probe, f->cov_proc = proc;
		f->last_probe = f->pending;
		f->last_procd = d;
		f->intervals++;
	} else {
		f->skipped++;		/* reset or wrap: no ratio */
	}
	f->proc = absolute;
	f->proc_t = t;
	f->pending = 0;
	return 0;
}

/* The figure's absolute taken from /proc again at (value, t): what the
 * probe counted so far is in value. Coverage totals stay. */
static void reanchor(struct figure *f, int64_t value, int64_t t)
{
	f->base = value;
	f->base_t = t;
	f->deltas = 0;
	f->proc = value;
	f->proc_t = t;
	f->pending = 0;
	f->skipped++;
}

int ht_merge_interval(struct ht_merge *m, const char *name, int64_t probe,
		      int64_t proc, int64_t t)
{
	struct figure *f;
	int err;

	if (!m || !name)
		return -EINVAL;
	f = get(m, name);
	if (!f)
		return -ENOMEM;
	if (proc < 0)
		return probe >= 0 && f->have_base && t > f->base_t ?
			ht_merge_add_delta(m, name, probe, t) : 0;
	if (!f->have_base) {
		restart(f, proc, t);
		return 0;
	}
	if (probe < 0 || t <= f->proc_t) {
		reanchor(f, proc, t);
		return 0;
	}
	err = ht_merge_add_delta(m, name, probe, t);
	if (err && err != -EOVERFLOW)	/* overflow: the interval still counts */
		return err;
	return ht_merge_observe_proc(m, name, proc, t);
}

int ht_merge_absolute(const struct ht_merge *m, const char *name, int64_t *out)
{
	const struct figure *f = m ? lookup(m, name) : NULL;
	int64_t v;

	if (!f)
		return -ENOENT;
	if (!f->have_base)
		return -ENODATA;
	if (f->overflowed || __builtin_add_overflow(f->base, f->deltas, &v))
		return -EOVERFLOW;
	*out = v;
	return 0;
}

static double ratio(int64_t probe, int64_t proc)
{
	return proc > 0 ? (double)probe / (double)proc : NAN;
}

int ht_merge_coverage(const struct ht_merge *m, const char *name,
		      struct ht_merge_coverage *out)
{
	const struct figure *f = m ? lookup(m, name) : NULL;

	if (!f)
		return -ENOENT;
	if (!f->have_base)
		return -ENODATA;
	out->ratio = ratio(f->cov_probe, f->cov_proc);
	out->last_ratio = f->intervals ? ratio(f->last_probe, f->last_procd) : NAN;
	out->probe = f->cov_probe;
	out->proc = f->cov_proc;
	out->intervals = f->intervals;
	out->skipped = f->skipped;
	out->late = f->late;
	out->pending = f->pending;
	out->last_probe = f->intervals ? f->last_probe : 0;
	out->last_proc_delta = f->intervals ? f->last_procd : 0;
	if (f->overflowed) {
		out->ratio = out->last_ratio = NAN;
		out->probe = out->last_probe = -1;
	}
	out->last_proc = f->proc;
	out->last_proc_t = f->proc_t;
	return 0;
}

size_t ht_merge_count(const struct ht_merge *m)
{
	return m ? m->n : 0;
}

const char *ht_merge_name(const struct ht_merge *m, size_t i)
{
	return m && i < m->n ? m->figs[i].name : NULL;
}
