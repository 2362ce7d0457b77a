/* The history store's insides, shared by its four files (private to
 * runtime/ht_store*.c; everyone else uses ht_store.h):
 *   ht_store.c         the connection: open, schema, lock, SQL helpers
 *   ht_store_write.c   the write path: the queue, puts, sessions, flush
 *   ht_store_rollup.c  downsampling into buckets, retention (maintain)
 *   ht_store_read.c    the read path, and the row loader rollup shares
 */
#ifndef HT_STORE_INT_H
#define HT_STORE_INT_H

#include <sqlite3.h>
#include "ht_store.h"

#define STMT_CACHE 64

enum op_kind {
	OP_PROC_NEW, OP_PROC_REVIVE, OP_PROC_SAMPLE, OP_PROC_END,
	OP_SERIES_NEW, OP_SYS_SAMPLE, OP_EVENT, OP_SESSION_END, OP_GAP, OP_PROC_PROBE,
	OP_PROC_RENAME,
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
	uint64_t name_hash;		/* of comm and cmdline as stored; 0 unknown */
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
	ST_FIND_PROC, ST_INS_GAP, ST_INS_PPROBE, ST_RENAME_PROC, ST_COUNT
};

/* The session a writer wants: begun again when a first begin failed (the
 * next flush retries it) and in every file a reopen moves to. */
struct store_session_want {
	int pending;			/* not begun in the open file yet */
	int64_t start_ms, interval_ms;
	char *kind, *gap_reason;
};

struct ht_store {
	struct ht_store_opts o;
	char *path, *host;
	char boot_id[64];
	int lock_fd;
	char err[512];
	int64_t session;
	struct store_session_want want;
	int64_t nodb_since_ms;		/* no file open since (a reopen failed); -1 */

	/* The connection to the open file: ht_store.c swaps it whole when a
	 * reopen tries another file. */
	sqlite3 *db;			/* NULL: no file open */
	char *file;			/* its name: path, or where it was moved */
	int ident_fd;			/* O_RDONLY on it: identity and name; -1 */
	sqlite3_stmt *stmt[ST_COUNT];
	struct { char *sql; sqlite3_stmt *stmt; } cache[STMT_CACHE];
	size_t ncache;
	int64_t host_id, boot;
	int64_t next_proc_id, next_series_id;
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

/* One stored row, either tier: a sample (span 0) or a bucket. */
struct row {
	int64_t t, span, cover;
	double min[2], avg[2], max[2], last[2];
};

struct rows {
	struct row *r;
	size_t n, cap;
};

struct tabledef {
	const char *samples, *buckets, *idcol;
	const char *scols;		/* sample value columns */
	const char *bcols;		/* bucket columns: min avg max last per value */
	int nv;
};

extern const struct tabledef T_PROC, T_SYS;

/* ---- SQL helpers (ht_store.c): each failing call sets st->err and
 * returns -errno ---- */

int store_set_err(struct ht_store *st, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* -errno for a SQLite result code. */
int store_sql_errno(int rc);
int store_sql_fail(struct ht_store *st, int rc, const char *what);
int store_exec(struct ht_store *st, const char *sql);
/* Statements are prepared once and kept (keyed by their SQL text);
 * store_release() resets one for the next use. */
int store_prepare(struct ht_store *st, const char *sql, sqlite3_stmt **out);
void store_release(struct ht_store *st, sqlite3_stmt *s);
/* A one-row query with no parameters: *v = first column as integer;
 * -ENOENT for no row. */
int store_query_int(struct ht_store *st, const char *sql, int64_t *v);

/* ---- write path (ht_store_write.c) ---- */

/* Prepares the statements the queue runs (at open and reopen). */
int store_write_prepare(struct ht_store *st);
/* Forgets every process and series put: their ids belong to the file that
 * was open (a reopen moved to another); the next puts declare them again. */
void store_forget_file(struct ht_store *st);
/* Frees the queue, the process and series tables and the wanted session. */
void store_queue_free(struct ht_store *st);
/* Begins st->want in the open file. Returns 0 or -errno (still pending). */
int store_session_start(struct ht_store *st);

/* ---- rows (ht_store_read.c) ---- */

struct row *store_rows_add(struct rows *rs);
/* Loads the rows of id with lo <= t < hi from both tiers, in time order
 * (tiers never overlap in time). span_only > 0: buckets of that span only,
 * no samples; span_only < 0: samples only. */
int store_load_rows(struct ht_store *st, const struct tabledef *td, int64_t id,
		    int64_t lo, int64_t hi, int64_t span_only, struct rows *rs);
/* The row just before t (either tier), or -ENOENT. */
int store_row_before(struct ht_store *st, const struct tabledef *td, int64_t id,
		     int64_t t, struct row *out);

#endif
