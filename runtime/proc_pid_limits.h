/* /proc/PID/limits: RLIMIT_AS and RLIMIT_DATA, soft and hard. */
#ifndef PROC_PID_LIMITS_H
#define PROC_PID_LIMITS_H

#include <stdint.h>
#include <sys/types.h>

#define PROC_PID_LIMITS_UNLIMITED INT64_MAX	/* "unlimited" */

/* Bytes, PROC_PID_LIMITS_UNLIMITED, or -1 when the row is absent. */
struct proc_pid_limits {
	int64_t as_soft, as_hard;	/* "Max address space" */
	int64_t data_soft, data_hard;	/* "Max data size" */
};

/* Parses the text of limits. Returns 0, or -EINVAL when neither row is
 * there (out then holds -1s). */
int proc_pid_limits_parse(const char *text, struct proc_pid_limits *out);

/* Reads root/proc/PID/limits. Returns 0 or -errno (-ENOENT: no such
 * process); on error out holds -1s. */
int proc_pid_limits_read(const char *root, pid_t pid, struct proc_pid_limits *out);

#endif
