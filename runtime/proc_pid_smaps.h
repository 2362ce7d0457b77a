/* /proc/PID/smaps: every mapping of a process with its memory figures, and
 * the difference between two such lists (what grew). On demand only: it is
 * costly for large processes and holds the target's mmap lock. */
#ifndef PROC_PID_SMAPS_H
#define PROC_PID_SMAPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_PID_SMAPS_PATH_MAX 256

/* One mapping. Figures in bytes; -1 when the kernel gave no such line. */
struct proc_pid_smaps_region {
	uint64_t start, end;
	char perms[5];
	char path[PROC_PID_SMAPS_PATH_MAX];	/* "" for anonymous, "[heap]"... */
	int64_t size, rss, pss, private_dirty, anonymous, swap;
};

struct proc_pid_smaps {
	struct proc_pid_smaps_region *regions;	/* in file order (the kernel
						   lists mappings by address) */
	size_t n;
};

/* Parses smaps text into out (allocated; free with proc_pid_smaps_free()).
 * Returns 0, -EINVAL when a mapping line is malformed (out then empty), or
 * -ENOMEM. */
int proc_pid_smaps_parse(const char *text, struct proc_pid_smaps *out);

/* Reads root/proc/PID/smaps. Returns 0 or -errno (-ENOENT, -ESRCH, -EACCES). */
int proc_pid_smaps_read(const char *root, pid_t pid, struct proc_pid_smaps *out);
/* The same from an open smaps fd (ht_proctable_smaps(): the pid checked
 * to be the same process first). */
int proc_pid_smaps_read_fd(int fd, struct proc_pid_smaps *out);

void proc_pid_smaps_free(struct proc_pid_smaps *m);

/* A mapping that is new in "after" or larger than in "before". */
struct proc_pid_smaps_growth {
	struct proc_pid_smaps_region after;
	int is_new;			/* no matching mapping before */
	int64_t size_delta, rss_delta, private_dirty_delta;
};

/* Compares two lists of one process. A mapping matches one before with the
 * same start address and path; file mappings and [heap]/[stack] also match
 * by path alone when they moved. Fills *out (allocated, free() it) with the
 * mappings whose size, rss or private dirty grew, or that are new, sorted
 * by private dirty growth, then size growth, largest first. Returns the
 * count, or -ENOMEM. */
long proc_pid_smaps_grown(const struct proc_pid_smaps *before,
			  const struct proc_pid_smaps *after,
			  struct proc_pid_smaps_growth **out);

#endif
