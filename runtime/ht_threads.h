/* Per-thread context switches: every thread of the given processes from
 * root/proc/PID/task/TID/status, with switch rates over the last interval
 * (the sampler's thread view; top --threads shows it).
 *
 * A thread that exits between the listing of task/ and the read of its
 * status is left out, never shown with another thread's counters.
 *
 * Not thread-safe; zero-initialise, then sample; ht_threads_free()
 * releases. */
#ifndef HT_THREADS_H
#define HT_THREADS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ht_counter.h"
#include "ht_proctable.h"

struct ht_thread_view {
	pid_t pid, tid;
	char comm[HT_PROC_COMM_MAX];	/* status's Name, as the kernel writes it */
	char state;			/* 'R', 'S', ...; '?' unknown */
	int64_t vol, nonvol;		/* context switches since start; -1 */
	double vol_rate, nonvol_rate;	/* per second over the last interval;
					   NAN on a thread's first sample */
};

struct ht_threads {
	size_t n;
	struct ht_thread_view *v;	/* by pid, then tid */
	struct ht_counter *vol, *nonvol;	/* parallel to v */
};

/* Reads the threads of the npids processes pids at now_ns. A process that
 * is gone contributes nothing. Returns 0 or -ENOMEM (the previous rows
 * stay). */
int ht_threads_sample(struct ht_threads *t, const char *root, const pid_t *pids,
		      size_t npids, int64_t now_ns);

/* Releases what t holds and empties it; t may be NULL. */
void ht_threads_free(struct ht_threads *t);

#endif
