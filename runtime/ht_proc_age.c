/* ht_proc_age: see ht_proc_age.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ht_proc_age.h"

/* The index of boot id in a, -1 when not there. */
static int boot_index(const struct ht_proc_ages *a, const char *id)
{
	for (size_t i = 0; i < a->nboots; i++)
		if (strncmp(a->boots[i].id, id ? id : "", sizeof(a->boots[i].id) - 1) == 0)
			return (int)i;
	return -1;
}

static struct ht_boot_clock *boot_of(struct ht_proc_ages *a, const char *id, int add)
{
	struct ht_boot_clock *b;
	int i = boot_index(a, id);

	if (i >= 0)
		return &a->boots[i];
	if (!add || a->nboots == sizeof(a->boots) / sizeof(a->boots[0]))
		return NULL;
	b = &a->boots[a->nboots++];
	memset(b, 0, sizeof(*b));
	snprintf(b->id, sizeof(b->id), "%s", id ? id : "");
	b->first_ms = b->btime_ms = b->btime_seen_ms = INT64_MAX;
	return b;
}

static int see_proc(void *ctx, const struct ht_store_proc_info *info)
{
	struct ht_proc_ages *a = ctx;
	struct ht_boot_clock *b = boot_of(a, info->boot_id, 1);
	long tck = sysconf(_SC_CLK_TCK);

	if (info->first_ms < a->first_proc_ms)
		a->first_proc_ms = info->first_ms;
	if (!b)
		return 0;
	if (info->first_ms < b->first_ms)
		b->first_ms = info->first_ms;
	if (tck > 0 && info->start_time >= 0 && info->start_time < INT64_MAX / 1000) {
		int64_t est = info->first_ms - info->start_time * 1000 / tck;

		/* on a tie, the process seen starting (after the boot's first
		 * sample) dates the boot: the walk is by first sample */
		if (est < b->btime_ms || (est == b->btime_ms && info->first_ms > b->btime_seen_ms)) {
			b->btime_ms = est;
			b->btime_seen_ms = info->first_ms;
		}
	}
	return 0;
}

/* The boot now running, from this host's boot id: its wall-clock boot time. */
static void live_boot(struct ht_proc_ages *a)
{
	char id[64] = "";
	struct timespec rt, bt;
	int64_t now_bt;
	struct ht_boot_clock *b;
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");

	if (!f)
		return;
	if (!fgets(id, sizeof(id), f))
		id[0] = 0;
	fclose(f);
	id[strcspn(id, "\n")] = 0;
	b = *id ? boot_of(a, id, 0) : NULL;
	if (!b || clock_gettime(CLOCK_REALTIME, &rt) || clock_gettime(CLOCK_BOOTTIME, &bt))
		return;
	now_bt = ((int64_t)rt.tv_sec - bt.tv_sec) * 1000 + (rt.tv_nsec - bt.tv_nsec) / 1000000;
	/* no process can be seen before it started: a boot time after the
	 * estimate (the wall clock stepped, or the DB was not written by
	 * this host's recorder) is not taken */
	if (b->btime_ms != INT64_MAX && now_bt > b->btime_ms + 2000)
		return;
	b->btime_ms = now_bt;
	b->exact = 1;
}

int ht_proc_ages_scan(struct ht_proc_ages *a, struct ht_store *st, const char *root,
		      int64_t step_ms)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->first_proc_ms = INT64_MAX;
	a->step_ms = step_ms;
	rc = ht_store_procs(st, NULL, see_proc, a);
	if (rc < 0)
		return rc;
	if (!root || !*root)
		live_boot(a);
	return 0;
}

double ht_proc_age(const struct ht_proc_ages *a, const struct ht_store_proc_info *info,
		   int64_t at_ms)
{
	int i = boot_index(a, info->boot_id);
	const struct ht_boot_clock *b = i >= 0 ? &a->boots[i] : NULL;
	long tck = sysconf(_SC_CLK_TCK);

	if (b && tck > 0 && info->start_time >= 0 && info->start_time < INT64_MAX / 1000 &&
	    b->btime_ms != INT64_MAX && (b->exact || b->btime_seen_ms > b->first_ms)) {
		int64_t born = b->btime_ms + info->start_time * 1000 / tck;

		return born >= at_ms ? 0 : (double)(at_ms - born) / 1e3;
	}
	/* a boot it cannot date: started while recording, its first sample */
	if (a->first_proc_ms != INT64_MAX && info->first_ms > a->first_proc_ms + 2 * a->step_ms)
		return (double)(at_ms - info->first_ms) / 1e3;
	return NAN;
}
