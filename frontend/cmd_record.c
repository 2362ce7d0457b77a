/* healthtap record: sample /proc (and the health tapset, when stap runs
 * here) every interval into the SQLite history (ht_store.h).
 *
 * One loop: poll the tapset child's pipes until the next tick; on a tick,
 * sample through the sampler, put every process and system figure and the
 * tapset's latest batches into the store, flush. A flush that fails (disk
 * full) keeps everything queued and is retried on the next tick. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "ht_counter.h"
#include "ht_protocol.h"
#include "ht_sampler.h"
#include "ht_store.h"
#include "ht_stream.h"
#include "ht_supervisor.h"

#define MAINTAIN_EVERY_NS (600LL * 1000000000)
#define PROGRESS_EVERY_NS (60LL * 1000000000)

static volatile sig_atomic_t stop_sig, hup;

static void on_stop(int sig) { stop_sig = sig; }
static void on_hup(int sig) { (void)sig; hup = 1; }

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap record [-i INTERVAL] [-d DB] [--stap auto|on|off]\n"
		"                        [--for DURATION] [--retention AGE] [--max-size SIZE]\n"
		"                        [--downsample SPEC] [-q | -v]\n"
		"\n"
		"Samples every process and the system files every INTERVAL into a SQLite\n"
		"history (docs/schema.md), with the health tapset's records when stap can\n"
		"run here. Runs until SIGTERM or SIGINT (it flushes, then exits); SIGHUP\n"
		"reopens the database.\n"
		"\n"
		"  -i, --interval T      sample every T (default 5s; 500ms, 1m, ...)\n"
		"  -d, --db FILE         the database (default /var/lib/healthtap/healthtap.db\n"
		"                        as root, else $XDG_STATE_HOME/healthtap/healthtap.db,\n"
		"                        ~/.local/state when XDG_STATE_HOME is unset)\n"
		"      --stap MODE       auto (default): run the tapset when stap is installed\n"
		"                        and can run here; on: it must; off: /proc only.\n"
		"                        The command is \"stap -e 'probe health.* {}'\" (with\n"
		"                        --runtime=bpf on a kernel without modules, -I\n"
		"                        $HEALTHTAP_TAPSET when set), or $HEALTHTAP_STAP_CMD\n"
		"      --for DURATION    stop after DURATION (30s, 2h, 7d)\n"
		"      --retention AGE   delete history older than AGE (default: keep)\n"
		"      --max-size SIZE   delete the oldest history beyond SIZE (500M, 2G)\n"
		"      --downsample SPEC when samples become min/avg/max buckets:\n"
		"                        RAWKEEP:SPAN1,KEEP1:SPAN2 (default 1d:1m,7d:10m),\n"
		"                        or 'off'\n"
		"      --host NAME       host name stored (default: this host's)\n"
		"      --root DIR        read DIR/proc instead of /proc (for tests)\n"
		"  -q, --quiet           errors only on standard error\n"
		"  -v, --verbose         a progress line every interval (default: a minute)\n"
		"  -h, --help            show this help\n"
		"\n"
		"Examples:\n"
		"  healthtap record\n"
		"  healthtap record -i 1s -d /tmp/h.db --for 10m --stap off\n"
		"  systemctl enable --now healthtap-record   # scripts/healthtap-record.service\n"
		"\n"
		"Exit status: 0 stopped cleanly, 1 runtime error (another recorder holds\n"
		"the database, or the last samples could not be written), 2 usage error.\n");
}

static int parse_size(const char *text, int64_t *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || v < 0)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': v *= 1024; end++; break;
	case 'm': case 'M': v *= 1024 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	default: return -EINVAL;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -EINVAL;
	*out = (int64_t)v;
	return 0;
}

/* "1d:1m,7d:10m" or "off". */
static int parse_downsample(const char *text, struct ht_store_opts *o)
{
	char buf[128], *a, *b, *c, *d;

	if (!strcmp(text, "off")) {
		o->raw_keep_ms = o->bucket1_keep_ms = -1;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", text);
	a = buf;
	b = strchr(a, ':');
	if (!b)
		return -EINVAL;
	*b++ = '\0';
	c = strchr(b, ',');
	if (c) {
		*c++ = '\0';
		d = strchr(c, ':');
		if (!d)
			return -EINVAL;
		*d++ = '\0';
		if (ht_parse_duration_ms(c, &o->bucket1_keep_ms) ||
		    ht_parse_duration_ms(d, &o->bucket2_ms) || o->bucket2_ms <= 0)
			return -EINVAL;
	} else {
		o->bucket1_keep_ms = -1;
	}
	if (ht_parse_duration_ms(a, &o->raw_keep_ms) || ht_parse_duration_ms(b, &o->bucket1_ms) ||
	    o->bucket1_ms <= 0)
		return -EINVAL;
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

struct recorder {
	struct ht_store *store;
	struct ht_sampler *sampler;
	struct ht_supervisor *sv;
	struct ht_stream *stream;	/* the child's stream, for the store */
	int64_t stream_base_ms;		/* wall ms of stream time 0; -1 unknown */
	const char *db;
	int verbose, quiet;
	uint64_t last_batches[HT_SUBSYS_COUNT];
	uint64_t ticks, probe_rows;
	int failing;			/* flushes failing since this time */
	int64_t fail_since_ns, last_fail_msg_ns;
};

static void note(const struct recorder *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(const struct recorder *r, const char *fmt, ...)
{
	va_list ap;

	if (r->quiet)
		return;
	va_start(ap, fmt);
	ht_cmd_verr("record", fmt, ap);
	va_end(ap);
}

/* Errors: always printed, as "healthtap record: ...". */
static void rec_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void rec_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ht_cmd_verr("record", fmt, ap);
	va_end(ap);
}

static const char *const softirq_names[HT_SOFTIRQ_VECTORS] = {
	"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED",
	"HRTIMER", "RCU",
};

static double round2(double v)
{
	return isfinite(v) ? round(v * 100.0) / 100.0 : NAN;
}

static double num(int64_t v)
{
	return v < 0 ? NAN : (double)v;
}

static void put_system(struct recorder *r, int64_t t, const struct ht_sys_snapshot *s)
{
	struct ht_store *st = r->store;
	char lab[64];

	ht_store_put_sys(st, t, HT_SYS_MEM_AVAILABLE, "", "B", num(s->mem_available));
	ht_store_put_sys(st, t, HT_SYS_MEM_TOTAL, "", "B", num(s->mem_total));
	ht_store_put_sys(st, t, HT_SYS_SWAP_FREE, "", "B", num(s->swap_free));
	ht_store_put_sys(st, t, HT_SYS_CPU_BUSY, "", "%", round2(s->cpu_busy_pct));
	ht_store_put_sys(st, t, HT_SYS_CTXT_RATE, "", "1/s", round2(s->ctxt_rate));
	ht_store_put_sys(st, t, HT_SYS_INTR_RATE, "", "1/s", round2(s->intr_rate));
	ht_store_put_sys(st, t, HT_SYS_SOFTIRQ_RATE, "", "1/s", round2(s->softirq_rate));
	for (int i = 0; i < HT_SOFTIRQ_VECTORS; i++) {
		snprintf(lab, sizeof(lab), "vec=%s", softirq_names[i]);
		ht_store_put_sys(st, t, HT_SYS_SOFTIRQ_RATE, lab, "1/s", round2(s->softirq_vec_rate[i]));
	}
	ht_store_put_sys(st, t, HT_SYS_FORK_RATE, "", "1/s", round2(s->fork_rate));
	ht_store_put_sys(st, t, HT_SYS_PGMAJFAULT_RATE, "", "1/s", round2(s->pgmajfault_rate));
	ht_store_put_sys(st, t, "procs_running", "", "1", num(s->procs_running));
	ht_store_put_sys(st, t, "procs_blocked", "", "1", num(s->procs_blocked));
	ht_store_put_sys(st, t, "oom_kills", "", "1", num(s->oom_kills));
	ht_store_put_sys(st, t, HT_SYS_PSI, "res=cpu,kind=some", "%", s->psi_cpu_some);
	ht_store_put_sys(st, t, HT_SYS_PSI, "res=memory,kind=some", "%", s->psi_mem_some);
	ht_store_put_sys(st, t, HT_SYS_PSI, "res=memory,kind=full", "%", s->psi_mem_full);
	ht_store_put_sys(st, t, HT_SYS_PSI, "res=io,kind=some", "%", s->psi_io_some);
	ht_store_put_sys(st, t, HT_SYS_PSI, "res=io,kind=full", "%", s->psi_io_full);
}

/* Stores one tapset record at t (wall ms). */
static void put_probe(struct recorder *r, int64_t t, enum ht_subsys sub,
		      const struct ht_record_kind *k, const char *labels, int64_t value)
{
	const char *pl = strstr(labels, "pid=");
	char full[128];

	snprintf(full, sizeof(full), "probe.%s.%s", ht_subsys_name(sub), k->name);
	/* per-process records (top N) go with their process, not a series */
	if (pl && (pl == labels || pl[-1] == ' ')) {
		long pid = strtol(pl + 4, NULL, 10);
		int err = pid > 0 ? ht_store_put_proc_probe(r->store, t, (pid_t)pid, full, value)
			: -ENOENT;
		if (err == -ENOENT && k->kind == HT_EVENT) {
			/* an exit or OOM kill of a process already gone */
			char text[1200];
			snprintf(text, sizeof(text), "%s %" PRId64 " %s", full, value, labels);
			err = ht_store_put_event(r->store, t, "probe", text);
		}
		if (err == 0)
			r->probe_rows++;
		return;
	}
	if (ht_store_put_sys(r->store, t, full, labels, k->unit, (double)value) == 0)
		r->probe_rows++;
}

/* Every record of the child's stream, as it arrives: the sampler keeps
 * only each subsystem's latest batch, and the tapset reports more often
 * than the recorder samples. Stream times are placed on the wall clock by
 * the first record's arrival (the bpf runtime's start_ms is monotonic). */
static int on_stream_record(void *ctx, const struct ht_record *rec)
{
	struct recorder *r = ctx;

	if (r->stream_base_ms < 0)
		r->stream_base_ms = ht_wall_ms() - rec->t_ms;
	if (rec->kind->kind != HT_MARK)
		put_probe(r, r->stream_base_ms + rec->t_ms, rec->subsys, rec->kind, rec->labels,
			  rec->value);
	return 0;
}

static int new_stream(struct recorder *r)
{
	ht_stream_free(r->stream);
	r->stream_base_ms = -1;
	r->stream = ht_stream_new(on_stream_record, NULL, r);
	return r->stream ? 0 : -ENOMEM;
}

/* The sampler's probe coverage, once per new sched batch. */
static void put_coverage(struct recorder *r, int64_t t)
{
	const struct ht_probe_status *ps = ht_sampler_probe_status(r->sampler);

	if (ps->batches[HT_SUBSYS_SCHED] == r->last_batches[HT_SUBSYS_SCHED])
		return;
	r->last_batches[HT_SUBSYS_SCHED] = ps->batches[HT_SUBSYS_SCHED];
	if (isfinite(ps->sched_coverage))
		ht_store_put_sys(r->store, t, HT_SYS_PROBE_COVERAGE, "", "1",
				 round(ps->sched_coverage * 1000) / 1000);
}

static void put_procs(struct recorder *r, int64_t t)
{
	struct ht_proctable *tab = ht_sampler_table(r->sampler);
	size_t n = ht_sampler_nprocs(r->sampler);

	for (size_t i = 0; i < n; i++) {
		const struct ht_proc_view *v = ht_sampler_proc(r->sampler, i);
		const struct ht_proc *p = v->proc;
		struct ht_store_proc_in in = {
			.pid = p->pid, .start_time = p->start_time, .comm = p->comm,
			.rss = p->rss, .anon = p->anon,
		};
		if (p->flags & HT_PROC_NEW)
			in.cmdline = ht_proctable_cmdline(tab, p);
		ht_store_put_proc(r->store, t, &in);
	}
}

static int flush(struct recorder *r, int64_t t, int64_t now_ns)
{
	size_t pending = ht_store_pending(r->store);
	int err = ht_store_flush(r->store, t);

	if (err) {
		if (!r->failing) {
			r->failing = 1;
			r->fail_since_ns = r->last_fail_msg_ns = now_ns;
			rec_err("%s; keeping samples in memory (%zu queued) and retrying "
			       "every interval", ht_store_error(r->store), ht_store_pending(r->store));
		} else if (now_ns - r->last_fail_msg_ns >= PROGRESS_EVERY_NS) {
			r->last_fail_msg_ns = now_ns;
			rec_err("still cannot write %s (%s); %zu queued, %" PRIu64 " dropped",
			       r->db, ht_store_error(r->store), ht_store_pending(r->store),
			       ht_store_dropped(r->store));
		}
		return err;
	}
	if (r->failing) {
		r->failing = 0;
		rec_err("%s is writable again: wrote %zu queued operations after %.0f s",
		       r->db, pending, (now_ns - r->fail_since_ns) / 1e9);
	}
	return 0;
}

static void handle_sv_events(struct recorder *r, int64_t now_ns)
{
	struct ht_sv_event ev;

	while (ht_supervisor_tick(r->sv, now_ns, &ev)) {
		int64_t wall = ht_wall_ms();
		char text[700];
		switch (ev.kind) {
		case HT_SV_STARTED:
			note(r, "stap: %s", ev.text);
			ht_store_put_event(r->store, wall, "stap", ev.text);
			/* a new stream: end any partial line of the old one */
			ht_sampler_feed(r->sampler, "\n", 1);
			if (new_stream(r))
				rec_err("out of memory");
			break;
		case HT_SV_DIED:
			snprintf(text, sizeof(text), "stap pid %d %s; restarting in %.1f s",
				 (int)ev.pid, ev.text, ev.restart_in_ms / 1000.0);
			rec_err("%s", text);
			ht_store_put_event(r->store, wall, "stap", text);
			break;
		case HT_SV_START_FAILED:
			rec_err("stap: %s", ev.text);
			ht_store_put_event(r->store, wall, "stap", ev.text);
			break;
		default:
			break;
		}
	}
}

static void drain_child(struct recorder *r)
{
	char buf[16384];
	ssize_t n;

	while ((n = ht_supervisor_read(r->sv, buf, sizeof(buf))) > 0) {
		ht_sampler_feed(r->sampler, buf, (size_t)n);
		if (r->stream)
			ht_stream_feed(r->stream, buf, (size_t)n);
	}
	ht_supervisor_drain_err(r->sv);
}

static void progress(struct recorder *r, int64_t t)
{
	const struct ht_probe_status *ps = ht_sampler_probe_status(r->sampler);

	(void)t;
	note(r, "%" PRIu64 " samples, %zu processes, %zu queued%s%s, probe records %" PRIu64
	     " (stored %" PRIu64 ")", r->ticks, ht_sampler_nprocs(r->sampler),
	     ht_store_pending(r->store), r->failing ? " (cannot write: " : "",
	     r->failing ? "retrying)" : "", ps->records, r->probe_rows);
}

static int cmd_record(int argc, char **argv)
{
	enum { O_STAP = 256, O_FOR, O_RET, O_MAX, O_DS, O_HOST, O_ROOT };
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "db", required_argument, NULL, 'd' },
		{ "stap", required_argument, NULL, O_STAP },
		{ "for", required_argument, NULL, O_FOR },
		{ "retention", required_argument, NULL, O_RET },
		{ "max-size", required_argument, NULL, O_MAX },
		{ "downsample", required_argument, NULL, O_DS },
		{ "host", required_argument, NULL, O_HOST },
		{ "root", required_argument, NULL, O_ROOT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct recorder r = { 0 };
	struct ht_store_opts so;
	struct ht_sampler_opts sopt;
	int64_t interval_ms = 5000, for_ms = -1;
	const char *stap_mode = "auto", *root = "";
	char dbbuf[4096], errmsg[600], stap_cmd[4200];
	const char *db = NULL, *why;
	struct sigaction sa;
	int c, rc = 1, err;
	int64_t start_ns, next_ns, last_maint_ns, last_progress_ns, start_wall;
	int no_session = 0;
	const char *stop_reason = "stopped";

	ht_store_opts_default(&so);
	while ((c = getopt_long(argc, argv, "i:d:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (ht_parse_duration_ms(optarg, &interval_ms) || interval_ms < 10)
				return ht_usage_error("record", "bad interval '%s'", optarg);
			break;
		case 'd': db = optarg; break;
		case O_STAP:
			if (strcmp(optarg, "auto") && strcmp(optarg, "on") && strcmp(optarg, "off"))
				return ht_usage_error("record", "--stap takes auto, on or off, not '%s'", optarg);
			stap_mode = optarg;
			break;
		case O_FOR:
			if (ht_parse_duration_ms(optarg, &for_ms))
				return ht_usage_error("record", "bad duration '%s'", optarg);
			break;
		case O_RET:
			if (ht_parse_duration_ms(optarg, &so.max_age_ms) || so.max_age_ms <= 0)
				return ht_usage_error("record", "bad retention age '%s'", optarg);
			break;
		case O_MAX:
			if (parse_size(optarg, &so.max_bytes) || so.max_bytes <= 0)
				return ht_usage_error("record", "bad size '%s' (e.g. 500M, 2G)", optarg);
			break;
		case O_DS:
			if (parse_downsample(optarg, &so))
				return ht_usage_error("record", "bad --downsample '%s' (e.g. 1d:1m,7d:10m)", optarg);
			break;
		case O_HOST: so.host = optarg; break;
		case O_ROOT: root = optarg; break;
		case 'q': r.quiet = 1; break;
		case 'v': r.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("record", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("record", "unexpected argument '%s'", argv[optind]);
	if (!db) {
		if (ht_default_db_path(dbbuf, sizeof(dbbuf))) {
			rec_err("no default database path: set XDG_STATE_HOME or HOME, or use -d");
			return 1;
		}
		db = dbbuf;
	}
	{
		char dir[4096], *slash;
		snprintf(dir, sizeof(dir), "%s", db);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if ((err = mkdir_p(dir, 0755))) {
				rec_err("cannot create %s: %s", dir, strerror(-err));
				return 1;
			}
		}
	}
	r.db = db;
	so.path = db;
	so.root = root;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	err = ht_store_open(&so, &r.store, errmsg, sizeof(errmsg));
	if (err == -ENOSPC) {
		/* a DB that needs a write to open on a full disk: retry; the
		 * time until it opens is recorded as a gap */
		int64_t t0 = ht_now_ns();
		rec_err("%s; retrying every interval", errmsg);
		while (err == -ENOSPC && !stop_sig) {
			ht_sleep_until(ht_now_ns() + interval_ms * 1000000);
			err = ht_store_open(&so, &r.store, errmsg, sizeof(errmsg));
		}
		if (!err)
			rec_err("%s is writable again: opened after %.0f s", db,
				(ht_now_ns() - t0) / 1e9);
		else if (stop_sig)
			return 0;
	}
	if (err) {
		rec_err("%s", errmsg);
		return 1;
	}
	ht_sampler_opts_default(&sopt);
	sopt.root = root;
	r.sampler = ht_sampler_new(&sopt);
	if (!r.sampler) {
		rec_err("cannot create the sampler: %s", strerror(errno));
		goto cleanup;
	}

	if (strcmp(stap_mode, "off")) {
		if ((why = ht_stap_default_cmd(stap_cmd, sizeof(stap_cmd)))) {
			if (!strcmp(stap_mode, "on")) {
				rec_err("--stap on, but stap cannot run here: %s", why);
				goto cleanup;
			}
			note(&r, "stap: off (%s); recording /proc only", why);
			ht_store_put_event(r.store, ht_wall_ms(), "stap", why);
			stap_cmd[0] = '\0';
		}
		if (stap_cmd[0]) {
			struct ht_supervisor_opts svo = { .cmd = stap_cmd };
			r.sv = ht_supervisor_new(&svo);
			if (!r.sv) {
				rec_err("cannot supervise stap: %s", strerror(errno));
				goto cleanup;
			}
		}
	} else {
		note(&r, "stap: off (--stap off); recording /proc only");
	}
	start_wall = ht_wall_ms();
	err = ht_store_session_begin(r.store, start_wall, interval_ms, "record",
				     "recorder not running");
	if (err == -ENOSPC) {
		/* sample into memory meanwhile; retried every interval */
		no_session = 1;
		r.failing = 1;
		r.fail_since_ns = r.last_fail_msg_ns = ht_now_ns();
		rec_err("%s; keeping samples in memory and retrying every interval",
			ht_store_error(r.store));
	} else if (err) {
		rec_err("cannot start a session in %s: %s", db, ht_store_error(r.store));
		goto cleanup;
	}

	note(&r, "recording to %s every %.3g s%s", db, interval_ms / 1000.0,
	     for_ms >= 0 ? " for a limited time" : "");

	start_ns = ht_now_ns();
	next_ns = start_ns;
	last_maint_ns = start_ns - MAINTAIN_EVERY_NS;
	last_progress_ns = start_ns;
	rc = 0;
	while (!stop_sig) {
		int64_t now = ht_now_ns();
		if (r.sv)
			handle_sv_events(&r, now);
		if (hup) {
			hup = 0;
			if ((err = ht_store_reopen(r.store)))
				rec_err("cannot reopen %s: %s", db, ht_store_error(r.store));
			else
				note(&r, "reopened %s", db);
		}
		if (for_ms >= 0 && now - start_ns >= for_ms * 1000000) {
			stop_reason = "--for elapsed";
			break;
		}
		if (now >= next_ns) {
			int64_t t = 0;
			if (ht_sampler_sample(r.sampler) == 0) {
				t = ht_sampler_system(r.sampler)->wall_ms;
				put_procs(&r, t);
				put_system(&r, t, ht_sampler_system(r.sampler));
				put_coverage(&r, t);
				r.ticks++;
				if (no_session && ht_store_session_begin(r.store, start_wall, interval_ms,
									 "record", "recorder not running") == 0)
					no_session = 0;
				if (!no_session)
					flush(&r, t, now);
			} else {
				rec_err("cannot sample %s/proc: %s", root, strerror(errno));
			}
			if (!r.failing && now - last_maint_ns >= MAINTAIN_EVERY_NS) {
				struct ht_store_maint m;
				last_maint_ns = now;
				if (ht_store_maintain(r.store, ht_wall_ms(), &m))
					rec_err("maintenance: %s", ht_store_error(r.store));
			}
			if (r.verbose || now - last_progress_ns >= PROGRESS_EVERY_NS) {
				last_progress_ns = now;
				progress(&r, t);
			}
			next_ns += interval_ms * 1000000;
			if (next_ns < now)
				next_ns = now + interval_ms * 1000000;
		}
		/* wait for the next tick, reading the tapset stream meanwhile */
		{
			struct pollfd pf[2];
			int nf = 0, timeout;
			int64_t wait_ns = next_ns - ht_now_ns();
			if (for_ms >= 0 && start_ns + for_ms * 1000000 - ht_now_ns() < wait_ns)
				wait_ns = start_ns + for_ms * 1000000 - ht_now_ns();
			if (r.sv) {
				if (ht_supervisor_out_fd(r.sv) >= 0)
					pf[nf++] = (struct pollfd){ ht_supervisor_out_fd(r.sv), POLLIN, 0 };
				if (ht_supervisor_err_fd(r.sv) >= 0)
					pf[nf++] = (struct pollfd){ ht_supervisor_err_fd(r.sv), POLLIN, 0 };
				if (wait_ns > 200000000)
					wait_ns = 200000000;	/* reap a dead child soon */
			}
			timeout = wait_ns > 0 ? (int)((wait_ns + 999999) / 1000000) : 0;
			if (poll(pf, nf, timeout) > 0 && r.sv)
				drain_child(&r);
		}
	}
	if (stop_sig)
		stop_reason = stop_sig == SIGTERM ? "stopped by SIGTERM" : "stopped by SIGINT";
	if (r.sv)
		drain_child(&r);
	ht_supervisor_free(r.sv);
	r.sv = NULL;
	ht_store_session_end(r.store, ht_wall_ms(), stop_reason);
	if ((no_session && ht_store_session_begin(r.store, start_wall, interval_ms, "record",
						  "recorder not running")) ||
	    ht_store_flush(r.store, -1)) {
		rec_err("cannot write the last samples to %s: %s (%zu operations lost)",
		       db, ht_store_error(r.store), ht_store_pending(r.store));
		rc = 1;
	} else {
		note(&r, "%s after %" PRIu64 " samples", stop_reason, r.ticks);
	}
cleanup:
	ht_supervisor_free(r.sv);
	ht_stream_free(r.stream);
	ht_sampler_free(r.sampler);
	ht_store_close(r.store);
	return rc;
}

HT_COMMAND(record, cmd_record, "record history into a SQLite database (a service)", 20)
