/* Writes a synthetic week of history for N processes through the store, as
 * healthtap record leaves it after downsampling: one point a minute for the
 * first six days, 5 s samples for the last day. 1% of the processes leak,
 * the rest hold still but for a rare change.
 *   bench_report_week OUT.db [NPROCS] */
#include <stdio.h>
#include <stdlib.h>
#include "ht_store.h"

#define T0_MS 1763769600000LL
#define DAY_MS 86400000LL

static int64_t next_interval(int64_t t)
{
	return t < T0_MS + 6 * DAY_MS ? 60000 : 5000;
}

static void put_all(struct ht_store *st, int64_t t, int nprocs)
{
	double hours = (double)(t - T0_MS) / 3.6e6;

	for (int i = 0; i < nprocs; i++) {
		int64_t base = (int64_t)(20 + i % 200) << 20;
		int64_t rss = i % 100 == 0 ? base + (int64_t)(hours * (1 << 20)) :
			      base + (((t - T0_MS) / DAY_MS + i) % 7 == 0 ? 4096 : 0);
		char comm[16];
		struct ht_store_proc_in p = { .pid = 1000 + i, .start_time = 100 + i,
					      .comm = comm, .cmdline = comm,
					      .rss = rss, .anon = rss / 2 };
		snprintf(comm, sizeof(comm), "proc%d", i);
		ht_store_put_proc(st, t, &p);
	}
	ht_store_put_sys(st, t, HT_SYS_MEM_TOTAL, "", "B", 64.0 * (1 << 30));
	ht_store_put_sys(st, t, HT_SYS_MEM_AVAILABLE, "", "B",
			 40.0 * (1 << 30) - hours * 20 * (1 << 20));
	ht_store_put_sys(st, t, HT_SYS_CTXT_RATE, "", "1/s", 5000 + (t / 5000) % 97);
	ht_store_put_sys(st, t, HT_SYS_INTR_RATE, "", "1/s", 3000 + (t / 5000) % 53);
}

int main(int argc, char **argv)
{
	struct ht_store_opts o;
	struct ht_store *st;
	char err[256];
	int nprocs = argc > 2 ? atoi(argv[2]) : 2000;

	if (argc < 2 || nprocs <= 0) {
		fprintf(stderr, "usage: bench_report_week OUT.db [NPROCS]\n");
		return 2;
	}
	ht_store_opts_default(&o);
	o.path = argv[1];
	o.host = "bench";
	o.root = "/nonexistent";
	if (ht_store_open(&o, &st, err, sizeof(err))) {
		fprintf(stderr, "bench_report_week: %s\n", err);
		return 1;
	}
	ht_store_session_begin(st, T0_MS, 5000, "record", NULL);
	for (int64_t t = T0_MS; t <= T0_MS + 7 * DAY_MS; t += next_interval(t)) {
		put_all(st, t, nprocs);
		if (ht_store_flush(st, t)) {
			fprintf(stderr, "bench_report_week: %s\n", ht_store_error(st));
			return 1;
		}
	}
	ht_store_close(st);
	return 0;
}
