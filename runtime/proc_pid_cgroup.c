#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ht_path.h"
#include "proc_pid_file.h"
#include "proc_pid_cgroup.h"

/* 9:name=systemd:/
 * 4:memory:/process_api/15f2d517f8e4eefcaa4b95561ce8f1f0
 * 0::/system.slice/ssh.service */
int proc_pid_cgroup_parse(const char *text, struct proc_pid_cgroup *out)
{
	out->path[0] = '\0';
	out->memory_max = out->memory_current = -1;
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		if (n >= 4 && !strncmp(p, "0::/", 4)) {
			if (n - 3 >= sizeof(out->path))
				return -ENAMETOOLONG;
			memcpy(out->path, p + 3, n - 3);
			out->path[n - 3] = '\0';
			return 0;
		}
		p += n;
		if (*p)
			p++;
	}
	return -ENODATA;
}

/* memory.max: "max" or "536870912"; memory.current: "9756672" */
int64_t proc_pid_cgroup_parse_memory(const char *text)
{
	int64_t v;
	const char *end;

	if (!strncmp(text, "max", 3) && (text[3] == '\n' || text[3] == '\0'))
		return PROC_PID_CGROUP_NO_LIMIT;
	end = proc_pid_int(text, &v);
	if (!end || v < 0 || (*end != '\n' && *end != '\0'))
		return -1;
	return v;
}

static int64_t read_memory(const char *base, const char *cg, const char *file)
{
	char path[4096], text[64];
	int n = snprintf(path, sizeof(path), "%s%s/%s", base,
			 strcmp(cg, "/") ? cg : "", file);

	if (n < 0 || (size_t)n >= sizeof(path) || ht_read_file(path, text, sizeof(text)) < 0)
		return -1;
	return proc_pid_cgroup_parse_memory(text);
}

void proc_pid_cgroup_read_memory(const char *root, struct proc_pid_cgroup *cg)
{
	char base[4096], probe[4200];

	cg->memory_max = cg->memory_current = -1;
	/* Unified hierarchy at /sys/fs/cgroup, else the hybrid layout's
	 * /sys/fs/cgroup/unified. */
	if (!cg->path[0] || ht_path(base, sizeof(base) - 16, root, "/sys/fs/cgroup"))
		return;
	snprintf(probe, sizeof(probe), "%s/cgroup.controllers", base);
	if (access(probe, F_OK)) {
		snprintf(probe, sizeof(probe), "%s/unified/cgroup.procs", base);
		if (!access(probe, F_OK))
			strcat(base, "/unified");
	}
	cg->memory_max = read_memory(base, cg->path, "memory.max");
	cg->memory_current = read_memory(base, cg->path, "memory.current");
}

int proc_pid_cgroup_read_path(const char *root, pid_t pid, struct proc_pid_cgroup *out)
{
	char text[8192];
	long n = proc_pid_read_file(root, pid, "cgroup", text, sizeof(text));

	out->path[0] = '\0';
	out->memory_max = out->memory_current = -1;
	if (n < 0 && n != -EFBIG)
		return (int)n;
	return proc_pid_cgroup_parse(text, out);
}

int proc_pid_cgroup_read(const char *root, pid_t pid, struct proc_pid_cgroup *out)
{
	int err = proc_pid_cgroup_read_path(root, pid, out);

	if (!err)
		proc_pid_cgroup_read_memory(root, out);
	return err;
}
