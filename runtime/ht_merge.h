/* Baseline merge: the probes' deltas joined with /proc's absolute totals.
 *
 * The tapset counts events since it started; /proc holds totals since boot.
 * For each named figure ("ctxt", "softirq.NET_RX", ...):
 *
 *   absolute = the /proc baseline at stream start + the probe deltas since
 *
 * and where /proc also counts the figure, each later /proc reading closes
 * an interval: the probe deltas that fell in it against the /proc delta
 * over it give the probe coverage (1.0: the probe saw every event; 0.5:
 * half of them, e.g. a lost CPU or dropped records).
 *
 * Times are int64 on one clock chosen by the caller for all calls on a
 * figure; the stream's t_ms (ms since stream start, with the baseline read
 * at t = 0) is the natural one. A delta at time t belongs to the interval
 * (previous /proc reading, next /proc reading]: a record stamped with a
 * batch's t_ms and a /proc read at that batch's mark fall together.
 *
 * Example, with sched switches and /proc/stat ctxt:
 *
 *   ht_merge_set_baseline(m, "ctxt", stat.ctxt, 0);          at stream start
 *   ht_merge_add_delta(m, "ctxt", rec->value, rec->t_ms);    each record
 *   ht_merge_observe_proc(m, "ctxt", stat.ctxt, rec->t_ms);  each batch mark
 *   ht_merge_absolute(m, "ctxt", &total);
 *   ht_merge_coverage(m, "ctxt", &cov);                      cov.ratio
 */
#ifndef HT_MERGE_H
#define HT_MERGE_H

#include <stddef.h>
#include <stdint.h>

struct ht_merge;

/* Returns a new, empty merge, or NULL on ENOMEM. Free with ht_merge_free(). */
struct ht_merge *ht_merge_new(void);

/* Frees the merge and every name it copied; accepts NULL. */
void ht_merge_free(struct ht_merge *m);

/* Sets figure name's /proc baseline (value >= 0) read at time t, creating
 * the figure if needed (name is copied). It starts the figure afresh:
 * probe deltas, coverage totals and the /proc reference all restart from
 * (value, t). Returns 0, -EINVAL (value < 0, NULL name) or -ENOMEM (nothing
 * changed). */
int ht_merge_set_baseline(struct ht_merge *m, const char *name, int64_t value,
			  int64_t t);

/* Adds a probe delta (events counted up to time t, delta >= 0), creating
 * the figure if needed. A delta stamped at or before the baseline's t is
 * already in the baseline: it is ignored with -ERANGE. Before any baseline
 * the deltas are kept but the absolute is unknown until one is set (which
 * drops them). A delta stamped at or before the last /proc reading came
 * late: it counts in the absolute and the coverage totals, and in
 * ht_merge_coverage()'s late count. A sum that would pass INT64_MAX is
 * never wrapped nor left short: the figure's absolute and coverage totals
 * are unknown from then on (-EOVERFLOW; probe -1, ratios NAN) until the
 * next ht_merge_set_baseline(). Returns 0, -EINVAL (delta < 0), -ERANGE,
 * -EOVERFLOW or -ENOMEM. */
int ht_merge_add_delta(struct ht_merge *m, const char *name, int64_t delta,
		       int64_t t);

/* Records a /proc reading (absolute >= 0) of the figure at time t. The
 * first reading of a figure with no baseline becomes its baseline. Later
 * ones close the interval since the previous reading; a reading below the
 * previous one (counter reset or wrap) closes it without a ratio (skipped),
 * since a counter that goes backwards gives no rate. Coverage totals past
 * INT64_MAX are unknown, as in ht_merge_add_delta(). Returns 0, -EINVAL
 * (absolute < 0, or t not after the previous reading's: nothing changed)
 * or -ENOMEM. */
int ht_merge_observe_proc(struct ht_merge *m, const char *name,
			  int64_t absolute, int64_t t);

/* Closes an interval of a figure, the way a stream consumer sees one: the
 * probe counted probe events in the batch ending at time t (-1: the batch
 * had no such record) and /proc read proc at t (-1: unreadable).
 * - The first reading is the baseline (an interval needs two).
 * - proc < 0: the probe's events wait for the next reading.
 * - probe < 0, or t not after the last reading (a new stream: its clock
 *   started again): no ratio for this interval (skipped); the figure
 *   re-anchors on (proc, t), its coverage totals kept.
 * - Otherwise add_delta + observe_proc at t. A probe sum past INT64_MAX
 *   makes the figure's probe totals and absolute unknown from then on.
 * Returns 0, -EINVAL (name NULL) or -ENOMEM. */
int ht_merge_interval(struct ht_merge *m, const char *name, int64_t probe,
		      int64_t proc, int64_t t);

/* The probe-based absolute value: baseline + deltas since. Returns 0,
 * -ENOENT (no such figure) or -ENODATA (no baseline yet); *out is set only
 * on 0. */
int ht_merge_absolute(const struct ht_merge *m, const char *name, int64_t *out);

struct ht_merge_coverage {
	double ratio;		/* probe / proc over all closed intervals;
				   NAN when proc counted nothing */
	double last_ratio;	/* over the last closed interval; NAN likewise */
	int64_t probe;		/* probe events in closed intervals; -1 (and
				   the ratios NAN) once a sum passed INT64_MAX */
	int64_t proc;		/* /proc delta over the same intervals */
	uint64_t intervals;	/* closed intervals that count */
	uint64_t skipped;	/* intervals dropped: the counter went back */
	uint64_t late;		/* deltas that came after their interval closed */
	int64_t pending;	/* probe events since the last /proc reading */
	int64_t last_probe;	/* probe events in the last closed interval */
	int64_t last_proc_delta;	/* /proc's delta over it */
	int64_t last_proc;	/* the last /proc reading (the baseline at first) */
	int64_t last_proc_t;
};

/* Fills *out for figure name. Returns 0, -ENOENT or -ENODATA (no baseline
 * yet). */
int ht_merge_coverage(const struct ht_merge *m, const char *name,
		      struct ht_merge_coverage *out);

/* The number of figures, and figure i's name (insertion order; NULL when
 * i is out of range). The name lives as long as m. */
size_t ht_merge_count(const struct ht_merge *m);
const char *ht_merge_name(const struct ht_merge *m, size_t i);

#endif
