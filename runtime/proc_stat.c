#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "ht_path.h"
#include "proc_stat.h"

/* cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0 */
static void parse_cpu(const char *rest, struct proc_stat_cpu *cpu)
{
	int64_t v[8];
	int n = sscanf(rest, "%" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64
		       " %" SCNd64 " %" SCNd64 " %" SCNd64 " %" SCNd64,
		       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	int64_t *dst[8] = { &cpu->user, &cpu->nice, &cpu->system, &cpu->idle,
			    &cpu->iowait, &cpu->irq, &cpu->softirq, &cpu->steal };

	/* A negative time is garbage, not a time: -1 like a missing one. */
	for (int i = 0; i < 8; i++)
		*dst[i] = i < n && v[i] >= 0 ? v[i] : -1;
}

/* "ctxt 115315" and friends: one number after the key. */
static int64_t first_number(const char *rest)
{
	int64_t v;

	return sscanf(rest, "%" SCNd64, &v) == 1 && v >= 0 ? v : -1;
}

static void parse_line(const char *line, struct proc_stat *out)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "ctxt ", offsetof(struct proc_stat, ctxt) },
		{ "intr ", offsetof(struct proc_stat, intr) },
		{ "softirq ", offsetof(struct proc_stat, softirq) },
		{ "btime ", offsetof(struct proc_stat, btime) },
		{ "processes ", offsetof(struct proc_stat, processes) },
		{ "procs_running ", offsetof(struct proc_stat, procs_running) },
		{ "procs_blocked ", offsetof(struct proc_stat, procs_blocked) },
	};

	if (!strncmp(line, "cpu ", 4)) {
		parse_cpu(line + 4, &out->cpu);
		return;
	}
	if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9') {
		out->ncpus++;
		return;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i].key);
		if (!strncmp(line, keys[i].key, n)) {
			*(int64_t *)((char *)out + keys[i].off) = first_number(line + n);
			return;
		}
	}
}

int proc_stat_parse(const char *text, struct proc_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->cpu = (struct proc_stat_cpu){ -1, -1, -1, -1, -1, -1, -1, -1 };
	out->ctxt = out->intr = out->softirq = out->btime = -1;
	out->processes = out->procs_running = out->procs_blocked = -1;

	for (const char *p = text; *p; ) {
		char line[256];
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		parse_line(line, out);
		p += n;
		if (*p)
			p++;
	}
	return out->ctxt < 0 ? -EINVAL : 0;
}

int proc_stat_read(const char *root, struct proc_stat *out)
{
	enum { TEXT_SIZE = 1 << 18 };	/* the intr line grows with IRQ count */
	char path[4096];
	char *text = NULL;
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/stat");

	if (err)
		return err;
	text = malloc(TEXT_SIZE);
	if (!text)
		return -ENOMEM;
	n = ht_read_file(path, text, TEXT_SIZE);
	if (n < 0 && n != -EFBIG)
		err = (int)n;
	else
		err = proc_stat_parse(text, out);
	free(text);
	return err;
}
