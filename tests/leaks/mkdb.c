/* mkdb: writes a history DB with known series through the store API, for
 * the DB-mode leak tests.
 *
 *   mkdb DB [SECONDS [open]]
 *
 * 20 minutes (or SECONDS) at 1 s, as a recorder would put them ('open':
 * the session left open, as a recorder still running leaves it):
 *   pid 100 leaky    50 MiB + 1000 B/s (in pages)
 *   pid 101 calm     20 MiB, a page up or down now and then
 *   pid 102 stepper  30 MiB, + 64 MiB once at 10 min
 *   pid 103 gc       40 MiB + a 2 MB/s climb for 50 s of every 60 s
 *   pid 104 plateau  10 MiB + 20 KB/s for 10 min, then flat
 *   pid 105 young    appears 20 s before the end, 1 MiB/s
 *   pid 106 early    appears 2 s after the start, 1 MiB/s
 *   pid 200+ restarter  a service restarted every 52 s by its supervisor
 *                    (same command line, a new pid): each life climbs
 *                    1 MiB/s from 8 MiB and is OOM-killed after 50 s at
 *                    ~57 MiB; oom_kills counts each death
 *   system: MemTotal 8 GiB, MemAvailable 4 GiB - 1000 B/s
 * The host booted an hour before T0 (100 clock ticks a second): start
 * times agree with the wall clock, as the recorder's do.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_store.h"

#define MiB (1024.0 * 1024.0)
#define T0 1700000000000LL
#define N 1200

static int64_t pages(double v)
{
	return (int64_t)(4096 * floor(v / 4096));
}

#define BOOT_S 3600			/* T0 - boot */

/* Processes 100-104 started 10 s after boot; the others when first put. */
static int put(struct ht_store *st, int64_t t, pid_t pid, const char *comm,
	       double rss)
{
	static int64_t born[8];
	struct ht_store_proc_in p = {
		.pid = pid, .comm = comm, .cmdline = comm,
		.rss = pages(rss), .anon = pages(rss) - 4 * 1024 * 1024,
	};

	if (pid >= 200)		/* a restarter's life: started when first put */
		p.start_time = (t - T0) / 10 + BOOT_S * 100LL - 100 * (int64_t)((t - T0) / 1000 % 52);
	else if (pid <= 104)
		p.start_time = 1000 + pid;
	else if (!born[pid - 100])
		born[pid - 100] = p.start_time = (t - T0) / 10 + BOOT_S * 100LL;
	else
		p.start_time = born[pid - 100];
	return ht_store_put_proc(st, t, &p);
}

int main(int argc, char **argv)
{
	struct ht_store_opts o;
	struct ht_store *st;
	char err[256];
	uint64_t rng = 12345;
	int rc = 0;

	int n = argc >= 3 ? atoi(argv[2]) : N;
	int open = argc == 4 && !strcmp(argv[3], "open");

	if (argc < 2 || argc > 4 || (argc == 4 && !open) || n < 30 || n > 100000) {
		fprintf(stderr, "usage: mkdb DB [SECONDS (30 or more) [open]]\n");
		return 2;
	}
	ht_store_opts_default(&o);
	o.path = argv[1];
	o.host = "testhost";
	if (ht_store_open(&o, &st, err, sizeof(err))) {
		fprintf(stderr, "mkdb: %s\n", err);
		return 1;
	}
	rc |= ht_store_session_begin(st, T0, 1000, "record", NULL);
	for (int i = 0; i < n && !rc; i++) {
		int64_t t = T0 + 1000LL * i;
		double ph = fmod(i, 60.0);

		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		rc |= put(st, t, 100, "leaky", 50 * MiB + 1000.0 * i);
		rc |= put(st, t, 101, "calm", 20 * MiB + 4096.0 * (int)((rng >> 33) % 3));
		rc |= put(st, t, 102, "stepper", 30 * MiB + (i >= 600 ? 64 * MiB : 0));
		rc |= put(st, t, 103, "gc", 40 * MiB + (ph < 50 ? 2e6 * ph : 0));
		rc |= put(st, t, 104, "plateau", 10 * MiB + 20000.0 * (i < 600 ? i : 600));
		if (i >= n - 20)
			rc |= put(st, t, 105, "young", 5 * MiB + MiB * (i - (n - 20)));
		if (i >= 2)
			rc |= put(st, t, 106, "early", 5 * MiB + MiB * (i - 2));
		if (i % 52 < 50)
			rc |= put(st, t, 200 + i / 52, "restarter", 8 * MiB + MiB * (i % 52));
		rc |= ht_store_put_sys(st, t, "oom_kills", "", "1", (double)((i + 2) / 52));
		rc |= ht_store_put_sys(st, t, HT_SYS_MEM_TOTAL, "", "B", 8192 * MiB);
		rc |= ht_store_put_sys(st, t, HT_SYS_MEM_AVAILABLE, "", "B",
				       (double)pages(4096 * MiB - 1000.0 * i));
		rc |= ht_store_flush(st, t);
	}
	if (!open) {
		rc |= ht_store_session_end(st, T0 + 1000LL * n, "stopped");
		rc |= ht_store_flush(st, T0 + 1000LL * n);
	}
	if (rc)
		fprintf(stderr, "mkdb: %s\n", ht_store_error(st));
	ht_store_close(st);
	return rc ? 1 : 0;
}
