/* Baseline merge: absolute = baseline + deltas; coverage over matching
 * intervals; resets, late deltas, many names. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include "ht_merge.h"
#include "ht_stream.h"
#include "ht_test.h"

static void test_absolute(void)
{
	struct ht_merge *m = ht_merge_new();
	int64_t v = -1;

	CHECK(m != NULL);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), -ENOENT);
	CHECK_INT(ht_merge_set_baseline(m, "ctxt", 123456789, 0), 0);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 123456789);
	CHECK_INT(ht_merge_add_delta(m, "ctxt", 1000, 1000), 0);
	CHECK_INT(ht_merge_add_delta(m, "ctxt", 250, 2000), 0);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 123456789 + 1250);

	/* refused: negative values; a delta already in the baseline */
	CHECK_INT(ht_merge_add_delta(m, "ctxt", -1, 3000), -EINVAL);
	CHECK_INT(ht_merge_add_delta(m, "ctxt", 5, 0), -ERANGE);
	CHECK_INT(ht_merge_set_baseline(m, "ctxt", -1, 0), -EINVAL);
	CHECK_INT(ht_merge_observe_proc(m, "ctxt", -5, 9000), -EINVAL);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 123456789 + 1250);

	/* past INT64_MAX the absolute is unknown, not short by the delta
	 * (it dropped the delta and went on as if nothing had come) */
	CHECK_INT(ht_merge_add_delta(m, "ctxt", INT64_MAX, 4000), -EOVERFLOW);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), -EOVERFLOW);
	CHECK_INT(v, 123456789 + 1250);

	/* deltas before any baseline: kept, absolute unknown; a baseline
	 * then starts afresh */
	CHECK_INT(ht_merge_add_delta(m, "wakeups", 7, 1000), 0);
	CHECK_INT(ht_merge_absolute(m, "wakeups", &v), -ENODATA);
	CHECK_INT(ht_merge_set_baseline(m, "wakeups", 100, 1000), 0);
	CHECK_INT(ht_merge_add_delta(m, "wakeups", 3, 2000), 0);
	CHECK_INT(ht_merge_absolute(m, "wakeups", &v), 0);
	CHECK_INT(v, 103);

	/* a second baseline (stream restart) starts the figure again */
	CHECK_INT(ht_merge_set_baseline(m, "ctxt", 5000, 10000), 0);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 5000);
	ht_merge_free(m);
	ht_merge_free(NULL);
}

/* sched switches against /proc/stat ctxt: the probe sees 90% of them. */
static void test_coverage(void)
{
	struct ht_merge *m = ht_merge_new();
	struct ht_merge_coverage c;
	int64_t ctxt = 1000000, v;

	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), -ENOENT);
	CHECK_INT(ht_merge_set_baseline(m, "ctxt", ctxt, 0), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK(isnan(c.ratio));
	CHECK(isnan(c.last_ratio));
	CHECK_INT(c.intervals, 0);
	for (int k = 1; k <= 10; k++) {
		int64_t events = 1000 * k;

		/* the batch's records come before its mark */
		CHECK_INT(ht_merge_add_delta(m, "ctxt", events * 9 / 10, 1000 * k), 0);
		ctxt += events;
		CHECK_INT(ht_merge_observe_proc(m, "ctxt", ctxt, 1000 * k), 0);
	}
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 10);
	CHECK_INT(c.proc, 55000);
	CHECK_INT(c.probe, 49500);
	CHECK_NEAR(c.ratio, 0.9, 1e-12);
	CHECK_NEAR(c.last_ratio, 0.9, 1e-12);
	CHECK_INT(c.pending, 0);
	CHECK_INT(c.last_proc, 1055000);
	CHECK_INT(c.last_proc_t, 10000);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 1000000 + 49500);

	/* a /proc reading no later than the previous one is refused */
	CHECK_INT(ht_merge_observe_proc(m, "ctxt", ctxt, 10000), -EINVAL);

	/* a delta for an interval already closed: counted, marked late */
	CHECK_INT(ht_merge_add_delta(m, "ctxt", 500, 9000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.late, 1);
	CHECK_INT(c.probe, 50000);
	CHECK_INT(c.pending, 0);
	CHECK_NEAR(c.ratio, 50000.0 / 55000, 1e-12);

	/* an open interval is pending, not in the ratio */
	CHECK_INT(ht_merge_add_delta(m, "ctxt", 700, 11000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.pending, 700);
	CHECK_INT(c.intervals, 10);

	/* the counter goes back (reset): that interval gives no ratio */
	CHECK_INT(ht_merge_observe_proc(m, "ctxt", 10, 11000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.skipped, 1);
	CHECK_INT(c.intervals, 10);
	CHECK_INT(c.pending, 0);
	CHECK_INT(c.last_proc, 10);
	/* and the next interval counts from the new reading */
	CHECK_INT(ht_merge_add_delta(m, "ctxt", 100, 12000), 0);
	CHECK_INT(ht_merge_observe_proc(m, "ctxt", 210, 12000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 11);
	CHECK_NEAR(c.last_ratio, 0.5, 1e-12);

	/* an idle interval: /proc counted nothing, no last ratio */
	CHECK_INT(ht_merge_observe_proc(m, "ctxt", 210, 13000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK(isnan(c.last_ratio));
	CHECK_NEAR(c.ratio, 50100.0 / 55200, 1e-12);
	ht_merge_free(m);
}

/* Without an explicit baseline the first /proc reading is the baseline;
 * deltas of that first interval were before it and do not count. */
static void test_first_reading_is_baseline(void)
{
	struct ht_merge *m = ht_merge_new();
	struct ht_merge_coverage c;
	int64_t v;

	CHECK_INT(ht_merge_add_delta(m, "softirq.NET_RX", 40, 1000), 0);
	CHECK_INT(ht_merge_coverage(m, "softirq.NET_RX", &c), -ENODATA);
	CHECK_INT(ht_merge_observe_proc(m, "softirq.NET_RX", 7000, 1000), 0);
	CHECK_INT(ht_merge_absolute(m, "softirq.NET_RX", &v), 0);
	CHECK_INT(v, 7000);
	CHECK_INT(ht_merge_add_delta(m, "softirq.NET_RX", 40, 1000), -ERANGE);
	CHECK_INT(ht_merge_add_delta(m, "softirq.NET_RX", 50, 2000), 0);
	CHECK_INT(ht_merge_observe_proc(m, "softirq.NET_RX", 7050, 2000), 0);
	CHECK_INT(ht_merge_coverage(m, "softirq.NET_RX", &c), 0);
	CHECK_NEAR(c.ratio, 1.0, 0);
	CHECK_INT(ht_merge_absolute(m, "softirq.NET_RX", &v), 0);
	CHECK_INT(v, 7050);
	ht_merge_free(m);
}

/* Many figures (softirq vectors per CPU, say): the table grows, names stay
 * apart and keep their order. */
static void test_many(void)
{
	struct ht_merge *m = ht_merge_new();
	char name[32];
	int64_t v;
	int ok = 1;

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "softirq.%d", i);
		ok &= ht_merge_set_baseline(m, name, i, 0) == 0;
		ok &= ht_merge_add_delta(m, name, 2 * i, 1) == 0;
	}
	CHECK(ok);
	CHECK_INT(ht_merge_count(m), 1000);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "softirq.%d", i);
		ok &= ht_merge_absolute(m, name, &v) == 0 && v == 3 * i;
		ok &= !strcmp(ht_merge_name(m, i), name);
	}
	CHECK(ok);
	CHECK(ht_merge_name(m, 1000) == NULL);
	CHECK_INT(ht_merge_absolute(m, "softirq.1000", &v), -ENOENT);
	ht_merge_free(m);
}

/* The flow `healthtap stream` has: records from the tapset stream, a
 * /proc/stat read at each sched batch mark (here a scripted ctxt). */
struct flow {
	struct ht_merge *m;
	const int64_t *ctxt;		/* ctxt read at batch k */
	int batches;
};

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct flow *f = ctx;

	if (rec->subsys != HT_SUBSYS_SCHED)
		return 0;
	if (!strcmp(rec->kind->name, "switches") && rec->labels[0] == '\0')
		return ht_merge_add_delta(f->m, "ctxt", rec->value, rec->t_ms) ? -1 : 0;
	if (!strcmp(rec->kind->name, "batch"))
		return ht_merge_observe_proc(f->m, "ctxt", f->ctxt[++f->batches],
					     rec->t_ms) ? -1 : 0;
	return 0;
}

static void test_stream_flow(void)
{
	static const char text[] =
		"#healthtap v=1 runtime=bpf start_ms=18645440 interval_ms=1000\n"
		"1000 sched switches 900\n"
		"1000 sched switches 450 cpu=0\n"
		"1000 sched switches 450 cpu=1\n"
		"1000 sched batch 1\n"
		"2000 sched switches 1800\n"
		"2000 sched batch 2\n"
		"3000 sched switches 1000\n"
		"3000 sched batch 3\n";
	/* baseline, then /proc deltas 1000, 2000, 1000 */
	static const int64_t ctxt[] = { 500000, 501000, 503000, 504000 };
	struct flow f = { .m = ht_merge_new(), .ctxt = ctxt };
	struct ht_stream *st = ht_stream_new(on_record, NULL, &f);
	struct ht_merge_coverage c;
	int64_t v;

	CHECK_INT(ht_merge_set_baseline(f.m, "ctxt", ctxt[0], 0), 0);
	CHECK_INT(ht_stream_feed(st, text, sizeof(text) - 1), 0);
	CHECK_INT(f.batches, 3);
	CHECK_INT(ht_merge_coverage(f.m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 3);
	CHECK_INT(c.probe, 3700);
	CHECK_INT(c.proc, 4000);
	CHECK_NEAR(c.ratio, 0.925, 1e-12);
	CHECK_NEAR(c.last_ratio, 1.0, 1e-12);
	CHECK_INT(ht_merge_absolute(f.m, "ctxt", &v), 0);
	CHECK_INT(v, 503700);		/* what the probe counted on top */
	CHECK_INT(c.last_proc, 504000);	/* what /proc says */
	ht_stream_free(st);
	ht_merge_free(f.m);
}

/* ht_merge_interval, as healthtap stream and the sampler call it once per
 * sched batch: the first batch is the baseline, a batch without the probe's
 * record or a stream that starts its clock again re-anchors without a
 * ratio, an unreadable /proc defers the probe's count, and a sum past
 * INT64_MAX makes the totals unknown while intervals go on. */
static void test_interval(void)
{
	struct ht_merge *m = ht_merge_new();
	struct ht_merge_coverage c;
	int64_t v;

	CHECK(m != NULL);
	CHECK_INT(ht_merge_interval(m, "ctxt", 900, 1000, 1000), 0);	/* baseline */
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 0);
	CHECK_INT(ht_merge_interval(m, "ctxt", 450, 1500, 2000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 1);
	CHECK_INT(c.last_probe, 450);
	CHECK_INT(c.last_proc_delta, 500);
	CHECK_NEAR(c.last_ratio, 0.9, 1e-12);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 1450);

	/* /proc unreadable: the 100 wait and count with the next reading */
	CHECK_INT(ht_merge_interval(m, "ctxt", 100, -1, 3000), 0);
	CHECK_INT(ht_merge_interval(m, "ctxt", 100, 1700, 4000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 2);
	CHECK_INT(c.last_probe, 200);
	CHECK_INT(c.last_proc_delta, 200);

	/* no switches record in the batch: no ratio, re-anchored on /proc */
	CHECK_INT(ht_merge_interval(m, "ctxt", -1, 2000, 5000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 2);
	CHECK_INT(c.skipped, 1);
	CHECK_INT(c.probe, 650);
	CHECK_INT(c.proc, 700);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 2000);

	/* a new stream: its clock starts again; totals kept */
	CHECK_INT(ht_merge_interval(m, "ctxt", 50, 2100, 1000), 0);
	CHECK_INT(ht_merge_interval(m, "ctxt", 100, 2200, 2000), 0);
	CHECK_INT(ht_merge_coverage(m, "ctxt", &c), 0);
	CHECK_INT(c.intervals, 3);
	CHECK_INT(c.skipped, 2);
	CHECK_INT(c.probe, 750);
	CHECK_INT(c.proc, 800);
	CHECK_INT(ht_merge_absolute(m, "ctxt", &v), 0);
	CHECK_INT(v, 2200);

	/* past INT64_MAX: unknown, intervals still counted */
	CHECK_INT(ht_merge_interval(m, "big", INT64_MAX, 0, 1000), 0);
	CHECK_INT(ht_merge_interval(m, "big", INT64_MAX, 0, 2000), 0);
	CHECK_INT(ht_merge_interval(m, "big", INT64_MAX, 0, 3000), 0);
	CHECK_INT(ht_merge_coverage(m, "big", &c), 0);
	CHECK_INT(c.intervals, 2);
	CHECK_INT(c.probe, -1);
	CHECK(isnan(c.ratio));
	CHECK_INT(ht_merge_absolute(m, "big", &v), -EOVERFLOW);
	/* the coverage total alone passing INT64_MAX (a re-anchor reset the
	 * absolute's sum, not the totals): the interval counts, the totals
	 * are unknown (the interval used to be dropped, the total kept) */
	CHECK_INT(ht_merge_interval(m, "cov", 0, 100, 1000), 0);
	CHECK_INT(ht_merge_interval(m, "cov", INT64_MAX, 100, 2000), 0);
	CHECK_INT(ht_merge_interval(m, "cov", -1, 100, 3000), 0);
	CHECK_INT(ht_merge_interval(m, "cov", 5, 110, 4000), 0);
	CHECK_INT(ht_merge_coverage(m, "cov", &c), 0);
	CHECK_INT(c.intervals, 2);
	CHECK_INT(c.probe, -1);
	CHECK_INT(c.last_proc_delta, 10);
	CHECK(isnan(c.ratio));
	CHECK_INT(ht_merge_absolute(m, "cov", &v), -EOVERFLOW);
	CHECK_INT(ht_merge_interval(NULL, "ctxt", 1, 1, 1), -EINVAL);
	ht_merge_free(m);
}

int main(void)
{
	test_absolute();
	test_coverage();
	test_first_reading_is_baseline();
	test_many();
	test_stream_flow();
	test_interval();
	return ht_test_done("test_merge");
}
