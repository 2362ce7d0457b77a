/* A synthetic week of 5 s samples for N processes written through ht_store
 * (change-only rows, downsampling every simulated day, one commit per
 * five simulated minutes), against the raw
 * size of the same samples as 5 x u64 per process-sample.
 *
 * usage: store-week DB [NPROCS [DAYS [INTERVAL_MS]]]
 *        store-week --overhead DB NPROCS [SAMPLES]
 *
 * --overhead: the recorder's CPU per sample (sampler + store puts + one
 * commit) against the sampler alone (/proc sampling), alternating the two on
 * the live host with NPROCS processes (sleeping children are forked to get
 * there), medians of CLOCK_PROCESS_CPUTIME_ID per sample. Goal: 1.3x.
 *
 * The data: 90% of processes idle (their RSS changes about once an hour),
 * 8% busy (a change in 30% of samples, a bounded random walk), 2% leaking
 * (+4 KiB every sample); one process exits and a new one starts every
 * simulated minute; 28 system series, 10 of which change every sample. */
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ht_sampler.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "ht_store.h"

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double unif(void)
{
	return (next() >> 11) * (1.0 / 9007199254740992.0);
}

enum kind { IDLE, BUSY, LEAK };

struct sim {
	pid_t pid;
	int64_t start_time;
	enum kind kind;
	int64_t base, rss, anon;
	char comm[16];
};

static void spawn(struct sim *p, pid_t pid, int64_t tick)
{
	double u = unif();

	p->pid = pid;
	p->start_time = 1000 + tick * 500;
	p->kind = u < 0.90 ? IDLE : u < 0.98 ? BUSY : LEAK;
	p->base = (int64_t)(1 + unif() * 200) * 1024 * 1024 / 4096 * 4096;
	p->rss = p->base;
	p->anon = p->rss / 5 * 3 / 4096 * 4096;
	snprintf(p->comm, sizeof(p->comm), "%s%d", p->kind == IDLE ? "idle" :
		 p->kind == BUSY ? "busy" : "leak", (int)pid);
}

static void step(struct sim *p)
{
	switch (p->kind) {
	case IDLE:
		if (unif() < 1.0 / 720) {
			int64_t d = (int64_t)(next() % 17) * 4096 - 8 * 4096;
			if (p->rss + d > 4096)
				p->rss += d;
			p->anon = p->rss / 5 * 3 / 4096 * 4096;
		}
		break;
	case BUSY:
		if (unif() < 0.3) {
			int64_t d = (int64_t)(next() % 129) * 4096 - 64 * 4096;
			p->rss += d;
			if (p->rss < p->base / 2 || p->rss > p->base * 2)
				p->rss = p->base;
			p->anon = p->rss / 5 * 3 / 4096 * 4096;
		}
		break;
	case LEAK:
		p->rss += 4096;
		p->anon += 4096;
		break;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

struct read_ctx {
	struct ht_store *st;
	size_t procs, points;
};

static int read_proc(void *ctx, const struct ht_store_proc_info *p)
{
	struct read_ctx *r = ctx;
	struct ht_store_proc_point *pts;
	size_t n;

	if (ht_store_proc_series(r->st, p->id, 0, 0, 0, &pts, &n) == 0) {
		r->procs++;
		r->points += n;
		free(pts);
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What healthtap record puts per sample (cmd_record.c put_procs and
 * put_system), then the commit. */
static void record_sample(struct ht_store *st, struct ht_sampler *s)
{
	const struct ht_sys_snapshot *y = ht_sampler_system(s);
	int64_t t = y->wall_ms;
	size_t n = ht_sampler_nprocs(s);
	double figs[] = { y->mem_available, y->mem_total, y->swap_free, y->cpu_busy_pct,
			  y->ctxt_rate, y->intr_rate, y->softirq_rate, y->fork_rate,
			  y->pgmajfault_rate, y->procs_running, y->procs_blocked, y->oom_kills,
			  y->psi_cpu_some, y->psi_mem_some, y->psi_mem_full, y->psi_io_some,
			  y->psi_io_full };

	for (size_t i = 0; i < n; i++) {
		const struct ht_proc *p = ht_sampler_proc(s, i)->proc;
		struct ht_store_proc_in in = { p->pid, p->start_time, p->comm, NULL, p->rss, p->anon };
		ht_store_put_proc(st, t, &in);
	}
	for (size_t i = 0; i < sizeof(figs) / sizeof(figs[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "f%zu", i);
		ht_store_put_sys(st, t, name, "", "1", round(figs[i] * 100) / 100);
	}
	for (int i = 0; i < HT_SOFTIRQ_VECTORS; i++) {
		char lab[16];
		snprintf(lab, sizeof(lab), "vec=%d", i);
		ht_store_put_sys(st, t, "softirq_rate", lab, "1/s", round(y->softirq_vec_rate[i] * 100) / 100);
	}
	ht_store_flush(st, t);
}

static int overhead(const char *db, int want, int samples)
{
	struct ht_sampler *s = ht_sampler_new(NULL);
	struct ht_store_opts o;
	struct ht_store *st;
	double *a = calloc(samples, sizeof(double)), *b = calloc(samples, sizeof(double));
	pid_t *kids = calloc(want > 0 ? want : 1, sizeof(pid_t));
	int nkids = 0, have;
	char err[512];

	if (!s || !a || !b || !kids)
		return 1;
	ht_sampler_sample(s);
	have = (int)ht_sampler_nprocs(s);
	for (; have + nkids < want; nkids++) {
		pid_t pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		if (pid < 0)
			break;
		kids[nkids] = pid;
	}
	usleep(200000);
	ht_store_opts_default(&o);
	o.path = db;
	remove(db);
	if (ht_store_open(&o, &st, err, sizeof(err)) || ht_store_session_begin(st, 1, 5000, "record", NULL)) {
		fprintf(stderr, "store-week: %s\n", err);
		return 1;
	}
	for (int i = 0; i < 3; i++) {	/* warm up both */
		ht_sampler_sample(s);
		record_sample(st, s);
	}
	for (int i = 0; i < samples; i++) {
		double c0 = cpu_now();
		ht_sampler_sample(s);
		a[i] = cpu_now() - c0;
		usleep(20000);
		c0 = cpu_now();
		ht_sampler_sample(s);
		record_sample(st, s);
		b[i] = cpu_now() - c0;
		usleep(20000);
	}
	{
		size_t n = ht_sampler_nprocs(s);
		double ma = median(a, samples), mb = median(b, samples);
		printf("recorder CPU per sample at %zu processes: %.3f ms; /proc sampling alone "
		       "(reference): %.3f ms; ratio %.2fx (goal 1.3x)\n", n, mb * 1e3, ma * 1e3, mb / ma);
	}
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	ht_store_close(st);
	ht_sampler_free(s);
	free(a);
	free(b);
	free(kids);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 3 && !strcmp(argv[1], "--overhead"))
		return overhead(argv[2], atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 30);
	const char *db = argc > 1 ? argv[1] : "store-week.db";
	int n = argc > 2 ? atoi(argv[2]) : 2000;
	int days = argc > 3 ? atoi(argv[3]) : 7;
	int64_t iv = argc > 4 ? atoll(argv[4]) : 5000;
	int64_t t0 = 1800000000000LL, ticks = (int64_t)days * 86400000 / iv;
	int64_t per_min = 60000 / iv, per_6h = 6 * 3600000 / iv, per_day = 86400000 / iv;
	struct ht_store_opts o;
	struct ht_store *st;
	struct sim *procs = calloc(n, sizeof(*procs));
	char err[512], wal[4200];
	pid_t next_pid = 1000;
	uint64_t process_samples = 0;
	double start = now_s(), t_maint = 0;
	int rc;

	ht_store_opts_default(&o);
	o.path = db;
	o.host = "synthetic";
	remove(db);
	if ((rc = ht_store_open(&o, &st, err, sizeof(err)))) {
		fprintf(stderr, "store-week: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n; i++)
		spawn(&procs[i], next_pid++, 0);
	if (ht_store_session_begin(st, t0, iv, "record", NULL)) {
		fprintf(stderr, "store-week: %s\n", ht_store_error(st));
		return 1;
	}
	for (int64_t k = 0; k < ticks; k++) {
		int64_t t = t0 + k * iv;
		if (k > 0 && k % per_min == 0)
			spawn(&procs[next() % n], next_pid++, k);
		for (int i = 0; i < n; i++) {
			struct ht_store_proc_in in = {
				procs[i].pid, procs[i].start_time, procs[i].comm, NULL,
				procs[i].rss, procs[i].anon,
			};
			step(&procs[i]);
			in.rss = procs[i].rss;
			in.anon = procs[i].anon;
			if (ht_store_put_proc(st, t, &in)) {
				fprintf(stderr, "store-week: put: %s\n", ht_store_error(st));
				return 1;
			}
		}
		process_samples += n;
		for (int s = 0; s < 28; s++) {
			char lab[16];
			double v;
			snprintf(lab, sizeof(lab), "s=%d", s);
			if (s < 10)
				v = (double)(int64_t)(unif() * 100000) / 100.0;
			else
				v = (double)(k / (per_6h * (s - 9)));	/* steps now and then */
			ht_store_put_sys(st, t, "synthetic", lab, "1", v);
		}
		/* the recorder commits every interval; here one commit per five
		 * minutes (the same rows, far fewer transactions) keeps the run
		 * short */
		if ((k + 1) % (5 * per_min) == 0 && ht_store_flush(st, t)) {
			fprintf(stderr, "store-week: flush: %s\n", ht_store_error(st));
			return 1;
		}
		if (k > 0 && k % per_day == 0) {
			double m0 = now_s();
			if (ht_store_maintain(st, t, NULL)) {
				fprintf(stderr, "store-week: maintain: %s\n", ht_store_error(st));
				return 1;
			}
			t_maint += now_s() - m0;
		}
	}
	{
		struct ht_store_maint m;
		double m0 = now_s();
		ht_store_maintain(st, t0 + ticks * iv, &m);
		t_maint += now_s() - m0;
	}
	ht_store_close(st);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	{
		double secs = now_s() - start;
		int64_t size = file_size(db) + file_size(wal);
		double raw = (double)process_samples * 5 * 8;
		printf("synthetic %d days x %d processes every %" PRId64 " ms: %" PRIu64
		       " process-samples, %" PRId64 " processes in all\n", days, n, iv,
		       process_samples, (int64_t)(next_pid - 1000));
		printf("DB size: %.1f MB; goal 500 MB: %.2fx of goal\n", size / 1e6, size / 500e6);
		printf("raw 5 x u64 per process-sample (reference): %.1f MB; DB is %.4fx of raw "
		       "(%.3f B per process-sample)\n", raw / 1e6, size / raw,
		       (double)size / (double)process_samples);
		printf("time: %.1f s (%.1f s downsampling), %.2f us per process-sample\n",
		       secs, t_maint, secs * 1e6 / (double)process_samples);
	}
	/* reading it back, as leaks and report do: every process's week */
	{
		struct ht_store_opts ro;
		struct read_ctx rc2 = { 0 };
		double r0 = now_s();
		ht_store_opts_default(&ro);
		ro.path = db;
		ro.flags = HT_STORE_READONLY;
		if (ht_store_open(&ro, &rc2.st, err, sizeof(err))) {
			fprintf(stderr, "store-week: %s\n", err);
			return 1;
		}
		ht_store_procs(rc2.st, NULL, read_proc, &rc2);
		printf("read back: %zu processes, %zu points (stored, step 0) in %.2f s\n",
		       rc2.procs, rc2.points, now_s() - r0);
		ht_store_close(rc2.st);
	}
	free(procs);
	return 0;
}
