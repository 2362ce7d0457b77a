/* The history store's write path: puts queue operations in memory (only
 * changed values: change-only rows), ht_store_flush() writes them in one
 * transaction; a failed flush keeps the queue for the next one. Sessions
 * begin and end here. See ht_store.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ht_buf.h"
#include "ht_store_int.h"

static const char *const stmt_sql[ST_COUNT] = {
	[ST_INS_PROC] = "INSERT INTO procs(id, host_id, boot, pid, start_time, comm, cmdline,"
		" first_ms) VALUES (?,?,?,?,?,?,?,?)",
	[ST_REVIVE_PROC] = "UPDATE procs SET end_ms = NULL WHERE id = ?",
	[ST_INS_PSAMPLE] = "INSERT OR REPLACE INTO proc_samples(proc_id, t_ms, rss, anon)"
		" VALUES (?,?,?,?)",
	[ST_END_PROC] = "UPDATE procs SET end_ms = ? WHERE id = ?",
	[ST_INS_SERIES] = "INSERT INTO series(id, host_id, name, labels, unit) VALUES (?,?,?,?,?)",
	[ST_INS_SSAMPLE] = "INSERT OR REPLACE INTO sys_samples(series_id, t_ms, v) VALUES (?,?,?)",
	[ST_INS_EVENT] = "INSERT INTO events(host_id, t_ms, kind, text) VALUES (?,?,?,?)",
	[ST_END_SESSION] = "UPDATE sessions SET end_ms = ?, end_reason = ? WHERE id = ?",
	[ST_LAST_SESSION] = "UPDATE sessions SET last_ms = ? WHERE id = ?",
	[ST_FIND_PROC] = "SELECT id FROM procs WHERE host_id = ? AND boot = ? AND pid = ?"
		" AND start_time = ?",
	[ST_INS_PPROBE] = "INSERT OR REPLACE INTO proc_probes(proc_id, name, t_ms, value)"
		" VALUES (?,?,?,?)",
	[ST_RENAME_PROC] = "UPDATE procs SET comm = ?, cmdline = ? WHERE id = ?",
	[ST_INS_GAP] = "INSERT INTO gaps(host_id, start_ms, end_ms, reason) VALUES (?,?,?,?)",
};

#define DROPPED_REASON \
	"samples dropped: the memory queue was full while the database could not be written"

int store_write_prepare(struct ht_store *st)
{
	int rc;

	for (int i = 0; i < ST_COUNT; i++)
		if ((rc = sqlite3_prepare_v2(st->db, stmt_sql[i], -1, &st->stmt[i], NULL)) != SQLITE_OK)
			return store_sql_fail(st, rc, "prepare");
	return 0;
}

static void bind_nullable(sqlite3_stmt *s, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

static void free_op(struct op *op)
{
	free(op->s1);
	free(op->s2);
	free(op->s3);
}

void store_forget_file(struct ht_store *st)
{
	for (size_t i = 0; i < st->series_cap; i++)
		free(st->series[i].key);
	free(st->series);
	free(st->procs);
	st->series = NULL;
	st->procs = NULL;
	st->series_cap = st->series_used = 0;
	st->proc_cap = st->proc_used = st->proc_dead = 0;
	st->gen++;
}

void store_queue_free(struct ht_store *st)
{
	for (size_t i = 0; i < st->nops; i++)
		free_op(&st->ops[i]);
	free(st->ops);
	store_forget_file(st);
	free(st->want.kind);
	free(st->want.gap_reason);
}

/* Puts need the open file's ids. */
static int need_file(struct ht_store *st)
{
	return st->db ? 0 : store_set_err(st, -ENODEV, "no database open (%s)", st->path);
}

/* ---- the queue ---- */

static int is_sample(enum op_kind k)
{
	return k == OP_PROC_SAMPLE || k == OP_SYS_SAMPLE || k == OP_PROC_PROBE;
}

static struct op *push_op(struct ht_store *st, enum op_kind kind)
{
	struct op *op;

	if (st->nops >= st->o.max_pending && is_sample(kind)) {
		st->dropped++;
		return NULL;
	}
	if (ht_grow(st->ops, st->capops, st->nops + 1))
		return NULL;
	op = &st->ops[st->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

/* A sample dropped at t: the queued gap op covers it. */
static void note_drop(struct ht_store *st, int64_t t)
{
	struct op *op;

	if (st->gap_op && st->gap_op <= st->nops && st->ops[st->gap_op - 1].kind == OP_GAP &&
	    !st->ops[st->gap_op - 1].s1) {
		op = &st->ops[st->gap_op - 1];
		if (t < op->t)
			op->t = t;
		if (t > op->a)
			op->a = t;
		return;
	}
	op = push_op(st, OP_GAP);
	if (!op)
		return;
	op->t = op->a = t;
	st->gap_op = st->nops;
}

size_t ht_store_pending(const struct ht_store *st)
{
	return st->nops;
}

uint64_t ht_store_dropped(const struct ht_store *st)
{
	return st->dropped;
}

/* ---- processes: open addressing on pid ---- */

static size_t pid_slot(size_t cap, pid_t pid)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

static int procs_grow(struct ht_store *st)
{
	size_t cap = st->proc_cap ? st->proc_cap : 1024;
	struct proc_ent *old = st->procs, *n;
	size_t oldcap = st->proc_cap;

	while (st->proc_used - st->proc_dead + 1 > cap / 2)
		cap *= 2;
	n = calloc(cap, sizeof(*n));
	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].pid || old[i].dead)
			continue;
		size_t j = pid_slot(cap, old[i].pid);
		while (n[j].pid)
			j = (j + 1) & (cap - 1);
		n[j] = old[i];
	}
	free(old);
	st->procs = n;
	st->proc_cap = cap;
	st->proc_used -= st->proc_dead;
	st->proc_dead = 0;
	return 0;
}

static struct proc_ent *proc_find(struct ht_store *st, pid_t pid)
{
	if (!st->proc_cap)
		return NULL;
	for (size_t j = pid_slot(st->proc_cap, pid);; j = (j + 1) & (st->proc_cap - 1)) {
		struct proc_ent *e = &st->procs[j];
		if (!e->pid)
			return NULL;
		if (!e->dead && e->pid == pid)
			return e;
	}
}

static struct proc_ent *proc_insert(struct ht_store *st, pid_t pid)
{
	size_t j;

	if ((st->proc_used + 1) * 4 > st->proc_cap * 3 && procs_grow(st))
		return NULL;
	j = pid_slot(st->proc_cap, pid);
	while (st->procs[j].pid)
		j = (j + 1) & (st->proc_cap - 1);
	st->proc_used++;
	memset(&st->procs[j], 0, sizeof(st->procs[j]));
	st->procs[j].pid = pid;
	return &st->procs[j];
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* FNV-1a of comm '\0' cmdline: a change means the process exec'd (or set
 * its name) since its names were stored. Never 0. */
static uint64_t name_hash(const char *comm, const char *cmdline)
{
	uint64_t h = 1469598103934665603ULL;
	const char *parts[2] = { comm ? comm : "", cmdline ? cmdline : "" };

	for (int k = 0; k < 2; k++) {
		for (const unsigned char *c = (const unsigned char *)parts[k]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return h ? h : 1;
}

int ht_store_proc_known(struct ht_store *st, pid_t pid, int64_t start_time)
{
	const struct proc_ent *e = proc_find(st, pid);

	return e && e->start_time == start_time;
}

int ht_store_put_proc(struct ht_store *st, int64_t t_ms, const struct ht_store_proc_in *p)
{
	struct proc_ent *e = proc_find(st, p->pid);
	struct op *op;

	if (need_file(st))
		return -ENODEV;

	if (e && e->start_time != p->start_time) {
		/* the pid was reused: the old process is gone */
		op = push_op(st, OP_PROC_END);
		if (!op)
			return -ENOMEM;
		op->id = e->id;
		op->t = e->last_t;
		e->dead = 1;
		st->proc_dead++;
		e = NULL;
	}
	if (!e) {
		int64_t id = 0;
		sqlite3_stmt *s = st->stmt[ST_FIND_PROC];
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, st->host_id);
		sqlite3_bind_int64(s, 2, st->boot);
		sqlite3_bind_int64(s, 3, p->pid);
		sqlite3_bind_int64(s, 4, p->start_time);
		if (sqlite3_step(s) == SQLITE_ROW)
			id = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		op = push_op(st, id ? OP_PROC_REVIVE : OP_PROC_NEW);
		if (!op)
			return -ENOMEM;
		if (!id) {
			id = st->next_proc_id++;
			op->s1 = dup_or_empty(p->comm);
			op->s2 = dup_or_empty(p->cmdline);
			op->a = p->pid;
			op->b = p->start_time;
			op->t = t_ms;
		}
		op->id = id;
		e = proc_insert(st, p->pid);
		if (!e)
			return -ENOMEM;
		e->start_time = p->start_time;
		e->id = id;
		e->rss = e->anon = -2;	/* never equal: the first sample is stored */
		if (!id && p->cmdline)
			e->name_hash = name_hash(p->comm, p->cmdline);
	} else if (p->cmdline && e->name_hash != name_hash(p->comm, p->cmdline)) {
		/* names follow exec: a process first stored between fork
		 * and exec keeps its parent's names no longer */
		op = push_op(st, OP_PROC_RENAME);
		if (!op)
			return -ENOMEM;
		op->id = e->id;
		op->s1 = dup_or_empty(p->comm);
		op->s2 = dup_or_empty(p->cmdline);
		e->name_hash = name_hash(p->comm, p->cmdline);
	}
	e->gen = st->gen;
	e->last_t = t_ms;
	if (e->rss == p->rss && e->anon == p->anon)
		return 0;
	op = push_op(st, OP_PROC_SAMPLE);
	if (!op && st->nops >= st->o.max_pending) {
		note_drop(st, t_ms);
		return 0;
	}
	if (!op)
		return -ENOMEM;
	op->id = e->id;
	op->t = t_ms;
	op->a = p->rss;
	op->b = p->anon;
	e->rss = p->rss;
	e->anon = p->anon;
	return 0;
}

int ht_store_put_proc_probe(struct ht_store *st, int64_t t_ms, pid_t pid,
			    const char *name, int64_t value)
{
	struct proc_ent *e = proc_find(st, pid);
	struct op *op;

	if (!e)
		return -ENOENT;
	op = push_op(st, OP_PROC_PROBE);
	if (!op && st->nops >= st->o.max_pending) {
		note_drop(st, t_ms);
		return 0;
	}
	if (!op)
		return -ENOMEM;
	op->id = e->id;
	op->t = t_ms;
	op->a = value;
	op->s1 = strdup(name);
	return op->s1 ? 0 : -ENOMEM;
}

/* ---- system series ---- */

/* FNV-1a over a key's bytes: name '\0' labels. */
static uint64_t hash_more(uint64_t h, const char *k, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h;
}

static uint64_t key_hash(const char *k, size_t len)
{
	return hash_more(1469598103934665603ull, k, len);
}

static int series_grow(struct ht_store *st)
{
	size_t cap = st->series_cap ? st->series_cap * 2 : 256;
	struct series_ent *n = calloc(cap, sizeof(*n));

	if (!n)
		return -ENOMEM;
	for (size_t i = 0; i < st->series_cap; i++) {
		struct series_ent *o = &st->series[i];
		if (!o->key)
			continue;
		size_t len = strlen(o->key) + 1;
		len += strlen(o->key + len);
		size_t j = key_hash(o->key, len) & (cap - 1);
		while (n[j].key)
			j = (j + 1) & (cap - 1);
		n[j] = *o;
	}
	free(st->series);
	st->series = n;
	st->series_cap = cap;
	return 0;
}

int ht_store_put_sys(struct ht_store *st, int64_t t_ms, const char *name,
		     const char *labels, const char *unit, double v)
{
	size_t nl, ll, len, j;
	struct series_ent *e;
	struct op *op;
	int err;

	if (isnan(v))
		return 0;
	if (need_file(st))
		return -ENODEV;
	labels = labels ? labels : "";
	nl = strlen(name);
	ll = strlen(labels);
	len = nl + 1 + ll;
	if ((st->series_used + 1) * 2 > st->series_cap && series_grow(st))
		return -ENOMEM;
	for (j = hash_more(key_hash(name, nl + 1), labels, ll) & (st->series_cap - 1);;
	     j = (j + 1) & (st->series_cap - 1)) {
		e = &st->series[j];
		if (!e->key || (!strcmp(e->key, name) && !strcmp(e->key + strlen(e->key) + 1, labels)))
			break;
	}
	if (!e->key) {
		int64_t id = 0;
		err = ht_store_series_find(st, st->host_id, name, labels, &id);
		if (err && err != -ENOENT)
			return err;
		if (err) {
			id = st->next_series_id++;
			op = push_op(st, OP_SERIES_NEW);
			if (!op)
				return -ENOMEM;
			op->id = id;
			op->s1 = strdup(name);
			op->s2 = strdup(labels);
			op->s3 = dup_or_empty(unit);
		}
		e->key = malloc(len + 1);
		if (!e->key)
			return -ENOMEM;
		memcpy(e->key, name, nl + 1);
		memcpy(e->key + nl + 1, labels, ll + 1);
		e->id = id;
		st->series_used++;
	}
	if (e->has_last && e->last == v)
		return 0;
	op = push_op(st, OP_SYS_SAMPLE);
	if (!op && st->nops >= st->o.max_pending) {
		note_drop(st, t_ms);
		return 0;
	}
	if (!op)
		return -ENOMEM;
	op->id = e->id;
	op->t = t_ms;
	op->v = v;
	e->last = v;
	e->has_last = 1;
	return 0;
}

int ht_store_put_event(struct ht_store *st, int64_t t_ms, const char *kind, const char *text)
{
	struct op *op = push_op(st, OP_EVENT);

	if (!op)
		return -ENOMEM;
	op->t = t_ms;
	op->s1 = dup_or_empty(kind);
	op->s2 = dup_or_empty(text);
	return 0;
}

int ht_store_put_gap(struct ht_store *st, int64_t start_ms, int64_t end_ms, const char *reason)
{
	struct op *op;

	if (end_ms <= start_ms)
		return -EINVAL;
	op = push_op(st, OP_GAP);
	if (!op)
		return -ENOMEM;
	op->t = start_ms;
	op->a = end_ms;
	op->s1 = dup_or_empty(reason);
	return op->s1 ? 0 : -ENOMEM;
}

/* ---- sessions ---- */

int ht_store_session_begin(struct ht_store *st, int64_t now_ms, int64_t interval_ms,
			   const char *kind, const char *gap_reason)
{
	struct store_session_want *w = &st->want;
	char *k, *g;

	if (st->o.flags & HT_STORE_READONLY)
		return store_set_err(st, -EROFS, "%s is open read-only", st->path);
	k = strdup(kind ? kind : "record");
	g = strdup(gap_reason ? gap_reason : "not recording");
	if (!k || !g) {
		free(k);
		free(g);
		return -ENOMEM;
	}
	free(w->kind);
	free(w->gap_reason);
	*w = (struct store_session_want){ 1, now_ms, interval_ms, k, g };
	return store_session_start(st);
}

int store_session_start(struct ht_store *st)
{
	const struct store_session_want *w = &st->want;
	sqlite3_stmt *s = NULL;
	int64_t prev_last = -1, now_ms = w->start_ms;
	int rc, err, had_session;
	char sql[512];

	if (need_file(st))
		return -ENODEV;
	if ((err = store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	snprintf(sql, sizeof(sql), "SELECT max(coalesce(last_ms, start_ms)) FROM sessions"
		 " WHERE host_id = %lld", (long long)st->host_id);
	if ((err = store_prepare(st, sql, &s)))
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		prev_last = sqlite3_column_int64(s, 0);
	store_release(st, s);
	s = NULL;
	if (prev_last >= 0) {
		if ((err = store_prepare(st, "INSERT INTO gaps(host_id, start_ms, end_ms, reason)"
				   " VALUES (?,?,?,?)", &s)))
			goto fail;
		sqlite3_bind_int64(s, 1, st->host_id);
		sqlite3_bind_int64(s, 2, prev_last);
		sqlite3_bind_int64(s, 3, now_ms);
		sqlite3_bind_text(s, 4, w->gap_reason, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		store_release(st, s);
		s = NULL;
		if (rc != SQLITE_DONE) {
			err = store_sql_fail(st, rc, "gap");
			goto fail;
		}
		snprintf(sql, sizeof(sql), "UPDATE procs SET end_ms = %lld WHERE host_id = %lld"
			 " AND end_ms IS NULL", (long long)prev_last, (long long)st->host_id);
		if ((err = store_exec(st, sql)))
			goto fail;
		snprintf(sql, sizeof(sql), "UPDATE sessions SET end_ms = coalesce(last_ms, start_ms),"
			 " end_reason = 'killed (no clean stop)' WHERE host_id = %lld AND end_ms IS NULL",
			 (long long)st->host_id);
		if ((err = store_exec(st, sql)))
			goto fail;
	}
	if ((err = store_prepare(st, "INSERT INTO sessions(host_id, boot, kind, pid, interval_ms,"
			   " start_ms, last_ms) VALUES (?,?,?,?,?,?,NULL)", &s)))
		goto fail;
	sqlite3_bind_int64(s, 1, st->host_id);
	sqlite3_bind_int64(s, 2, st->boot);
	sqlite3_bind_text(s, 3, w->kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, getpid());
	sqlite3_bind_int64(s, 5, w->interval_ms);
	sqlite3_bind_int64(s, 6, now_ms);
	rc = sqlite3_step(s);
	store_release(st, s);
	if (rc != SQLITE_DONE) {
		err = store_sql_fail(st, rc, "session");
		goto fail;
	}
	if ((err = store_exec(st, "COMMIT")))
		goto fail;
	had_session = st->session != 0;
	st->session = sqlite3_last_insert_rowid(st->db);
	st->want.pending = 0;
	/* puts queued before the first session (its begin failed, say on a
	 * full disk) keep their change state; a later session stores every
	 * process and series afresh */
	if (!had_session)
		return 0;
	st->gen++;
	for (size_t i = 0; i < st->proc_cap; i++)
		st->procs[i].pid = 0;
	st->proc_used = st->proc_dead = 0;
	for (size_t i = 0; i < st->series_cap; i++)
		st->series[i].has_last = 0;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

int ht_store_session_end(struct ht_store *st, int64_t now_ms, const char *reason)
{
	struct op *op = push_op(st, OP_SESSION_END);

	if (!op)
		return -ENOMEM;
	op->t = now_ms;
	op->s1 = dup_or_empty(reason);
	/* every process still open ends with the session */
	st->gen++;
	return 0;
}

/* ---- flush ---- */

static int run_op(struct ht_store *st, const struct op *op)
{
	sqlite3_stmt *s;
	int rc;

	switch (op->kind) {
	case OP_PROC_NEW:
		s = st->stmt[ST_INS_PROC];
		sqlite3_bind_int64(s, 1, op->id);
		sqlite3_bind_int64(s, 2, st->host_id);
		sqlite3_bind_int64(s, 3, st->boot);
		sqlite3_bind_int64(s, 4, op->a);
		sqlite3_bind_int64(s, 5, op->b);
		sqlite3_bind_text(s, 6, op->s1, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, op->s2, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, op->t);
		break;
	case OP_PROC_REVIVE:
		s = st->stmt[ST_REVIVE_PROC];
		sqlite3_bind_int64(s, 1, op->id);
		break;
	case OP_PROC_RENAME:
		s = st->stmt[ST_RENAME_PROC];
		sqlite3_bind_text(s, 1, op->s1, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, op->s2, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, op->id);
		break;
	case OP_PROC_SAMPLE:
		s = st->stmt[ST_INS_PSAMPLE];
		sqlite3_bind_int64(s, 1, op->id);
		sqlite3_bind_int64(s, 2, op->t);
		bind_nullable(s, 3, op->a);
		bind_nullable(s, 4, op->b);
		break;
	case OP_PROC_END:
		s = st->stmt[ST_END_PROC];
		sqlite3_bind_int64(s, 1, op->t);
		sqlite3_bind_int64(s, 2, op->id);
		break;
	case OP_SERIES_NEW:
		s = st->stmt[ST_INS_SERIES];
		sqlite3_bind_int64(s, 1, op->id);
		sqlite3_bind_int64(s, 2, st->host_id);
		sqlite3_bind_text(s, 3, op->s1, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, op->s2, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, op->s3, -1, SQLITE_STATIC);
		break;
	case OP_SYS_SAMPLE:
		s = st->stmt[ST_INS_SSAMPLE];
		sqlite3_bind_int64(s, 1, op->id);
		sqlite3_bind_int64(s, 2, op->t);
		sqlite3_bind_double(s, 3, op->v);
		break;
	case OP_EVENT:
		s = st->stmt[ST_INS_EVENT];
		sqlite3_bind_int64(s, 1, st->host_id);
		sqlite3_bind_int64(s, 2, op->t);
		sqlite3_bind_text(s, 3, op->s1, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, op->s2, -1, SQLITE_STATIC);
		break;
	case OP_PROC_PROBE:
		s = st->stmt[ST_INS_PPROBE];
		sqlite3_bind_int64(s, 1, op->id);
		sqlite3_bind_text(s, 2, op->s1, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, op->t);
		sqlite3_bind_int64(s, 4, op->a);
		break;
	case OP_GAP:
		s = st->stmt[ST_INS_GAP];
		sqlite3_bind_int64(s, 1, st->host_id);
		sqlite3_bind_int64(s, 2, op->t);
		sqlite3_bind_int64(s, 3, op->a);
		sqlite3_bind_text(s, 4, op->s1 ? op->s1 : DROPPED_REASON, -1, SQLITE_STATIC);
		break;
	case OP_SESSION_END:
		s = st->stmt[ST_END_SESSION];
		sqlite3_bind_int64(s, 1, op->t);
		sqlite3_bind_text(s, 2, op->s1, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, st->session);
		break;
	default:
		return -EINVAL;
	}
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_sql_fail(st, rc, "insert");
	return 0;
}

/* Queues the end of every process not put since the previous flush. */
static void end_unseen(struct ht_store *st)
{
	for (size_t i = 0; i < st->proc_cap; i++) {
		struct proc_ent *e = &st->procs[i];
		struct op *op;
		if (!e->pid || e->dead || e->gen == st->gen)
			continue;
		op = push_op(st, OP_PROC_END);
		if (!op)
			return;
		op->id = e->id;
		op->t = e->last_t;
		e->dead = 1;
		st->proc_dead++;
	}
	if (st->proc_dead > st->proc_cap / 4)
		procs_grow(st);
}

int ht_store_flush(struct ht_store *st, int64_t t_ms)
{
	sqlite3_stmt *s;
	int err, rc;

	if (st->o.flags & HT_STORE_READONLY)
		return store_set_err(st, -EROFS, "%s is open read-only", st->path);
	if (need_file(st))
		return -ENODEV;
	/* the session first: until it is begun, puts only queue */
	if (st->want.pending && (err = store_session_start(st)))
		return err == -ENOSPC ? -ENOSPC : (err == -ENOMEM ? -ENOMEM : -EIO);
	end_unseen(st);
	st->gen++;
	if ((err = store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	for (size_t i = 0; i < st->nops; i++)
		if ((err = run_op(st, &st->ops[i])))
			goto fail;
	if (t_ms >= 0 && st->session) {
		s = st->stmt[ST_LAST_SESSION];
		sqlite3_bind_int64(s, 1, t_ms);
		sqlite3_bind_int64(s, 2, st->session);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			err = store_sql_fail(st, rc, "session");
			goto fail;
		}
	}
	if ((err = store_exec(st, "COMMIT")))
		goto fail;
	for (size_t i = 0; i < st->nops; i++)
		free_op(&st->ops[i]);
	st->nops = 0;
	st->gap_op = 0;
	st->err[0] = '\0';
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return err == -ENOSPC ? -ENOSPC : (err == -ENOMEM ? -ENOMEM : -EIO);
}
