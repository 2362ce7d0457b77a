/* The history store's read path: hosts, processes, series and their
 * points (samples and buckets, held values closed at the end of each
 * recorded span), gaps and events; and the row loader rollup shares.
 * See ht_store.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_store_int.h"

struct row *store_rows_add(struct rows *rs)
{
	if (ht_grow(rs->r, rs->cap, rs->n + 1))
		return NULL;
	return &rs->r[rs->n++];
}

static double col_d(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}
const struct tabledef T_PROC = {
	"proc_samples", "proc_buckets", "proc_id", "rss, anon",
	"rss_min, rss_avg, rss_max, rss_last, anon_min, anon_avg, anon_max, anon_last", 2
};
const struct tabledef T_SYS = {
	"sys_samples", "sys_buckets", "series_id", "v",
	"v_min, v_avg, v_max, v_last", 1
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

int store_load_rows(struct ht_store *st, const struct tabledef *td, int64_t id,
		     int64_t lo, int64_t hi, int64_t span_only, struct rows *rs)
{
	char sql[600];
	sqlite3_stmt *s;
	int rc, err;

	if (span_only == 0) {
		/* buckets (any span), then samples: each comes in key order,
		 * and buckets are older than samples unless old data arrived
		 * after a downsampling (then sort) */
		size_t first = rs->n;
		if ((err = store_load_rows(st, td, id, lo, hi, INT64_MAX, rs)) ||
		    (err = store_load_rows(st, td, id, lo, hi, -1, rs)))
			return err;
		for (size_t i = first + 1; i < rs->n; i++) {
			if (rs->r[i].t < rs->r[i - 1].t) {
				qsort(rs->r + first, rs->n - first, sizeof(*rs->r), row_cmp);
				break;
			}
		}
		return 0;
	}
	if (span_only == INT64_MAX)
		snprintf(sql, sizeof(sql), "SELECT t_ms, span_ms, cover_ms, %s FROM %s WHERE %s = ?1"
			 " AND t_ms >= ?2 AND t_ms < ?3 ORDER BY t_ms",
			 td->bcols, td->buckets, td->idcol);
	else if (span_only > 0)
		snprintf(sql, sizeof(sql), "SELECT t_ms, span_ms, cover_ms, %s FROM %s WHERE %s = ?1"
			 " AND t_ms >= ?2 AND t_ms < ?3 AND span_ms = %lld ORDER BY t_ms",
			 td->bcols, td->buckets, td->idcol, (long long)span_only);
	else if (span_only < 0)
		snprintf(sql, sizeof(sql), "SELECT t_ms, 0, 0, %s FROM %s WHERE %s = ?1"
			 " AND t_ms >= ?2 AND t_ms < ?3 ORDER BY t_ms",
			 td->scols, td->samples, td->idcol);
	else
		snprintf(sql, sizeof(sql), "SELECT t_ms, 0, 0, %s FROM %s WHERE %s = ?1"
			 " AND t_ms >= ?2 AND t_ms < ?3 ORDER BY t_ms",
			 td->scols, td->samples, td->idcol);
	if ((err = store_prepare(st, sql, &s)))
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, lo);
	sqlite3_bind_int64(s, 3, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct row *r = store_rows_add(rs);
		if (!r) {
			store_release(st, s);
			return -ENOMEM;
		}
		r->t = sqlite3_column_int64(s, 0);
		r->span = sqlite3_column_int64(s, 1);
		r->cover = sqlite3_column_int64(s, 2);
		for (int k = 0; k < td->nv; k++) {
			if (span_only < 0) {
				r->min[k] = r->avg[k] = r->max[k] = r->last[k] = col_d(s, 3 + k);
			} else {
				r->min[k] = col_d(s, 3 + 4 * k);
				r->avg[k] = col_d(s, 4 + 4 * k);
				r->max[k] = col_d(s, 5 + 4 * k);
				r->last[k] = col_d(s, 6 + 4 * k);
			}
		}
	}
	store_release(st, s);
	if (rc != SQLITE_DONE)
		return store_sql_fail(st, rc, "read");
	return 0;
}

int store_row_before(struct ht_store *st, const struct tabledef *td, int64_t id,
		      int64_t t, struct row *out)
{
	struct rows a = { 0 }, b = { 0 };
	char sql[400];
	sqlite3_stmt *s;
	int err = 0, found = 0;
	int64_t tb = INT64_MIN, ts = INT64_MIN;

	snprintf(sql, sizeof(sql), "SELECT max(t_ms) FROM %s WHERE %s = ? AND t_ms < ?",
		 td->buckets, td->idcol);
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1)
			snprintf(sql, sizeof(sql), "SELECT max(t_ms) FROM %s WHERE %s = ? AND t_ms < ?",
				 td->samples, td->idcol);
		if ((err = store_prepare(st, sql, &s)))
			return err;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, t);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
			*(pass ? &ts : &tb) = sqlite3_column_int64(s, 0);
		store_release(st, s);
	}
	if (tb == INT64_MIN && ts == INT64_MIN)
		return -ENOENT;
	if (ts > tb) {
		err = store_load_rows(st, td, id, ts, ts + 1, -1, &a);
		if (!err && a.n) { *out = a.r[0]; found = 1; }
	} else {
		err = store_load_rows(st, td, id, tb, tb + 1, 0, &b);
		if (!err && b.n) { *out = b.r[b.n - 1]; found = 1; }
	}
	free(a.r);
	free(b.r);
	return err ? err : (found ? 0 : -ENOENT);
}

/* ---- reading ---- */

int ht_store_hosts(struct ht_store *st,
		   int (*fn)(void *ctx, const struct ht_store_host *h), void *ctx)
{
	sqlite3_stmt *s;
	int rc, err = store_prepare(st, "SELECT h.id, h.name, coalesce(min(s.start_ms), -1),"
			      " coalesce(max(coalesce(s.last_ms, s.start_ms)), -1) FROM hosts h"
			      " LEFT JOIN sessions s ON s.host_id = h.id GROUP BY h.id ORDER BY h.id", &s);

	if (err)
		return err;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ht_store_host h = {
			sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
			sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
		};
		if ((err = fn(ctx, &h)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, "hosts");
	store_release(st, s);
	return err;
}

int ht_store_time_range(struct ht_store *st, int64_t host_id, int64_t *first_ms, int64_t *last_ms)
{
	sqlite3_stmt *s;
	int err = store_prepare(st, "SELECT min(start_ms), max(coalesce(last_ms, start_ms)) FROM sessions"
			  " WHERE ?1 = 0 OR host_id = ?1", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
		*first_ms = sqlite3_column_int64(s, 0);
		*last_ms = sqlite3_column_int64(s, 1);
	} else {
		err = -ENOENT;
	}
	store_release(st, s);
	return err;
}

/* The expression for a process's last known time: its end, else the last
 * sample of the latest session of its host. */
#define PROC_LAST_SQL \
	"coalesce(p.end_ms, (SELECT max(coalesce(last_ms, start_ms)) FROM sessions s" \
	" WHERE s.host_id = p.host_id))"

int ht_store_procs(struct ht_store *st, const struct ht_store_proc_filter *f,
		   int (*fn)(void *ctx, const struct ht_store_proc_info *p), void *ctx)
{
	static const struct ht_store_proc_filter none = { 0 };
	sqlite3_stmt *s;
	int rc, err;

	if (!f)
		f = &none;
	err = store_prepare(st, "SELECT p.id, p.host_id, b.boot_id, p.pid, p.start_time, p.comm,"
		      " coalesce(p.cmdline, ''), p.first_ms, " PROC_LAST_SQL ", p.end_ms IS NOT NULL"
		      " FROM procs p JOIN boots b ON b.id = p.boot"
		      " WHERE (?1 = 0 OR p.host_id = ?1) AND (?2 = 0 OR p.pid = ?2)"
		      " AND (?3 IS NULL OR p.comm = ?3)"
		      " AND (?4 = 0 AND ?5 = 0 OR (p.first_ms <= ?5 AND " PROC_LAST_SQL " >= ?4))"
		      " ORDER BY p.host_id, p.first_ms, p.pid", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, f->host_id);
	sqlite3_bind_int64(s, 2, f->pid);
	if (f->name)
		sqlite3_bind_text(s, 3, f->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, f->since_ms);
	sqlite3_bind_int64(s, 5, f->until_ms ? f->until_ms : (f->since_ms ? INT64_MAX : 0));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ht_store_proc_info p = {
			.id = sqlite3_column_int64(s, 0),
			.host_id = sqlite3_column_int64(s, 1),
			.boot_id = (const char *)sqlite3_column_text(s, 2),
			.pid = (pid_t)sqlite3_column_int64(s, 3),
			.start_time = sqlite3_column_int64(s, 4),
			.comm = (const char *)sqlite3_column_text(s, 5),
			.cmdline = (const char *)sqlite3_column_text(s, 6),
			.first_ms = sqlite3_column_int64(s, 7),
			.last_ms = sqlite3_column_int64(s, 8),
			.ended = sqlite3_column_int(s, 9),
		};
		if (!p.comm)
			p.comm = "";
		if ((err = fn(ctx, &p)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, "procs");
	store_release(st, s);
	return err;
}

struct span { int64_t a, b; };

/* The recorded spans of a host: its sessions [start, last], clipped to
 * [lo, hi]. */
static int host_spans(struct ht_store *st, int64_t host_id, int64_t lo, int64_t hi,
		      struct span **out, size_t *n)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, err = store_prepare(st, "SELECT start_ms, coalesce(last_ms, start_ms) FROM sessions"
			      " WHERE host_id = ? ORDER BY start_ms", &s);

	*out = NULL;
	*n = 0;
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(s, 0), b = sqlite3_column_int64(s, 1);
		if (a < lo) a = lo;
		if (b > hi) b = hi;
		if (a > b)
			continue;
		if (ht_grow(*out, cap, *n + 1)) {
			store_release(st, s);
			return -ENOMEM;
		}
		(*out)[(*n)++] = (struct span){ a, b };
	}
	store_release(st, s);
	return rc == SQLITE_DONE ? 0 : store_sql_fail(st, rc, "sessions");
}

struct pt { int64_t t, span; double v[2], mn[2], mx[2]; };

static int pt_cmp(const void *a, const void *b)
{
	const struct pt *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* The series of one entity as points: see ht_store_proc_series(). */
static int read_series(struct ht_store *st, const struct tabledef *td, int64_t id,
		       int64_t host_id, int64_t first_ms, int64_t end_ms,
		       int64_t since, int64_t until, int64_t step,
		       struct pt **outp, size_t *outn)
{
	struct rows rs = { 0 };
	struct row prev;
	struct span *sp = NULL;
	size_t nsp = 0, n = 0, cap = 0;
	struct pt *out = NULL;
	int err, have_prev;

	*outp = NULL;
	*outn = 0;
	if (until <= 0)
		until = INT64_MAX / 2;
	if (end_ms >= 0 && end_ms < until)
		until = end_ms;
	if (first_ms > since)
		since = first_ms;
	if (since > until)
		return 0;
	have_prev = store_row_before(st, td, id, since, &prev) == 0;
	if (have_prev) {
		struct row *r = store_rows_add(&rs);
		if (!r)
			return -ENOMEM;
		*r = prev;
	}
	if ((err = store_load_rows(st, td, id, since, until + 1, 0, &rs)))
		goto cleanup;
	if ((err = host_spans(st, host_id, since, until, &sp, &nsp)))
		goto cleanup;

#define EMIT(T, SPAN, R, USE_AVG) do { \
		if (ht_grow(out, cap, n + 1)) { err = -ENOMEM; goto cleanup; } \
		out[n].t = (T); out[n].span = (SPAN); \
		for (int k = 0; k < td->nv; k++) { \
			out[n].v[k] = (USE_AVG) ? (R)->avg[k] : (R)->last[k]; \
			out[n].mn[k] = (USE_AVG) ? (R)->min[k] : (R)->last[k]; \
			out[n].mx[k] = (USE_AVG) ? (R)->max[k] : (R)->last[k]; \
		} \
		n++; \
	} while (0)

	if (step <= 0) {
		/* the value held at since, the stored points, then a closing
		 * point where each recorded span ends on a held value */
		if (have_prev && prev.t < since) {
			for (size_t si = 0; si < nsp; si++)
				if (sp[si].a <= since && since <= sp[si].b) {
					EMIT(since, 0, &prev, 0);
					break;
				}
		}
		for (size_t i = have_prev ? 1 : 0; i < rs.n; i++)
			EMIT(rs.r[i].t, rs.r[i].span, &rs.r[i], rs.r[i].span > 0);
		for (size_t si = 0; si < nsp; si++) {
			const struct row *h = NULL;
			for (size_t i = rs.n; i-- > 0;)
				if (rs.r[i].t <= sp[si].b) {
					h = &rs.r[i];
					break;
				}
			if (h && h->t + h->span < sp[si].b)
				EMIT(sp[si].b, 0, h, 0);
		}
		qsort(out, n, sizeof(*out), pt_cmp);
	} else {
		size_t ri = 0;
		for (size_t si = 0; si < nsp; si++) {
			int64_t t = sp[si].a + ((step - sp[si].a % step) % step);
			for (; t <= sp[si].b; t += step) {
				while (ri + 1 < rs.n && rs.r[ri + 1].t <= t)
					ri++;
				if (!rs.n || rs.r[ri].t > t)
					continue;
				const struct row *r = &rs.r[ri];
				EMIT(t, 0, r, r->span > 0 && t < r->t + r->span);
			}
		}
	}
#undef EMIT
	*outp = out;
	*outn = n;
	out = NULL;
cleanup:
	free(out);
	free(rs.r);
	free(sp);
	return err;
}

static int proc_meta(struct ht_store *st, int64_t id, int64_t *host, int64_t *first, int64_t *end)
{
	sqlite3_stmt *s;
	int err = store_prepare(st, "SELECT host_id, first_ms, coalesce(end_ms, -1) FROM procs WHERE id = ?", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*host = sqlite3_column_int64(s, 0);
		*first = sqlite3_column_int64(s, 1);
		*end = sqlite3_column_int64(s, 2);
	} else {
		err = store_set_err(st, -ENOENT, "no process %lld in %s", (long long)id, st->path);
	}
	store_release(st, s);
	return err;
}

static int64_t to_i(double v)
{
	return isnan(v) ? -1 : (int64_t)llround(v);
}

int ht_store_proc_series(struct ht_store *st, int64_t proc_id, int64_t since_ms,
			 int64_t until_ms, int64_t step_ms,
			 struct ht_store_proc_point **out, size_t *n)
{
	int64_t host = 0, first = 0, end = -1;
	struct pt *p = NULL;
	size_t np = 0;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = proc_meta(st, proc_id, &host, &first, &end)))
		return err;
	if ((err = read_series(st, &T_PROC, proc_id, host, first, end, since_ms, until_ms,
			       step_ms, &p, &np)))
		return err;
	if (np) {
		*out = malloc(np * sizeof(**out));
		if (!*out) {
			free(p);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < np; i++)
		(*out)[i] = (struct ht_store_proc_point){
			p[i].t, p[i].span,
			to_i(p[i].v[0]), to_i(p[i].mn[0]), to_i(p[i].mx[0]),
			to_i(p[i].v[1]), to_i(p[i].mn[1]), to_i(p[i].mx[1]),
		};
	*n = np;
	free(p);
	return 0;
}

int ht_store_proc_probes(struct ht_store *st, int64_t proc_id, const char *name,
			 int64_t since_ms, int64_t until_ms,
			 struct ht_store_point **out, size_t *n)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, err = store_prepare(st, "SELECT t_ms, value FROM proc_probes WHERE proc_id = ?1"
			      " AND name = ?2 AND t_ms >= ?3 AND t_ms <= ?4 ORDER BY t_ms", &s);

	*out = NULL;
	*n = 0;
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, proc_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, since_ms);
	sqlite3_bind_int64(s, 4, until_ms > 0 ? until_ms : INT64_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		double v = (double)sqlite3_column_int64(s, 1);
		if (ht_grow(*out, cap, *n + 1)) {
			store_release(st, s);
			free(*out);
			*out = NULL;
			*n = 0;
			return -ENOMEM;
		}
		(*out)[(*n)++] = (struct ht_store_point){ sqlite3_column_int64(s, 0), 0, v, v, v };
	}
	store_release(st, s);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return store_sql_fail(st, rc, "proc_probes");
	}
	return 0;
}

int ht_store_series(struct ht_store *st, int64_t host_id, const char *prefix,
		    int (*fn)(void *ctx, const struct ht_store_series_info *s), void *ctx)
{
	sqlite3_stmt *s;
	int rc, err = store_prepare(st, "SELECT id, host_id, name, labels, coalesce(unit, '') FROM series"
			      " WHERE (?1 = 0 OR host_id = ?1) AND substr(name, 1, length(?2)) = ?2"
			      " ORDER BY host_id, name, labels", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_text(s, 2, prefix ? prefix : "", -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ht_store_series_info si = {
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			(const char *)sqlite3_column_text(s, 3),
			(const char *)sqlite3_column_text(s, 4),
		};
		if ((err = fn(ctx, &si)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, "series");
	store_release(st, s);
	return err;
}

int ht_store_series_find(struct ht_store *st, int64_t host_id, const char *name,
			 const char *labels, int64_t *id)
{
	sqlite3_stmt *s;
	/* with a host, the UNIQUE(host_id, name, labels) index answers; an OR
	 * on host_id would scan it (quadratic over an import's new series) */
	int err = store_prepare(st, host_id ?
				"SELECT id FROM series WHERE host_id = ?1 AND name = ?2 AND labels = ?3" :
				"SELECT id FROM series WHERE name = ?2 AND labels = ?3"
				" ORDER BY host_id LIMIT 1", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, labels ? labels : "", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else
		err = -ENOENT;
	store_release(st, s);
	return err;
}

int ht_store_sys_series(struct ht_store *st, int64_t series_id, int64_t since_ms,
			int64_t until_ms, int64_t step_ms,
			struct ht_store_point **out, size_t *n)
{
	sqlite3_stmt *s;
	int64_t host = 0;
	struct pt *p = NULL;
	size_t np = 0;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = store_prepare(st, "SELECT host_id FROM series WHERE id = ?", &s)))
		return err;
	sqlite3_bind_int64(s, 1, series_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		host = sqlite3_column_int64(s, 0);
	else
		err = store_set_err(st, -ENOENT, "no series %lld in %s", (long long)series_id, st->path);
	store_release(st, s);
	if (err)
		return err;
	if ((err = read_series(st, &T_SYS, series_id, host, INT64_MIN, -1, since_ms, until_ms,
			       step_ms, &p, &np)))
		return err;
	if (np) {
		*out = malloc(np * sizeof(**out));
		if (!*out) {
			free(p);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < np; i++)
		(*out)[i] = (struct ht_store_point){ p[i].t, p[i].span, p[i].v[0], p[i].mn[0], p[i].mx[0] };
	*n = np;
	free(p);
	return 0;
}

/* Runs sql, whose ?1, ?2 and ?3 are host_id (0: every host), since_ms and
 * until_ms (<= 0: no end), and calls row() on each row until it returns
 * non-zero. what names the table in an SQL error. */
static int range_query(struct ht_store *st, const char *sql, const char *what, int64_t host_id,
		       int64_t since_ms, int64_t until_ms,
		       int (*row)(sqlite3_stmt *s, void *arg), void *arg)
{
	sqlite3_stmt *s;
	int rc, err = store_prepare(st, sql, &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, until_ms > 0 ? until_ms : INT64_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((err = row(s, arg)))
			break;
	if (!err && rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, what);
	store_release(st, s);
	return err;
}

struct gap_walk {
	int (*fn)(void *ctx, const struct ht_store_gap *g);
	void *ctx;
};

static int gap_row(sqlite3_stmt *s, void *arg)
{
	struct gap_walk *w = arg;
	struct ht_store_gap g = {
		sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		sqlite3_column_int64(s, 2), (const char *)sqlite3_column_text(s, 3),
	};

	return w->fn(w->ctx, &g);
}

int ht_store_gaps(struct ht_store *st, int64_t host_id, int64_t since_ms, int64_t until_ms,
		  int (*fn)(void *ctx, const struct ht_store_gap *g), void *ctx)
{
	struct gap_walk w = { fn, ctx };

	return range_query(st, "SELECT host_id, start_ms, end_ms, coalesce(reason, '') FROM gaps"
			   " WHERE (?1 = 0 OR host_id = ?1) AND end_ms >= ?2 AND start_ms <= ?3"
			   " ORDER BY start_ms", "gaps", host_id, since_ms, until_ms, gap_row, &w);
}

struct event_walk {
	int (*fn)(void *ctx, const struct ht_store_event *e);
	void *ctx;
};

static int event_row(sqlite3_stmt *s, void *arg)
{
	struct event_walk *w = arg;
	struct ht_store_event e = {
		sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
		(const char *)sqlite3_column_text(s, 2),
		(const char *)sqlite3_column_text(s, 3),
	};

	return w->fn(w->ctx, &e);
}

int ht_store_events(struct ht_store *st, int64_t host_id, int64_t since_ms, int64_t until_ms,
		    int (*fn)(void *ctx, const struct ht_store_event *e), void *ctx)
{
	struct event_walk w = { fn, ctx };

	return range_query(st, "SELECT host_id, t_ms, kind, coalesce(text, '') FROM events"
			   " WHERE (?1 = 0 OR host_id = ?1) AND t_ms >= ?2 AND t_ms <= ?3"
			   " ORDER BY t_ms, rowid", "events", host_id, since_ms, until_ms, event_row, &w);
}

int ht_store_sample_times(struct ht_store *st, int64_t since_ms, int64_t until_ms,
			  int64_t **out, size_t *n)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc, err = store_prepare(st, "SELECT t_ms FROM proc_samples WHERE t_ms BETWEEN ?1 AND ?2"
				    " UNION SELECT t_ms FROM proc_buckets WHERE t_ms BETWEEN ?1 AND ?2"
				    " UNION SELECT t_ms FROM sys_samples WHERE t_ms BETWEEN ?1 AND ?2"
				    " ORDER BY 1", &s);

	*out = NULL;
	*n = 0;
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, until_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (ht_grow(*out, cap, *n + 1)) {
			err = -ENOMEM;
			break;
		}
		(*out)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	store_release(st, s);
	if (!err && rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, "sample times");
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}
