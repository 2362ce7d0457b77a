/* Per-CPU table pieces (see proc_percpu.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "proc_percpu.h"
#include "proc_num.h"

int proc_percpu_header(const char *p, size_t len, int **cpu, int *ncpus)
{
	const char *end = p + len;

	*ncpus = 0;
	*cpu = malloc((len / 4 + 1) * sizeof(**cpu));	/* a token takes at least 4 bytes */
	if (!*cpu)
		return -ENOMEM;
	for (;;) {
		int n = 0;

		while (p < end && proc_percpu_blank(*p))
			p++;
		if (p == end)
			break;
		if (end - p < 4 || memcmp(p, "CPU", 3) || p[3] < '0' || p[3] > '9')
			return -EINVAL;
		for (p += 3; p < end && *p >= '0' && *p <= '9'; p++) {
			if (n > 1000000)
				return -EINVAL;
			n = n * 10 + (*p - '0');
		}
		if (p < end && !proc_percpu_blank(*p))
			return -EINVAL;
		(*cpu)[(*ncpus)++] = n;
	}
	return *ncpus ? 0 : -EINVAL;
}

size_t proc_percpu_count(const char *p, const char *end, int64_t *v)
{
	size_t n = proc_u63(p, end, v);

	if (p + n < end && !proc_percpu_blank(p[n]))
		return 0;
	return n;
}
