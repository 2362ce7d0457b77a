/* Per-interrupt rates (see ht_irqs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_irqs.h"
#include "proc_interrupts.h"

void ht_irq_label(const struct proc_interrupts_row *r, char *out, size_t size)
{
	const char *d = r->desc, *last = d;

	if (r->irq[0] < '0' || r->irq[0] > '9' || !*d) {
		snprintf(out, size, "%s", r->irq);
		return;
	}
	for (const char *p = d; *p; p++)
		if ((*p == ' ' || *p == '\t') && p[1] && p[1] != ' ' && p[1] != '\t')
			last = p + 1;
	snprintf(out, size, "%s:%s", r->irq, last);
}

/* The previous sample's counter of the row named name: rows keep their
 * order, so index i is tried first. */
static const struct ht_counter *prev_counter(const struct ht_irqs *q, size_t i,
					     const char *name)
{
	if (i < q->n && !strcmp(q->v[i].name, name))
		return &q->c[i];
	for (size_t j = 0; j < q->n; j++)
		if (!strcmp(q->v[j].name, name))
			return &q->c[j];
	return NULL;
}

int ht_irqs_sample(struct ht_irqs *q, const char *root, int64_t now_ns)
{
	struct proc_interrupts pi;
	struct ht_irq_view *v;
	struct ht_counter *c;
	int err = proc_interrupts_read(root, &pi);

	if (err) {
		ht_irqs_free(q);
		return err;
	}
	v = calloc(pi.nrows ? pi.nrows : 1, sizeof(*v));
	c = calloc(pi.nrows ? pi.nrows : 1, sizeof(*c));
	if (!v || !c) {
		free(v);
		free(c);
		proc_interrupts_free(&pi);
		ht_irqs_free(q);
		return -ENOMEM;
	}
	for (size_t i = 0; i < pi.nrows; i++) {
		const struct ht_counter *old;

		ht_irq_label(&pi.rows[i], v[i].name, sizeof(v[i].name));
		old = prev_counter(q, i, v[i].name);
		if (old)
			c[i] = *old;
		else
			ht_counter_init(&c[i]);
		v[i].total = pi.rows[i].total;
		ht_counter_update(&c[i], v[i].total, now_ns);
		v[i].rate = c[i].rate;
	}
	ht_irqs_free(q);
	q->v = v;
	q->c = c;
	q->n = pi.nrows;
	proc_interrupts_free(&pi);
	return 0;
}

void ht_irqs_free(struct ht_irqs *q)
{
	if (!q)
		return;
	free(q->v);
	free(q->c);
	*q = (struct ht_irqs){ 0 };
}
