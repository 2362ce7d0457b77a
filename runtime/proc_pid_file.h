/* Shared helpers of the per-process readers (runtime/proc_pid_*.c): paths
 * under root/proc/PID, reads from a path or from a kept fd, number parsing. */
#ifndef PROC_PID_FILE_H
#define PROC_PID_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes root + "/proc/" + pid + "/" + name into buf (NULL or "" root: the
 * live /proc). Returns 0 or -ENAMETOOLONG. */
int proc_pid_path(char *buf, size_t size, const char *root, pid_t pid, const char *name);

/* Reads a kept fd from offset 0 (pread, so the fd stays usable for the next
 * sample) into buf, NUL-terminated; reads again until EOF or buf is full.
 * Returns the byte count, or -errno (-ESRCH once the process is gone). A file
 * longer than size-1 is cut: the first size-1 bytes are in buf and the
 * return is -EFBIG. */
long proc_pid_pread(int fd, char *buf, size_t size);

/* Like proc_pid_pread() for files the kernel produces in one go (statm,
 * stat, status: seq_file single_open): one pread at offset 0 unless it
 * fills buf, so a kept-fd sample costs one syscall. */
long proc_pid_pread_once(int fd, char *buf, size_t size);

/* Opens root/proc/PID/name, reads it like proc_pid_pread() and closes it.
 * Returns the byte count or -errno (-ENOENT when the process or the file
 * does not exist, -EFBIG when cut). */
long proc_pid_read_file(const char *root, pid_t pid, const char *name,
			char *buf, size_t size);

/* Skips blanks (space, tab), then parses a decimal integer with an optional
 * '-' into *v. Returns the end of the number, or NULL (and *v untouched)
 * when there is no number or it overflows int64. */
const char *proc_pid_int(const char *p, int64_t *v);

/* Multiplies a non-negative count by unit; -1 stays -1, overflow gives -1. */
int64_t proc_pid_scale(int64_t v, int64_t unit);

#endif
