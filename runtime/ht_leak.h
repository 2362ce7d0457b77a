/* Leak verdicts: is this memory series a leak, how fast, and when does it
 * hit the nearest limit.
 *
 * Input is a series of (t seconds, bytes) points in time order (an
 * ht_series copy: a process's RSS, a cgroup's memory.current, or the
 * system's used memory, MemTotal - MemAvailable), plus what is known about
 * the subject now: its age, current size, anonymous memory and the limits
 * it can run into. ht_leak_analyze() runs ht_trend_analyze() and applies
 * the rules below; it allocates nothing the caller frees and never prints.
 *
 * The rules, in order (the first that applies decides; see the reason):
 * 1. The first warmup_s of the subject's life are not used (start-up
 *    allocations are not a rate); a subject younger than min_age_s, or
 *    with fewer than min_points (or less than min_span_s) left, is
 *    INCONCLUSIVE (young, too few points).
 * 2. Memory given back (one or more downward steps, a GC-like sawtooth;
 *    a step is a jump far above the noise and at least step_min_frac of
 *    the range and min_growth bytes):
 *    only a significantly rising floor (the troughs) is a leak; else NOT
 *    LEAKING (sawtooth).
 * 3. One-off upward steps (1 to 3 jumps far above the noise) are removed
 *    before the rate is taken: a large allocation is a step, not a rate.
 *    If no significant climb is left (see 5): NOT LEAKING (step).
 * 4. The recent window (the last quarter of the span) grows much slower
 *    than the whole: its slope below 0.1 x the rate, or its CI's upper
 *    bound below plateau_ratio x the rate: NOT LEAKING (plateau).
 * 5. No significant climb: Mann-Kendall's p (S's variance inflated for the
 *    lag-1 correlation left around a line per quarter, so that a curve is
 *    not taken for correlated noise) >= alpha, or the slope's CI reaches 0,
 *    or some quarter of the span does not climb, or the series wanders
 *    like a random walk (its variance around the quarter lines over 4
 *    times half the variance of its steps, quarters of 20 points or more)
 *    and its mean step is not significantly above 0 (a walk of allocations
 *    that drifted by chance; a leak in bursts does drift): NOT LEAKING
 *    (shrinking, or flat when the growth over the span is below
 *    min_growth bytes), else INCONCLUSIVE (noisy).
 * 6. Growth over the span below min_growth bytes: NOT LEAKING (small).
 * 7. R^2 below min_r2: INCONCLUSIVE (noisy).
 * 8. Else LEAKING (growing; with steps excluded when rule 3 removed some).
 * 9. Never "not leaking" while the data cannot tell: a NOT LEAKING whose
 *    interval still holds a rate that fills the nearest limit within
 *    horizon_s (the CI's upper bound, or for a plateau the recent
 *    window's, above headroom / horizon_s) is INCONCLUSIVE (undecided).
 * 10. A leak that began inside the window: when memory was not given
 *    back and a fit "flat, then a line from some point on" (min_points
 *    or more on each side) leaves under half the residual of one line,
 *    the part from that point (the onset) is judged alone by rules 2-8;
 *    a leak there is the verdict, at its own rate, with onset_ago_s.
 *    So a leak that starts late is reported fast, and at its rate, not
 *    averaged with the flat time before it.
 * Every INCONCLUSIVE verdict says in decide_in_s how much longer the
 * series must run for a verdict: young, the time to the minimum age;
 * too few points, the time to min_points at the series' spacing; noisy
 * and undecided, the span at which the CI, narrowing as span^-3/2 (a
 * line through evenly spaced points with the noise seen), would leave
 * out 0 or the rate that fills the limit within horizon_s, whichever is
 * nearer (NAN when the interval decides already and another rule holds
 * the verdict back). An estimate: the noise may change.
 */
#ifndef HT_LEAK_H
#define HT_LEAK_H

#include <stddef.h>
#include <stdint.h>
#include "ht_series.h"
#include "ht_trend.h"
#include "ht_sampler.h"		/* enum ht_limit_kind */

/* The smallest p reported: below it a double's erfc() underflows; a p
 * printed as 1e-300 means "1e-300 or less". */
#define HT_LEAK_P_MIN 1e-300

enum ht_leak_verdict {
	HT_LEAK_NO,		/* not leaking */
	HT_LEAK_INCONCLUSIVE,
	HT_LEAK_YES,		/* leaking */
};

enum ht_leak_reason {
	HT_LEAK_R_GROWING,	/* a steady, significant climb */
	HT_LEAK_R_YOUNG,	/* younger than min_age_s */
	HT_LEAK_R_FEW_POINTS,	/* too few points (or too short a span) */
	HT_LEAK_R_FLAT,		/* no significant trend, no real growth */
	HT_LEAK_R_SHRINKING,	/* a significant decline */
	HT_LEAK_R_SAWTOOTH,	/* memory given back, the floor not rising */
	HT_LEAK_R_STEP,		/* one-off allocations only */
	HT_LEAK_R_SMALL,	/* significant but below min_growth */
	HT_LEAK_R_PLATEAU,	/* grew, then stopped */
	HT_LEAK_R_NOISY,	/* growth buried in noise */
	HT_LEAK_R_UNDECIDED,	/* no climb shown, but its CI holds a rate
				   that fills the limit within the horizon */
};

struct ht_leak_opts {
	double level;		/* CI level; default 0.95 */
	double alpha;		/* Mann-Kendall p_ac threshold; default 0.01 */
	double min_age_s;	/* default 60 */
	double warmup_s;	/* default 30 */
	size_t min_points;	/* default 10 */
	double min_span_s;	/* default 0 */
	double min_growth;	/* bytes over the span; default 64 KiB */
	double min_r2;		/* default 0.5 */
	double plateau_ratio;	/* default 0.5 */
	double step_min_frac;	/* a step (up or down) is at least this
				   fraction of the series' range, and at least
				   min_growth bytes; default 0.05 */
	double horizon_s;	/* rule 9: how far ahead a limit matters;
				   default 86400 (a day); <= 0 turns it off */
};

void ht_leak_opts_default(struct ht_leak_opts *o);

/* What is known about the subject at the series' last point. Sizes in
 * bytes; -1 unknown. INT64_MAX means "no limit" for the limits. */
struct ht_leak_subject {
	double age_s;		/* since the subject started; NAN unknown (no
				   warm-up or age rule then) */
	int64_t current;	/* size now; -1: the last point's value */
	int64_t anon;		/* anonymous memory now */
	int64_t mem_available;	/* system headroom (MemAvailable) */
	int64_t cgroup_max;	/* memory.max of its cgroup */
	int64_t cgroup_current;	/* memory.current of its cgroup (-1: use
				   current) */
	int64_t rlimit_as;	/* soft RLIMIT_AS */
	int64_t vsize;		/* virtual size, against rlimit_as */
};

/* Sets every field unknown (age NAN, sizes -1). */
void ht_leak_subject_init(struct ht_leak_subject *s);

struct ht_leak {
	enum ht_leak_verdict verdict;
	enum ht_leak_reason reason;
	size_t n;		/* points used (after the warm-up) */
	double span_s;		/* their time span */
	double rate;		/* bytes/s (steps excluded, or the troughs'
				   rate for a sawtooth); NAN when none */
	double rate_lo, rate_hi; /* its CI at opts level */
	double r2;		/* NAN when none */
	double mk_p;		/* Mann-Kendall p, lag-1 corrected, at least
				   HT_LEAK_P_MIN; NAN none */
	double recent_rate;	/* slope over the last quarter; NAN none */
	int mode;		/* HT_TREND_PLAIN, _STEPS or _CYCLES */
	int steps_excluded;	/* 1: the rate has steps removed */
	size_t nsteps;		/* steps found (up and down) */
	double step_bytes;	/* total size of the upward steps */
	int64_t current, anon;	/* bytes; -1 unknown */
	enum ht_limit_kind limit_kind;	/* nearest limit; HT_LIMIT_NONE */
	int64_t limit_bytes;	/* -1 none */
	int64_t headroom;	/* bytes left before it; -1 none */
	struct ht_eta eta;	/* seconds until the limit at rate (and the CI
				   bounds); INFINITY when not growing or no
				   limit; set whatever the verdict */
	size_t nups, ndrops;	/* of nsteps: upward steps, and drops
				   (memory given back) */
	double onset_ago_s;	/* rule 10: the leak began this long before
				   the last point; NAN when it spans the
				   whole window (or no leak) */
	double decide_in_s;	/* INCONCLUSIVE: seconds more until a verdict
				   at the noise seen (rules 1 and 9); 0 when
				   decided; NAN when it cannot be told */
};

/* Analyses p[0..n-1] (time order, t in seconds, v in bytes) for subject s
 * (NULL: nothing known) with o (NULL: defaults). Fills *out. Returns 0,
 * -EINVAL (out NULL, p NULL with n > 0, bad level) or -ENOMEM. Too few
 * points is not an error: the verdict says so. */
int ht_leak_analyze(const struct ht_point *p, size_t n,
		    const struct ht_leak_subject *s,
		    const struct ht_leak_opts *o, struct ht_leak *out);

/* The nearest limit of s with current size cur: the smallest headroom
 * among the system (cur + MemAvailable), the cgroup's memory.max and
 * RLIMIT_AS (against vsize). Sets *kind (HT_LIMIT_NONE when none is
 * known), *limit and *headroom (-1 when none; headroom is never < 0). */
void ht_leak_nearest_limit(const struct ht_leak_subject *s, int64_t cur,
			   enum ht_limit_kind *kind, int64_t *limit,
			   int64_t *headroom);

/* "leaking", "not leaking", "inconclusive". */
const char *ht_leak_verdict_name(enum ht_leak_verdict v);
/* One word: "growing", "young", "few-points", "flat", "shrinking",
 * "sawtooth", "step", "small", "plateau", "noisy", "undecided". */
const char *ht_leak_reason_name(enum ht_leak_reason r);
/* "system", "cgroup", "rlimit-as", "none" (ht_limit_name's words, without
 * needing the sampler). */
const char *ht_leak_limit_name(enum ht_limit_kind k);

/* 1 when the analysis shows a positive trend: a rate whose CI lies above
 * 0 (what `leaks -a` lists), whatever the verdict. */
int ht_leak_positive(const struct ht_leak *l);

#endif
