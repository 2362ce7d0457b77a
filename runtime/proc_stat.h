/* /proc/stat: CPU time, context switches, interrupts, process counts. */
#ifndef PROC_STAT_H
#define PROC_STAT_H

#include <stdint.h>

#define PROC_STAT_MAX_CPUS 1024

/* CPU times in USER_HZ ticks; -1 where the kernel has no such column. */
struct proc_stat_cpu {
	int64_t user, nice, system, idle, iowait, irq, softirq, steal;
};

/* Fields absent from the file are -1. */
struct proc_stat {
	struct proc_stat_cpu cpu;	/* the "cpu" line: all CPUs */
	int ncpus;			/* "cpuN" lines seen */
	int64_t ctxt;			/* context switches since boot */
	int64_t intr;			/* first number of the "intr" line */
	int64_t softirq;		/* first number of the "softirq" line */
	int64_t btime;			/* boot time, seconds since the epoch */
	int64_t processes;		/* forks since boot */
	int64_t procs_running;
	int64_t procs_blocked;
};

/* Reads root/proc/stat into out. Returns 0 or -errno (-EINVAL when the
 * file holds no ctxt line). */
int proc_stat_read(const char *root, struct proc_stat *out);

/* Parses the text of /proc/stat. Returns 0 or -EINVAL. */
int proc_stat_parse(const char *text, struct proc_stat *out);

#endif
