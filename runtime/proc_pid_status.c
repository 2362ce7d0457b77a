#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "proc_pid_file.h"
#include "proc_pid_status.h"

enum { STATUS_TEXT = 8192 };	/* ~1.4 KB here; Cpus_allowed grows with CPUs */

static void clear(struct proc_pid_status *out)
{
	*out = (struct proc_pid_status){
		.vm_rss = -1, .rss_anon = -1, .rss_file = -1, .rss_shmem = -1,
		.vm_swap = -1, .vm_size = -1, .vm_hwm = -1, .threads = -1,
		.uid = -1, .euid = -1, .ppid = -1, .tgid = -1,
		.voluntary_ctxt_switches = -1, .nonvoluntary_ctxt_switches = -1,
		.state = '?',
	};
}

/* A number of kB after the key: "VmRSS:\t    9548 kB". */
static int64_t kb(const char *rest)
{
	int64_t v;
	const char *end = proc_pid_int(rest, &v);

	if (!end || v < 0)
		return -1;
	while (*end == ' ' || *end == '\t')
		end++;
	return strncmp(end, "kB", 2) ? -1 : proc_pid_scale(v, 1024);
}

static int64_t count(const char *rest)
{
	int64_t v;

	return proc_pid_int(rest, &v) && v >= 0 ? v : -1;
}

/* Name:	process_api
 * State:	S (sleeping)
 * Tgid:	1
 * PPid:	0
 * Uid:	0	0	0	0
 * VmSize:	   35860 kB
 * VmHWM:	    9832 kB
 * VmRSS:	    9548 kB
 * RssAnon:	    3780 kB
 * RssFile:	       8 kB
 * RssShmem:	    5760 kB
 * VmSwap:	       0 kB
 * Threads:	11
 * voluntary_ctxt_switches:	353
 * nonvoluntary_ctxt_switches:	33 */
static int parse_line(const char *line, size_t len, struct proc_pid_status *out)
{
	static const struct { const char *key; size_t len, off; int is_kb; } keys[] = {
		{ "VmRSS:", 6, offsetof(struct proc_pid_status, vm_rss), 1 },
		{ "RssAnon:", 8, offsetof(struct proc_pid_status, rss_anon), 1 },
		{ "RssFile:", 8, offsetof(struct proc_pid_status, rss_file), 1 },
		{ "RssShmem:", 9, offsetof(struct proc_pid_status, rss_shmem), 1 },
		{ "VmSwap:", 7, offsetof(struct proc_pid_status, vm_swap), 1 },
		{ "VmSize:", 7, offsetof(struct proc_pid_status, vm_size), 1 },
		{ "VmHWM:", 6, offsetof(struct proc_pid_status, vm_hwm), 1 },
		{ "Threads:", 8, offsetof(struct proc_pid_status, threads), 0 },
		{ "PPid:", 5, offsetof(struct proc_pid_status, ppid), 0 },
		{ "Tgid:", 5, offsetof(struct proc_pid_status, tgid), 0 },
		{ "voluntary_ctxt_switches:", 24,
		  offsetof(struct proc_pid_status, voluntary_ctxt_switches), 0 },
		{ "nonvoluntary_ctxt_switches:", 27,
		  offsetof(struct proc_pid_status, nonvoluntary_ctxt_switches), 0 },
	};
	const char *buf = line;

	/* Most of the ~55 lines are skipped on their first letter. Numbers
	 * are parsed in place: they stop at the '\n'. */
	if (!strchr("VRTPUSvn", line[0]) || len < 4)
		return 0;
	if (!strncmp(buf, "State:", 6)) {
		const char *p = buf + 6;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p >= 'A' && *p <= 'z')
			out->state = *p;
		return out->state != '?';
	}
	if (!strncmp(buf, "Uid:", 4)) {
		int64_t r, e;
		const char *p = proc_pid_int(buf + 4, &r);
		if (!p || r < 0)
			return 0;
		out->uid = r;
		if ((p = proc_pid_int(p, &e)) && e >= 0)
			out->euid = e;
		return 1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = keys[i].len;
		if (buf[0] == keys[i].key[0] && n <= len && !memcmp(buf, keys[i].key, n)) {
			int64_t v = keys[i].is_kb ? kb(buf + n) : count(buf + n);
			*(int64_t *)((char *)out + keys[i].off) = v;
			return v >= 0;
		}
	}
	return 0;
}

int proc_pid_status_parse(const char *text, struct proc_pid_status *out)
{
	int found = 0;

	clear(out);
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");
		found += parse_line(p, n, out);
		p += n;
		if (*p)
			p++;
	}
	return found ? 0 : -EINVAL;
}

int proc_pid_status_read(const char *root, pid_t pid, struct proc_pid_status *out)
{
	char text[STATUS_TEXT];
	long n = proc_pid_read_file(root, pid, "status", text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		clear(out);
		return (int)n;
	}
	return proc_pid_status_parse(text, out);
}

int proc_pid_status_read_fd(int fd, struct proc_pid_status *out)
{
	char text[STATUS_TEXT];
	long n = proc_pid_pread_once(fd, text, sizeof(text));

	if (n < 0 && n != -EFBIG) {
		clear(out);
		return (int)n;
	}
	return proc_pid_status_parse(text, out);
}
