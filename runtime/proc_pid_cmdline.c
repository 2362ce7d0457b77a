#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "proc_pid_file.h"
#include "proc_pid_cmdline.h"

/* "/usr/sbin/sshd\0-D\0" -> "/usr/sbin/sshd -D" */
size_t proc_pid_cmdline_parse(const char *text, size_t len, char *out, size_t size)
{
	size_t n;

	if (size == 0)
		return 0;
	while (len > 0 && text[len - 1] == '\0')
		len--;
	n = len < size - 1 ? len : size - 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		out[i] = c == '\0' ? ' ' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[n] = '\0';
	return n;
}

static int finish(long n, char *raw, char *out, size_t size)
{
	if (n < 0 && n != -EFBIG) {
		out[0] = '\0';
		return (int)n;
	}
	if (n == -EFBIG)
		n = (long)(size - 1);
	proc_pid_cmdline_parse(raw, (size_t)n, out, size);
	return 0;
}

int proc_pid_cmdline_read(const char *root, pid_t pid, char *out, size_t size)
{
	long n;

	if (size == 0)
		return -EINVAL;
	/* Read into out itself: parsing in place is safe (same length or less). */
	n = proc_pid_read_file(root, pid, "cmdline", out, size);
	return finish(n, out, out, size);
}

int proc_pid_cmdline_read_fd(int fd, char *out, size_t size)
{
	if (size == 0)
		return -EINVAL;
	return finish(proc_pid_pread(fd, out, size), out, out, size);
}
