/* The history store: see ht_store.h and docs/schema.md. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "ht_path.h"
#include "ht_store.h"

#define DEF_RAW_KEEP_MS (86400LL * 1000)
#define DEF_BUCKET1_MS 60000LL
#define DEF_BUCKET1_KEEP_MS (7 * 86400LL * 1000)
#define DEF_BUCKET2_MS 600000LL
#define DEF_MAX_PENDING 2000000
#define STMT_CACHE 64

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS hosts(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"CREATE TABLE IF NOT EXISTS boots(id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL,"
	" boot_id TEXT NOT NULL, UNIQUE(host_id, boot_id));"
	"CREATE TABLE IF NOT EXISTS sessions(id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL,"
	" boot INTEGER, kind TEXT NOT NULL, pid INTEGER, interval_ms INTEGER,"
	" start_ms INTEGER NOT NULL, last_ms INTEGER, end_ms INTEGER, end_reason TEXT);"
	"CREATE TABLE IF NOT EXISTS gaps(host_id INTEGER NOT NULL, start_ms INTEGER NOT NULL,"
	" end_ms INTEGER NOT NULL, reason TEXT);"
	"CREATE TABLE IF NOT EXISTS events(host_id INTEGER NOT NULL, t_ms INTEGER NOT NULL,"
	" kind TEXT NOT NULL, text TEXT);"
	"CREATE TABLE IF NOT EXISTS procs(id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL,"
	" boot INTEGER NOT NULL, pid INTEGER NOT NULL, start_time INTEGER NOT NULL,"
	" comm TEXT, cmdline TEXT, first_ms INTEGER NOT NULL, end_ms INTEGER);"
	"CREATE UNIQUE INDEX IF NOT EXISTS procs_identity ON procs(host_id, boot, pid, start_time);"
	"CREATE INDEX IF NOT EXISTS procs_comm ON procs(comm);"
	"CREATE TABLE IF NOT EXISTS proc_samples(proc_id INTEGER NOT NULL, t_ms INTEGER NOT NULL,"
	" rss INTEGER, anon INTEGER, PRIMARY KEY(proc_id, t_ms)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS proc_buckets(proc_id INTEGER NOT NULL, t_ms INTEGER NOT NULL,"
	" span_ms INTEGER NOT NULL, cover_ms INTEGER NOT NULL,"
	" rss_min INTEGER, rss_avg INTEGER, rss_max INTEGER, rss_last INTEGER,"
	" anon_min INTEGER, anon_avg INTEGER, anon_max INTEGER, anon_last INTEGER,"
	" PRIMARY KEY(proc_id, t_ms)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS proc_probes(proc_id INTEGER NOT NULL, name TEXT NOT NULL,"
	" t_ms INTEGER NOT NULL, value INTEGER, PRIMARY KEY(proc_id, name, t_ms)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, host_id INTEGER NOT NULL,"
	" name TEXT NOT NULL, labels TEXT NOT NULL, unit TEXT, UNIQUE(host_id, name, labels));"
	"CREATE TABLE IF NOT EXISTS sys_samples(series_id INTEGER NOT NULL, t_ms INTEGER NOT NULL,"
	" v REAL, PRIMARY KEY(series_id, t_ms)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS sys_buckets(series_id INTEGER NOT NULL, t_ms INTEGER NOT NULL,"
	" span_ms INTEGER NOT NULL, cover_ms INTEGER NOT NULL,"
	" v_min REAL, v_avg REAL, v_max REAL, v_last REAL,"
	" PRIMARY KEY(series_id, t_ms)) WITHOUT ROWID;";

enum op_kind {
	OP_PROC_NEW, OP_PROC_REVIVE, OP_PROC_SAMPLE, OP_PROC_END,
	OP_SERIES_NEW, OP_SYS_SAMPLE, OP_EVENT, OP_SESSION_END, OP_GAP, OP_PROC_PROBE,
};

struct op {
	enum op_kind kind;
	int64_t id, t, a, b, c;
	double v;
	char *s1, *s2, *s3;
};

struct proc_ent {
	pid_t pid;			/* 0: empty slot */
	int dead;			/* tombstone */
	int64_t start_time, id, rss, anon, last_t;
	uint64_t gen;
};

struct series_ent {
	char *key;			/* name '\0' labels; NULL empty */
	int64_t id;
	double last;
	int has_last;
};

enum {
	ST_INS_PROC, ST_REVIVE_PROC, ST_INS_PSAMPLE, ST_END_PROC, ST_INS_SERIES,
	ST_INS_SSAMPLE, ST_INS_EVENT, ST_END_SESSION, ST_LAST_SESSION,
	ST_FIND_PROC, ST_INS_GAP, ST_INS_PPROBE, ST_COUNT
};

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
	[ST_INS_GAP] = "INSERT INTO gaps(host_id, start_ms, end_ms, reason) VALUES (?,?,?,"
		"'samples dropped: the memory queue was full while the database could not be written')",
};

struct ht_store {
	struct ht_store_opts o;
	char *path, *host;
	char boot_id[64];
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
	int lock_fd;
	int64_t host_id, boot, session;
	int64_t next_proc_id, next_series_id;
	char err[512];
	struct { char *sql; sqlite3_stmt *stmt; } cache[STMT_CACHE];
	size_t ncache;
	int64_t rolled_to[2];		/* downsampled up to here (per step) */

	struct op *ops;
	size_t nops, capops;
	uint64_t dropped;
	size_t gap_op;			/* index + 1 of the queued gap op; 0 none */

	struct proc_ent *procs;
	size_t proc_cap, proc_used, proc_dead;
	uint64_t gen;

	struct series_ent *series;
	size_t series_cap, series_used;
};

static int set_err(struct ht_store *st, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_err(struct ht_store *st, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return err;
}

/* -errno for a SQLite result code. */
static int sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_FULL: return -ENOSPC;
	case SQLITE_BUSY: case SQLITE_LOCKED: return -EBUSY;
	case SQLITE_PERM: case SQLITE_READONLY: case SQLITE_AUTH: return -EACCES;
	case SQLITE_NOMEM: return -ENOMEM;
	case SQLITE_CANTOPEN: return -ENOENT;
	case SQLITE_NOTADB: case SQLITE_CORRUPT: return -EPROTO;
	default: return -EIO;
	}
}

/* As sql_errno(), and an I/O error whose cause was ENOSPC is a full disk. */
static int sql_errno_db(struct ht_store *st, int rc)
{
	if ((rc & 0xff) == SQLITE_IOERR && st->db && sqlite3_system_errno(st->db) == ENOSPC)
		return -ENOSPC;
	return sql_errno(rc);
}

static int sql_fail(struct ht_store *st, int rc, const char *what)
{
	int err = sql_errno_db(st, rc);

	if (err == -ENOSPC)
		return set_err(st, err, "cannot write %s: disk full (%s)", st->path, what);
	return set_err(st, err, "%s: %s: %s", st->path, what,
		       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

static int exec(struct ht_store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int err = sql_errno_db(st, rc);
		if (err == -ENOSPC)
			set_err(st, err, "cannot write %s: disk full", st->path);
		else
			set_err(st, err, "%s: %s", st->path, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return err;
	}
	return 0;
}

/* Statements are prepared once and kept (keyed by their SQL text); release()
 * resets one for the next use. */
static int prepare(struct ht_store *st, const char *sql, sqlite3_stmt **out)
{
	int rc;

	for (size_t i = 0; i < st->ncache; i++) {
		if (!strcmp(st->cache[i].sql, sql)) {
			*out = st->cache[i].stmt;
			return 0;
		}
	}
	rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(st, rc, "prepare");
	if (st->ncache < STMT_CACHE) {
		char *copy = strdup(sql);
		if (copy) {
			st->cache[st->ncache].sql = copy;
			st->cache[st->ncache++].stmt = *out;
		}
	}
	return 0;
}

static void release(struct ht_store *st, sqlite3_stmt *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < st->ncache; i++) {
		if (st->cache[i].stmt == s) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return;
		}
	}
	sqlite3_finalize(s);
}

/* Runs a one-row query with no parameters; *v = first column as integer. */
static int query_int(struct ht_store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc, err = prepare(st, sql, &s);

	if (err)
		return err;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		err = sql_fail(st, rc, sql);
	else
		err = -ENOENT;
	release(st, s);
	return err;
}

static void bind_nullable(sqlite3_stmt *s, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

void ht_store_opts_default(struct ht_store_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->raw_keep_ms = DEF_RAW_KEEP_MS;
	o->bucket1_ms = DEF_BUCKET1_MS;
	o->bucket1_keep_ms = DEF_BUCKET1_KEEP_MS;
	o->bucket2_ms = DEF_BUCKET2_MS;
	o->max_pending = DEF_MAX_PENDING;
}

static void read_boot_id(struct ht_store *st)
{
	char path[4096];
	long n;

	strcpy(st->boot_id, "unknown");
	if (ht_path(path, sizeof(path), st->o.root, "/proc/sys/kernel/random/boot_id"))
		return;
	n = ht_read_file(path, st->boot_id, sizeof(st->boot_id));
	if (n <= 0) {
		strcpy(st->boot_id, "unknown");
		return;
	}
	st->boot_id[strcspn(st->boot_id, "\n")] = '\0';
}

static int take_lock(struct ht_store *st)
{
	char lpath[4200], buf[32];
	int fd;

	snprintf(lpath, sizeof(lpath), "%s.lock", st->path);
	fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return set_err(st, -errno, "cannot open %s: %s", lpath, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t n;
		if (e != EWOULDBLOCK) {
			close(fd);
			return set_err(st, -e, "cannot lock %s: %s", lpath, strerror(e));
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		return set_err(st, -EBUSY,
			       "database %s is in use by another recorder (pid %s, lock %s)",
			       st->path, buf[0] ? buf : "unknown", lpath);
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, strlen(buf), 0) < 0) {
		/* the pid is only informative */
	}
	st->lock_fd = fd;
	return 0;
}

static void finalize_all(struct ht_store *st)
{
	for (int i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		st->stmt[i] = NULL;
	}
	for (size_t i = 0; i < st->ncache; i++) {
		sqlite3_finalize(st->cache[i].stmt);
		free(st->cache[i].sql);
	}
	st->ncache = 0;
}

static int id_for(struct ht_store *st, const char *ins, const char *sel,
		  const char *a, int64_t b, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int rc, err;

	for (int pass = 0; pass < 2; pass++) {
		err = prepare(st, pass ? ins : sel, &s);
		if (err)
			return err;
		if (b >= 0) {
			sqlite3_bind_int64(s, 1, b);
			sqlite3_bind_text(s, 2, a, -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_text(s, 1, a, -1, SQLITE_TRANSIENT);
		}
		rc = sqlite3_step(s);
		if (pass == 0 && rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(s, 0);
			release(st, s);
			return 0;
		}
		release(st, s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return sql_fail(st, rc, "identity");
		if (pass == 1) {
			*id = sqlite3_last_insert_rowid(st->db);
			return 0;
		}
	}
	return -EIO;
}

/* Opens the sqlite handle, creates the schema (writer), prepares. */
static int open_db(struct ht_store *st)
{
	int ro = st->o.flags & HT_STORE_READONLY;
	int rc, err;
	int64_t v;

	rc = sqlite3_open_v2(st->path, &st->db,
			     ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     NULL);
	if (rc != SQLITE_OK) {
		err = sql_errno(rc);
		if (ro && access(st->path, F_OK) < 0)
			err = -ENOENT;
		set_err(st, err, "cannot open %s: %s", st->path,
			st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		sqlite3_close(st->db);
		st->db = NULL;
		return err;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (!ro) {
		/* keep DB-wal and DB-shm when closing, so that a restart on a
		 * full disk needs no new file */
		int one = 1;
		sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	}
	if (ro) {
		err = query_int(st, "SELECT value FROM meta WHERE key = 'schema_version'", &v);
		if (err == -ENOENT || (err && strstr(st->err, "no such table")))
			return set_err(st, -EPROTO, "%s is not a healthtap database", st->path);
		if (err)
			return err;
		if (v > HT_STORE_SCHEMA_VERSION)
			return set_err(st, -EPROTO, "%s has schema version %lld, newer than this "
				       "healthtap (%d)", st->path, (long long)v,
				       HT_STORE_SCHEMA_VERSION);
		return 0;
	}
	/* auto_vacuum must precede the first table; WAL: a crash loses at most
	 * the open transaction, readers run beside the writer. */
	{
		/* set only when needed: the same setting again writes */
		sqlite3_stmt *q;
		int wal = 0;
		if (query_int(st, "PRAGMA page_count", &v) == 0 && v == 0 &&
		    (err = exec(st, "PRAGMA auto_vacuum = INCREMENTAL")))
			return err;
		if (!prepare(st, "PRAGMA journal_mode", &q)) {
			if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
				wal = !strcmp((const char *)sqlite3_column_text(q, 0), "wal");
			release(st, q);
		}
		if (!wal && (err = exec(st, "PRAGMA journal_mode = WAL")))
			return err;
	}
	if ((err = exec(st, "PRAGMA synchronous = NORMAL")) ||
	    (err = exec(st, "PRAGMA journal_size_limit = 4194304")))
		return err;
	/* a DB with the whole schema, this host and this boot needs no write
	 * to open (so it opens on a full disk) */
	if (query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		      " AND name = 'proc_probes'", &v) == 0 && v == 1 &&
	    query_int(st, "SELECT value FROM meta WHERE key = 'schema_version'", &v) == 0 &&
	    v == HT_STORE_SCHEMA_VERSION) {
		sqlite3_stmt *q;
		int found = 0;
		if (!prepare(st, "SELECT h.id, b.id FROM hosts h JOIN boots b ON b.host_id = h.id"
			     " WHERE h.name = ? AND b.boot_id = ?", &q)) {
			sqlite3_bind_text(q, 1, st->host, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(q, 2, st->boot_id, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(q) == SQLITE_ROW) {
				st->host_id = sqlite3_column_int64(q, 0);
				st->boot = sqlite3_column_int64(q, 1);
				found = 1;
			}
			release(st, q);
		}
		if (found)
			goto ready;
	}
	st->err[0] = '\0';
	if ((err = exec(st, "BEGIN IMMEDIATE")))
		return err;
	err = exec(st, schema_sql);
	if (!err) {
		rc = query_int(st, "SELECT value FROM meta WHERE key = 'schema_version'", &v);
		if (rc == -ENOENT) {
			char sql[200];
			snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('schema_version', '%d'),"
				 " ('created_by', 'healthtap')", HT_STORE_SCHEMA_VERSION);
			err = exec(st, sql);
		} else if (rc) {
			err = rc;
		} else if (v > HT_STORE_SCHEMA_VERSION) {
			err = set_err(st, -EPROTO, "%s has schema version %lld, newer than this "
				      "healthtap (%d)", st->path, (long long)v,
				      HT_STORE_SCHEMA_VERSION);
		}
	}
	if (!err)
		err = id_for(st, "INSERT INTO hosts(name) VALUES (?)",
			     "SELECT id FROM hosts WHERE name = ?", st->host, -1, &st->host_id);
	if (!err)
		err = id_for(st, "INSERT INTO boots(host_id, boot_id) VALUES (?, ?)",
			     "SELECT id FROM boots WHERE host_id = ? AND boot_id = ?",
			     st->boot_id, st->host_id, &st->boot);
	if (err) {
		exec(st, "ROLLBACK");
		return err;
	}
	if ((err = exec(st, "COMMIT")))
		return err;
ready:
	if (!query_int(st, "SELECT coalesce(max(id), 0) FROM procs", &v))
		st->next_proc_id = v + 1;
	if (!query_int(st, "SELECT coalesce(max(id), 0) FROM series", &v))
		st->next_series_id = v + 1;
	for (int i = 0; i < ST_COUNT; i++)
		if ((rc = sqlite3_prepare_v2(st->db, stmt_sql[i], -1, &st->stmt[i], NULL)) != SQLITE_OK)
			return sql_fail(st, rc, "prepare");
	return 0;
}

int ht_store_open(const struct ht_store_opts *o, struct ht_store **out,
		  char *errmsg, size_t errlen)
{
	struct ht_store *st;
	char hn[256];
	int err;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->o = *o;
	st->o.root = NULL;
	st->lock_fd = -1;
	st->rolled_to[0] = st->rolled_to[1] = INT64_MIN;
	if (!st->o.bucket1_ms) st->o.bucket1_ms = DEF_BUCKET1_MS;
	if (!st->o.bucket2_ms) st->o.bucket2_ms = DEF_BUCKET2_MS;
	if (!st->o.raw_keep_ms) st->o.raw_keep_ms = DEF_RAW_KEEP_MS;
	if (!st->o.bucket1_keep_ms) st->o.bucket1_keep_ms = DEF_BUCKET1_KEEP_MS;
	if (!st->o.max_pending) st->o.max_pending = DEF_MAX_PENDING;
	if (!o->host) {
		if (gethostname(hn, sizeof(hn)) < 0)
			strcpy(hn, "localhost");
		hn[sizeof(hn) - 1] = '\0';
	}
	st->path = strdup(o->path ? o->path : "");
	st->host = strdup(o->host ? o->host : hn);
	if (!st->path || !st->host) {
		err = -ENOMEM;
		goto fail;
	}
	if (st->o.bucket2_ms % st->o.bucket1_ms) {
		err = set_err(st, -EINVAL, "the second bucket span must be a multiple of the first");
		goto fail;
	}
	st->o.root = o->root;
	read_boot_id(st);
	st->o.root = NULL;
	if (!(o->flags & HT_STORE_READONLY) && (err = take_lock(st)))
		goto fail;
	if ((err = open_db(st)))
		goto fail;
	*out = st;
	return 0;
fail:
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s", st->err[0] ? st->err : strerror(-err));
	ht_store_close(st);
	return err;
}

static void free_op(struct op *op)
{
	free(op->s1);
	free(op->s2);
	free(op->s3);
}

void ht_store_close(struct ht_store *st)
{
	if (!st)
		return;
	if (st->db && !(st->o.flags & HT_STORE_READONLY) && st->nops)
		ht_store_flush(st, -1);
	finalize_all(st);
	if (st->db) {
		sqlite3_close(st->db);
	}
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	for (size_t i = 0; i < st->nops; i++)
		free_op(&st->ops[i]);
	free(st->ops);
	for (size_t i = 0; i < st->series_cap; i++)
		free(st->series[i].key);
	free(st->series);
	free(st->procs);
	free(st->path);
	free(st->host);
	free(st);
}

int ht_store_reopen(struct ht_store *st)
{
	finalize_all(st);
	sqlite3_close(st->db);
	st->db = NULL;
	return open_db(st);
}

const char *ht_store_error(const struct ht_store *st)
{
	return st->err;
}

sqlite3 *ht_store_db(struct ht_store *st)
{
	return st->db;
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
	if (st->nops == st->capops) {
		size_t cap = st->capops ? st->capops * 2 : 1024;
		struct op *n = realloc(st->ops, cap * sizeof(*n));
		if (!n)
			return NULL;
		st->ops = n;
		st->capops = cap;
	}
	op = &st->ops[st->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

/* A sample dropped at t: the queued gap op covers it. */
static void note_drop(struct ht_store *st, int64_t t)
{
	struct op *op;

	if (st->gap_op && st->gap_op <= st->nops && st->ops[st->gap_op - 1].kind == OP_GAP) {
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

int ht_store_put_proc(struct ht_store *st, int64_t t_ms, const struct ht_store_proc_in *p)
{
	struct proc_ent *e = proc_find(st, p->pid);
	struct op *op;

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

static uint64_t key_hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
	return h;
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
	char key[512];
	size_t nl, ll, len, j;
	struct series_ent *e;
	struct op *op;

	if (isnan(v))
		return 0;
	labels = labels ? labels : "";
	nl = strlen(name);
	ll = strlen(labels);
	if (nl + ll + 2 > sizeof(key))
		return -ENAMETOOLONG;
	memcpy(key, name, nl + 1);
	memcpy(key + nl + 1, labels, ll + 1);
	len = nl + 1 + ll;
	if ((st->series_used + 1) * 2 > st->series_cap && series_grow(st))
		return -ENOMEM;
	for (j = key_hash(key, len) & (st->series_cap - 1);; j = (j + 1) & (st->series_cap - 1)) {
		e = &st->series[j];
		if (!e->key || (!strcmp(e->key, name) && !strcmp(e->key + strlen(e->key) + 1, labels)))
			break;
	}
	if (!e->key) {
		int64_t id = 0;
		if (ht_store_series_find(st, st->host_id, name, labels, &id) != 0) {
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
		memcpy(e->key, key, len + 1);
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

/* ---- sessions ---- */

int ht_store_session_begin(struct ht_store *st, int64_t now_ms, int64_t interval_ms,
			   const char *kind, const char *gap_reason)
{
	sqlite3_stmt *s = NULL;
	int64_t prev_last = -1;
	int rc, err, had_session;
	char sql[512];

	if (st->o.flags & HT_STORE_READONLY)
		return set_err(st, -EROFS, "%s is open read-only", st->path);
	if ((err = exec(st, "BEGIN IMMEDIATE")))
		return err;
	snprintf(sql, sizeof(sql), "SELECT max(coalesce(last_ms, start_ms)) FROM sessions"
		 " WHERE host_id = %lld", (long long)st->host_id);
	if ((err = prepare(st, sql, &s)))
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		prev_last = sqlite3_column_int64(s, 0);
	release(st, s);
	s = NULL;
	if (prev_last >= 0) {
		if ((err = prepare(st, "INSERT INTO gaps(host_id, start_ms, end_ms, reason)"
				   " VALUES (?,?,?,?)", &s)))
			goto fail;
		sqlite3_bind_int64(s, 1, st->host_id);
		sqlite3_bind_int64(s, 2, prev_last);
		sqlite3_bind_int64(s, 3, now_ms);
		sqlite3_bind_text(s, 4, gap_reason ? gap_reason : "not recording", -1,
				  SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		release(st, s);
		s = NULL;
		if (rc != SQLITE_DONE) {
			err = sql_fail(st, rc, "gap");
			goto fail;
		}
		snprintf(sql, sizeof(sql), "UPDATE procs SET end_ms = %lld WHERE host_id = %lld"
			 " AND end_ms IS NULL", (long long)prev_last, (long long)st->host_id);
		if ((err = exec(st, sql)))
			goto fail;
		snprintf(sql, sizeof(sql), "UPDATE sessions SET end_ms = coalesce(last_ms, start_ms),"
			 " end_reason = 'killed (no clean stop)' WHERE host_id = %lld AND end_ms IS NULL",
			 (long long)st->host_id);
		if ((err = exec(st, sql)))
			goto fail;
	}
	if ((err = prepare(st, "INSERT INTO sessions(host_id, boot, kind, pid, interval_ms,"
			   " start_ms, last_ms) VALUES (?,?,?,?,?,?,NULL)", &s)))
		goto fail;
	sqlite3_bind_int64(s, 1, st->host_id);
	sqlite3_bind_int64(s, 2, st->boot);
	sqlite3_bind_text(s, 3, kind ? kind : "record", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, getpid());
	sqlite3_bind_int64(s, 5, interval_ms);
	sqlite3_bind_int64(s, 6, now_ms);
	rc = sqlite3_step(s);
	release(st, s);
	if (rc != SQLITE_DONE) {
		err = sql_fail(st, rc, "session");
		goto fail;
	}
	if ((err = exec(st, "COMMIT")))
		goto fail;
	had_session = st->session != 0;
	st->session = sqlite3_last_insert_rowid(st->db);
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
		return sql_fail(st, rc, "insert");
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
		return set_err(st, -EROFS, "%s is open read-only", st->path);
	end_unseen(st);
	st->gen++;
	if ((err = exec(st, "BEGIN IMMEDIATE")))
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
			err = sql_fail(st, rc, "session");
			goto fail;
		}
	}
	if ((err = exec(st, "COMMIT")))
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

/* ---- downsampling ---- */

/* One stored row, either tier: a sample (span 0) or a bucket. */
struct row {
	int64_t t, span, cover;
	double min[2], avg[2], max[2], last[2];
};

struct rows {
	struct row *r;
	size_t n, cap;
};

static struct row *rows_add(struct rows *rs)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 256;
		struct row *n = realloc(rs->r, cap * sizeof(*n));
		if (!n)
			return NULL;
		rs->r = n;
		rs->cap = cap;
	}
	return &rs->r[rs->n++];
}

static double col_d(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

struct tabledef {
	const char *samples, *buckets, *idcol;
	const char *scols;		/* sample value columns */
	const char *bcols;		/* bucket columns: min avg max last per value */
	int nv;
};

static const struct tabledef T_PROC = {
	"proc_samples", "proc_buckets", "proc_id", "rss, anon",
	"rss_min, rss_avg, rss_max, rss_last, anon_min, anon_avg, anon_max, anon_last", 2
};
static const struct tabledef T_SYS = {
	"sys_samples", "sys_buckets", "series_id", "v",
	"v_min, v_avg, v_max, v_last", 1
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* Loads the rows of id with lo <= t < hi from both tiers, in time order
 * (tiers never overlap in time). span_only > 0: buckets of that span only,
 * no samples; span_only < 0: samples only. */
static int load_rows(struct ht_store *st, const struct tabledef *td, int64_t id,
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
		if ((err = load_rows(st, td, id, lo, hi, INT64_MAX, rs)) ||
		    (err = load_rows(st, td, id, lo, hi, -1, rs)))
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
	if ((err = prepare(st, sql, &s)))
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, lo);
	sqlite3_bind_int64(s, 3, hi);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct row *r = rows_add(rs);
		if (!r) {
			release(st, s);
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
	release(st, s);
	if (rc != SQLITE_DONE)
		return sql_fail(st, rc, "read");
	return 0;
}

/* The row just before t (either tier), or -ENOENT. */
static int row_before(struct ht_store *st, const struct tabledef *td, int64_t id,
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
		if ((err = prepare(st, sql, &s)))
			return err;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, t);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
			*(pass ? &ts : &tb) = sqlite3_column_int64(s, 0);
		release(st, s);
	}
	if (tb == INT64_MIN && ts == INT64_MIN)
		return -ENOENT;
	if (ts > tb) {
		err = load_rows(st, td, id, ts, ts + 1, -1, &a);
		if (!err && a.n) { *out = a.r[0]; found = 1; }
	} else {
		err = load_rows(st, td, id, tb, tb + 1, 0, &b);
		if (!err && b.n) { *out = b.r[b.n - 1]; found = 1; }
	}
	free(a.r);
	free(b.r);
	return err ? err : (found ? 0 : -ENOENT);
}

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
		o = rows_add(out);
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
	if ((err = prepare(st, sql, &ids)))
		goto cleanup;
	sqlite3_bind_int64(ids, 1, cutoff);
	sqlite3_bind_int64(ids, 2, since);
	if (src_span > 0)
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ? AND t_ms < ? AND span_ms = %lld",
			 td->buckets, td->idcol, (long long)src_span);
	else
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE %s = ? AND t_ms < ?",
			 td->samples, td->idcol);
	if ((err = prepare(st, sql, &del)))
		goto cleanup;
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO %s(%s, t_ms, span_ms, cover_ms, %s)"
		 " VALUES (?,?,?,?,?,?,?,?%s)", td->buckets, td->idcol, td->bcols,
		 td->nv == 2 ? ",?,?,?,?" : "");
	if ((err = prepare(st, sql, &ins)))
		goto cleanup;
	while ((rc = sqlite3_step(ids)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(ids, 0), end = sqlite3_column_int64(ids, 1);
		struct row prev;
		int have_prev;

		rs.n = out.n = 0;
		if ((err = load_rows(st, td, id, INT64_MIN, cutoff, src_span > 0 ? src_span : -1, &rs)))
			goto cleanup;
		if (!rs.n)
			continue;
		have_prev = row_before(st, td, id, rs.r[0].t, &prev) == 0;
		if ((err = rollup_rows(&rs, have_prev ? &prev : NULL, td->nv, S, end, &out)))
			goto cleanup;
		sqlite3_bind_int64(del, 1, id);
		sqlite3_bind_int64(del, 2, cutoff);
		rc = sqlite3_step(del);
		sqlite3_reset(del);
		if (rc != SQLITE_DONE) {
			err = sql_fail(st, rc, "downsample");
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
				err = sql_fail(st, rc, "downsample");
				goto cleanup;
			}
		}
		if (m) {
			m->rows_downsampled += rs.n;
			m->buckets_written += out.n;
		}
	}
	if (rc != SQLITE_DONE)
		err = sql_fail(st, rc, "downsample");
cleanup:
	release(st, ids);
	release(st, del);
	release(st, ins);
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

	if ((err = query_int(st, "PRAGMA page_count", &pages)) ||
	    (err = query_int(st, "PRAGMA freelist_count", &freel)) ||
	    (err = query_int(st, "PRAGMA page_size", &psize)))
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
		if ((err = exec(st, sql)))
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
		return set_err(st, -EROFS, "%s is open read-only", st->path);
	if (m)
		memset(m, 0, sizeof(*m));
	if ((err = exec(st, "BEGIN IMMEDIATE")))
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
			if (query_int(st, "SELECT min(t) FROM (SELECT min(t_ms) t FROM proc_samples UNION ALL"
				      " SELECT min(t_ms) FROM proc_buckets UNION ALL SELECT min(t_ms)"
				      " FROM sys_samples UNION ALL SELECT min(t_ms) FROM sys_buckets"
				      " UNION ALL SELECT min(t_ms) FROM proc_probes)", &oldest) ||
			    query_int(st, "SELECT max(t) FROM (SELECT max(t_ms) t FROM proc_samples UNION ALL"
				      " SELECT max(t_ms) FROM sys_samples)", &newest))
				break;
			if (newest - oldest < 60000)
				break;	/* never delete the last minute */
			int64_t step = (newest - oldest) / 16;
			if ((err = expire_before(st, oldest + (step > 60000 ? step : 60000), m)))
				goto fail;
		}
		if ((err = exec(st, "PRAGMA incremental_vacuum")))
			goto fail;
	}
	if ((err = exec(st, "COMMIT")))
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

/* ---- reading ---- */

int ht_store_hosts(struct ht_store *st,
		   int (*fn)(void *ctx, const struct ht_store_host *h), void *ctx)
{
	sqlite3_stmt *s;
	int rc, err = prepare(st, "SELECT h.id, h.name, coalesce(min(s.start_ms), -1),"
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
		err = sql_fail(st, rc, "hosts");
	release(st, s);
	return err;
}

int ht_store_time_range(struct ht_store *st, int64_t host_id, int64_t *first_ms, int64_t *last_ms)
{
	sqlite3_stmt *s;
	int err = prepare(st, "SELECT min(start_ms), max(coalesce(last_ms, start_ms)) FROM sessions"
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
	release(st, s);
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
	err = prepare(st, "SELECT p.id, p.host_id, b.boot_id, p.pid, p.start_time, p.comm,"
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
		err = sql_fail(st, rc, "procs");
	release(st, s);
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
	int rc, err = prepare(st, "SELECT start_ms, coalesce(last_ms, start_ms) FROM sessions"
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
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			struct span *ns = realloc(*out, cap * sizeof(*ns));
			if (!ns) {
				release(st, s);
				return -ENOMEM;
			}
			*out = ns;
		}
		(*out)[(*n)++] = (struct span){ a, b };
	}
	release(st, s);
	return rc == SQLITE_DONE ? 0 : sql_fail(st, rc, "sessions");
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
	have_prev = row_before(st, td, id, since, &prev) == 0;
	if (have_prev) {
		struct row *r = rows_add(&rs);
		if (!r)
			return -ENOMEM;
		*r = prev;
	}
	if ((err = load_rows(st, td, id, since, until + 1, 0, &rs)))
		goto cleanup;
	if ((err = host_spans(st, host_id, since, until, &sp, &nsp)))
		goto cleanup;

#define EMIT(T, SPAN, R, USE_AVG) do { \
		if (n == cap) { \
			cap = cap ? cap * 2 : 256; \
			struct pt *np_ = realloc(out, cap * sizeof(*np_)); \
			if (!np_) { err = -ENOMEM; goto cleanup; } \
			out = np_; \
		} \
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
	int err = prepare(st, "SELECT host_id, first_ms, coalesce(end_ms, -1) FROM procs WHERE id = ?", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*host = sqlite3_column_int64(s, 0);
		*first = sqlite3_column_int64(s, 1);
		*end = sqlite3_column_int64(s, 2);
	} else {
		err = set_err(st, -ENOENT, "no process %lld in %s", (long long)id, st->path);
	}
	release(st, s);
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
	int rc, err = prepare(st, "SELECT t_ms, value FROM proc_probes WHERE proc_id = ?1"
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
		if (*n == cap) {
			struct ht_store_point *np;
			cap = cap ? cap * 2 : 64;
			np = realloc(*out, cap * sizeof(*np));
			if (!np) {
				release(st, s);
				free(*out);
				*out = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*out = np;
		}
		(*out)[(*n)++] = (struct ht_store_point){ sqlite3_column_int64(s, 0), 0, v, v, v };
	}
	release(st, s);
	if (rc != SQLITE_DONE) {
		free(*out);
		*out = NULL;
		*n = 0;
		return sql_fail(st, rc, "proc_probes");
	}
	return 0;
}

int ht_store_series(struct ht_store *st, int64_t host_id, const char *prefix,
		    int (*fn)(void *ctx, const struct ht_store_series_info *s), void *ctx)
{
	sqlite3_stmt *s;
	int rc, err = prepare(st, "SELECT id, host_id, name, labels, coalesce(unit, '') FROM series"
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
		err = sql_fail(st, rc, "series");
	release(st, s);
	return err;
}

int ht_store_series_find(struct ht_store *st, int64_t host_id, const char *name,
			 const char *labels, int64_t *id)
{
	sqlite3_stmt *s;
	int err = prepare(st, "SELECT id FROM series WHERE (?1 = 0 OR host_id = ?1) AND name = ?2"
			  " AND labels = ?3 ORDER BY host_id LIMIT 1", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, labels ? labels : "", -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else
		err = -ENOENT;
	release(st, s);
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
	if ((err = prepare(st, "SELECT host_id FROM series WHERE id = ?", &s)))
		return err;
	sqlite3_bind_int64(s, 1, series_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		host = sqlite3_column_int64(s, 0);
	else
		err = set_err(st, -ENOENT, "no series %lld in %s", (long long)series_id, st->path);
	release(st, s);
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

int ht_store_gaps(struct ht_store *st, int64_t host_id, int64_t since_ms, int64_t until_ms,
		  int (*fn)(void *ctx, const struct ht_store_gap *g), void *ctx)
{
	sqlite3_stmt *s;
	int rc, err = prepare(st, "SELECT host_id, start_ms, end_ms, coalesce(reason, '') FROM gaps"
			      " WHERE (?1 = 0 OR host_id = ?1) AND end_ms >= ?2 AND start_ms <= ?3"
			      " ORDER BY start_ms", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, until_ms > 0 ? until_ms : INT64_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ht_store_gap g = {
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			sqlite3_column_int64(s, 2), (const char *)sqlite3_column_text(s, 3),
		};
		if ((err = fn(ctx, &g)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = sql_fail(st, rc, "gaps");
	release(st, s);
	return err;
}

int ht_store_events(struct ht_store *st, int64_t host_id, int64_t since_ms, int64_t until_ms,
		    int (*fn)(void *ctx, const struct ht_store_event *e), void *ctx)
{
	sqlite3_stmt *s;
	int rc, err = prepare(st, "SELECT host_id, t_ms, kind, coalesce(text, '') FROM events"
			      " WHERE (?1 = 0 OR host_id = ?1) AND t_ms >= ?2 AND t_ms <= ?3"
			      " ORDER BY t_ms, rowid", &s);

	if (err)
		return err;
	sqlite3_bind_int64(s, 1, host_id);
	sqlite3_bind_int64(s, 2, since_ms);
	sqlite3_bind_int64(s, 3, until_ms > 0 ? until_ms : INT64_MAX);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ht_store_event e = {
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
			(const char *)sqlite3_column_text(s, 2),
			(const char *)sqlite3_column_text(s, 3),
		};
		if ((err = fn(ctx, &e)))
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = sql_fail(st, rc, "events");
	release(st, s);
	return err;
}
