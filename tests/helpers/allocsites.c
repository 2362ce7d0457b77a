/* allocsites: allocations from known call sites, for the health.alloc tests.
 *
 *   allocsites [SCALE [hold|wait|run [LIB.so]]]
 *
 * Each site is a function of its own (noinline), whose address and the
 * bytes and blocks it leaves allocated it prints to stderr as
 *   site NAME 0xADDRESS BYTES BLOCKS
 * (an allocation's call site, the return address in the caller, lies a few
 * bytes into the function). Sites: leak_malloc (malloc kept), churn
 * (malloc/free pairs: leaves 0), leak_calloc, realloc_chain (blocks grown
 * by realloc(NULL, n) then realloc twice: only the last call site keeps
 * them), leak_aligned (aligned_alloc), leak_posix (posix_memalign),
 * leak_mmap (anonymous mmap kept; a second mapping is unmapped), and
 * thread_leak (4 threads). SCALE (default 1) multiplies the block counts.
 * With "hold" it prints "ready" to stderr after the sites and waits to be
 * killed (the symbolization tests read its maps). With "wait" it first
 * prints its pid and waits for a line on stdin before allocating, then
 * holds (for stap -x PID). With LIB.so (liballocleak.so) it also dlopens
 * it and leaks from its lib_leak (n / 10 blocks of 2000 B).
 * Built without optimisation so that no malloc/free pair is elided.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static void *volatile sink;
static long scale = 1;

static void site(const char *name, void *fn, long bytes, long blocks)
{
	fprintf(stderr, "site %s %p %ld %ld\n", name, fn, bytes, blocks);
}

static NOINLINE void leak_malloc(long n)
{
	for (long i = 0; i < n; i++)
		sink = malloc(1000);
}

static NOINLINE void churn(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = malloc(77);
		sink = p;
		free(p);
	}
}

static NOINLINE void leak_calloc(long n)
{
	for (long i = 0; i < n; i++)
		sink = calloc(10, 30);
}

static NOINLINE void *grow(void *p, size_t n)
{
	return realloc(p, n);
}

static NOINLINE void realloc_chain(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = realloc(NULL, 100);
		p = grow(p, 200);
		sink = realloc(p, 4000);
	}
}

static NOINLINE void leak_aligned(long n)
{
	for (long i = 0; i < n; i++)
		sink = aligned_alloc(64, 640);
}

static NOINLINE void leak_posix(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = NULL;
		if (posix_memalign(&p, 64, 320) == 0)
			sink = p;
	}
}

static NOINLINE void leak_mmap(void)
{
	void *keep = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *drop = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	sink = keep;
	if (drop != MAP_FAILED)
		munmap(drop, 1 << 20);
}

static NOINLINE void *thread_leak(void *arg)
{
	long n = (long)arg;

	for (long i = 0; i < n; i++)
		sink = malloc(512);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	long n;

	if (argc > 1)
		scale = strtol(argv[1], NULL, 10);
	if (scale < 1)
		scale = 1;
	n = 1000 * scale;
	fprintf(stderr, "allocsites pid=%d\n", (int)getpid());
	if (argc > 2 && !strcmp(argv[2], "wait")) {
		char go[16];

		if (!fgets(go, sizeof(go), stdin))
			return 1;
	}
	leak_malloc(n);
	churn(5 * n);
	leak_calloc(n / 5);
	realloc_chain(n / 10);
	leak_aligned(n / 20);
	leak_posix(n / 20);
	leak_mmap();
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t[i], NULL, thread_leak, (void *)(n / 4)) != 0)
			return 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	if (argc > 3) {
		void *lib = dlopen(argv[3], RTLD_NOW);
		void (*lib_leak)(long) = lib ? (void (*)(long))dlsym(lib, "lib_leak") : NULL;

		if (!lib_leak) {
			fprintf(stderr, "allocsites: %s\n", dlerror());
			return 1;
		}
		lib_leak(n / 10);
		site("lib_leak", (void *)lib_leak, 2000 * (n / 10), n / 10);
	}
	site("leak_malloc", (void *)leak_malloc, 1000 * n, n);
	site("churn", (void *)churn, 0, 0);
	site("leak_calloc", (void *)leak_calloc, 300 * (n / 5), n / 5);
	site("realloc_chain", (void *)realloc_chain, 4000 * (n / 10), n / 10);
	site("grow", (void *)grow, 0, 0);
	site("leak_aligned", (void *)leak_aligned, 640 * (n / 20), n / 20);
	site("leak_posix", (void *)leak_posix, 320 * (n / 20), n / 20);
	site("leak_mmap", (void *)leak_mmap, 1 << 20, 1);
	site("thread_leak", (void *)thread_leak, 512 * (n / 4) * 4, (n / 4) * 4);
	if (argc > 2 && (!strcmp(argv[2], "hold") || !strcmp(argv[2], "wait"))) {
		fprintf(stderr, "ready\n");
		for (;;)
			pause();
	}
	return 0;
}
