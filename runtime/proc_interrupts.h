/* /proc/interrupts: per IRQ and per CPU interrupt counts, with names.
 *
 * Reading this file is expensive (~65 us here, and it grows with CPUs and
 * IRQs): read it rarely; the "intr" line of /proc/stat has the total. */
#ifndef PROC_INTERRUPTS_H
#define PROC_INTERRUPTS_H

#include <stddef.h>
#include <stdint.h>

/* One row: a numbered IRQ ("24"), or an architecture row ("NMI", "LOC",
 * "RES", "ERR", "IPI0", ...). */
struct proc_interrupts_row {
	char irq[16];			/* the text before the colon */
	int ncounts;			/* count columns present: ncpus for most
					   rows, 1 for ERR and MIS (one
					   system-wide count), fewer in a cut
					   line */
	const int64_t *counts;		/* ncounts counts; counts[i] belongs to
					   CPU cpu[i] of struct proc_interrupts */
	int64_t total;			/* sum of the counts; -1 on overflow */
	const char *desc;		/* the rest of the line, blanks trimmed:
					   "IO-APIC   2-edge      timer",
					   "Local timer interrupts"; "" if none */
};

struct proc_interrupts {
	int ncpus;			/* CPU columns in the header */
	int *cpu;			/* ncpus CPU numbers from "CPU0 CPU1 ...";
					   offline CPUs leave gaps */
	size_t nrows;
	struct proc_interrupts_row *rows;	/* in file order */
	size_t nskipped;		/* rows that did not parse */
	int64_t *counts_pool_;		/* private: storage for the rows */
	char *desc_pool_;		/* private */
};

/* Reads root/proc/interrupts into out, whatever its size. On success out
 * owns its memory: release it with proc_interrupts_free(). On error out
 * owns nothing. Returns 0 or -errno: -ENOENT when the file is absent,
 * -EINVAL as proc_interrupts_parse(), -ENOMEM. */
int proc_interrupts_read(const char *root, struct proc_interrupts *out);

/* Parses the NUL-terminated text of /proc/interrupts. The first non-blank
 * line must be the "CPU0 CPU1 ..." header (else -EINVAL). A row is "IRQ:",
 * then up to ncpus decimals, then a description; a row with no count or
 * an IRQ name longer than 15 bytes is skipped and counted in nskipped.
 * Returns 0, -EINVAL or -ENOMEM. Ownership as proc_interrupts_read(). */
int proc_interrupts_parse(const char *text, struct proc_interrupts *out);

/* Frees what out owns and empties it; out may be NULL. */
void proc_interrupts_free(struct proc_interrupts *out);

/* The row named irq ("LOC", "24"), or NULL. Valid until
 * proc_interrupts_free(). */
const struct proc_interrupts_row *
proc_interrupts_find(const struct proc_interrupts *p, const char *irq);

#endif
