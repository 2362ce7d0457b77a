/* ht_restarts: see ht_restarts.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_restarts.h"

void ht_restarts_init(struct ht_restarts *r)
{
	memset(r, 0, sizeof(*r));
}

void ht_restarts_free(struct ht_restarts *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].key);
	free(r->v);
	ht_restarts_init(r);
}

int ht_restarts_add(struct ht_restarts *r, const char *key, const char *comm,
		    const struct ht_restart_life *life)
{
	struct ht_restart_entry *e;

	if (!key || !*key)
		return 0;
	if (ht_grow(r->v, r->cap, r->n + 1))
		return -ENOMEM;
	e = &r->v[r->n];
	if (!(e->key = strdup(key)))
		return -ENOMEM;
	snprintf(e->comm, sizeof(e->comm), "%s", comm ? comm : "");
	e->life = *life;
	r->n++;
	return 0;
}

static int by_key_then_start(const void *a, const void *b)
{
	const struct ht_restart_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->life.first_ms < y->life.first_ms ? -1 : x->life.first_ms > y->life.first_ms;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Judges the lives g[0..n-1] of one command (by start); 1 when a loop. */
static int judge_group(const struct ht_restart_entry *g, size_t n, int64_t gap_ms,
		       struct ht_restart_loop *lp)
{
	double rates[n];
	size_t nr = 0;
	int64_t prev_peak = -1;

	memset(lp, 0, sizeof(*lp));
	lp->peak_min = INT64_MAX;
	lp->regrows = lp->grows_across = 1;
	for (size_t i = 0; i < n; i++) {
		const struct ht_restart_life *l = &g[i].life;

		if (i && l->first_ms + gap_ms < g[i - 1].life.last_ms)
			return 0;	/* two at once: workers, not restarts */
		if (!l->ended || (i == n - 1 && !l->grew))
			continue;	/* alive, or cut short by the window's end */
		if (!l->grew)
			return 0;
		lp->died++;
		if (l->peak < lp->peak_min)
			lp->peak_min = l->peak;
		if (l->peak > lp->peak_max)
			lp->peak_max = l->peak;
		if (prev_peak >= 0 && !(l->peak > prev_peak))
			lp->grows_across = 0;
		prev_peak = l->peak;
		if (isfinite(l->rate))
			rates[nr++] = l->rate;
	}
	if (n < 3 || lp->died < 2 || !nr)
		return 0;
	lp->regrows = lp->peak_max <= 1.25 * (double)lp->peak_min;
	if (!lp->regrows && !lp->grows_across)
		return 0;
	qsort(rates, nr, sizeof(rates[0]), by_double);
	lp->rate = nr % 2 ? rates[nr / 2] : (rates[nr / 2 - 1] + rates[nr / 2]) / 2;
	lp->cmdline = g[0].key;
	lp->comm = g[n - 1].comm;
	lp->lives = n;
	lp->first_ms = g[0].life.first_ms;
	lp->last_ms = g[n - 1].life.last_ms;
	lp->current = g[n - 1].life.last_rss;
	lp->last_pid = g[n - 1].life.pid;
	return 1;
}

int ht_restarts_find(struct ht_restarts *r, int64_t gap_ms, struct ht_restart_loop **out,
		     size_t *n)
{
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (r->n)
		qsort(r->v, r->n, sizeof(r->v[0]), by_key_then_start);
	for (size_t i = 0, j; i < r->n; i = j) {
		struct ht_restart_loop lp;

		for (j = i + 1; j < r->n && !strcmp(r->v[j].key, r->v[i].key); j++)
			;
		if (!judge_group(&r->v[i], j - i, gap_ms, &lp))
			continue;
		if (ht_grow(*out, cap, *n + 1))
			return -ENOMEM;
		(*out)[(*n)++] = lp;
	}
	return 0;
}
