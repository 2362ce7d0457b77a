/* /proc/PID/stat: identity (start time), state, parent, CPU time, flags. */
#ifndef PROC_PID_STAT_H
#define PROC_PID_STAT_H

#include <stdint.h>
#include <sys/types.h>

#define PROC_PID_STAT_COMM_MAX 64	/* kernel threads' names exceed 16 */
#define PROC_PID_PF_KTHREAD 0x00200000	/* flags bit of kernel threads */

/* Numbers are -1 when the line ends before their field. */
struct proc_pid_stat {
	int64_t pid;			/* field 1 */
	char comm[PROC_PID_STAT_COMM_MAX];	/* field 2 without the parentheses, cut */
	char state;			/* field 3: R S D Z T t X I ... */
	int64_t ppid;			/* field 4 */
	int64_t flags;			/* field 9: PF_* bits */
	int64_t utime, stime;		/* fields 14, 15: clock ticks */
	int64_t num_threads;		/* field 20 */
	int64_t starttime;		/* field 22: clock ticks after boot */
};

/* Parses the text of stat. comm may hold spaces and ')': it ends at the
 * LAST ')' of the text. Returns 0, or -EINVAL when there is no "pid (comm)
 * state" head (out then holds the sentinels, comm "" and state '?'). */
int proc_pid_stat_parse(const char *text, struct proc_pid_stat *out);

/* Reads root/proc/PID/stat (open/read/close). Returns 0 or -errno (-ENOENT:
 * no such process). On error out holds the sentinels. */
int proc_pid_stat_read(const char *root, pid_t pid, struct proc_pid_stat *out);

/* Reads a kept stat fd with pread at offset 0. Returns 0 or -errno (-ESRCH
 * once its process is gone). */
int proc_pid_stat_read_fd(int fd, struct proc_pid_stat *out);

#endif
