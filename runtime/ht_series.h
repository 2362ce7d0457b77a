/* Series: a bounded in-memory ring of (t, v) samples per figure.
 *
 * t is in seconds as a double, on whatever clock the caller picks (monotonic
 * ns / 1e9, or t_ms / 1e3 of a stream); v is the figure's value. The ring's
 * capacity is set at creation: once full, each push drops the oldest
 * sample, so memory stays at most capacity * sizeof(struct ht_point) plus a
 * header. The buffer starts at 16 samples and doubles as needed, so a short
 * series costs little; if growing fails, the capacity drops to what it has.
 *
 * Samples are kept in time order: a push whose t is below the last one's is
 * refused. Equal timestamps are allowed (trend math copes with them).
 * Non-finite t or v (NAN, inf) are refused: a missing reading is not pushed.
 *
 * Index 0 is the oldest sample held, count-1 the newest.
 */
#ifndef HT_SERIES_H
#define HT_SERIES_H

#include <stddef.h>
#include <stdint.h>

struct ht_point {
	double t;		/* seconds */
	double v;
};

struct ht_series;

/* Returns a new empty series holding at most capacity samples, or NULL
 * when capacity is 0 or memory runs out. Free it with ht_series_free(). */
struct ht_series *ht_series_new(size_t capacity);

/* Frees the series and its samples; accepts NULL. */
void ht_series_free(struct ht_series *s);

/* Appends (t, v), dropping the oldest sample when full. Returns 0, or
 * -EINVAL when t or v is not finite or t is below the newest sample's t;
 * on error the series is unchanged. */
int ht_series_push(struct ht_series *s, double t, double v);

/* Forgets every sample; capacity and the pushed total are kept. */
void ht_series_clear(struct ht_series *s);

size_t ht_series_count(const struct ht_series *s);
size_t ht_series_capacity(const struct ht_series *s);

/* Samples ever pushed (accepted), dropped ones included. */
uint64_t ht_series_pushed(const struct ht_series *s);

/* Copies sample i (0 = oldest) into *out. Returns 0, or -ERANGE when
 * i >= count (then *out is untouched). */
int ht_series_get(const struct ht_series *s, size_t i, struct ht_point *out);

/* The newest sample. Returns 0, or -ENOENT when empty. */
int ht_series_last(const struct ht_series *s, struct ht_point *out);

/* Smallest and largest v held (either pointer may be NULL). O(count).
 * Returns 0, or -ENOENT when empty (outputs untouched). */
int ht_series_minmax(const struct ht_series *s, double *min, double *max);

/* Copies, oldest first, the samples with t >= since into out (caller's
 * array of max points). When more than max qualify, the newest max are
 * copied. Returns the number copied. Use -INFINITY for "all". */
size_t ht_series_copy(const struct ht_series *s, double since,
		      struct ht_point *out, size_t max);

/* One bucket of a downsampled view. */
struct ht_bucket {
	double t0, t1;		/* the bucket's time span [t0, t1) (last: [t0, t1]) */
	size_t n;		/* samples in it; 0 = empty, then the rest is NAN */
	double min, max, mean;
	double last;		/* the newest sample's v in the bucket */
};

/* Cuts [t0, t1] into nbuckets equal spans and summarises the samples in
 * each into out[0..nbuckets-1] (caller's array). Samples outside [t0, t1]
 * are ignored. Returns 0, or -EINVAL when nbuckets is 0 or t1 < t0 or
 * either is not finite. With t0 == t1 there is one point span: every
 * sample at that t goes to bucket 0. */
int ht_series_downsample(const struct ht_series *s, double t0, double t1,
			 struct ht_bucket *out, size_t nbuckets);

#endif
