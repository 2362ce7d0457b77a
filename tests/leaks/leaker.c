/* leaker: a process with a known memory behaviour, for the leak tests.
 *
 *   leaker MODE [RATE [ARG]]
 *
 * Every mode first allocates and touches a 4 MiB base, then:
 *   steady RATE          leaks RATE bytes/s
 *   slow RATE            the same (named apart for the tests' sake)
 *   noisy RATE NOISE     leaks RATE bytes/s under heavy alloc/free noise: every
 *                        100 ms a block of 0..NOISE bytes replaces the last one
 *   threads RATE N       N threads leak RATE/N bytes/s each
 *   step SIZE DELAY      allocates SIZE bytes once, DELAY seconds in
 *   plateau RATE GROW    leaks RATE bytes/s for GROW seconds, then stops
 *   sawtooth RATE PERIOD climbs at RATE bytes/s for 3/4 of PERIOD seconds, then
 *                        frees it all (a garbage collector)
 *   fresh RATE           leaks RATE bytes/s (a process started late)
 *   late RATE DELAY      flat for DELAY seconds, then leaks RATE bytes/s
 *   vmleak RATE          maps RATE bytes/s of address space it never
 *                        touches: VmSize grows, RSS stays flat
 *   stable               nothing more
 * Every byte allocated is touched (memset), so RSS really changes. The rate
 * is kept against the monotonic clock (what a late tick missed is caught up),
 * so it holds on a loaded machine. The process exits by itself after
 * HT_LEAKER_LIFE seconds (default 180) in case a test forgets it.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define TICK_NS 20000000LL		/* 20 ms */
#define BASE (4 << 20)

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(int64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *touch(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		perror("leaker: malloc");
		exit(1);
	}
	memset(p, 0xa5, n);
	return p;
}

/* Leaks at rate bytes/s from start for dur_s seconds (forever if < 0). */
static void leak(double rate, double dur_s, void (*each_tick)(int64_t))
{
	int64_t start = now_ns(), next = start;
	double done = 0;
	size_t chunk = rate * TICK_NS / 1e9;

	if (chunk < 4096)
		chunk = 4096;
	for (;;) {
		double el = (double)(now_ns() - start) / 1e9;

		if (dur_s >= 0 && el > dur_s)
			el = dur_s;
		while (done + chunk <= rate * el) {
			(void)touch(chunk);	/* leaked on purpose */
			done += chunk;
		}
		if (each_tick)
			each_tick(now_ns());
		next += TICK_NS;
		sleep_until(next);
	}
}

static size_t noise_max;
static int64_t noise_next;
static void *noise_block;
static uint64_t rng = 88172645463325252ULL;

static void noise_tick(int64_t now)
{
	size_t n;

	if (now < noise_next)
		return;
	noise_next = now + 100000000LL;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	n = noise_max ? rng % noise_max : 0;
	free(noise_block);
	noise_block = n ? touch(n) : NULL;
}

struct thread_arg {
	double rate;
};

static void *thread_main(void *arg)
{
	leak(((struct thread_arg *)arg)->rate, -1, NULL);
	return NULL;
}

static void sawtooth(double rate, double period)
{
	size_t chunk = 128 << 10, max = 1 << 16, k = 0;
	void **blocks = calloc(max, sizeof(*blocks));
	int64_t start = now_ns(), next = start, cycle = start;
	double climb = 0.75 * period, done = 0;

	if (!blocks)
		exit(1);
	for (;;) {
		double el = (double)(now_ns() - cycle) / 1e9;

		if (el >= period) {
			while (k)
				free(blocks[--k]);
			done = 0;
			cycle += (int64_t)(period * 1e9);
			el = (double)(now_ns() - cycle) / 1e9;
		}
		if (el > climb)
			el = climb;
		while (done + chunk <= rate * el && k < max) {
			blocks[k++] = touch(chunk);
			done += chunk;
		}
		next += TICK_NS;
		sleep_until(next);
	}
}

/* Address space reserved at rate and never touched (no RSS). */
static void vmleak(double rate)
{
	int64_t start = now_ns(), next = start;
	double done = 0;
	size_t chunk = 64 << 10;

	for (;;) {
		double want = rate * (double)(now_ns() - start) / 1e9;

		while (done + (double)chunk <= want) {
			if (mmap(NULL, chunk, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
				exit(1);
			done += (double)chunk;
		}
		next += TICK_NS;
		sleep_until(next);
	}
}

static double arg(int argc, char **argv, int i, double def)
{
	return argc > i ? strtod(argv[i], NULL) : def;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *life = getenv("HT_LEAKER_LIFE");
	double rate = arg(argc, argv, 2, 1 << 20);

	alarm(life ? atoi(life) : 180);
	/* big blocks come from mmap and go back to the system when freed */
	mallopt(M_MMAP_THRESHOLD, 64 << 10);
	(void)touch(BASE);
	if (!strcmp(mode, "steady") || !strcmp(mode, "slow") || !strcmp(mode, "fresh")) {
		leak(rate, -1, NULL);
	} else if (!strcmp(mode, "noisy")) {
		noise_max = arg(argc, argv, 3, 4 << 20);
		leak(rate, -1, noise_tick);
	} else if (!strcmp(mode, "threads")) {
		int n = arg(argc, argv, 3, 4);
		struct thread_arg ta = { rate / (n > 0 ? n : 1) };
		pthread_t tid;

		for (int i = 1; i < n; i++)
			if (pthread_create(&tid, NULL, thread_main, &ta)) {
				fputs("leaker: cannot create a thread\n", stderr);
				return 1;
			}
		thread_main(&ta);
	} else if (!strcmp(mode, "step")) {
		sleep_until(now_ns() + (int64_t)(arg(argc, argv, 3, 5) * 1e9));
		(void)touch((size_t)rate);
		for (;;)
			pause();
	} else if (!strcmp(mode, "vmleak")) {
		vmleak(rate);
	} else if (!strcmp(mode, "late")) {
		sleep_until(now_ns() + (int64_t)(arg(argc, argv, 3, 30) * 1e9));
		leak(rate, -1, NULL);
	} else if (!strcmp(mode, "plateau")) {
		leak(rate, arg(argc, argv, 3, 5), NULL);
	} else if (!strcmp(mode, "sawtooth")) {
		sawtooth(rate, arg(argc, argv, 3, 2));
	} else if (!strcmp(mode, "stable")) {
		for (;;)
			pause();
	} else {
		fprintf(stderr, "usage: leaker steady|slow|noisy|threads|step|plateau|"
			"sawtooth|fresh|late|vmleak|stable [RATE [ARG]]\n");
		return 2;
	}
	return 0;
}
