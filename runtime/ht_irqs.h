/* Per-interrupt rates: every row of /proc/interrupts with its total and
 * its rate over the last interval, matched by label from one sample to the
 * next (the sampler's opts.interrupts; top shows the busiest).
 *
 * Not thread-safe; zero-initialise, then sample; ht_irqs_free() releases. */
#ifndef HT_IRQS_H
#define HT_IRQS_H

#include <stddef.h>
#include <stdint.h>
#include "ht_counter.h"

struct proc_interrupts_row;

struct ht_irq_view {
	char name[24];		/* "LOC", "NMI", "24:virtio0-input" (the IRQ
				   and the last word of its description) */
	int64_t total;		/* summed over CPUs; -1 unknown */
	double rate;		/* per second over the last interval; NAN on
				   the first sample, a new row or a reset */
};

struct ht_irqs {
	size_t n;
	struct ht_irq_view *v;	/* in /proc/interrupts order */
	struct ht_counter *c;	/* parallel to v */
};

/* Reads root/proc/interrupts at now_ns. Returns 0, or -errno with no rows
 * (a later sample starts the rates over). */
int ht_irqs_sample(struct ht_irqs *q, const char *root, int64_t now_ns);

/* Releases what q holds and empties it; q may be NULL. */
void ht_irqs_free(struct ht_irqs *q);

/* "IO-APIC 2-edge timer" on IRQ 2 -> "2:timer"; an architecture row ("LOC")
 * keeps its name. */
void ht_irq_label(const struct proc_interrupts_row *r, char *out, size_t size);

#endif
