/* The history store's rollup: raw samples into buckets of the first span,
 * those into buckets of the second (time-weighted min/avg/max/last), then
 * retention by age and by size. See ht_store.h and docs/schema.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_store_int.h"

struct acc {
	int64_t cover[2];
	double sum[2], min[2], max[2], last[2];
	int any[2];
};

static void acc_add(struct acc *a, int k, double mn, double avg, double mx, int64_t w)
{
	if (isnan(avg))
		return;
	if (!a->any[k] || mn < a->min[k]) a->min[k] = mn;
	if (!a->any[k] || mx > a->max[k]) a->max[k] = mx;
	a->any[k] = 1;
	a->sum[k] += avg * (double)w;
	a->cover[k] += w;
}

/* Rolls rows of one entity into buckets of span S: a bucket for every S
 * window that holds a row start; values held from the previous row count
 * time-weighted until the next row, the window's end, or end_ms. */
static int rollup_rows(const struct rows *rs, const struct row *prev, int nv,
		       int64_t S, int64_t end_ms, struct rows *out)
{
	size_t i = 0;
	double held[2];
	int have_held = prev != NULL;

	if (prev)
		for (int k = 0; k < nv; k++)
			held[k] = prev->last[k];
	while (i < rs->n) {
		int64_t B = rs->r[i].t - ((rs->r[i].t % S) + S) % S, E = B + S;
		int64_t lim = end_ms >= 0 && end_ms < E ? end_ms : E;
		int64_t pos = B;
		struct acc a;
		struct row *o;
		int64_t cover = 0;

		memset(&a, 0, sizeof(a));
		for (; i < rs->n && rs->r[i].t < E; i++) {
			const struct row *r = &rs->r[i];
			int64_t hold_to = r->t < lim ? r->t : lim;
			if (have_held && hold_to > pos) {
				for (int k = 0; k < nv; k++)
					acc_add(&a, k, held[k], held[k], held[k], hold_to - pos);
				cover += hold_to - pos;
			}
			if (r->span > 0) {
				for (int k = 0; k < nv; k++)
					acc_add(&a, k, r->min[k], r->avg[k], r->max[k], r->cover);
				cover += r->cover;
			} else {
				for (int k = 0; k < nv; k++)
					acc_add(&a, k, r->min[k], r->avg[k], r->max[k], 0);
			}
			for (int k = 0; k < nv; k++)
				held[k] = r->last[k];
			have_held = 1;
			pos = r->t + r->span;
		}
		if (pos < lim) {
			for (int k = 0; k < nv; k++)
				acc_add(&a, k, held[k], held[k], held[k], lim - pos);
			cover += lim - pos;
		}
		o = store_rows_add(out);
		if (!o)
			return -ENOMEM;
		o->t = B;
		o->span = S;
		o->cover = cover;
		for (int k = 0; k < nv; k++) {
			if (!a.any[k]) {
				o->min[k] = o->avg[k] = o->max[k] = NAN;
			} else {
				o->min[k] = a.min[k];
				o->max[k] = a.max[k];
				o->avg[k] = a.cover[k] > 0 ? a.sum[k] / (double)a.cover[k] : held[k];
			}
			o->last[k] = held[k];
		}
	}
	return 0;
}

static void bind_d(sqlite3_stmt *s, int i, double v, int integer)
{
	if (isnan(v))
		sqlite3_bind_null(s, i);
	else if (integer)
		sqlite3_bind_int64(s, i, (int64_t)llround(v));
	else
		sqlite3_bind_double(s, i, v);
}

/* Downsamples one table pair for one step. */
static int rollup_step(struct ht_store *st, const struct tabledef *td, int64_t src_span,
		       int64_t S, int64_t cutoff, int64_t since, struct ht_store_maint *m)
{
	char sql[600];
	sqlite3_stmt *ids = NULL, *del = NULL, *ins = NULL;
	struct rows rs = { 0 }, out = { 0 };
	int rc, err;

	/* processes that ended before the previous cutoff have nothing left
	 * to downsample */
	if (td == &T_PROC)
		snprintf(sql, sizeof(sql), "SELECT id, coalesce(end_ms, -1) FROM procs WHERE"
			 " first_ms < ?1 AND (end_ms IS NULL OR end_ms >= ?2)");
	else
		snprintf(sql, sizeof(sql), "SELECT id, -1 FROM series WHERE ?1 = ?1 AND ?2 = ?2");
	if ((err = store_prepare(st, sql, &ids)))
		goto cleanup;
	sqlite3_bind_int64(ids, 1, cutoff);
	sqlite3_bind_int64(ids, 2, since);
	if (src_span > 0)
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ? AND t_ms < ? AND span_ms = %lld",
			 td->buckets, td->idcol, (long long)src_span);
	else
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ? AND t_ms < ?",
			 td->samples, td->idcol);
	if ((err = store_prepare(st, sql, &del)))
		goto cleanup;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO %s(%s, t_ms, span_ms, cover_ms, %s)"
		 " VALUES (?,?,?,?,?,?,?,?%s)", td->buckets, td->idcol, td->bcols,
		 td->nv == 2 ? ",?,?,?,?" : "");
	if ((err = store_prepare(st, sql, &ins)))
		goto cleanup;
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(ids, 0), end = sqlite3_column_int64(ids, 1);
		struct row prev;
		int have_prev;

		rs.n = out.n = 0;
		if ((err = store_load_rows(st, td, id, INT64_MIN, cutoff, src_span > 0 ? src_span : -1, &rs)))
			goto cleanup;
		if (!rs.n)
			continue;
		have_prev = store_row_before(st, td, id, rs.r[0].t, &prev) == 0;
		if ((err = rollup_rows(&rs, have_prev ? &prev : NULL, td->nv, S, end, &out)))
			goto cleanup;
		sqlite3_bind_int64(del, 1, id);
		sqlite3_bind_int64(del, 2, cutoff);
		rc = sqlite3_step(del);
		sqlite3_reset(del);
		if (rc != SQLITE_DONE) {
			err = store_sql_fail(st, rc, "downsample");
			goto cleanup;
		}
		for (size_t i = 0; i < out.n; i++) {
			const struct row *o = &out.r[i];
			int c = 5;
			sqlite3_bind_int64(ins, 1, id);
			sqlite3_bind_int64(ins, 2, o->t);
			sqlite3_bind_int64(ins, 3, o->span);
			sqlite3_bind_int64(ins, 4, o->cover);
			for (int k = 0; k < td->nv; k++) {
				bind_d(ins, c++, o->min[k], td->nv == 2);
				bind_d(ins, c++, o->avg[k], td->nv == 2);
				bind_d(ins, c++, o->max[k], td->nv == 2);
				bind_d(ins, c++, o->last[k], td->nv == 2);
			}
			rc = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (rc != SQLITE_DONE) {
				err = store_sql_fail(st, rc, "downsample");
				goto cleanup;
			}
		}
		if (m) {
			m->rows_downsampled += rs.n;
			m->buckets_written += out.n;
		}
	}
	if (rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, "downsample");
cleanup:
	store_release(st, ids);
	store_release(st, del);
	store_release(st, ins);
	free(rs.r);
	free(out.r);
	return err;
}

static int64_t floor_to(int64_t t, int64_t S)
{
	return t - ((t % S) + S) % S;
}

static int used_bytes(struct ht_store *st, int64_t *bytes)
{
	int64_t pages, freel, psize;
	int err;

	if ((err = store_query_int(st, "PRAGMA page_count", &pages)) ||
	    (err = store_query_int(st, "PRAGMA freelist_count", &freel)) ||
	    (err = store_query_int(st, "PRAGMA page_size", &psize)))
		return err;
	*bytes = (pages - freel) * psize;
	return 0;
}

static int expire_before(struct ht_store *st, int64_t cutoff, struct ht_store_maint *m)
{
	static const char *const del[] = {
		"DELETE FROM proc_samples WHERE t_ms < %lld",
		"DELETE FROM proc_buckets WHERE t_ms < %lld",
		"DELETE FROM sys_samples WHERE t_ms < %lld",
		"DELETE FROM sys_buckets WHERE t_ms < %lld",
		"DELETE FROM proc_probes WHERE t_ms < %lld",
		"DELETE FROM procs WHERE end_ms IS NOT NULL AND end_ms < %lld",
		"DELETE FROM events WHERE t_ms < %lld",
		"DELETE FROM gaps WHERE end_ms < %lld",
		"DELETE FROM sessions WHERE end_ms IS NOT NULL AND end_ms < %lld",
	};
	char sql[200];
	int err;

	for (size_t i = 0; i < sizeof(del) / sizeof(del[0]); i++) {
		snprintf(sql, sizeof(sql), del[i], (long long)cutoff);
		if ((err = store_exec(st, sql)))
			return err;
		if (m && i < 5)
			m->rows_expired += (uint64_t)sqlite3_changes(st->db);
	}
	return 0;
}

int ht_store_maintain(struct ht_store *st, int64_t now_ms, struct ht_store_maint *m)
{
	const struct tabledef *tds[2] = { &T_PROC, &T_SYS };
	int64_t b1 = st->o.bucket1_ms, b2 = st->o.bucket2_ms;
	int err;

	if (st->o.flags & HT_STORE_READONLY)
		return store_set_err(st, -EROFS, "%s is open read-only", st->path);
	if (!st->db)
		return store_set_err(st, -ENODEV, "no database open (%s)", st->path);
	if (m)
		memset(m, 0, sizeof(*m));
	if ((err = store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	int64_t cut[2] = { floor_to(now_ms - st->o.raw_keep_ms, b1),
			   floor_to(now_ms - st->o.bucket1_keep_ms, b2) };
	int64_t since[2] = {
		st->rolled_to[0] > INT64_MIN + b2 ? st->rolled_to[0] - b2 : INT64_MIN,
		st->rolled_to[1] > INT64_MIN + b2 ? st->rolled_to[1] - b2 : INT64_MIN,
	};

	for (int i = 0; i < 2; i++) {
		if (st->o.raw_keep_ms >= 0 &&
		    (err = rollup_step(st, tds[i], 0, b1, cut[0], since[0], m)))
			goto fail;
		if (st->o.bucket1_keep_ms >= 0 &&
		    (err = rollup_step(st, tds[i], b1, b2, cut[1], since[1], m)))
			goto fail;
	}
	if (st->o.max_age_ms > 0 && (err = expire_before(st, now_ms - st->o.max_age_ms, m)))
		goto fail;
	if (st->o.max_bytes > 0) {
		int64_t used, oldest, newest;
		for (int round = 0; round < 64; round++) {
			if ((err = used_bytes(st, &used)))
				goto fail;
			if (used <= st->o.max_bytes)
				break;
			if (store_query_int(st, "SELECT min(t) FROM (SELECT min(t_ms) t FROM proc_samples UNION ALL"
				      " SELECT min(t_ms) FROM proc_buckets UNION ALL SELECT min(t_ms)"
				      " FROM sys_samples UNION ALL SELECT min(t_ms) FROM sys_buckets"
				      " UNION ALL SELECT min(t_ms) FROM proc_probes)", &oldest) ||
			    store_query_int(st, "SELECT max(t) FROM (SELECT max(t_ms) t FROM proc_samples UNION ALL"
				      " SELECT max(t_ms) FROM sys_samples)", &newest))
				break;
			if (newest - oldest < 60000)
				break;	/* never delete the last minute */
			int64_t step = (newest - oldest) / 16;
			if ((err = expire_before(st, oldest + (step > 60000 ? step : 60000), m)))
				goto fail;
		}
		if ((err = store_exec(st, "PRAGMA incremental_vacuum")))
			goto fail;
	}
	if ((err = store_exec(st, "COMMIT")))
		goto fail;
	if (st->o.raw_keep_ms >= 0)
		st->rolled_to[0] = cut[0];
	if (st->o.bucket1_keep_ms >= 0)
		st->rolled_to[1] = cut[1];
	if (m)
		used_bytes(st, &m->db_bytes);
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}
