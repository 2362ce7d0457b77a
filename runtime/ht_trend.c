/* Trend math: OLS with a Student t CI, running OLS sums, Theil-Sen,
 * Mann-Kendall, step detection, segment-wise slope, time to a limit. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ht_trend.h"

/* ---- distributions ---- */

double ht_normal_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* Acklam's rational approximation (relative error 1.2e-9), then one Halley
 * step on erfc, which brings it to about machine precision. */
double ht_normal_quantile(double p)
{
	static const double a[] = { -3.969683028665376e+01, 2.209460984245205e+02,
		-2.759285104469687e+02, 1.383577518672690e+02,
		-3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[] = { -5.447609879822406e+01, 1.615858368580409e+02,
		-1.556989798598866e+02, 6.680131188771972e+01,
		-1.328068155288572e+01 };
	static const double c[] = { -7.784894002430293e-03, -3.223964580411365e-01,
		-2.400758277161838e+00, -2.549732539343734e+00,
		4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[] = { 7.784695709041462e-03, 3.224671290700398e-01,
		2.445134137142996e+00, 3.754408661907416e+00 };
	double q, r, x, e, u;

	if (!(p > 0 && p < 1))
		return NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p > 1 - 0.02425) {
		q = sqrt(-2 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		     ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	}
	e = 0.5 * erfc(-x / M_SQRT2) - p;
	u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

#define LENTZ_TINY 1e-300

/* One term of the modified Lentz method with numerator num: updates c and
 * d, returns the factor (d * c) the fraction is multiplied by. */
static double lentz_step(double num, double *c, double *d)
{
	*d = 1 + num * *d;
	*c = 1 + num / *c;
	if (fabs(*d) < LENTZ_TINY)
		*d = LENTZ_TINY;
	if (fabs(*c) < LENTZ_TINY)
		*c = LENTZ_TINY;
	*d = 1 / *d;
	return *d * *c;
}

/* Continued fraction for I_x(a, b) (modified Lentz), good for
 * x < (a + 1) / (a + b + 2). */
static double incbeta_cf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), f;

	if (fabs(d) < LENTZ_TINY)
		d = LENTZ_TINY;
	d = 1 / d;
	f = d;
	for (int m = 1; m <= 1000; m++) {
		double delta;

		/* even step, then odd step */
		f *= lentz_step(m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)), &c, &d);
		delta = lentz_step(-(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
				   &c, &d);
		f *= delta;
		if (fabs(delta - 1) < 1e-15)
			break;
	}
	return f;
}

double ht_incbeta(double a, double b, double x)
{
	double lfront;

	if (!(a > 0 && b > 0 && x >= 0 && x <= 1))
		return NAN;
	if (x == 0 || x == 1)
		return x;
	lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1) / (a + b + 2))
		return exp(lfront) * incbeta_cf(a, b, x) / a;
	return 1 - exp(lfront) * incbeta_cf(b, a, 1 - x) / b;
}

/* P(T > x) for x >= 0: computed as such, so upper tails keep precision. */
static double t_upper_tail(double x, double df)
{
	return 0.5 * ht_incbeta(df / 2, 0.5, df / (df + x * x));
}

double ht_student_t_cdf(double x, double df)
{
	if (!(df > 0) || isnan(x))
		return NAN;
	if (isinf(x))
		return x > 0 ? 1 : 0;
	return x >= 0 ? 1 - t_upper_tail(x, df) : t_upper_tail(-x, df);
}

static double t_pdf(double x, double df)
{
	return exp(lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * M_PI) -
		   (df + 1) / 2 * log1p(x * x / df));
}

/* Solves P(T > x) = q for x >= 0 (q in (0, 0.5]): closed forms for 1 and 2
 * degrees of freedom, else Newton on the tail inside a bracket that
 * bisection keeps. */
static double t_upper_quantile(double q, double df)
{
	double lo = 0, hi = 1, x;

	if (q >= 0.5)
		return 0;
	if (df == 1)
		return tan(M_PI * (0.5 - q));
	if (df == 2)
		return (1 - 2 * q) / sqrt(2 * q * (1 - q));
	while (t_upper_tail(hi, df) > q) {
		lo = hi;
		hi *= 2;
		if (hi > 1e300)
			return INFINITY;
	}
	x = -ht_normal_quantile(q);		/* a start near the answer */
	if (!(x > lo && x < hi))
		x = (lo + hi) / 2;
	for (int i = 0; i < 200; i++) {
		double f = t_upper_tail(x, df) - q, nx;

		if (f > 0)
			lo = x;		/* tail too big: x too small */
		else
			hi = x;
		if (f == 0)
			break;
		nx = x + f / t_pdf(x, df);
		if (!(nx > lo && nx < hi))
			nx = (lo + hi) / 2;
		if (fabs(nx - x) <= 1e-14 * fabs(x))
			return nx;
		x = nx;
	}
	return x;
}

/* Fits ask for the same few (p, df) again and again (one level, windows of
 * one length): a small per-thread cache of the last answers saves the
 * iterations. A pure function's cache: no state anyone can see. */
#define TQ_CACHE 4
static _Thread_local struct { double p, df, x; } tq_cache[TQ_CACHE];
static _Thread_local unsigned tq_next;

double ht_student_t_quantile(double p, double df)
{
	double x;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p == 0.5)
		return 0;
	for (int i = 0; i < TQ_CACHE; i++)
		if (tq_cache[i].p == p && tq_cache[i].df == df)
			return tq_cache[i].x;
	x = p > 0.5 ? t_upper_quantile(1 - p, df) : -t_upper_quantile(p, df);
	tq_cache[tq_next].p = p;
	tq_cache[tq_next].df = df;
	tq_cache[tq_next].x = x;
	tq_next = (tq_next + 1) % TQ_CACHE;
	return x;
}

/* ---- helpers ---- */

/* Moves the elements of x[l..r] that are below piv (or, with le, not above
 * it) to the front; returns where the rest starts. Branch-free: the swap
 * always happens and only the store index depends on the comparison, so
 * unsorted data costs no mispredictions. */
static size_t part(double *x, size_t l, size_t r, double piv, int le)
{
	size_t store = l;

	for (size_t i = l; i <= r; i++) {
		double v = x[i];

		x[i] = x[store];
		x[store] = v;
		store += le ? v <= piv : v < piv;
	}
	return store;
}

/* The k-th smallest of x[0..n-1] (k < n), moving it to x[k] with nothing
 * greater before it and nothing smaller after: selection with a
 * median-of-three pivot and a three-way split, O(n) on average. */
static double select_k(double *x, size_t n, size_t k)
{
	size_t l = 0, r = n - 1;

	while (r > l) {
		double a = x[l], b = x[l + (r - l) / 2], c = x[r], piv;
		size_t lt, le;

		piv = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		lt = part(x, l, r, piv, 0);		/* [l, lt) < piv */
		if (k < lt) {
			r = lt - 1;
			continue;
		}
		le = part(x, lt, r, piv, 1);		/* [lt, le) == piv */
		if (k < le)
			return x[k];
		l = le;
	}
	return x[k];
}

/* Median of x[0..n-1]; reorders x. n > 0. */
static double median_sort(double *x, size_t n)
{
	double hi = select_k(x, n, n / 2), lo;

	if (n % 2)
		return hi;
	lo = x[0];			/* the largest of the lower half */
	for (size_t i = 1; i < n / 2; i++)
		if (x[i] > lo)
			lo = x[i];
	return 0.5 * (lo + hi);
}

static int usable(const struct ht_point *p)
{
	return isfinite(p->t) && isfinite(p->v);
}

/* Copies the usable points of p into a new array (*out, to free), count in
 * *m. Returns 0 or -ENOMEM. */
static int clean_copy(const struct ht_point *p, size_t n, struct ht_point **out,
		      size_t *m)
{
	struct ht_point *q = malloc((n ? n : 1) * sizeof(*q));
	size_t k = 0;

	if (!q)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (usable(&p[i]))
			q[k++] = p[i];
	*out = q;
	*m = k;
	return 0;
}

static void fit_none(struct ht_fit *f, size_t n, double level)
{
	f->n = n;
	f->slope = f->t_mean = f->v_mean = f->intercept = NAN;
	f->r2 = f->se = f->resid_sd = f->lo = f->hi = NAN;
	f->level = level;
	f->df = f->rho1 = f->n_eff = f->ac_lo = f->ac_hi = NAN;
}

static int bad_level(double level)
{
	return !(level > 0 && level < 1);
}

/* Fills f from centred moments: sxx, syy, sxy around (t_mean, v_mean),
 * the residual sum of squares sse, the residual degrees of freedom df
 * (n - parameters) and the lag-1 autocorrelation rho1 (NAN: unknown). */
static int fit_finish(struct ht_fit *f, size_t n, double level, double t_mean,
		      double v_mean, double sxx, double syy, double sxy,
		      double sse, double df, double rho1)
{
	fit_none(f, n, level);
	if (n < 2)
		return -ENODATA;
	if (!(sxx > 0))
		return -EDOM;
	f->slope = sxy / sxx;
	f->t_mean = t_mean;
	f->v_mean = v_mean;
	f->intercept = v_mean - f->slope * t_mean;
	f->rho1 = rho1;
	f->n_eff = (double)n;
	if (sse < 0)
		sse = 0;
	if (df >= 1) {
		double se, tq, dfe = df;

		f->df = df;
		f->resid_sd = sqrt(sse / df);
		f->se = se = sqrt(sse / df / sxx);
		f->r2 = syy > 0 ? 1 - sse / syy : NAN;
		if (f->r2 < 0)
			f->r2 = 0;
		tq = ht_student_t_quantile(0.5 + level / 2, df);
		f->lo = f->slope - tq * se;
		f->hi = f->slope + tq * se;
		f->ac_lo = f->lo;
		f->ac_hi = f->hi;
		if (rho1 > 0 && se > 0) {
			/* fewer independent residuals: same parameters, fewer df */
			f->n_eff = rho1 < 1 ? (double)n * (1 - rho1) / (1 + rho1) : 0;
			dfe = df - ((double)n - f->n_eff);
			if (dfe > 0) {
				tq = ht_student_t_quantile(0.5 + level / 2, dfe);
				f->ac_lo = f->slope - tq * se * sqrt(df / dfe);
				f->ac_hi = f->slope + tq * se * sqrt(df / dfe);
			} else {
				f->ac_lo = -INFINITY;
				f->ac_hi = INFINITY;
			}
		}
	}
	return 0;
}

/* Lag-1 autocorrelation of e[0..n-1] (mean taken out); NAN when n < 3 or
 * e is constant. */
static double lag1(const double *e, size_t n)
{
	double m = 0, num = 0, den = 0;

	if (n < 3)
		return NAN;
	for (size_t i = 0; i < n; i++)
		m += (e[i] - m) / (double)(i + 1);
	for (size_t i = 0; i < n; i++) {
		den += (e[i] - m) * (e[i] - m);
		if (i + 1 < n)
			num += (e[i] - m) * (e[i + 1] - m);
	}
	return den > 0 ? num / den : NAN;
}

/* ---- least squares ---- */

int ht_trend_ols(const struct ht_point *p, size_t n, double level,
		 struct ht_fit *out)
{
	double t0 = 0, v0 = 0, mt = 0, mv = 0, sxx = 0, syy = 0, sxy = 0, sse = 0;
	double lagsum = 0;
	size_t m = 0;
	int first = 1;

	if (!out || (n && !p) || bad_level(level))
		return -EINVAL;
	/* first pass: means around the first usable point */
	for (size_t i = 0; i < n; i++) {
		if (!usable(&p[i]))
			continue;
		if (first) {
			t0 = p[i].t;
			v0 = p[i].v;
			first = 0;
		}
		m++;
		mt += (p[i].t - t0 - mt) / (double)m;
		mv += (p[i].v - v0 - mv) / (double)m;
	}
	if (m < 2) {
		fit_none(out, m, level);
		return -ENODATA;
	}
	for (size_t i = 0; i < n; i++) {
		double dt, dv;

		if (!usable(&p[i]))
			continue;
		dt = p[i].t - t0 - mt;
		dv = p[i].v - v0 - mv;
		sxx += dt * dt;
		syy += dv * dv;
		sxy += dt * dv;
	}
	if (sxx > 0) {
		double b = sxy / sxx, prev = NAN;

		for (size_t i = 0; i < n; i++) {
			double r;

			if (!usable(&p[i]))
				continue;
			r = (p[i].v - v0 - mv) - b * (p[i].t - t0 - mt);
			sse += r * r;
			if (!isnan(prev))
				lagsum += prev * r;
			prev = r;
		}
	}
	return fit_finish(out, m, level, t0 + mt, v0 + mv, sxx, syy, sxy, sse,
			  (double)m - 2, m >= 3 && sse > 0 ? lagsum / sse : NAN);
}

double ht_fit_predict(const struct ht_fit *f, double t)
{
	return f->v_mean + f->slope * (t - f->t_mean);
}

void ht_trend_acc_init(struct ht_trend_acc *a)
{
	memset(a, 0, sizeof(*a));
}

int ht_trend_acc_add(struct ht_trend_acc *a, double t, double v)
{
	double x, y, dx, dy, inv;

	if (!isfinite(t) || !isfinite(v))
		return -EINVAL;
	if (a->n == 0) {
		a->t0 = t;
		a->v0 = v;
	}
	x = t - a->t0;
	y = v - a->v0;
	a->n++;
	inv = 1 / (double)a->n;		/* one division, not two */
	dx = x - a->mt;
	dy = y - a->mv;
	a->mt += dx * inv;
	a->mv += dy * inv;
	a->ctt += dx * (x - a->mt);
	a->cvv += dy * (y - a->mv);
	a->ctv += dx * (y - a->mv);
	return 0;
}

int ht_trend_acc_remove(struct ht_trend_acc *a, double t, double v)
{
	double x, y, mt1, mv1;

	if (!isfinite(t) || !isfinite(v))
		return -EINVAL;
	if (a->n == 0)
		return -ENODATA;
	if (a->n == 1) {
		ht_trend_acc_init(a);
		return 0;
	}
	x = t - a->t0;
	y = v - a->v0;
	mt1 = (a->mt * (double)a->n - x) / (double)(a->n - 1);
	mv1 = (a->mv * (double)a->n - y) / (double)(a->n - 1);
	/* adding (x, y) to the smaller set gave: c += (x - m_before)(y - m_after) */
	a->ctt -= (x - mt1) * (x - a->mt);
	a->cvv -= (y - mv1) * (y - a->mv);
	a->ctv -= (x - mt1) * (y - a->mv);
	if (a->ctt < 0)
		a->ctt = 0;
	if (a->cvv < 0)
		a->cvv = 0;
	a->mt = mt1;
	a->mv = mv1;
	a->n--;
	return 0;
}

int ht_trend_acc_fit(const struct ht_trend_acc *a, double level,
		     struct ht_fit *out)
{
	double sse;

	if (!a || !out || bad_level(level))
		return -EINVAL;
	sse = a->ctt > 0 ? a->cvv - a->ctv * a->ctv / a->ctt : 0;
	return fit_finish(out, (size_t)a->n, level, a->t0 + a->mt, a->v0 + a->mv,
			  a->ctt, a->cvv, a->ctv, sse, (double)a->n - 2, NAN);
}

/* ---- Mann-Kendall ---- */

/* Sorts v[lo..hi) with merge sort through tmp, returning the number of
 * strict inversions (i < j, v[i] > v[j]). */
static uint64_t sort_count(double *v, double *tmp, size_t lo, size_t hi)
{
	size_t mid, i, j, k;
	uint64_t inv;

	if (hi - lo < 2)
		return 0;
	mid = lo + (hi - lo) / 2;
	inv = sort_count(v, tmp, lo, mid) + sort_count(v, tmp, mid, hi);
	i = lo;
	j = mid;
	k = lo;
	while (i < mid && j < hi) {
		if (v[i] <= v[j]) {
			tmp[k++] = v[i++];
		} else {
			inv += mid - i;		/* v[j] is below every left one left */
			tmp[k++] = v[j++];
		}
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < hi)
		tmp[k++] = v[j++];
	memcpy(v + lo, tmp + lo, (hi - lo) * sizeof(*v));
	return inv;
}

/* S, the tie-corrected variance and whether v has ties, for v[0..n-1]
 * (v is clobbered: sorted). */
static int mk_stat(double *v, size_t n, int64_t *s, double *var_s, int *ties)
{
	double *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	uint64_t inv, npairs = (uint64_t)n * (n - 1) / 2, tied = 0;
	double nn = (double)n, corr = 0;

	if (!tmp)
		return -ENOMEM;
	inv = sort_count(v, tmp, 0, n);
	free(tmp);
	*ties = 0;
	for (size_t i = 0; i < n; ) {
		size_t j = i + 1;
		while (j < n && v[j] == v[i])
			j++;
		if (j - i > 1) {
			double g = (double)(j - i);
			tied += (uint64_t)(j - i) * (j - i - 1) / 2;
			corr += g * (g - 1) * (2 * g + 5);
			*ties = 1;
		}
		i = j;
	}
	/* concordant = pairs - tied - inversions; S = concordant - inversions */
	*s = (int64_t)(npairs - tied) - 2 * (int64_t)inv;
	*var_s = (nn * (nn - 1) * (2 * nn + 5) - corr) / 18;
	return 0;
}

/* Exact two-sided p of |S| >= |s| without ties: S = N - 2I, I being the
 * inversion count of a random permutation (Mahonian distribution). */
static double mk_exact_p(size_t n, int64_t s)
{
	size_t npairs = n * (n - 1) / 2;
	double *p = calloc(npairs + 1, sizeof(*p)), *q = calloc(npairs + 1, sizeof(*q));
	double cum = 0;
	int64_t ilim;

	if (!p || !q) {
		free(p);
		free(q);
		return NAN;
	}
	p[0] = 1;
	for (size_t m = 2; m <= n; m++) {
		size_t maxk = m * (m - 1) / 2;
		double run = 0;

		/* q[k] = (1/m) sum_{j=0}^{m-1} p[k-j], as a sliding sum */
		for (size_t k = 0; k <= maxk; k++) {
			run += p[k];
			if (k >= m)
				run -= p[k - m];
			q[k] = run / (double)m;
		}
		memcpy(p, q, (maxk + 1) * sizeof(*p));
	}
	ilim = ((int64_t)npairs - (s < 0 ? -s : s)) / 2;	/* S >= |s| <=> I <= ilim */
	for (int64_t k = 0; k <= ilim; k++)
		cum += p[k];
	free(p);
	free(q);
	cum *= 2;
	return cum > 1 ? 1 : cum;
}

int ht_trend_mann_kendall(const struct ht_point *p, size_t n, struct ht_mk *out)
{
	struct ht_fit f;
	double *v;
	size_t m = 0;
	int ties, err;

	if (!out || (n && !p))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->p = 1;
	out->p_ac = 1;
	out->rho1 = NAN;
	v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (usable(&p[i]))
			v[m++] = p[i].v;
	out->n = m;
	if (m < 3) {
		free(v);
		return -ENODATA;
	}
	if (ht_trend_ols(p, n, 0.95, &f) == 0) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (usable(&p[i]))
				v[k++] = p[i].v - ht_fit_predict(&f, p[i].t);
	} else {
		/* equal timestamps: no line to take out, only the mean */
	}
	out->rho1 = lag1(v, m);
	for (size_t i = 0, k = 0; i < n; i++)
		if (usable(&p[i]))
			v[k++] = p[i].v;
	err = mk_stat(v, m, &out->s, &out->var_s, &ties);
	free(v);
	if (err)
		return err;
	out->tau = (double)out->s / ((double)m * (double)(m - 1) / 2);
	if (out->var_s > 0) {
		double sd = sqrt(out->var_s);
		if (out->s > 0)
			out->z = (double)(out->s - 1) / sd;
		else if (out->s < 0)
			out->z = (double)(out->s + 1) / sd;
	}
	out->p = erfc(fabs(out->z) / M_SQRT2);
	if (!ties && m <= 40) {
		double pe = mk_exact_p(m, out->s);
		if (!isnan(pe)) {
			out->p = pe;
			out->exact = 1;
		}
	}
	out->p_ac = out->p;
	if (out->rho1 > 0 && out->var_s > 0) {
		double infl = out->rho1 < 1 ? (1 + out->rho1) / (1 - out->rho1) : INFINITY;
		double pa = erfc(fabs(out->z) / sqrt(infl) / M_SQRT2);

		if (pa > out->p_ac)
			out->p_ac = pa;
	}
	return 0;
}

/* ---- Theil-Sen ---- */

/* splitmix64 of a counter: a fixed-seed generator, so sampled answers
 * repeat, and each draw is independent of the last, so the loop below
 * pipelines. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A uniform index in [0, m) from r: multiply-shift, no division. */
static size_t pick(uint64_t r, size_t m)
{
	return m > UINT32_MAX ? (size_t)(r % m) : (size_t)(((r >> 32) * (uint64_t)m) >> 32);
}

int ht_trend_theil_sen(const struct ht_point *p, size_t n, double level,
		       size_t max_pairs, struct ht_robust *out)
{
	struct ht_point *q = NULL;
	double *sl = NULL, *vv = NULL, var_s, tmean = 0, z, c, m1, m2;
	size_t m, k = 0, total;
	int64_t s;
	int ties, err;

	if (!out || (n && !p) || bad_level(level))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->level = level;
	out->slope = out->intercept_at_t_mean = out->t_mean = NAN;
	out->lo = out->hi = NAN;
	if (!max_pairs)
		max_pairs = HT_TREND_MAX_PAIRS;
	err = clean_copy(p, n, &q, &m);
	if (err)
		return err;
	out->n = m;
	if (m < 2) {
		err = -ENODATA;
		goto cleanup;
	}
	total = m > UINT32_MAX ? SIZE_MAX : m * (m - 1) / 2;
	out->sampled = total > max_pairs;
	sl = malloc((out->sampled ? max_pairs : total) * sizeof(*sl));
	vv = malloc(m * sizeof(*vv));
	if (!sl || !vv) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (!out->sampled) {
		for (size_t i = 0; i < m; i++)
			for (size_t j = i + 1; j < m; j++)
				if (q[j].t != q[i].t)
					sl[k++] = (q[j].v - q[i].v) / (q[j].t - q[i].t);
	} else {
		for (uint64_t c = 0; k < max_pairs && c < 8 * (uint64_t)max_pairs; c += 2) {
			size_t i = pick(mix64(c * 0x9E3779B97F4A7C15ULL + 1), m);
			size_t j = pick(mix64((c + 1) * 0x9E3779B97F4A7C15ULL + 1), m);
			size_t a = i < j ? i : j, b = i < j ? j : i;
			double dt = q[b].t - q[a].t;

			/* written always, kept only when the times differ: no
			 * branch to mispredict */
			sl[k] = (q[b].v - q[a].v) / (dt != 0 ? dt : 1);
			k += dt != 0;
		}
	}
	out->pairs = k;
	if (k == 0) {
		err = -EDOM;
		goto cleanup;
	}
	out->slope = median_sort(sl, k);
	for (size_t i = 0; i < m; i++)
		tmean += (q[i].t - q[0].t - tmean) / (double)(i + 1);
	tmean += q[0].t;
	out->t_mean = tmean;
	for (size_t i = 0; i < m; i++)
		vv[i] = q[i].v - out->slope * (q[i].t - tmean);
	out->intercept_at_t_mean = median_sort(vv, m);

	/* Sen's CI: ranks (N -+ C) / 2 with C = z sqrt(Var S), N the pairs. */
	for (size_t i = 0; i < m; i++)
		vv[i] = q[i].v;
	err = mk_stat(vv, m, &s, &var_s, &ties);
	if (err)
		goto cleanup;
	z = ht_normal_quantile(0.5 + level / 2);
	c = z * sqrt(var_s);
	if (!out->sampled) {
		m1 = ((double)k - c) / 2;
		m2 = ((double)k + c) / 2;
	} else {
		/* the same ranks as fractions of all pairs, widened by the
		 * sampling error of a quantile from k draws, z sqrt(1/4k) */
		double hw = c / 2 / (double)total + z * 0.5 / sqrt((double)k);

		m1 = (double)k * (0.5 - hw);
		m2 = (double)k * (0.5 + hw);
	}
	if (m1 >= 1 && m2 + 1 <= (double)k) {
		size_t lo = (size_t)floor(m1), hi = (size_t)ceil(m2 + 1);
		if (hi > k)
			hi = k;
		/* median_sort() left sl split at k / 2: the ranks below it
		 * lie before, those above after, so each search is halved */
		size_t h = k / 2;

		out->lo = lo - 1 < h ? select_k(sl, h, lo - 1) : select_k(sl, k, lo - 1);
		out->hi = hi - 1 > h ? select_k(sl + h + 1, k - h - 1, hi - 1 - h - 1)
				     : select_k(sl, k, hi - 1);
	}
	err = 0;
cleanup:
	free(q);
	free(sl);
	free(vv);
	return err;
}

/* ---- steps ---- */

#define STEP_W 5

/* Median over q[from..to] (to - from < STEP_W) of the values less the trend
 * b, taken relative to the point ref so large t and v keep precision. */
static double level(const struct ht_point *q, size_t from, size_t to, double b,
		    struct ht_point ref)
{
	double x[STEP_W];
	size_t n = 0;

	for (size_t k = from; k <= to && n < STEP_W; k++) {
		double v = (q[k].v - ref.v) - b * (q[k].t - ref.t);
		size_t a = n++;

		while (a > 0 && x[a - 1] > v) {		/* insertion sort */
			x[a] = x[a - 1];
			a--;
		}
		x[a] = v;
	}
	return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

int ht_trend_steps(const struct ht_point *p, size_t n, double k,
		   double min_size, struct ht_step *steps, size_t max,
		   size_t *nsteps)
{
	struct ht_point *q = NULL;
	double *r = NULL, *w = NULL, b = 0, med, sigma, thr, vmax = 0;
	size_t m, nd, nw = 0, found = 0;
	int err;

	if (!nsteps || (n && !p) || (max && !steps) || isnan(min_size))
		return -EINVAL;
	*nsteps = 0;
	if (k <= 0 || isnan(k))
		k = 6;
	err = clean_copy(p, n, &q, &m);
	if (err)
		return err;
	if (m < 4) {
		err = -ENODATA;
		goto cleanup;
	}
	nd = m - 1;
	r = malloc(nd * sizeof(*r));
	w = malloc(nd * sizeof(*w));
	if (!r || !w) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* the local trend: median of the consecutive slopes */
	for (size_t i = 0; i < nd; i++)
		if (q[i + 1].t > q[i].t)
			w[nw++] = (q[i + 1].v - q[i].v) / (q[i + 1].t - q[i].t);
	if (nw)
		b = median_sort(w, nw);
	for (size_t i = 0; i < nd; i++) {
		r[i] = (q[i + 1].v - q[i].v) - b * (q[i + 1].t - q[i].t);
		w[i] = r[i];
		if (fabs(q[i].v) > vmax)
			vmax = fabs(q[i].v);
	}
	if (fabs(q[nd].v) > vmax)
		vmax = fabs(q[nd].v);
	med = median_sort(w, nd);
	for (size_t i = 0; i < nd; i++)
		w[i] = fabs(r[i] - med);
	sigma = 1.4826 * median_sort(w, nd);
	if (sigma == 0) {
		/* Over half the differences equal (quantised values such as
		 * pages): the scaled mean absolute deviation instead. */
		double sum = 0;
		for (size_t i = 0; i < nd; i++)
			sum += w[i];
		sigma = 1.2533 * sum / (double)nd;
	}
	thr = k * sigma;
	if (thr < min_size)
		thr = min_size;
	if (thr < 1e-9 * vmax)
		thr = 1e-9 * vmax;	/* rounding is not a step */
	for (size_t i = 0; i < nd; ) {
		double d = r[i] - med, size;
		size_t j;

		if (!(fabs(d) > thr)) {
			i++;
			continue;
		}
		size = d;
		for (j = i + 1; j < nd; j++) {
			double e = r[j] - med;
			if (!(fabs(e) > thr) || (e > 0) != (d > 0))
				break;
			size += e;
		}
		/* points i+1..j are after the jump. A level shift persists: the
		 * median level of the STEP_W points after must differ from that
		 * of the STEP_W points before by half the jump. A spike (a
		 * buffer freed a sample or two later) does not, and is no step. */
		{
			double before = level(q, i + 1 > STEP_W ? i + 1 - STEP_W : 0, i, b, q[i]),
			       after = level(q, j, j + STEP_W - 1 < m - 1 ? j + STEP_W - 1 : m - 1,
					     b, q[i]);
			if (!((after - before) * size > 0 &&
			      fabs(after - before) > 0.5 * fabs(size))) {
				i = j;
				continue;
			}
		}
		if (found < max) {
			steps[found].index = i + 1;
			steps[found].t = q[i + 1].t;
			steps[found].size = size;
		}
		found++;
		i = j;
	}
	*nsteps = found;
	err = 0;
cleanup:
	free(q);
	free(r);
	free(w);
	return err;
}

/* The segment of q (m points) that starts at start: where it ends (the
 * next step at or after *si past start, or m) and the running means of its
 * t and v relative to its first point (*mt, *mv). */
static size_t segment(const struct ht_point *q, size_t m, const struct ht_step *steps,
		      size_t nsteps, size_t start, size_t *si, double *mt, double *mv)
{
	size_t end = m;

	while (*si < nsteps && steps[*si].index <= start)
		(*si)++;
	if (*si < nsteps && steps[*si].index < m)
		end = steps[*si].index;
	*mt = *mv = 0;
	for (size_t i = start; i < end; i++) {
		*mt += (q[i].t - q[start].t - *mt) / (double)(i - start + 1);
		*mv += (q[i].v - q[start].v - *mv) / (double)(i - start + 1);
	}
	return end;
}

int ht_trend_ols_segmented(const struct ht_point *p, size_t n,
			   const struct ht_step *steps, size_t nsteps,
			   double level, struct ht_fit *out)
{
	struct ht_point *q = NULL;
	double sxx = 0, syy = 0, sxy = 0, sse = 0, b, lt = NAN, lv = NAN;
	double lagsum = 0, prev = 0;
	size_t m, start = 0, si = 0, nseg = 0;
	int err;

	if (!out || (n && !p) || (nsteps && !steps) || bad_level(level))
		return -EINVAL;
	err = clean_copy(p, n, &q, &m);
	if (err)
		return err;
	if (m < 2) {
		fit_none(out, m, level);
		err = -ENODATA;
		goto cleanup;
	}
	/* pass 1: within-segment sums; segments end where a step starts */
	while (start < m) {
		double mt, mv;
		size_t end = segment(q, m, steps, nsteps, start, &si, &mt, &mv);

		for (size_t i = start; i < end; i++) {
			double dt = q[i].t - q[start].t - mt, dv = q[i].v - q[start].v - mv;
			sxx += dt * dt;
			syy += dv * dv;
			sxy += dt * dv;
		}
		lt = q[start].t + mt;
		lv = q[start].v + mv;
		nseg++;
		start = end;
	}
	b = sxx > 0 ? sxy / sxx : 0;
	/* pass 2: residuals around each segment's own level */
	start = 0;
	si = 0;
	while (start < m && sxx > 0) {
		double mt, mv;
		size_t end = segment(q, m, steps, nsteps, start, &si, &mt, &mv);

		for (size_t i = start; i < end; i++) {
			double e = (q[i].v - q[start].v - mv) - b * (q[i].t - q[start].t - mt);
			sse += e * e;
			if (i > start)
				lagsum += prev * e;	/* not across a step */
			prev = e;
		}
		start = end;
	}
	/* r2 is within segments: how much of the level changes inside the
	 * segments the common slope explains. */
	err = fit_finish(out, m, level, lt, lv, sxx, syy, sxy, sse,
			 (double)m - (double)nseg - 1,
			 m >= 3 && sse > 0 ? lagsum / sse : NAN);
cleanup:
	free(q);
	return err;
}

/* ---- time to a limit ---- */

static double eta_one(double room, double slope)
{
	return slope > 0 ? room / slope : INFINITY;
}

int ht_trend_eta(double current, double limit, double slope, double lo,
		 double hi, struct ht_eta *out)
{
	double room = limit - current;

	if (!out || !isfinite(current) || !isfinite(limit))
		return -EINVAL;
	if (room <= 0) {
		out->point = out->soonest = out->latest = 0;
		return 0;
	}
	out->point = eta_one(room, slope);
	out->soonest = eta_one(room, hi);
	out->latest = eta_one(room, lo);
	/* a NAN bound says nothing: the point estimate bounds that side */
	if (isnan(hi))
		out->soonest = out->point;
	if (out->soonest > out->point)
		out->soonest = out->point;
	if (out->latest < out->point)
		out->latest = out->point;
	return 0;
}

/* ---- all at once ---- */

void ht_trend_opts_default(struct ht_trend_opts *o)
{
	o->level = 0.95;
	o->step_k = 6;
	o->step_min = 0;
	o->max_steps = 3;
	o->recent_frac = 0.25;
	o->max_pairs = HT_TREND_MAX_PAIRS;
}

/* The troughs of a sawtooth: the lowest point of each segment between
 * downward steps. The segment before the first drop holds a real trough
 * only when it spans a whole cycle (at least 0.9 x the median segment
 * between two drops; with one drop, when its lowest point is not the
 * window's first): a window that starts mid-ramp has no trough there, and
 * its first point would pull the floor's rate down. Writes them over tr
 * (m entries room); returns how many. */
static size_t troughs(const struct ht_point *q, size_t m,
		      const struct ht_step *st, size_t nst, struct ht_point *tr)
{
	size_t k = 0, start = 0, si = 0, ndrop = 0, first_len = 0;
	double *len = malloc((nst ? nst : 1) * sizeof(*len)), med = NAN;
	size_t prev = SIZE_MAX;

	/* the lengths of the segments between two drops */
	for (size_t i = 0; i < nst; i++) {
		if (st[i].size > 0 || st[i].index == 0)
			continue;
		if (prev == SIZE_MAX)
			first_len = st[i].index;
		else if (len)
			len[ndrop++] = (double)(st[i].index - prev);
		prev = st[i].index;
	}
	if (len && ndrop)
		med = median_sort(len, ndrop);
	free(len);
	while (start < m) {
		size_t end = m, low = start;
		int real = 1;

		while (si < nst && (st[si].size > 0 || st[si].index <= start))
			si++;
		if (si < nst)
			end = st[si].index;
		for (size_t i = start + 1; i < end; i++)
			if (q[i].v < q[low].v)
				low = i;
		if (start == 0 && end < m)
			real = isnan(med) ? low > 0 : (double)first_len >= 0.9 * med;
		if (real)
			tr[k++] = q[low];
		start = end;
	}
	return k;
}

int ht_trend_analyze(const struct ht_point *p, size_t n,
		     const struct ht_trend_opts *o, struct ht_trend *out)
{
	struct ht_trend_opts def;
	struct ht_point *q = NULL, *tr = NULL;
	struct ht_step *st = NULL;
	size_t m, first, nst = 0, ndown = 0;
	double since;
	int err;

	if (!out || (n && !p))
		return -EINVAL;
	if (!o) {
		ht_trend_opts_default(&def);
		o = &def;
	}
	if (bad_level(o->level))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	err = clean_copy(p, n, &q, &m);
	if (err)
		return err;
	st = malloc((m ? m : 1) * sizeof(*st));
	tr = malloc((m ? m : 1) * sizeof(*tr));
	if (!st || !tr) {
		err = -ENOMEM;
		goto cleanup;
	}
	out->n = m;
	out->t_first = m ? q[0].t : NAN;
	out->t_last = m ? q[m - 1].t : NAN;
	err = ht_trend_ols(q, m, o->level, &out->ols);
	if (ht_trend_theil_sen(q, m, o->level, o->max_pairs, &out->ts) == -ENOMEM ||
	    ht_trend_steps(q, m, o->step_k, o->step_min, st, m, &nst) == -ENOMEM) {
		err = -ENOMEM;
		goto cleanup;
	}
	out->nsteps = nst;
	memcpy(out->steps, st, (nst < HT_TREND_MAX_STEPS ? nst : HT_TREND_MAX_STEPS) *
	       sizeof(*st));
	for (size_t i = 0; i < nst; i++)
		ndown += !(st[i].size > 0);
	out->ndown = ndown;
	out->rate = out->ols;
	out->mode = HT_TREND_PLAIN;
	if (ndown >= 2) {
		out->mode = HT_TREND_CYCLES;
		out->ntroughs = troughs(q, m, st, nst, tr);
		ht_trend_ols(tr, out->ntroughs, o->level, &out->rate);
		if (ht_trend_mann_kendall(tr, out->ntroughs, &out->mk) == -ENOMEM) {
			err = -ENOMEM;
			goto cleanup;
		}
	} else if (ndown == 0 && nst >= 1 && nst <= o->max_steps &&
		   ht_trend_ols_segmented(q, m, st, nst, o->level, &out->rate) == 0) {
		double off = 0;
		size_t si = 0;

		out->mode = HT_TREND_STEPS;
		out->steps_excluded = 1;
		for (size_t i = 0; i < m; i++) {
			while (si < nst && st[si].index == i)
				off += st[si++].size;
			q[i].v -= off;
		}
	} else {
		out->rate = out->ols;
	}
	if (out->mode != HT_TREND_CYCLES &&
	    ht_trend_mann_kendall(q, m, &out->mk) == -ENOMEM) {
		err = -ENOMEM;
		goto cleanup;
	}
	since = m ? q[m - 1].t - o->recent_frac * (q[m - 1].t - q[0].t) : 0;
	for (first = 0; first < m && q[first].t < since; first++)
		;
	ht_trend_ols(q + first, m - first, o->level, &out->recent);
cleanup:
	free(q);
	free(st);
	free(tr);
	return err;
}
