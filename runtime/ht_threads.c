/* Per-thread context switches (see ht_threads.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "ht_threads.h"
#include "proc_pid_status.h"

static int view_cmp(const void *a, const void *b)
{
	const struct ht_thread_view *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* "Name:\tworker\n" -> "worker" into out. */
static void status_name(const char *text, char *out, size_t size)
{
	const char *name = strstr(text, "Name:\t");
	size_t len;

	out[0] = '\0';
	if (!name)
		return;
	name += 6;
	len = strcspn(name, "\n");
	if (len >= size)
		len = size - 1;
	memcpy(out, name, len);
	out[len] = '\0';
}

/* Appends the threads of pid to *rows. Returns 0 or -ENOMEM. */
static int read_process(const char *root, pid_t pid, struct ht_thread_view **rows,
			size_t *n, size_t *cap)
{
	char path[512], text[4096];
	struct dirent *de;
	DIR *d;
	int err = 0;

	snprintf(path, sizeof(path), "%s/proc/%d/task", root, (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		struct proc_pid_status st;
		struct ht_thread_view *r;
		long rc;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/proc/%d/task/%s/status", root, (int)pid,
			 de->d_name);
		/* On any error but a cut read (-EFBIG: the start of the file
		 * is there) text holds nothing of this thread. */
		rc = ht_read_file(path, text, sizeof(text));
		if (rc < 0 && rc != -EFBIG)
			continue;
		if (proc_pid_status_parse(text, &st))
			continue;
		if (ht_grow(*rows, *cap, *n + 1)) {
			err = -ENOMEM;
			break;
		}
		r = &(*rows)[(*n)++];
		memset(r, 0, sizeof(*r));
		r->pid = pid;
		r->tid = (pid_t)atoi(de->d_name);
		r->state = st.state;
		r->vol = st.voluntary_ctxt_switches;
		r->nonvol = st.nonvoluntary_ctxt_switches;
		status_name(text, r->comm, sizeof(r->comm));
	}
	closedir(d);
	return err;
}

int ht_threads_sample(struct ht_threads *t, const char *root, const pid_t *pids,
		      size_t npids, int64_t now_ns)
{
	struct ht_thread_view *rows = NULL;
	struct ht_counter *vol, *nonvol;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < npids; i++)
		if (read_process(root, pids[i], &rows, &n, &cap)) {
			free(rows);
			return -ENOMEM;
		}
	if (n)
		qsort(rows, n, sizeof(*rows), view_cmp);
	vol = calloc(n ? n : 1, sizeof(*vol));
	nonvol = calloc(n ? n : 1, sizeof(*nonvol));
	if (!vol || !nonvol) {
		free(rows);
		free(vol);
		free(nonvol);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ht_thread_view *old = t->n ?
			bsearch(&rows[i], t->v, t->n, sizeof(*rows), view_cmp) : NULL;

		if (old) {
			vol[i] = t->vol[old - t->v];
			nonvol[i] = t->nonvol[old - t->v];
		} else {
			ht_counter_init(&vol[i]);
			ht_counter_init(&nonvol[i]);
		}
		ht_counter_update(&vol[i], rows[i].vol, now_ns);
		ht_counter_update(&nonvol[i], rows[i].nonvol, now_ns);
		rows[i].vol_rate = vol[i].rate;
		rows[i].nonvol_rate = nonvol[i].rate;
	}
	ht_threads_free(t);
	*t = (struct ht_threads){ .n = n, .v = rows, .vol = vol, .nonvol = nonvol };
	return 0;
}

void ht_threads_free(struct ht_threads *t)
{
	if (!t)
		return;
	free(t->v);
	free(t->vol);
	free(t->nonvol);
	*t = (struct ht_threads){ 0 };
}
