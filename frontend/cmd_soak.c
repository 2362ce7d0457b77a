/* healthtap soak: run a test step N times and judge whether target
 * processes leak (the black-box method of memMonitor and check_leak's
 * testers: memory after each round, once settled, then a trend). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "alloc_where.h"
#include "chart.h"
#include "cli.h"
#include "fmt.h"
#include "out_json.h"
#include "ht_proctable.h"
#include "ht_sched.h"
#include "ht_trend.h"
#include "proc_pid_smaps.h"
#include "proc_pid_smaps_rollup.h"
#include "proc_pid_stat.h"
#include "proc_pid_status.h"

#define MAX_TARGETS 16
#define ALPHA 0.05
#define EXIT_LEAK 1
#define EXIT_INCONCLUSIVE 3

enum verdict { V_NO_LEAK, V_LEAK, V_INCONCLUSIVE };
static const char *const verdict_names[] = { "no leak", "leaks", "inconclusive" };
static const char *const verdict_keys[] = { "no_leak", "leak", "inconclusive" };

/* Memory of one target after one round; NAN when unreadable. */
struct sample {
	double round, rss, anon, pss, private_dirty;
};

struct target {
	const char *spec;
	int by_name;
	pid_t pid;
	int64_t start_time;
	char comm[64];
	int gone;			/* died and not found again */
	int restarts;
	int segment_start;		/* first sample of the current process */
	struct sample *samples;
	size_t nsamples, samples_cap;
	struct proc_pid_smaps smaps_start, smaps_end;
	char notes[512];
	/* Verdict */
	enum verdict verdict;
	const char *figure;		/* which column the verdict is on */
	double slope, lo, hi, p, first, last;
	size_t npoints;
};

struct soak {
	const char *root;
	struct target targets[MAX_TARGETS];
	int ntargets;
	int64_t rounds;
	int64_t settle_ms;
	int keep_going;			/* a failing step is skipped past */
	int json;
	const char *charts_dir;
	enum ht_chart_format chart_format;
	double min_growth;		/* bytes/round below which growth is noise */
	char **cmd;
	int64_t rounds_run, rounds_failed;
	int interrupted;
	struct ht_proctable *others;
	size_t nothers_before;
	struct other_rss { pid_t pid; int64_t start, rss; char comm[64]; } *before;
	int where;			/* --where: the first target's sites */
	struct where_opts wo;
	struct ht_alloc_watch *watch;
	struct where_rounds where_rounds;
};

static volatile sig_atomic_t stop_requested;

static void on_sigint(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap soak --target PID|NAME [--target ...] --rounds N\n"
		"                      [--settle T] [--keep-going] [--json]\n"
		"                      [--charts DIR] [--format svg|png|pdf|dumb]\n"
		"                      [--min-growth BYTES]\n"
		"                      [--where [--sample N] [--budget P]] -- CMD [ARGS]\n"
		"\n"
		"Runs CMD N times (it should bring the system back to its initial\n"
		"state each time); after each round, once memory has settled, reads\n"
		"each target's RSS, anonymous memory, Pss and Private_Dirty, and\n"
		"judges whether it leaks. Also lists the mappings that grew between\n"
		"the first and last round, and the other processes whose RSS changed.\n"
		"\n"
		"  -t, --target PID|NAME  process to watch (by name: the oldest with\n"
		"                         that command name; followed if it restarts)\n"
		"  -n, --rounds N         rounds to run (at least 3)\n"
		"  -s, --settle T         memory must hold still this long after a\n"
		"                         round before it is read (default 500ms)\n"
		"  -k, --keep-going       skip past a failing round (default: stop)\n"
		"      --json             JSON on standard output\n"
		"      --charts DIR       write a chart per target into DIR\n"
		"      --format F         chart format: svg (default), png, pdf, dumb\n"
		"      --min-growth B     growth per round below B bytes (64K) is noise\n"
		"                         (default 4096)\n"
		"      --where            also where the first target allocates (stap,\n"
		"                         root): its call sites' bytes per round, beside\n"
		"                         the mappings that grew (healthtap-leaks(1))\n"
		"      --sample N         with --where: track 1 allocation in N\n"
		"      --budget P         with --where: stop the probes above P%% of the\n"
		"                         target's CPU time (default 10, 0: off)\n"
		"      --root DIR         read DIR/proc instead of /proc\n"
		"  -h, --help             show this help\n"
		"\n"
		"Exit status: 0 no leak, 1 leak found, 2 usage error,\n"
		"3 inconclusive or an error.\n"
		"\n"
		"Example:\n"
		"  healthtap soak --target myserver --rounds 50 -- ./reload-config.sh\n");
}

/* ---- finding and reading targets ---- */

static int read_identity(const char *root, pid_t pid, struct target *t)
{
	struct proc_pid_stat st;
	int err = proc_pid_stat_read(root, pid, &st);

	if (err)
		return err;
	if (st.state == 'Z' || st.state == 'X')
		return -ESRCH;
	t->pid = pid;
	t->start_time = st.starttime;
	snprintf(t->comm, sizeof(t->comm), "%s", st.comm);
	return 0;
}

/* The oldest live process whose comm is name, not ourselves. */
static int find_by_name(const char *root, const char *name, struct target *t)
{
	struct ht_proctable *tab = ht_proctable_new(root, HT_PT_NO_KEEP);
	const struct ht_proc *best = NULL;
	int err;

	if (!tab)
		return -errno;
	err = ht_proctable_sample(tab);
	for (size_t i = 0; !err && i < ht_proctable_count(tab); i++) {
		const struct ht_proc *p = ht_proctable_at(tab, i);
		if (p->pid == getpid() || strcmp(p->comm, name) ||
		    (p->flags & HT_PROC_ZOMBIE))
			continue;
		if (!best || p->start_time < best->start_time)
			best = p;
	}
	err = err ? err : best ? read_identity(root, best->pid, t) : -ESRCH;
	ht_proctable_free(tab);
	return err;
}

static int resolve_target(const char *root, struct target *t)
{
	char *end;
	long pid = strtol(t->spec, &end, 10);

	t->by_name = *end != '\0' || pid <= 0;
	if (t->by_name)
		return find_by_name(root, t->spec, t);
	return read_identity(root, (pid_t)pid, t);
}

/* Still the same process: same pid and start time. */
static int target_alive(const char *root, const struct target *t)
{
	struct proc_pid_stat st;

	return proc_pid_stat_read(root, t->pid, &st) == 0 &&
	       st.starttime == t->start_time && st.state != 'Z' && st.state != 'X';
}

static int64_t read_rss(const char *root, pid_t pid)
{
	struct proc_pid_status s;

	return proc_pid_status_read(root, pid, &s) == 0 ? s.vm_rss : -1;
}

static double as_double(int64_t v)
{
	return v >= 0 ? (double)v : NAN;
}

struct settle {
	struct soak *s;
	int64_t prev[MAX_TARGETS];
	int64_t still_since_ns;
	int settled;
};

/* Reads every live target's RSS; ends the schedule once none has changed
 * for settle_ms. */
static int settle_tick(void *arg, const struct ht_sched_tick *t)
{
	struct settle *w = arg;
	int changed = t->seq == 1;	/* the first reading is the reference */

	for (int i = 0; i < w->s->ntargets; i++) {
		int64_t now = read_rss(w->s->root, w->s->targets[i].pid);
		changed |= now != w->prev[i];
		w->prev[i] = now;
	}
	if (changed)
		w->still_since_ns = t->now_ns;
	else if (t->now_ns - w->still_since_ns >= w->s->settle_ms * 1000000LL)
		w->settled = 1;
	return w->settled;
}

static int settle_should_stop(void *arg)
{
	where_pump(((struct settle *)arg)->s->watch);	/* stap's pipe keeps flowing */
	return stop_requested;
}

/* Waits until every live target's RSS has held still for settle_ms, at most
 * 5 x settle_ms + 1 s, reading every 50 ms (ht_sched). Returns 1 if
 * settled. */
static int wait_settled(struct soak *s)
{
	struct settle w = { .s = s };
	struct ht_sched_opts so;

	ht_sched_opts_default(&so);
	so.interval_ns = (s->settle_ms < 50 ? s->settle_ms + 1 : 50) * 1000000LL;
	so.run_ns = (s->settle_ms * 5 + 1000) * 1000000LL;
	so.ctx = &w;
	so.tick = settle_tick;
	so.should_stop = settle_should_stop;
	ht_sched_run(&so, NULL);
	return w.settled;
}

static int add_sample(struct target *t, const struct sample *x)
{
	if (ht_grow(t->samples, t->samples_cap, t->nsamples + 1))
		return -ENOMEM;
	t->samples[t->nsamples++] = *x;
	return 0;
}

static void note(struct target *t, const char *fmt, long a, long b)
{
	size_t len = strlen(t->notes);
	snprintf(t->notes + len, sizeof(t->notes) - len, fmt, a, b);
}

/* A target gone: by name, look for its successor; by pid, it is lost. */
static void follow_restart(struct soak *s, struct target *t, int64_t round)
{
	pid_t old = t->pid;

	if (t->by_name && find_by_name(s->root, t->spec, t) == 0) {
		t->restarts++;
		t->segment_start = (int)t->nsamples;
		note(t, "restarted before round %ld (new pid %ld); ", (long)round, (long)t->pid);
		ht_cmd_err("soak", "target %s restarted: pid %ld -> %ld", t->spec, (long)old,
			   (long)t->pid);
		return;
	}
	t->gone = 1;
	note(t, "died before round %ld (pid %ld); ", (long)round, (long)old);
	ht_cmd_err("soak", "target %s (pid %ld) is gone", t->spec, (long)old);
}

static void sample_target(struct soak *s, struct target *t, int64_t round)
{
	struct proc_pid_status st;
	struct proc_pid_smaps_rollup sr;
	struct sample x = { .round = (double)round, .rss = NAN, .anon = NAN,
			    .pss = NAN, .private_dirty = NAN };

	if (t->gone)
		return;
	if (!target_alive(s->root, t)) {
		follow_restart(s, t, round);
		if (t->gone)
			return;
	}
	if (proc_pid_status_read(s->root, t->pid, &st) == 0) {
		x.rss = as_double(st.vm_rss);
		x.anon = as_double(st.rss_anon);
	}
	if (proc_pid_smaps_rollup_read(s->root, t->pid, &sr) == 0) {
		x.pss = as_double(sr.pss);
		x.private_dirty = as_double(sr.private_dirty);
	}
	if (add_sample(t, &x))
		ht_err("out of memory");
}

/* ---- running the step ---- */

/* Runs CMD once. Returns its exit status, 128+N for a signal, -1 when it
 * could not start. */
static int run_step(char **cmd)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execvp(cmd[0], cmd);
		fprintf(stderr, "healthtap soak: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void progress(const struct soak *s, int64_t round)
{
	char a[32], b[32], comm[64];

	fprintf(stderr, "round %" PRId64 "/%" PRId64, round, s->rounds);
	for (int i = 0; i < s->ntargets; i++) {
		const struct target *t = &s->targets[i];
		if (t->gone || t->nsamples == 0)
			continue;
		const struct sample *x = &t->samples[t->nsamples - 1];
		fprintf(stderr, "  %s[%ld] Private_Dirty %s RSS %s",
			fmt_visible(comm, sizeof(comm), t->comm), (long)t->pid,
			fmt_bytes(a, sizeof(a), x->private_dirty),
			fmt_bytes(b, sizeof(b), x->rss));
	}
	fputc('\n', stderr);
}

static void run_rounds(struct soak *s)
{
	for (int64_t r = 1; r <= s->rounds && !stop_requested; r++) {
		int rc = run_step(s->cmd);
		if (stop_requested)
			break;
		s->rounds_run++;
		if (rc != 0) {
			s->rounds_failed++;
			ht_cmd_err("soak", "round %" PRId64 ": %s exited %d%s", r, s->cmd[0], rc,
				   s->keep_going ? ", skipped" : ", stopping");
			if (!s->keep_going)
				break;
			continue;
		}
		wait_settled(s);
		for (int i = 0; i < s->ntargets; i++)
			sample_target(s, &s->targets[i], r);
		if (s->watch && where_round(s->watch, &s->where_rounds, r))
			ht_err("out of memory");
		progress(s, r);
	}
	s->interrupted = stop_requested;
}

/* ---- verdicts ---- */

/* The column the verdict is on: Private_Dirty when smaps_rollup was
 * readable, else anonymous memory, else RSS. */
static size_t pick_points(const struct target *t, struct ht_point *pts, const char **figure)
{
	static const char *const names[] = { "private_dirty", "anon", "rss" };
	size_t n = 0;

	for (int f = 0; f < 3 && n == 0; f++) {
		for (size_t i = (size_t)t->segment_start; i < t->nsamples; i++) {
			const struct sample *x = &t->samples[i];
			double v = f == 0 ? x->private_dirty : f == 1 ? x->anon : x->rss;
			if (isnan(v)) {
				n = 0;
				break;
			}
			pts[n++] = (struct ht_point){ x->round, v };
		}
		*figure = names[f];
	}
	return n;
}

static void judge(const struct soak *s, struct target *t)
{
	struct ht_point *pts = calloc(t->nsamples + 1, sizeof(*pts));
	struct ht_robust ts;
	struct ht_mk mk;
	size_t n;

	t->verdict = V_INCONCLUSIVE;
	t->slope = t->lo = t->hi = t->p = t->first = t->last = NAN;
	t->figure = "private_dirty";
	if (!pts)
		return;
	n = pick_points(t, pts, &t->figure);
	t->npoints = n;
	if (n > 0) {
		t->first = pts[0].v;
		t->last = pts[n - 1].v;
	}
	if (n >= 4 && ht_trend_theil_sen(pts, n, 0.95, 0, &ts) == 0 &&
	    ht_trend_mann_kendall(pts, n, &mk) == 0) {
		t->slope = ts.slope;
		t->lo = ts.lo;
		t->hi = ts.hi;
		t->p = mk.p;
		if (mk.p < ALPHA && ts.lo > 0 && ts.slope >= s->min_growth)
			t->verdict = V_LEAK;
		else if (ts.hi < s->min_growth || (mk.p >= ALPHA && fabs(ts.slope) < s->min_growth))
			t->verdict = V_NO_LEAK;
	}
	free(pts);
}

/* ---- snapshots of mappings and of every other process ---- */

static void snapshot_smaps(struct soak *s, int at_end)
{
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = &s->targets[i];
		struct proc_pid_smaps *m = at_end ? &t->smaps_end : &t->smaps_start;
		if (t->gone)
			continue;
		if (proc_pid_smaps_read(s->root, t->pid, m) != 0)
			m->n = 0;
	}
}

static int snapshot_others(struct soak *s)
{
	int err;

	s->others = ht_proctable_new(s->root, HT_PT_NO_KEEP);
	if (!s->others)
		return -errno;
	err = ht_proctable_sample(s->others);
	if (err)
		return err;
	s->nothers_before = ht_proctable_count(s->others);
	s->before = calloc(s->nothers_before + 1, sizeof(*s->before));
	if (!s->before)
		return -ENOMEM;
	for (size_t i = 0; i < s->nothers_before; i++) {
		const struct ht_proc *p = ht_proctable_at(s->others, i);
		s->before[i] = (struct other_rss){ p->pid, p->start_time, p->rss, "" };
		snprintf(s->before[i].comm, sizeof(s->before[i].comm), "%s", p->comm);
	}
	return 0;
}

static int is_target(const struct soak *s, pid_t pid)
{
	for (int i = 0; i < s->ntargets; i++)
		if (s->targets[i].pid == pid)
			return 1;
	return pid == getpid();
}

struct other_change { pid_t pid; char comm[64]; int64_t before, after; };

static int by_abs_change(const void *a, const void *b)
{
	const struct other_change *x = a, *y = b;
	int64_t dx = llabs(x->after - x->before), dy = llabs(y->after - y->before);

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* Processes alive before and after, by (pid, start time), with their RSS. */
static size_t compare_others(struct soak *s, struct other_change **out)
{
	struct other_change *c;
	size_t n = 0;

	*out = NULL;
	if (!s->others || ht_proctable_sample(s->others) != 0)
		return 0;
	c = calloc(s->nothers_before + 1, sizeof(*c));
	if (!c)
		return 0;
	for (size_t i = 0; i < s->nothers_before; i++) {
		const struct other_rss *b = &s->before[i];
		const struct ht_proc *p = ht_proctable_find(s->others, b->pid);
		if (!p || p->start_time != b->start || is_target(s, b->pid) ||
		    b->rss < 0 || p->rss < 0 || p->rss == b->rss)
			continue;
		c[n] = (struct other_change){ b->pid, "", b->rss, p->rss };
		snprintf(c[n].comm, sizeof(c[n].comm), "%s", b->comm);
		n++;
	}
	qsort(c, n, sizeof(*c), by_abs_change);
	*out = c;
	return n;
}

/* ---- output ---- */

static void print_growth_text(const struct target *t)
{
	struct proc_pid_smaps_growth *g = NULL;
	char a[32], b[32], path[1024];
	long n;

	if (t->smaps_start.n == 0 || t->smaps_end.n == 0 || t->restarts) {
		printf("  mappings: not compared (%s)\n",
		       t->restarts ? "the target restarted" : "smaps not readable");
		return;
	}
	n = proc_pid_smaps_grown(&t->smaps_start, &t->smaps_end, &g);
	printf("  mappings that grew, first round -> last (%ld):\n", n > 0 ? n : 0);
	for (long i = 0; i < n && i < 10; i++) {
		const struct proc_pid_smaps_growth *x = &g[i];
		printf("    %10s private dirty %10s size  %s%s %012" PRIx64 "-%012" PRIx64 " %s\n",
		       fmt_bytes(a, sizeof(a), (double)x->private_dirty_delta),
		       fmt_bytes(b, sizeof(b), (double)x->size_delta),
		       fmt_visible(path, sizeof(path), x->after.path[0] ? x->after.path : "[anon]"),
		       x->is_new ? " (new)" : "", x->after.start, x->after.end,
		       x->after.perms);
	}
	free(g);
}

static void print_target_text(const struct target *t)
{
	char a[32], b[32], c[32], d[32], name[1024];

	printf("%s (pid %ld): %s\n", fmt_visible(name, sizeof(name), t->comm[0] ? t->comm : t->spec),
	       (long)t->pid,
	       verdict_names[t->verdict]);
	printf("  growth %s/round of %s, 95%% CI [%s, %s], Mann-Kendall p %.3g, %zu rounds\n",
	       fmt_bytes(a, sizeof(a), t->slope), t->figure,
	       fmt_bytes(b, sizeof(b), t->lo), fmt_bytes(c, sizeof(c), t->hi),
	       t->p, t->npoints);
	printf("  %s %s -> %s\n", t->figure, fmt_bytes(a, sizeof(a), t->first),
	       fmt_bytes(d, sizeof(d), t->last));
	if (t->notes[0])
		printf("  note: %s\n", fmt_visible(name, sizeof(name), t->notes));
	print_growth_text(t);
}

static void print_others_text(const struct other_change *c, size_t n)
{
	char a[32], b[32], d[32], comm[64];

	printf("other processes whose RSS changed (%zu):\n", n);
	for (size_t i = 0; i < n && i < 10; i++)
		printf("  %-16s pid %-7ld %10s -> %10s (%s%s)\n",
		       fmt_visible(comm, sizeof(comm), c[i].comm), (long)c[i].pid,
		       fmt_bytes(a, sizeof(a), (double)c[i].before),
		       fmt_bytes(b, sizeof(b), (double)c[i].after),
		       c[i].after > c[i].before ? "+" : "",
		       fmt_bytes(d, sizeof(d), (double)(c[i].after - c[i].before)));
}

static void json_growth(struct out_json *j, const struct target *t)
{
	struct proc_pid_smaps_growth *g = NULL;
	char addr[24];
	long n = 0;

	out_json_array(j, "mappings_grown");
	if (t->smaps_start.n && t->smaps_end.n && !t->restarts)
		n = proc_pid_smaps_grown(&t->smaps_start, &t->smaps_end, &g);
	for (long i = 0; i < n; i++) {
		out_json_object(j, NULL);
		out_json_str(j, "path", g[i].after.path[0] ? g[i].after.path : "[anon]");
		snprintf(addr, sizeof(addr), "%" PRIx64, g[i].after.start);
		out_json_str(j, "start", addr);
		snprintf(addr, sizeof(addr), "%" PRIx64, g[i].after.end);
		out_json_str(j, "end", addr);
		out_json_str(j, "perms", g[i].after.perms);
		out_json_bool(j, "new", g[i].is_new);
		out_json_int(j, "size_delta_bytes", g[i].size_delta);
		out_json_int(j, "rss_delta_bytes", g[i].rss_delta);
		out_json_int(j, "private_dirty_delta_bytes", g[i].private_dirty_delta);
		out_json_end(j);
	}
	out_json_end(j);
	free(g);
}

static void json_target(struct out_json *j, const struct target *t)
{
	out_json_object(j, NULL);
	out_json_str(j, "target", t->spec);
	out_json_int(j, "pid", t->pid);
	out_json_str(j, "comm", t->comm);
	out_json_str(j, "verdict", verdict_keys[t->verdict]);
	out_json_str(j, "figure", t->figure);
	out_json_uint(j, "rounds_sampled", t->npoints);
	out_json_double(j, "growth_bytes_per_round", t->slope);
	out_json_double(j, "growth_ci95_low", t->lo);
	out_json_double(j, "growth_ci95_high", t->hi);
	out_json_double(j, "mann_kendall_p", t->p);
	out_json_double(j, "confidence", isfinite(t->p) ? 1 - t->p : NAN);
	out_json_double(j, "first_bytes", t->first);
	out_json_double(j, "last_bytes", t->last);
	out_json_int(j, "restarts", t->restarts);
	out_json_bool(j, "gone", t->gone);
	out_json_str(j, "notes", t->notes);
	out_json_array(j, "samples");
	for (size_t i = 0; i < t->nsamples; i++) {
		const struct sample *x = &t->samples[i];
		out_json_object(j, NULL);
		out_json_double(j, "round", x->round);
		out_json_double(j, "rss_bytes", x->rss);
		out_json_double(j, "anon_bytes", x->anon);
		out_json_double(j, "pss_bytes", x->pss);
		out_json_double(j, "private_dirty_bytes", x->private_dirty);
		out_json_end(j);
	}
	out_json_end(j);
	json_growth(j, t);
	out_json_end(j);
}

static void print_json(const struct soak *s, const struct other_change *c, size_t nc)
{
	struct ht_buf b = { 0 };
	struct out_json j;

	out_json_init(&j, &b);
	out_json_object(&j, NULL);
	out_json_int(&j, "rounds_requested", s->rounds);
	out_json_int(&j, "rounds_run", s->rounds_run);
	out_json_int(&j, "rounds_failed", s->rounds_failed);
	out_json_bool(&j, "interrupted", s->interrupted);
	out_json_array(&j, "targets");
	for (int i = 0; i < s->ntargets; i++)
		json_target(&j, &s->targets[i]);
	out_json_end(&j);
	if (s->watch)
		where_render_json(&j, s->watch, s->targets[0].pid, 64, NAN, &s->where_rounds);
	out_json_array(&j, "others_changed");
	for (size_t i = 0; i < nc; i++) {
		out_json_object(&j, NULL);
		out_json_int(&j, "pid", c[i].pid);
		out_json_str(&j, "comm", c[i].comm);
		out_json_int(&j, "rss_before_bytes", c[i].before);
		out_json_int(&j, "rss_after_bytes", c[i].after);
		out_json_end(&j);
	}
	out_json_end(&j);
	out_json_end(&j);
	out_json_newline(&j);
	out_write(&b, stdout);
	ht_buf_free(&b);
}

static void write_chart(const struct soak *s, const struct target *t)
{
	double *rows = calloc(t->nsamples + 1, 6 * sizeof(double));
	char name[64], title[160], err[256];
	struct ht_chart c = { "soak", title,
			      "round rss anon pss private_dirty fit (bytes)", rows,
			      t->nsamples, 6, NULL };
	int rc;

	if (!rows)
		return;
	for (size_t i = 0; i < t->nsamples; i++) {
		const struct sample *x = &t->samples[i];
		double *r = &rows[i * 6];
		r[0] = x->round, r[1] = x->rss, r[2] = x->anon, r[3] = x->pss;
		r[4] = x->private_dirty;
		r[5] = isfinite(t->slope) && t->npoints && !strcmp(t->figure, "private_dirty") ?
		       t->last + t->slope * (x->round - t->samples[t->nsamples - 1].round) : NAN;
	}
	snprintf(name, sizeof(name), "soak-%ld", (long)t->pid);
	snprintf(title, sizeof(title), "%s (pid %ld): %s", t->comm, (long)t->pid,
		 verdict_names[t->verdict]);
	rc = ht_chart_render(s->charts_dir, name, &c, s->chart_format, err, sizeof(err));
	if (rc)
		ht_err("chart for pid %ld: %s", (long)t->pid, err);
	else if (!s->json)
		printf("chart: %s/%s.%s\n", s->charts_dir, name, ht_chart_format_ext(s->chart_format));
	free(rows);
}

static int report(struct soak *s)
{
	struct other_change *c = NULL;
	size_t nc = compare_others(s, &c);
	int code = 0;

	for (int i = 0; i < s->ntargets; i++) {
		judge(s, &s->targets[i]);
		if (s->targets[i].verdict == V_LEAK)
			code = EXIT_LEAK;
		else if (s->targets[i].verdict == V_INCONCLUSIVE && code == 0)
			code = EXIT_INCONCLUSIVE;
	}
	if (s->json) {
		print_json(s, c, nc);
	} else {
		printf("healthtap soak: %" PRId64 " of %" PRId64 " rounds run, %" PRId64
		       " failed%s\n\n", s->rounds_run, s->rounds, s->rounds_failed,
		       s->interrupted ? " (interrupted: partial verdict)" : "");
		for (int i = 0; i < s->ntargets; i++) {
			print_target_text(&s->targets[i]);
			if (i == 0 && s->watch)
				where_render_table(stdout, s->watch, 20, NAN, &s->where_rounds);
		}
		print_others_text(c, nc);
	}
	for (int i = 0; s->charts_dir && i < s->ntargets; i++)
		if (s->targets[i].nsamples > 0)
			write_chart(s, &s->targets[i]);
	free(c);
	return code;
}

/* ---- options and main ---- */

static int parse_args(struct soak *s, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "target", required_argument, NULL, 't' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "settle", required_argument, NULL, 's' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "charts", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "min-growth", required_argument, NULL, 'm' },
		{ "root", required_argument, NULL, 'r' },
		{ "where", no_argument, NULL, 'w' },
		{ "sample", required_argument, NULL, 'S' },
		{ "budget", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int64_t v;
	int c, rc;

	where_opts_default(&s->wo);
	while ((c = getopt_long(argc, argv, "+t:n:s:kh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (s->ntargets == MAX_TARGETS)
				return ht_usage_error("soak", "at most %d targets", MAX_TARGETS);
			s->targets[s->ntargets++].spec = optarg;
			break;
		case 'n':
			if ((rc = ht_opt_count("soak", "--rounds", optarg, 3, INT32_MAX, &s->rounds)))
				return rc;
			break;
		case 's':
			if ((rc = ht_opt_duration("soak", "--settle", optarg, 0, HT_MAX_INTERVAL_MS,
						  &s->settle_ms)))
				return rc;
			break;
		case 'k': s->keep_going = 1; break;
		case 'j': s->json = 1; break;
		case 'c': s->charts_dir = optarg; break;
		case 'f':
			if (ht_chart_format_parse(optarg, &s->chart_format))
				return ht_usage_error("soak", "bad chart format '%s'", optarg);
			break;
		case 'm':
			if ((rc = ht_opt_bytes("soak", "--min-growth", optarg, 0, INT64_MAX, &v)))
				return rc;
			s->min_growth = (double)v;
			break;
		case 'r': s->root = optarg; break;
		case 'w': s->where = 1; break;
		case 'S':
			if ((rc = where_opt_sample("soak", optarg, &s->wo)))
				return rc;
			break;
		case 'B':
			if ((rc = where_opt_budget("soak", optarg, &s->wo)))
				return rc;
			break;
		case 'h': usage(stdout); return -1;
		default: return ht_usage_error("soak", "bad option");
		}
	}
	if (s->ntargets == 0)
		return ht_usage_error("soak", "no --target given");
	if (s->rounds == 0)
		return ht_usage_error("soak", "no --rounds given");
	if (optind >= argc)
		return ht_usage_error("soak", "no test step: give it after '--'");
	s->cmd = argv + optind;
	return 0;
}

static int prepare(struct soak *s)
{
	struct stat st;

	if (s->charts_dir && (stat(s->charts_dir, &st) != 0 || !S_ISDIR(st.st_mode)) &&
	    mkdir(s->charts_dir, 0755) != 0) {
		ht_err("cannot create %s: %s", s->charts_dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < s->ntargets; i++) {
		struct target *t = &s->targets[i];
		int err = resolve_target(s->root, t);
		if (err) {
			ht_err("cannot find target %s: %s", t->spec,
			       err == -ESRCH || err == -ENOENT ? "no such process" : strerror(-err));
			return err;
		}
	}
	if (s->where) {	/* the first target's sites, watched over every round */
		s->wo.pid = s->targets[0].pid;
		s->wo.root = s->root;
		if (where_start("soak", &s->wo, &s->watch))
			return -ENOTSUP;
	}
	return snapshot_others(s);
}

static void cleanup(struct soak *s)
{
	for (int i = 0; i < s->ntargets; i++) {
		free(s->targets[i].samples);
		proc_pid_smaps_free(&s->targets[i].smaps_start);
		proc_pid_smaps_free(&s->targets[i].smaps_end);
	}
	ht_proctable_free(s->others);
	free(s->before);
	ht_alloc_watch_free(s->watch);
	where_rounds_free(&s->where_rounds);
}

static int cmd_soak(int argc, char **argv)
{
	struct soak s = { .root = "", .settle_ms = 500, .min_growth = 4096 };
	int code, rc = parse_args(&s, argc, argv);

	if (rc)
		return rc < 0 ? 0 : rc;
	signal(SIGINT, on_sigint);
	signal(SIGTERM, on_sigint);
	if (prepare(&s)) {
		cleanup(&s);
		return EXIT_INCONCLUSIVE;
	}
	/* Round 0: the state before any step, once settled. */
	wait_settled(&s);
	snapshot_smaps(&s, 0);
	for (int i = 0; i < s.ntargets; i++)
		sample_target(&s, &s.targets[i], 0);
	run_rounds(&s);
	snapshot_smaps(&s, 1);
	where_stop("soak", s.watch);
	code = report(&s);
	cleanup(&s);
	return code;
}

HT_COMMAND(soak, cmd_soak, "repeat a test step N times and judge whether targets leak", 50)
