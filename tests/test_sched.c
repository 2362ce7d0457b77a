/* The sampling scheduler on a swapped clock: the wait hook moves time to
 * the deadline (or past it, a stall), ticks can take time, and every tick
 * records when it ran and what it was told. One run on the real clock
 * checks that a signal ends the default wait. */
#include <errno.h>
#include <signal.h>
#include <sys/time.h>
#include "ht_counter.h"
#include "ht_sched.h"
#include "ht_test.h"

#define MS 1000000LL

static int64_t fake_ns;
static int64_t fake_clock(void) { return fake_ns; }

struct run {
	struct ht_sched_tick ticks[64];
	size_t nticks;
	int64_t tick_cost_ns;		/* every tick takes this long */
	int64_t stall_in_tick;		/* tick seq that stalls ... */
	int64_t stall_ns;		/* ... this long */
	int64_t wait_overshoot_ns;	/* one wait sleeps past its deadline */
	uint64_t overshoot_at;		/* after this tick seq */
	uint64_t stop_after;		/* should_stop() once this many ran */
	uint64_t end_after;		/* tick() returns 7 at this seq */
	size_t waits, progress_calls;
};

static int on_tick(void *ctx, const struct ht_sched_tick *t)
{
	struct run *r = ctx;

	if (r->nticks < 64)
		r->ticks[r->nticks++] = *t;
	fake_ns += r->tick_cost_ns;
	if ((int64_t)t->seq == r->stall_in_tick)
		fake_ns += r->stall_ns;
	return r->end_after && t->seq == r->end_after ? 7 : 0;
}

static void on_wait(void *ctx, int64_t deadline_ns)
{
	struct run *r = ctx;

	r->waits++;
	if (deadline_ns > fake_ns)
		fake_ns = deadline_ns;
	if (r->overshoot_at && r->nticks == r->overshoot_at) {
		fake_ns += r->wait_overshoot_ns;
		r->overshoot_at = 0;
	}
}

static int on_should_stop(void *ctx)
{
	struct run *r = ctx;

	return r->stop_after && r->nticks >= r->stop_after;
}

static void on_progress(void *ctx, const struct ht_sched_tick *t, const struct ht_sched_stats *st)
{
	struct run *r = ctx;

	(void)t;
	(void)st;
	r->progress_calls++;
}

static void setup(struct ht_sched_opts *o, struct run *r, int64_t interval_ms)
{
	memset(r, 0, sizeof(*r));
	ht_sched_opts_default(o);
	o->interval_ns = interval_ms * MS;
	o->ctx = r;
	o->tick = on_tick;
	o->wait = on_wait;
	o->should_stop = on_should_stop;
	fake_ns = 1000 * MS;
}

/* Tick 1 at once; the schedule starts at its end; no slot is missed. */
static void test_regular_schedule(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	o.max_ticks = 5;
	r.tick_cost_ns = 30 * MS;
	CHECK_INT(ht_sched_run(&o, &st), 0);
	CHECK_INT(st.end, HT_SCHED_MAX_TICKS);
	CHECK_INT(st.ticks, 5);
	CHECK_INT(r.nticks, 5);
	CHECK_INT(r.ticks[0].now_ns, 1000 * MS);
	CHECK_INT(r.ticks[0].prev_ns, 0);
	CHECK_INT(st.origin_ns, 1030 * MS);
	for (size_t i = 1; i < 5; i++) {
		CHECK_INT(r.ticks[i].seq, i + 1);
		CHECK_INT(r.ticks[i].due_ns, (1030 + 100 * (int64_t)i) * MS);
		CHECK_INT(r.ticks[i].now_ns, r.ticks[i].due_ns);
		CHECK_INT(r.ticks[i].prev_ns, r.ticks[i - 1].now_ns);
		CHECK_INT(r.ticks[i].missed, 0);
	}
	CHECK_INT(st.missed, 0);
	CHECK_INT(st.gaps, 0);
}

/* A tick that stalls 1 s at a 100 ms interval: the next tick runs once, at
 * once, says 9 slots were skipped and keeps the phase; no burst follows. */
static void test_stall_skips_and_reports(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	o.max_ticks = 6;
	r.stall_in_tick = 3;
	r.stall_ns = 1000 * MS;
	CHECK_INT(ht_sched_run(&o, &st), 0);
	/* origin 1000; tick 2 at 1100, 3 at 1200 stalls to 2200 */
	CHECK_INT(r.ticks[2].now_ns, 1200 * MS);
	CHECK_INT(r.ticks[3].now_ns, 2200 * MS);
	CHECK_INT(r.ticks[3].due_ns, 2200 * MS);
	CHECK_INT(r.ticks[3].missed, 9);
	CHECK_INT(r.ticks[3].prev_ns, 1200 * MS);
	CHECK_INT(r.ticks[4].now_ns, 2300 * MS);
	CHECK_INT(r.ticks[4].missed, 0);
	CHECK_INT(r.ticks[5].now_ns, 2400 * MS);
	CHECK_INT(st.missed, 9);
	CHECK_INT(st.gaps, 1);
	CHECK_INT(st.longest_gap_ns, 1000 * MS);
}

/* A wait that returns 350 ms late (the process was stopped while it
 * slept): 3 slots skipped, the tick is placed on the last slot passed. */
static void test_stall_in_wait(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	o.max_ticks = 4;
	r.overshoot_at = 2;
	r.wait_overshoot_ns = 350 * MS;
	ht_sched_run(&o, &st);
	/* tick 3 due 1200, woken at 1550: slots 1200, 1300, 1400 skipped */
	CHECK_INT(r.ticks[2].now_ns, 1550 * MS);
	CHECK_INT(r.ticks[2].missed, 3);
	CHECK_INT(r.ticks[2].due_ns, 1500 * MS);
	CHECK_INT(r.ticks[3].now_ns, 1600 * MS);
	CHECK_INT(st.gaps, 1);
}

/* A tick late by less than an interval runs at once and is no gap. */
static void test_late_within_a_step(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	o.max_ticks = 4;
	r.overshoot_at = 2;
	r.wait_overshoot_ns = 99 * MS;
	ht_sched_run(&o, &st);
	CHECK_INT(r.ticks[2].now_ns, 1299 * MS);
	CHECK_INT(r.ticks[2].missed, 0);
	CHECK_INT(r.ticks[3].now_ns, 1300 * MS);	/* back on the schedule */
	CHECK_INT(st.gaps, 0);
}

/* run_ns from the origin: no tick at the end, or one exactly at it. */
static void test_run_time(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	o.run_ns = 1000 * MS;
	r.tick_cost_ns = 50 * MS;
	CHECK_INT(ht_sched_run(&o, &st), 0);
	CHECK_INT(st.end, HT_SCHED_TIME_UP);
	CHECK_INT(st.ticks, 10);	/* 1, then 1150 ... 1950 */
	CHECK_INT(r.ticks[9].due_ns, 1950 * MS);

	setup(&o, &r, 300);
	o.run_ns = 1000 * MS;
	o.tick_at_end = 1;
	CHECK_INT(ht_sched_run(&o, &st), 0);
	CHECK_INT(st.end, HT_SCHED_TIME_UP);
	CHECK_INT(st.ticks, 5);	/* 1000, 1300, 1600, 1900, end 2000 */
	CHECK_INT(r.ticks[4].now_ns, 2000 * MS);
	CHECK_INT(r.ticks[4].due_ns, 2000 * MS);

	/* a stall past the end: no tick after it without tick_at_end */
	setup(&o, &r, 100);
	o.run_ns = 500 * MS;
	r.stall_in_tick = 2;
	r.stall_ns = 5000 * MS;
	ht_sched_run(&o, &st);
	CHECK_INT(st.ticks, 2);
	CHECK_INT(st.end, HT_SCHED_TIME_UP);
}

static void test_second_tick_and_delay(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 1000);
	o.max_ticks = 3;
	o.second_ns = 200 * MS;
	o.start_delay_ns = 500 * MS;
	ht_sched_run(&o, &st);
	CHECK_INT(r.ticks[0].now_ns, 1500 * MS);
	CHECK_INT(r.ticks[1].now_ns, 1700 * MS);
	CHECK_INT(r.ticks[2].now_ns, 2700 * MS);
	CHECK_INT(st.gaps, 0);
}

static void test_stops(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	r.stop_after = 3;
	CHECK_INT(ht_sched_run(&o, &st), 0);
	CHECK_INT(st.end, HT_SCHED_STOPPED);
	CHECK_INT(st.ticks, 3);

	setup(&o, &r, 100);
	r.end_after = 4;
	CHECK_INT(ht_sched_run(&o, &st), 7);
	CHECK_INT(st.end, HT_SCHED_TICK_ENDED);
	CHECK_INT(st.ticks, 4);

	setup(&o, &r, 100);
	o.tick = NULL;
	CHECK_INT(ht_sched_run(&o, &st), -EINVAL);
	setup(&o, &r, 0);
	CHECK_INT(ht_sched_run(&o, &st), -EINVAL);
	CHECK_INT(r.nticks, 0);
}

/* progress() after every tick, or once per progress_ns. */
static void test_progress(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;

	setup(&o, &r, 100);
	o.max_ticks = 10;
	o.progress = on_progress;
	ht_sched_run(&o, &st);
	CHECK_INT(r.progress_calls, 9);	/* not after the last: the run ended */

	setup(&o, &r, 100);
	o.max_ticks = 11;
	o.progress = on_progress;
	o.progress_ns = 300 * MS;
	ht_sched_run(&o, &st);
	/* ticks at 1000, 1100 ... 1900, 2000: progress at 1300, 1600, 1900 */
	CHECK_INT(r.progress_calls, 3);
}

/* The real clock and the default wait: a signal ends a one-hour sleep. */
static volatile sig_atomic_t alarmed;
static void on_alarm(int sig) { (void)sig; alarmed = 1; }
static int alarm_stop(void *ctx) { (void)ctx; return alarmed; }

/* Arms the alarm in the tick, so that it cannot come before the run. */
static int arm_alarm(void *ctx, const struct ht_sched_tick *t)
{
	struct itimerval it = { .it_value = { 0, 50000 } };

	(void)ctx;
	(void)t;
	setitimer(ITIMER_REAL, &it, NULL);
	return 0;
}

static void test_signal_ends_default_wait(void)
{
	struct ht_sched_opts o;
	struct ht_sched_stats st;
	struct run r;
	struct sigaction sa = { .sa_handler = on_alarm };

	ht_clock_set(NULL);
	setup(&o, &r, 3600 * 1000);
	o.wait = NULL;
	o.should_stop = alarm_stop;
	o.tick = arm_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	CHECK_INT(ht_sched_run(&o, &st), 0);
	CHECK_INT(st.end, HT_SCHED_STOPPED);
	CHECK_INT(st.ticks, 1);
	ht_clock_set(fake_clock);
}

int main(void)
{
	ht_clock_set(fake_clock);
	test_regular_schedule();
	test_stall_skips_and_reports();
	test_stall_in_wait();
	test_late_within_a_step();
	test_run_time();
	test_second_tick_and_delay();
	test_stops();
	test_progress();
	test_signal_ends_default_wait();
	return ht_test_done("test_sched");
}
