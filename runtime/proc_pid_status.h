/* /proc/PID/status: memory breakdown, threads, uid and context switches. */
#ifndef PROC_PID_STATUS_H
#define PROC_PID_STATUS_H

#include <stdint.h>
#include <sys/types.h>

/* Memory in bytes. Every field is -1 when its line is absent: kernel
 * threads have no Vm or Rss lines, older kernels lack RssAnon/RssFile/
 * RssShmem (before 4.5) and VmSwap (before 2.6.34). */
struct proc_pid_status {
	int64_t vm_rss;
	int64_t rss_anon;
	int64_t rss_file;
	int64_t rss_shmem;
	int64_t vm_swap;
	int64_t vm_size;
	int64_t vm_hwm;			/* peak resident */
	int64_t threads;
	int64_t uid;			/* real uid (first Uid column) */
	int64_t euid;			/* effective uid (second column) */
	int64_t ppid;
	int64_t tgid;			/* thread group: != pid for a thread's /proc/TID */
	int64_t voluntary_ctxt_switches;
	int64_t nonvoluntary_ctxt_switches;
	char state;			/* State: letter; '?' when absent */
};

/* Parses the text of status. Returns 0, or -EINVAL when the text has none
 * of the lines above (out then holds the sentinels). */
int proc_pid_status_parse(const char *text, struct proc_pid_status *out);

/* Reads root/proc/PID/status (open/read/close). Returns 0 or -errno
 * (-ENOENT: no such process). On error out holds the sentinels. */
int proc_pid_status_read(const char *root, pid_t pid, struct proc_pid_status *out);

/* Reads a kept status fd with pread at offset 0. Returns 0 or -errno
 * (-ESRCH once its process is gone). */
int proc_pid_status_read_fd(int fd, struct proc_pid_status *out);

#endif
