#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "proc_num.h"
#include "proc_pid_file.h"

int proc_pid_path(char *buf, size_t size, const char *root, pid_t pid, const char *name)
{
	int n = snprintf(buf, size, "%s/proc/%d/%s", root ? root : "", (int)pid, name);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

long proc_pid_pread(int fd, char *buf, size_t size)
{
	size_t got = 0;

	if (size == 0)
		return -EINVAL;
	while (got < size - 1) {
		ssize_t n = pread(fd, buf + got, size - 1 - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf[got] = '\0';
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (got == size - 1) {
		char extra;
		if (pread(fd, &extra, 1, (off_t)got) > 0)
			return -EFBIG;
	}
	return (long)got;
}

long proc_pid_pread_once(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (size == 0)
		return -EINVAL;
	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		buf[0] = '\0';
		return -errno;
	}
	if ((size_t)n == size - 1)
		return proc_pid_pread(fd, buf, size);	/* maybe more: read on */
	buf[n] = '\0';
	return (long)n;
}

long proc_pid_read_file(const char *root, pid_t pid, const char *name,
			char *buf, size_t size)
{
	char path[4096];
	long n;
	int fd, err = proc_pid_path(path, sizeof(path), root, pid, name);

	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = proc_pid_pread(fd, buf, size);
	close(fd);
	return n;
}

const char *proc_pid_int(const char *p, int64_t *v)
{
	int neg = 0;
	int64_t x;
	size_t n;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	n = proc_u63(p, p + strspn(p, "0123456789"), &x);
	if (n == 0)
		return NULL;
	*v = neg ? -x : x;
	return p + n;
}

int64_t proc_pid_scale(int64_t v, int64_t unit)
{
	if (v < 0 || unit <= 0)
		return -1;
	if (v > INT64_MAX / unit)
		return -1;
	return v * unit;
}
