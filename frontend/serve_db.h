/* healthtap serve -d DB: snapshots from a database that 'healthtap record'
 * writes, instead of sampling /proc.
 *
 * serve opens the DB read-only (no lock: the recorder keeps writing) and, at
 * each interval, builds the same serve_snap type the live mode builds, from
 * the latest interval recorded for one host: the system figures the
 * recorder stores (rates, MemAvailable, PSI, probe records), and for every
 * process alive at that time its latest RSS and anonymous memory, with the
 * growth rate, nearest limit and time to it from ht_leak_analyze() over its
 * last hour. Figures the recorder does not store (counters since boot,
 * MemFree, Slab, virtual size, cgroup) are unknown and left out. When the
 * path names another file (the recorder rotated: mv DB DB.old, SIGHUP),
 * the new one is read once it holds a sample of the host.
 *
 * Not thread-safe: the caller serialises every call on one serve_db. */
#ifndef SERVE_DB_H
#define SERVE_DB_H

#include <stddef.h>
#include <stdint.h>
#include "ht_buf.h"
#include "serve_snap.h"

struct serve_db;

/* Opens path read-only. host: the recorded host to serve (NULL: this
 * machine's name when the DB has it, else the host with the newest sample).
 * warmup_s: processes younger than this get no leak verdict (< 0: the
 * leak rules' default, 60 s). Returns 0 with *out set, or -errno with a
 * message in err. */
int serve_db_open(const char *path, const char *host, double warmup_s,
		  struct serve_db **out, char *err, size_t errlen);
void serve_db_close(struct serve_db *db);

/* Builds a snapshot of the latest recorded interval (prev: the previous
 * snapshot or NULL). Returns it with one reference, or NULL with *err set:
 * -ENOENT when the DB holds no sample of the host yet, -ENOMEM, -EIO. */
struct serve_snap *serve_db_snap(struct serve_db *db, const struct serve_snap *prev,
				 const struct serve_snap_opts *o, int *err);

/* /api/v1/processes/PID/series and /api/v1/memory/series from the DB, in
 * the live mode's JSON shape, t being seconds since the epoch. Return 0 or
 * -ESRCH (no such live process), -ENOMEM, -EIO. */
int serve_db_series(struct serve_db *db, struct ht_buf *b, const struct serve_snap *snap,
		    pid_t pid, int64_t start_time, size_t max_points);
int serve_db_mem_series(struct serve_db *db, struct ht_buf *b,
			const struct serve_snap *snap, size_t max_points);

#endif
