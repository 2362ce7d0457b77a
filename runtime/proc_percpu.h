/* The per-CPU tables of /proc/interrupts and /proc/softirqs: their
 * "CPU0 CPU1 ..." header and their count tokens, parsed in one place for
 * both readers. */
#ifndef PROC_PERCPU_H
#define PROC_PERCPU_H

#include <stddef.h>
#include <stdint.h>

static inline int proc_percpu_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* "           CPU0       CPU1       " (len bytes at p): only "CPU<n>"
 * tokens. *cpu gets a malloc'd array of the CPU numbers (offline CPUs
 * leave gaps) and *ncpus their count. Returns 0, -EINVAL (no CPU, or
 * another token) or -ENOMEM; *cpu is the caller's to free in every case. */
int proc_percpu_header(const char *p, size_t len, int **cpu, int *ncpus);

/* A decimal token at p (up to a blank or end): its length, with its value
 * in *v, or 0 when p does not hold one that fits in 63 bits. */
size_t proc_percpu_count(const char *p, const char *end, int64_t *v);

#endif
