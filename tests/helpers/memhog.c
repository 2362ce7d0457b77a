/* Allocates a known amount of anonymous memory, for the memory tapset tests.
 *
 * Usage: memhog WAIT_MS MIB HOLD_MS
 * Sleeps WAIT_MS, maps MIB MiB of private anonymous memory and writes every
 * page (so it all becomes RSS), holds it HOLD_MS, then exits. Prints
 * "memhog pid=<pid>" first, "memhog touched=<bytes>" once the memory is
 * in, and "memhog faults=<minor + major faults>" (getrusage) at the end. Exit status: 0 done, 1 mmap failed, 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	long wait_ms, mib, hold_ms, page = sysconf(_SC_PAGESIZE);
	size_t len;
	char *p;

	if (argc != 4)
		return 2;
	wait_ms = atol(argv[1]);
	mib = atol(argv[2]);
	hold_ms = atol(argv[3]);
	if (mib <= 0 || wait_ms < 0 || hold_ms < 0)
		return 2;
	printf("memhog pid=%d\n", (int)getpid());
	fflush(stdout);
	sleep_ms(wait_ms);
	len = (size_t)mib << 20;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	/* No transparent huge pages: RSS grows page by page, as counted. */
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	printf("memhog touched=%zu\n", len);
	fflush(stdout);
	sleep_ms(hold_ms);
	{
		struct rusage ru;

		if (getrusage(RUSAGE_SELF, &ru) == 0)
			printf("memhog faults=%ld\n", ru.ru_minflt + ru.ru_majflt);
	}
	return 0;
}
