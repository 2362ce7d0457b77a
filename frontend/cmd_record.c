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
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "alloc_where.h"
#include "cli.h"
#include "ht_counter.h"
#include "ht_path.h"
#include "ht_protocol.h"
#include "ht_sampler.h"
#include "ht_sched.h"
#include "ht_store.h"
#include "ht_stream.h"
#include "ht_supervisor.h"
#include "proc_softirqs.h"

#define MAINTAIN_EVERY_NS (600LL * 1000000000)
#define PROGRESS_EVERY_NS (60LL * 1000000000)
#define MAX_RUN_MS (3650 * 86400 * 1000LL)	/* --for, --retention: 10 years */

static volatile sig_atomic_t stop_sig, hup;

static void on_stop(int sig) { stop_sig = sig; }
static void on_hup(int sig) { (void)sig; hup = 1; }

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap record [-i INTERVAL] [-d DB] [--stap auto|on|off]\n"
		"                        [--for DURATION] [--retention AGE] [--max-size SIZE]\n"
		"                        [--downsample SPEC] [-q | -v]\n"
		"                        [--where PID [--sample N] [--budget P]]\n"
		"\n"
		"Samples every process and the system files every INTERVAL into a SQLite\n"
		"history (docs/schema.md), with the health tapset's records when stap can\n"
		"run here. Runs until SIGTERM or SIGINT (it flushes, then exits). After a\n"
		"stall (SIGSTOP, an overloaded host) it skips the missed samples and\n"
		"records the hole as a gap. SIGHUP reopens the database path (rotation:\n"
		"mv DB DB.old; kill -HUP starts a new session in a new DB); a path that\n"
		"cannot be opened is retried with back-off while DB.old is written.\n"
		"\n"
		"  -i, --interval T      sample every T (default 5s; 10ms to 1d)\n"
		"  -d, --db FILE         the database (default /var/lib/healthtap/healthtap.db\n"
		"                        as root, else $XDG_STATE_HOME/healthtap/healthtap.db,\n"
		"                        ~/.local/state when XDG_STATE_HOME is unset)\n"
		"      --stap MODE       auto (default): run the tapset when stap is installed\n"
		"                        and can run here; on: it must; off: /proc only.\n"
		"                        The command is \"stap -e 'probe health.* {}'\" (with\n"
		"                        --runtime=bpf on a kernel without modules, -I\n"
		"                        $HEALTHTAP_TAPSET when set), or $HEALTHTAP_STAP_CMD\n"
		"      --for DURATION    stop after DURATION (30s, 2h, 7d; at most 3650d)\n"
		"      --retention AGE   delete history older than AGE (default: keep)\n"
		"      --max-size SIZE   delete the oldest history beyond SIZE (500M, 2G)\n"
		"      --downsample SPEC when samples become min/avg/max buckets:\n"
		"                        RAWKEEP:SPAN1,KEEP1:SPAN2 (default 1d:1m,7d:10m),\n"
		"                        or 'off'\n"
		"      --host NAME       host name stored (default: this host's)\n"
		"      --root DIR        read DIR/proc instead of /proc (for tests; DIR/proc/stat\n"
		"                        must be readable)\n"
		"      --where PID       also PID's allocation sites (health.alloc.sites, stap,\n"
		"                        root): each batch's top 8 and, at the end, every site\n"
		"                        still holding, as PID's probe rows \"alloc.site_bytes\n"
		"                        SYMBOL\" and \"alloc.site_blocks SYMBOL\"\n"
		"      --sample N        with --where: track 1 allocation in N\n"
		"      --budget P        with --where: stop the probes above P%% of PID's CPU\n"
		"                        time (default 10, 0: off; healthtap-leaks(1))\n"
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

struct record_opts {
	int64_t interval_ms, for_ms;	/* for_ms -1: until stopped */
	const char *stap_mode, *root, *db;
	struct where_opts where;	/* --where PID: its allocation sites */
	struct ht_store_opts so;
	int quiet, verbose;
	char dbbuf[4096];
};

struct recorder {
	const struct record_opts *o;
	struct ht_store *store;
	struct ht_sampler *sampler;
	struct ht_supervisor *sv;
	struct ht_stream *stream;	/* the child's stream, for the store */
	int64_t stream_base_ms;		/* wall ms of stream time 0; -1 unknown */
	int verbose, quiet;
	uint64_t last_batches[HT_SUBSYS_COUNT];
	uint64_t ticks, probe_rows, sample_errors;
	int64_t last_t;			/* wall ms of the latest sample; -1 */
	int64_t last_maint_ns;
	int failing;			/* flushes failing since this time */
	int64_t fail_since_ns, last_fail_msg_ns;
	int reopen_wanted;		/* SIGHUP: reopen, retried with back-off */
	int64_t reopen_at_ns, reopen_backoff_ns;
	struct ht_alloc_watch *watch;	/* --where */
	uint64_t watch_batches;		/* the last batch stored */
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
		snprintf(lab, sizeof(lab), "vec=%s", proc_softirq_name(i));
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
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++) {
		snprintf(lab, sizeof(lab), "field=%s", ht_kmem_fields[i].name);
		ht_store_put_sys(st, t, HT_SYS_KMEM, lab, "B", num(ht_kmem_value(s, i)));
	}
	ht_store_put_sys(st, t, HT_SYS_SKB_OUTSTANDING, "source=slab", "1",
			 num(s->skb.outstanding));
	ht_store_put_sys(st, t, HT_SYS_SKB_RATE, "source=slab", "1/s", round2(s->skb.rate));
}

/* The slab caches of HT_SLAB_STORE_MIN bytes or more (a few dozen of
 * some 200: the small ones would fill the store with noise; a cache that
 * grows past the threshold starts its series then). */
static void put_slabs(struct recorder *r, int64_t t, const struct proc_slabinfo *sl)
{
	char lab[PROC_SLAB_NAME_MAX + 8];

	for (size_t i = 0; i < sl->n; i++) {
		const struct proc_slab_cache *c = &sl->caches[i];
		double bytes = (double)c->num_objs * (double)c->objsize;
		if (c->num_objs < 0 || c->objsize < 0 || bytes < HT_SLAB_STORE_MIN)
			continue;
		snprintf(lab, sizeof(lab), "cache=%s", c->name);
		ht_store_put_sys(r->store, t, HT_SYS_SLAB_CACHE, lab, "B", bytes);
	}
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

/* The sampler's probe coverage and absolute switches (the merge's), once
 * per new sched batch. */
static void put_coverage(struct recorder *r, int64_t t)
{
	const struct ht_probe_status *ps = ht_sampler_probe_status(r->sampler);

	if (ps->batches[HT_SUBSYS_SCHED] == r->last_batches[HT_SUBSYS_SCHED])
		return;
	r->last_batches[HT_SUBSYS_SCHED] = ps->batches[HT_SUBSYS_SCHED];
	if (isfinite(ps->sched_coverage))
		ht_store_put_sys(r->store, t, HT_SYS_PROBE_COVERAGE, "", "1",
				 round(ps->sched_coverage * 1000) / 1000);
	if (ps->sched_ctxt_absolute >= 0)
		ht_store_put_sys(r->store, t, HT_SYS_PROBE_CTXT, "", "1",
				 (double)ps->sched_ctxt_absolute);
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
		/* always given (the table caches it, and reads it again after
		 * an exec): the store declares a new process with it, and
		 * renames one whose names changed (sampled before its exec) */
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
			       ht_store_file(r->store), ht_store_error(r->store), ht_store_pending(r->store),
			       ht_store_dropped(r->store));
		}
		return err;
	}
	if (r->failing) {
		r->failing = 0;
		rec_err("%s is writable again: wrote %zu queued operations after %.0f s",
		       ht_store_file(r->store), pending, (now_ns - r->fail_since_ns) / 1e9);
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

static void progress(void *ctx, const struct ht_sched_tick *t, const struct ht_sched_stats *st)
{
	struct recorder *r = ctx;
	const struct ht_probe_status *ps = ht_sampler_probe_status(r->sampler);

	(void)t;
	note(r, "%" PRIu64 " samples, %zu processes, %zu queued%s, %" PRIu64 " stalls"
	     ", probe records %" PRIu64 " (stored %" PRIu64 ")", r->ticks,
	     ht_sampler_nprocs(r->sampler), ht_store_pending(r->store),
	     r->failing ? " (cannot write: retrying)" : "", st->gaps, ps->records, r->probe_rows);
}

/* ---- reopen (SIGHUP) ---- */

#define REOPEN_FIRST_NS (1000LL * 1000000)
#define REOPEN_MAX_NS (300LL * 1000000000)

/* Reopens the DB after SIGHUP, between ticks and only with the queue
 * written (the queue belongs to the file it was queued for); a failed
 * reopen is retried after 1 s, 2 s, 4 s ... 5 min. */
static void reopen_if_due(struct recorder *r, int64_t now_ns)
{
	int moved, err;

	if (!r->reopen_wanted || now_ns < r->reopen_at_ns || ht_store_pending(r->store))
		return;
	err = ht_store_reopen(r->store, ht_wall_ms(), "rotated: SIGHUP and the path names "
			      "another file", &moved);
	if (!err) {
		r->reopen_wanted = 0;
		r->reopen_backoff_ns = 0;
		if (moved)
			note(r, "reopened %s: a new file, in a new session", r->o->db);
		else
			note(r, "reopened %s: still the same file, recording goes on", r->o->db);
		return;
	}
	r->reopen_backoff_ns = r->reopen_backoff_ns ? r->reopen_backoff_ns * 2 : REOPEN_FIRST_NS;
	if (r->reopen_backoff_ns > REOPEN_MAX_NS)
		r->reopen_backoff_ns = REOPEN_MAX_NS;
	r->reopen_at_ns = now_ns + r->reopen_backoff_ns;
	rec_err("cannot reopen %s: %s; retrying in %.0f s", r->o->db, ht_store_error(r->store),
		r->reopen_backoff_ns / 1e9);
}

/* ---- the sampling schedule ---- */

static int should_stop(void *ctx)
{
	(void)ctx;
	return stop_sig != 0;
}

/* Between ticks: the tapset child's pipes, its restarts, SIGHUP. */
static void wait_tick(void *ctx, int64_t deadline_ns)
{
	struct recorder *r = ctx;
	struct pollfd pf[2];
	int nf = 0, timeout;
	int64_t wait_ns = deadline_ns - ht_now_ns();

	if (r->sv) {
		if (ht_supervisor_out_fd(r->sv) >= 0)
			pf[nf++] = (struct pollfd){ ht_supervisor_out_fd(r->sv), POLLIN, 0 };
		if (ht_supervisor_err_fd(r->sv) >= 0)
			pf[nf++] = (struct pollfd){ ht_supervisor_err_fd(r->sv), POLLIN, 0 };
		if (wait_ns > 200000000)
			wait_ns = 200000000;	/* reap a dead child soon */
	}
	timeout = wait_ns > 0 ? (int)((wait_ns + 999999) / 1000000) : 0;
	if (poll(pf, nf, timeout) > 0 && r->sv)
		drain_child(r);
	if (r->sv)
		handle_sv_events(r, ht_now_ns());
	if (hup) {
		hup = 0;
		r->reopen_wanted = 1;
		r->reopen_at_ns = 0;
		r->reopen_backoff_ns = 0;
	}
	reopen_if_due(r, ht_now_ns());
}

/* Samples missed by a stall (SIGSTOP, an overloaded host) leave a hole
 * that change-only rows would read as values held: it is stored as a gap. */
static void put_stall(struct recorder *r, const struct ht_sched_tick *t, int64_t now_wall)
{
	char why[160];

	if (!t->missed || r->last_t < 0)
		return;
	snprintf(why, sizeof(why), "recorder stalled: %" PRIu64 " samples missed (stopped, or the "
		 "host overloaded)", t->missed);
	ht_store_put_gap(r->store, r->last_t, now_wall, why);
}

static void maintain(struct recorder *r, int64_t now_ns)
{
	struct ht_store_maint m;

	if (r->failing || now_ns - r->last_maint_ns < MAINTAIN_EVERY_NS)
		return;
	r->last_maint_ns = now_ns;
	if (ht_store_maintain(r->store, ht_wall_ms(), &m))
		rec_err("maintenance: %s", ht_store_error(r->store));
#ifdef __GLIBC__
	/* Downsampling is the heap's peak; what it freed stayed resident
	 * between live blocks (1.6 MB of 7.3 MB anon after 23 min at 1 s)
	 * and read as a creep in a soak. Give it back. */
	malloc_trim(0);
#endif
}

/* --where: the sites of each new periodic batch (up to 8) go with the
 * process as probe rows named "alloc.site_bytes SYMBOL" (and
 * site_blocks); at the end, the exact end table's. */
static void put_site_rows(struct recorder *r, int64_t t, const struct ht_alloc_site *s,
			  const char *sym)
{
	pid_t pid = (pid_t)r->o->where.pid;
	char name[600];

	snprintf(name, sizeof(name), "alloc.site_bytes %s", sym);
	if (ht_store_put_proc_probe(r->store, t, pid, name, s->bytes) == 0)
		r->probe_rows++;
	snprintf(name, sizeof(name), "alloc.site_blocks %s", sym);
	if (ht_store_put_proc_probe(r->store, t, pid, name, s->blocks) == 0)
		r->probe_rows++;
}

static void put_sites(struct recorder *r, int64_t t)
{
	struct ht_alloc_site cur[8];
	char sym[512];
	size_t n;

	if (!r->watch)
		return;
	where_pump(r->watch);
	if (ht_alloc_watch_batches(r->watch) == r->watch_batches)
		return;
	r->watch_batches = ht_alloc_watch_batches(r->watch);
	n = ht_alloc_watch_current(r->watch, cur, 8);
	for (size_t i = 0; i < n && i < 8; i++) {
		ht_alloc_watch_symbol(r->watch, cur[i].addr, sym, sizeof(sym));
		put_site_rows(r, t, &cur[i], sym);
	}
}

static void put_end_sites(struct recorder *r)
{
	struct ht_alloc_where *w;
	int64_t t = ht_wall_ms();
	size_t n;

	if (!r->watch)
		return;
	where_stop("record", r->watch);
	if (ht_alloc_watch_why(r->watch)[0])
		ht_store_put_event(r->store, t, "alloc", ht_alloc_watch_why(r->watch));
	n = ht_alloc_watch_sites(r->watch, NULL, 0);
	if (!n || !(w = calloc(n, sizeof(*w))))
		return;
	n = ht_alloc_watch_sites(r->watch, w, n);
	for (size_t i = 0; i < n; i++)
		put_site_rows(r, t, &w[i].s, w[i].text);
	free(w);
}

/* One tick: sample, put everything, flush; a failed sample is said and
 * counted, the schedule goes on. */
static int tick(void *ctx, const struct ht_sched_tick *t)
{
	struct recorder *r = ctx;
	int err = ht_sampler_sample(r->sampler);
	int64_t wall;

	if (err) {
		r->sample_errors++;
		rec_err("cannot sample %s/proc: %s", r->o->root, strerror(-err));
		return 0;
	}
	wall = ht_sampler_system(r->sampler)->wall_ms;
	put_stall(r, t, wall);
	put_procs(r, wall);
	put_system(r, wall, ht_sampler_system(r->sampler));
	put_slabs(r, wall, ht_sampler_slabs(r->sampler));
	put_coverage(r, wall);
	put_sites(r, wall);
	r->ticks++;
	r->last_t = wall;
	flush(r, wall, t->now_ns);
	maintain(r, t->now_ns);
	return 0;
}

static void run_schedule(struct recorder *r, struct ht_sched_stats *st)
{
	struct ht_sched_opts so;

	ht_sched_opts_default(&so);
	so.interval_ns = r->o->interval_ms * 1000000;
	so.run_ns = r->o->for_ms >= 0 ? r->o->for_ms * 1000000 : -1;
	so.progress_ns = r->o->verbose ? 0 : PROGRESS_EVERY_NS;
	so.ctx = r;
	so.tick = tick;
	so.wait = wait_tick;
	so.should_stop = should_stop;
	so.progress = progress;
	r->last_maint_ns = ht_now_ns() - MAINTAIN_EVERY_NS;
	ht_sched_run(&so, st);
}

/* ---- the steps of a run ---- */

static int parse_options(int argc, char **argv, struct record_opts *o)
{
	enum { O_STAP = 256, O_FOR, O_RET, O_MAX, O_DS, O_HOST, O_ROOT, O_WHERE, O_SAMPLE,
	       O_BUDGET };
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
		{ "where", required_argument, NULL, O_WHERE },
		{ "sample", required_argument, NULL, O_SAMPLE },
		{ "budget", required_argument, NULL, O_BUDGET },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int64_t v;
	int c, rc;

	where_opts_default(&o->where);
	o->where.pid = 0;
	ht_store_opts_default(&o->so);
	o->interval_ms = 5000;
	o->for_ms = -1;
	o->stap_mode = "auto";
	o->root = "";
	while ((c = getopt_long(argc, argv, "i:d:qvh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if ((rc = ht_opt_duration("record", "-i", optarg, 10, HT_MAX_INTERVAL_MS,
						  &o->interval_ms)))
				return rc;
			break;
		case 'd':
			if (!*optarg)
				return ht_usage_error("record", "-d takes a file name, not ''");
			o->db = optarg;
			break;
		case O_STAP:
			if (strcmp(optarg, "auto") && strcmp(optarg, "on") && strcmp(optarg, "off"))
				return ht_usage_error("record", "--stap takes auto, on or off, not '%s'", optarg);
			o->stap_mode = optarg;
			break;
		case O_FOR:
			if ((rc = ht_opt_duration("record", "--for", optarg, 0, MAX_RUN_MS, &o->for_ms)))
				return rc;
			break;
		case O_RET:
			if ((rc = ht_opt_duration("record", "--retention", optarg, 1, MAX_RUN_MS,
						  &o->so.max_age_ms)))
				return rc;
			break;
		case O_MAX:
			if ((rc = ht_opt_bytes("record", "--max-size", optarg, 1, INT64_MAX,
					       &o->so.max_bytes)))
				return rc;
			break;
		case O_DS:
			if (parse_downsample(optarg, &o->so))
				return ht_usage_error("record", "bad --downsample '%s' (e.g. 1d:1m,7d:10m)", optarg);
			break;
		case O_HOST: o->so.host = optarg; break;
		case O_ROOT: o->root = optarg; break;
		case O_WHERE:
			if ((rc = ht_opt_count("record", "--where", optarg, 1, INT32_MAX, &v)))
				return rc;
			o->where.pid = (int)v;
			break;
		case O_SAMPLE:
			if ((rc = where_opt_sample("record", optarg, &o->where)))
				return rc;
			break;
		case O_BUDGET:
			if ((rc = where_opt_budget("record", optarg, &o->where)))
				return rc;
			break;
		case 'q': o->quiet = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h': usage(stdout); return -1;
		default: return ht_usage_error("record", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("record", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* What the options name must exist before anything is created. */
static int check_paths(struct record_opts *o)
{
	char path[4200];

	if (*o->root) {
		if (ht_path(path, sizeof(path), o->root, "/proc/stat") || access(path, R_OK))
			return ht_usage_error("record", "--root %s: cannot read %s: %s", o->root,
					      path, strerror(errno));
	}
	if (!o->db) {
		if (ht_default_db_path(o->dbbuf, sizeof(o->dbbuf))) {
			rec_err("no default database path: set XDG_STATE_HOME or HOME, or use -d");
			return 1;
		}
		o->db = o->dbbuf;
	}
	return 0;
}

static int make_db_dir(const char *db)
{
	char dir[4096], *slash;
	int err;

	snprintf(dir, sizeof(dir), "%s", db);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if ((err = ht_mkdir_p(dir, 0755))) {
		rec_err("cannot create %s: %s", dir, strerror(-err));
		return 1;
	}
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct open_try {
	struct recorder *r;
	char msg[600];
	int err;
};

static int try_open(void *ctx, const struct ht_sched_tick *t)
{
	struct open_try *ot = ctx;

	(void)t;
	ot->err = ht_store_open(&ot->r->o->so, &ot->r->store, ot->msg, sizeof(ot->msg));
	return ot->err != -ENOSPC;	/* a full disk: try again next interval */
}

/* Opens the DB; one that needs a write to open on a full disk is retried
 * every interval until it opens or the recorder is stopped. */
static int open_store(struct recorder *r)
{
	struct open_try ot = { .r = r };
	struct ht_sched_opts so;
	struct ht_sched_stats st;
	int64_t t0 = ht_now_ns();

	ht_sched_opts_default(&so);
	so.interval_ns = r->o->interval_ms * 1000000;
	so.ctx = &ot;
	so.tick = try_open;
	so.max_ticks = 1;
	so.should_stop = should_stop;
	ht_sched_run(&so, &st);
	if (ot.err == -ENOSPC) {
		rec_err("%s; retrying every interval", ot.msg);
		so.max_ticks = 0;
		so.start_delay_ns = so.interval_ns;
		ht_sched_run(&so, &st);
		if (!ot.err)
			rec_err("%s is writable again: opened after %.0f s", r->o->db,
				(ht_now_ns() - t0) / 1e9);
	}
	if (ot.err == -ENOSPC && stop_sig)
		return -EINTR;
	if (ot.err)
		rec_err("%s", ot.msg);
	return ot.err;
}

static int start_stap(struct recorder *r)
{
	char stap_cmd[4200];
	const char *why;

	if (!strcmp(r->o->stap_mode, "off")) {
		note(r, "stap: off (--stap off); recording /proc only");
		return 0;
	}
	if ((why = ht_stap_default_cmd(stap_cmd, sizeof(stap_cmd)))) {
		if (!strcmp(r->o->stap_mode, "on")) {
			rec_err("--stap on, but stap cannot run here: %s", why);
			return -ENOENT;
		}
		note(r, "stap: off (%s); recording /proc only", why);
		ht_store_put_event(r->store, ht_wall_ms(), "stap", why);
		return 0;
	}
	r->sv = ht_supervisor_new(&(struct ht_supervisor_opts){ .cmd = stap_cmd });
	if (!r->sv) {
		rec_err("cannot supervise stap: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int start_sampling(struct recorder *r)
{
	struct ht_sampler_opts sopt;

	ht_sampler_opts_default(&sopt);
	sopt.root = r->o->root;
	r->sampler = ht_sampler_new(&sopt);
	if (!r->sampler) {
		rec_err("cannot create the sampler: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* A session that cannot begin on a full disk stays wanted: samples queue
 * in memory and each flush begins it first. */
static int begin_session(struct recorder *r)
{
	int err = ht_store_session_begin(r->store, ht_wall_ms(), r->o->interval_ms, "record",
					 "recorder not running");

	if (err == -ENOSPC) {
		r->failing = 1;
		r->fail_since_ns = r->last_fail_msg_ns = ht_now_ns();
		rec_err("%s; keeping samples in memory and retrying every interval",
			ht_store_error(r->store));
		return 0;
	}
	if (err)
		rec_err("cannot start a session in %s: %s", r->o->db, ht_store_error(r->store));
	return err;
}

static const char *end_reason(const struct ht_sched_stats *st)
{
	if (stop_sig)
		return stop_sig == SIGTERM ? "stopped by SIGTERM" : "stopped by SIGINT";
	return st->end == HT_SCHED_TIME_UP ? "--for elapsed" : "stopped";
}

/* Ends the session and writes what is queued. Returns the exit code. */
static int finish(struct recorder *r, const struct ht_sched_stats *st)
{
	const char *why = end_reason(st);

	if (r->sv)
		drain_child(r);
	ht_supervisor_free(r->sv);
	r->sv = NULL;
	put_end_sites(r);
	ht_store_session_end(r->store, ht_wall_ms(), why);
	if (ht_store_flush(r->store, -1)) {
		rec_err("cannot write the last samples to %s: %s (%zu operations lost)",
			ht_store_file(r->store), ht_store_error(r->store), ht_store_pending(r->store));
		return 1;
	}
	if (r->ticks == 0 && r->sample_errors) {
		rec_err("%s after 0 samples: every sample of %s/proc failed", why, r->o->root);
		return 1;
	}
	note(r, "%s after %" PRIu64 " samples", why, r->ticks);
	return 0;
}

static int cmd_record(int argc, char **argv)
{
	struct record_opts o = { 0 };
	struct recorder r = { .o = &o, .last_t = -1 };
	struct ht_sched_stats st;
	int rc = parse_options(argc, argv, &o);

	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = check_paths(&o)) || (rc = make_db_dir(o.db)))
		return rc;
	r.quiet = o.quiet;
	r.verbose = o.verbose;
	o.so.path = o.db;
	o.so.root = o.root;
	install_signals();
	if ((rc = open_store(&r)))
		return rc == -EINTR ? 0 : 1;
	rc = 1;
	if (start_sampling(&r) || start_stap(&r) || begin_session(&r))
		goto cleanup;
	if (o.where.pid) {
		o.where.root = o.root;
		if (where_start("record", &o.where, &r.watch))
			goto cleanup;
	}
	note(&r, "recording to %s every %.3g s%s", o.db, o.interval_ms / 1000.0,
	     o.for_ms >= 0 ? " for a limited time" : "");
	run_schedule(&r, &st);
	rc = finish(&r, &st);
cleanup:
	ht_supervisor_free(r.sv);
	ht_alloc_watch_free(r.watch);
	ht_stream_free(r.stream);
	ht_sampler_free(r.sampler);
	ht_store_close(r.store);
	return rc;
}

HT_COMMAND(record, cmd_record, "record history into a SQLite database (a service)", 20)
