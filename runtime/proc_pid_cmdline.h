/* /proc/PID/cmdline: the arguments, NUL-separated, as one bounded string. */
#ifndef PROC_PID_CMDLINE_H
#define PROC_PID_CMDLINE_H

#include <stddef.h>
#include <sys/types.h>

/* Turns len raw bytes of cmdline into a string in out (size > 0 bytes): NULs
 * between arguments become spaces, trailing NULs are dropped, other control
 * bytes become '?'. Cut at size-1 bytes. Returns the string length. Empty
 * text (kernel threads, zombies) gives "". */
size_t proc_pid_cmdline_parse(const char *text, size_t len, char *out, size_t size);

/* Reads root/proc/PID/cmdline into out as above (reads at most size-1 raw
 * bytes, so a longer command line is cut). Returns 0 or -errno (-ENOENT: no
 * such process); on error out is "". */
int proc_pid_cmdline_read(const char *root, pid_t pid, char *out, size_t size);

/* The same through a kept cmdline fd (pread from offset 0). */
int proc_pid_cmdline_read_fd(int fd, char *out, size_t size);

#endif
