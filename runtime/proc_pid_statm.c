#include <errno.h>
#include <unistd.h>
#include "proc_pid_file.h"
#include "proc_pid_statm.h"

long proc_pid_page_size(void)
{
	static long cached;

	if (!cached) {
		long n = sysconf(_SC_PAGESIZE);
		cached = n > 0 ? n : 4096;
	}
	return cached;
}

/* 765 405 377 5 0 123 0
 * (size resident shared text lib data dt; lib and dt are always 0) */
int proc_pid_statm_parse(const char *text, long page_size, struct proc_pid_statm *out)
{
	int64_t v[6];
	int n = 0;
	const char *p = text;

	*out = (struct proc_pid_statm){ -1, -1, -1, -1, -1 };
	while (n < 6 && (p = proc_pid_int(p, &v[n])) && v[n] >= 0)
		n++;
	if (n < 2)
		return -EINVAL;
	out->size = proc_pid_scale(v[0], page_size);
	out->resident = proc_pid_scale(v[1], page_size);
	if (n > 2)
		out->shared = proc_pid_scale(v[2], page_size);
	if (n > 3)
		out->text = proc_pid_scale(v[3], page_size);
	if (n > 5)
		out->data = proc_pid_scale(v[5], page_size);
	return 0;
}

int proc_pid_statm_read(const char *root, pid_t pid, struct proc_pid_statm *out)
{
	char text[256];
	long n = proc_pid_read_file(root, pid, "statm", text, sizeof(text));

	*out = (struct proc_pid_statm){ -1, -1, -1, -1, -1 };
	if (n < 0 && n != -EFBIG)
		return (int)n;
	return proc_pid_statm_parse(text, proc_pid_page_size(), out);
}

int proc_pid_statm_read_fd(int fd, struct proc_pid_statm *out)
{
	char text[256];
	long n = proc_pid_pread_once(fd, text, sizeof(text));

	*out = (struct proc_pid_statm){ -1, -1, -1, -1, -1 };
	if (n < 0 && n != -EFBIG)
		return (int)n;
	return proc_pid_statm_parse(text, proc_pid_page_size(), out);
}
