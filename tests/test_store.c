/* ht_store on real SQLite files: change-only writes, identity across
 * sessions, gaps, the single-writer lock, downsampling with known answers,
 * retention by age and by size, and the read API. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "ht_store.h"
#include "ht_test.h"

#define T0 1800000000000LL		/* a minute boundary (ms) */
#define DAY (86400LL * 1000)

static char dir[256];

static int64_t q(struct ht_store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -999;

	if (sqlite3_prepare_v2(ht_store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "bad sql %s: %s\n", sql, sqlite3_errmsg(ht_store_db(st)));
		return v;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static struct ht_store *open_store(const char *name, struct ht_store_opts *o)
{
	static char path[512];
	struct ht_store_opts def;
	struct ht_store *st = NULL;
	char err[256];
	int rc;

	if (!o) {
		ht_store_opts_default(&def);
		o = &def;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o->path = path;
	o->root = dir;
	o->host = "testhost";
	rc = ht_store_open(o, &st, err, sizeof(err));
	if (rc)
		fprintf(stderr, "open %s: %d %s\n", path, rc, err);
	CHECK_INT(rc, 0);
	return st;
}

struct collect { int n; int64_t id; char comm[64]; char boot[64]; int ended; int64_t first, last; };

static int on_proc(void *ctx, const struct ht_store_proc_info *p)
{
	struct collect *c = ctx;

	c->n++;
	c->id = p->id;
	snprintf(c->comm, sizeof(c->comm), "%s", p->comm);
	snprintf(c->boot, sizeof(c->boot), "%s", p->boot_id);
	c->ended = p->ended;
	c->first = p->first_ms;
	c->last = p->last_ms;
	return 0;
}

static int on_gap(void *ctx, const struct ht_store_gap *g)
{
	int64_t *v = ctx;

	v[0]++;
	v[1] = g->start_ms;
	v[2] = g->end_ms;
	return 0;
}

static void test_changes_identity_gaps_lock(void)
{
	struct ht_store *st = open_store("a.db", NULL), *st2 = NULL;
	struct ht_store_opts o;
	struct ht_store_proc_in p = { .pid = 4242, .start_time = 777, .comm = "leaky",
				      .cmdline = "leaky --fast", .rss = 4096, .anon = 1024 };
	struct collect c = { 0 };
	struct ht_store_proc_filter f = { 0 };
	struct ht_store_proc_point *pts;
	size_t n;
	int64_t gap[3] = { 0 };
	char err[256], path[512];

	/* a second writer refuses and names the holder */
	ht_store_opts_default(&o);
	snprintf(path, sizeof(path), "%s/a.db", dir);
	o.path = path;
	CHECK_INT(ht_store_open(&o, &st2, err, sizeof(err)), -EBUSY);
	CHECK(st2 == NULL);
	CHECK(strstr(err, "in use by another recorder") != NULL);
	char want[64];
	snprintf(want, sizeof(want), "(pid %ld,", (long)getpid());
	CHECK(strstr(err, want) != NULL);

	CHECK_INT(ht_store_session_begin(st, T0, 5000, "record", NULL), 0);
	for (int i = 0; i < 10; i++) {
		p.rss = i < 4 ? 4096 : 8192;	/* changes once, at i = 4 */
		CHECK_INT(ht_store_put_proc(st, T0 + i * 5000, &p), 0);
		CHECK_INT(ht_store_put_sys(st, T0 + i * 5000, HT_SYS_MEM_AVAILABLE, "", "B",
					   i < 5 ? 1e9 : 2e9), 0);
		CHECK_INT(ht_store_flush(st, T0 + i * 5000), 0);
	}
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples"), 2);
	CHECK_INT(q(st, "SELECT count(*) FROM sys_samples"), 2);
	CHECK_INT(q(st, "SELECT count(*) FROM procs"), 1);
	CHECK_INT(ht_store_pending(st), 0);

	/* read back: stored points plus the held value at the session's end */
	f.name = "leaky";
	CHECK_INT(ht_store_procs(st, &f, on_proc, &c), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.comm, "leaky");
	CHECK_STR(c.boot, "0b5e55ed-0000-4000-8000-000000000001");
	CHECK_INT(c.first, T0);
	CHECK_INT(c.last, T0 + 45000);
	CHECK_INT(c.ended, 0);
	CHECK_INT(ht_store_proc_series(st, c.id, 0, 0, 0, &pts, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(pts[0].t_ms, T0);
		CHECK_INT(pts[0].rss, 4096);
		CHECK_INT(pts[1].t_ms, T0 + 20000);
		CHECK_INT(pts[1].rss, 8192);
		CHECK_INT(pts[2].t_ms, T0 + 45000);
		CHECK_INT(pts[2].rss, 8192);
		CHECK_INT(pts[2].anon, 1024);
	}
	free(pts);
	CHECK_INT(ht_store_proc_series(st, c.id, 0, 0, 5000, &pts, &n), 0);
	CHECK_INT(n, 10);
	if (n == 10) {
		CHECK_INT(pts[3].rss, 4096);
		CHECK_INT(pts[4].rss, 8192);
		CHECK_INT(pts[9].t_ms, T0 + 45000);
	}
	free(pts);
	/* per-process tapset records go with a process put this interval */
	CHECK_INT(ht_store_put_proc(st, T0 + 50000, &p), 0);
	CHECK_INT(ht_store_put_proc_probe(st, T0 + 50000, 4242, "probe.sched.proc_switches", 77), 0);
	CHECK_INT(ht_store_put_proc_probe(st, T0 + 50000, 999, "probe.sched.proc_switches", 5), -ENOENT);
	CHECK_INT(ht_store_flush(st, T0 + 50000), 0);
	CHECK_INT(ht_store_put_proc(st, T0 + 55000, &p), 0);
	CHECK_INT(ht_store_put_proc_probe(st, T0 + 55000, 4242, "probe.sched.proc_switches", 77), 0);
	CHECK_INT(ht_store_flush(st, T0 + 55000), 0);
	{
		struct ht_store_point *pp;
		size_t np;
		CHECK_INT(ht_store_proc_probes(st, 1, "probe.sched.proc_switches", 0, 0, &pp, &np), 0);
		CHECK_INT(np, 2);	/* every value, even repeated */
		if (np == 2) {
			CHECK_INT(pp[0].t_ms, T0 + 50000);
			CHECK_NEAR(pp[1].v, 77, 0);
		}
		free(pp);
	}
	/* a reader beside the writer: no lock, sees what was committed */
	{
		struct ht_store *rd = NULL;
		struct collect c2 = { 0 };
		ht_store_opts_default(&o);
		o.path = path;
		o.flags = HT_STORE_READONLY;
		CHECK_INT(ht_store_open(&o, &rd, err, sizeof(err)), 0);
		if (rd) {
			CHECK_INT(ht_store_procs(rd, NULL, on_proc, &c2), 0);
			CHECK_INT(c2.n, 1);
			CHECK_INT(c2.last, T0 + 55000);
			CHECK_INT(ht_store_flush(rd, T0), -EROFS);
		}
		ht_store_close(rd);
	}
	ht_store_close(st);	/* no clean session end: as after kill -9 */

	/* restart: same process (pid, start time, boot) keeps its id; the
	 * outage is a gap; a process gone meanwhile was closed */
	st = open_store("a.db", NULL);
	CHECK_INT(ht_store_session_begin(st, T0 + 100000, 5000, "record", "recorder not running"), 0);
	CHECK_INT(ht_store_gaps(st, 0, 0, 0, on_gap, gap), 0);
	CHECK_INT(gap[0], 1);
	CHECK_INT(gap[1], T0 + 55000);
	CHECK_INT(gap[2], T0 + 100000);
	CHECK_INT(ht_store_put_proc(st, T0 + 100000, &p), 0);
	CHECK_INT(ht_store_flush(st, T0 + 100000), 0);
	CHECK_INT(ht_store_put_proc(st, T0 + 105000, &p), 0);
	CHECK_INT(ht_store_flush(st, T0 + 105000), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM procs"), 1);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples"), 3);
	/* step reads never cross the gap */
	CHECK_INT(ht_store_proc_series(st, c.id, 0, 0, 5000, &pts, &n), 0);
	CHECK_INT(n, 14);
	free(pts);
	/* pid reuse: a new start time is a new process, the old one ends */
	p.start_time = 999;
	CHECK_INT(ht_store_put_proc(st, T0 + 110000, &p), 0);
	CHECK_INT(ht_store_session_end(st, T0 + 110000, "stopped"), 0);
	CHECK_INT(ht_store_flush(st, T0 + 110000), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM procs"), 2);
	CHECK_INT(q(st, "SELECT end_ms FROM procs WHERE start_time = 777"), T0 + 105000);
	CHECK_INT(q(st, "SELECT end_ms FROM procs WHERE start_time = 999"), T0 + 110000);
	CHECK_INT(q(st, "SELECT count(*) FROM sessions WHERE end_reason = 'killed (no clean stop)'"), 1);
	ht_store_close(st);

	/* a reader runs beside nothing and needs no lock */
	ht_store_opts_default(&o);
	o.path = path;
	o.flags = HT_STORE_READONLY;
	CHECK_INT(ht_store_open(&o, &st2, err, sizeof(err)), 0);
	int64_t a = 0, b = 0;
	CHECK_INT(ht_store_time_range(st2, 0, &a, &b), 0);
	CHECK_INT(a, T0);
	CHECK_INT(b, T0 + 110000);
	ht_store_close(st2);
}

static int on_series(void *ctx, const struct ht_store_series_info *s)
{
	int64_t *id = ctx;

	*id = s->id;
	return 0;
}

/* Known answers: proc A 100 (t < 10 s), 200 (t < 30 s), 300; proc B 1000
 * (t < 70 s), then 2000; both sampled every 5 s up to 115 s, then gone. */
static void test_downsample(void)
{
	struct ht_store_opts o;
	struct ht_store *st;
	struct ht_store_maint m;
	struct ht_store_proc_point *pts;
	struct ht_store_point *sp;
	size_t n;
	int64_t sid = 0;

	ht_store_opts_default(&o);
	o.raw_keep_ms = DAY;
	o.bucket1_keep_ms = 2 * DAY;
	st = open_store("ds.db", &o);
	CHECK_INT(ht_store_session_begin(st, T0, 5000, "record", NULL), 0);
	for (int64_t t = 0; t <= 115000; t += 5000) {
		struct ht_store_proc_in a = { .pid = 10, .start_time = 1, .comm = "a",
					      .rss = t < 10000 ? 100 : t < 30000 ? 200 : 300, .anon = 7 };
		struct ht_store_proc_in b = { .pid = 11, .start_time = 1, .comm = "b",
					      .rss = t < 70000 ? 1000 : 2000, .anon = -1 };
		CHECK_INT(ht_store_put_proc(st, T0 + t, &a), 0);
		CHECK_INT(ht_store_put_proc(st, T0 + t, &b), 0);
		CHECK_INT(ht_store_put_sys(st, T0 + t, HT_SYS_PSI, "res=memory,kind=some", "%",
					   t < 30000 ? 10.0 : 20.0), 0);
		CHECK_INT(ht_store_flush(st, T0 + t), 0);
	}
	CHECK_INT(ht_store_flush(st, T0 + 120000), 0);	/* both gone */
	CHECK_INT(q(st, "SELECT end_ms FROM procs WHERE pid = 11"), T0 + 115000);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples"), 5);

	/* a day later: samples older than a day become minute buckets */
	CHECK_INT(ht_store_maintain(st, T0 + DAY + 120000, &m), 0);
	CHECK_INT(m.rows_downsampled, 7);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples"), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_buckets WHERE proc_id = 1"), 1);
	CHECK_INT(q(st, "SELECT rss_min FROM proc_buckets WHERE proc_id = 1"), 100);
	CHECK_INT(q(st, "SELECT rss_max FROM proc_buckets WHERE proc_id = 1"), 300);
	CHECK_INT(q(st, "SELECT rss_avg FROM proc_buckets WHERE proc_id = 1"), 233); /* 14000/60 */
	CHECK_INT(q(st, "SELECT rss_last FROM proc_buckets WHERE proc_id = 1"), 300);
	CHECK_INT(q(st, "SELECT anon_avg FROM proc_buckets WHERE proc_id = 1"), 7);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_buckets WHERE proc_id = 2"), 2);
	CHECK_INT(q(st, "SELECT rss_avg FROM proc_buckets WHERE proc_id = 2 AND t_ms = "
		    "1800000060000"), 1818);	/* (1000 x 10 s + 2000 x 45 s) / 55 s */
	CHECK_INT(q(st, "SELECT cover_ms FROM proc_buckets WHERE proc_id = 2 AND t_ms = "
		    "1800000060000"), 55000);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_buckets WHERE anon_avg IS NULL"), 2);
	CHECK_INT(ht_store_series(st, 0, "psi", on_series, &sid), 0);
	CHECK(sid > 0);
	CHECK_INT(q(st, "SELECT CAST(v_avg * 1000 AS INTEGER) FROM sys_buckets WHERE t_ms = 1800000000000"),
		  15000);

	/* read back through the API: buckets come with their span */
	CHECK_INT(ht_store_proc_series(st, 2, 0, 0, 0, &pts, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(pts[1].span_ms, 60000);
		CHECK_INT(pts[1].rss, 1818);
		CHECK_INT(pts[1].rss_min, 1000);
		CHECK_INT(pts[1].rss_max, 2000);
		CHECK_INT(pts[1].anon, -1);
	}
	free(pts);
	CHECK_INT(ht_store_sys_series(st, sid, 0, 0, 0, &sp, &n), 0);
	CHECK(n >= 1);
	if (n >= 1) {
		CHECK_INT(sp[0].span_ms, 60000);
		CHECK_NEAR(sp[0].v, 15.0, 1e-9);
		CHECK_NEAR(sp[0].min, 10.0, 1e-9);
		CHECK_NEAR(sp[0].max, 20.0, 1e-9);
	}
	free(sp);

	/* three days on: minute buckets older than two days become 10-minute
	 * buckets, weighted by the time each covered */
	CHECK_INT(ht_store_maintain(st, T0 + 3 * DAY, &m), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_buckets WHERE span_ms = 60000"), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_buckets WHERE proc_id = 2"), 1);
	CHECK_INT(q(st, "SELECT rss_avg FROM proc_buckets WHERE proc_id = 2"), 1391); /* 160e6/115e3 */
	CHECK_INT(q(st, "SELECT cover_ms FROM proc_buckets WHERE proc_id = 2"), 115000);
	CHECK_INT(q(st, "SELECT rss_last FROM proc_buckets WHERE proc_id = 2"), 2000);
	CHECK_INT(q(st, "SELECT span_ms FROM proc_buckets WHERE proc_id = 1"), 600000);
	CHECK_INT(q(st, "SELECT rss_avg FROM proc_buckets WHERE proc_id = 1"), 265); /* (233 x 60 s + 300 x 55 s) / 115 s */
	ht_store_close(st);
	/* retention by age: with max_age 2 days, everything from T0 goes */
	o.max_age_ms = 2 * DAY;
	st = open_store("ds.db", &o);
	CHECK_INT(ht_store_maintain(st, T0 + 3 * DAY, &m), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_buckets"), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM procs"), 0);
	CHECK(m.rows_expired >= 3);
	ht_store_close(st);
}

/* Retention by size: a week of one changing series, then a cap. */
static void test_size_retention(void)
{
	struct ht_store_opts o;
	struct ht_store *st;
	struct ht_store_maint m;
	int64_t before, after;

	ht_store_opts_default(&o);
	o.raw_keep_ms = -1;		/* keep samples: size only */
	o.bucket1_keep_ms = -1;
	st = open_store("size.db", &o);
	CHECK_INT(ht_store_session_begin(st, T0, 5000, "record", NULL), 0);
	for (int64_t i = 0; i < 40000; i++) {
		struct ht_store_proc_in p = { .pid = 1 + (int)(i % 8), .start_time = 1,
					      .comm = "w", .rss = i * 4096, .anon = i };
		int64_t t = T0 + (i / 8) * 5000;
		CHECK_INT(ht_store_put_proc(st, t, &p) == 0, 1);
		if (i % 8 == 7)
			ht_store_flush(st, t);
	}
	CHECK_INT(ht_store_maintain(st, T0 + DAY, &m), 0);
	before = m.db_bytes;
	CHECK(before > 600000);
	ht_store_close(st);
	o.max_bytes = 300000;
	st = open_store("size.db", &o);
	CHECK_INT(ht_store_maintain(st, T0 + DAY, &m), 0);
	after = m.db_bytes;
	printf("size retention: %lld -> %lld bytes (cap 300000), %llu rows deleted\n",
	       (long long)before, (long long)after, (unsigned long long)m.rows_expired);
	CHECK(after <= 300000);
	CHECK(m.rows_expired > 0);
	/* the newest sample stays, the oldest went */
	CHECK_INT(q(st, "SELECT max(t_ms) FROM proc_samples"), T0 + 4999 * 5000);
	CHECK(q(st, "SELECT min(t_ms) FROM proc_samples") > T0);
	CHECK_INT(q(st, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'"), 1);
	ht_store_close(st);
}

/* A full memory queue drops samples and records where as a gap. */
static void test_queue_full(void)
{
	struct ht_store_opts o;
	struct ht_store *st;
	int64_t gap[3] = { 0 };

	ht_store_opts_default(&o);
	o.max_pending = 50;
	st = open_store("q.db", &o);
	CHECK_INT(ht_store_session_begin(st, T0, 1000, "record", NULL), 0);
	for (int i = 0; i < 100; i++) {
		struct ht_store_proc_in p = { .pid = 7, .start_time = 1, .comm = "q",
					      .rss = i, .anon = i };
		CHECK_INT(ht_store_put_proc(st, T0 + i * 1000, &p), 0);
	}
	CHECK_INT(ht_store_dropped(st), 51);	/* 49 samples + the proc row fit */
	CHECK_INT(ht_store_flush(st, T0 + 99000), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples"), 49);
	CHECK_INT(ht_store_gaps(st, 0, 0, 0, on_gap, gap), 0);
	CHECK_INT(gap[0], 1);
	CHECK_INT(gap[1], T0 + 49000);
	CHECK_INT(gap[2], T0 + 99000);
	ht_store_close(st);
}

/* Read-only opens: a missing file, a SQLite file that is not ours. */
static void test_open_errors(void)
{
	struct ht_store_opts o;
	struct ht_store *st = NULL;
	char path[512], err[256];
	sqlite3 *db;

	ht_store_opts_default(&o);
	snprintf(path, sizeof(path), "%s/none.db", dir);
	o.path = path;
	o.flags = HT_STORE_READONLY;
	CHECK_INT(ht_store_open(&o, &st, err, sizeof(err)), -ENOENT);
	CHECK(st == NULL);
	CHECK(access(path, F_OK) < 0);	/* not created */
	snprintf(path, sizeof(path), "%s/other.db", dir);
	if (sqlite3_open(path, &db) == SQLITE_OK) {
		sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	CHECK_INT(ht_store_open(&o, &st, err, sizeof(err)), -EPROTO);
	CHECK(strstr(err, "is not a healthtap database") != NULL);
}

/* An open of another file by the test, to look inside a file the store
 * no longer has open. */
static int64_t q_file(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -999;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return v;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return v;
}

static void put_interval(struct ht_store *st, int64_t t, int64_t rss)
{
	struct ht_store_proc_in p = { .pid = 99, .start_time = 5, .comm = "worker",
				      .rss = rss, .anon = 1 };

	/* as record does: the command line only for a process new to the file */
	if (!ht_store_proc_known(st, p.pid, p.start_time))
		p.cmdline = "worker --x";
	CHECK_INT(ht_store_put_proc(st, t, &p), 0);
	CHECK_INT(ht_store_put_sys(st, t, HT_SYS_CPU_BUSY, "", "%", 12.5), 0);
	CHECK_INT(ht_store_flush(st, t), 0);
}

/* Reopen: the same file changes nothing; a moved file is followed and its
 * session closed, the new file gets a session with every process and
 * series declared; a bad path keeps the old file (under its new name),
 * with nothing lost; a deleted old file and a bad path leave no file open
 * without a crash, and the next good reopen records the time as a gap. */
static void test_reopen(void)
{
	struct ht_store *st = open_store("r.db", NULL);
	char path[512], moved[600], cmd[1400];
	int mv;

	snprintf(path, sizeof(path), "%s/r.db", dir);
	snprintf(moved, sizeof(moved), "%s/r.db.1", dir);
	CHECK_INT(ht_store_session_begin(st, T0, 1000, "record", NULL), 0);
	put_interval(st, T0, 4096);
	CHECK_INT(ht_store_proc_known(st, 99, 5), 1);
	CHECK_INT(ht_store_proc_known(st, 99, 6), 0);
	CHECK_INT(ht_store_reopen(st, T0 + 500, "rotated", &mv), 0);
	CHECK_INT(mv, 0);
	CHECK_INT(q(st, "SELECT count(*) FROM sessions"), 1);

	/* rotation */
	CHECK_INT(rename(path, moved), 0);
	put_interval(st, T0 + 1000, 8192);	/* written to the moved file */
	CHECK_INT(ht_store_put_event(st, T0 + 1100, "note", "queued"), 0);
	CHECK_INT(ht_store_reopen(st, T0 + 1200, "rotated", &mv), -EAGAIN);
	CHECK_INT(ht_store_flush(st, -1), 0);
	CHECK_INT(ht_store_reopen(st, T0 + 1200, "rotated", &mv), 0);
	CHECK_INT(mv, 1);
	CHECK_STR(ht_store_file(st), path);
	CHECK_INT(ht_store_proc_known(st, 99, 5), 0);	/* to declare again */
	put_interval(st, T0 + 2000, 8192);
	CHECK_INT(q(st, "SELECT count(*) FROM sessions WHERE end_ms IS NULL AND start_ms = "
		    "1800000001200"), 1);
	CHECK_INT(q(st, "SELECT count(*) FROM procs WHERE pid = 99 AND cmdline = 'worker --x'"), 1);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples s JOIN procs p ON p.id = s.proc_id"), 1);
	CHECK_INT(q(st, "SELECT count(*) FROM sys_samples s JOIN series r ON r.id = s.series_id"), 1);
	CHECK_INT(q(st, "SELECT count(*) FROM gaps"), 0);
	CHECK_INT(q_file(moved, "SELECT count(*) FROM sessions WHERE end_reason = 'rotated'"
			 " AND end_ms = 1800000001000"), 1);
	CHECK_INT(q_file(moved, "SELECT count(*) FROM procs WHERE end_ms = 1800000001000"), 1);
	CHECK_INT(q_file(moved, "SELECT count(*) FROM events WHERE text = 'queued'"), 1);
	CHECK_INT(q_file(moved, "SELECT count(*) FROM proc_samples"), 2);

	/* a directory at the path: the old file goes on, under its new name */
	CHECK_INT(rename(path, moved), 0);
	CHECK_INT(mkdir(path, 0755), 0);
	CHECK(ht_store_reopen(st, T0 + 2500, "rotated", &mv) < 0);
	CHECK_INT(mv, 0);
	CHECK(strstr(ht_store_error(st), "; still writing ") != NULL);
	CHECK_STR(ht_store_file(st), moved);
	put_interval(st, T0 + 3000, 16384);
	CHECK_INT(q_file(moved, "SELECT count(*) FROM proc_samples WHERE rss = 16384"), 1);
	CHECK_INT(q_file(moved, "SELECT count(*) FROM sessions WHERE end_ms IS NULL"), 1);
	CHECK_INT(rmdir(path), 0);
	CHECK_INT(ht_store_reopen(st, T0 + 3500, "rotated", &mv), 0);
	CHECK_INT(mv, 1);
	put_interval(st, T0 + 4000, 16384);
	CHECK_INT(q(st, "SELECT count(*) FROM proc_samples WHERE rss = 16384"), 1);

	/* the old file deleted and the path a directory: no file, no crash */
	CHECK_INT(rename(path, moved), 0);
	CHECK_INT(unlink(moved), 0);
	CHECK_INT(mkdir(path, 0755), 0);
	CHECK(ht_store_reopen(st, T0 + 4500, "rotated", &mv) < 0);
	CHECK(strstr(ht_store_error(st), "deleted") != NULL);
	struct ht_store_proc_in p = { .pid = 99, .start_time = 5, .comm = "worker", .rss = 1 };
	CHECK_INT(ht_store_put_proc(st, T0 + 5000, &p), -ENODEV);
	CHECK_INT(ht_store_put_sys(st, T0 + 5000, HT_SYS_CPU_BUSY, "", "%", 1), -ENODEV);
	CHECK_INT(ht_store_flush(st, T0 + 5000), -ENODEV);
	CHECK(ht_store_reopen(st, T0 + 5500, "rotated", &mv) < 0);
	CHECK(strstr(ht_store_error(st), "no database open") != NULL);
	CHECK_INT(rmdir(path), 0);
	CHECK_INT(ht_store_reopen(st, T0 + 6000, "rotated", &mv), 0);
	put_interval(st, T0 + 6000, 1);
	CHECK_INT(q(st, "SELECT count(*) FROM gaps WHERE start_ms = 1800000004500"
		    " AND end_ms = 1800000006000"), 1);
	CHECK_INT(q(st, "SELECT count(*) FROM procs"), 1);
	ht_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -f %s %s-wal %s-shm %s.lock", path, path, path, path);
	CHECK_INT(system(cmd), 0);
}

/* Labels of any length; a gap put by the writer; the sample clock. */
static void test_labels_gaps_times(void)
{
	struct ht_store *st = open_store("l.db", NULL);
	char labels[3000];
	int64_t *times = NULL, gap[3] = { 0 };
	size_t n = 0;

	memset(labels, 'x', sizeof(labels) - 1);
	memcpy(labels, "comm=", 5);
	labels[sizeof(labels) - 1] = '\0';
	CHECK_INT(ht_store_session_begin(st, T0, 1000, "import", NULL), 0);
	CHECK_INT(ht_store_put_sys(st, T0, "probe.sched.x", labels, "1", 1), 0);
	CHECK_INT(ht_store_put_sys(st, T0 + 1000, "probe.sched.x", labels, "1", 2), 0);
	CHECK_INT(ht_store_put_sys(st, T0 + 3000, "probe.sched.x", "", "1", 3), 0);
	CHECK_INT(ht_store_put_gap(st, T0 + 1000, T0 + 3000, "recorder stalled"), 0);
	CHECK_INT(ht_store_put_gap(st, T0 + 3000, T0 + 3000, "empty"), -EINVAL);
	CHECK_INT(ht_store_flush(st, T0 + 3000), 0);
	CHECK_INT(q(st, "SELECT count(*) FROM series WHERE length(labels) = 2999"), 1);
	CHECK_INT(ht_store_gaps(st, 0, 0, 0, on_gap, gap), 0);
	CHECK_INT(gap[0], 1);
	CHECK_INT(gap[1], T0 + 1000);
	CHECK_INT(gap[2], T0 + 3000);
	CHECK_INT(q(st, "SELECT count(*) FROM gaps WHERE reason = 'recorder stalled'"), 1);
	CHECK_INT(ht_store_sample_times(st, T0 + 500, T0 + 5000, &times, &n), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(times[0], T0 + 1000);
		CHECK_INT(times[1], T0 + 3000);
	}
	free(times);
	ht_store_close(st);
}

/* Names follow exec: a process first put between fork and exec (the
 * parent's names) is renamed in the store when its names change. */
static void test_names_follow_exec(void)
{
	struct ht_store *st = open_store("exec.db", NULL);
	struct ht_store_proc_in p = { .pid = 5151, .start_time = 888, .comm = "bash",
				      .cmdline = "bash run.sh", .rss = 4096, .anon = 1024 };
	struct collect c = { 0 };
	struct ht_store_proc_filter f = { .pid = 5151 };
	sqlite3_stmt *s;
	char cmd[256] = "";

	CHECK_INT(ht_store_session_begin(st, T0, 1000, "record", NULL), 0);
	CHECK_INT(ht_store_put_proc(st, T0, &p), 0);
	CHECK_INT(ht_store_flush(st, T0), 0);
	p.comm = "python3";
	p.cmdline = "python3 -c leak()";
	for (int i = 1; i < 4; i++) {
		CHECK_INT(ht_store_put_proc(st, T0 + i * 1000, &p), 0);
		CHECK_INT(ht_store_flush(st, T0 + i * 1000), 0);
	}
	CHECK_INT(q(st, "SELECT count(*) FROM procs"), 1);
	CHECK_INT(ht_store_procs(st, &f, on_proc, &c), 0);
	CHECK_INT(c.n, 1);
	CHECK_STR(c.comm, "python3");
	if (sqlite3_prepare_v2(ht_store_db(st), "SELECT cmdline FROM procs", -1, &s, NULL)
	    == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			snprintf(cmd, sizeof(cmd), "%s", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	CHECK_STR(cmd, "python3 -c leak()");
	/* a put without a command line keeps the stored names */
	p.cmdline = NULL;
	p.comm = "other";
	CHECK_INT(ht_store_put_proc(st, T0 + 5000, &p), 0);
	CHECK_INT(ht_store_flush(st, T0 + 5000), 0);
	c.n = 0;
	CHECK_INT(ht_store_procs(st, &f, on_proc, &c), 0);
	CHECK_STR(c.comm, "python3");
	ht_store_close(st);
}

int main(void)
{
	char path[512];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/ht-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random", dir);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", path);
	if (system(cmd))
		return 99;
	strcat(path, "/boot_id");
	f = fopen(path, "w");
	fputs("0b5e55ed-0000-4000-8000-000000000001\n", f);
	fclose(f);

	test_changes_identity_gaps_lock();
	test_downsample();
	test_size_retention();
	test_queue_full();
	test_open_errors();
	test_reopen();
	test_labels_gaps_times();
	test_names_follow_exec();

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 99;
	return ht_test_done("test_store");
}
