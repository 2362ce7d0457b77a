/* healthtap top: live view of the host from /proc.
 *
 * On a terminal it redraws in place; piped, or with --batch, it prints
 * plain frames like top -b. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "ht_counter.h"
#include "proc_stat.h"

/* One refresh's figures; rates are NAN until two samples exist. */
struct top_snapshot {
	int64_t wall_ms;
	int64_t mono_ns;
	double ctxt_rate, intr_rate, softirq_rate, fork_rate;
	double cpu_busy_pct;
	int64_t procs_running, procs_blocked;
	int ncpus;
};

struct top_state {
	const char *root;
	struct ht_counter ctxt, intr, softirq, forks, cpu_total, cpu_idle;
};

struct top_renderer {
	const char *name;
	void (*begin)(void);
	void (*frame)(const struct top_snapshot *snap, uint64_t n);
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap top [-b] [-n N] [-i INTERVAL] [--json] [--root DIR]\n"
		"\n"
		"Live view of the host from /proc: context switches, interrupts,\n"
		"softirqs, forks and CPU use. On a terminal it redraws in place;\n"
		"piped, it prints plain frames.\n"
		"\n"
		"  -b, --batch          plain text frames, even on a terminal\n"
		"  -n, --iterations N   stop after N frames (default: until Ctrl-C)\n"
		"  -i, --interval T     refresh every T (default 2s; 500ms, 1m, ...)\n"
		"      --json           one JSON document per frame\n"
		"      --root DIR       read DIR/proc instead of /proc (for tests)\n"
		"  -h, --help           show this help\n"
		"\n"
		"Examples:\n"
		"  healthtap top\n"
		"  healthtap top -b -n 5 -i 1s > frames.txt\n");
}

static double cpu_busy(struct top_state *st, const struct proc_stat_cpu *cpu,
		       int64_t now)
{
	int64_t total, idle;

	if (cpu->user < 0 || cpu->idle < 0)
		return NAN;
	idle = cpu->idle + (cpu->iowait > 0 ? cpu->iowait : 0);
	total = cpu->user + cpu->system + idle +
		(cpu->nice > 0 ? cpu->nice : 0) + (cpu->irq > 0 ? cpu->irq : 0) +
		(cpu->softirq > 0 ? cpu->softirq : 0) + (cpu->steal > 0 ? cpu->steal : 0);
	ht_counter_update(&st->cpu_total, total, now);
	ht_counter_update(&st->cpu_idle, idle, now);
	if (st->cpu_total.delta <= 0 || st->cpu_idle.delta < 0)
		return NAN;
	return 100.0 * (double)(st->cpu_total.delta - st->cpu_idle.delta) /
	       (double)st->cpu_total.delta;
}

static int take_snapshot(struct top_state *st, struct top_snapshot *snap)
{
	struct proc_stat ps;
	int err = proc_stat_read(st->root, &ps);
	int64_t now = ht_now_ns();

	if (err) {
		ht_err("cannot read %s/proc/stat: %s", st->root, strerror(-err));
		return err;
	}
	ht_counter_update(&st->ctxt, ps.ctxt, now);
	ht_counter_update(&st->intr, ps.intr, now);
	ht_counter_update(&st->softirq, ps.softirq, now);
	ht_counter_update(&st->forks, ps.processes, now);
	*snap = (struct top_snapshot){
		.wall_ms = ht_wall_ms(), .mono_ns = now,
		.ctxt_rate = st->ctxt.rate, .intr_rate = st->intr.rate,
		.softirq_rate = st->softirq.rate, .fork_rate = st->forks.rate,
		.cpu_busy_pct = cpu_busy(st, &ps.cpu, now),
		.procs_running = ps.procs_running, .procs_blocked = ps.procs_blocked,
		.ncpus = ps.ncpus,
	};
	return 0;
}

/* Prints a rate, or "-" when there is none yet. */
static void put_rate(const char *label, double v, const char *unit)
{
	if (isnan(v))
		printf("  %-14s %12s %s\n", label, "-", unit);
	else
		printf("  %-14s %12.1f %s\n", label, v, unit);
}

static void put_json_num(const char *key, double v, int last)
{
	if (isnan(v))
		printf("\"%s\":null%s", key, last ? "" : ",");
	else
		printf("\"%s\":%.2f%s", key, v, last ? "" : ",");
}

static void text_frame(const struct top_snapshot *s, uint64_t n)
{
	char when[32];
	time_t secs = (time_t)(s->wall_ms / 1000);
	struct tm tm;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("healthtap top - %s - frame %" PRIu64 " - %d CPUs - source: /proc\n",
	       when, n, s->ncpus);
	put_rate("cpu busy", s->cpu_busy_pct, "%");
	put_rate("ctx switches", s->ctxt_rate, "/s");
	put_rate("interrupts", s->intr_rate, "/s");
	put_rate("softirqs", s->softirq_rate, "/s");
	put_rate("forks", s->fork_rate, "/s");
	printf("  %-14s %12" PRId64 " tasks\n", "running", s->procs_running);
	printf("  %-14s %12" PRId64 " tasks\n", "blocked", s->procs_blocked);
	printf("  probes: off (run 'stap -e \"probe health.* {}\" | healthtap stream')\n\n");
	fflush(stdout);
}

static void tty_begin(void)
{
	printf("\033[?25l");	/* hide the cursor while redrawing */
}

static void tty_frame(const struct top_snapshot *s, uint64_t n)
{
	printf("\033[H\033[2J");
	text_frame(s, n);
	printf("Ctrl-C quits\n");
	fflush(stdout);
}

static void json_frame(const struct top_snapshot *s, uint64_t n)
{
	printf("{\"frame\":%" PRIu64 ",\"time_ms\":%" PRId64 ",\"ncpus\":%d,", n,
	       s->wall_ms, s->ncpus);
	put_json_num("cpu_busy_pct", s->cpu_busy_pct, 0);
	put_json_num("ctxt_per_s", s->ctxt_rate, 0);
	put_json_num("intr_per_s", s->intr_rate, 0);
	put_json_num("softirq_per_s", s->softirq_rate, 0);
	put_json_num("forks_per_s", s->fork_rate, 0);
	printf("\"procs_running\":%" PRId64 ",\"procs_blocked\":%" PRId64 "}\n",
	       s->procs_running, s->procs_blocked);
	fflush(stdout);
}

static const struct top_renderer renderers[] = {
	{ "text", NULL, text_frame },
	{ "tty", tty_begin, tty_frame },
	{ "json", NULL, json_frame },
};

static int run_loop(struct top_state *st, const struct top_renderer *r,
		    int64_t interval_ms, int64_t iterations)
{
	struct top_snapshot snap;
	int64_t next = ht_now_ns();
	uint64_t n = 0;

	if (r->begin)
		r->begin();
	/* A first sample primes the counters so frame 1 already has rates. */
	if (take_snapshot(st, &snap))
		return 1;
	next += 200 * 1000000LL;
	while (!stop_requested && (iterations == 0 || (int64_t)n < iterations)) {
		ht_sleep_until(next);
		if (stop_requested)
			break;
		if (take_snapshot(st, &snap))
			return 1;
		r->frame(&snap, ++n);
		next += interval_ms * 1000000LL;
	}
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct top_state st = { .root = "" };
	int64_t interval_ms = 2000, iterations = 0;
	int batch = 0, json = 0, c, rc;
	const struct top_renderer *r;

	while ((c = getopt_long(argc, argv, "bn:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': batch = 1; break;
		case 'j': json = 1; break;
		case 'r': st.root = optarg; break;
		case 'n':
			if (ht_parse_count(optarg, &iterations))
				return ht_usage_error("top", "bad frame count '%s'", optarg);
			break;
		case 'i':
			if (ht_parse_duration_ms(optarg, &interval_ms) || interval_ms < 100)
				return ht_usage_error("top", "bad interval '%s' (at least 100ms)", optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("top", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("top", "unexpected argument '%s'", argv[optind]);
	ht_counter_init(&st.ctxt);
	ht_counter_init(&st.intr);
	ht_counter_init(&st.softirq);
	ht_counter_init(&st.forks);
	ht_counter_init(&st.cpu_total);
	ht_counter_init(&st.cpu_idle);
	r = json ? &renderers[2] : (batch || !isatty(STDOUT_FILENO)) ? &renderers[0] : &renderers[1];
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = run_loop(&st, r, interval_ms, iterations);
	if (r == &renderers[1])
		printf("\033[?25h");	/* give the cursor back */
	return rc;
}

HT_COMMAND(top, cmd_top, "live view of the host (the default)", 10)
