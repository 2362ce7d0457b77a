/* The sampling scheduler: the one loop every command samples in (record,
 * serve, top, leaks, soak), so that all of them keep time the same way.
 *
 * Time is ht_now_ns() (CLOCK_MONOTONIC; a test swaps it with
 * ht_clock_set()). The schedule:
 *   - tick 1 runs start_delay_ns after ht_sched_run() is called;
 *   - the schedule's origin is the END of tick 1 (a first sample opens every
 *     process's files and is the slow one: it must not shorten the next
 *     interval); tick 2 is due second_ns after the origin (default: one
 *     interval), tick k after that at tick 2's slot + (k - 2) x interval.
 * Catch-up after a stall (SIGSTOP, a loaded host, a slow tick): a tick
 * that starts a whole interval or more after its slot skips the slots that
 * passed, runs once at once and keeps the schedule's phase; the skipped
 * slots are reported in ht_sched_tick.missed, so that a recorder can write
 * a gap. Missed ticks are never run in a burst. A tick late by less than an
 * interval runs at once and is not a gap.
 *
 * Stop: should_stop() is asked before every tick and after every wait; the
 * run also ends after max_ticks ticks, after run_ns from the origin, or
 * when tick() returns non-zero. A signal handler sets a flag that
 * should_stop() reads; the default wait (clock_nanosleep) returns early on
 * a signal. A custom wait must return soon after the stop condition is set
 * (poll() on a wake-up pipe, pthread_cond_timedwait()).
 */
#ifndef HT_SCHED_H
#define HT_SCHED_H

#include <stdint.h>

/* One tick, as tick() and progress() see it. */
struct ht_sched_tick {
	uint64_t seq;		/* 1 for the first tick */
	int64_t due_ns;		/* the slot it runs for (the latest one that
				   has passed, after a stall) */
	int64_t now_ns;		/* when it started (>= due_ns) */
	int64_t prev_ns;	/* when the previous tick started; 0 before */
	uint64_t missed;	/* slots skipped just before this tick: when
				   non-zero, prev_ns..now_ns is a gap */
};

enum ht_sched_end {
	HT_SCHED_RUNNING,
	HT_SCHED_STOPPED,	/* should_stop() said so */
	HT_SCHED_TIME_UP,	/* run_ns passed */
	HT_SCHED_MAX_TICKS,	/* max_ticks ran */
	HT_SCHED_TICK_ENDED,	/* tick() returned non-zero */
};

/* Totals of a run, for progress lines and the caller. */
struct ht_sched_stats {
	uint64_t ticks;		/* ticks run */
	uint64_t missed;	/* slots skipped, over the whole run */
	uint64_t gaps;		/* ticks that followed skipped slots */
	int64_t longest_gap_ns;	/* longest prev_ns..now_ns of those; 0 none */
	int64_t origin_ns;	/* when tick 1 ended; 0 before */
	enum ht_sched_end end;
};

struct ht_sched_opts {
	int64_t interval_ns;	/* > 0 */
	int64_t start_delay_ns;	/* before tick 1 (default 0: at once) */
	int64_t second_ns;	/* from the end of tick 1 to tick 2 (0: one
				   interval; top primes counters with 200 ms) */
	int64_t run_ns;		/* end the run this long after the origin;
				   < 0: no limit */
	int tick_at_end;	/* with run_ns: one last tick exactly at the
				   end (a window's last sample), else none */
	uint64_t max_ticks;	/* 0: no limit */
	int64_t progress_ns;	/* progress() after a tick at most this often
				   (0: after every tick) */
	void *ctx;		/* passed to every hook */
	/* The work of one tick. Non-zero ends the run; ht_sched_run()
	 * returns it. Required. */
	int (*tick)(void *ctx, const struct ht_sched_tick *t);
	/* Blocks until deadline_ns (monotonic) or until there is something
	 * else to do (a readable pipe, a wake-up); may return early, it is
	 * called again. NULL: clock_nanosleep(), which a signal interrupts. */
	void (*wait)(void *ctx, int64_t deadline_ns);
	/* Non-zero ends the run. NULL: never. */
	int (*should_stop)(void *ctx);
	/* After a tick, every progress_ns. NULL: none. */
	void (*progress)(void *ctx, const struct ht_sched_tick *t,
			 const struct ht_sched_stats *st);
};

/* Zeroes o and sets the defaults (run_ns -1: no limit). */
void ht_sched_opts_default(struct ht_sched_opts *o);

/* Runs the schedule until it ends (see above). st (may be NULL) gets the
 * totals and why it ended. Returns tick()'s non-zero value when a tick
 * ended the run, 0 otherwise, or -EINVAL for bad options (nothing run). */
int ht_sched_run(const struct ht_sched_opts *o, struct ht_sched_stats *st);

#endif
