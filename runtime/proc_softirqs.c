/* /proc/softirqs reader: see proc_softirqs.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ht_counter.h"
#include "ht_path.h"
#include "proc_percpu.h"
#include "proc_softirqs.h"

static const char *const names[PROC_SOFTIRQ_N] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET",
	"SCHED", "HRTIMER", "RCU",
};

const char *proc_softirq_name(enum proc_softirq vec)
{
	return (unsigned)vec < PROC_SOFTIRQ_N ? names[vec] : NULL;
}

static int lookup(const char *p, size_t n)
{
	if (n == 12 && !memcmp(p, "BLOCK_IOPOLL", 12))
		return PROC_SOFTIRQ_IRQ_POLL;
	for (int i = 0; i < PROC_SOFTIRQ_N; i++)
		if (strlen(names[i]) == n && !memcmp(names[i], p, n))
			return i;
	return -1;
}

/* "      NET_RX:        835       1312". Returns 1 for a known row that
 * parsed, 0 for an unknown one, -EINVAL for a garbled known row. */
static int parse_row(const char *p, size_t len, struct proc_softirqs *out)
{
	const char *end = p + len, *colon;
	int64_t *row, total = 0;
	int vec, col;

	while (p < end && proc_percpu_blank(*p))
		p++;
	colon = memchr(p, ':', end - p);
	if (!colon || (vec = lookup(p, colon - p)) < 0)
		return 0;
	row = out->counts + (size_t)vec * out->ncpus;
	for (col = 0; col < out->ncpus; col++)
		row[col] = -1;
	out->total[vec] = -1;
	p = colon + 1;
	for (col = 0; ; col++) {
		int64_t v;
		size_t n;

		while (p < end && proc_percpu_blank(*p))
			p++;
		if (p == end)
			break;
		if (col == out->ncpus || !(n = proc_percpu_count(p, end, &v)))
			return -EINVAL;
		p += n;
		row[col] = v;
		ht_total_add(&total, v);
	}
	if (col < out->ncpus)
		return -EINVAL;		/* a cut line: no honest total */
	out->total[vec] = total;
	return 1;
}

int proc_softirqs_parse(const char *text, struct proc_softirqs *out)
{
	const char *p = text;
	int known = 0, err;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < PROC_SOFTIRQ_N; i++)
		out->total[i] = -1;
	p += strspn(p, " \t\r\n");
	err = proc_percpu_header(p, strcspn(p, "\n"), &out->cpu, &out->ncpus);
	if (err)
		goto cleanup;
	out->counts = malloc((size_t)out->ncpus * PROC_SOFTIRQ_N * sizeof(int64_t));
	if (!out->counts) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < (size_t)out->ncpus * PROC_SOFTIRQ_N; i++)
		out->counts[i] = -1;
	p += strcspn(p, "\n");
	while (*p) {
		size_t n;
		int r;

		p++;
		n = strcspn(p, "\n");
		r = parse_row(p, n, out);
		if (r < 0)
			out->nskipped++;
		known += r > 0;
		p += n;
	}
	if (!known)
		err = -EINVAL;
cleanup:
	if (err)
		proc_softirqs_free(out);
	return err;
}

void proc_softirqs_free(struct proc_softirqs *out)
{
	if (!out)
		return;
	free(out->cpu);
	free(out->counts);
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < PROC_SOFTIRQ_N; i++)
		out->total[i] = -1;
}

int64_t proc_softirqs_get(const struct proc_softirqs *s, enum proc_softirq vec,
			  int col)
{
	if ((unsigned)vec >= PROC_SOFTIRQ_N || col < 0 || col >= s->ncpus)
		return -1;
	return s->counts[(size_t)vec * s->ncpus + col];
}

int proc_softirqs_read(const char *root, struct proc_softirqs *out)
{
	char path[4096];
	char *text;
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/softirqs");

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	/* 64 CPUs: ~7 KB */
	n = ht_read_file_alloc(path, 1 << 16, 1u << 26, &text);
	if (n < 0)
		return (int)n;
	err = proc_softirqs_parse(text, out);
	free(text);
	return err;
}
