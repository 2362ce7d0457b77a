/* healthtap top: the live dashboard.
 *
 * On a terminal it runs the full-screen ncurses dashboard (top_ui.c), with
 * the sampler in a thread of its own (top_collect.c). Piped, or with
 * --batch, it prints plain frames like top -b; with --json one JSON document
 * per frame (top_render.c). Every screen draws from one frame type
 * (top_frame.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "ht_sched.h"
#include "top_collect.h"
#include "top_hosts.h"
#include "top_render.h"
#include "top_table.h"
#include "top_ui.h"

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
		"                     [-s COLUMN] [--filter NAME] [--tree] [--threads]\n"
		"                     [--stap[=CMD] | --stream FILE|-] [--no-color] [--where]\n"
		"       healthtap top --hosts H1:PORT,H2:PORT [-b] [-n N] [-i T] [--json]\n"
		"\n"
		"Live dashboard of the host: memory and its trend, PSI, context switches,\n"
		"interrupts and softirqs, probe figures when the health tapset runs, and\n"
		"every process with its RSS growth, fit, time to its nearest limit and a\n"
		"sparkline, riskiest leak first; kernel threads are hidden and healthtap's\n"
		"own processes are marked '*'. On a terminal it is a full-screen view\n"
		"(press ? for keys and columns); piped, it prints plain frames.\n"
		"\n"
		"  -b, --batch          plain text frames, even on a terminal\n"
		"  -n, --iterations N   stop after N frames, N >= 1 (default: until q or Ctrl-C)\n"
		"  -i, --interval T     refresh every T, 100ms to 1d (default 2s; 500ms, 1m)\n"
		"      --json           one JSON document per frame\n"
		"      --root DIR       read DIR/proc instead of /proc (for tests)\n"
		"  -s, --sort COLUMN    risk (default), pid, user, rss, anon, growth, r2,\n"
		"                       ttl, command\n"
		"  -r, --reverse        invert the sort order\n"
		"      --filter NAME    only commands containing NAME (any case)\n"
		"      --tree           children under their parent\n"
		"      --threads        per-thread context switches\n"
		"      --kthreads       show kernel threads (hidden by default, as in htop;\n"
		"                       K toggles them on the screen)\n"
		"      --no-kthreads    hide kernel threads (the default)\n"
		"  -m, --max-rows N     print at most N processes per batch frame (0: all)\n"
		"      --stap[=CMD]     start the health tapset through a child (default\n"
		"                       \"stap -e 'probe health.* {}'\", --runtime=bpf on a\n"
		"                       kernel without modules, -I $HEALTHTAP_TAPSET when\n"
		"                       set; $HEALTHTAP_STAP_CMD overrides it), restart\n"
		"                       it when it dies, read its stream\n"
		"      --stream FILE    read a tapset stream from FILE ('-': standard input)\n"
		"      --where          the detail view also shows where its process\n"
		"                       allocates: health.alloc.sites on it (stap, root; the\n"
		"                       latest batch's 8 sites; healthtap-leaks(1) --where)\n"
		"      --no-color       no colours on the screen\n"
		"      --hosts LIST     several hosts' 'healthtap serve' (HOST:PORT,...) in\n"
		"                       one table, aggregated per command across hosts\n"
		"      --clock-label T  print T instead of the time (for golden tests; also\n"
		"                       $HEALTHTAP_TOP_CLOCK)\n"
		"  -h, --help           show this help\n"
		"\n"
		"Examples:\n"
		"  healthtap top\n"
		"  healthtap top -b -n 5 -i 1s > frames.txt\n"
		"  healthtap top --json -n 1 | jq '.processes[0]'\n"
		"  stap -e 'probe health.* {}' | healthtap top --stream -\n");
}

static int utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8"));
}

/* Batch and JSON: sample here, in this thread, on ht_sched's schedule. */
struct sync_run {
	struct top_collector *c;
	const struct top_renderer *r;
	struct top_render_ctx *ctx;
	uint64_t frames;
};

static int sync_tick(void *arg, const struct ht_sched_tick *t)
{
	struct sync_run *s = arg;
	struct top_frame *f;
	char msg[256];
	int err;

	if (top_collect_sample(s->c, msg, sizeof(msg))) {
		ht_err("%s", msg);
		return 1;
	}
	if (t->seq == 1)
		return 0;	/* primes the counters, so frame 1 has rates */
	f = top_collect_frame(s->c);
	if (!f) {
		ht_err("cannot build a frame: %s", strerror(ENOMEM));
		return 1;
	}
	s->ctx->frame_no = ++s->frames;
	err = s->r->frame(s->ctx, f);
	top_frame_free(f);
	if (err) {
		ht_err("cannot write the frame: %s", strerror(-err));
		return 1;
	}
	return 0;
}

static void sync_wait(void *arg, int64_t deadline_ns)
{
	top_collect_wait(((struct sync_run *)arg)->c, deadline_ns);
}

static int sync_should_stop(void *arg)
{
	(void)arg;
	return stop_requested;
}

static int run_sync(struct top_collector *c, const struct top_renderer *r,
		    struct top_render_ctx *ctx, int64_t interval_ms, int64_t iterations)
{
	struct sync_run s = { c, r, ctx, 0 };
	struct ht_sched_opts so;

	ht_sched_opts_default(&so);
	so.interval_ns = interval_ms * 1000000LL;
	so.second_ns = 200 * 1000000LL;
	so.max_ticks = iterations ? (uint64_t)iterations + 1 : 0;
	so.ctx = &s;
	so.tick = sync_tick;
	so.wait = sync_wait;
	so.should_stop = sync_should_stop;
	return ht_sched_run(&so, NULL) ? 1 : 0;
}

/* --hosts: several hosts' healthtap serve in one table (top_hosts.c). */
static int run_hosts(const char *list, const struct top_view_opts *view, int sort_given,
		     int reverse, int64_t interval_ms, int64_t iterations, int json, int batch,
		     int color, const char *clock_label, size_t limit)
{
	static char addrs[TOP_HOSTS_MAX][128];
	char msg[256];
	struct top_hosts_opts o = {
		.addrs = addrs, .interval_ms = interval_ms, .iterations = iterations,
		.json = json, .batch = batch, .color = color, .clock_label = clock_label,
		.limit = limit, .sort = TOP_HS_RSS, .desc = 1,
	};
	struct sigaction sa;
	int n = top_hosts_parse(list, addrs, TOP_HOSTS_MAX, msg, sizeof(msg));

	if (n < 0)
		return ht_usage_error("top", "%s", msg);
	o.naddrs = (size_t)n;
	if (sort_given) {
		switch (view->sort) {
		case TOP_COL_RSS: o.sort = TOP_HS_RSS; o.desc = 1; break;
		case TOP_COL_GROWTH: o.sort = TOP_HS_GROWTH; o.desc = 1; break;
		case TOP_COL_RISK: o.sort = TOP_HS_RISK; o.desc = 1; break;
		case TOP_COL_CMD: o.sort = TOP_HS_NAME; o.desc = 0; break;
		default:
			return ht_usage_error("top", "--hosts sorts by rss, growth, risk or command");
		}
	}
	if (reverse)
		o.desc = !o.desc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return top_hosts_run(&o, &stop_requested);
}

int cmd_top(int argc, char **argv)
{
	enum { O_JSON = 256, O_ROOT, O_FILTER, O_TREE, O_THREADS, O_KTHREADS, O_NOKTHREADS, O_STAP,
	       O_STREAM, O_NOCOLOR, O_CLOCK, O_HOSTS, O_WHERE };
	static const struct option opts[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, O_JSON },
		{ "root", required_argument, NULL, O_ROOT },
		{ "sort", required_argument, NULL, 's' },
		{ "reverse", no_argument, NULL, 'r' },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "tree", no_argument, NULL, O_TREE },
		{ "threads", no_argument, NULL, O_THREADS },
		{ "kthreads", no_argument, NULL, O_KTHREADS },
		{ "no-kthreads", no_argument, NULL, O_NOKTHREADS },
		{ "max-rows", required_argument, NULL, 'm' },
		{ "stap", optional_argument, NULL, O_STAP },
		{ "stream", required_argument, NULL, O_STREAM },
		{ "no-color", no_argument, NULL, O_NOCOLOR },
		{ "clock-label", required_argument, NULL, O_CLOCK },
		{ "hosts", required_argument, NULL, O_HOSTS },
		{ "where", no_argument, NULL, O_WHERE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct top_collect_opts co = { .root = "", .interval_ms = 2000 };
	struct top_view_opts view = { .sort = TOP_COL_RISK, .desc = 1, .show_kthreads = 0 };
	int64_t iterations = 0, max_rows = 0;
	int batch = 0, json = 0, threads = 0, color = 1, reverse = 0, c, rc;
	const char *clock_label = getenv("HEALTHTAP_TOP_CLOCK");
	const char *hosts = NULL;
	int sort_given = 0;
	char stap_cmd[1024], msg[256];
	struct top_collector *col;
	struct sigaction sa;
	int err;

	while ((c = getopt_long(argc, argv, "bn:i:s:rm:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': batch = 1; break;
		case O_JSON: json = 1; break;
		case O_ROOT: co.root = optarg; break;
		case 'n':
			if ((rc = ht_opt_count("top", "-n", optarg, 1, INT32_MAX, &iterations)))
				return rc;
			break;
		case 'i':
			if ((rc = ht_opt_duration("top", "-i", optarg, 100, HT_MAX_INTERVAL_MS,
						  &co.interval_ms)))
				return rc;
			break;
		case 's':
			view.sort = top_column_find(optarg);
			if (view.sort < 0)
				return ht_usage_error("top", "unknown sort column '%s'", optarg);
			view.desc = top_columns[view.sort].desc_first;
			sort_given = 1;
			break;
		case 'r': reverse = 1; break;
		case 'm':
			if ((rc = ht_opt_count("top", "-m", optarg, 0, INT32_MAX, &max_rows)))
				return rc;
			break;
		case O_FILTER: view.filter = optarg; break;
		case O_TREE: view.tree = 1; break;
		case O_THREADS: threads = 1; break;
		case O_KTHREADS: view.show_kthreads = 1; break;
		case O_NOKTHREADS: view.show_kthreads = 0; break;
		case O_STAP:
			if (optarg)
				snprintf(stap_cmd, sizeof(stap_cmd), "%s", optarg);
			else
				stap_cmd[0] = '\0';	/* the default, once options are read */
			co.stap_cmd = stap_cmd;
			break;
		case O_STREAM: co.stream_path = optarg; break;
		case O_NOCOLOR: color = 0; break;
		case O_CLOCK: clock_label = optarg; break;
		case O_HOSTS: hosts = optarg; break;
		case O_WHERE: co.where = 1; break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("top", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("top", "unexpected argument '%s'", argv[optind]);
	if (co.stap_cmd && co.stream_path)
		return ht_usage_error("top", "--stap and --stream are exclusive");
	if (co.stap_cmd && !stap_cmd[0]) {
		const char *why = ht_stap_default_cmd(stap_cmd, sizeof(stap_cmd));
		if (why) {
			ht_err("--stap: stap cannot run here: %s", why);
			return 1;
		}
	}
	if (reverse)
		view.desc = !view.desc;
	setlocale(LC_CTYPE, "");
	if (hosts)
		return run_hosts(hosts, &view, sort_given, reverse, co.interval_ms, iterations,
				 json, batch || !isatty(STDOUT_FILENO), color, clock_label,
				 (size_t)max_rows);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll and sleeps wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	col = top_collect_new(&co, msg, sizeof(msg), &err);
	if (!col) {
		ht_err("%s", msg);
		return 1;
	}
	top_collect_set(col, 0, threads);
	if (json || batch || !isatty(STDOUT_FILENO)) {
		struct top_render_ctx ctx = {
			.out = stdout, .root = co.root, .clock_label = clock_label, .view = view,
			.utf8 = 0, .limit = (size_t)max_rows,
		};
		rc = run_sync(col, top_renderer_find(json ? "json" : "text"), &ctx, co.interval_ms,
			      iterations);
	} else {
		struct top_ui_opts uo = {
			.view = view, .threads = threads, .utf8 = utf8_locale(), .color = color,
			.clock_label = clock_label, .root = co.root, .iterations = iterations,
			.interval_ms = co.interval_ms,
			.tty_fd = -1, .out_fd = -1,
		};
		int ttyfd = -1;

		/* The stream on standard input, or input from a pipe: keys come
		 * from the terminal. */
		if ((co.stream_path && !strcmp(co.stream_path, "-")) || !isatty(STDIN_FILENO)) {
			ttyfd = open("/dev/tty", O_RDONLY | O_CLOEXEC);
			if (ttyfd < 0) {
				ht_err("cannot open /dev/tty: %s", strerror(errno));
				top_collect_free(col);
				return 1;
			}
			uo.tty_fd = ttyfd;
		}
		err = top_collect_start(col);
		if (err) {
			ht_err("cannot start the sampler thread: %s", strerror(-err));
			rc = 1;
		} else {
			rc = top_ui_run(col, &uo, &stop_requested, msg, sizeof(msg));
			if (rc && msg[0])
				ht_err("%s", msg);
		}
		if (ttyfd >= 0)
			close(ttyfd);
	}
	top_collect_free(col);
	return rc;
}

HT_COMMAND(top, cmd_top, "live dashboard of the host (the default)", 10)
