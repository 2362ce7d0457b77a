/* liballocleak.so: a leak inside a shared library, for the health.alloc
 * tests (tests/helpers/allocsites dlopens it). */
#include <stdlib.h>

void *volatile liballocleak_sink;

__attribute__((noinline)) void lib_leak(long n)
{
	for (long i = 0; i < n; i++)
		liballocleak_sink = malloc(2000);
}
