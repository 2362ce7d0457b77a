/* The sampling scheduler (ht_sched.h). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "ht_counter.h"
#include "ht_sched.h"

void ht_sched_opts_default(struct ht_sched_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->run_ns = -1;
}

static void sleep_until(int64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000,
		.tv_nsec = deadline_ns % 1000000000,
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int stop_asked(const struct ht_sched_opts *o)
{
	return o->should_stop && o->should_stop(o->ctx);
}

/* Waits until deadline_ns. Returns 0 then, or 1 when the run must stop. */
static int wait_until(const struct ht_sched_opts *o, int64_t deadline_ns)
{
	for (;;) {
		if (stop_asked(o))
			return 1;
		if (ht_now_ns() >= deadline_ns)
			return 0;
		if (o->wait)
			o->wait(o->ctx, deadline_ns);
		else
			sleep_until(deadline_ns);
	}
}

static void count_gap(struct ht_sched_stats *st, const struct ht_sched_tick *t)
{
	if (!t->missed)
		return;
	st->missed += t->missed;
	st->gaps++;
	if (t->now_ns - t->prev_ns > st->longest_gap_ns)
		st->longest_gap_ns = t->now_ns - t->prev_ns;
}

/* The slot after the tick just run. */
static int64_t next_slot(const struct ht_sched_opts *o, const struct ht_sched_tick *t,
			 int64_t origin_ns)
{
	if (t->seq == 1)
		return origin_ns + (o->second_ns > 0 ? o->second_ns : o->interval_ns);
	return t->due_ns + o->interval_ns;
}

int ht_sched_run(const struct ht_sched_opts *o, struct ht_sched_stats *out)
{
	struct ht_sched_stats st = { 0 };
	struct ht_sched_tick t = { 0 };
	int64_t due, end = -1, last_progress;
	int rc = 0;

	if (!o || !o->tick || o->interval_ns <= 0 || o->start_delay_ns < 0)
		return -EINVAL;
	last_progress = ht_now_ns();
	due = last_progress + o->start_delay_ns;
	while (st.end == HT_SCHED_RUNNING) {
		int at_end = end >= 0 && due >= end;

		if (at_end && !o->tick_at_end) {
			st.end = HT_SCHED_TIME_UP;
			break;
		}
		if (wait_until(o, at_end ? end : due)) {
			st.end = HT_SCHED_STOPPED;
			break;
		}
		t.prev_ns = t.now_ns;
		t.now_ns = ht_now_ns();
		if (end >= 0 && t.now_ns >= end && !at_end) {
			/* a stall ran past the end */
			if (!o->tick_at_end) {
				st.end = HT_SCHED_TIME_UP;
				break;
			}
			at_end = 1;
		}
		t.due_ns = at_end ? end : due;
		t.seq++;
		/* skip the slots a stall passed; keep the phase */
		t.missed = t.seq > 1 ? (uint64_t)((t.now_ns - t.due_ns) / o->interval_ns) : 0;
		t.due_ns += (int64_t)t.missed * o->interval_ns;
		count_gap(&st, &t);
		rc = o->tick(o->ctx, &t);
		st.ticks++;
		if (t.seq == 1) {
			st.origin_ns = ht_now_ns();
			if (o->run_ns >= 0)
				end = st.origin_ns + o->run_ns;
		}
		if (rc)
			st.end = HT_SCHED_TICK_ENDED;
		else if (at_end)
			st.end = HT_SCHED_TIME_UP;
		else if (o->max_ticks && st.ticks >= o->max_ticks)
			st.end = HT_SCHED_MAX_TICKS;
		else if (o->progress && (o->progress_ns <= 0 ||
					 ht_now_ns() - last_progress >= o->progress_ns)) {
			last_progress = ht_now_ns();
			o->progress(o->ctx, &t, &st);
		}
		due = next_slot(o, &t, st.origin_ns);
	}
	if (out)
		*out = st;
	return rc;
}
