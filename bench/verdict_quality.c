/* verdict_quality: healthtap's leak verdicts (ht_leak_analyze) next to the
 * three textbook rules, on the same series, for workloads whose answer is
 * known. Prints per workload and rule how often the verdict was right over
 * SEEDS series; for the leaks it found (on the whole 300 s), the detection
 * latency (the shortest prefix, in 5 s steps, from the leak's onset, on
 * which the rule says "leak") and the rate error; then the totals and healthtap's figures as ratios to the best
 * textbook rule's, measured in the same run.
 *
 *   verdict_quality [SEEDS]
 *
 * The textbook rules, as this bench reads them:
 *   ls-t    least squares slope, its 95% t interval above 0
 *   rate    check_leak's rate filter: the series never went down between
 *           samples and ended higher (a process "is leaking N o/s")
 *   mk-sen  Mann-Kendall p < 0.05 (independent samples) and Sen's slope > 0
 * Samples every second for 300 s; RSS in pages. healthtap judges each as
 * an old process (age known, warm-up past) with 16 GiB of MemAvailable. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_leak.h"
#include "ht_trend.h"

#define MiB (1024.0 * 1024.0)
#define N 300
#define STEP 5

static uint64_t rng;

static double uniform(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static double pages(double v)
{
	return 4096.0 * floor(v / 4096.0);
}

struct workload {
	const char *name;
	int leak;			/* the truth */
	double rate;			/* B/s of the leak (0 none) */
	double onset;			/* s: when the leak begins */
	double (*gen)(size_t i, double *state);
};

static double g_steady(size_t i, double *st) { (void)st; return 64 * MiB + 65536.0 * i + 8192 * gauss(); }
static double g_slow(size_t i, double *st) { (void)st; return 64 * MiB + 4096.0 * i + 4096 * gauss(); }
static double g_late(size_t i, double *st)
{
	(void)st;
	return 64 * MiB + (i > 120 ? 131072.0 * (i - 120) : 0) + 8192 * gauss();
}
static double g_bursts(size_t i, double *st) { (void)st; return 64 * MiB + MiB * (double)(i / 10) + 8192 * gauss(); }
static double g_churn_leak(size_t i, double *st)
{
	if (uniform() < 0.25)
		*st *= 0.5 * uniform();
	else
		*st += 3 * MiB * uniform();
	return 64 * MiB + 65536.0 * i + *st;
}
static double g_cache(size_t i, double *st) { (void)st; return 64 * MiB + 40 * MiB * (1 - exp(-(double)i / 30)) + 8192 * gauss(); }
static double g_step(size_t i, double *st) { (void)st; return 64 * MiB + (i >= 150 ? 64 * MiB : 0) + 8192 * gauss(); }
static double g_sawtooth(size_t i, double *st)
{
	(void)st;
	return 64 * MiB + 2e6 * fmod((double)i, 40.0) * (fmod((double)i, 40.0) < 30) + 8192 * gauss();
}
static double g_churn(size_t i, double *st)
{
	(void)i;
	if (uniform() < 0.25)
		*st *= 0.5 * uniform();
	else
		*st += 3 * MiB * uniform();
	return 64 * MiB + *st;
}
static double g_walk(size_t i, double *st) { (void)i; *st += 65536 * gauss(); return 64 * MiB + *st; }
static double g_flat(size_t i, double *st) { (void)i; (void)st; return 64 * MiB + 8192 * gauss(); }

static const struct workload works[] = {
	{ "steady 64 KiB/s", 1, 65536, 0, g_steady },
	{ "slow 4 KiB/s", 1, 4096, 0, g_slow },
	{ "late 128 KiB/s at 120 s", 1, 131072, 120, g_late },
	{ "bursts 1 MiB/10 s", 1, MiB / 10, 0, g_bursts },
	{ "64 KiB/s under churn", 1, 65536, 0, g_churn_leak },
	{ "cache warm-up", 0, 0, 0, g_cache },
	{ "one-off step", 0, 0, 0, g_step },
	{ "sawtooth (GC)", 0, 0, 0, g_sawtooth },
	{ "churn", 0, 0, 0, g_churn },
	{ "random walk", 0, 0, 0, g_walk },
	{ "flat", 0, 0, 0, g_flat },
};
#define NWORKS (sizeof(works) / sizeof(works[0]))

enum { R_HT, R_LS, R_RATE, R_MK, NRULES };
static const char *const rule_names[NRULES] = { "healthtap", "ls-t", "rate", "mk-sen" };

/* Says "leak" (1) or not on p[0..n-1], with the rate it took in *rate. */
static int judge(int rule, const struct ht_point *p, size_t n, double *rate)
{
	*rate = NAN;
	if (rule == R_HT) {
		struct ht_leak_subject s;
		struct ht_leak l;

		ht_leak_subject_init(&s);
		s.age_s = 1e6;
		s.mem_available = (int64_t)16384 * (int64_t)MiB;
		if (ht_leak_analyze(p, n, &s, NULL, &l))
			return 0;
		*rate = l.rate;
		return l.verdict == HT_LEAK_YES;
	}
	if (rule == R_LS) {
		struct ht_fit f;

		if (ht_trend_ols(p, n, 0.95, &f))
			return 0;
		*rate = f.slope;
		return f.lo > 0;
	}
	if (rule == R_RATE) {
		for (size_t i = 1; i < n; i++)
			if (p[i].v < p[i - 1].v)
				return 0;
		*rate = n > 1 ? (p[n - 1].v - p[0].v) / (p[n - 1].t - p[0].t) : NAN;
		return n > 1 && p[n - 1].v > p[0].v;
	}
	{
		struct ht_mk mk;
		struct ht_robust r;

		if (ht_trend_mann_kendall(p, n, &mk) || ht_trend_theil_sen(p, n, 0.95, 0, &r))
			return 0;
		*rate = r.slope;
		return mk.p < 0.05 && r.slope > 0;
	}
}

struct tally {
	size_t right, fp, leaks, nonleaks, detected;
	double latency_sum, rate_err_sum;
	size_t rate_n;
};

int main(int argc, char **argv)
{
	int seeds = argc > 1 ? atoi(argv[1]) : 20;
	static struct ht_point pts[N];
	struct tally tot[NRULES];

	if (seeds < 1 || seeds > 1000) {
		fprintf(stderr, "usage: verdict_quality [SEEDS (1-1000)]\n");
		return 2;
	}
	memset(tot, 0, sizeof(tot));
	printf("%-26s %-5s", "workload", "leak?");
	for (int r = 0; r < NRULES; r++)
		printf(" | %-9s right  lat_s  rate_err", rule_names[r]);
	printf("\n");
	for (size_t w = 0; w < NWORKS; w++) {
		struct tally t[NRULES];

		memset(t, 0, sizeof(t));
		for (int sd = 0; sd < seeds; sd++) {
			double state = 0;

			rng = 1000 * (uint64_t)w + (uint64_t)sd;
			for (size_t i = 0; i < N; i++)
				pts[i] = (struct ht_point){ (double)i, pages(works[w].gen(i, &state)) };
			for (int r = 0; r < NRULES; r++) {
				double rate;
				int says = judge(r, pts, N, &rate);

				t[r].right += says == works[w].leak;
				if (!works[w].leak) {
					t[r].nonleaks++;
					t[r].fp += says;
					continue;
				}
				t[r].leaks++;
				if (!says)
					continue;
				if (isfinite(rate)) {
					t[r].rate_err_sum += fabs(rate - works[w].rate) / works[w].rate;
					t[r].rate_n++;
				}
				/* latency, of a leak found: the shortest prefix past
				 * the onset on which the rule said so */
				for (size_t len = (size_t)works[w].onset + STEP; len <= N; len += STEP) {
					double r2;

					if (judge(r, pts, len, &r2)) {
						t[r].detected++;
						t[r].latency_sum += (double)len - 1 - works[w].onset;
						break;
					}
				}
			}
		}
		printf("%-26s %-5s", works[w].name, works[w].leak ? "yes" : "no");
		for (int r = 0; r < NRULES; r++) {
			char lat[16] = "-", err[16] = "-";

			if (t[r].detected)
				snprintf(lat, sizeof(lat), "%.0f", t[r].latency_sum / (double)t[r].detected);
			if (t[r].rate_n)
				snprintf(err, sizeof(err), "%.1f%%", 100 * t[r].rate_err_sum / (double)t[r].rate_n);
			printf(" | %-9s %3zu/%-3d %5s %9s", "", t[r].right, seeds, lat, err);
			tot[r].right += t[r].right;
			tot[r].fp += t[r].fp;
			tot[r].leaks += t[r].leaks;
			tot[r].nonleaks += t[r].nonleaks;
			tot[r].detected += t[r].detected;
			tot[r].latency_sum += t[r].latency_sum;
			tot[r].rate_err_sum += t[r].rate_err_sum;
			tot[r].rate_n += t[r].rate_n;
		}
		printf("\n");
	}
	printf("\n%-10s %9s %9s %12s %10s\n", "rule", "accuracy", "false_pos", "latency_s", "rate_err");
	for (int r = 0; r < NRULES; r++) {
		struct tally *x = &tot[r];

		printf("%-10s %8.1f%% %8.1f%% %12.1f %9.1f%%\n", rule_names[r],
		       100.0 * (double)x->right / (double)(x->leaks + x->nonleaks),
		       100.0 * (double)x->fp / (double)x->nonleaks,
		       x->detected ? x->latency_sum / (double)x->detected : NAN,
		       x->rate_n ? 100 * x->rate_err_sum / (double)x->rate_n : NAN);
	}
	{
		double best_acc = 0, best_fp = INFINITY, acc, fp;

		for (int r = 1; r < NRULES; r++) {
			acc = (double)tot[r].right / (double)(tot[r].leaks + tot[r].nonleaks);
			fp = (double)tot[r].fp / (double)tot[r].nonleaks;
			if (acc > best_acc)
				best_acc = acc;
			if (fp < best_fp)
				best_fp = fp;
		}
		acc = (double)tot[R_HT].right / (double)(tot[R_HT].leaks + tot[R_HT].nonleaks);
		fp = (double)tot[R_HT].fp / (double)tot[R_HT].nonleaks;
		printf("\nratio healthtap / best textbook rule: accuracy %.2f", acc / best_acc);
		if (best_fp > 0)
			printf(", false positives %.2f\n", fp / best_fp);
		else
			printf(", false positives %.1f%% (a textbook rule had none)\n", 100 * fp);
	}
	return 0;
}
