/* Leak verdicts on synthetic series with known answers, one per rule of
 * ht_leak.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "ht_leak.h"
#include "ht_test.h"

#define MiB (1024.0 * 1024.0)
#define N_MAX 4096

static struct ht_point pts[N_MAX];

/* splitmix64 and Box-Muller: the same series on every run */
static uint64_t rng_state;

static double uniform(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

/* RSS is counted in pages */
static double pages(double v)
{
	return 4096.0 * floor(v / 4096.0);
}

static struct ht_leak_subject aged(double age)
{
	struct ht_leak_subject s;

	ht_leak_subject_init(&s);
	s.age_s = age;
	return s;
}

static void run(size_t n, const struct ht_leak_subject *s,
		const struct ht_leak_opts *o, struct ht_leak *l)
{
	CHECK_INT(ht_leak_analyze(pts, n, s, o, l), 0);
}

/* steady leak: 1000 B/s, sampled every 10 s for an hour, page-sized noise */
static void test_steady(void)
{
	struct ht_leak_subject s = aged(7200);
	struct ht_leak l;
	size_t n = 360;


	rng_state = 1;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 1000 + 10.0 * i;
		pts[i].v = pages(50 * MiB + 1000.0 * 10 * i + 8192 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_INT(l.reason, HT_LEAK_R_GROWING);
	CHECK_NEAR(l.rate, 1000, 20);
	CHECK(l.rate_lo < 1000 && l.rate_hi > 1000);
	CHECK(l.rate_lo > 0);
	CHECK(l.r2 > 0.99);
	CHECK(l.mk_p < 1e-6);
	CHECK_INT(l.steps_excluded, 0);
	CHECK_INT(l.n, n);
	CHECK(ht_leak_positive(&l));
	CHECK_STR(ht_leak_verdict_name(l.verdict), "leaking");
	/* a trend so strong that 2(1 - Phi(z)) is 0: p stays above 0, down
	 * to 1e-300 */
	for (size_t i = 0; i < 2000; i++) {
		pts[i].t = i;
		pts[i].v = 50 * MiB + 4096.0 * i + 512 * gauss();
	}
	run(2000, &s, NULL, &l);
	CHECK(l.mk_p > 0 && l.mk_p < 1e-100);
	CHECK(l.mk_p >= HT_LEAK_P_MIN);
}

/* slow leak counted in pages: 100 B/s (one page every 41 s) over 2 h */
static void test_slow_pages(void)
{
	struct ht_leak_subject s = aged(86400);
	struct ht_leak l;
	size_t n = 720;

	for (size_t i = 0; i < n; i++) {
		pts[i].t = 10.0 * i;
		pts[i].v = pages(8 * MiB + 100.0 * pts[i].t);
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_NEAR(l.rate, 100, 5);
}

/* flat with noise: no trend */
static void test_flat(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 300;

	rng_state = 2;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 2.0 * i;
		pts[i].v = pages(20 * MiB + 16384 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_FLAT);
	CHECK(!ht_leak_positive(&l) || l.rate * 600 < 65536);
	/* constant: the same */
	for (size_t i = 0; i < n; i++)
		pts[i].v = 20 * MiB;
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_FLAT);
	CHECK_NEAR(l.rate, 0, 0);
	CHECK(isinf(l.eta.point));
}

/* a random walk of allocations has no trend, but plain Mann-Kendall finds
 * one in most walks; a walk must also drift (its mean step significant), so
 * at alpha 0.01 at most one of 20 may pass by chance */
static void test_random_walk(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 400;
	int yes = 0, raw = 0;

	for (uint64_t seed = 10; seed < 30; seed++) {
		struct ht_trend tr;

		double v = 100 * MiB;

		rng_state = seed;
		for (size_t i = 0; i < n; i++) {
			v += 4096 * gauss();
			pts[i].t = i;
			pts[i].v = pages(v);
		}
		run(n, &s, NULL, &l);
		yes += l.verdict == HT_LEAK_YES;
		CHECK_INT(ht_trend_analyze(pts, n, NULL, &tr), 0);
		raw += tr.mk.p < 0.01;
	}
	CHECK(raw >= 15);
	CHECK(yes <= 1);
}

/* a leak that comes in bursts: 1 MiB at random moments, 0.1 a second on
 * average, sampled every second for an hour (a random walk with drift) */
static void test_bursts(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 3600;
	double v = 100 * MiB;
	int events = 0;

	rng_state = 8;
	for (size_t i = 0; i < n; i++) {
		if (uniform() < 0.1) {
			v += MiB;
			events++;
		}
		pts[i].t = i;
		pts[i].v = v;
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_NEAR(l.rate, events * MiB / 3600.0, 0.15 * events * MiB / 3600.0);
}

/* a fresh process is not judged, however fast it grows */
static void test_young(void)
{
	struct ht_leak_subject s = aged(40);
	struct ht_leak l;
	size_t n = 40;

	for (size_t i = 0; i < n; i++) {
		pts[i].t = 100 + i;
		pts[i].v = 10 * MiB + 1e6 * i;
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_INCONCLUSIVE);
	CHECK_INT(l.reason, HT_LEAK_R_YOUNG);
	CHECK_NEAR(l.rate, 1e6, 1);	/* the rate is still reported */
	/* older than min_age: judged, the points of its first 30 s left out */
	s.age_s = 60;			/* started at t = 79: t < 109 dropped */
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_INT(l.n, 31);
	s.age_s = 1000;
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_INT(l.n, 40);
}

/* start-up growth inside the warm-up is not a rate */
static void test_warmup(void)
{
	struct ht_leak_subject s;
	struct ht_leak_opts o;
	struct ht_leak l;
	size_t n = 120;

	/* the process started at t = 0: grows 2 MB/s for 20 s, then flat */
	for (size_t i = 0; i < n; i++) {
		pts[i].t = i;
		pts[i].v = 5 * MiB + 2e6 * (i < 20 ? i : 20) + 4096 * (i % 3);
	}
	s = aged(119);
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_FLAT);
	CHECK_INT(l.n, 90);		/* the first 30 s dropped */
	/* with no warm-up the start-up climb is in: a plateau, still not a leak */
	ht_leak_opts_default(&o);
	o.warmup_s = 0;
	run(n, &s, &o, &l);
	CHECK_INT(l.n, 120);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	/* too few points after the warm-up */
	o.warmup_s = 115;
	run(n, &s, &o, &l);
	CHECK_INT(l.verdict, HT_LEAK_INCONCLUSIVE);
	CHECK_INT(l.reason, HT_LEAK_R_FEW_POINTS);
}

/* grows, then plateaus */
static void test_plateau(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 500;

	rng_state = 3;
	for (size_t i = 0; i < n; i++) {
		double t = 2.0 * i;
		pts[i].t = t;
		pts[i].v = pages(30 * MiB + 20000 * (t < 600 ? t : 600) + 8192 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_PLATEAU);
	CHECK(l.rate > 0);		/* the whole-window rate is positive */
	CHECK(fabs(l.recent_rate) < 0.1 * l.rate);
	CHECK(ht_leak_positive(&l));	/* -a lists it */
	/* a leak that slows but keeps growing is still a leak */
	for (size_t i = 0; i < n; i++) {
		double t = 2.0 * i;
		pts[i].t = t;
		pts[i].v = pages(30 * MiB + 20000 * (t < 600 ? t : 600 + 0.7 * (t - 600)) +
				 8192 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
}

/* GC-like sawtooth: climbs 2 MB/s for 25 s, collects back to the floor */
static double saw(double t, double floor_rate)
{
	double ph = fmod(t, 30.0);

	return 40 * MiB + floor_rate * t + 2e6 * (ph < 25 ? ph : 0);
}

static void test_sawtooth(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 600;

	rng_state = 4;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = i;
		pts[i].v = pages(saw(i, 0) + 4096 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_SAWTOOTH);
	CHECK_INT(l.mode, HT_TREND_CYCLES);
	CHECK(l.nsteps >= 15);
	/* the collections are drops, not steps */
	CHECK(l.ndrops >= 15);
	CHECK_INT(l.nups + l.ndrops, l.nsteps);
	/* the floor rising 5 KB/s under the same sawtooth: a leak, at the
	 * floor's rate */
	for (size_t i = 0; i < n; i++) {
		pts[i].t = i;
		pts[i].v = pages(saw(i, 5000) + 4096 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_INT(l.mode, HT_TREND_CYCLES);
	CHECK_NEAR(l.rate, 5000, 750);
	/* a window that starts mid-ramp: its first point is no trough, the
	 * floor's rate is not biased low by it (nor a flat one negative) */
	for (size_t i = 0; i < 300; i++) {
		pts[i].t = i;
		pts[i].v = saw(i + 20, 5000);
	}
	run(300, &s, NULL, &l);
	CHECK_INT(l.mode, HT_TREND_CYCLES);
	CHECK_NEAR(l.rate, 5000, 100);
	for (size_t i = 0; i < 300; i++) {
		pts[i].t = i;
		pts[i].v = saw(i + 20, 0);
	}
	run(300, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK(fabs(l.rate) < 50);
	/* only one collection in the window: not a leak either */
	for (size_t i = 0; i < 50; i++) {
		pts[i].t = i;
		pts[i].v = pages(saw(i + 5, 0) + 4096 * gauss());
	}
	run(50, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_SAWTOOTH);
}

/* a one-off large allocation (a browser opening a page) is a step */
static void test_step(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 200;

	rng_state = 5;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 5.0 * i;
		pts[i].v = pages(60 * MiB + (i >= 90 ? 64 * MiB : 0) + 8192 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_STEP);
	CHECK_INT(l.steps_excluded, 1);
	CHECK_NEAR(l.step_bytes, 64 * MiB, 64 * 1024);
	CHECK(fabs(l.rate) < 50);
	/* a step over a real leak: the rate is the leak's, the step excluded */
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 5.0 * i;
		pts[i].v = pages(60 * MiB + 500.0 * pts[i].t + (i >= 90 ? 64 * MiB : 0) +
				 4096 * gauss());
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_INT(l.steps_excluded, 1);
	CHECK_NEAR(l.rate, 500, 25);
	/* the whole-window OLS would have said about 500 + 64 MiB / 1000 s */
}

/* growth buried in noise; too little growth */
static void test_noisy_small(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t n = 100;

	rng_state = 6;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = i;
		pts[i].v = 200 * MiB + 10000.0 * i + 1000000 * gauss();
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_INCONCLUSIVE);
	CHECK_INT(l.reason, HT_LEAK_R_NOISY);
	/* perfectly steady but tiny: 10 B/s over 1000 s is 10 KB */
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 10.0 * i;
		pts[i].v = 200 * MiB + 10.0 * pts[i].t;
	}
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_SMALL);
	CHECK_NEAR(l.rate, 10, 1e-6);
	/* shrinking */
	for (size_t i = 0; i < n; i++)
		pts[i].v = 200 * MiB - 5000.0 * pts[i].t;
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK_INT(l.reason, HT_LEAK_R_SHRINKING);
	/* too few points */
	run(5, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_INCONCLUSIVE);
	CHECK_INT(l.reason, HT_LEAK_R_FEW_POINTS);
	run(0, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_INCONCLUSIVE);
	CHECK(isnan(l.rate));
	CHECK_INT(ht_leak_analyze(NULL, 3, &s, NULL, &l), -EINVAL);
	CHECK_INT(ht_leak_analyze(pts, 3, &s, NULL, NULL), -EINVAL);
}

/* the nearest limit and the time to reach it */
static void test_limits(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	enum ht_limit_kind k;
	int64_t lim, room;
	size_t n = 100;

	for (size_t i = 0; i < n; i++) {
		pts[i].t = i;
		pts[i].v = 100e6 + 1e5 * i;	/* 100 KB/s, ends at 109.9 MB */
	}
	s.mem_available = 1000000000;	/* 1 GB free */
	s.anon = 90000000;
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_INT(l.limit_kind, HT_LIMIT_SYSTEM);
	CHECK_INT(l.current, 109900000);
	CHECK_INT(l.anon, 90000000);
	CHECK_INT(l.headroom, 1000000000);
	CHECK_INT(l.limit_bytes, 1109900000);
	CHECK_NEAR(l.eta.point, 10000, 1e-3);
	CHECK(l.eta.soonest <= l.eta.point && l.eta.latest >= l.eta.point);
	/* a cgroup with 50 MB left is nearer */
	s.cgroup_max = 300000000;
	s.cgroup_current = 250000000;
	run(n, &s, NULL, &l);
	CHECK_INT(l.limit_kind, HT_LIMIT_CGROUP);
	CHECK_INT(l.headroom, 50000000);
	CHECK_INT(l.limit_bytes, 300000000);
	CHECK_NEAR(l.eta.point, 500, 1e-6);
	/* "max" is no limit */
	s.cgroup_max = INT64_MAX;
	run(n, &s, NULL, &l);
	CHECK_INT(l.limit_kind, HT_LIMIT_SYSTEM);
	/* RLIMIT_AS 10 MB above the virtual size */
	s.rlimit_as = 2000000000;
	s.vsize = 1990000000;
	run(n, &s, NULL, &l);
	CHECK_INT(l.limit_kind, HT_LIMIT_RLIMIT_AS);
	CHECK_INT(l.headroom, 10000000);
	CHECK_NEAR(l.eta.point, 100, 1e-6);
	/* over the limit already: headroom 0, eta 0 */
	s.vsize = 2100000000;
	ht_leak_nearest_limit(&s, 109900000, &k, &lim, &room);
	CHECK_INT(k, HT_LIMIT_RLIMIT_AS);
	CHECK_INT(room, 0);
	/* nothing known */
	ht_leak_nearest_limit(NULL, 5, &k, &lim, &room);
	CHECK_INT(k, HT_LIMIT_NONE);
	CHECK_INT(lim, -1);
	CHECK_STR(ht_leak_limit_name(HT_LIMIT_CGROUP), "cgroup");
	CHECK_STR(ht_leak_reason_name(HT_LEAK_R_PLATEAU), "plateau");
}

/* the system verdict: used memory (MemTotal - MemAvailable) climbing while
 * MemAvailable shrinks; the page cache breathing is not a leak */
static void test_system(void)
{
	struct ht_leak_subject s;
	struct ht_leak l;
	size_t n = 300;
	double total = 8e9;

	ht_leak_subject_init(&s);
	rng_state = 7;
	for (size_t i = 0; i < n; i++) {
		pts[i].t = 2.0 * i;
		pts[i].v = 3e9 + 2e5 * pts[i].t + 2e6 * gauss();
	}
	s.mem_available = (int64_t)(total - pts[n - 1].v);
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK_NEAR(l.rate, 2e5, 2e3);
	CHECK_INT(l.limit_kind, HT_LIMIT_SYSTEM);
	CHECK_NEAR(l.eta.point, (double)s.mem_available / l.rate, 1);
	CHECK_NEAR(l.eta.point, (total - 3e9 - 2e5 * 598) / 2e5, 300);
	/* stable */
	for (size_t i = 0; i < n; i++)
		pts[i].v = 3e9 + 2e6 * gauss();
	run(n, &s, NULL, &l);
	CHECK(l.verdict != HT_LEAK_YES);
}

/* rule 9: a slow leak under churn of several MiB a second. Its CI holds
 * rates that would fill a small headroom within a day: never "not
 * leaking" then, but inconclusive with the time a verdict needs; with
 * room for years, or the rule off, the verdict of rules 2-8 stands */
static void test_undecided(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak_opts o;
	struct ht_leak l, base;
	size_t n = 120;

	double churn = 0;

	rng_state = 18;
	for (size_t i = 0; i < n; i++) {
		/* several MiB taken, most of it given back now and then */
		if (uniform() < 0.25)
			churn *= 0.5 * uniform();
		else
			churn += 3 * MiB * uniform();
		pts[i].t = i;
		pts[i].v = pages(50 * MiB + 65536.0 * i + churn);
	}
	ht_leak_opts_default(&o);
	o.horizon_s = 0;
	s.current = (int64_t)pts[n - 1].v;
	s.mem_available = 2048 * (int64_t)MiB;
	run(n, &s, &o, &base);
	CHECK(base.rate_lo < 65536 && base.rate_hi > 65536);
	run(n, &s, NULL, &l);
	if (base.verdict == HT_LEAK_NO) {
		CHECK_INT(l.verdict, HT_LEAK_INCONCLUSIVE);
		CHECK_INT(l.reason, HT_LEAK_R_UNDECIDED);
	}
	CHECK(l.verdict != HT_LEAK_NO);
	CHECK(l.decide_in_s > 0 && isfinite(l.decide_in_s));
	/* a terabyte of room: rate_hi fills it in years; rules 2-8 decide */
	s.mem_available = (int64_t)1 << 40;
	run(n, &s, NULL, &l);
	CHECK_INT(l.verdict, base.verdict);
	CHECK_INT(l.reason, base.reason);
	/* a decided verdict needs no more time; young needs its minimum age */
	CHECK(base.verdict == HT_LEAK_INCONCLUSIVE || base.decide_in_s == 0);
	s = aged(20);
	run(n, &s, NULL, &l);
	CHECK_INT(l.reason, HT_LEAK_R_YOUNG);
	CHECK_NEAR(l.decide_in_s, 40, 1e-9);
}

/* rule 10: a long-running process that starts leaking 128 KiB/s after a
 * flat minute is a leak within 30 s of the onset at 1 s, at its own rate;
 * warm-up caches, a one-off step and a flat series stay what they were */
static void test_onset(void)
{
	struct ht_leak_subject s = aged(1e5);
	struct ht_leak l;
	size_t flat = 90, after;

	for (after = 10; after <= 30; after++) {
		rng_state = 40;
		for (size_t i = 0; i < flat + after; i++) {
			pts[i].t = i;
			pts[i].v = pages(80 * MiB + (i > flat ? 131072.0 * (i - flat) : 0) +
					 8192 * gauss());
		}
		run(flat + after, &s, NULL, &l);
		if (l.verdict == HT_LEAK_YES)
			break;
	}
	CHECK_INT(l.verdict, HT_LEAK_YES);
	CHECK(after <= 30);
	CHECK_NEAR(l.rate, 131072, 131072 * 0.1);
	CHECK(isfinite(l.onset_ago_s) && fabs(l.onset_ago_s - (double)(after - 1)) <= 3);
	/* a cache that warms up, then holds: no onset, no leak */
	rng_state = 41;
	for (size_t i = 0; i < 180; i++) {
		pts[i].t = i;
		pts[i].v = pages(80 * MiB + 40 * MiB * (1 - exp(-(double)i / 20)) + 8192 * gauss());
	}
	run(180, &s, NULL, &l);
	CHECK(l.verdict != HT_LEAK_YES);
	/* a one-off 64 MiB allocation, flat around it */
	rng_state = 42;
	for (size_t i = 0; i < 120; i++) {
		pts[i].t = i;
		pts[i].v = pages(80 * MiB + (i >= 70 ? 64 * MiB : 0) + 8192 * gauss());
	}
	run(120, &s, NULL, &l);
	CHECK(l.verdict != HT_LEAK_YES);
	/* flat: nothing starts */
	rng_state = 43;
	for (size_t i = 0; i < 120; i++) {
		pts[i].t = i;
		pts[i].v = pages(80 * MiB + 8192 * gauss());
	}
	run(120, &s, NULL, &l);
	CHECK_INT(l.verdict, HT_LEAK_NO);
	CHECK(isnan(l.onset_ago_s));
}

int main(void)
{
	test_steady();
	test_slow_pages();
	test_flat();
	test_random_walk();
	test_bursts();
	test_young();
	test_warmup();
	test_plateau();
	test_sawtooth();
	test_step();
	test_noisy_small();
	test_limits();
	test_system();
	test_undecided();
	test_onset();
	return ht_test_done("test_leak");
}
