/* /proc/interrupts reader: see proc_interrupts.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_counter.h"
#include "ht_path.h"
#include "proc_interrupts.h"
#include "proc_percpu.h"

/* " 24:          1          0  IO-APIC   5-edge      ACPI:Ged"
 * "ERR:          0"
 * Counts go to *counts (at most ncpus), the description to *desc (NUL-
 * terminated). Returns 0, or -EINVAL when the row does not parse. */
static int parse_row(const char *p, size_t len, int ncpus,
		     struct proc_interrupts_row *row, int64_t **counts,
		     char **desc)
{
	const char *end = p + len, *colon;
	size_t n;

	while (p < end && proc_percpu_blank(*p))
		p++;
	colon = memchr(p, ':', end - p);
	if (!colon || colon == p || colon - p >= (ptrdiff_t)sizeof(row->irq))
		return -EINVAL;
	for (const char *q = p; q < colon; q++)
		if (proc_percpu_blank(*q))
			return -EINVAL;
	memcpy(row->irq, p, colon - p);
	row->irq[colon - p] = '\0';
	row->counts = *counts;
	row->ncounts = 0;
	row->total = 0;
	for (p = colon + 1; row->ncounts < ncpus; p += n) {
		int64_t v;

		while (p < end && proc_percpu_blank(*p))
			p++;
		n = proc_percpu_count(p, end, &v);
		if (n == 0)
			break;
		(*counts)[row->ncounts++] = v;
		ht_total_add(&row->total, v);
	}
	if (row->ncounts == 0)
		return -EINVAL;
	*counts += row->ncounts;
	while (p < end && proc_percpu_blank(*p))
		p++;
	while (end > p && proc_percpu_blank(end[-1]))
		end--;
	memcpy(*desc, p, end - p);
	(*desc)[end - p] = '\0';
	row->desc = *desc;
	*desc += end - p + 1;
	return 0;
}

int proc_interrupts_parse(const char *text, struct proc_interrupts *out)
{
	size_t len = strlen(text), cap = 0;
	int64_t *counts;
	char *desc;
	const char *p = text;
	int err;

	memset(out, 0, sizeof(*out));
	/* Each count takes at least two bytes of text ("1 "), and each
	 * description fits in its line: the pools cannot overflow. */
	out->counts_pool_ = malloc((len / 2 + 1) * sizeof(int64_t));
	out->desc_pool_ = malloc(len + 1);
	if (!out->counts_pool_ || !out->desc_pool_) {
		err = -ENOMEM;
		goto cleanup;
	}
	counts = out->counts_pool_;
	desc = out->desc_pool_;
	p += strspn(p, " \t\r\n");
	err = proc_percpu_header(p, strcspn(p, "\n"), &out->cpu, &out->ncpus);
	if (err)
		goto cleanup;
	p += strcspn(p, "\n");
	while (*p) {
		size_t n;

		p++;			/* the '\n' */
		n = strcspn(p, "\n");
		if (strspn(p, " \t\r") < n) {
			if (ht_grow(out->rows, cap, out->nrows + 1)) {
				err = -ENOMEM;
				goto cleanup;
			}
			if (parse_row(p, n, out->ncpus, &out->rows[out->nrows],
				      &counts, &desc))
				out->nskipped++;
			else
				out->nrows++;
		}
		p += n;
	}
cleanup:
	if (err)
		proc_interrupts_free(out);
	return err;
}

void proc_interrupts_free(struct proc_interrupts *out)
{
	if (!out)
		return;
	free(out->cpu);
	free(out->rows);
	free(out->counts_pool_);
	free(out->desc_pool_);
	memset(out, 0, sizeof(*out));
}

const struct proc_interrupts_row *
proc_interrupts_find(const struct proc_interrupts *p, const char *irq)
{
	for (size_t i = 0; i < p->nrows; i++)
		if (!strcmp(p->rows[i].irq, irq))
			return &p->rows[i];
	return NULL;
}

int proc_interrupts_read(const char *root, struct proc_interrupts *out)
{
	char path[4096];
	char *text;
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/interrupts");

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	/* 2 CPUs: ~2 KB; 64 CPUs: ~50 KB; many CPUs: read again, bigger */
	n = ht_read_file_alloc(path, 1 << 16, 1u << 28, &text);
	if (n < 0)
		return (int)n;
	err = proc_interrupts_parse(text, out);
	free(text);
	return err;
}
