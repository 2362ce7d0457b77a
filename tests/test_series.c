/* Series: ring bounds, order, access, min/max, copy, downsampling. */
#include <errno.h>
#include <stdlib.h>
#include "ht_series.h"
#include "ht_test.h"

static void test_new_free(void)
{
	CHECK(ht_series_new(0) == NULL);
	ht_series_free(NULL);		/* accepted */
}

static void test_ring(void)
{
	struct ht_series *s = ht_series_new(4);
	struct ht_point pt;
	double lo, hi;

	CHECK(s != NULL);
	CHECK_INT(ht_series_count(s), 0);
	CHECK_INT(ht_series_capacity(s), 4);
	CHECK_INT(ht_series_last(s, &pt), -ENOENT);
	CHECK_INT(ht_series_minmax(s, &lo, &hi), -ENOENT);
	CHECK_INT(ht_series_get(s, 0, &pt), -ERANGE);

	for (int i = 0; i < 3; i++)
		CHECK_INT(ht_series_push(s, i, 10 * i), 0);
	CHECK_INT(ht_series_count(s), 3);
	CHECK_INT(ht_series_get(s, 0, &pt), 0);
	CHECK_NEAR(pt.t, 0, 0);
	CHECK_NEAR(pt.v, 0, 0);
	CHECK_INT(ht_series_get(s, 2, &pt), 0);
	CHECK_NEAR(pt.v, 20, 0);

	/* wraps: 7 pushes into 4 slots keep t = 3..6 */
	for (int i = 3; i < 7; i++)
		CHECK_INT(ht_series_push(s, i, 10 * i), 0);
	CHECK_INT(ht_series_count(s), 4);
	CHECK_INT(ht_series_pushed(s), 7);
	for (size_t i = 0; i < 4; i++) {
		CHECK_INT(ht_series_get(s, i, &pt), 0);
		CHECK_NEAR(pt.t, 3 + (double)i, 0);
		CHECK_NEAR(pt.v, 30 + 10 * (double)i, 0);
	}
	CHECK_INT(ht_series_get(s, 4, &pt), -ERANGE);
	CHECK_INT(ht_series_last(s, &pt), 0);
	CHECK_NEAR(pt.t, 6, 0);
	CHECK_NEAR(pt.v, 60, 0);
	CHECK_INT(ht_series_minmax(s, &lo, &hi), 0);
	CHECK_NEAR(lo, 30, 0);
	CHECK_NEAR(hi, 60, 0);
	CHECK_INT(ht_series_minmax(s, NULL, &hi), 0);

	/* refused: time going back, NAN, inf; the series is unchanged */
	CHECK_INT(ht_series_push(s, 5.5, 1), -EINVAL);
	CHECK_INT(ht_series_push(s, 7, NAN), -EINVAL);
	CHECK_INT(ht_series_push(s, NAN, 1), -EINVAL);
	CHECK_INT(ht_series_push(s, INFINITY, 1), -EINVAL);
	CHECK_INT(ht_series_count(s), 4);
	CHECK_INT(ht_series_pushed(s), 7);
	CHECK_INT(ht_series_last(s, &pt), 0);
	CHECK_NEAR(pt.t, 6, 0);

	/* equal timestamps are kept */
	CHECK_INT(ht_series_push(s, 6, -5), 0);
	CHECK_INT(ht_series_minmax(s, &lo, &hi), 0);
	CHECK_NEAR(lo, -5, 0);
	CHECK_NEAR(hi, 60, 0);

	ht_series_clear(s);
	CHECK_INT(ht_series_count(s), 0);
	CHECK_INT(ht_series_pushed(s), 8);
	CHECK_INT(ht_series_push(s, 1, 1), 0);	/* any t after a clear */
	CHECK_INT(ht_series_count(s), 1);
	ht_series_free(s);
}

static void test_copy(void)
{
	struct ht_series *s = ht_series_new(10);
	struct ht_point out[10];
	size_t n;

	for (int i = 0; i < 15; i++)
		ht_series_push(s, i * 2.0, i);	/* holds t = 10..28 */
	n = ht_series_copy(s, -INFINITY, out, 10);
	CHECK_INT(n, 10);
	CHECK_NEAR(out[0].t, 10, 0);
	CHECK_NEAR(out[9].t, 28, 0);
	n = ht_series_copy(s, 23, out, 10);	/* t >= 23: 24, 26, 28 */
	CHECK_INT(n, 3);
	CHECK_NEAR(out[0].t, 24, 0);
	CHECK_NEAR(out[2].v, 14, 0);
	n = ht_series_copy(s, -INFINITY, out, 4);	/* newest 4 */
	CHECK_INT(n, 4);
	CHECK_NEAR(out[0].t, 22, 0);
	CHECK_NEAR(out[3].t, 28, 0);
	n = ht_series_copy(s, 100, out, 10);
	CHECK_INT(n, 0);
	ht_series_free(s);
}

static void test_downsample(void)
{
	struct ht_series *s = ht_series_new(100);
	struct ht_bucket b[4];

	/* t = 0..9, v = t; buckets of 2.5 s over [0, 10] */
	for (int i = 0; i < 10; i++)
		ht_series_push(s, i, i);
	CHECK_INT(ht_series_downsample(s, 0, 10, b, 4), 0);
	CHECK_INT(b[0].n, 3);		/* 0 1 2 */
	CHECK_NEAR(b[0].min, 0, 0);
	CHECK_NEAR(b[0].max, 2, 0);
	CHECK_NEAR(b[0].mean, 1, 1e-12);
	CHECK_NEAR(b[0].last, 2, 0);
	CHECK_INT(b[1].n, 2);		/* 3 4 */
	CHECK_NEAR(b[1].mean, 3.5, 1e-12);
	CHECK_INT(b[2].n, 3);		/* 5 6 7 */
	CHECK_INT(b[3].n, 2);		/* 8 9 */
	CHECK_NEAR(b[3].t1, 10, 0);
	CHECK_NEAR(b[3].max, 9, 0);

	/* a window with an empty bucket; samples outside are ignored */
	CHECK_INT(ht_series_downsample(s, 2, 4, b, 4), 0);
	CHECK_INT(b[0].n, 1);		/* [2, 2.5) */
	CHECK_INT(b[1].n, 0);		/* [2.5, 3) */
	CHECK(isnan(b[1].mean));
	CHECK_INT(b[2].n, 1);		/* [3, 3.5) */
	CHECK_INT(b[3].n, 1);		/* [3.5, 4]: 4 */
	CHECK_NEAR(b[3].last, 4, 0);

	/* one point span */
	CHECK_INT(ht_series_downsample(s, 5, 5, b, 2), 0);
	CHECK_INT(b[0].n, 1);
	CHECK_INT(b[1].n, 0);

	CHECK_INT(ht_series_downsample(s, 0, 10, b, 0), -EINVAL);
	CHECK_INT(ht_series_downsample(s, 10, 0, b, 4), -EINVAL);
	CHECK_INT(ht_series_downsample(s, NAN, 0, b, 4), -EINVAL);
	ht_series_free(s);
}

/* Memory stays bounded over a long run: a million pushes into a ring of
 * 1000 keep exactly the last 1000. */
static void test_long_run(void)
{
	struct ht_series *s = ht_series_new(1000);
	struct ht_point pt;

	for (int i = 0; i < 1000000; i++)
		ht_series_push(s, i * 0.5, 1e15 + i);
	CHECK_INT(ht_series_count(s), 1000);
	CHECK_INT(ht_series_get(s, 0, &pt), 0);
	CHECK_NEAR(pt.t, 999000 * 0.5, 0);
	CHECK_NEAR(pt.v, 1e15 + 999000, 0);
	ht_series_free(s);
}

int main(void)
{
	test_new_free();
	test_ring();
	test_copy();
	test_downsample();
	test_long_run();
	return ht_test_done("test_series");
}
