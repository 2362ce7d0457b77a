/* healthtap serve: /metrics for Prometheus, a JSON API and /healthz.
 *
 * One thread samples /proc at the interval (ht_sampler) and publishes an
 * immutable snapshot (serve_snap); libmicrohttpd's threads answer requests
 * by rendering the latest snapshot through the renderer table
 * (serve_render.h), so a request never samples. Only the per-process series
 * endpoints read the sampler itself, under a read lock that the sampling
 * thread takes for writing while it samples.
 *
 * Safe by default: loopback only, GET and HEAD only, bounded connections,
 * request memory and idle time; TLS and basic auth when asked for. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "cli.h"
#include "ht_path.h"
#include "ht_counter.h"
#include "ht_sched.h"
#include "ht_store.h"
#include "serve_db.h"
#include "serve_guard.h"
#include "serve_render.h"
#include "serve_snap.h"

#define DEFAULT_LISTEN "127.0.0.1:9464"
#define DEFAULT_TOP 20
#define MAX_TOP 1000
#define LEAKS_KEPT 256			/* processes ranked for /api/v1/leaks */
#define MAX_PROBE_RECS 2000		/* probe records exported, at most */
#define MAX_SERIES_POINTS 100000
#define MAX_RESPONSE (64u << 20)	/* a render past this is a 500 */
#define MAX_SECRET_FILE 65536
#define MAX_QUERY_ARGS 32		/* more: 414 before libmicrohttpd splits them */
_Static_assert(MAX_QUERY_ARGS == 32, "on_uri's answer says 32");
#define FREE_AUTH_FAILURES 5		/* per address, before the back-off */

struct serve_opts {
	const char *listen;
	const char *db;
	const char *db_host;
	const char *root;
	const char *stream;
	const char *tls_cert, *tls_key;
	const char *auth_file;
	int64_t interval_ms;
	int64_t top;
	int64_t max_conns;
	int64_t max_per_ip;		/* -1: half of max_conns */
	int64_t timeout_s;
	int64_t history;
	int64_t warmup_ms;		/* -1: the sampler's default */
	struct sockaddr_storage addr;	/* parsed --listen */
	socklen_t addrlen;
	int verbose;
};

struct server {
	struct serve_opts o;
	struct ht_sampler *sampler;	/* live mode */
	struct serve_db *db;		/* -d DB */
	pthread_rwlock_t sampler_lock;	/* write: sample/feed/any DB use;
					   read: live series */
	atomic_int last_err;		/* -errno of the latest sample, 0 ok */
	atomic_llong sampling_since_ns;	/* the sample running began; 0 none */

	pthread_mutex_t snap_mu;
	struct serve_snap *snap;	/* latest; NULL before the first */
	struct serve_stats stats;
	uint64_t sample_errors, sample_count;
	double sample_dur_sum;

	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;
	atomic_int stopping;
	pthread_t sampler_thread, feed_thread;
	int have_sampler_thread, have_feed_thread;
	int feed_fd;
	atomic_int feed_done;

	char *auth_token;		/* base64 of "user:password" */
	struct serve_guard *guard;
	char *tls_cert_pem, *tls_key_pem;
	struct MHD_Daemon *daemon;
	atomic_int starting;		/* in MHD_start_daemon: keep its message */
	char start_msg[256];
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap serve [--listen ADDR:PORT] [-d DB] [-i T] [-n N] [options]\n"
		"\n"
		"Serves the host's health over HTTP: /metrics for Prometheus (text\n"
		"format, or OpenMetrics when asked), a JSON API under /api/v1/ and\n"
		"/healthz. One thread samples at the interval; requests read the latest\n"
		"snapshot. Read-only: GET and HEAD only.\n"
		"\n"
		"  -l, --listen ADDR:PORT  address to bind (default " DEFAULT_LISTEN ";\n"
		"                          [::1]:9464 for IPv6; port 0 picks a free one)\n"
		"  -d, --db DB             serve what 'healthtap record' writes to DB\n"
		"                          instead of sampling /proc (read-only)\n"
		"      --db-host NAME      the recorded host to serve (default: this\n"
		"                          host's name, else the newest host in DB)\n"
		"  -i, --interval T        sample every T (default 5s; 500ms, 1m, ...)\n"
		"  -n, --top N             per-process metrics for the N processes with the\n"
		"                          highest leak risk (default %d, at most %d)\n"
		"      --stream FILE       read a health tapset stream from FILE ('-': stdin)\n"
		"                          for probe figures and coverage\n"
		"      --max-connections N at most N connections at once (default 64); at the\n"
		"                          limit the one waiting longest for its request is cut\n"
		"      --max-per-ip N      at most N of them from one address (default:\n"
		"                          half of --max-connections; 0: no limit)\n"
		"      --timeout T         each request and its answer within T (default 10s):\n"
		"                          slow or idle connections are closed\n"
		"      --tls-cert FILE     serve HTTPS with this PEM certificate ...\n"
		"      --tls-key FILE      ... and this PEM private key\n"
		"      --basic-auth FILE   require HTTP basic auth; FILE holds 'user:password'\n"
		"                          (/healthz stays open); 5 failed logins from an\n"
		"                          address: 429 for 1s, doubling up to 1m\n"
		"      --history N         points kept per process (default 512)\n"
		"      --warmup T          no leak risk for a process watched less than T\n"
		"                          (default 60s)\n"
		"      --root DIR          read DIR/proc instead of /proc (for tests)\n"
		"  -v, --verbose           log libmicrohttpd errors to stderr\n"
		"  -h, --help              show this help\n"
		"\n"
		"Endpoints: /metrics /healthz /api/v1/snapshot /api/v1/leaks\n"
		"  /api/v1/processes/PID/series /api/v1/memory/series (see docs/api.md)\n"
		"\n"
		"Examples:\n"
		"  healthtap serve\n"
		"  healthtap serve --listen 0.0.0.0:9464 --basic-auth /etc/healthtap/auth \\\n"
		"      --tls-cert cert.pem --tls-key key.pem\n"
		"  stap -e 'probe health.* {}' | healthtap serve --stream -\n",
		DEFAULT_TOP, MAX_TOP);
}

/* ---- snapshots ---- */

static struct serve_snap *latest_snap(struct server *srv)
{
	struct serve_snap *snap;

	pthread_mutex_lock(&srv->snap_mu);
	snap = serve_snap_get(srv->snap);
	pthread_mutex_unlock(&srv->snap_mu);
	return snap;
}

static void publish(struct server *srv, struct serve_snap *snap)
{
	struct serve_snap *old;

	pthread_mutex_lock(&srv->snap_mu);
	old = srv->snap;
	srv->snap = snap;
	pthread_mutex_unlock(&srv->snap_mu);
	serve_snap_put(old);
}

/* Samples once and publishes a new snapshot. Only the sampling thread (or
 * main before the others start) calls it, so srv->snap is stable here. */
static void sample_once(struct server *srv)
{
	struct serve_snap_opts so = {
		.root = srv->o.root ? srv->o.root : "",
		.keep = (size_t)srv->o.top > LEAKS_KEPT ? (size_t)srv->o.top : LEAKS_KEPT,
		.max_recs = MAX_PROBE_RECS,
	};
	struct serve_snap *snap;
	int64_t t0, t1;
	int err;

	pthread_rwlock_wrlock(&srv->sampler_lock);
	t0 = ht_now_ns();
	atomic_store(&srv->sampling_since_ns, t0);
	if (srv->db) {
		snap = serve_db_snap(srv->db, srv->snap, &so, &err);
		t1 = ht_now_ns();
	} else {
		err = ht_sampler_sample(srv->sampler);
		t1 = ht_now_ns();
		snap = serve_snap_build(srv->sampler, srv->snap, &so);
	}
	pthread_rwlock_unlock(&srv->sampler_lock);
	atomic_store(&srv->sampling_since_ns, 0);
	atomic_store(&srv->last_err, err);
	srv->sample_count++;
	srv->sample_dur_sum += (double)(t1 - t0) / 1e9;
	if (err) {
		srv->sample_errors++;
		if (srv->o.verbose)
			ht_cmd_err("serve", "sample failed: %s", strerror(-err));
	}
	if (!snap) {
		if (!srv->db)
			ht_cmd_err("serve", "cannot build a snapshot: %s", strerror(errno));
		return;
	}
	snap->sample_err = err;
	snap->sample_errors = srv->sample_errors;
	snap->sample_dur_s = (double)(t1 - t0) / 1e9;
	snap->sample_dur_sum_s = srv->sample_dur_sum;
	snap->sample_count = srv->sample_count;
	publish(srv, snap);
}

static int sampler_tick(void *arg, const struct ht_sched_tick *t)
{
	(void)t;
	sample_once(arg);
	return 0;
}

/* Until the deadline or shutdown (server_free() broadcasts stop_cv). */
static void sampler_wait(void *arg, int64_t deadline_ns)
{
	struct server *srv = arg;
	struct timespec ts = { deadline_ns / 1000000000, deadline_ns % 1000000000 };

	pthread_mutex_lock(&srv->stop_mu);
	if (!atomic_load(&srv->stopping))
		pthread_cond_timedwait(&srv->stop_cv, &srv->stop_mu, &ts);
	pthread_mutex_unlock(&srv->stop_mu);
}

static int sampler_should_stop(void *arg)
{
	return atomic_load(&((struct server *)arg)->stopping);
}

/* Samples every interval on ht_sched's schedule (missed ticks skipped,
 * never run in a burst); main took the first sample already. */
static void *sampler_main(void *arg)
{
	struct server *srv = arg;
	struct ht_sched_opts so;

	ht_sched_opts_default(&so);
	so.interval_ns = srv->o.interval_ms * 1000000;
	so.start_delay_ns = so.interval_ns;
	so.ctx = srv;
	so.tick = sampler_tick;
	so.wait = sampler_wait;
	so.should_stop = sampler_should_stop;
	ht_sched_run(&so, NULL);
	return NULL;
}

/* Reads the tapset stream until EOF or shutdown, feeding the sampler. */
static void *feed_main(void *arg)
{
	struct server *srv = arg;
	char buf[16384];

	while (!atomic_load(&srv->stopping)) {
		struct pollfd pfd = { .fd = srv->feed_fd, .events = POLLIN };
		ssize_t n;
		int rc = poll(&pfd, 1, 200);

		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		n = read(srv->feed_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		pthread_rwlock_wrlock(&srv->sampler_lock);
		ht_sampler_feed(srv->sampler, buf, (size_t)n);
		pthread_rwlock_unlock(&srv->sampler_lock);
	}
	atomic_store(&srv->feed_done, 1);
	return NULL;
}

/* ---- HTTP ---- */

struct reply {
	unsigned code;
	const char *type;
	char *body;			/* malloc()ed; NULL: empty */
	size_t len;
	const char *allow;		/* Allow header for 405 */
	unsigned retry_after;		/* Retry-After (s) for 429; 0: none */
	int auth_fail;			/* 401 with WWW-Authenticate */
};

static void reply_text(struct reply *r, unsigned code, const char *text)
{
	r->code = code;
	r->type = "text/plain; charset=utf-8";
	r->body = strdup(text);
	r->len = r->body ? strlen(r->body) : 0;
}

static void reply_buf(struct reply *r, struct ht_buf *b, const char *type)
{
	if (b->failed) {
		ht_buf_free(b);
		reply_text(r, 500, "response too large or out of memory\n");
		return;
	}
	r->code = 200;
	r->type = type;
	r->body = ht_buf_take(b, &r->len);
}

static double self_cpu_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts))
		return NAN;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct serve_view view_of(struct server *srv, const struct serve_snap *snap)
{
	return (struct serve_view){
		.snap = snap, .stats = &srv->stats, .top = (size_t)srv->o.top,
		.self_cpu_s = self_cpu_s(), .interval_s = srv->o.interval_ms / 1e3,
		.mode = srv->o.db ? "db" : "live", .guard = serve_guard_stats(srv->guard),
	};
}

/* Renders one table entry over the latest snapshot. */
static void render(struct server *srv, struct reply *r, const struct serve_renderer *rd)
{
	struct serve_snap *snap = latest_snap(srv);
	struct ht_buf b = { .max = MAX_RESPONSE };
	struct serve_view v;

	if (!snap) {
		reply_text(r, 503, "no sample yet\n");
		return;
	}
	v = view_of(srv, snap);
	rd->render(&b, &v);
	serve_snap_put(snap);
	reply_buf(r, &b, rd->content_type);
}

static void get_metrics(struct server *srv, struct MHD_Connection *c, struct reply *r,
			const char *rest)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	int64_t t0 = ht_now_ns();
	const struct serve_renderer *rd = serve_renderer_for_accept(accept);

	(void)rest;
	render(srv, r, rd);
	if (r->code == 200) {
		/* Counted after the render: a scrape sees the ones before it. */
		if (!strcmp(rd->name, "openmetrics"))
			atomic_fetch_add(&srv->stats.scrapes_om, 1);
		else
			atomic_fetch_add(&srv->stats.scrapes_text, 1);
		atomic_fetch_add(&srv->stats.scrapes, 1);
		atomic_fetch_add(&srv->stats.scrape_ns, (uint64_t)(ht_now_ns() - t0));
	}
}

static void get_healthz(struct server *srv, struct MHD_Connection *c, struct reply *r,
			const char *rest)
{
	struct serve_snap *snap = latest_snap(srv);
	int64_t interval_ns = srv->o.interval_ms * 1000000;
	int64_t age_ns, limit_ns = 3 * interval_ns + 5000000000LL;
	/* A recorder that holds its lock runs, a sample that is running
	 * runs: late on a busy host, not gone. Stuck once this late. */
	int64_t busy_limit_ns = 10 * interval_ns + 60000000000LL;
	int64_t since_ns = atomic_load(&srv->sampling_since_ns);
	char msg[192];
	int err, code = 503;
	long writer;

	(void)c;
	(void)rest;
	if (!snap) {
		reply_text(r, 503, "no sample yet\n");
		return;
	}
	err = atomic_load(&srv->last_err);
	/* Live: when we sampled. DB: when the recorder wrote. */
	age_ns = srv->db ? (ht_wall_ms() - snap->sys.wall_ms) * 1000000 :
			   ht_now_ns() - snap->sys.mono_ns;
	if (err)
		snprintf(msg, sizeof(msg), "latest %s failed: %s\n",
			 srv->db ? "read of the database" : "sample", strerror(-err));
	else if (age_ns <= limit_ns) {
		snprintf(msg, sizeof(msg), "ok\n");
		code = 200;
	} else if (!srv->db && since_ns && age_ns <= busy_limit_ns) {
		snprintf(msg, sizeof(msg), "ok: latest sample is %.1f s old; the next has run %.1f s "
			 "(a busy host)\n", age_ns / 1e9, (ht_now_ns() - since_ns) / 1e9);
		code = 200;
	} else if (!srv->db)
		snprintf(msg, sizeof(msg), "latest sample is %.1f s old\n", age_ns / 1e9);
	else if ((writer = ht_store_writer_pid(srv->o.db)) <= 0)
		snprintf(msg, sizeof(msg), "latest sample is %.1f s old (is healthtap record running?)\n",
			 age_ns / 1e9);
	else if (age_ns <= busy_limit_ns) {
		snprintf(msg, sizeof(msg), "ok: latest sample is %.1f s old; recorder pid %ld runs "
			 "(a busy host)\n", age_ns / 1e9, writer);
		code = 200;
	} else
		snprintf(msg, sizeof(msg), "latest sample is %.1f s old: recorder pid %ld runs but "
			 "writes nothing\n", age_ns / 1e9, writer);
	reply_text(r, code, msg);
	serve_snap_put(snap);
}

static void get_snapshot(struct server *srv, struct MHD_Connection *c, struct reply *r,
			 const char *rest)
{
	(void)c;
	(void)rest;
	render(srv, r, serve_renderer_find("snapshot"));
}

static void get_leaks(struct server *srv, struct MHD_Connection *c, struct reply *r,
		      const char *rest)
{
	(void)c;
	(void)rest;
	render(srv, r, serve_renderer_find("leaks"));
}

/* ?points=N (default 512, at most MAX_SERIES_POINTS); -1 when malformed. */
static int64_t points_arg(struct MHD_Connection *c)
{
	const char *txt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "points");
	int64_t n = 512;

	if (txt && (ht_parse_count(txt, &n) || n == 0))
		return -1;
	return n > MAX_SERIES_POINTS ? MAX_SERIES_POINTS : n;
}

/* A series request: one process's (pid > 0) or the memory series. */
struct series_req {
	pid_t pid;
	int64_t start_time;		/* -1: any */
	size_t points;
};

/* Renders q from the DB (serve -d: its reader is not thread-safe, so a
 * writer's lock) or from the sampler, and replies. */
static void reply_series(struct server *srv, struct reply *r, const struct series_req *q)
{
	struct ht_buf b = { .max = MAX_RESPONSE };
	struct serve_snap *snap = latest_snap(srv);
	int err = 0;

	if (!snap) {
		reply_text(r, 503, "no sample yet\n");
		return;
	}
	if (srv->db) {
		pthread_rwlock_wrlock(&srv->sampler_lock);
		err = q->pid ? serve_db_series(srv->db, &b, snap, q->pid, q->start_time, q->points)
			     : serve_db_mem_series(srv->db, &b, snap, q->points);
	} else {
		pthread_rwlock_rdlock(&srv->sampler_lock);
		if (q->pid)
			err = serve_render_series(&b, srv->sampler, snap, q->pid, q->start_time,
						  q->points);
		else
			serve_render_mem_series(&b, srv->sampler, snap, q->points);
	}
	pthread_rwlock_unlock(&srv->sampler_lock);
	serve_snap_put(snap);
	if (err) {
		ht_buf_free(&b);
		if (err == -ESRCH)
			reply_text(r, 404, "no such process\n");
		else
			reply_text(r, 500, "cannot read the database\n");
		return;
	}
	reply_buf(r, &b, "application/json");
}

static void get_mem_series(struct server *srv, struct MHD_Connection *c, struct reply *r,
			   const char *rest)
{
	int64_t points = points_arg(c);

	(void)rest;
	if (points < 0) {
		reply_text(r, 400, "bad points: want a positive integer\n");
		return;
	}
	reply_series(srv, r, &(struct series_req){ .start_time = -1, .points = (size_t)points });
}

/* rest: "PID/series" */
static void get_proc_series(struct server *srv, struct MHD_Connection *c, struct reply *r,
			    const char *rest)
{
	const char *st_txt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "start_time");
	int64_t points = points_arg(c), start_time = -1;
	char *end;
	long pid;

	errno = 0;
	pid = strtol(rest, &end, 10);
	if (end == rest || *rest == '-' || *rest == '+' || errno || pid <= 0 || pid > 0x3fffffff) {
		reply_text(r, 404, "not found: want /api/v1/processes/PID/series\n");
		return;
	}
	if (strcmp(end, "/series")) {
		reply_text(r, 404, "not found: want /api/v1/processes/PID/series\n");
		return;
	}
	if (points < 0 || (st_txt && ht_parse_count(st_txt, &start_time))) {
		reply_text(r, 400, "bad query: points and start_time are non-negative integers\n");
		return;
	}
	reply_series(srv, r, &(struct series_req){ (pid_t)pid, start_time, (size_t)points });
}

static void get_api_index(struct server *srv, struct MHD_Connection *c, struct reply *r,
			  const char *rest)
{
	(void)srv;
	(void)c;
	(void)rest;
	reply_text(r, 200,
		   "{\"endpoints\":[\"/api/v1/snapshot\",\"/api/v1/leaks\","
		   "\"/api/v1/processes/{pid}/series\",\"/api/v1/memory/series\"]}\n");
	r->type = "application/json";
}

static void get_index(struct server *srv, struct MHD_Connection *c, struct reply *r,
		      const char *rest)
{
	(void)srv;
	(void)c;
	(void)rest;
	reply_text(r, 200,
		   "healthtap serve\n\n"
		   "/metrics                       Prometheus text format or OpenMetrics\n"
		   "/healthz                       200 ok while sampling works\n"
		   "/api/v1/snapshot               the latest snapshot (JSON)\n"
		   "/api/v1/leaks                  processes with a leak risk (JSON)\n"
		   "/api/v1/processes/PID/series   RSS and anon history of one process\n"
		   "/api/v1/memory/series          MemAvailable history\n");
}

static const struct route {
	const char *path;
	int prefix;			/* path is a prefix; the rest is passed on */
	int open;			/* no auth needed */
	void (*get)(struct server *srv, struct MHD_Connection *c, struct reply *r,
		    const char *rest);
} routes[] = {
	{ "/metrics", 0, 0, get_metrics },
	{ "/healthz", 0, 1, get_healthz },
	{ "/api/v1/snapshot", 0, 0, get_snapshot },
	{ "/api/v1/leaks", 0, 0, get_leaks },
	{ "/api/v1/memory/series", 0, 0, get_mem_series },
	{ "/api/v1/processes/", 1, 0, get_proc_series },
	{ "/api/v1", 0, 0, get_api_index },
	{ "/api/v1/", 0, 0, get_api_index },
	{ "/", 0, 0, get_index },
};

static const struct route *route_of(const char *url, const char **rest)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		size_t n = strlen(routes[i].path);

		if (routes[i].prefix ? !strncmp(url, routes[i].path, n) : !strcmp(url, routes[i].path)) {
			*rest = url + n;
			return &routes[i];
		}
	}
	return NULL;
}

/* Compares in time independent of where the strings differ. */
static int same_secret(const char *a, size_t la, const char *b)
{
	size_t lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

/* "Authorization: Basic TOKEN": the scheme in any case (RFC 7235 2.1), then
 * exactly the token of the configured "user:password". Comparing the
 * token, not decoded text, makes it byte-exact: "password\0junk" or
 * another encoding of a prefix is another token. Returns 1 right, 0 wrong,
 * -1 no Authorization header (not a guess: not counted). */
static int credentials_ok(struct server *srv, struct MHD_Connection *c)
{
	const char *v = NULL;
	size_t len = 0, n;

	if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION,
					  strlen(MHD_HTTP_HEADER_AUTHORIZATION), &v, &len) != MHD_YES ||
	    !v)
		return -1;
	if (strlen(v) != len || len < 6 || strncasecmp(v, "Basic ", 6))
		return 0;
	n = strspn(v + 5, " ") + 5;
	return same_secret(v + n, len - n, srv->auth_token);
}

static const struct sockaddr *client_addr(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return ci ? ci->client_addr : NULL;
}

/* Basic auth, with the failed-login back-off. Returns 0 to go on, else 1
 * with the reply (401, or 429 while the address backs off) set. */
static int refuse_auth(struct server *srv, struct MHD_Connection *c, struct reply *r)
{
	const struct sockaddr *addr = client_addr(c);
	unsigned retry = 0;
	int ok;

	if (!srv->auth_token)
		return 0;
	if (serve_guard_auth_refused(srv->guard, addr, &retry)) {
		reply_text(r, 429, "too many failed logins from this address: try again later\n");
		r->retry_after = retry;
		return 1;
	}
	ok = credentials_ok(srv, c);
	if (ok >= 0)
		serve_guard_auth_result(srv->guard, addr, ok);
	if (ok == 1)
		return 0;
	reply_text(r, 401, "authorization required\n");
	r->auth_fail = 1;
	return 1;
}

static struct serve_guard_conn *guard_conn(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static enum MHD_Result send_reply(struct server *srv, struct MHD_Connection *c,
				  struct reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char retry[16];

	resp = MHD_create_response_from_buffer(r->len, r->body ? r->body : "",
					       r->body ? MHD_RESPMEM_MUST_FREE :
							 MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(r->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->retry_after) {
		snprintf(retry, sizeof(retry), "%u", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	if (r->auth_fail)
		ret = MHD_queue_basic_auth_fail_response(c, "healthtap", resp);
	else
		ret = MHD_queue_response(c, r->code, resp);
	MHD_destroy_response(resp);
	serve_stats_count(&srv->stats, r->code);
	return ret;
}

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	int *n = cls;

	(void)kind;
	(void)value;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		(*n)++;
	return MHD_YES;
}

/* A GET or HEAD carries no body: one announced (Content-Length other than
 * 0, any Transfer-Encoding, or two Content-Lengths, the smuggling case) makes
 * the request malformed here. */
static int has_body(struct MHD_Connection *c)
{
	const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);
	int n = 0;

	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return 1;
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, &n);
	return n > 1 || (len && strcmp(len, "0"));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct server *srv = cls;
	struct reply r = { 0 };
	const struct route *rt;
	const char *rest = "";
	int first = !*req_cls;

	(void)version;
	(void)upload_data;
	*req_cls = srv;
	if (first)
		serve_guard_answering(srv->guard, guard_conn(c));
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		/* Answer at once, which closes the connection: a body, if any, is
		 * never read into memory. */
		if (!first)
			return MHD_NO;
		*upload_size = 0;
		reply_text(&r, 405, "method not allowed: healthtap serve is read-only\n");
		r.allow = "GET, HEAD";
		return send_reply(srv, c, &r);
	}
	if (first && has_body(c)) {
		reply_text(&r, 400, "bad request: GET and HEAD take no body\n");
		return send_reply(srv, c, &r);
	}
	/* Answered in the second call: libmicrohttpd closes a connection that
	 * is answered in the first, and keep-alive is what scrapers use. */
	if (first)
		return MHD_YES;
	if (*upload_size) {		/* a body after all: drop it */
		*upload_size = 0;
		return MHD_YES;
	}
	rt = route_of(url, &rest);
	if (rt && !rt->open && refuse_auth(srv, c, &r))
		return send_reply(srv, c, &r);
	if (!rt)
		reply_text(&r, 404, "not found\n");
	else
		rt->get(srv, c, &r, rest);
	if (!r.type)
		reply_text(&r, 500, "internal error\n");
	return send_reply(srv, c, &r);
}

/* libmicrohttpd's connection events: the guard follows every connection. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? serve_guard_open(srv->guard, ci->connect_fd) : NULL;
	} else {
		serve_guard_close(srv->guard, *socket_context);
		*socket_context = NULL;
	}
}

/* An answer is sent (or the request failed): the next exchange starts. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;

	(void)req_cls;
	(void)toe;
	serve_guard_next(srv->guard, guard_conn(c));
}

/* Called with the request line, before libmicrohttpd splits the query.
 * libmicrohttpd 0.9.75 runs out of connection memory at a few hundred
 * arguments and then hangs until the timeout instead of answering; so past
 * MAX_QUERY_ARGS the answer is written here, and the connection cut (over
 * TLS it is only cut: the TLS session is libmicrohttpd's). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	static const char too_many[] =
		"HTTP/1.1 414 URI Too Long\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Length: 38\r\n"
		"Connection: close\r\n\r\n"
		"too many query arguments (at most 32)\n";
	struct server *srv = cls;
	const char *q = strchr(uri, '?');
	const union MHD_ConnectionInfo *ci;
	size_t args = 1;

	if (!q)
		return NULL;
	for (; *q && args <= MAX_QUERY_ARGS; q++)
		args += *q == '&';
	if (args <= MAX_QUERY_ARGS)
		return NULL;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return NULL;
	if (!srv->tls_cert_pem &&
	    send(ci->connect_fd, too_many, sizeof(too_many) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
		serve_stats_count(&srv->stats, 414);
	shutdown(ci->connect_fd, SHUT_RDWR);
	return NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *srv = cls;

	if (atomic_load(&srv->starting)) {	/* main thread, in MHD_start_daemon */
		size_t n = strlen(srv->start_msg);

		/* Every message, the first (the cause) first. */
		if (n && n + 2 < sizeof(srv->start_msg))
			n += (size_t)snprintf(srv->start_msg + n, sizeof(srv->start_msg) - n, "; ");
		if (n < sizeof(srv->start_msg))
			vsnprintf(srv->start_msg + n, sizeof(srv->start_msg) - n, fmt, ap);
		srv->start_msg[strcspn(srv->start_msg, "\n")] = '\0';
		return;
	}
	if (!srv->o.verbose)
		return;
	ht_cmd_verr("serve", fmt, ap);	/* it may quote a client's bytes */
}

/* ---- setup ---- */

/* Reads a small file into a NUL-terminated string. */
static int slurp(const char *path, char **out)
{
	long n = ht_read_file_alloc(path, MAX_SECRET_FILE, MAX_SECRET_FILE, out);

	return n < 0 ? (int)n : 0;
}

/* Standard base64 with padding (RFC 4648 4), as clients send basic auth. */
static char *base64(const unsigned char *in, size_t n)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);

		*o++ = digits[v >> 18 & 63];
		*o++ = digits[v >> 12 & 63];
		*o++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? digits[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

static int load_auth(struct server *srv, const char *path)
{
	char *text, *colon, *nl;
	int err = slurp(path, &text);

	if (err) {
		ht_cmd_err("serve", "cannot read %s: %s", path, strerror(-err));
		return -1;
	}
	nl = strpbrk(text, "\r\n");
	if (nl)
		*nl = '\0';
	colon = strchr(text, ':');
	if (!colon || colon == text || !colon[1]) {
		ht_cmd_err("serve", "bad %s: want one line 'user:password'", path);
		free(text);
		return -1;
	}
	srv->auth_token = base64((const unsigned char *)text, strlen(text));
	memset(text, 0, strlen(text));
	free(text);
	return srv->auth_token ? 0 : -1;
}

/* "HOST:PORT", "[V6]:PORT". Fills ss; returns 0 or -1 (message printed). */
static int parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[256], *port;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc;

	if (strlen(text) >= sizeof(host))
		return -1;
	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':')
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(close - text - 1), text + 1);
		port = (char *)close + 2;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon)
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
		port = (char *)colon + 1;
	}
	if (!host[0] || !port[0] || strspn(port, "0123456789") != strlen(port) ||
	    atol(port) > 65535)
		return -1;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc || !res) {
		ht_cmd_err("serve", "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Binds and listens here rather than in libmicrohttpd, which only says
 * that it could not start: this says why. Returns the socket, or -1 with
 * the message printed. */
static int open_listener(const struct serve_opts *o)
{
	int fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	const char *why;

	if (fd < 0) {
		ht_cmd_err("serve", "cannot listen on %s: %s", o->listen, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (o->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addrlen) == 0 && listen(fd, 128) == 0)
		return fd;
	switch (errno) {
	case EADDRINUSE:
		why = "the address is in use (another healthtap serve?)";
		break;
	case EACCES:
		why = "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
		break;
	case EADDRNOTAVAIL:
		why = "no interface of this host has that address";
		break;
	default:
		why = strerror(errno);
	}
	ht_cmd_err("serve", "cannot listen on %s: %s", o->listen, why);
	close(fd);
	return -1;
}

static int start_daemon(struct server *srv)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	char host[NI_MAXHOST], port[NI_MAXSERV];
	struct MHD_OptionItem opts[20];
	size_t n = 0;
	int64_t per_ip = srv->o.max_per_ip >= 0 ? srv->o.max_per_ip :
			 (srv->o.max_conns + 1) / 2;
	int fd = open_listener(&srv->o);

	if (fd < 0)
		return -1;
	if (srv->o.addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (srv->tls_cert_pem) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			ht_cmd_err("serve", "this libmicrohttpd has no TLS support");
			close(fd);
			return -1;
		}
		flags |= MHD_USE_TLS;
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, fd, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, srv->o.max_conns, NULL };
	if (per_ip > 0)
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, NULL };
	/* Idle time; the guard bounds each whole exchange to the same. */
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, srv->o.timeout_s, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_POOL_SIZE, 2, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, srv };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, srv };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, srv };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	atomic_store(&srv->starting, 1);
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv,
				       MHD_OPTION_EXTERNAL_LOGGER, mhd_log, srv,
				       MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	atomic_store(&srv->starting, 0);
	if (!srv->daemon) {
		/* The socket listens: what failed is TLS, or resources. fd is left
		 * as it is (libmicrohttpd may have closed it); we exit. */
		if (srv->tls_cert_pem)
			ht_cmd_err("serve", "cannot start HTTPS with %s and %s: %s", srv->o.tls_cert,
			       srv->o.tls_key, srv->start_msg[0] ? srv->start_msg :
			       "is the key the certificate's, both in PEM?");
		else
			ht_cmd_err("serve", "cannot start the HTTP server: %s",
			       srv->start_msg[0] ? srv->start_msg : strerror(errno));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) ||
	    getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		strcpy(host, "?");
		strcpy(port, "?");
	}
	ht_cmd_err("serve", "listening on %s://%s%s%s:%s/",
		   srv->tls_cert_pem ? "https" : "http", ss.ss_family == AF_INET6 ? "[" : "",
		   host, ss.ss_family == AF_INET6 ? "]" : "", port);
	return 0;
}

static int parse_opts(int argc, char **argv, struct serve_opts *o)
{
	enum { OPT_STREAM = 256, OPT_MAXCONN, OPT_TIMEOUT, OPT_CERT, OPT_KEY, OPT_AUTH,
	       OPT_HISTORY, OPT_ROOT, OPT_WARMUP, OPT_PERIP, OPT_DBHOST };
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "db-host", required_argument, NULL, OPT_DBHOST },
		{ "interval", required_argument, NULL, 'i' },
		{ "top", required_argument, NULL, 'n' },
		{ "stream", required_argument, NULL, OPT_STREAM },
		{ "max-connections", required_argument, NULL, OPT_MAXCONN },
		{ "max-per-ip", required_argument, NULL, OPT_PERIP },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "tls-cert", required_argument, NULL, OPT_CERT },
		{ "tls-key", required_argument, NULL, OPT_KEY },
		{ "basic-auth", required_argument, NULL, OPT_AUTH },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;
	int64_t ms;

	*o = (struct serve_opts){
		.listen = DEFAULT_LISTEN, .interval_ms = 5000, .top = DEFAULT_TOP,
		.max_conns = 64, .max_per_ip = -1, .timeout_s = 10, .history = 512,
		.warmup_ms = -1,
	};
	optind = 1;
	while ((c = getopt_long(argc, argv, "l:d:i:n:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'd':
			o->db = optarg;
			break;
		case 'i':
			if ((rc = ht_opt_duration("serve", "-i", optarg, 10, HT_MAX_INTERVAL_MS,
						  &o->interval_ms)))
				return rc;
			break;
		case 'n':
			if ((rc = ht_opt_count("serve", "--top", optarg, 0, MAX_TOP, &o->top)))
				return rc;
			break;
		case OPT_DBHOST:
			o->db_host = optarg;
			break;
		case OPT_STREAM:
			o->stream = optarg;
			break;
		case OPT_MAXCONN:
			if ((rc = ht_opt_count("serve", "--max-connections", optarg, 1, 10000,
					       &o->max_conns)))
				return rc;
			break;
		case OPT_PERIP:
			if ((rc = ht_opt_count("serve", "--max-per-ip", optarg, 0, 10000,
					       &o->max_per_ip)))
				return rc;
			break;
		case OPT_TIMEOUT:
			if ((rc = ht_opt_duration("serve", "--timeout", optarg, 1000, 3600000, &ms)))
				return rc;
			o->timeout_s = (ms + 999) / 1000;
			break;
		case OPT_CERT:
			o->tls_cert = optarg;
			break;
		case OPT_KEY:
			o->tls_key = optarg;
			break;
		case OPT_AUTH:
			o->auth_file = optarg;
			break;
		case OPT_HISTORY:
			if ((rc = ht_opt_count("serve", "--history", optarg, 3, 1000000, &o->history)))
				return rc;
			break;
		case OPT_WARMUP:
			if ((rc = ht_opt_duration("serve", "--warmup", optarg, 0, 7 * HT_MAX_INTERVAL_MS,
						  &o->warmup_ms)))
				return rc;
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return ht_usage_error("serve", "unknown option");
		}
	}
	if (optind < argc)
		return ht_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	if (o->db && (o->stream || o->root))
		return ht_usage_error("serve", "-d DB reads a recording: no --stream or --root");
	if (o->db_host && !o->db)
		return ht_usage_error("serve", "--db-host goes with -d DB");
	if (!o->tls_cert != !o->tls_key)
		return ht_usage_error("serve", "--tls-cert and --tls-key go together");
	if (parse_listen(o->listen, &o->addr, &o->addrlen))
		return ht_usage_error("serve", "bad listen address '%s': want ADDR:PORT or [V6]:PORT",
				      o->listen);
	return 0;
}

static void server_free(struct server *srv)
{
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	serve_guard_free(srv->guard);	/* after: every connection is closed */
	atomic_store(&srv->stopping, 1);
	pthread_mutex_lock(&srv->stop_mu);
	pthread_cond_broadcast(&srv->stop_cv);
	pthread_mutex_unlock(&srv->stop_mu);
	if (srv->have_sampler_thread)
		pthread_join(srv->sampler_thread, NULL);
	if (srv->have_feed_thread)
		pthread_join(srv->feed_thread, NULL);
	if (srv->feed_fd >= 0)
		close(srv->feed_fd);
	serve_snap_put(srv->snap);
	ht_sampler_free(srv->sampler);
	serve_db_close(srv->db);
	if (srv->auth_token) {
		memset(srv->auth_token, 0, strlen(srv->auth_token));
		free(srv->auth_token);
	}
	free(srv->tls_cert_pem);
	if (srv->tls_key_pem) {
		memset(srv->tls_key_pem, 0, strlen(srv->tls_key_pem));
		free(srv->tls_key_pem);
	}
	pthread_rwlock_destroy(&srv->sampler_lock);
	pthread_mutex_destroy(&srv->snap_mu);
	pthread_mutex_destroy(&srv->stop_mu);
	pthread_cond_destroy(&srv->stop_cv);
}

static int setup(struct server *srv)
{
	struct ht_sampler_opts so;
	pthread_condattr_t ca;
	int err;

	pthread_rwlock_init(&srv->sampler_lock, NULL);
	pthread_mutex_init(&srv->snap_mu, NULL);
	pthread_mutex_init(&srv->stop_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&srv->stop_cv, &ca);
	pthread_condattr_destroy(&ca);
	srv->stats.start_wall_ms = ht_wall_ms();
	srv->feed_fd = -1;

	if (srv->o.auth_file && load_auth(srv, srv->o.auth_file))
		return -1;
	srv->guard = serve_guard_new(&(struct serve_guard_opts){
		.deadline_ns = srv->o.timeout_s * 1000000000LL,
		.max_conns = (size_t)srv->o.max_conns, .free_failures = FREE_AUTH_FAILURES,
	});
	if (!srv->guard) {
		ht_cmd_err("serve", "cannot start the connection guard: %s", strerror(errno));
		return -1;
	}
	if (srv->o.tls_cert) {
		if ((err = slurp(srv->o.tls_cert, &srv->tls_cert_pem)) ||
		    (err = slurp(srv->o.tls_key, &srv->tls_key_pem))) {
			ht_cmd_err("serve", "cannot read the TLS %s: %s",
			       srv->tls_cert_pem ? "key" : "certificate", strerror(-err));
			return -1;
		}
	}
	if (srv->o.stream) {
		srv->feed_fd = strcmp(srv->o.stream, "-") ? open(srv->o.stream, O_RDONLY | O_CLOEXEC)
							   : dup(0);
		if (srv->feed_fd < 0) {
			ht_cmd_err("serve", "cannot open %s: %s", srv->o.stream, strerror(errno));
			return -1;
		}
	}
	if (srv->o.db) {
		char msg[256] = "";

		/* A recorder that has just created the file may not have
		 * committed its schema yet (serve started beside it on a busy
		 * host): while it holds the lock, try again for 10 s. */
		for (int tries = 0;; tries++) {
			err = serve_db_open(srv->o.db, srv->o.db_host,
					    srv->o.warmup_ms >= 0 ? srv->o.warmup_ms / 1e3 : -1,
					    &srv->db, msg, sizeof(msg));
			if (err != -EPROTO || tries >= 100 || ht_store_writer_pid(srv->o.db) <= 0)
				break;
			nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
		}
		if (err) {
			ht_cmd_err("serve", "%s", msg[0] ? msg : strerror(-err));
			return -1;
		}
		sample_once(srv);
		err = atomic_load(&srv->last_err);
		if (err && err != -ENOENT) {
			ht_cmd_err("serve", "cannot read %s: %s", srv->o.db, strerror(-err));
			return -1;
		}
		if (err == -ENOENT)
			ht_cmd_err("serve", "%s has no samples%s%s yet: /healthz says 503 until it has",
			       srv->o.db, srv->o.db_host ? " of host " : "",
			       srv->o.db_host ? srv->o.db_host : "");
		return 0;
	}
	ht_sampler_opts_default(&so);
	so.root = srv->o.root;
	so.cgroups = 1;		/* /metrics labels every process with its cgroup */
	so.history = (size_t)srv->o.history;
	if (srv->o.warmup_ms >= 0)
		so.warmup_s = srv->o.warmup_ms / 1e3;
	srv->sampler = ht_sampler_new(&so);
	if (!srv->sampler) {
		ht_cmd_err("serve", "cannot create the sampler: %s", strerror(errno));
		return -1;
	}
	/* The first snapshot before the first request can come in. */
	sample_once(srv);
	if (srv->snap && srv->snap->sample_err) {
		ht_cmd_err("serve", "cannot sample %s/proc: %s", srv->o.root ? srv->o.root : "",
		       strerror(-srv->snap->sample_err));
		return -1;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct server srv = { 0 };
	sigset_t set;
	int sig = 0, rc;

	rc = parse_opts(argc, argv, &srv.o);
	if (rc)
		return rc < 0 ? 0 : rc;
	/* Threads started from here on inherit the blocked set; main waits. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (setup(&srv))
		goto fail;
	if (pthread_create(&srv.sampler_thread, NULL, sampler_main, &srv)) {
		ht_cmd_err("serve", "cannot start the sampling thread");
		goto fail;
	}
	srv.have_sampler_thread = 1;
	if (srv.feed_fd >= 0) {
		if (pthread_create(&srv.feed_thread, NULL, feed_main, &srv)) {
			ht_cmd_err("serve", "cannot start the stream thread");
			goto fail;
		}
		srv.have_feed_thread = 1;
	}
	if (start_daemon(&srv))
		goto fail;
	while (sigwait(&set, &sig) != 0)
		;
	if (srv.o.verbose)
		ht_cmd_err("serve", "%s, stopping", strsignal(sig));
	server_free(&srv);
	ht_cmd_err("serve", "stopped");
	return 0;
fail:
	server_free(&srv);
	return 1;
}

HT_COMMAND(serve, cmd_serve, "serve /metrics and a JSON API over HTTP", 40)
