/* /proc/PID/cgroup (the cgroup v2 line) and that cgroup's memory.max and
 * memory.current under root/sys/fs/cgroup. */
#ifndef PROC_PID_CGROUP_H
#define PROC_PID_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

#define PROC_PID_CGROUP_PATH_MAX 1024
#define PROC_PID_CGROUP_NO_LIMIT INT64_MAX	/* memory.max "max" */

struct proc_pid_cgroup {
	/* The v2 path from the "0::/path" line, as the reader's cgroup
	 * namespace sees it; "" when there is no v2 line (v1 only). */
	char path[PROC_PID_CGROUP_PATH_MAX];
	int64_t memory_max;	/* bytes, PROC_PID_CGROUP_NO_LIMIT, or -1 unknown */
	int64_t memory_current;	/* bytes, or -1 unknown (e.g. the root cgroup) */
};

/* Parses the text of /proc/PID/cgroup: finds "0::/path". Returns 0, or
 * -ENODATA when there is no v2 line, -ENAMETOOLONG when the path does not
 * fit (path is then ""). memory_max and memory_current are set to -1. */
int proc_pid_cgroup_parse(const char *text, struct proc_pid_cgroup *out);

/* Parses memory.max text: "max" gives PROC_PID_CGROUP_NO_LIMIT, a number
 * gives itself; anything else -1. Also fits memory.current. */
int64_t proc_pid_cgroup_parse_memory(const char *text);

/* Reads root/proc/PID/cgroup, then memory.max and memory.current of that
 * cgroup from root/sys/fs/cgroup/PATH (or root/sys/fs/cgroup/unified/PATH on
 * hybrid hosts where only that is cgroup2). Returns 0 or -errno from the
 * /proc file (-ENOENT: no such process, -ENODATA: no v2 line); a memory file
 * that cannot be read leaves its field -1 and is not an error. */
int proc_pid_cgroup_read(const char *root, pid_t pid, struct proc_pid_cgroup *out);

/* The two halves of proc_pid_cgroup_read(): the path only (memory fields
 * -1), and memory.max and memory.current of cg->path (-1 each when it
 * cannot be read, or when the path is ""). A sampler reads a process's path
 * once and each cgroup's memory once for all its members. */
int proc_pid_cgroup_read_path(const char *root, pid_t pid, struct proc_pid_cgroup *out);
void proc_pid_cgroup_read_memory(const char *root, struct proc_pid_cgroup *cg);

#endif
