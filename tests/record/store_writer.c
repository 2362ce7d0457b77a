/* Writes through ht_store without pause, for the kill -9 test: every flush
 * commits 50 processes x 100 samples of known values (rss = t), then prints
 * "committed T" (the last sample time now on disk) to stdout. Killed at a
 * random moment, nearly always inside a write.
 *
 * usage: store_writer DB */
#include <stdio.h>
#include <stdlib.h>
#include "ht_store.h"

int main(int argc, char **argv)
{
	struct ht_store_opts o;
	struct ht_store *st;
	char err[512];
	int64_t t = 0, base;

	if (argc != 2)
		return 2;
	ht_store_opts_default(&o);
	o.path = argv[1];
	o.host = "writer";
	if (ht_store_open(&o, &st, err, sizeof(err))) {
		fprintf(stderr, "store_writer: %s\n", err);
		return 1;
	}
	/* continue after what an earlier (killed) writer committed */
	if (ht_store_time_range(st, 0, &base, &t) != 0)
		t = 1000000;
	if (ht_store_session_begin(st, t + 1000, 1000, "record", "writer killed")) {
		fprintf(stderr, "store_writer: %s\n", ht_store_error(st));
		return 1;
	}
	t += 1000;
	for (;;) {
		for (int k = 0; k < 100; k++, t += 1000)
			for (int p = 1; p <= 50; p++) {
				struct ht_store_proc_in in = { .pid = p, .start_time = 1, .comm = "w",
							      .rss = t, .anon = p };
				ht_store_put_proc(st, t, &in);
			}
		if (ht_store_flush(st, t - 1000)) {
			fprintf(stderr, "store_writer: %s\n", ht_store_error(st));
			return 1;
		}
		printf("committed %lld\n", (long long)(t - 1000));
		fflush(stdout);
	}
}
