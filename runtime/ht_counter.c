#include <math.h>
#include <time.h>
#include "ht_counter.h"

static int64_t real_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t (*now_fn)(void) = real_now_ns;

int64_t ht_now_ns(void)
{
	return now_fn();
}

void ht_clock_set(int64_t (*fn)(void))
{
	now_fn = fn ? fn : real_now_ns;
}

int64_t ht_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ht_counter_init(struct ht_counter *c)
{
	c->prev = -1;
	c->prev_ns = 0;
	c->delta = -1;
	c->rate = NAN;
}

void ht_counter_update(struct ht_counter *c, int64_t value, int64_t now_ns)
{
	int valid = c->prev >= 0 && value >= c->prev && now_ns > c->prev_ns;

	c->delta = valid ? value - c->prev : -1;
	c->rate = valid ? (double)c->delta * 1e9 / (double)(now_ns - c->prev_ns) : NAN;
	c->prev = value;
	c->prev_ns = now_ns;
}
