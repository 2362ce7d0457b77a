/* /proc/PID/smaps_rollup (Linux 4.14+): proportional and private memory.
 * Read on demand only: it walks every mapping (12.5 ms on a 1 GiB process
 * here) and holds the target's mmap lock meanwhile. */
#ifndef PROC_PID_SMAPS_ROLLUP_H
#define PROC_PID_SMAPS_ROLLUP_H

#include <stdint.h>
#include <sys/types.h>

/* Bytes; -1 when the line is absent. */
struct proc_pid_smaps_rollup {
	int64_t rss;
	int64_t pss;
	int64_t private_dirty;
	int64_t anonymous;
	int64_t swap;
};

/* Parses the text of smaps_rollup. Returns 0, or -EINVAL when it has no
 * Rss line (out then holds -1s). */
int proc_pid_smaps_rollup_parse(const char *text, struct proc_pid_smaps_rollup *out);

/* Reads root/proc/PID/smaps_rollup. Returns 0 or -errno: -ENOENT on kernels
 * without the file (or no such process), -EACCES without ptrace access,
 * -ESRCH for kernel threads and processes gone mid-read. On error out holds
 * -1s. */
int proc_pid_smaps_rollup_read(const char *root, pid_t pid, struct proc_pid_smaps_rollup *out);

/* The same through an fd the caller opened on smaps_rollup (pread at 0). */
int proc_pid_smaps_rollup_read_fd(int fd, struct proc_pid_smaps_rollup *out);

#endif
