#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>
#include "ht_path.h"

int ht_path(char *buf, size_t size, const char *root, const char *rel)
{
	int n = snprintf(buf, size, "%s%s", root ? root : "", rel);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

long ht_read_file(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	long err = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < size - 1) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		got += n;
	}
	if (got == size - 1) {
		char extra;
		if (read(fd, &extra, 1) > 0)
			err = -EFBIG;
	}
cleanup:
	buf[got] = '\0';
	close(fd);
	return err ? err : (long)got;
}

long ht_read_alloc(long (*read)(void *ctx, char *buf, size_t size), void *ctx,
		   size_t size, size_t max, char **text)
{
	char *buf = NULL;
	long n;

	for (;;) {
		char *grown = realloc(buf, size);

		if (!grown) {
			n = -ENOMEM;
			break;
		}
		buf = grown;
		n = read(ctx, buf, size);
		if (n != -EFBIG || size >= max)
			break;
		size *= 2;
	}
	if (n < 0) {
		free(buf);
		buf = NULL;
	}
	*text = buf;
	return n;
}

static long read_path(void *path, char *buf, size_t size)
{
	return ht_read_file(path, buf, size);
}

long ht_read_file_alloc(const char *path, size_t size, size_t max, char **text)
{
	return ht_read_alloc(read_path, (void *)path, size, max, text);
}
