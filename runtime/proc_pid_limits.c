#include <errno.h>
#include <string.h>
#include "proc_pid_file.h"
#include "proc_pid_limits.h"

/* "unlimited" or a number, then a blank or end of line */
static const char *limit(const char *p, int64_t *v)
{
	while (*p == ' ')
		p++;
	if (!strncmp(p, "unlimited", 9)) {
		*v = PROC_PID_LIMITS_UNLIMITED;
		return p + 9;
	}
	p = proc_pid_int(p, v);
	return p && *v >= 0 ? p : NULL;
}

/* Limit                     Soft Limit           Hard Limit           Units
 * Max data size             unlimited            unlimited            bytes
 * Max address space         4294967296           unlimited            bytes */
int proc_pid_limits_parse(const char *text, struct proc_pid_limits *out)
{
	static const char as_key[] = "Max address space", data_key[] = "Max data size";
	int found = 0;

	*out = (struct proc_pid_limits){ -1, -1, -1, -1 };
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");
		char line[256];
		int64_t *soft = NULL, *hard = NULL;
		const char *q;
		int64_t s, h;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (!strncmp(line, as_key, sizeof(as_key) - 1) && line[sizeof(as_key) - 1] == ' ') {
			soft = &out->as_soft;
			hard = &out->as_hard;
			q = line + sizeof(as_key) - 1;
		} else if (!strncmp(line, data_key, sizeof(data_key) - 1)
			   && line[sizeof(data_key) - 1] == ' ') {
			soft = &out->data_soft;
			hard = &out->data_hard;
			q = line + sizeof(data_key) - 1;
		}
		if (soft && (q = limit(q, &s)) && (q = limit(q, &h))) {
			*soft = s;
			*hard = h;
			found++;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return found ? 0 : -EINVAL;
}

int proc_pid_limits_read(const char *root, pid_t pid, struct proc_pid_limits *out)
{
	char text[4096];
	long n = proc_pid_read_file(root, pid, "limits", text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		*out = (struct proc_pid_limits){ -1, -1, -1, -1 };
		return (int)n;
	}
	return proc_pid_limits_parse(text, out);
}
