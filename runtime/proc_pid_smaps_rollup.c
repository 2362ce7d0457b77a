#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "proc_pid_file.h"
#include "proc_pid_smaps_rollup.h"

enum { ROLLUP_TEXT = 4096 };	/* ~1 KB */

static void clear(struct proc_pid_smaps_rollup *out)
{
	*out = (struct proc_pid_smaps_rollup){ -1, -1, -1, -1, -1 };
}

/* 5589b29b1000-7ffe23d3e000 ---p 00000000 00:00 0                          [rollup]
 * Rss:                1672 kB
 * Pss:                 260 kB
 * Private_Dirty:       116 kB
 * Anonymous:           116 kB
 * Swap:                  0 kB */
int proc_pid_smaps_rollup_parse(const char *text, struct proc_pid_smaps_rollup *out)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "Rss:", offsetof(struct proc_pid_smaps_rollup, rss) },
		{ "Pss:", offsetof(struct proc_pid_smaps_rollup, pss) },
		{ "Private_Dirty:", offsetof(struct proc_pid_smaps_rollup, private_dirty) },
		{ "Anonymous:", offsetof(struct proc_pid_smaps_rollup, anonymous) },
		{ "Swap:", offsetof(struct proc_pid_smaps_rollup, swap) },
	};

	clear(out);
	for (const char *p = text; *p; ) {
		size_t len = strcspn(p, "\n");
		char line[128];

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i].key);
			int64_t v;
			const char *end;

			if (strncmp(line, keys[i].key, n))
				continue;
			end = proc_pid_int(line + n, &v);
			if (!end || v < 0)
				break;
			while (*end == ' ')
				end++;
			if (!strncmp(end, "kB", 2))
				*(int64_t *)((char *)out + keys[i].off) = proc_pid_scale(v, 1024);
			break;
		}
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	return out->rss < 0 ? -EINVAL : 0;
}

int proc_pid_smaps_rollup_read(const char *root, pid_t pid, struct proc_pid_smaps_rollup *out)
{
	char text[ROLLUP_TEXT];
	long n = proc_pid_read_file(root, pid, "smaps_rollup", text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		clear(out);
		return (int)n;
	}
	if (n == 0) {		/* a kernel thread on some kernels: no mm */
		clear(out);
		return -ESRCH;
	}
	return proc_pid_smaps_rollup_parse(text, out);
}

int proc_pid_smaps_rollup_read_fd(int fd, struct proc_pid_smaps_rollup *out)
{
	char text[ROLLUP_TEXT];
	long n = proc_pid_pread(fd, text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		clear(out);
		return (int)n;
	}
	if (n == 0) {
		clear(out);
		return -ESRCH;
	}
	return proc_pid_smaps_rollup_parse(text, out);
}
