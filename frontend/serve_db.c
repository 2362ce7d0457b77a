#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ht_counter.h"
#include "ht_leak.h"
#include "ht_proc_age.h"
#include "ht_protocol.h"
#include "ht_store.h"
#include "ht_trend.h"
#include "proc_pid_statm.h"
#include "proc_softirqs.h"
#include "serve_db.h"
#include "serve_render.h"

#define WINDOW_MS (3600 * 1000LL)	/* trend over the last hour */
#define MAX_TREND_POINTS 512
#define MAX_DB_PROCS 4096		/* processes read per snapshot */

struct serve_db {
	struct ht_store *st;
	char *path;
	dev_t dev;			/* the file st reads */
	ino_t ino;
	char *want_host;		/* --db-host, or NULL */
	int64_t host_id;		/* 0 until the host is known */
	char host[256];
	struct ht_leak_opts leak;
};

void serve_db_close(struct serve_db *db)
{
	if (!db)
		return;
	ht_store_close(db->st);
	free(db->path);
	free(db->want_host);
	free(db);
}

/* Opens path read-only into db->st, remembering which file it is. */
static int open_store(struct serve_db *db, char *err, size_t errlen)
{
	struct ht_store_opts o;
	struct stat sb;
	int rc;

	ht_store_opts_default(&o);
	o.path = db->path;
	o.flags = HT_STORE_READONLY;
	rc = ht_store_open(&o, &db->st, err, errlen);
	if (!rc && stat(db->path, &sb) == 0) {
		db->dev = sb.st_dev;
		db->ino = sb.st_ino;
	}
	return rc;
}

int serve_db_open(const char *path, const char *host, double warmup_s,
		  struct serve_db **out, char *err, size_t errlen)
{
	struct serve_db *db = calloc(1, sizeof(*db));
	int rc;

	*out = NULL;
	if (!db || !(db->path = strdup(path)) || (host && !(db->want_host = strdup(host)))) {
		serve_db_close(db);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ht_leak_opts_default(&db->leak);
	if (warmup_s >= 0) {
		db->leak.min_age_s = warmup_s;
		if (db->leak.warmup_s > warmup_s / 2)
			db->leak.warmup_s = warmup_s / 2;
	}
	rc = open_store(db, err, errlen);
	if (rc) {
		serve_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

struct host_pick {
	const char *want;
	char self[256];
	int64_t id, best_last;
	char name[256];
	int exact;
};

static int pick_host(void *ctx, const struct ht_store_host *h)
{
	struct host_pick *p = ctx;
	int exact = !strcmp(h->name, p->want ? p->want : p->self);

	if (p->want && !exact)
		return 0;
	/* An exact name beats any other; then the newest sample. */
	if (p->id && p->exact && !exact)
		return 0;
	if (p->id && p->exact == exact && h->last_ms <= p->best_last)
		return 0;
	p->id = h->id;
	p->best_last = h->last_ms;
	p->exact = exact;
	snprintf(p->name, sizeof(p->name), "%s", h->name);
	return 0;
}

static int find_host(struct serve_db *db)
{
	struct host_pick p = { .want = db->want_host };

	if (gethostname(p.self, sizeof(p.self) - 1))
		p.self[0] = '\0';
	if (ht_store_hosts(db->st, pick_host, &p) < 0)
		return -EIO;
	if (!p.id)
		return -ENOENT;
	db->host_id = p.id;
	snprintf(db->host, sizeof(db->host), "%s", p.name);
	return 0;
}

/* The value of a system series at last_ms (the latest point at or before
 * it, within the hour), and the time of the point before it. NAN if none. */
static double sys_latest(struct serve_db *db, const char *name, const char *labels,
			 int64_t last_ms, int64_t *prev_ms)
{
	struct ht_store_point *pts = NULL;
	size_t n = 0;
	int64_t id;
	double v = NAN;

	if (ht_store_series_find(db->st, db->host_id, name, labels, &id))
		return NAN;
	if (ht_store_sys_series(db->st, id, last_ms - WINDOW_MS, last_ms, 0, &pts, &n) == 0 && n) {
		v = pts[n - 1].v;
		if (prev_ms)
			*prev_ms = n > 1 ? pts[n - 2].t_ms : -1;
	}
	free(pts);
	return v;
}

/* A stored REAL as an integer: 0, or -ERANGE when it is NaN or outside
 * int64_t (a damaged or hand-made DB: the cast would be undefined). */
static int as_int(double v, int64_t *out)
{
	if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0))
		return -ERANGE;
	*out = (int64_t)v;
	return 0;
}

/* A stored size or count: -1 (unknown) when missing, negative or out of
 * range. */
static int64_t as_count(double v)
{
	int64_t n;

	return as_int(v, &n) || n < 0 ? -1 : n;
}

/* MemAvailable's trend over the hour, as the live sampler computes it. */
static void mem_trend(struct serve_db *db, struct ht_sys_snapshot *y, int64_t last_ms)
{
	struct ht_store_point *pts = NULL;
	struct ht_point *p;
	struct ht_fit fit;
	size_t n = 0, from;
	int64_t id;

	y->mem_avail_rate = y->mem_avail_r2 = NAN;
	y->mem_eta_s = INFINITY;
	if (ht_store_series_find(db->st, db->host_id, HT_SYS_MEM_AVAILABLE, "", &id) ||
	    ht_store_sys_series(db->st, id, last_ms - WINDOW_MS, last_ms, 0, &pts, &n) || n < 3) {
		free(pts);
		return;
	}
	from = n > MAX_TREND_POINTS ? n - MAX_TREND_POINTS : 0;
	p = malloc((n - from) * sizeof(*p));
	if (p) {
		for (size_t i = from; i < n; i++)
			p[i - from] = (struct ht_point){ pts[i].t_ms / 1e3, pts[i].v };
		if (ht_trend_ols(p, n - from, 0.95, &fit) == 0 && fit.n >= 3) {
			y->mem_avail_rate = fit.slope;
			y->mem_avail_r2 = fit.r2;
			if (fit.hi < 0 && y->mem_available >= 0)
				y->mem_eta_s = (double)y->mem_available / -fit.slope;
		}
		free(p);
	}
	free(pts);
}

static void read_system(struct serve_db *db, struct ht_sys_snapshot *y, int64_t last_ms)
{
	static const struct { const char *labels; size_t off; } psi[] = {
		{ "res=cpu,kind=some", offsetof(struct ht_sys_snapshot, psi_cpu_some) },
		{ "res=memory,kind=some", offsetof(struct ht_sys_snapshot, psi_mem_some) },
		{ "res=memory,kind=full", offsetof(struct ht_sys_snapshot, psi_mem_full) },
		{ "res=io,kind=some", offsetof(struct ht_sys_snapshot, psi_io_some) },
		{ "res=io,kind=full", offsetof(struct ht_sys_snapshot, psi_io_full) },
	};
	int64_t prev_ms = -1;
	char lab[64];

	y->wall_ms = last_ms;
	y->mem_available = as_count(sys_latest(db, HT_SYS_MEM_AVAILABLE, "", last_ms, &prev_ms));
	y->interval_s = prev_ms > 0 ? (last_ms - prev_ms) / 1e3 : NAN;
	y->mem_total = as_count(sys_latest(db, HT_SYS_MEM_TOTAL, "", last_ms, NULL));
	y->swap_free = as_count(sys_latest(db, HT_SYS_SWAP_FREE, "", last_ms, NULL));
	y->mem_free = y->swap_total = y->anon_pages = y->shmem = -1;
	y->ctxt_total = y->intr_total = y->softirq_total = -1;
	y->cpu_busy_pct = sys_latest(db, HT_SYS_CPU_BUSY, "", last_ms, NULL);
	y->ctxt_rate = sys_latest(db, HT_SYS_CTXT_RATE, "", last_ms, NULL);
	y->intr_rate = sys_latest(db, HT_SYS_INTR_RATE, "", last_ms, NULL);
	y->softirq_rate = sys_latest(db, HT_SYS_SOFTIRQ_RATE, "", last_ms, NULL);
	for (int i = 0; i < HT_SOFTIRQ_VECTORS; i++) {
		snprintf(lab, sizeof(lab), "vec=%s", proc_softirq_name(i));
		y->softirq_vec_rate[i] = sys_latest(db, HT_SYS_SOFTIRQ_RATE, lab, last_ms, NULL);
	}
	y->fork_rate = sys_latest(db, HT_SYS_FORK_RATE, "", last_ms, NULL);
	y->pgmajfault_rate = sys_latest(db, HT_SYS_PGMAJFAULT_RATE, "", last_ms, NULL);
	y->pgfault_rate = NAN;
	y->procs_running = as_count(sys_latest(db, "procs_running", "", last_ms, NULL));
	y->procs_blocked = as_count(sys_latest(db, "procs_blocked", "", last_ms, NULL));
	y->oom_kills = as_count(sys_latest(db, "oom_kills", "", last_ms, NULL));
	for (size_t i = 0; i < sizeof(psi) / sizeof(psi[0]); i++)
		*(double *)((char *)y + psi[i].off) = sys_latest(db, HT_SYS_PSI, psi[i].labels,
								   last_ms, NULL);
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++) {
		snprintf(lab, sizeof(lab), "field=%s", ht_kmem_fields[i].name);
		*(int64_t *)((char *)y + ht_kmem_fields[i].off) =
			as_count(sys_latest(db, HT_SYS_KMEM, lab, last_ms, NULL));
	}
	y->skb = (struct ht_skb_slab){ .heads = -1, .small_heads = -1, .fclones = -1 };
	y->skb.outstanding = as_count(sys_latest(db, HT_SYS_SKB_OUTSTANDING, "source=slab",
						 last_ms, NULL));
	y->skb.rate = sys_latest(db, HT_SYS_SKB_RATE, "source=slab", last_ms, NULL);
	if (y->skb.outstanding < 0)
		y->missing |= HT_SYS_MISS_SLAB;
	if (y->mem_available < 0)
		y->missing |= HT_SYS_MISS_MEMINFO;
	if (isnan(y->psi_cpu_some))
		y->missing |= HT_SYS_MISS_PRESSURE;
	mem_trend(db, y, last_ms);
}

/* ---- processes ---- */

struct proc_walk {
	struct serve_db *db;
	struct serve_proc *procs;
	size_t n, cap;
	int64_t last_ms;
	int64_t mem_available;
	struct ht_proc_ages ages;	/* real ages from start times */
	int err;
};

static void analyze(struct serve_db *db, struct serve_proc *sp, int64_t id,
		    double age_s, int64_t last_ms, int64_t mem_available)
{
	struct ht_store_proc_point *pts = NULL;
	struct ht_point *p = NULL;
	struct ht_leak_subject subj;
	struct ht_leak l;
	size_t n = 0, from, m = 0;

	if (ht_store_proc_series(db->st, id, last_ms - WINDOW_MS, last_ms, 0, &pts, &n) || !n)
		goto cleanup;
	sp->rss = pts[n - 1].rss;
	sp->anon = pts[n - 1].anon;
	from = n > MAX_TREND_POINTS ? n - MAX_TREND_POINTS : 0;
	p = malloc((n - from) * sizeof(*p));
	if (!p)
		goto cleanup;
	for (size_t i = from; i < n; i++)
		if (pts[i].rss >= 0)
			p[m++] = (struct ht_point){ pts[i].t_ms / 1e3, (double)pts[i].rss };
	sp->points = m;
	ht_leak_subject_init(&subj);
	subj.age_s = age_s;
	subj.current = sp->rss;
	subj.anon = sp->anon;
	subj.mem_available = mem_available;
	if (ht_leak_analyze(p, m, &subj, &db->leak, &l) != 0)
		goto cleanup;
	sp->rate = l.rate;
	sp->rate_lo = l.rate_lo;
	sp->rate_hi = l.rate_hi;
	sp->r2 = l.r2;
	if (ht_leak_positive(&l)) {
		sp->limit_kind = l.limit_kind;
		sp->limit_bytes = l.limit_bytes;
		sp->headroom = l.headroom;
		sp->eta_s = l.eta.point;
	}
	if (l.verdict == HT_LEAK_YES && l.rate > 0)
		sp->risk = (isnan(l.r2) ? 0 : l.r2) * l.rate * 3600.0 /
			   (double)(l.headroom > 0 ? l.headroom : (sp->rss > 0 ? sp->rss : 1));
cleanup:
	free(p);
	free(pts);
}

static int add_proc(void *ctx, const struct ht_store_proc_info *pi)
{
	struct proc_walk *w = ctx;
	struct serve_proc *sp;

	if (pi->ended)
		return 0;
	if (w->n == MAX_DB_PROCS)
		return 1;
	if (ht_grow(w->procs, w->cap, w->n + 1)) {
		w->err = -ENOMEM;
		return 1;
	}
	sp = &w->procs[w->n];
	*sp = (struct serve_proc){
		.pid = pi->pid, .start_time = pi->start_time,
		.rss = -1, .anon = -1, .size = -1,
		.age_s = (w->last_ms - pi->first_ms) / 1e3,
		.rate = NAN, .rate_lo = NAN, .rate_hi = NAN, .r2 = NAN,
		.limit_kind = HT_LIMIT_NONE, .limit_bytes = -1, .headroom = -1,
		.eta_s = INFINITY,
	};
	snprintf(sp->comm, sizeof(sp->comm), "%s", pi->comm ? pi->comm : "");
	sp->cgroup = strdup("");
	sp->cmdline = strdup(pi->cmdline ? pi->cmdline : "");
	w->n++;
	if (!sp->cgroup || !sp->cmdline) {
		w->err = -ENOMEM;
		return 1;
	}
	/* judged by its real age; observed_s stays how long it was recorded */
	analyze(w->db, sp, pi->id, ht_proc_age(&w->ages, pi, w->last_ms), w->last_ms,
		w->mem_available);
	return 0;
}

static int by_risk(const void *a, const void *b)
{
	const struct serve_proc *x = a, *y = b;

	if (x->risk != y->risk)
		return x->risk > y->risk ? -1 : 1;
	if (x->rss != y->rss)
		return x->rss > y->rss ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* ---- probes ---- */

struct probe_walk {
	struct serve_db *db;
	struct serve_snap *snap;
	size_t cap, max;
	int64_t last_ms;
	int err;
};

static int add_probe(void *ctx, const struct ht_store_series_info *si)
{
	struct probe_walk *w = ctx;
	struct serve_snap *snap = w->snap;
	const char *sub = si->name + strlen("probe."), *dot = strchr(sub, '.');
	int subsys;
	int64_t v;
	size_t ln, ll;
	char *mem;

	if (!dot || (subsys = ht_subsys_lookup(sub, (size_t)(dot - sub))) < 0)
		return 0;
	if (as_int(sys_latest(w->db, si->name, si->labels, w->last_ms, NULL), &v))
		return 0;	/* none, or not a record's value */
	snap->probe.active = 1;
	if (snap->nrecs >= w->max) {
		snap->recs_dropped++;
		return 0;
	}
	if (ht_grow(snap->recs, w->cap, snap->nrecs + 1)) {
		w->err = -ENOMEM;
		return 1;
	}
	ln = strlen(dot + 1);
	ll = strlen(si->labels);
	mem = malloc(ln + ll + 2);
	if (!mem) {
		w->err = -ENOMEM;
		return 1;
	}
	memcpy(mem, dot + 1, ln + 1);
	memcpy(mem + ln + 1, si->labels, ll + 1);
	snap->recs[snap->nrecs++] = (struct serve_probe_rec){
		(enum ht_subsys)subsys, mem, mem + ln + 1, v,
	};
	return 0;
}

/* ---- the snapshot ---- */

/* The recorder rotated its DB (mv DB DB.old; kill -HUP): the path names
 * another file. Once that one holds a sample of the host, read it instead;
 * until then keep the old one, which still holds the latest samples. */
static void follow_rotation(struct serve_db *db)
{
	struct serve_db nu = { .path = db->path, .want_host = db->want_host };
	struct stat sb;
	int64_t first_ms, last_ms;
	char msg[256];

	if (stat(db->path, &sb) || (sb.st_dev == db->dev && sb.st_ino == db->ino))
		return;
	if (open_store(&nu, msg, sizeof(msg)))
		return;
	if (find_host(&nu) || ht_store_time_range(nu.st, nu.host_id, &first_ms, &last_ms)) {
		ht_store_close(nu.st);
		return;
	}
	ht_store_close(db->st);
	db->st = nu.st;
	db->dev = nu.dev;
	db->ino = nu.ino;
	db->host_id = nu.host_id;
	snprintf(db->host, sizeof(db->host), "%s", nu.host);
}

struct serve_snap *serve_db_snap(struct serve_db *db, const struct serve_snap *prev,
				 const struct serve_snap_opts *o, int *err)
{
	struct serve_snap *snap;
	struct proc_walk pw = { .db = db };
	struct probe_walk bw = { .db = db, .max = o->max_recs };
	struct ht_store_proc_filter f = { 0 };
	struct proc_pid_statm statm;
	int64_t first_ms, last_ms;
	int rc;

	*err = 0;
	follow_rotation(db);
	if (!db->host_id && (rc = find_host(db))) {
		*err = rc;
		return NULL;
	}
	rc = ht_store_time_range(db->st, db->host_id, &first_ms, &last_ms);
	if (rc) {
		*err = rc == -ENOENT ? -ENOENT : -EIO;
		return NULL;
	}
	snap = calloc(1, sizeof(*snap));
	if (!snap) {
		*err = -ENOMEM;
		return NULL;
	}
	atomic_init(&snap->refs, 1);
	snap->seq = prev ? prev->seq + 1 : 1;
	snprintf(snap->host, sizeof(snap->host), "%s", db->host);
	snap->sys.mono_ns = ht_now_ns();
	snap->sys.forks_total = -1;
	for (int i = 0; i < HT_SOFTIRQ_VECTORS; i++)
		snap->sys.softirq_vec_total[i] = -1;
	snap->sys.samples = snap->seq;
	snap->sys.ncpus = -1;
	read_system(db, &snap->sys, last_ms);
	snap->self_pid = getpid();
	snap->self_rss = proc_pid_statm_read("", snap->self_pid, &statm) ? -1 : statm.resident;
	snap->probe.sched_coverage = NAN;
	snap->probe.sched_ctxt_absolute = -1;

	pw.last_ms = last_ms;
	pw.mem_available = snap->sys.mem_available;
	f.host_id = db->host_id;
	if (ht_proc_ages_scan(&pw.ages, db->st, NULL, isfinite(snap->sys.interval_s) ?
			      (int64_t)(snap->sys.interval_s * 1e3) : 1000) < 0)
		pw.err = -EIO;
	f.since_ms = f.until_ms = last_ms;
	if (!pw.err && ht_store_procs(db->st, &f, add_proc, &pw) < 0 && !pw.err)
		pw.err = -EIO;
	if (pw.n)
		qsort(pw.procs, pw.n, sizeof(*pw.procs), by_risk);
	snap->nprocs_total = pw.n;
	snap->procs = pw.procs;
	snap->nprocs = pw.n;
	/* Keep what live mode keeps: the ranked head. */
	while (snap->nprocs > o->keep) {
		struct serve_proc *sp = &snap->procs[--snap->nprocs];
		free(sp->cgroup);
		free(sp->cmdline);
	}
	bw.snap = snap;
	bw.last_ms = last_ms;
	if (!pw.err && ht_store_series(db->st, db->host_id, "probe.", add_probe, &bw) < 0 && !bw.err)
		bw.err = -EIO;
	if (pw.err || bw.err) {
		*err = pw.err ? pw.err : bw.err;
		serve_snap_put(snap);
		return NULL;
	}
	return snap;
}

/* ---- series ---- */

struct find_proc {
	pid_t pid;
	int64_t start_time;
	int64_t id;
	char comm[HT_PROC_COMM_MAX];
};

static int match_proc(void *ctx, const struct ht_store_proc_info *pi)
{
	struct find_proc *f = ctx;

	if (pi->ended || pi->pid != f->pid || (f->start_time >= 0 && pi->start_time != f->start_time))
		return 0;
	f->id = pi->id;
	f->start_time = pi->start_time;
	snprintf(f->comm, sizeof(f->comm), "%s", pi->comm ? pi->comm : "");
	return 0;
}

static void json_points(struct out_json *j, const char *key, const struct ht_point *p, size_t n)
{
	out_json_array(j, key);
	for (size_t i = 0; i < n; i++)
		serve_json_point(j, &p[i]);
	out_json_end(j);
}

int serve_db_series(struct serve_db *db, struct ht_buf *b, const struct serve_snap *snap,
		    pid_t pid, int64_t start_time, size_t max_points)
{
	struct find_proc fp = { .pid = pid, .start_time = start_time };
	struct ht_store_proc_filter f = { .host_id = db->host_id, .pid = pid,
					  .since_ms = snap->sys.wall_ms,
					  .until_ms = snap->sys.wall_ms };
	struct ht_store_proc_point *pts = NULL;
	struct ht_point *rss = NULL, *anon = NULL;
	const struct serve_proc *sp;
	struct out_json j;
	size_t n = 0, nr = 0, na = 0, from;
	int err = 0;

	if (ht_store_procs(db->st, &f, match_proc, &fp) < 0)
		return -EIO;
	if (!fp.id)
		return -ESRCH;
	if (ht_store_proc_series(db->st, fp.id, 0, 0, 0, &pts, &n))
		return -EIO;
	from = n > max_points ? n - max_points : 0;
	rss = malloc((n - from + 1) * sizeof(*rss));
	anon = malloc((n - from + 1) * sizeof(*anon));
	if (!rss || !anon) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = from; i < n; i++) {
		if (pts[i].rss >= 0)
			rss[nr++] = (struct ht_point){ pts[i].t_ms / 1e3, (double)pts[i].rss };
		if (pts[i].anon >= 0)
			anon[na++] = (struct ht_point){ pts[i].t_ms / 1e3, (double)pts[i].anon };
	}
	sp = serve_snap_find(snap, pid);
	if (sp && sp->start_time != fp.start_time)
		sp = NULL;
	out_json_init(&j, b);
	out_json_object(&j, NULL);
	out_json_str(&j, "host", snap->host);
	out_json_int(&j, "pid", pid);
	out_json_count(&j, "start_time", fp.start_time);
	out_json_str(&j, "comm", fp.comm);
	out_json_double(&j, "now_t", nr ? rss[nr - 1].t : NAN);
	out_json_int(&j, "now_ms", nr ? (int64_t)llround(rss[nr - 1].t * 1e3) : snap->sys.wall_ms);
	out_json_double(&j, "rate", sp ? sp->rate : NAN);
	out_json_double(&j, "r2", sp ? sp->r2 : NAN);
	out_json_double(&j, "eta_s", sp ? sp->eta_s : NAN);
	out_json_double(&j, "risk", sp ? sp->risk : NAN);
	json_points(&j, "rss", rss, nr);
	json_points(&j, "anon", anon, na);
	out_json_end(&j);
	out_json_newline(&j);
cleanup:
	free(rss);
	free(anon);
	free(pts);
	return err;
}

int serve_db_mem_series(struct serve_db *db, struct ht_buf *b,
			const struct serve_snap *snap, size_t max_points)
{
	struct ht_store_point *pts = NULL;
	struct ht_point *p = NULL;
	size_t n = 0, from, m = 0;
	struct out_json j;
	int64_t id;

	if (ht_store_series_find(db->st, db->host_id, HT_SYS_MEM_AVAILABLE, "", &id) == 0 &&
	    ht_store_sys_series(db->st, id, 0, snap->sys.wall_ms, 0, &pts, &n))
		return -EIO;
	from = n > max_points ? n - max_points : 0;
	p = malloc((n - from + 1) * sizeof(*p));
	if (!p) {
		free(pts);
		return -ENOMEM;
	}
	for (size_t i = from; i < n; i++)
		p[m++] = (struct ht_point){ pts[i].t_ms / 1e3, pts[i].v };
	out_json_init(&j, b);
	out_json_object(&j, NULL);
	out_json_str(&j, "host", snap->host);
	out_json_double(&j, "now_t", m ? p[m - 1].t : NAN);
	out_json_int(&j, "now_ms", m ? (int64_t)llround(p[m - 1].t * 1e3) : snap->sys.wall_ms);
	out_json_double(&j, "rate", snap->sys.mem_avail_rate);
	out_json_double(&j, "r2", snap->sys.mem_avail_r2);
	out_json_double(&j, "eta_s", snap->sys.mem_eta_s);
	json_points(&j, "available", p, m);
	out_json_end(&j);
	out_json_newline(&j);
	free(p);
	free(pts);
	return 0;
}
