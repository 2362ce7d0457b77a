/* ht_proc_age: a recorded process's real age, from its start time.
 *
 * procs.start_time is in clock ticks since its boot; the store keeps the
 * boot id but not when the boot happened. The boot time is exact for the
 * boot running now (read from this host's clocks, unless the DB
 * contradicts it); else bounded by the processes the recorder saw start:
 * first seen - start time, the earliest of those absent at the boot's
 * first sample is within an interval of the boot. One helper for every
 * reader of a DB (leaks, check, serve, report), so they agree. */
#ifndef HT_PROC_AGE_H
#define HT_PROC_AGE_H

#include <stdint.h>

#include "ht_store.h"

struct ht_proc_ages {
	struct ht_boot_clock {
		char id[40];
		int64_t first_ms;	/* its first process sample */
		int64_t btime_ms;	/* INT64_MAX unknown */
		int64_t btime_seen_ms;	/* first_ms of the process that gave it */
		int exact;
	} boots[8];
	size_t nboots;
	int64_t first_proc_ms;		/* the first process sample recorded */
	int64_t step_ms;		/* the recording's interval */
};

/* Dates the boots of st's processes. root: a /proc root other than the
 * host's own (a fixture), which is then not taken as the running boot; NULL
 * or "": this host. step_ms: the sampling interval. 0 or an ht_store_procs
 * error (< 0). */
int ht_proc_ages_scan(struct ht_proc_ages *a, struct ht_store *st, const char *root,
		      int64_t step_ms);

/* info's age in seconds at at_ms: from its start time when its boot is
 * dated; failing that, from its first sample when it was first seen more
 * than 2 intervals after recording began (it started while recording);
 * else NAN (older than the recording, its warm-up long past). */
double ht_proc_age(const struct ht_proc_ages *a, const struct ht_store_proc_info *info,
		   int64_t at_ms);

#endif
