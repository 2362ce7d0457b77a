/* Leak verdicts on top of ht_trend_analyze(): see ht_leak.h for the rules. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ht_leak.h"

void ht_leak_opts_default(struct ht_leak_opts *o)
{
	o->level = 0.95;
	o->alpha = 0.01;
	o->min_age_s = 60;
	o->warmup_s = 30;
	o->min_points = 10;
	o->min_span_s = 0;
	o->min_growth = 64 * 1024;
	o->min_r2 = 0.5;
	o->plateau_ratio = 0.5;
	o->step_min_frac = 0.05;
	o->horizon_s = 86400;
}

void ht_leak_subject_init(struct ht_leak_subject *s)
{
	s->age_s = NAN;
	s->current = s->anon = -1;
	s->mem_available = s->cgroup_max = s->cgroup_current = -1;
	s->rlimit_as = s->vsize = -1;
}

static void consider(enum ht_limit_kind k, int64_t limit, int64_t room,
		     enum ht_limit_kind *kind, int64_t *lim, int64_t *headroom)
{
	if (room < 0)
		room = 0;
	if (*kind == HT_LIMIT_NONE || room < *headroom) {
		*kind = k;
		*lim = limit;
		*headroom = room;
	}
}

void ht_leak_nearest_limit(const struct ht_leak_subject *s, int64_t cur,
			   enum ht_limit_kind *kind, int64_t *limit,
			   int64_t *headroom)
{
	*kind = HT_LIMIT_NONE;
	*limit = *headroom = -1;
	if (!s)
		return;
	if (s->mem_available >= 0 && cur >= 0)
		consider(HT_LIMIT_SYSTEM, cur + s->mem_available,
			 s->mem_available, kind, limit, headroom);
	if (s->cgroup_max >= 0 && s->cgroup_max != INT64_MAX) {
		int64_t used = s->cgroup_current >= 0 ? s->cgroup_current : cur;
		if (used >= 0)
			consider(HT_LIMIT_CGROUP, s->cgroup_max,
				 s->cgroup_max - used, kind, limit, headroom);
	}
	if (s->rlimit_as >= 0 && s->rlimit_as != INT64_MAX && s->vsize >= 0)
		consider(HT_LIMIT_RLIMIT_AS, s->rlimit_as,
			 s->rlimit_as - s->vsize, kind, limit, headroom);
}

const char *ht_leak_verdict_name(enum ht_leak_verdict v)
{
	switch (v) {
	case HT_LEAK_NO: return "not leaking";
	case HT_LEAK_INCONCLUSIVE: return "inconclusive";
	case HT_LEAK_YES: return "leaking";
	}
	return "?";
}

const char *ht_leak_reason_name(enum ht_leak_reason r)
{
	static const char *const names[] = {
		[HT_LEAK_R_GROWING] = "growing",
		[HT_LEAK_R_YOUNG] = "young",
		[HT_LEAK_R_FEW_POINTS] = "few-points",
		[HT_LEAK_R_FLAT] = "flat",
		[HT_LEAK_R_SHRINKING] = "shrinking",
		[HT_LEAK_R_SAWTOOTH] = "sawtooth",
		[HT_LEAK_R_STEP] = "step",
		[HT_LEAK_R_SMALL] = "small",
		[HT_LEAK_R_PLATEAU] = "plateau",
		[HT_LEAK_R_NOISY] = "noisy",
		[HT_LEAK_R_UNDECIDED] = "undecided",
	};

	if ((unsigned)r < sizeof(names) / sizeof(names[0]))
		return names[r];
	return "?";
}

const char *ht_leak_limit_name(enum ht_limit_kind k)
{
	switch (k) {
	case HT_LIMIT_NONE: return "none";
	case HT_LIMIT_SYSTEM: return "system";
	case HT_LIMIT_CGROUP: return "cgroup";
	case HT_LIMIT_RLIMIT_AS: return "rlimit-as";
	}
	return "?";
}

int ht_leak_positive(const struct ht_leak *l)
{
	return l->rate > 0 && l->rate_lo > 0;
}

static void decide(struct ht_leak *out, enum ht_leak_verdict v,
		   enum ht_leak_reason r)
{
	out->verdict = v;
	out->reason = r;
}

/* The series (less its steps when steps were excluded) cut into up to 4
 * blocks of at least 5 points by index, a line fitted to each. */
struct blocks {
	size_t n, up;		/* blocks, and those whose own slope is > 0 */
	double rho;		/* lag-1 autocorrelation of the residuals around
				   the block lines: a line per block follows a
				   curve (a leak that slows or speeds up), so
				   what is left is the noise's own: near 0 for
				   independent noise, near 1 for a random walk
				   of allocations; NAN when unknown */
	double walk;		/* residual variance over half the variance of
				   consecutive differences: about 1 for noise
				   around a trend, about points per block / 6
				   for a random walk (variance-ratio idea) */
	double drift_t;		/* mean consecutive difference over its
				   standard error: the drift test for a walk */
	size_t nd;		/* differences used */
};

static void blocks_fit(const struct ht_point *p, size_t m,
		       const struct ht_trend *tr, struct blocks *bl)
{
	size_t k = m / 5 < 4 ? m / 5 : 4, si = 0;
	double off = 0, num = 0, den = 0, md = 0, sdd = 0, *v;

	memset(bl, 0, sizeof(*bl));
	bl->rho = bl->walk = bl->drift_t = NAN;
	if (k < 1 || !(v = malloc(m * sizeof(*v))))
		return;
	bl->n = k;
	for (size_t i = 0; i < m; i++) {
		while (tr->steps_excluded && si < tr->nsteps &&
		       si < HT_TREND_MAX_STEPS && tr->steps[si].index == i)
			off += tr->steps[si++].size;
		v[i] = p[i].v - off;
	}
	for (size_t b = 0; b < k; b++) {
		size_t lo = m * b / k, hi = m * (b + 1) / k;
		double mt = 0, mv = 0, stt = 0, stv = 0, slope, prev = 0;

		for (size_t i = lo; i < hi; i++) {
			mt += (p[i].t - p[lo].t - mt) / (double)(i - lo + 1);
			mv += (v[i] - v[lo] - mv) / (double)(i - lo + 1);
		}
		for (size_t i = lo; i < hi; i++) {
			double dt = p[i].t - p[lo].t - mt;
			stt += dt * dt;
			stv += dt * (v[i] - v[lo] - mv);
		}
		slope = stt > 0 ? stv / stt : 0;
		bl->up += slope > 0;
		for (size_t i = lo; i < hi; i++) {
			double e = (v[i] - v[lo] - mv) - slope * (p[i].t - p[lo].t - mt);

			den += e * e;
			if (i > lo)
				num += prev * e;
			prev = e;
		}
	}
	/* consecutive differences (Welford) */
	for (size_t i = 1; i < m; i++) {
		double d = v[i] - v[i - 1], delta = d - md;

		bl->nd++;
		md += delta / (double)bl->nd;
		sdd += delta * (d - md);
	}
	if (den > 0)
		bl->rho = num / den;
	if (bl->nd >= 3 && sdd > 0 && m > 2 * k) {
		double var_d = sdd / (double)(bl->nd - 1);

		bl->walk = den / (double)(m - 2 * k) / (var_d / 2);
		bl->drift_t = md / sqrt(var_d / (double)bl->nd);
	}
	free(v);
}

/* Mann-Kendall's two-sided p with S's variance inflated by
 * (1 + rho) / (1 - rho) for rho > 0 (Yue and Wang's lag-1 form). */
static double mk_p_rho(const struct ht_mk *mk, double rho)
{
	double var = mk->var_s, z, p;

	if (!(var > 0) || mk->s == 0)
		return 1;
	if (rho > 0.999)
		return 1;
	if (rho > 0)
		var *= (1 + rho) / (1 - rho);
	z = (fabs((double)mk->s) - 1) / sqrt(var);
	p = erfc(z / M_SQRT2);	/* 2(1 - Phi(z)), without its cancellation */
	return p < HT_LEAK_P_MIN ? HT_LEAK_P_MIN : p;
}

/* Applies rules 2 to 8 of ht_leak.h to a finished trend analysis. */
static void judge(const struct ht_point *p, size_t m,
		  const struct ht_trend *tr, const struct ht_leak_opts *o,
		  struct ht_leak *out, double *recent_hi)
{
	struct blocks bl = { .rho = NAN, .walk = NAN, .drift_t = NAN };
	size_t ndown = 0;
	double growth = out->rate * out->span_s;
	int up;

	for (size_t i = 0; i < tr->nsteps && i < HT_TREND_MAX_STEPS; i++) {
		if (tr->steps[i].size > 0)
			out->step_bytes += tr->steps[i].size;
	}
	ndown = tr->ndown;
	out->ndrops = ndown;
	out->nups = tr->nsteps - ndown;
	out->step_bytes = round(out->step_bytes);
	/* significance: Mann-Kendall with the correlation left around a
	 * line per block (a curve is not noise); for a sawtooth, on the
	 * troughs as ht_trend gives it */
	if (tr->mode != HT_TREND_CYCLES) {
		blocks_fit(p, m, tr, &bl);
		out->mk_p = mk_p_rho(&tr->mk, isnan(bl.rho) ? tr->mk.rho1 : bl.rho);
	}
	/* a leak climbs in every block; a random walk that drifted by chance
	 * rarely does (1 in 2^blocks) */
	up = tr->mk.s > 0 && out->mk_p < o->alpha && out->rate > 0 &&
	     out->rate_lo > 0 && bl.up == bl.n;
	/* a series that wanders like a random walk (allocations and frees
	 * that do not cancel out at once) must also drift: its mean step
	 * significantly above 0, as a leak that comes in bursts does */
	if (bl.n && m / bl.n >= 20 && bl.walk > 4)
		up = up && bl.drift_t > 0 &&
		     2 * (1 - ht_normal_cdf(bl.drift_t)) < o->alpha;

	/* 2: memory given back. Fewer than two drops leave ht_trend in
	 * PLAIN mode, whose rate then mixes climbs and drops: two or fewer
	 * troughs can never show a rising floor, so that is a sawtooth too. */
	if (tr->mode == HT_TREND_CYCLES || ndown > 0) {
		if (tr->mode == HT_TREND_CYCLES && up && growth >= o->min_growth &&
		    !(out->r2 < o->min_r2))
			decide(out, HT_LEAK_YES, HT_LEAK_R_GROWING);
		else
			decide(out, HT_LEAK_NO, HT_LEAK_R_SAWTOOTH);
		return;
	}
	/* 3: only the steps made it grow */
	if (!up && tr->mode == HT_TREND_STEPS) {
		decide(out, HT_LEAK_NO, HT_LEAK_R_STEP);
		return;
	}
	/* 4: a climb that stopped is no leak, significant or not */
	if (out->rate > 0 && out->rate * out->span_s >= o->min_growth &&
	    isfinite(out->recent_rate) &&
	    (out->recent_rate < 0.1 * out->rate ||
	     (isfinite(tr->recent.hi) && tr->recent.hi < o->plateau_ratio * out->rate))) {
		*recent_hi = tr->recent.hi;
		decide(out, HT_LEAK_NO, HT_LEAK_R_PLATEAU);
		return;
	}
	/* 5 */
	if (!up) {
		if (out->rate < 0 && out->rate_hi < 0 && tr->mk.p_ac < o->alpha)
			decide(out, HT_LEAK_NO, HT_LEAK_R_SHRINKING);
		else if (!(growth >= o->min_growth))
			decide(out, HT_LEAK_NO, HT_LEAK_R_FLAT);
		else
			decide(out, HT_LEAK_INCONCLUSIVE, HT_LEAK_R_NOISY);
		return;
	}
	/* 6 */
	if (!(growth >= o->min_growth)) {
		decide(out, HT_LEAK_NO, HT_LEAK_R_SMALL);
		return;
	}
	/* 7 */
	if (out->r2 < o->min_r2) {
		decide(out, HT_LEAK_INCONCLUSIVE, HT_LEAK_R_NOISY);
		return;
	}
	decide(out, HT_LEAK_YES, HT_LEAK_R_GROWING);
}

/* Rule 9's rate: the one that fills the headroom within the horizon;
 * NAN when no limit is known or the rule is off. */
static double filling_rate(const struct ht_leak *l, const struct ht_leak_opts *o)
{
	if (!(o->horizon_s > 0) || l->headroom < 0)
		return NAN;
	return (double)l->headroom / o->horizon_s;
}

/* The span at which the CI, now half-width w over span_s and shrinking as
 * span^-3/2, would leave out 0 or the filling rate fill (NAN: 0 only):
 * the seconds more it takes. */
static double ci_decide_in(const struct ht_leak *l, double fill)
{
	double w = (l->rate_hi - l->rate_lo) / 2, r = l->rate, need;

	if (!(w > 0) || !isfinite(r) || !(l->span_s > 0))
		return NAN;
	if (!isfinite(fill))
		need = fabs(r);
	else if (r <= 0)
		need = fill - r;
	else if (r >= fill)
		need = r;
	else
		need = r > fill - r ? r : fill - r;
	if (!(need > 0))
		return NAN;
	if (w <= need)
		return 0;
	return l->span_s * (pow(w / need, 2.0 / 3.0) - 1);
}

/* Rule 9 and decide_in_s (see ht_leak.h). */
static void undecided(struct ht_leak *l, const struct ht_leak_subject *s,
		      const struct ht_leak_opts *o, double recent_hi)
{
	double fill = filling_rate(l, o);
	double hi = l->reason == HT_LEAK_R_PLATEAU ? recent_hi : l->rate_hi;

	if (l->verdict == HT_LEAK_NO && l->reason != HT_LEAK_R_SHRINKING && isfinite(fill) &&
	    isfinite(hi) && hi > fill)
		decide(l, HT_LEAK_INCONCLUSIVE, HT_LEAK_R_UNDECIDED);
	l->decide_in_s = 0;
	if (l->verdict != HT_LEAK_INCONCLUSIVE)
		return;
	if (l->reason == HT_LEAK_R_YOUNG)
		l->decide_in_s = o->min_age_s - s->age_s;
	else if (l->reason == HT_LEAK_R_FEW_POINTS)
		l->decide_in_s = l->n >= 2 && l->n < o->min_points && l->span_s > 0 ?
			(double)(o->min_points - l->n) * l->span_s / (double)(l->n - 1) : NAN;
	else
		l->decide_in_s = ci_decide_in(l, fill);
	/* rule 7's R^2: the trend's share grows as span^2 against the noise */
	if (l->reason == HT_LEAK_R_NOISY && l->decide_in_s == 0 && l->r2 > 0 && l->r2 < 1 &&
	    o->min_r2 < 1 && l->r2 < o->min_r2)
		l->decide_in_s = l->span_s * (sqrt((o->min_r2 / (1 - o->min_r2)) /
						   (l->r2 / (1 - l->r2))) - 1);
	/* the interval decides already, another rule holds it back: no
	 * estimate of when that rule lets go */
	if (l->decide_in_s == 0)
		l->decide_in_s = NAN;
}

/* The least-squares "flat, then a line from t[k]" fit to p[0..m-1]: the k
 * (min_tail points or more after it, as many before) whose sum of squared
 * residuals is the smallest, in *sse; the plain line's in *sse_line.
 * Suffix sums keep it O(m). 0 when there is no room for one. */
static size_t best_onset(const struct ht_point *p, size_t m, size_t min_tail,
			 double *sse, double *sse_line)
{
	double st = 0, sv = 0, stt = 0, stv = 0, svv = 0, best = INFINITY;
	double at = 0, av = 0, att = 0, atv = 0;	/* all points */
	size_t k_best = 0;

	*sse = *sse_line = NAN;
	if (m < 2 * min_tail || min_tail < 3)
		return 0;
	/* values relative to the first point, times to the last: no
	 * cancellation in the sums */
	for (size_t i = 0; i < m; i++) {
		double t = p[i].t - p[m - 1].t, v = p[i].v - p[0].v;

		at += t; av += v; att += t * t; atv += t * v; svv += v * v;
	}
	{
		double cov = atv - at * av / (double)m, var = att - at * at / (double)m;

		*sse_line = svv - av * av / (double)m - (var > 0 ? cov * cov / var : 0);
	}
	/* suffix sums of t, v, t^2, t v over i >= k, for k from the end */
	for (size_t k = m; k-- > 0;) {
		double t = p[k].t - p[m - 1].t, v = p[k].v - p[0].v;
		size_t tail = m - k;

		st += t; sv += v; stt += t * t; stv += t * v;
		if (tail < min_tail || k < min_tail)
			continue;
		{
			/* x = t - t_k on the tail, 0 before: regress v on (1, x) */
			double tk = t, sx = st - (double)tail * tk;
			double sxx = stt - 2 * tk * st + (double)tail * tk * tk;
			double sxv = stv - tk * sv;
			double mx = sx / (double)m, mv = av / (double)m;
			double cxx = sxx - (double)m * mx * mx, cxv = sxv - (double)m * mx * mv;
			double e = svv - (double)m * mv * mv - (cxx > 0 ? cxv * cxv / cxx : 0);

			if (e < best) {
				best = e;
				k_best = k;
			}
		}
	}
	*sse = best;
	return k_best;
}

static int analyze(const struct ht_point *p, size_t n, const struct ht_leak_subject *s,
		   const struct ht_leak_opts *o, struct ht_leak *out, int find_onset);

/* A leak that began inside the window (rule 10 of ht_leak.h): the
 * flat-then-rising fit, far better than one line, whose rising part alone
 * is judged a leak by rules 1-8, is reported at that part's rate, with
 * its onset. Only where no memory was given back (a sawtooth's climb is
 * no onset). */
static int late_onset(const struct ht_point *p, size_t m, const struct ht_leak_subject *s,
		      const struct ht_leak_opts *o, struct ht_leak *out)
{
	struct ht_leak_subject ts;
	struct ht_leak tail;
	double sse, sse_line;
	size_t k;
	int err;

	if (out->ndrops || out->mode == HT_TREND_CYCLES || out->reason == HT_LEAK_R_YOUNG ||
	    out->reason == HT_LEAK_R_FEW_POINTS)
		return 0;
	k = best_onset(p, m, o->min_points, &sse, &sse_line);
	if (!k || !(sse <= 0.5 * sse_line))
		return 0;
	if (s)
		ts = *s;
	else
		ht_leak_subject_init(&ts);
	ts.age_s = NAN;			/* old enough: the whole window said so */
	err = analyze(p + k, m - k, &ts, o, &tail, 0);
	if (err || tail.verdict != HT_LEAK_YES)
		return err;
	tail.onset_ago_s = p[m - 1].t - p[k].t;
	*out = tail;
	return 0;
}

int ht_leak_analyze(const struct ht_point *p, size_t n,
		    const struct ht_leak_subject *s,
		    const struct ht_leak_opts *o, struct ht_leak *out)
{
	return analyze(p, n, s, o, out, 1);
}

static int analyze(const struct ht_point *p, size_t n, const struct ht_leak_subject *s,
		   const struct ht_leak_opts *o, struct ht_leak *out, int find_onset)
{
	struct ht_leak_opts def;
	struct ht_trend_opts to;
	struct ht_trend *tr = NULL;
	size_t first = 0, m;
	double cur;
	int young, err = 0;
	double recent_hi = NAN;

	if (!out || (n && !p))
		return -EINVAL;
	if (!o) {
		ht_leak_opts_default(&def);
		o = &def;
	}
	if (!(o->level > 0 && o->level < 1))
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->rate = out->rate_lo = out->rate_hi = NAN;
	out->r2 = out->mk_p = out->recent_rate = out->span_s = out->decide_in_s = NAN;
	out->onset_ago_s = NAN;
	out->eta.point = out->eta.soonest = out->eta.latest = INFINITY;
	out->anon = s ? s->anon : -1;
	cur = s && s->current >= 0 ? (double)s->current : (n ? p[n - 1].v : NAN);
	out->current = isfinite(cur) ? (int64_t)cur : -1;
	ht_leak_nearest_limit(s, out->current, &out->limit_kind,
			      &out->limit_bytes, &out->headroom);

	/* 1: the warm-up, the minimum age, enough points */
	young = s && isfinite(s->age_s) && s->age_s < o->min_age_s;
	if (n && s && isfinite(s->age_s)) {
		double since = p[n - 1].t - s->age_s + o->warmup_s;
		while (first < n && p[first].t < since)
			first++;
	}
	m = n - first;
	out->n = m;
	out->span_s = m ? p[n - 1].t - p[first].t : 0;

	tr = malloc(sizeof(*tr));
	if (!tr)
		return -ENOMEM;
	if (m >= 3) {
		struct ht_trend_opts *top = &to;

		double vmin = INFINITY, vmax = -INFINITY;

		ht_trend_opts_default(top);
		top->level = o->level;
		/* a jump is a step only when it matters: jitter of a chunk or
		 * two in a smooth climb is not memory given back */
		for (size_t i = first; i < n; i++) {
			if (p[i].v < vmin)
				vmin = p[i].v;
			if (p[i].v > vmax)
				vmax = p[i].v;
		}
		top->step_min = o->step_min_frac * (vmax - vmin);
		if (!(top->step_min >= o->min_growth))
			top->step_min = o->min_growth;
		err = ht_trend_analyze(p + first, m, top, tr);
		if (err == -ENOMEM || err == -EINVAL)
			goto cleanup;
		err = 0;
		out->n = tr->n;
		out->rate = tr->rate.slope;
		out->rate_lo = tr->rate.lo;
		out->rate_hi = tr->rate.hi;
		out->r2 = tr->rate.r2;
		out->mk_p = tr->mk.p_ac < HT_LEAK_P_MIN ? HT_LEAK_P_MIN : tr->mk.p_ac;
		out->recent_rate = tr->recent.slope;
		out->mode = tr->mode;
		out->steps_excluded = tr->steps_excluded;
		out->nsteps = tr->nsteps;
	}
	if (young)
		decide(out, HT_LEAK_INCONCLUSIVE, HT_LEAK_R_YOUNG);
	else if (m < 3 || out->n < o->min_points || out->n < 3 ||
		 !(out->span_s >= o->min_span_s) || !isfinite(out->rate))
		decide(out, HT_LEAK_INCONCLUSIVE, HT_LEAK_R_FEW_POINTS);
	else
		judge(p + first, m, tr, o, out, &recent_hi);
	if (find_onset && !young && m >= 3 && (err = late_onset(p + first, m, s, o, out)))
		goto cleanup;

	if (out->current >= 0 && out->headroom >= 0 && isfinite(out->rate))
		ht_trend_eta((double)out->current,
			     (double)out->current + (double)out->headroom,
			     out->rate, out->rate_lo, out->rate_hi, &out->eta);
	undecided(out, s, o, recent_hi);
cleanup:
	free(tr);
	return err;
}
