/* Trend math for leak detection, on irregular timestamps.
 *
 * Every function takes points in time order (t non-decreasing, as an
 * ht_series holds them; ht_series_copy() gives such an array). Points whose
 * t or v is not finite (NAN, inf) are skipped, so "n" in the results is the
 * number of points actually used. Slopes are in v units per t unit (bytes
 * per second for RSS against seconds).
 *
 * Sums are taken around the data's first point (and means), so values of
 * 1e15 with small changes keep their precision.
 *
 * Return codes shared by the fitting functions:
 *   0         a result is in *out
 *   -ENODATA  fewer usable points than the method needs (*out still has n
 *             set and every estimate NAN)
 *   -EDOM     every usable timestamp is equal: no slope (*out as above)
 *   -EINVAL   a bad argument (level outside (0, 1), NULL)
 *   -ENOMEM   scratch memory could not be had
 * Nothing is allocated that the caller must free.
 */
#ifndef HT_TREND_H
#define HT_TREND_H

#include <stddef.h>
#include <stdint.h>
#include "ht_series.h"

/* ---- distributions ---- */

/* Standard normal CDF and its inverse (p in (0, 1); else NAN). */
double ht_normal_cdf(double z);
double ht_normal_quantile(double p);

/* Student t CDF with df > 0 degrees of freedom, and its inverse: the x
 * with P(T <= x) = p, for p in (0, 1). NAN on bad arguments. */
double ht_student_t_cdf(double x, double df);
double ht_student_t_quantile(double p, double df);

/* Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1]; NAN else. */
double ht_incbeta(double a, double b, double x);

/* ---- least squares ---- */

struct ht_fit {
	size_t n;		/* points used */
	double slope;		/* NAN when none */
	double t_mean, v_mean;	/* the line goes through (t_mean, v_mean) */
	double intercept;	/* value at t = 0 (imprecise when t is large:
				   prefer ht_fit_predict) */
	double r2;		/* NAN when n < 3 or v is constant */
	double se;		/* standard error of the slope for independent
				   residuals; NAN when n < 3 */
	double resid_sd;	/* residual standard deviation; NAN when n < 3 */
	double level;		/* confidence level of [lo, hi], e.g. 0.95 */
	double lo, hi;		/* slope CI: slope -+ t(level, df) se; NAN when
				   n < 3 */
	double df;		/* residual degrees of freedom (n - 2 for OLS) */
	double rho1;		/* lag-1 autocorrelation of the residuals in
				   sample order; NAN when unknown (running sums) */
	double n_eff;		/* effective sample size: n (1 - rho1) / (1 + rho1)
				   when rho1 > 0, else n */
	double ac_lo, ac_hi;	/* the CI widened for AR(1) residuals (Santer et
				   al. 2000): slope -+ t(level, df_eff) se
				   sqrt(df / df_eff), df_eff = df - (n - n_eff);
				   -inf, inf when df_eff <= 0; equal to lo, hi
				   when rho1 <= 0 or unknown */
};

/* Ordinary least squares v = a + b t over p[0..n-1], with the textbook
 * two-sided confidence interval at level from Student t with n-2 degrees
 * of freedom. Residuals that follow each other (a random walk of
 * allocations, a misfit curve) carry less information than independent
 * ones: rho1, n_eff and [ac_lo, ac_hi] say how much less. A curve (an
 * accelerating leak) also has a high rho1, so [ac_lo, ac_hi] is a caution,
 * not the verdict. Needs 2 points with different t (-ENODATA, -EDOM
 * otherwise). */
int ht_trend_ols(const struct ht_point *p, size_t n, double level,
		 struct ht_fit *out);

/* The fitted value at t (NAN when the fit has no slope). */
double ht_fit_predict(const struct ht_fit *f, double t);

/* Running sums for OLS, O(1) per sample and O(1) memory: embed one per
 * figure (no allocation; a plain struct). Welford-style co-moments around
 * the first point keep 1e15-sized values exact enough. */
struct ht_trend_acc {
	uint64_t n;
	double t0, v0;		/* shift: the first point added */
	double mt, mv;		/* means of t - t0, v - v0 */
	double ctt, cvv, ctv;	/* co-moments */
};

void ht_trend_acc_init(struct ht_trend_acc *a);

/* Adds a sample. Returns 0, or -EINVAL (non-finite t or v; a unchanged). */
int ht_trend_acc_add(struct ht_trend_acc *a, double t, double v);

/* Removes a sample added earlier (for a sliding window over a ring).
 * Returns 0, -EINVAL (non-finite) or -ENODATA (a is empty). Removing a
 * sample that was never added gives meaningless sums. */
int ht_trend_acc_remove(struct ht_trend_acc *a, double t, double v);

/* The fit of the samples held, as ht_trend_ols() (same codes and fields),
 * except that running sums know no sample order: rho1 is NAN, n_eff = n,
 * and the CI is the one for independent residuals. */
int ht_trend_acc_fit(const struct ht_trend_acc *a, double level,
		     struct ht_fit *out);

/* ---- Theil-Sen ---- */

/* Default bound on slope pairs looked at by ht_trend_theil_sen(): every
 * pair up to n = 256 points; about 0.5 ms per call here at the bound. */
#define HT_TREND_MAX_PAIRS ((size_t)1 << 15)

struct ht_robust {
	size_t n;		/* points used */
	double slope;		/* median of pairwise slopes */
	double intercept_at_t_mean; /* median of v - slope (t - t_mean) */
	double t_mean;
	double level;
	double lo, hi;		/* Sen's rank CI of the slope; NAN if too few pairs */
	size_t pairs;		/* pairwise slopes used (pairs with equal t skipped) */
	int sampled;		/* 1 when pairs were sampled, not all taken */
};

/* Theil-Sen slope with Sen's confidence interval (ranks from the
 * Mann-Kendall variance). When n(n-1)/2 exceeds max_pairs (0 means
 * HT_TREND_MAX_PAIRS) max_pairs pairs are drawn by a fixed-seed generator,
 * so the same input gives the same answer, and the CI is widened by the
 * sampling error of the drawn quantiles. Cost: O(min(n^2, max_pairs))
 * expected time (selection, not sorting) and memory, whatever n.
 * Needs 2 points with different t. */
int ht_trend_theil_sen(const struct ht_point *p, size_t n, double level,
		       size_t max_pairs, struct ht_robust *out);

/* ---- Mann-Kendall ---- */

struct ht_mk {
	size_t n;
	int64_t s;		/* sum of sgn(v_j - v_i), i < j (sample order) */
	double var_s;		/* with the tie correction */
	double z;		/* continuity-corrected; 0 when s == 0 */
	double p;		/* two-sided p-value for independent samples */
	double tau;		/* Kendall's tau-a: s / (n(n-1)/2) */
	int exact;		/* 1: p from the exact null distribution */
	double p_ac;		/* p with var_s inflated by (1 + rho1) / (1 - rho1)
				   when rho1 > 0 (else p) */
	double rho1;		/* lag-1 autocorrelation of the series less its
				   OLS line (its mean when every t is equal);
				   NAN when v is constant */
};

/* Mann-Kendall trend test on the sample order. S is counted in
 * O(n log n). p is exact (permutation distribution) when n <= 40 and
 * there are no ties in v; otherwise the normal approximation with the
 * tie-corrected variance. Samples that follow each other make S large
 * without a trend, hence also p_ac with the lag-1 correction (Yue and Wang
 * 2004, lag 1 only). Needs 3 points (-ENODATA; then p and p_ac are 1). */
int ht_trend_mann_kendall(const struct ht_point *p, size_t n,
			  struct ht_mk *out);

/* ---- steps (change points) ---- */

struct ht_step {
	size_t index;		/* index (into the usable points) of the first
				   point after the shift */
	double t;		/* that point's t */
	double size;		/* level after minus level before (the jump less
				   what the trend explains over the gap) */
};

/* Finds one-off level shifts: jumps between consecutive points that are
 * more than k times the local noise (1.4826 * MAD of the detrended
 * consecutive differences) and more than min_size in absolute value.
 * Consecutive flagged jumps of one sign merge into one step (an allocation
 * seen over two samples). A shift must persist: the median level of the 5
 * points after it must differ from that of the 5 before by half the jump,
 * so a spike (a buffer freed a sample or two later) is no step. The noise
 * floor is at least 1e-9 of the largest |v| (rounding is no step).
 * k <= 0 means 6. Writes up to max steps into
 * steps (may be NULL when max is 0) and the total found into *nsteps.
 * Returns 0, -ENODATA (< 4 points), -ENOMEM or -EINVAL. */
int ht_trend_steps(const struct ht_point *p, size_t n, double k,
		   double min_size, struct ht_step *steps, size_t max,
		   size_t *nsteps);

/* OLS slope with steps removed: one common slope, a separate level per
 * segment between steps (the segment-wise, pooled within-segment fit).
 * steps as found by ht_trend_steps() on the same p, n. The fit's
 * t_mean/v_mean are those of the last segment; df = n - nsteps - 2. */
int ht_trend_ols_segmented(const struct ht_point *p, size_t n,
			   const struct ht_step *steps, size_t nsteps,
			   double level, struct ht_fit *out);

/* ---- time until a limit ---- */

struct ht_eta {
	double point;		/* seconds from the current value to the limit */
	double soonest;		/* using the CI's upper slope */
	double latest;		/* using the CI's lower slope */
};

/* Time until current reaches limit growing at slope, with bounds from the
 * slope's CI [lo, hi]. A slope (or bound) <= 0 or NAN gives INFINITY (never
 * reached); current >= limit gives 0 for all three. Returns 0, or -EINVAL
 * when current or limit is not finite. */
int ht_trend_eta(double current, double limit, double slope, double lo,
		 double hi, struct ht_eta *out);

/* ---- everything at once, for leak verdicts ---- */

#define HT_TREND_MAX_STEPS 16

struct ht_trend_opts {
	double level;		/* CI level; default 0.95 */
	double step_k;		/* see ht_trend_steps; default 6 */
	double step_min;	/* absolute minimum step size; default 0 */
	size_t max_steps;	/* more steps than this: a sawtooth or noise,
				   and steps are not removed; default 3 */
	double recent_frac;	/* the recent fit covers the last fraction of
				   the time span; default 0.25 */
	size_t max_pairs;	/* Theil-Sen bound; default HT_TREND_MAX_PAIRS */
};

void ht_trend_opts_default(struct ht_trend_opts *o);

struct ht_trend {
	size_t n;		/* usable points */
	double t_first, t_last;
	struct ht_fit ols;	/* the whole window, steps included */
	struct ht_robust ts;	/* Theil-Sen on the whole window */
	size_t nsteps;		/* steps found (may exceed HT_TREND_MAX_STEPS) */
	size_t ndown;		/* of them, downward (memory given back) */
	struct ht_step steps[HT_TREND_MAX_STEPS];
	int steps_excluded;	/* 1 when rate and mk have the steps removed */
	struct ht_fit rate;	/* the growth rate to report: see mode */
	struct ht_mk mk;	/* on the same points as rate */
	struct ht_fit recent;	/* OLS over the last recent_frac of the span
				   (slope NAN when too few points there) */
	int mode;		/* HT_TREND_PLAIN, _STEPS or _CYCLES */
	size_t ntroughs;	/* HT_TREND_CYCLES: troughs fitted */
};

enum {
	HT_TREND_PLAIN,		/* rate = ols, mk on the series */
	HT_TREND_STEPS,		/* one-off upward steps removed: rate is the
				   segmented OLS, mk on the series less its
				   steps, recent on that too */
	HT_TREND_CYCLES		/* two or more downward steps: a sawtooth (GC,
				   cache flushes). rate and mk are on the
				   troughs, the lowest point between drops,
				   so only a rising floor is growth */
};

/* Runs OLS, Theil-Sen, step detection, Mann-Kendall and the recent-window
 * fit, and picks the rate:
 * - 1 <= steps found <= max_steps, all upward: HT_TREND_STEPS (a one-off
 *   allocation is a step, not a rate);
 * - 2 or more downward steps: HT_TREND_CYCLES (memory given back; removing
 *   the drops would turn a sawtooth into a steady climb);
 * - else HT_TREND_PLAIN.
 * o may be NULL (defaults). Returns 0 or a code as above (from the
 * whole-window OLS); parts that cannot be computed hold NAN. */
int ht_trend_analyze(const struct ht_point *p, size_t n,
		     const struct ht_trend_opts *o, struct ht_trend *out);

#endif
