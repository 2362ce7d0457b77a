/* The history store's connection: open (schema, lock, pragmas), close,
 * reopen, and the SQL helpers the other store files use (ht_store_int.h).
 * See ht_store.h and docs/schema.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "ht_path.h"
#include "ht_store_int.h"

#define DEF_RAW_KEEP_MS (86400LL * 1000)
#define DEF_BUCKET1_MS 60000LL
#define DEF_BUCKET1_KEEP_MS (7 * 86400LL * 1000)
#define DEF_BUCKET2_MS 600000LL
#define DEF_MAX_PENDING 2000000

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

int store_set_err(struct ht_store *st, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return err;
}

int store_sql_errno(int rc)
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

/* As store_sql_errno(), and an I/O error whose cause was ENOSPC is a full disk. */
static int sql_errno_db(struct ht_store *st, int rc)
{
	if ((rc & 0xff) == SQLITE_IOERR && st->db && sqlite3_system_errno(st->db) == ENOSPC)
		return -ENOSPC;
	return store_sql_errno(rc);
}

int store_sql_fail(struct ht_store *st, int rc, const char *what)
{
	int err = sql_errno_db(st, rc);

	if (err == -ENOSPC)
		return store_set_err(st, err, "cannot write %s: disk full (%s)", st->file, what);
	return store_set_err(st, err, "%s: %s: %s", st->file, what,
		       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

int store_exec(struct ht_store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int err = sql_errno_db(st, rc);
		if (err == -ENOSPC)
			store_set_err(st, err, "cannot write %s: disk full", st->file);
		else
			store_set_err(st, err, "%s: %s", st->file, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return err;
	}
	return 0;
}

/* Statements are prepared once and kept (keyed by their SQL text); store_release()
 * resets one for the next use. */
int store_prepare(struct ht_store *st, const char *sql, sqlite3_stmt **out)
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
		return store_sql_fail(st, rc, "prepare");
	if (st->ncache < STMT_CACHE) {
		char *copy = strdup(sql);
		if (copy) {
			st->cache[st->ncache].sql = copy;
			st->cache[st->ncache++].stmt = *out;
		}
	}
	return 0;
}

void store_release(struct ht_store *st, sqlite3_stmt *s)
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

int store_query_int(struct ht_store *st, const char *sql, int64_t *v)
{
	sqlite3_stmt *s;
	int rc, err = store_prepare(st, sql, &s);

	if (err)
		return err;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		err = store_sql_fail(st, rc, sql);
	else
		err = -ENOENT;
	store_release(st, s);
	return err;
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
		return store_set_err(st, -errno, "cannot open %s: %s", lpath, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t n;
		if (e != EWOULDBLOCK) {
			close(fd);
			return store_set_err(st, -e, "cannot lock %s: %s", lpath, strerror(e));
		}
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		close(fd);
		return store_set_err(st, -EBUSY,
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

long ht_store_writer_pid(const char *path)
{
	char lpath[4200], line[256];
	struct stat sb;
	long pid = 0;
	FILE *f;

	snprintf(lpath, sizeof(lpath), "%s.lock", path);
	if (stat(lpath, &sb))
		return errno == ENOENT ? 0 : -errno;
	if (!(f = fopen("/proc/locks", "re")))
		return -errno;
	/* "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"; a waiter's line
	 * has "->" after the number, and fails the match. */
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long long ino;
		long p;
		char type[16], mode[16];

		if (sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%llu", type, mode, &p, &maj, &min, &ino) == 6 &&
		    !strcmp(type, "FLOCK") && !strcmp(mode, "WRITE") && ino == (unsigned long long)sb.st_ino &&
		    maj == major(sb.st_dev) && min == minor(sb.st_dev))
			pid = p;
	}
	fclose(f);
	return pid;
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
		err = store_prepare(st, pass ? ins : sel, &s);
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
			store_release(st, s);
			return 0;
		}
		store_release(st, s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return store_sql_fail(st, rc, "identity");
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

	rc = sqlite3_open_v2(st->file, &st->db,
			     ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     NULL);
	if (rc != SQLITE_OK) {
		err = store_sql_errno(rc);
		if (ro && access(st->file, F_OK) < 0)
			err = -ENOENT;
		store_set_err(st, err, "cannot open %s: %s", st->file,
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
		err = store_query_int(st, "SELECT value FROM meta WHERE key = 'schema_version'", &v);
		if (err == -ENOENT || (err && strstr(st->err, "no such table")))
			return store_set_err(st, -EPROTO, "%s is not a healthtap database", st->file);
		if (err)
			return err;
		if (v > HT_STORE_SCHEMA_VERSION)
			return store_set_err(st, -EPROTO, "%s has schema version %lld, newer than this "
				       "healthtap (%d)", st->file, (long long)v,
				       HT_STORE_SCHEMA_VERSION);
		return 0;
	}
	/* auto_vacuum must precede the first table; WAL: a crash loses at most
	 * the open transaction, readers run beside the writer. */
	{
		/* set only when needed: the same setting again writes */
		sqlite3_stmt *q;
		int wal = 0;
		if (store_query_int(st, "PRAGMA page_count", &v) == 0 && v == 0 &&
		    (err = store_exec(st, "PRAGMA auto_vacuum = INCREMENTAL")))
			return err;
		if (!store_prepare(st, "PRAGMA journal_mode", &q)) {
			if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
				wal = !strcmp((const char *)sqlite3_column_text(q, 0), "wal");
			store_release(st, q);
		}
		if (!wal && (err = store_exec(st, "PRAGMA journal_mode = WAL")))
			return err;
	}
	if ((err = store_exec(st, "PRAGMA synchronous = NORMAL")) ||
	    (err = store_exec(st, "PRAGMA journal_size_limit = 4194304")))
		return err;
	/* a DB with the whole schema, this host and this boot needs no write
	 * to open (so it opens on a full disk) */
	if (store_query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		      " AND name = 'proc_probes'", &v) == 0 && v == 1 &&
	    store_query_int(st, "SELECT value FROM meta WHERE key = 'schema_version'", &v) == 0 &&
	    v == HT_STORE_SCHEMA_VERSION) {
		sqlite3_stmt *q;
		int found = 0;
		if (!store_prepare(st, "SELECT h.id, b.id FROM hosts h JOIN boots b ON b.host_id = h.id"
			     " WHERE h.name = ? AND b.boot_id = ?", &q)) {
			sqlite3_bind_text(q, 1, st->host, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(q, 2, st->boot_id, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(q) == SQLITE_ROW) {
				st->host_id = sqlite3_column_int64(q, 0);
				st->boot = sqlite3_column_int64(q, 1);
				found = 1;
			}
			store_release(st, q);
		}
		if (found)
			goto ready;
	}
	st->err[0] = '\0';
	if ((err = store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	err = store_exec(st, schema_sql);
	if (!err) {
		rc = store_query_int(st, "SELECT value FROM meta WHERE key = 'schema_version'", &v);
		if (rc == -ENOENT) {
			char sql[200];
			snprintf(sql, sizeof(sql), "INSERT INTO meta VALUES ('schema_version', '%d'),"
				 " ('created_by', 'healthtap')", HT_STORE_SCHEMA_VERSION);
			err = store_exec(st, sql);
		} else if (rc) {
			err = rc;
		} else if (v > HT_STORE_SCHEMA_VERSION) {
			err = store_set_err(st, -EPROTO, "%s has schema version %lld, newer than this "
				      "healthtap (%d)", st->file, (long long)v,
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
		store_exec(st, "ROLLBACK");
		return err;
	}
	if ((err = store_exec(st, "COMMIT")))
		return err;
ready:
	if (!store_query_int(st, "SELECT coalesce(max(id), 0) FROM procs", &v))
		st->next_proc_id = v + 1;
	if (!store_query_int(st, "SELECT coalesce(max(id), 0) FROM series", &v))
		st->next_series_id = v + 1;
	return store_write_prepare(st);
}

static void close_file(struct ht_store *st)
{
	finalize_all(st);
	sqlite3_close(st->db);
	st->db = NULL;
	if (st->ident_fd >= 0)
		close(st->ident_fd);
	st->ident_fd = -1;
}

/* Opens name as the store's file. On error no file is open. */
static int open_file(struct ht_store *st, const char *name)
{
	char *copy = strdup(name);
	int err;

	if (!copy)
		return -ENOMEM;
	free(st->file);
	st->file = copy;
	err = open_db(st);
	if (!err && !(st->o.flags & HT_STORE_READONLY) &&
	    (st->ident_fd = open(name, O_RDONLY | O_CLOEXEC)) < 0)
		err = store_set_err(st, -errno, "cannot open %s: %s", name, strerror(errno));
	if (err)
		close_file(st);
	return err;
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
	st->ident_fd = -1;
	st->nodb_since_ms = -1;
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
	st->file = strdup(st->path ? st->path : "");
	st->host = strdup(o->host ? o->host : hn);
	if (!st->path || !st->file || !st->host) {
		err = -ENOMEM;
		goto fail;
	}
	if (!st->path[0]) {
		/* SQLite would open a temporary DB, lost at exit */
		err = store_set_err(st, -EINVAL, "no database path (an empty name)");
		goto fail;
	}
	if (st->o.bucket2_ms % st->o.bucket1_ms) {
		err = store_set_err(st, -EINVAL, "the second bucket span must be a multiple of the first");
		goto fail;
	}
	st->o.root = o->root;
	read_boot_id(st);
	st->o.root = NULL;
	if (!(o->flags & HT_STORE_READONLY) && (err = take_lock(st)))
		goto fail;
	if ((err = open_file(st, st->path)))
		goto fail;
	*out = st;
	return 0;
fail:
	if (errmsg && errlen)
		snprintf(errmsg, errlen, "%s", st->err[0] ? st->err : strerror(-err));
	ht_store_close(st);
	return err;
}
void ht_store_close(struct ht_store *st)
{
	if (!st)
		return;
	if (st->db && !(st->o.flags & HT_STORE_READONLY) && st->nops)
		ht_store_flush(st, -1);
	close_file(st);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	store_queue_free(st);
	free(st->path);
	free(st->file);
	free(st->host);
	free(st);
}

/* ---- reopen ---- */

/* The connection's fields, to try another file and come back. */
struct conn {
	sqlite3 *db;
	char *file;
	int ident_fd;
	sqlite3_stmt *stmt[ST_COUNT];
	struct { char *sql; sqlite3_stmt *stmt; } cache[STMT_CACHE];
	size_t ncache;
	int64_t host_id, boot, next_proc_id, next_series_id, rolled_to[2];
};

#define SWAP(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

/* Exchanges the store's connection with c (an empty c: no file open). */
static void conn_swap(struct ht_store *st, struct conn *c)
{
	SWAP(st->db, c->db);
	SWAP(st->file, c->file);
	SWAP(st->ident_fd, c->ident_fd);
	for (int i = 0; i < ST_COUNT; i++)
		SWAP(st->stmt[i], c->stmt[i]);
	for (size_t i = 0; i < STMT_CACHE; i++) {
		SWAP(st->cache[i].sql, c->cache[i].sql);
		SWAP(st->cache[i].stmt, c->cache[i].stmt);
	}
	SWAP(st->ncache, c->ncache);
	SWAP(st->host_id, c->host_id);
	SWAP(st->boot, c->boot);
	SWAP(st->next_proc_id, c->next_proc_id);
	SWAP(st->next_series_id, c->next_series_id);
	SWAP(st->rolled_to[0], c->rolled_to[0]);
	SWAP(st->rolled_to[1], c->rolled_to[1]);
}

static void empty_conn(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->ident_fd = -1;
	c->rolled_to[0] = c->rolled_to[1] = INT64_MIN;
}

/* Whether the store's path still names the file open. */
static int path_names_open_file(const struct ht_store *st)
{
	struct stat a, b;

	return st->db && st->ident_fd >= 0 && fstat(st->ident_fd, &a) == 0 &&
	       stat(st->path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The name the open file has now (it may have been moved); "" when it was
 * deleted or cannot be told. */
static void current_name(const struct ht_store *st, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	char link[64];
	ssize_t n;

	buf[0] = '\0';
	if (st->ident_fd < 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", st->ident_fd);
	n = readlink(link, buf, size - 1);
	if (n <= 0 || (size_t)n >= size - 1) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	if ((size_t)n >= sizeof(deleted) - 1 && !strcmp(buf + n - (sizeof(deleted) - 1), deleted))
		buf[0] = '\0';
}

/* The open file was moved away from the path, but its WAL and shm files
 * are still named after the path, where a new DB will look for its own:
 * checkpoint everything into the file, close it and open it again under
 * its new name. The session goes on. On error no file is open. */
static int follow_moved_file(struct ht_store *st)
{
	char name[4096];
	int64_t busy = 1;
	int err;

	current_name(st, name, sizeof(name));
	if ((err = store_query_int(st, "PRAGMA wal_checkpoint(TRUNCATE)", &busy)))
		return err;
	if (busy)
		return store_set_err(st, -EBUSY, "cannot reopen %s yet: a reader of the moved "
				     "file holds its WAL", st->path);
	close_file(st);
	if (!name[0])
		return store_set_err(st, -ENOENT, "the file %s named was deleted", st->path);
	return open_file(st, name);
}

/* Closes the session of the open file, and its processes at its last
 * sample, in one transaction (not through the queue: on error nothing
 * changed). */
static int end_session_now(struct ht_store *st, const char *reason)
{
	sqlite3_stmt *s;
	int err, rc;

	if (!st->session)
		return 0;
	if ((err = store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	if ((err = store_prepare(st, "UPDATE sessions SET end_ms = coalesce(last_ms, start_ms),"
				 " end_reason = ?1 WHERE id = ?2", &s)))
		goto fail;
	sqlite3_bind_text(s, 1, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, st->session);
	rc = sqlite3_step(s);
	store_release(st, s);
	if (rc != SQLITE_DONE) {
		err = store_sql_fail(st, rc, "session");
		goto fail;
	}
	if ((err = store_prepare(st, "UPDATE procs SET end_ms = (SELECT end_ms FROM sessions"
				 " WHERE id = ?1) WHERE host_id = ?2 AND end_ms IS NULL", &s)))
		goto fail;
	sqlite3_bind_int64(s, 1, st->session);
	sqlite3_bind_int64(s, 2, st->host_id);
	rc = sqlite3_step(s);
	store_release(st, s);
	if (rc != SQLITE_DONE) {
		err = store_sql_fail(st, rc, "processes");
		goto fail;
	}
	if ((err = store_exec(st, "COMMIT")))
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

/* Closes a stashed connection. */
static void drop_conn(struct ht_store *st, struct conn *c)
{
	conn_swap(st, c);
	close_file(st);
	free(st->file);
	st->file = NULL;
	conn_swap(st, c);
}

/* Opens the path beside the file open now (whose WAL is not the path's).
 * On success the old file's session is closed and the new file is the
 * store's, with a new session and every process and series to declare;
 * on error nothing changed. */
static int switch_to_path(struct ht_store *st, int64_t now_ms, const char *reason)
{
	struct conn other;
	int err;

	empty_conn(&other);
	conn_swap(st, &other);		/* other: the file open until now */
	err = open_file(st, st->path);
	if (!err && other.db) {
		conn_swap(st, &other);
		err = end_session_now(st, reason);
		conn_swap(st, &other);
	}
	if (err) {
		char why[sizeof(st->err)];
		snprintf(why, sizeof(why), "%s", st->err);
		conn_swap(st, &other);	/* other: the new file */
		drop_conn(st, &other);
		if (st->db)
			return store_set_err(st, err, "%s; still writing %s", why, st->file);
		return store_set_err(st, err, "%s; no database open", why);
	}
	drop_conn(st, &other);
	store_forget_file(st);
	st->session = 0;
	if (st->want.kind) {
		st->want.start_ms = now_ms;
		st->want.pending = 1;
		store_session_start(st);	/* else the next flush retries it */
	}
	if (st->nodb_since_ms >= 0) {
		ht_store_put_gap(st, st->nodb_since_ms, now_ms, "no database open (a reopen failed)");
		st->nodb_since_ms = -1;
	}
	return 0;
}

int ht_store_reopen(struct ht_store *st, int64_t now_ms, const char *reason, int *moved)
{
	int err;

	*moved = 0;
	if (st->o.flags & HT_STORE_READONLY)
		return store_set_err(st, -EROFS, "%s is open read-only", st->path);
	if (path_names_open_file(st))
		return 0;
	if (st->nops)
		return store_set_err(st, -EAGAIN, "cannot reopen %s yet: %zu operations are still "
				     "queued for %s", st->path, st->nops, st->file);
	if (st->db && !strcmp(st->file, st->path) && (err = follow_moved_file(st))) {
		if (!st->db && st->nodb_since_ms < 0)
			st->nodb_since_ms = now_ms;
		if (!st->db)
			store_forget_file(st);
		return err;
	}
	if ((err = switch_to_path(st, now_ms, reason))) {
		if (!st->db && st->nodb_since_ms < 0) {
			st->nodb_since_ms = now_ms;
			store_forget_file(st);
		}
		return err;
	}
	*moved = 1;
	return 0;
}

const char *ht_store_error(const struct ht_store *st)
{
	return st->err;
}

const char *ht_store_file(const struct ht_store *st)
{
	return st->file ? st->file : st->path;
}

sqlite3 *ht_store_db(struct ht_store *st)
{
	return st->db;
}
