/* Writes a deterministic history DB through the store's own API, for the
 * report tests: HOURS of 10 s samples from 2025-11-22 00:00 UTC.
 *   mkdb OUT.db HOST HOURS LEAK_BYTES_PER_S
 * Processes: 100 leaker (grows LEAK B/s), 200 steady, 300 stepper (one
 * +200 MiB step at 40%), 400 sawtooth (a GC-like cycle every 10 minutes),
 * and two the trend tables leave out: 2 kthreadd (a kernel thread: no
 * command line, no memory) and 500 idle (its RSS never changes).
 * System: MemTotal 8 GiB, MemAvailable shrinking with the leaker, context
 * switches, interrupts, softirqs per vector, PSI and tapset skb counts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "ht_store.h"

#define T0_MS 1763769600000LL
#define STEP_MS 10000
#define MiB (1024.0 * 1024.0)

static void put_procs(struct ht_store *st, int64_t t_ms, double t, double span, double leak)
{
	double rss[4] = {
		50 * MiB + leak * t,
		80 * MiB + 64 * 1024 * sin(t / 97.0),
		30 * MiB + (t >= 0.4 * span ? 200 * MiB : 0),
		100 * MiB + fmod(t, 600.0) * 50 * 1024,
	};
	static const char *const comm[4] = { "leaker", "steady", "stepper", "sawtooth" };

	for (int i = 0; i < 4; i++) {
		struct ht_store_proc_in p = {
			.pid = 100 * (i + 1), .start_time = 1000 + i, .comm = comm[i],
			.cmdline = comm[i], .rss = (int64_t)(rss[i] / 4096) * 4096,
			.anon = (int64_t)((rss[i] - 10 * MiB) / 4096) * 4096,
		};
		ht_store_put_proc(st, t_ms, &p);
	}
	struct ht_store_proc_in kthread = { .pid = 2, .start_time = 2, .comm = "kthreadd",
					    .cmdline = "" };
	struct ht_store_proc_in idle = { .pid = 500, .start_time = 1004, .comm = "idle",
					 .cmdline = "idle", .rss = 10 * 1048576,
					 .anon = 4 * 1048576 };
	ht_store_put_proc(st, t_ms, &kthread);
	ht_store_put_proc(st, t_ms, &idle);
}

static void put_system(struct ht_store *st, int64_t t_ms, double t, double leak)
{
	static const char *const vecs[] = { "vec=TIMER", "vec=NET_RX", "vec=RCU", "vec=SCHED" };

	ht_store_put_sys(st, t_ms, HT_SYS_MEM_TOTAL, "", "B", 8192 * MiB);
	ht_store_put_sys(st, t_ms, HT_SYS_MEM_AVAILABLE, "", "B",
			 floor((6144 * MiB - leak * t) / 4096) * 4096);
	ht_store_put_sys(st, t_ms, HT_SYS_CTXT_RATE, "", "1/s", 1000 + floor(200 * sin(t / 300.0)));
	ht_store_put_sys(st, t_ms, HT_SYS_INTR_RATE, "", "1/s", 700 + floor(100 * cos(t / 450.0)));
	for (int v = 0; v < 4; v++)
		ht_store_put_sys(st, t_ms, HT_SYS_SOFTIRQ_RATE, vecs[v], "1/s",
				 (4 - v) * 100 + floor(20 * sin(t / (200.0 + 50 * v))));
	ht_store_put_sys(st, t_ms, HT_SYS_PSI, "res=memory,kind=some", "%",
			 floor(10 * (1 + sin(t / 900.0))) / 10);
	ht_store_put_sys(st, t_ms, "probe.skb.alloc", "", "1", 5000 + floor(t / 10));
	ht_store_put_sys(st, t_ms, "probe.skb.free", "", "1", 4990 + floor(t / 10));
	ht_store_put_sys(st, t_ms, "probe.skb.outstanding", "", "1", 10);
}

int main(int argc, char **argv)
{
	struct ht_store_opts o;
	struct ht_store *st;
	char err[256];
	double hours, leak, span;

	if (argc != 5) {
		fprintf(stderr, "usage: mkdb OUT.db HOST HOURS LEAK_BYTES_PER_S\n");
		return 2;
	}
	hours = atof(argv[3]);
	leak = atof(argv[4]);
	span = hours * 3600;
	ht_store_opts_default(&o);
	o.path = argv[1];
	o.host = argv[2];
	o.root = "/nonexistent";	/* boot id "unknown": the same on every run */
	if (ht_store_open(&o, &st, err, sizeof(err))) {
		fprintf(stderr, "mkdb: %s\n", err);
		return 1;
	}
	ht_store_session_begin(st, T0_MS, STEP_MS, "record", NULL);
	for (int64_t t_ms = T0_MS; t_ms <= T0_MS + (int64_t)(span * 1000); t_ms += STEP_MS) {
		double t = (double)(t_ms - T0_MS) / 1000.0;
		put_procs(st, t_ms, t, span, leak);
		put_system(st, t_ms, t, leak);
		if (ht_store_flush(st, t_ms)) {
			fprintf(stderr, "mkdb: %s\n", ht_store_error(st));
			return 1;
		}
	}
	ht_store_session_end(st, T0_MS + (int64_t)(span * 1000), "stopped");
	ht_store_flush(st, T0_MS + (int64_t)(span * 1000));
	ht_store_close(st);
	return 0;
}
