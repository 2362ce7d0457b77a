#include <errno.h>
#include <string.h>
#include "proc_pid_file.h"
#include "proc_pid_stat.h"

enum { STAT_TEXT = 1024 };	/* 52 fields of at most 20 digits, comm of 64 */

static void clear(struct proc_pid_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->pid = out->ppid = out->flags = -1;
	out->utime = out->stime = out->num_threads = out->starttime = -1;
	out->state = '?';
}

/* 26771 (cat) R 26768 26768 15855 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 78494 3133440 382 ...
 * 2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 14 0 0 ...
 * A comm such as "a) b" prints as "123 (a) b) S ...": the last ')' ends it. */
int proc_pid_stat_parse(const char *text, struct proc_pid_stat *out)
{
	const char *open, *close, *p;
	int64_t pid, v;
	size_t n;

	clear(out);
	p = proc_pid_int(text, &pid);
	if (!p || pid < 0 || *p != ' ' || p[1] != '(')
		return -EINVAL;
	open = p + 1;
	close = strrchr(open, ')');
	if (!close || close[1] != ' ' || !close[2] || close[2] == ' ')
		return -EINVAL;
	out->pid = pid;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	out->state = close[2];
	p = close + 3;

	/* Fields 4..22 follow; keep the ones we want, stop at the first gap. */
	for (int field = 4; field <= 22; field++) {
		if (!(p = proc_pid_int(p, &v)))
			break;
		switch (field) {
		case 4: out->ppid = v; break;
		case 9: out->flags = v; break;
		case 14: out->utime = v; break;
		case 15: out->stime = v; break;
		case 20: out->num_threads = v; break;
		case 22: out->starttime = v; break;
		}
		if (*p != ' ' && *p != '\n' && *p != '\0')
			break;
	}
	return 0;
}

int proc_pid_stat_read(const char *root, pid_t pid, struct proc_pid_stat *out)
{
	char text[STAT_TEXT];
	long n = proc_pid_read_file(root, pid, "stat", text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		clear(out);
		return (int)n;
	}
	return proc_pid_stat_parse(text, out);
}

int proc_pid_stat_read_fd(int fd, struct proc_pid_stat *out)
{
	char text[STAT_TEXT];
	long n = proc_pid_pread_once(fd, text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		clear(out);
		return (int)n;
	}
	return proc_pid_stat_parse(text, out);
}
