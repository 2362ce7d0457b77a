/* Trend math on synthetic series with known answers. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "ht_trend.h"
#include "ht_test.h"

/* ---- a deterministic generator: splitmix64, Box-Muller ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s;
}

static double uniform(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;	/* (0, 1) */
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* Irregular timestamps: gaps of 0.5 to 1.5 s. */
static void irregular_t(struct ht_point *p, size_t n, double t0)
{
	double t = t0;

	for (size_t i = 0; i < n; i++) {
		p[i].t = t;
		t += 0.5 + uniform();
	}
}

/* ---- distributions against table values ---- */

static void test_distributions(void)
{
	/* Student t two-sided 95% (p = 0.975) and others, from the tables */
	CHECK_NEAR(ht_student_t_quantile(0.975, 1), 12.706204736, 1e-7);
	CHECK_NEAR(ht_student_t_quantile(0.975, 2), 4.302652730, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.975, 3), 3.182446305, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.975, 5), 2.570581836, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.975, 10), 2.228138852, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.975, 30), 2.042272456, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.975, 100), 1.983971519, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.995, 3), 5.840909309, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.95, 4), 2.131846786, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.9995, 7), 5.407882521, 1e-7);
	CHECK_NEAR(ht_student_t_quantile(0.025, 10), -2.228138852, 1e-8);
	CHECK_NEAR(ht_student_t_quantile(0.5, 10), 0, 0);
	CHECK_NEAR(ht_student_t_quantile(0.975, 1e7), 1.959963985, 1e-6);
	/* non-integer df: against Simpson's rule on the density, bisected */
	CHECK_NEAR(ht_student_t_quantile(0.975, 2.5), 3.5746548, 1e-6);
	CHECK(isnan(ht_student_t_quantile(1, 10)));
	CHECK(isnan(ht_student_t_quantile(0.5, 0)));

	/* df = 3 has a closed form: 1/2 + (x/(sqrt3 (1 + x^2/3)) + atan(x/sqrt3))/pi */
	for (double x = -4; x <= 4; x += 0.5) {
		double want = 0.5 + (x / (sqrt(3) * (1 + x * x / 3)) + atan(x / sqrt(3))) / M_PI;
		CHECK_NEAR(ht_student_t_cdf(x, 3), want, 1e-12);
	}
	CHECK_NEAR(ht_student_t_cdf(ht_student_t_quantile(0.9, 17), 17), 0.9, 1e-12);

	CHECK_NEAR(ht_normal_quantile(0.975), 1.959963984540, 1e-11);
	CHECK_NEAR(ht_normal_quantile(0.999), 3.090232306168, 1e-10);
	CHECK_NEAR(ht_normal_quantile(1e-10), -6.361340902404, 1e-8);
	CHECK_NEAR(ht_normal_cdf(1.959963984540), 0.975, 1e-12);
	CHECK(isnan(ht_normal_quantile(0)));

	/* I_0.4(2, 3) = sum_{j=2..4} C(4,j) 0.4^j 0.6^(4-j) = 0.5248 */
	CHECK_NEAR(ht_incbeta(2, 3, 0.4), 0.5248, 1e-13);
	CHECK_NEAR(ht_incbeta(0.5, 0.5, 0.5), 0.5, 1e-13);
	CHECK_NEAR(ht_incbeta(2, 3, 0), 0, 0);
	CHECK_NEAR(ht_incbeta(2, 3, 1), 1, 0);
	CHECK(isnan(ht_incbeta(0, 3, 0.5)));
}

/* ---- least squares ---- */

static void test_ols_exact(void)
{
	struct ht_point p[] = { { 0, 3 }, { 1, 5 }, { 3, 9 }, { 3.5, 10 }, { 10, 23 } };
	struct ht_fit f;

	CHECK_INT(ht_trend_ols(p, 5, 0.95, &f), 0);
	CHECK_INT(f.n, 5);
	CHECK_NEAR(f.slope, 2, 1e-12);
	CHECK_NEAR(f.intercept, 3, 1e-12);
	CHECK_NEAR(ht_fit_predict(&f, 20), 43, 1e-10);
	CHECK_NEAR(f.r2, 1, 1e-12);
	CHECK_NEAR(f.se, 0, 1e-12);
	CHECK_NEAR(f.lo, 2, 1e-12);
	CHECK_NEAR(f.hi, 2, 1e-12);

	/* a textbook case: x = 1..5, y = 2, 4, 5, 4, 5: b = 0.6, a = 2.2,
	 * SSE = 2.4, se = sqrt(0.8 / 10), R^2 = 0.6, rho1 = -0.36 / 2.4 (so no
	 * inflation), CI = 0.6 -+ 3.182446 * 0.282843 */
	struct ht_point q[] = { { 1, 2 }, { 2, 4 }, { 3, 5 }, { 4, 4 }, { 5, 5 } };
	CHECK_INT(ht_trend_ols(q, 5, 0.95, &f), 0);
	CHECK_NEAR(f.slope, 0.6, 1e-12);
	CHECK_NEAR(f.intercept, 2.2, 1e-12);
	CHECK_NEAR(f.r2, 0.6, 1e-12);
	CHECK_NEAR(f.se, sqrt(0.08), 1e-12);
	CHECK_NEAR(f.resid_sd, sqrt(0.8), 1e-12);
	CHECK_NEAR(f.rho1, -0.15, 1e-12);
	CHECK_NEAR(f.n_eff, 5, 0);
	CHECK_NEAR(f.df, 3, 0);
	CHECK_NEAR(f.lo, 0.6 - 3.182446305 * sqrt(0.08), 1e-8);
	CHECK_NEAR(f.hi, 0.6 + 3.182446305 * sqrt(0.08), 1e-8);
	CHECK_INT(ht_trend_ols(q, 5, 1.5, &f), -EINVAL);
}

/* Linear plus noise: slope inside its CI, R^2 near 1, MK p < 0.01; and the
 * CI covers the true slope about 95% of the time over many draws. */
static void test_linear_noise(void)
{
	enum { N = 300, REPS = 400 };
	struct ht_point p[N];
	struct ht_fit f;
	struct ht_robust r;
	struct ht_mk mk;
	int covered = 0;

	rng_seed(1);
	irregular_t(p, N, 1000);
	for (size_t i = 0; i < N; i++)
		p[i].v = 2e9 + 5000 * (p[i].t - 1000) + 2e4 * gauss();
	CHECK_INT(ht_trend_ols(p, N, 0.95, &f), 0);
	CHECK(f.lo <= 5000 && 5000 <= f.hi);
	CHECK_NEAR(f.slope, 5000, 4 * f.se);
	CHECK(f.r2 > 0.99);
	CHECK(fabs(f.rho1) < 0.2);
	CHECK_INT(ht_trend_theil_sen(p, N, 0.95, (size_t)N * N, &r), 0);	/* every pair */
	CHECK(!r.sampled);
	CHECK_INT(r.pairs, N * (N - 1) / 2);
	CHECK(r.lo <= 5000 && 5000 <= r.hi);
	CHECK_NEAR(r.slope, 5000, 0.02 * 5000);
	/* the default bound samples 2^15 of the 44850 pairs: close to all */
	{
		struct ht_robust rs;

		CHECK_INT(ht_trend_theil_sen(p, N, 0.95, 0, &rs), 0);
		CHECK_INT(rs.sampled, 1);
		CHECK_INT(rs.pairs, HT_TREND_MAX_PAIRS);
		CHECK_NEAR(rs.slope, r.slope, 0.005 * r.slope);
		CHECK_NEAR(rs.lo, r.lo, 0.01 * r.slope);
		CHECK_NEAR(rs.hi, r.hi, 0.01 * r.slope);
	}
	CHECK_INT(ht_trend_mann_kendall(p, N, &mk), 0);
	CHECK(mk.p < 0.01);
	CHECK(mk.s > 0);
	CHECK(mk.tau > 0.8);

	for (int k = 0; k < REPS; k++) {
		irregular_t(p, 40, 0);
		for (size_t i = 0; i < 40; i++)
			p[i].v = 100 + 3 * p[i].t + 10 * gauss();
		ht_trend_ols(p, 40, 0.95, &f);
		covered += f.lo <= 3 && 3 <= f.hi;
	}
	/* 95% nominal; the AR(1) correction may only widen */
	CHECK(covered >= 0.92 * REPS && covered <= 0.99 * REPS);
	printf("CI coverage over %d draws: %.3f\n", REPS, (double)covered / REPS);
}

static void test_flat(void)
{
	enum { N = 200 };
	struct ht_point p[N];
	struct ht_trend tr;

	rng_seed(2);
	irregular_t(p, N, 0);
	for (size_t i = 0; i < N; i++)
		p[i].v = 5e8 + 1e5 * gauss();
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK(tr.ols.lo <= 0 && 0 <= tr.ols.hi);
	CHECK(fabs(tr.ols.slope) < 3 * tr.ols.se);
	CHECK(tr.mk.p > 0.05);
	CHECK(tr.ts.lo <= 0 && 0 <= tr.ts.hi);
	CHECK_INT(tr.nsteps, 0);
	CHECK_INT(tr.steps_excluded, 0);
	CHECK(tr.ols.r2 < 0.05);
}

/* A one-off allocation: a big upward step in flat noise. */
static void test_step(void)
{
	enum { N = 150 };
	struct ht_point p[N];
	struct ht_step st[4];
	struct ht_fit f;
	struct ht_trend tr;
	size_t ns;

	rng_seed(3);
	irregular_t(p, N, 0);
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 1e4 * gauss() + (i >= 60 ? 5e7 : 0);
	CHECK_INT(ht_trend_steps(p, N, 0, 0, st, 4, &ns), 0);
	CHECK_INT(ns, 1);
	CHECK_INT(st[0].index, 60);
	CHECK_NEAR(st[0].t, p[60].t, 0);
	CHECK_NEAR(st[0].size, 5e7, 5e4);

	/* the plain slope sees a "leak"; with the step removed it is gone */
	CHECK_INT(ht_trend_ols(p, N, 0.95, &f), 0);
	CHECK(f.lo > 0);
	CHECK_INT(ht_trend_ols_segmented(p, N, st, 1, 0.95, &f), 0);
	CHECK(f.lo <= 0 && 0 <= f.hi);
	CHECK(fabs(f.slope) < 200);
	CHECK_NEAR(f.df, N - 3, 0);
	CHECK_NEAR(f.v_mean, 1.5e8, 5e3);	/* the last segment's level */

	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 1);
	CHECK_INT(tr.steps_excluded, 1);
	CHECK_INT(tr.mode, HT_TREND_STEPS);
	CHECK(tr.rate.lo <= 0 && 0 <= tr.rate.hi);
	CHECK(tr.mk.p > 0.05);
	CHECK(tr.recent.lo <= 0 && 0 <= tr.recent.hi);

	/* a step on top of a real leak: the rate is the leak's */
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 2e4 * p[i].t + 1e4 * gauss() + (i >= 90 ? 3e7 : 0);
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 1);
	CHECK_INT(tr.steps[0].index, 90);
	CHECK_NEAR(tr.steps[0].size, 3e7, 1e5);
	CHECK_INT(tr.steps_excluded, 1);
	CHECK_NEAR(tr.rate.slope, 2e4, 0.01 * 2e4);
	CHECK(tr.rate.lo <= 2e4 && 2e4 <= tr.rate.hi);
	CHECK(tr.ols.slope > 1.2 * 2e4);	/* what the step does to a plain fit */
	CHECK(tr.mk.p < 0.01);

	/* an allocation seen over two samples is one step */
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 1e4 * gauss() + (i == 70 ? 2e7 : i > 70 ? 5e7 : 0);
	CHECK_INT(ht_trend_steps(p, N, 0, 0, st, 4, &ns), 0);
	CHECK_INT(ns, 1);
	CHECK_INT(st[0].index, 70);
	CHECK_NEAR(st[0].size, 5e7, 5e4);

	/* two one-off allocations: both taken out, no rate left */
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 1e4 * gauss() + (i >= 40 ? 2e7 : 0) + (i >= 110 ? 3e7 : 0);
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 2);
	CHECK_INT(tr.steps[0].index, 40);
	CHECK_INT(tr.steps[1].index, 110);
	CHECK_INT(tr.mode, HT_TREND_STEPS);
	CHECK(tr.rate.lo <= 0 && 0 <= tr.rate.hi);

	/* a staircase, growing 5 MB every 15 samples: more steps than
	 * max_steps is a rate, not one-off allocations */
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 1e4 * gauss() + 5e6 * (double)(i / 15);
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 9);
	CHECK_INT(tr.mode, HT_TREND_PLAIN);
	CHECK(tr.rate.lo > 0);
	CHECK_NEAR(tr.rate.slope, 5e6 / (15 * (p[N - 1].t - p[0].t) / (N - 1)), 0.1 * 5e6 / 15);
	CHECK(tr.mk.p < 1e-6);

	/* a leak with transient spikes (a 40 MB buffer freed a sample or two
	 * later): spikes are not steps, the rate is the leak's */
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 2e4 * p[i].t + 1e4 * gauss() +
			 (i == 30 || i == 80 || i == 81 || i == 120 ? 4e7 : 0);
	CHECK_INT(ht_trend_steps(p, N, 0, 0, st, 4, &ns), 0);
	CHECK_INT(ns, 0);
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.mode, HT_TREND_PLAIN);
	CHECK_NEAR(tr.ts.slope, 2e4, 0.01 * 2e4);
	CHECK(tr.ts.lo > 0);	/* OLS is thrown by the spikes; Theil-Sen and MK are not */
	CHECK(tr.mk.p < 0.01);

	/* min_size: a 1 MB jump is not a step when the caller says 10 MB */
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e8 + 1e3 * gauss() + (i >= 60 ? 1e6 : 0);
	CHECK_INT(ht_trend_steps(p, N, 0, 0, st, 4, &ns), 0);
	CHECK_INT(ns, 1);
	CHECK_INT(ht_trend_steps(p, N, 0, 1e7, st, 4, &ns), 0);
	CHECK_INT(ns, 0);
	CHECK_INT(ht_trend_steps(p, 3, 0, 0, st, 4, &ns), -ENODATA);
}

/* GC-like sawtooth: climbs 1 MB/s for 60 s, drops back; no long-term trend.
 * The drops are steps but are not removed (that would make a climb): the
 * rate is the troughs'. And a leaking sawtooth, whose floor rises. */
static void test_sawtooth(void)
{
	enum { N = 330 };
	struct ht_point p[N];
	struct ht_trend tr;

	rng_seed(4);
	for (size_t i = 0; i < N; i++) {
		p[i].t = (double)i;
		p[i].v = 3e8 + 1e6 * (double)(i % 60) + 2e4 * gauss();
	}
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	printf("sawtooth: ols %g [%g, %g] rho1 %.3f; rate %g [%g, %g] over %zu troughs; mk p %.3g\n",
	       tr.ols.slope, tr.ols.lo, tr.ols.hi, tr.ols.rho1, tr.rate.slope,
	       tr.rate.lo, tr.rate.hi, tr.ntroughs, tr.mk.p);
	CHECK_INT(tr.nsteps, 5);
	CHECK_INT(tr.steps[0].index, 60);
	CHECK_NEAR(tr.steps[0].size, -60e6, 2e5);
	CHECK_INT(tr.mode, HT_TREND_CYCLES);
	CHECK_INT(tr.steps_excluded, 0);
	CHECK_INT(tr.ntroughs, 6);
	CHECK_INT(tr.rate.n, 6);
	CHECK(tr.rate.lo <= 0 && 0 <= tr.rate.hi);
	CHECK(fabs(tr.rate.slope) < 1e-3 * 1e6);
	CHECK(tr.mk.p > 0.05);
	/* the plain fit over 5.5 cycles would see a climb */
	CHECK(tr.ols.slope > 5e3);
	CHECK(tr.ols.rho1 > 0.8);

	/* two drops in view */
	CHECK_INT(ht_trend_analyze(p, 150, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 2);
	CHECK_INT(tr.mode, HT_TREND_CYCLES);
	CHECK_INT(tr.ntroughs, 3);
	CHECK(fabs(tr.rate.slope) < 1e-3 * 1e6);

	/* a leaking JVM: the floor rises 20 kB/s under the sawtooth */
	for (size_t i = 0; i < N; i++)
		p[i].v = 3e8 + 2e4 * (double)i + 1e6 * (double)(i % 60) + 2e4 * gauss();
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.mode, HT_TREND_CYCLES);
	CHECK_NEAR(tr.rate.slope, 2e4, 0.05 * 2e4);
	CHECK(tr.rate.lo > 0);
	CHECK(tr.mk.s == 15 && tr.mk.exact);
	CHECK_NEAR(tr.mk.p, 2.0 / 720, 1e-12);
}

static void test_exponential(void)
{
	enum { N = 300 };
	struct ht_point p[N];
	struct ht_trend tr;

	for (size_t i = 0; i < N; i++) {
		p[i].t = (double)i;
		p[i].v = 1e6 * exp((double)i / 100);
	}
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 0);
	CHECK(tr.ols.slope > 0);
	CHECK(tr.ols.r2 > 0.7 && tr.ols.r2 < 0.95);
	CHECK(tr.mk.s == N * (N - 1) / 2);
	CHECK(tr.mk.p < 1e-6);
	/* the recent window, t = 225..299, is steeper: its mean slope is
	 * 1e6 (e^2.99 - e^2.25) / 74 = 1.405e5 */
	CHECK(tr.recent.slope > 2 * tr.ols.slope);
	CHECK_NEAR(tr.recent.slope, 1.405e5, 0.02 * 1.405e5);
	CHECK_INT(tr.mode, HT_TREND_PLAIN);
	CHECK(tr.rate.lo > 0);
	CHECK(tr.ts.lo > 0);
	/* a curve is not noise: the AR(1) caution widens a lot */
	CHECK(tr.ols.rho1 > 0.9);
	CHECK(tr.ols.ac_hi - tr.ols.ac_lo > 3 * (tr.ols.hi - tr.ols.lo));
}

/* Grows, then plateaus: the recent slope is ~0. */
static void test_plateau(void)
{
	enum { N = 601 };
	struct ht_point p[N];
	struct ht_trend tr;

	rng_seed(5);
	for (size_t i = 0; i < N; i++) {
		p[i].t = (double)i;
		p[i].v = 2e8 + 1e8 * (1 - exp(-(double)i / 50)) + 1e4 * gauss();
	}
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK(tr.ols.slope > 0);			/* the whole window climbs */
	CHECK_NEAR(tr.recent.n, 151, 1);
	CHECK(fabs(tr.recent.slope) < 1e-3 * 2e6);	/* vs 2 MB/s at the start */
	CHECK(tr.recent.lo < 50);
	CHECK(tr.ols.rho1 > 0.9);			/* curvature, not noise */
}

/* RSS counted in pages: a slow leak of one 4 kB page every 5 s gives
 * mostly-zero differences; the page increments are not steps. */
static void test_pages(void)
{
	enum { N = 600 };
	struct ht_point p[N];
	struct ht_trend tr;

	for (size_t i = 0; i < N; i++)
		p[i] = (struct ht_point){ (double)i, 1e8 + 4096.0 * (double)(i / 5) };
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 0);
	CHECK_INT(tr.mode, HT_TREND_PLAIN);
	CHECK_NEAR(tr.rate.slope, 4096.0 / 5, 0.01 * 4096 / 5);
	CHECK(tr.rate.lo > 0);
	CHECK_NEAR(tr.ts.slope, 4096.0 / 5, 0.01 * 4096 / 5);
	CHECK(tr.mk.p < 1e-10);
}

static void test_edges(void)
{
	struct ht_point p[8] = { { 0, 0 } };
	struct ht_fit f;
	struct ht_robust r;
	struct ht_mk mk;
	struct ht_trend tr;
	size_t ns;

	/* 0 and 1 points */
	CHECK_INT(ht_trend_ols(p, 0, 0.95, &f), -ENODATA);
	CHECK_INT(f.n, 0);
	CHECK(isnan(f.slope));
	p[0] = (struct ht_point){ 1, 1 };
	CHECK_INT(ht_trend_ols(p, 1, 0.95, &f), -ENODATA);
	CHECK(isnan(f.slope));
	CHECK_INT(ht_trend_theil_sen(p, 1, 0.95, 0, &r), -ENODATA);
	CHECK_INT(ht_trend_mann_kendall(p, 1, &mk), -ENODATA);
	CHECK_NEAR(mk.p, 1, 0);
	CHECK_INT(ht_trend_analyze(p, 0, NULL, &tr), -ENODATA);
	CHECK_INT(ht_trend_analyze(p, 1, NULL, &tr), -ENODATA);
	CHECK(isnan(tr.rate.slope));

	/* 2 points: a slope, no CI, no R^2 */
	p[1] = (struct ht_point){ 3, 7 };
	CHECK_INT(ht_trend_ols(p, 2, 0.95, &f), 0);
	CHECK_NEAR(f.slope, 3, 1e-15);
	CHECK(isnan(f.se) && isnan(f.lo) && isnan(f.r2));
	CHECK_INT(ht_trend_theil_sen(p, 2, 0.95, 0, &r), 0);
	CHECK_NEAR(r.slope, 3, 1e-15);
	CHECK(isnan(r.lo));
	CHECK_INT(ht_trend_mann_kendall(p, 2, &mk), -ENODATA);

	/* all timestamps equal: no slope */
	for (int i = 0; i < 8; i++)
		p[i] = (struct ht_point){ 42, (double)i };
	CHECK_INT(ht_trend_ols(p, 8, 0.95, &f), -EDOM);
	CHECK(isnan(f.slope));
	CHECK_INT(f.n, 8);
	CHECK_INT(ht_trend_theil_sen(p, 8, 0.95, 0, &r), -EDOM);
	CHECK_INT(r.pairs, 0);
	CHECK_INT(ht_trend_analyze(p, 8, NULL, &tr), -EDOM);
	CHECK(isnan(tr.rate.slope));
	CHECK_INT(ht_trend_steps(p, 8, 0, 0, NULL, 0, &ns), 0);
	CHECK_INT(ns, 0);

	/* NAN and inf points are skipped */
	struct ht_point q[] = { { 0, 1 }, { 1, NAN }, { NAN, 5 }, { 2, 5 },
				{ 3, INFINITY }, { 4, 9 } };
	CHECK_INT(ht_trend_ols(q, 6, 0.95, &f), 0);
	CHECK_INT(f.n, 3);
	CHECK_NEAR(f.slope, 2, 1e-12);
	CHECK_INT(ht_trend_mann_kendall(q, 6, &mk), 0);
	CHECK_INT(mk.n, 3);
	CHECK_INT(mk.s, 3);

	/* constant values: slope 0, R^2 undefined */
	for (int i = 0; i < 8; i++)
		p[i] = (struct ht_point){ i, 5 };
	CHECK_INT(ht_trend_ols(p, 8, 0.95, &f), 0);
	CHECK_NEAR(f.slope, 0, 0);
	CHECK(isnan(f.r2));
	CHECK_INT(ht_trend_mann_kendall(p, 8, &mk), 0);
	CHECK_INT(mk.s, 0);
	CHECK_NEAR(mk.p, 1, 0);
}

/* 1e15 bytes, t around 1e6 s, slope 3 B/s: naive sums of squares would
 * lose everything; centred ones keep it. */
static void test_huge(void)
{
	enum { N = 1000 };
	static struct ht_point p[N];
	struct ht_fit f, g;
	struct ht_trend_acc acc;
	struct ht_trend tr;

	rng_seed(6);
	for (size_t i = 0; i < N; i++) {
		p[i].t = 1e6 + (double)i;
		p[i].v = 1e15 + 3 * (double)i + (double)(int)(4 * gauss());
	}
	CHECK_INT(ht_trend_ols(p, N, 0.95, &f), 0);
	CHECK_NEAR(f.slope, 3, 0.01);
	CHECK(f.r2 > 0.99);
	CHECK(f.lo < 3 && 3 < f.hi);
	ht_trend_acc_init(&acc);
	for (size_t i = 0; i < N; i++)
		CHECK_INT(ht_trend_acc_add(&acc, p[i].t, p[i].v), 0);
	CHECK_INT(ht_trend_acc_fit(&acc, 0.95, &g), 0);
	CHECK_NEAR(g.slope, f.slope, 1e-9);
	CHECK_NEAR(g.r2, f.r2, 1e-9);
	CHECK_NEAR(g.se, f.se, 1e-9);
	CHECK_NEAR(ht_fit_predict(&g, 1e6 + N), 1e15 + 3 * N, 50);
	CHECK_INT(ht_trend_analyze(p, N, NULL, &tr), 0);
	CHECK_INT(tr.nsteps, 0);
	CHECK_NEAR(tr.ts.slope, 3, 0.05);
}

static void test_acc(void)
{
	enum { N = 1000, W = 400 };
	static struct ht_point p[N];
	struct ht_trend_acc acc;
	struct ht_fit f, g;

	rng_seed(7);
	irregular_t(p, N, 5e4);
	for (size_t i = 0; i < N; i++)
		p[i].v = 7e9 - 300 * p[i].t + 1e5 * gauss();

	ht_trend_acc_init(&acc);
	CHECK_INT(ht_trend_acc_fit(&acc, 0.95, &g), -ENODATA);
	CHECK_INT(ht_trend_acc_add(&acc, NAN, 1), -EINVAL);
	CHECK_INT(ht_trend_acc_remove(&acc, 1, 1), -ENODATA);
	for (size_t i = 0; i < N; i++)
		ht_trend_acc_add(&acc, p[i].t, p[i].v);
	CHECK_INT(ht_trend_ols(p, N, 0.95, &f), 0);
	CHECK_INT(ht_trend_acc_fit(&acc, 0.95, &g), 0);
	CHECK_INT(g.n, N);
	CHECK_NEAR(g.slope, f.slope, 1e-9 * fabs(f.slope));
	CHECK_NEAR(g.v_mean, f.v_mean, 1e-3);
	CHECK_NEAR(g.t_mean, f.t_mean, 1e-9);
	CHECK_NEAR(g.r2, f.r2, 1e-9);
	CHECK_NEAR(g.se, f.se, 1e-9 * f.se);
	CHECK(isnan(g.rho1));
	CHECK_NEAR(g.df, N - 2, 0);

	/* a sliding window: remove the oldest N - W, compare with OLS on the rest */
	for (size_t i = 0; i < N - W; i++)
		CHECK_INT(ht_trend_acc_remove(&acc, p[i].t, p[i].v), 0);
	CHECK_INT(ht_trend_ols(p + N - W, W, 0.95, &f), 0);
	CHECK_INT(ht_trend_acc_fit(&acc, 0.95, &g), 0);
	CHECK_INT(g.n, W);
	CHECK_NEAR(g.slope, f.slope, 1e-6 * fabs(f.slope));
	CHECK_NEAR(g.se, f.se, 1e-6 * f.se);
	CHECK_NEAR(g.r2, f.r2, 1e-9);

	/* a long slide: 200000 samples through a window of 100, values near
	 * 1e12, t up to 2e5 s; the sums stay true to a fresh fit */
	{
		enum { LONG = 200000, WIN = 100 };
		static struct ht_point w[LONG];

		for (size_t i = 0; i < LONG; i++) {
			w[i].t = (double)i + 0.25 * uniform();
			w[i].v = 1e12 + 5e3 * w[i].t + 1e4 * gauss();
		}
		ht_trend_acc_init(&acc);
		for (size_t i = 0; i < LONG; i++) {
			if (i >= WIN)
				ht_trend_acc_remove(&acc, w[i - WIN].t, w[i - WIN].v);
			ht_trend_acc_add(&acc, w[i].t, w[i].v);
		}
		CHECK_INT(acc.n, WIN);
		CHECK_INT(ht_trend_ols(w + LONG - WIN, WIN, 0.95, &f), 0);
		CHECK_INT(ht_trend_acc_fit(&acc, 0.95, &g), 0);
		CHECK_NEAR(g.slope, f.slope, 1e-6 * fabs(f.slope));
		CHECK_NEAR(g.se, f.se, 1e-4 * f.se);
		CHECK_NEAR(g.v_mean, f.v_mean, 1e-2);
	}

	/* equal timestamps in the accumulator */
	ht_trend_acc_init(&acc);
	ht_trend_acc_add(&acc, 1, 1);
	ht_trend_acc_add(&acc, 1, 2);
	ht_trend_acc_add(&acc, 1, 3);
	CHECK_INT(ht_trend_acc_fit(&acc, 0.95, &g), -EDOM);
	/* removing down to nothing resets */
	ht_trend_acc_remove(&acc, 1, 1);
	ht_trend_acc_remove(&acc, 1, 2);
	ht_trend_acc_remove(&acc, 1, 3);
	CHECK_INT(acc.n, 0);
}

static void test_theil_sen(void)
{
	enum { N = 2000 };
	static struct ht_point p[N];
	struct ht_point q[] = { { 0, 0 }, { 1, 1 }, { 2, 2 }, { 3, 30 } };
	struct ht_robust r, r2;
	struct ht_fit f;

	/* slopes 1 1 10 1 14.5 28: median (1 + 10) / 2 */
	CHECK_INT(ht_trend_theil_sen(q, 4, 0.95, 0, &r), 0);
	CHECK_NEAR(r.slope, 5.5, 1e-12);
	CHECK_INT(r.pairs, 6);

	/* 10% wild outliers: OLS is thrown, Theil-Sen is not */
	rng_seed(8);
	for (size_t i = 0; i < 200; i++) {
		p[i].t = (double)i;
		p[i].v = 2 * (double)i + gauss() + (i % 10 == 9 ? 500 * uniform() * (i > 100) : 0);
	}
	CHECK_INT(ht_trend_theil_sen(p, 200, 0.95, 0, &r), 0);
	CHECK_NEAR(r.slope, 2, 0.02);
	CHECK(r.lo <= 2 && 2 <= r.hi);
	CHECK_NEAR(r.intercept_at_t_mean, 2 * r.t_mean, 2);
	CHECK_INT(ht_trend_ols(p, 200, 0.95, &f), 0);
	CHECK(fabs(f.slope - 2) > 0.1);

	/* large n: sampled pairs, same answer twice, near the truth */
	irregular_t(p, N, 0);
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e9 + 750 * p[i].t + 1e4 * gauss();
	CHECK_INT(ht_trend_theil_sen(p, N, 0.95, 0, &r), 0);
	CHECK_INT(r.sampled, 1);
	CHECK(r.pairs > HT_TREND_MAX_PAIRS * 9 / 10 && r.pairs <= HT_TREND_MAX_PAIRS);
	CHECK_NEAR(r.slope, 750, 0.01 * 750);
	CHECK(r.lo <= 750 && 750 <= r.hi);
	CHECK(r.hi - r.lo < 0.05 * 750);
	CHECK_INT(ht_trend_theil_sen(p, N, 0.95, 0, &r2), 0);
	CHECK_NEAR(r2.slope, r.slope, 0);
	CHECK_NEAR(r2.lo, r.lo, 0);
	/* Sen's CI covers the true slope about 95% of the time, exact or
	 * sampled (the sampled one is widened for the sampling: >= 95%) */
	{
		size_t sizes[] = { 30, 400 };
		for (int a = 0; a < 2; a++) {
			int cov = 0;
			for (int rep = 0; rep < 200; rep++) {
				for (size_t i = 0; i < sizes[a]; i++) {
					p[i].t = (double)i + uniform();
					p[i].v = 10 + 2 * p[i].t + 50 * gauss();
				}
				ht_trend_theil_sen(p, sizes[a], 0.95, 0, &r2);
				cov += r2.lo <= 2 && 2 <= r2.hi;
			}
			CHECK_INT(r2.sampled, a == 1);
			CHECK(cov >= 0.91 * 200 && cov <= 0.995 * 200);
			printf("Theil-Sen CI coverage, n = %zu: %.3f\n", sizes[a], cov / 200.0);
		}
	}
	irregular_t(p, N, 0);
	for (size_t i = 0; i < N; i++)
		p[i].v = 1e9 + 750 * p[i].t + 1e4 * gauss();
	/* a small bound is honoured */
	CHECK_INT(ht_trend_theil_sen(p, N, 0.95, 1000, &r2), 0);
	CHECK_INT(r2.pairs, 1000);
	CHECK_NEAR(r2.slope, 750, 0.05 * 750);
}

/* S by brute force, for comparison with the O(n log n) count. */
static int64_t brute_s(const struct ht_point *p, size_t n)
{
	int64_t s = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			s += (p[j].v > p[i].v) - (p[j].v < p[i].v);
	return s;
}

static void test_mann_kendall(void)
{
	enum { N = 500 };
	static struct ht_point p[N];
	struct ht_mk mk;

	/* exact small-n p-values: n = 3 rising: 2 * 1/3! */
	struct ht_point a[] = { { 0, 1 }, { 1, 2 }, { 2, 3 } };
	CHECK_INT(ht_trend_mann_kendall(a, 3, &mk), 0);
	CHECK_INT(mk.s, 3);
	CHECK_INT(mk.exact, 1);
	CHECK_NEAR(mk.p, 1.0 / 3, 1e-12);
	/* n = 4, one inversion: S = 4, P(I <= 1) = 4/24, two-sided 1/3 */
	struct ht_point b[] = { { 0, 1 }, { 1, 3 }, { 2, 2 }, { 3, 4 } };
	CHECK_INT(ht_trend_mann_kendall(b, 4, &mk), 0);
	CHECK_INT(mk.s, 4);
	CHECK_NEAR(mk.p, 1.0 / 3, 1e-12);
	CHECK_NEAR(mk.var_s, 4 * 3 * 13 / 18.0, 1e-12);
	/* n = 10 rising: 2 / 10! */
	for (size_t i = 0; i < 10; i++)
		p[i] = (struct ht_point){ (double)i, (double)i * i };
	CHECK_INT(ht_trend_mann_kendall(p, 10, &mk), 0);
	CHECK_INT(mk.s, 45);
	CHECK_NEAR(mk.p, 2.0 / 3628800, 1e-15);
	CHECK_NEAR(mk.tau, 1, 0);

	/* ties: v = 0 0 1 1 2 2 ... (n = 20): S, var with the tie term */
	for (size_t i = 0; i < 20; i++)
		p[i] = (struct ht_point){ (double)i, (double)(i / 2) };
	CHECK_INT(ht_trend_mann_kendall(p, 20, &mk), 0);
	CHECK_INT(mk.s, 190 - 10);
	CHECK_NEAR(mk.var_s, (20.0 * 19 * 45 - 10 * (2 * 1 * 9)) / 18, 1e-9);
	CHECK_INT(mk.exact, 0);
	CHECK_NEAR(mk.z, 179 / sqrt(mk.var_s), 1e-12);
	CHECK_NEAR(mk.p, erfc(mk.z / sqrt(2)), 1e-15);

	/* O(n log n) S against brute force on noisy data with ties */
	rng_seed(9);
	for (size_t i = 0; i < N; i++)
		p[i] = (struct ht_point){ (double)i, floor(10 * gauss()) + (double)i / 100 };
	CHECK_INT(ht_trend_mann_kendall(p, N, &mk), 0);
	CHECK_INT(mk.s, brute_s(p, N));

	/* a table value: n = 10, S = 31: Kendall's table gives P(S >= 31) =
	 * 0.0023; the Mahonian count (in Python, separately) 0.00234347442681 */
	struct ht_point c[10];
	double v[] = { 1, 2, 4, 3, 5, 9, 6, 10, 8, 7 };
	for (size_t i = 0; i < 10; i++)
		c[i] = (struct ht_point){ (double)i, v[i] };
	CHECK_INT(ht_trend_mann_kendall(c, 10, &mk), 0);
	CHECK_INT(mk.s, 31);
	CHECK_INT(mk.s, brute_s(c, 10));
	CHECK_INT(mk.exact, 1);
	CHECK_NEAR(mk.p, 2 * 0.00234347442681, 1e-12);
	CHECK(mk.rho1 < 0);
	CHECK_NEAR(mk.p_ac, mk.p, 0);	/* no correction when rho1 <= 0 */
}

static void test_eta(void)
{
	struct ht_eta e;

	CHECK_INT(ht_trend_eta(1000, 2000, 10, 5, 20, &e), 0);
	CHECK_NEAR(e.point, 100, 1e-12);
	CHECK_NEAR(e.soonest, 50, 1e-12);
	CHECK_NEAR(e.latest, 200, 1e-12);
	CHECK_INT(ht_trend_eta(1000, 2000, 10, -5, 20, &e), 0);
	CHECK(isinf(e.latest));
	CHECK_NEAR(e.soonest, 50, 1e-12);
	CHECK_INT(ht_trend_eta(1000, 2000, 0, -5, 20, &e), 0);
	CHECK(isinf(e.point));
	CHECK_NEAR(e.soonest, 50, 1e-12);
	CHECK_INT(ht_trend_eta(1000, 2000, -1, -5, -0.5, &e), 0);
	CHECK(isinf(e.point) && isinf(e.soonest) && isinf(e.latest));
	CHECK_INT(ht_trend_eta(3000, 2000, 10, 5, 20, &e), 0);
	CHECK_NEAR(e.point, 0, 0);
	CHECK_NEAR(e.latest, 0, 0);
	CHECK_INT(ht_trend_eta(1000, 2000, 10, NAN, NAN, &e), 0);
	CHECK_NEAR(e.point, 100, 1e-12);
	CHECK_NEAR(e.soonest, 100, 1e-12);
	CHECK(isinf(e.latest));
	CHECK_INT(ht_trend_eta(1000, NAN, 10, 5, 20, &e), -EINVAL);

	/* from a fit: 8 GiB limit, 1 GiB now, 1 MiB/s: 7168 s */
	enum { N = 100 };
	struct ht_point p[N];
	struct ht_fit f;
	for (size_t i = 0; i < N; i++)
		p[i] = (struct ht_point){ (double)i, 1073741824.0 - 99 * 1048576.0 + 1048576.0 * (double)i };
	CHECK_INT(ht_trend_ols(p, N, 0.95, &f), 0);
	CHECK_INT(ht_trend_eta(p[N - 1].v, 8589934592.0, f.slope, f.lo, f.hi, &e), 0);
	CHECK_NEAR(e.point, 7168, 1e-6);
	CHECK_NEAR(e.soonest, 7168, 1e-6);
}

int main(void)
{
	test_distributions();
	test_ols_exact();
	test_linear_noise();
	test_flat();
	test_step();
	test_sawtooth();
	test_exponential();
	test_plateau();
	test_pages();
	test_edges();
	test_huge();
	test_acc();
	test_theil_sen();
	test_mann_kendall();
	test_eta();
	return ht_test_done("test_trend");
}
