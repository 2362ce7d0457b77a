/* Cost of a trend update per sample, against a reference in the same run:
 * a plain loop that only sums the same t and v into the same per-figure
 * slots. Samples go round-robin over many figures, as a sampler feeding
 * every process's RSS would.
 *
 * usage: bench_trend_update [FIGURES [ROUNDS]]   (default 10000 100)
 * Times are CPU time of this process, best of 5 runs each. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "ht_series.h"
#include "ht_trend.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct plain {
	double st, sv;
	uint64_t n;
};

static volatile double sink;

int main(int argc, char **argv)
{
	size_t figs = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t rounds = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
	size_t window = 60, total;
	double *v, best_ref = 1e30, best_acc = 1e30, best_win = 1e30, best_fit = 1e30;
	double best_an = 1e30;
	struct plain *pl;
	struct ht_trend_acc *acc;
	struct ht_series **ser;
	struct ht_point pts[600];
	struct ht_trend tr;
	struct ht_fit f;
	int err = 1;

	if (!figs || !rounds) {
		fprintf(stderr, "usage: bench_trend_update [FIGURES [ROUNDS]]\n");
		return 2;
	}
	total = figs * rounds;
	v = malloc(total * sizeof(*v));
	pl = calloc(figs, sizeof(*pl));
	acc = calloc(figs, sizeof(*acc));
	ser = calloc(figs, sizeof(*ser));
	if (!v || !pl || !acc || !ser)
		goto cleanup;
	for (size_t i = 0; i < total; i++)	/* RSS-like: 1e8..1e9 bytes */
		v[i] = 1e8 * (double)(1 + (i * 2654435761u) % 9) + (double)(i % 4096);
	for (size_t k = 0; k < figs; k++)
		if (!(ser[k] = ht_series_new(window)))
			goto cleanup;

	for (int rep = 0; rep < 5; rep++) {
		double t0;

		/* reference: sum t and v per figure */
		for (size_t k = 0; k < figs; k++)
			pl[k] = (struct plain){ 0 };
		t0 = cpu_s();
		for (size_t r = 0; r < rounds; r++)
			for (size_t k = 0; k < figs; k++) {
				struct plain *p = &pl[k];
				p->st += (double)r;
				p->sv += v[r * figs + k];
				p->n++;
			}
		t0 = cpu_s() - t0;
		if (t0 < best_ref)
			best_ref = t0;
		sink = pl[figs - 1].sv;

		/* running OLS sums: one ht_trend_acc_add per sample */
		for (size_t k = 0; k < figs; k++)
			ht_trend_acc_init(&acc[k]);
		t0 = cpu_s();
		for (size_t r = 0; r < rounds; r++)
			for (size_t k = 0; k < figs; k++)
				ht_trend_acc_add(&acc[k], (double)r, v[r * figs + k]);
		t0 = cpu_s() - t0;
		if (t0 < best_acc)
			best_acc = t0;
		sink = acc[figs - 1].ctv;

		/* a sliding window: ring push, add the new, remove the dropped */
		for (size_t k = 0; k < figs; k++) {
			ht_trend_acc_init(&acc[k]);
			ht_series_clear(ser[k]);
		}
		t0 = cpu_s();
		for (size_t r = 0; r < rounds; r++)
			for (size_t k = 0; k < figs; k++) {
				struct ht_point old;
				double x = v[r * figs + k];

				if (ht_series_count(ser[k]) == window) {
					ht_series_get(ser[k], 0, &old);
					ht_trend_acc_remove(&acc[k], old.t, old.v);
				}
				ht_series_push(ser[k], (double)r, x);
				ht_trend_acc_add(&acc[k], (double)r, x);
			}
		t0 = cpu_s() - t0;
		if (t0 < best_win)
			best_win = t0;
		sink = acc[figs - 1].ctv;

		/* a fit from the sums (slope, R^2, t CI) per figure */
		t0 = cpu_s();
		for (size_t k = 0; k < figs; k++) {
			ht_trend_acc_fit(&acc[k], 0.95, &f);
			sink = f.lo;
		}
		t0 = cpu_s() - t0;
		if (t0 < best_fit)
			best_fit = t0;
	}
	/* the full analysis of a 600-sample window, for scale */
	for (size_t i = 0; i < 600; i++)
		pts[i] = (struct ht_point){ (double)i, v[i] };
	for (int rep = 0; rep < 5; rep++) {
		double t0 = cpu_s();
		for (int k = 0; k < 20; k++) {
			ht_trend_analyze(pts, 600, NULL, &tr);
			sink = tr.rate.slope;
		}
		t0 = (cpu_s() - t0) / 20;
		if (t0 < best_an)
			best_an = t0;
	}

	printf("%zu figures x %zu samples, round-robin (window %zu for the ring)\n",
	       figs, rounds, window);
	printf("%-40s %8.2f ns/sample\n", "ref: plain sum of t and v",
	       best_ref * 1e9 / (double)total);
	printf("%-40s %8.2f ns/sample  %5.2fx ref\n", "ht_trend_acc_add",
	       best_acc * 1e9 / (double)total, best_acc / best_ref);
	printf("%-40s %8.2f ns/sample  %5.2fx ref\n", "ring push + acc add + acc remove",
	       best_win * 1e9 / (double)total, best_win / best_ref);
	printf("%-40s %8.1f ns/fit\n", "ht_trend_acc_fit (slope, R2, t CI)",
	       best_fit * 1e9 / (double)figs);
	printf("%-40s %8.1f us/call\n", "ht_trend_analyze, 600 samples",
	       best_an * 1e6);
	err = 0;
cleanup:
	if (ser)
		for (size_t k = 0; k < figs; k++)
			ht_series_free(ser[k]);
	free(ser);
	free(acc);
	free(pl);
	free(v);
	return err;
}
