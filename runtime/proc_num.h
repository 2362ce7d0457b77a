/* The one decimal scanner of the /proc readers: digits into a 63-bit
 * count, overflow refused. Each reader checks what may follow a number in
 * its own format. */
#ifndef PROC_NUM_H
#define PROC_NUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Scans the decimal digits from p up to end into *v. Returns how many
 * there were, or 0 when there is none or the value passes INT64_MAX (*v
 * then holds nothing useful). */
static inline size_t proc_u63(const char *p, const char *end, int64_t *v)
{
	size_t n = 0;

	*v = 0;
	while (p + n < end && p[n] >= '0' && p[n] <= '9') {
		if (*v > (INT64_MAX - (p[n] - '0')) / 10)
			return 0;
		*v = *v * 10 + (p[n] - '0');
		n++;
	}
	return n;
}

/* Skips blanks (space, tab) at *p, then scans a decimal of the same line
 * (NUL-terminated text): its value, with *p past it, or -1 (*p unchanged)
 * when there is none or it passes INT64_MAX. */
static inline int64_t proc_u63_next(const char **p)
{
	const char *q = *p + strspn(*p, " \t");
	int64_t v;
	size_t n = proc_u63(q, q + strcspn(q, "\n"), &v);

	if (n == 0)
		return -1;
	*p = q + n;
	return v;
}

#endif
