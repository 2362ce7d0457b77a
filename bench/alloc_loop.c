/* alloc_loop: N malloc(64)+free pairs; prints the CPU time (user + system,
 * which holds the uprobe traps) per pair in ns:
 *   alloc_loop N  ->  "ns_per_pair 18.4"
 * Built without optimisation so that the pairs are not elided. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void *volatile sink;

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	struct timespec a, b;

	if (n < 1)
		return 2;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++) {
		void *p = malloc(64);
		sink = p;
		free(p);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	printf("ns_per_pair %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
