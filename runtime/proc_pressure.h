/* /proc/pressure/{cpu,memory,io}: pressure stall information (PSI). */
#ifndef PROC_PRESSURE_H
#define PROC_PRESSURE_H

#include <stdint.h>

/* One "some" or "full" line: share of wall time (percent) in which some
 * (or all non-idle) tasks stalled, averaged over 10, 60 and 300 seconds,
 * and the total stall time in microseconds. A line the file lacks has NAN
 * averages and total -1 (the cpu file has no "full" line before 5.13). */
struct proc_pressure_line {
	double avg10, avg60, avg300;
	int64_t total_us;
};

/* One resource's file. */
struct proc_pressure_res {
	int present;			/* 1 if the file was read */
	struct proc_pressure_line some, full;
};

struct proc_pressure {
	struct proc_pressure_res cpu, memory, io;
};

/* Reads root/proc/pressure/{cpu,memory,io} into out. A file that is absent
 * leaves its resource with present 0 and every field NAN or -1. Returns 0
 * if at least one file was read, -ENOENT when none exists (a kernel before
 * 4.20, or PSI off: callers treat this as "no PSI"), or another -errno,
 * or -EINVAL when a file that exists has no "some" line. out holds no
 * resources; on error its contents are unspecified. */
int proc_pressure_read(const char *root, struct proc_pressure *out);

/* Parses the NUL-terminated text of one pressure file into out (present
 * is set to 1). Returns 0, or -EINVAL when no well-formed "some" line is
 * there; a garbled "full" line is left as absent. */
int proc_pressure_parse(const char *text, struct proc_pressure_res *out);

#endif
