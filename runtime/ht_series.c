/* Series: a bounded ring of (t, v) samples. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "ht_series.h"

/* The buffer starts small and doubles up to the capacity: a sampler holds a
 * ring per process, and most processes are short-lived or never need the
 * full history. Until the ring is full, head is 0 and the samples are
 * contiguous, so growing is a plain realloc. */
#define INITIAL_ALLOC 16

struct ht_series {
	size_t cap;		/* most samples held (lowered if growing fails) */
	size_t alloc;		/* samples the buffer holds now, <= cap */
	size_t head;		/* index of the oldest sample */
	size_t count;
	uint64_t pushed;
	struct ht_point *pts;
};

struct ht_series *ht_series_new(size_t capacity)
{
	struct ht_series *s;

	if (capacity == 0 || capacity > SIZE_MAX / sizeof(struct ht_point))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->alloc = capacity < INITIAL_ALLOC ? capacity : INITIAL_ALLOC;
	s->pts = malloc(s->alloc * sizeof(*s->pts));
	if (!s->pts) {
		free(s);
		return NULL;
	}
	s->cap = capacity;
	return s;
}

void ht_series_free(struct ht_series *s)
{
	if (!s)
		return;
	free(s->pts);
	free(s);
}

static const struct ht_point *at(const struct ht_series *s, size_t i)
{
	size_t k = s->head + i;

	if (k >= s->alloc)
		k -= s->alloc;
	return &s->pts[k];
}

/* Doubles the buffer (head is 0 while it is not full). When memory runs
 * out, the ring keeps the size it has: cap drops to alloc. */
static void grow(struct ht_series *s)
{
	size_t n = s->alloc * 2 < s->cap ? s->alloc * 2 : s->cap;
	struct ht_point *p = realloc(s->pts, n * sizeof(*p));

	if (!p) {
		s->cap = s->alloc;
		return;
	}
	s->pts = p;
	s->alloc = n;
}

int ht_series_push(struct ht_series *s, double t, double v)
{
	struct ht_point *slot;

	if (!isfinite(t) || !isfinite(v))
		return -EINVAL;
	if (s->count && t < at(s, s->count - 1)->t)
		return -EINVAL;
	if (s->count == s->alloc && s->alloc < s->cap)
		grow(s);
	if (s->count == s->alloc) {
		slot = &s->pts[s->head];
		s->head = s->head + 1 == s->alloc ? 0 : s->head + 1;
	} else {
		slot = (struct ht_point *)at(s, s->count);
		s->count++;
	}
	slot->t = t;
	slot->v = v;
	s->pushed++;
	return 0;
}

void ht_series_clear(struct ht_series *s)
{
	s->head = 0;
	s->count = 0;
}

size_t ht_series_count(const struct ht_series *s)
{
	return s->count;
}

size_t ht_series_capacity(const struct ht_series *s)
{
	return s->cap;
}

uint64_t ht_series_pushed(const struct ht_series *s)
{
	return s->pushed;
}

int ht_series_get(const struct ht_series *s, size_t i, struct ht_point *out)
{
	if (i >= s->count)
		return -ERANGE;
	*out = *at(s, i);
	return 0;
}

int ht_series_last(const struct ht_series *s, struct ht_point *out)
{
	if (!s->count)
		return -ENOENT;
	*out = *at(s, s->count - 1);
	return 0;
}

int ht_series_minmax(const struct ht_series *s, double *min, double *max)
{
	double lo, hi;

	if (!s->count)
		return -ENOENT;
	lo = hi = at(s, 0)->v;
	for (size_t i = 1; i < s->count; i++) {
		double v = at(s, i)->v;
		if (v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	if (min)
		*min = lo;
	if (max)
		*max = hi;
	return 0;
}

/* Index of the first sample with t >= since (count when none): samples are
 * in time order, so a binary search. */
static size_t lower_bound(const struct ht_series *s, double since)
{
	size_t lo = 0, hi = s->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (at(s, mid)->t < since)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t ht_series_copy(const struct ht_series *s, double since,
		      struct ht_point *out, size_t max)
{
	size_t first = isnan(since) ? 0 : lower_bound(s, since);
	size_t n = s->count - first;

	if (n > max) {
		first += n - max;
		n = max;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = *at(s, first + i);
	return n;
}

int ht_series_downsample(const struct ht_series *s, double t0, double t1,
			 struct ht_bucket *out, size_t nbuckets)
{
	double width;

	if (nbuckets == 0 || !isfinite(t0) || !isfinite(t1) || t1 < t0)
		return -EINVAL;
	width = (t1 - t0) / (double)nbuckets;
	for (size_t b = 0; b < nbuckets; b++) {
		out[b].t0 = t0 + width * (double)b;
		out[b].t1 = b + 1 == nbuckets ? t1 : t0 + width * (double)(b + 1);
		out[b].n = 0;
		out[b].min = out[b].max = out[b].mean = out[b].last = NAN;
	}
	for (size_t i = lower_bound(s, t0); i < s->count; i++) {
		const struct ht_point *p = at(s, i);
		struct ht_bucket *bk;
		size_t b;

		if (p->t > t1)
			break;
		b = width > 0 ? (size_t)((p->t - t0) / width) : 0;
		if (b >= nbuckets)
			b = nbuckets - 1;
		bk = &out[b];
		if (bk->n == 0) {
			bk->min = bk->max = bk->mean = p->v;
		} else {
			if (p->v < bk->min)
				bk->min = p->v;
			if (p->v > bk->max)
				bk->max = p->v;
			bk->mean += (p->v - bk->mean) / (double)(bk->n + 1);
		}
		bk->last = p->v;
		bk->n++;
	}
	return 0;
}
