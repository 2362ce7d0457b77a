/* healthtap check: a Nagios/Icinga plugin that says how many hours are left
 * before memory runs out at the rate it leaks. Also installed as check_leak,
 * whose options (-a, -m MB, -w HOURS, -c HOURS) it keeps.
 *
 * One status line, "LEAK OK - ... | perfdata", exit 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN (any internal error, with the reason; bad options
 * too, as the monitoring-plugins guidelines ask). -w and -c are ranges in
 * the guidelines' [@]start:end syntax on the hours left; a bare number N
 * means "N:" (fewer than N hours left), as check_leak's numbers did. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check_state.h"
#include "cli.h"
#include "fmt.h"
#include "ht_leak_collect.h"

enum { STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN };

static const char *const state_names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

#define MiB (1024.0 * 1024.0)

/* The guidelines' order of badness: CRITICAL > WARNING > UNKNOWN > OK. */
static int max_state(int a, int b)
{
	static const int rank[] = { 0, 2, 3, 1 };

	return rank[a] >= rank[b] ? a : b;
}

/* A threshold range: alert when the value is outside [start, end] (inside
 * with '@'). */
struct range {
	double start, end;
	int inside;
	char text[64];			/* as given (hours), for messages */
};

static int parse_bound(const char *s, size_t len, double def, double *out)
{
	char buf[64], *end;

	if (len == 0) {
		*out = def;
		return 0;
	}
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!strcmp(buf, "~")) {
		*out = -INFINITY;
		return 0;
	}
	*out = strtod(buf, &end);
	return *end || !isfinite(*out) ? -EINVAL : 0;
}

/* "[@][start:][end]"; a bare "N" is "N:" here (hours left: fewer is worse). */
static int parse_range(const char *s, struct range *r)
{
	const char *colon;

	memset(r, 0, sizeof(*r));
	snprintf(r->text, sizeof(r->text), "%s", s);
	if (*s == '@') {
		r->inside = 1;
		s++;
	}
	colon = strchr(s, ':');
	if (!*s)
		return -EINVAL;
	if (!colon) {
		if (parse_bound(s, strlen(s), 0, &r->start))
			return -EINVAL;
		r->end = INFINITY;
		return 0;
	}
	if (parse_bound(s, (size_t)(colon - s), 0, &r->start) ||
	    parse_bound(colon + 1, strlen(colon + 1), INFINITY, &r->end) ||
	    r->start > r->end)
		return -EINVAL;
	return 0;
}

static int range_alerts(const struct range *r, double v)
{
	int outside = v < r->start || v > r->end;

	return r->inside ? !outside : outside;
}

/* The range in seconds, for perfdata (the guidelines' syntax again). */
static void range_seconds(const struct range *r, char *buf, size_t len)
{
	char a[32] = "", b[32] = "";

	if (isinf(r->start))
		snprintf(a, sizeof(a), "~");
	else
		snprintf(a, sizeof(a), "%.0f", r->start * 3600);
	if (isfinite(r->end))
		snprintf(b, sizeof(b), "%.0f", r->end * 3600);
	snprintf(buf, len, "%s%s:%s", r->inside ? "@" : "", a, b);
}

static volatile sig_atomic_t timeout_s = 10;

static void on_alarm(int sig)
{
	char msg[80];
	int n;

	(void)sig;
	n = snprintf(msg, sizeof(msg), "LEAK UNKNOWN - timed out after %d s\n", (int)timeout_s);
	if (n > 0 && write(1, msg, (size_t)n) < 0)
		_exit(STATE_UNKNOWN);
	_exit(STATE_UNKNOWN);
}

static int unknown(const char *fmt, const char *arg)
{
	printf("LEAK UNKNOWN - ");
	printf(fmt, arg);
	printf("\n");
	return STATE_UNKNOWN;
}

struct check_opts {
	int compat;			/* check_leak */
	int list;			/* -a */
	double mem_mb;			/* -m; NAN: the real limit */
	struct range warn, crit;
	int have_warn, have_crit;
	pid_t pid;
	const char *comm, *cgroup;
	int no_state;			/* --no-state: this run's samples only */
	int64_t history_ms;		/* --history: what the state keeps */
	const char *history;		/* where the history came from, or NULL */
	char history_why[512];		/* why there is none */
	char state_path[4096];
	struct ht_leak_collect_opts co;
};

static void usage(FILE *out, int compat)
{
	if (compat)
		fprintf(out,
			"usage: check_leak -a\n"
			"       check_leak [-m MEM_MB] -w HOURS -c HOURS [-p PID | -C NAME | --cgroup PATH]\n"
			"\n"
			"  -a         list every process whose memory grows:\n"
			"             Process PID is leaking N o/s (cmdline)\n"
			"  -m MB      the memory (MiB) to consider full (default: the real limit)\n"
			"  -w HOURS   WARNING when fewer hours are left before it is full\n"
			"  -c HOURS   CRITICAL when fewer hours are left\n"
			"Other options as healthtap check; see check_leak(1).\n");
	else
		fprintf(out,
			"usage: healthtap check [-m MEM_MB] -w HOURS -c HOURS\n"
			"                       [-p PID | -C NAME | --cgroup PATH] [-d DB]\n"
			"\n"
			"A Nagios/Icinga plugin: samples memory for a few seconds (or reads a\n"
			"recorded DB), judges which processes leak, and says how many hours are\n"
			"left before the watched memory reaches its limit at that rate. One\n"
			"status line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n"
			"\n"
			"  -m, --memory MB      the memory size (MiB) to consider full; default:\n"
			"                       MemTotal (system), the nearest limit (-p), the\n"
			"                       cgroup's memory.max (--cgroup)\n"
			"  -w, --warning R      hours-left range; a bare N means N: (fewer than N\n"
			"                       hours left), else [@]start:end as the guidelines\n"
			"  -c, --critical R     the same for CRITICAL\n"
			"  -p, --pid PID        watch one process (its RSS)\n"
			"  -C, --command NAME   watch the processes named NAME (their total RSS)\n"
			"      --cgroup PATH    watch a cgroup v2 (its memory.current)\n"
			"                       (default: the system, used = MemTotal - MemAvailable,\n"
			"                       growing at the sum of the leaking processes' rates)\n"
			"  -d, --db DB          judge the series recorded in DB instead of sampling\n"
			"      --history D      without -d: judge the last D of history (default\n"
			"                       24h), from the recorder's default DB while a\n"
			"                       recorder writes it, else from the check's own\n"
			"                       state, kept between runs in\n"
			"                       $MP_STATE_PATH/EUID/check_leak/ (see check_leak(1))\n"
			"      --no-state       judge this run's samples only\n"
			"      --window D       sample for D (default 5s)\n"
			"      --interval D     between samples (default 250ms)\n"
			"      --min-age D      younger processes are not judged (default 60s)\n"
			"      --warmup D       a process's first D are not used (default 30s)\n"
			"      --horizon D      never 'not leaking' while the CI holds a rate that\n"
			"                       reaches the limit within D (default 1d)\n"
			"  -t, --timeout S      UNKNOWN after S seconds (default 10)\n"
			"      --root DIR       read DIR/proc (for tests)\n"
			"  -h, --help           show this help\n"
			"\n"
			"Examples:\n"
			"  healthtap check -w 48 -c 12                  the whole host\n"
			"  healthtap check -m 2048 -w 24 -c 4 -C java   java processes vs 2 GiB\n"
			"  healthtap check -w 24 -c 6 --cgroup /system.slice/app.service\n");
}

/* Text from a process for the plugin's output: visible-safe (fmt.h), and
 * a '|' (where Nagios perfdata starts) shown as \x7c too. */
static const char *plugin_text(char *buf, size_t size, const char *s)
{
	char seen[512];
	size_t n = 0;

	fmt_visible(seen, sizeof(seen), s);
	for (const char *p = seen; *p && n + 5 < size; p++) {
		if (*p == '|') {
			memcpy(buf + n, "\\x7c", 4);
			n += 4;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return buf;
}

/* The list of check_leak -a: every growing process, slowest first. */
static int list_growing(const struct ht_leak_report *r)
{
	size_t n = 0;

	for (size_t i = r->nprocs_items; i-- > 0;) {
		const struct ht_leak_item *it = &r->procs[i];

		char name[512];

		if (!ht_leak_positive(&it->l))
			continue;
		printf("Process %d is leaking %.0f o/s (%s)\n", (int)it->pid, it->l.rate,
		       plugin_text(name, sizeof(name), it->cmdline ? it->cmdline : it->comm));
		n++;
	}
	if (!n)
		printf("No process is leaking\n");
	return STATE_OK;
}

struct subject {
	char what[160];			/* "pid 42 (foo)", "3 processes named foo" */
	double used, limit;		/* bytes */
	double rate, rate_lo, rate_hi;	/* bytes/s of what leaks; 0 when none */
	const char *limit_name;
	const struct ht_leak_item *worst;	/* the fastest leaking process, or NULL */
	size_t leaking;
	const char *verdict;		/* for one subject: "not leaking (flat)" */
};

static void add_rate(struct subject *sj, const struct ht_leak_item *it)
{
	if (it->l.verdict != HT_LEAK_YES)
		return;
	sj->rate += it->l.rate;
	sj->rate_lo += it->l.rate_lo > 0 ? it->l.rate_lo : 0;
	sj->rate_hi += it->l.rate_hi;
	if (!sj->worst || it->l.rate > sj->worst->l.rate)
		sj->worst = it;
	sj->leaking++;
}

static void one_verdict(struct subject *sj, const struct ht_leak_item *it, char *buf,
			size_t len)
{
	char d[32];

	if (it->l.verdict == HT_LEAK_INCONCLUSIVE && isfinite(it->l.decide_in_s))
		snprintf(buf, len, "%s (%s, a verdict in about %s more)",
			 ht_leak_verdict_name(it->l.verdict), ht_leak_reason_name(it->l.reason),
			 fmt_duration(d, sizeof(d), it->l.decide_in_s));
	else
		snprintf(buf, len, "%s (%s)", ht_leak_verdict_name(it->l.verdict),
			 ht_leak_reason_name(it->l.reason));
	sj->verdict = buf;
}

/* How much history the verdict rests on: a few seconds cannot show a slow
 * leak, and the status line says so. */
#define SHORT_HISTORY_S 600

static void history_note(const struct check_opts *o, const struct ht_leak_report *r,
			 int leaking)
{
	char span[32];

	fmt_duration(span, sizeof(span), r->window_s);
	if (o->history)
		printf("; %s of history (%s)", span, o->history);
	else if (o->history_why[0])
		printf("; %s sampled, no history kept: %s", span, o->history_why);
	else if (!o->co.db)
		printf("; %s sampled, no history kept", span);
	if (!leaking && r->window_s < SHORT_HISTORY_S)
		printf(", too short to tell a slow leak");
}

static int evaluate(const struct check_opts *o, const struct ht_leak_report *r)
{
	struct subject sj = { .limit = NAN, .limit_name = "limit" };
	char vbuf[128], name[160], a[32], b[32], c[32], d[32], e[32], wr[48] = "", cr[48] = "";
	double left_h, soonest_h, latest_h;
	int state = STATE_OK;

	if (o->pid) {
		const struct ht_leak_item *it = r->nprocs_items ? &r->procs[0] : NULL;

		if (!it) {
			snprintf(a, sizeof(a), "%d", (int)o->pid);
			return unknown("no process %s to watch", a);
		}
		snprintf(sj.what, sizeof(sj.what), "pid %d (%s)", (int)it->pid,
			 plugin_text(name, sizeof(name), it->comm));
		sj.used = (double)it->l.current;
		if (it->l.limit_kind != HT_LIMIT_NONE) {
			sj.limit = (double)it->l.limit_bytes;
			sj.limit_name = ht_leak_limit_name(it->l.limit_kind);
			if (it->l.limit_kind == HT_LIMIT_SYSTEM)
				sj.limit = sj.used + (double)it->l.headroom;
			else if (it->l.headroom >= 0)
				sj.limit = sj.used + (double)it->l.headroom;
		}
		add_rate(&sj, it);
		one_verdict(&sj, it, vbuf, sizeof(vbuf));
	} else if (o->cgroup) {
		const struct ht_leak_item *it = r->ncgroups ? &r->cgroups[0] : NULL;

		if (!it && r->from_db)
			return unknown("no cgroup series in the DB (cgroup %s needs live sampling)",
				       o->cgroup);
		if (!it)
			return unknown("no memory.current for cgroup %s (no process in it?)",
				       o->cgroup);
		snprintf(sj.what, sizeof(sj.what), "cgroup %s",
			 plugin_text(name, sizeof(name), it->cgroup));
		sj.used = (double)it->l.current;
		if (it->l.limit_kind != HT_LIMIT_NONE && it->l.headroom >= 0) {
			sj.limit = sj.used + (double)it->l.headroom;
			sj.limit_name = ht_leak_limit_name(it->l.limit_kind);
		}
		add_rate(&sj, it);
		one_verdict(&sj, it, vbuf, sizeof(vbuf));
	} else if (o->comm) {
		if (!r->nprocs_items)
			return unknown("no process named %s", o->comm);
		sj.used = 0;
		for (size_t i = 0; i < r->nprocs_items; i++) {
			sj.used += r->procs[i].l.current > 0 ? (double)r->procs[i].l.current : 0;
			add_rate(&sj, &r->procs[i]);
		}
		snprintf(sj.what, sizeof(sj.what), "%zu process%s named %s", r->nprocs_items,
			 r->nprocs_items == 1 ? "" : "es", o->comm);
		if (r->mem_available >= 0) {
			sj.limit = sj.used + (double)r->mem_available;
			sj.limit_name = "system";
		}
		if (r->nprocs_items == 1)
			one_verdict(&sj, &r->procs[0], vbuf, sizeof(vbuf));
	} else {
		if (r->mem_total < 0 || r->mem_available < 0)
			return unknown("%s", "no MemTotal or MemAvailable in /proc/meminfo");
		sj.used = (double)(r->mem_total - r->mem_available);
		sj.limit = (double)r->mem_total;
		sj.limit_name = "MemTotal";
		for (size_t i = 0; i < r->nprocs_items; i++)
			add_rate(&sj, &r->procs[i]);
		snprintf(sj.what, sizeof(sj.what), "system memory");
	}
	if (isfinite(o->mem_mb)) {
		sj.limit = o->mem_mb * MiB;
		sj.limit_name = "-m";
	}
	if (!isfinite(sj.limit))
		return unknown("no memory limit known for %s: give -m", sj.what);

	left_h = soonest_h = latest_h = INFINITY;
	if (sj.rate > 0) {
		double room = sj.limit - sj.used;

		if (room < 0)
			room = 0;
		left_h = room / sj.rate / 3600;
		soonest_h = sj.rate_hi > 0 ? room / sj.rate_hi / 3600 : left_h;
		latest_h = sj.rate_lo > 0 ? room / sj.rate_lo / 3600 : INFINITY;
	}
	if (o->have_warn && range_alerts(&o->warn, left_h))
		state = max_state(state, STATE_WARNING);
	if (o->have_crit && range_alerts(&o->crit, left_h))
		state = max_state(state, STATE_CRITICAL);

	printf("LEAK %s - ", state_names[state]);
	if (sj.rate > 0) {
		printf("%s leaking %s/s (%.0f B/s), %.2f h left before it reaches %s (%s) "
		       "(%.2f h to %s h), %s used",
		       sj.what, fmt_bytes(a, sizeof(a), sj.rate), sj.rate, left_h,
		       fmt_bytes(b, sizeof(b), sj.limit), sj.limit_name, soonest_h,
		       isinf(latest_h) ? "inf" : (snprintf(e, sizeof(e), "%.2f", latest_h), e),
		       fmt_bytes(c, sizeof(c), sj.used));
		/* a leak that began inside the history (healthtap-leaks(1) rule 10) */
		if (o->pid && sj.worst && isfinite(sj.worst->l.onset_ago_s))
			printf(", leaking since %s ago",
			       fmt_duration(d, sizeof(d), sj.worst->l.onset_ago_s));
		if (sj.worst && !o->pid && !o->cgroup)
			printf("; %zu leaking, fastest pid %d (%s) %s/s", sj.leaking,
			       (int)sj.worst->pid, plugin_text(name, sizeof(name), sj.worst->comm),
			       fmt_bytes(d, sizeof(d), sj.worst->l.rate));
	} else {
		printf("%s: %s, %s used of %s (%s)", sj.what,
		       sj.verdict ? sj.verdict : "no leak",
		       fmt_bytes(a, sizeof(a), sj.used),
		       fmt_bytes(b, sizeof(b), sj.limit), sj.limit_name);
	}
	history_note(o, r, sj.rate > 0);
	if (o->have_warn)
		range_seconds(&o->warn, wr, sizeof(wr));
	if (o->have_crit)
		range_seconds(&o->crit, cr, sizeof(cr));
	printf(" | 'used'=%.0fB;;;0;%.0f 'growth_Bps'=%.0f;;;;", sj.used, sj.limit, sj.rate);
	if (isfinite(left_h))
		printf(" 'time_left'=%.0fs;%s;%s;0;", left_h * 3600, wr, cr);
	if (!o->pid && !o->cgroup)
		printf(" 'leaking'=%zu;;;0;", sj.leaking);
	printf("\n");
	return state;
}

enum { OPT_MIN_AGE = 1000, OPT_WARMUP, OPT_ROOT, OPT_CGROUP, OPT_WINDOW, OPT_INTERVAL,
       OPT_HISTORY, OPT_NO_STATE, OPT_HORIZON };

/* The state key: a hash (FNV-1a) of the options that choose what is
 * sampled and judged, so each service keeps a history of its own. */
static void state_key(const struct check_opts *o, char *buf, size_t size)
{
	char text[4600];
	uint64_t h = 1469598103934665603ULL;

	snprintf(text, sizeof(text), "pid=%d comm=%s root=%s interval=%" PRId64, (int)o->pid,
		 o->comm ? o->comm : "", o->co.root ? o->co.root : "", o->co.interval_ms);
	for (const char *p = text; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	snprintf(buf, size, "%016" PRIx64, h);
}

/* Without -d: the recorder's default DB while a recorder writes it, else
 * this run's window recorded into the check's state and all of it judged;
 * failing both, this run's samples alone (history_why says why). */
static void use_history(struct check_opts *o)
{
	char def[4096], key[32];

	if (o->co.db || o->cgroup || o->no_state) {
		if (o->cgroup && !o->co.db && !o->no_state)
			snprintf(o->history_why, sizeof(o->history_why),
				 "cgroups are judged live only");
		return;
	}
	if ((!o->co.root || !*o->co.root) && ht_default_db_path(def, sizeof(def)) == 0 &&
	    check_recorder_writing(def)) {
		snprintf(o->state_path, sizeof(o->state_path), "%s", def);
		o->history = "the recorder's DB";
	} else {
		state_key(o, key, sizeof(key));
		if (check_state_path(key, o->state_path, sizeof(o->state_path), o->history_why,
				     sizeof(o->history_why)) ||
		    check_state_record(o->state_path, o->co.interval_ms, o->co.window_ms,
				       o->history_ms, o->co.root ? o->co.root : "",
				       o->history_why, sizeof(o->history_why)))
			return;
		o->history = "kept between runs";
	}
	o->co.db = o->state_path;
	o->co.window_ms = o->history_ms;
	o->co.interval_ms = 0;		/* the samples as recorded */
}

static int run_check(int argc, char **argv, int compat)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "warning", required_argument, NULL, 'w' },
		{ "critical", required_argument, NULL, 'c' },
		{ "pid", required_argument, NULL, 'p' },
		{ "command", required_argument, NULL, 'C' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "db", required_argument, NULL, 'd' },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "min-age", required_argument, NULL, OPT_MIN_AGE },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "timeout", required_argument, NULL, 't' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "horizon", required_argument, NULL, OPT_HORIZON },
		{ "no-state", no_argument, NULL, OPT_NO_STATE },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct check_opts o = { .compat = compat, .mem_mb = NAN, .history_ms = 86400 * 1000LL };
	struct ht_leak_report rep;
	struct sigaction sa = { .sa_handler = on_alarm };
	int64_t v, ms;
	int c, state, selectors = 0, window_set = 0, interval_set = 0;
	char err[512], *end;

	ht_leak_collect_opts_default(&o.co);
	o.co.window_ms = 5000;
	o.co.interval_ms = 250;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:w:c:p:C:d:t:ah", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o.mem_mb = strtod(optarg, &end);
			if (*end || !(o.mem_mb > 0) || !isfinite(o.mem_mb))
				return unknown("bad memory size '%s' (MiB)", optarg);
			break;
		case 'w':
			if (parse_range(optarg, &o.warn))
				return unknown("bad warning range '%s' (hours)", optarg);
			o.have_warn = 1;
			break;
		case 'c':
			if (parse_range(optarg, &o.crit))
				return unknown("bad critical range '%s' (hours)", optarg);
			o.have_crit = 1;
			break;
		case 'p':
			if (ht_parse_count(optarg, &v) || v <= 0 || v > INT32_MAX)
				return unknown("bad pid '%s'", optarg);
			o.pid = (pid_t)v;
			selectors++;
			break;
		case 'C': o.comm = optarg; selectors++; break;
		case OPT_CGROUP: o.cgroup = optarg; selectors++; break;
		case 'd': o.co.db = optarg; break;
		case OPT_WINDOW:
			if (ht_parse_duration_ms(optarg, &o.co.window_ms))
				return unknown("bad window '%s'", optarg);
			window_set = 1;
			break;
		case OPT_INTERVAL:
			if (ht_parse_duration_ms(optarg, &o.co.interval_ms) || o.co.interval_ms <= 0)
				return unknown("bad interval '%s'", optarg);
			interval_set = 1;
			break;
		case OPT_MIN_AGE:
			if (ht_parse_duration_ms(optarg, &ms))
				return unknown("bad minimum age '%s'", optarg);
			o.co.lo.min_age_s = ms / 1e3;
			break;
		case OPT_WARMUP:
			if (ht_parse_duration_ms(optarg, &ms))
				return unknown("bad warm-up '%s'", optarg);
			o.co.lo.warmup_s = ms / 1e3;
			break;
		case 't':
			if (ht_parse_count(optarg, &v) || v < 1 || v > 3600)
				return unknown("bad timeout '%s' (seconds)", optarg);
			timeout_s = (int)v;
			break;
		case OPT_ROOT: o.co.root = optarg; break;
		case OPT_HISTORY:
			if (ht_parse_duration_ms(optarg, &o.history_ms) || o.history_ms < 1000)
				return unknown("bad history '%s'", optarg);
			break;
		case OPT_NO_STATE: o.no_state = 1; break;
		case OPT_HORIZON:
			if (ht_parse_duration_ms(optarg, &ms) || ms < 1000)
				return unknown("bad horizon '%s'", optarg);
			o.co.lo.horizon_s = ms / 1e3;
			break;
		case 'a': o.list = 1; break;
		case 'h': usage(stdout, compat); return STATE_OK;
		default:
			usage(stderr, compat);
			return unknown("bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return unknown("unexpected argument '%s'", argv[optind]);
	if (selectors > 1)
		return unknown("%s", "-p, -C and --cgroup exclude each other");
	if (!o.list && !o.have_warn && !o.have_crit)
		return unknown("%s", "give -w and -c (hours left), or -a");
	if (!o.list && o.have_warn != o.have_crit)
		return unknown("%s", o.have_warn ? "-w needs -c (hours left for CRITICAL)"
						 : "-c needs -w (hours left for WARNING)");
	/* Bare thresholds ("N": alert below N hours left): CRITICAL must be
	 * the nearer one, or WARNING could never show. */
	if (!o.list && !o.warn.inside && !o.crit.inside && isinf(o.warn.end) &&
	    isinf(o.crit.end) && o.crit.start > o.warn.start)
		return unknown("inverted thresholds: -c %s hours left is more than -w; "
			       "CRITICAL must be fewer hours than WARNING", o.crit.text);
	if (o.co.db && !window_set)
		o.co.window_ms = 0;
	/* a DB is read at its recorded samples (at most ~2000 points), not on
	 * the live 250 ms grid: a week on that grid is 2.4M points a process */
	if (o.co.db && !interval_set)
		o.co.interval_ms = 0;
	if (!o.co.db && (o.co.window_ms < o.co.interval_ms ||
			 o.co.window_ms > (timeout_s - 1) * 1000LL))
		return unknown("the window must hold an interval and end a second before "
			       "the timeout (%s)", "-t");
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)timeout_s);

	if (o.pid) {
		o.co.pids = &o.pid;
		o.co.npids = 1;
	}
	o.co.comm = o.comm;
	o.co.cgroup = o.cgroup;
	if (!o.list)
		use_history(&o);
	if (ht_leak_collect(&o.co, &rep, err, sizeof(err)))
		return unknown("%s", err);
	state = o.list ? list_growing(&rep) : evaluate(&o, &rep);
	ht_leak_report_free(&rep);
	alarm(0);
	fflush(stdout);
	return state;
}

int cmd_check(int argc, char **argv)
{
	return run_check(argc, argv, 0);
}

int cmd_check_leak_main(int argc, char **argv)
{
	return run_check(argc, argv, 1);
}

HT_COMMAND(check, cmd_check, "Nagios/Icinga plugin: hours left before memory runs out", 35)
