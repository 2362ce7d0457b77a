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

#endif
