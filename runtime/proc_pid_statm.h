/* /proc/PID/statm: memory of one process in pages, turned into bytes. */
#ifndef PROC_PID_STATM_H
#define PROC_PID_STATM_H

#include <stdint.h>
#include <sys/types.h>

/* Bytes; -1 where the file lacks the column. All 0 for kernel threads and
 * zombies (they have no mm). shared is resident file + shmem pages, so
 * resident - shared is the resident anonymous memory. */
struct proc_pid_statm {
	int64_t size;		/* virtual size */
	int64_t resident;
	int64_t shared;
	int64_t text;
	int64_t data;		/* data + stack */
};

/* Parses the text of statm with page_size bytes per page. Returns 0, or
 * -EINVAL when size and resident are not both there (out then holds -1 in
 * every field not parsed). */
int proc_pid_statm_parse(const char *text, long page_size, struct proc_pid_statm *out);

/* Reads root/proc/PID/statm (open/read/close). Returns 0 or -errno:
 * -ENOENT when the process does not exist. On error out holds -1s. */
int proc_pid_statm_read(const char *root, pid_t pid, struct proc_pid_statm *out);

/* Reads a kept statm fd with pread at offset 0. Returns 0 or -errno:
 * -ESRCH once the process the fd was opened for is gone. */
int proc_pid_statm_read_fd(int fd, struct proc_pid_statm *out);

/* The system page size (sysconf), cached. */
long proc_pid_page_size(void);

#endif
