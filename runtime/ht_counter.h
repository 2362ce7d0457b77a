/* Counters into deltas and rates over CLOCK_MONOTONIC intervals. */
#ifndef HT_COUNTER_H
#define HT_COUNTER_H

#include <stdint.h>

/* Monotonic time in ns; a test may swap the clock with ht_clock_set(). */
int64_t ht_now_ns(void);
/* Wall-clock time in ms since the epoch: for labels only. */
int64_t ht_wall_ms(void);
/* Replaces the monotonic clock (NULL restores the real one). */
void ht_clock_set(int64_t (*fn)(void));

struct ht_counter {
	int64_t prev;			/* -1 until the first sample */
	int64_t prev_ns;
	int64_t delta;			/* -1 when there is no valid delta */
	double rate;			/* per second; NAN when none */
};

void ht_counter_init(struct ht_counter *c);

/* Takes a new reading at now_ns. A reading < 0 (missing), the first reading,
 * or one below the previous (reset or wrap) gives delta -1 and rate NAN. */
void ht_counter_update(struct ht_counter *c, int64_t value, int64_t now_ns);

/* Adds v to a running total. A total that would pass INT64_MAX, or a v
 * below 0 (unknown), makes it unknown (-1) for good: never a wrapped
 * number. */
static inline void ht_total_add(int64_t *total, int64_t v)
{
	if (*total >= 0 && (v < 0 || __builtin_add_overflow(*total, v, total)))
		*total = -1;
}

#endif
