/* /proc/pressure reader: see proc_pressure.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ht_path.h"
#include "proc_num.h"
#include "proc_pressure.h"

static void absent(struct proc_pressure_res *r)
{
	r->present = 0;
	r->some = r->full = (struct proc_pressure_line){ NAN, NAN, NAN, -1 };
}

/* "123.45" as the kernel prints an average (LOAD_INT.LOAD_FRAC, 0-100). */
static int parse_avg(const char *p, size_t len, double *out)
{
	char buf[32], *end;
	double v;

	if (len == 0 || len >= sizeof(buf) || p[0] < '0' || p[0] > '9')
		return -EINVAL;
	memcpy(buf, p, len);
	buf[len] = '\0';
	v = strtod(buf, &end);
	if (*end || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_total(const char *p, size_t len, int64_t *out)
{
	int64_t v;

	if (len == 0 || proc_u63(p, p + len, &v) != len)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "some avg10=3.77 avg60=6.98 avg300=9.79 total=62826795": all four
 * fields, in this order, or the line does not count. */
static int parse_line(const char *p, size_t len, struct proc_pressure_line *out)
{
	static const char *const keys[] = { "avg10=", "avg60=", "avg300=", "total=" };
	struct proc_pressure_line l;
	double *avg[] = { &l.avg10, &l.avg60, &l.avg300 };
	const char *end = p + len;

	for (int k = 0; k < 4; k++) {
		size_t klen = strlen(keys[k]), n;

		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) < klen || memcmp(p, keys[k], klen))
			return -EINVAL;
		p += klen;
		n = 0;
		while (p + n < end && p[n] != ' ')
			n++;
		if (k < 3 ? parse_avg(p, n, avg[k]) : parse_total(p, n, &l.total_us))
			return -EINVAL;
		p += n;
	}
	while (p < end && (*p == ' ' || *p == '\r'))
		p++;
	if (p != end)
		return -EINVAL;
	*out = l;
	return 0;
}

int proc_pressure_parse(const char *text, struct proc_pressure_res *out)
{
	int have_some = 0;

	absent(out);
	out->present = 1;
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		if (n > 5 && !memcmp(p, "some ", 5) &&
		    !parse_line(p + 5, n - 5, &out->some))
			have_some = 1;
		else if (n > 5 && !memcmp(p, "full ", 5))
			parse_line(p + 5, n - 5, &out->full);
		p += n;
		if (*p)
			p++;
	}
	return have_some ? 0 : -EINVAL;
}

static int read_one(const char *root, const char *rel,
		    struct proc_pressure_res *out)
{
	char path[4096];
	char text[1024];		/* two lines of ~60 bytes */
	long n;
	int err = ht_path(path, sizeof(path), root, rel);

	absent(out);
	if (err)
		return err;
	n = ht_read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return proc_pressure_parse(text, out);
}

int proc_pressure_read(const char *root, struct proc_pressure *out)
{
	static const char *const rel[] = {
		"/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io",
	};
	struct proc_pressure_res *res[] = { &out->cpu, &out->memory, &out->io };
	int found = 0;

	for (int i = 0; i < 3; i++) {
		int err = read_one(root, rel[i], res[i]);

		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		found = 1;
	}
	return found ? 0 : -ENOENT;
}
