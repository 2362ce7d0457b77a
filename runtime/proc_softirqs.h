/* /proc/softirqs: per softirq vector and per CPU counts. */
#ifndef PROC_SOFTIRQS_H
#define PROC_SOFTIRQS_H

#include <stdint.h>

enum proc_softirq {
	PROC_SOFTIRQ_HI,
	PROC_SOFTIRQ_TIMER,
	PROC_SOFTIRQ_NET_TX,
	PROC_SOFTIRQ_NET_RX,
	PROC_SOFTIRQ_BLOCK,
	PROC_SOFTIRQ_IRQ_POLL,		/* "BLOCK_IOPOLL" before 4.5 */
	PROC_SOFTIRQ_TASKLET,
	PROC_SOFTIRQ_SCHED,
	PROC_SOFTIRQ_HRTIMER,
	PROC_SOFTIRQ_RCU,
	PROC_SOFTIRQ_N
};

struct proc_softirqs {
	int ncpus;			/* CPU columns in the header */
	int *cpu;			/* ncpus CPU numbers from "CPU0 CPU1 ..." */
	int64_t total[PROC_SOFTIRQ_N];	/* sum over CPUs; -1 when the row is
					   absent, short of columns, or the sum
					   overflows */
	int64_t *counts;		/* [vec * ncpus + col]; -1 where absent;
					   use proc_softirqs_get() */
	int nskipped;			/* rows that did not parse */
};

/* Reads root/proc/softirqs into out. On success out owns its memory:
 * release it with proc_softirqs_free(). On error out owns nothing.
 * Returns 0 or -errno: -ENOENT when the file is absent (before 2.6.31),
 * -EINVAL as proc_softirqs_parse(), -ENOMEM. */
int proc_softirqs_read(const char *root, struct proc_softirqs *out);

/* Parses the NUL-terminated text of /proc/softirqs. The first non-blank
 * line must be the "CPU0 CPU1 ..." header. Rows of vectors this reader
 * does not know are ignored; a known row with a garbled count keeps the
 * counts before it and is counted in nskipped. Returns 0; -EINVAL when
 * the header is missing or no known row parsed; -ENOMEM. Ownership as
 * proc_softirqs_read(). */
int proc_softirqs_parse(const char *text, struct proc_softirqs *out);

/* Frees what out owns and empties it; out may be NULL. */
void proc_softirqs_free(struct proc_softirqs *out);

/* Count of vector vec on CPU column col (0..ncpus-1), or -1 when absent
 * or out of range. */
int64_t proc_softirqs_get(const struct proc_softirqs *s, enum proc_softirq vec,
			  int col);

/* The vector's name as the file spells it ("NET_RX"), or NULL. */
const char *proc_softirq_name(enum proc_softirq vec);

#endif
