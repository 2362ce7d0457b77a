/* Paths under /proc, built from a root prefix so tests can use fixtures. */
#ifndef HT_PATH_H
#define HT_PATH_H

#include <stddef.h>

/* Writes root + rel into buf ("" or NULL root means "/"). rel starts with
 * "/proc". Returns 0, or -ENAMETOOLONG. */
int ht_path(char *buf, size_t size, const char *root, const char *rel);

/* Reads a whole small file into buf, NUL-terminated. Returns the byte
 * count, or -errno. A file longer than size-1 is cut: -EFBIG. */
long ht_read_file(const char *path, char *buf, size_t size);

/* Reads a whole file of unknown size into a malloc'd buffer (*text, freed
 * by the caller): size bytes first, read again twice as big while the file
 * is longer, up to max. Returns the byte count, or -errno (-EFBIG past
 * max); *text is NULL on error. */
long ht_read_file_alloc(const char *path, size_t size, size_t max, char **text);

/* The grow-and-retry loop of ht_read_file_alloc(), for any reader that
 * fills buf NUL-terminated and returns -EFBIG when cut (ht_read_file(),
 * proc_pid_pread() on a kept fd). Same returns and ownership. */
long ht_read_alloc(long (*read)(void *ctx, char *buf, size_t size), void *ctx,
		   size_t size, size_t max, char **text);

#endif
