/* --where: allocation sites beside a memory verdict (alloc_where.h). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc_where.h"
#include "cli.h"
#include "fmt.h"
#include "ht_counter.h"
#include "out_json.h"

/* The share of the target's CPU time the probes may cost: a malloc-bound
 * target under full tracking spends most of its time in the traps, one
 * that allocates now and then far less. */
#define WHERE_DEFAULT_BUDGET_PCT 10.0

void where_opts_default(struct where_opts *o)
{
	*o = (struct where_opts){ .sample = 1, .budget_pct = WHERE_DEFAULT_BUDGET_PCT,
				  .root = "", .attach_ms = 180000 };
}

int where_opt_sample(const char *cmd, const char *text, struct where_opts *o)
{
	return ht_opt_count(cmd, "--sample", text, 1, 1 << 20, &o->sample);
}

int where_opt_budget(const char *cmd, const char *text, struct where_opts *o)
{
	int64_t v;
	int rc = ht_opt_count(cmd, "--budget", text, 0, 100, &v);

	if (!rc)
		o->budget_pct = (double)v;
	return rc;
}

/* The tapset's own backstop (share of one CPU) stays at its default
 * unless the budget is off. -DMAXACTION: on the module runtime the end
 * probe walks every tracked block (up to 65536) in one handler, past the
 * default statement budget (seen in the guest: "MAXACTION exceeded" at
 * 2500 blocks with -DINTERRUPTIBLE=0); the bpf runtime ignores it. */
static int script(char *buf, size_t size, const char *prefix, const struct where_opts *o)
{
	return snprintf(buf, size, "%s -DMAXACTION=1000000 -x %d -e 'probe begin(-1001) { "
			"health_alloc_sample = %lld%s "
			"} probe health.alloc.sites {}'", prefix, o->pid, (long long)o->sample,
			o->budget_pct > 0 ? "" : " health_alloc_budget_pct = 0") >= (int)size;
}

const char *where_command(const struct where_opts *o, char *buf, size_t size)
{
	char prefix[2048];
	const char *no = ht_stap_prefix(prefix, sizeof(prefix));

	if (no)
		return no;
	return script(buf, size, prefix, o) ? "the stap command is too long" : NULL;
}

static volatile sig_atomic_t where_interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	where_interrupted = 1;
}

int where_start(const char *cmd, const struct where_opts *o, struct ht_alloc_watch **out)
{
	struct ht_alloc_watch_opts wo = { .root = o->root, .pid = o->pid,
					  .budget_pct = o->budget_pct,
					  .tee = getenv("HEALTHTAP_WHERE_STREAM") };
	struct sigaction sa = { .sa_handler = on_sigint }, old;
	char full[4096], why[600];
	enum ht_alloc_watch_state st;
	const char *no;
	int64_t deadline;
	int err;

	*out = NULL;
	if ((no = where_command(o, full, sizeof(full)))) {
		ht_cmd_err(cmd, "--where %d: %s", o->pid, no);
		return 1;
	}
	wo.cmd = full;
	if ((err = ht_alloc_watch_start(&wo, out, why, sizeof(why)))) {
		ht_cmd_err(cmd, "--where %d: %s", o->pid, err == -ESRCH ? "no such process" : why);
		return 1;
	}
	fprintf(stderr, "healthtap: --where %d: starting stap (health.alloc.sites, 1 in %lld "
		"allocations tracked)\n", o->pid, (long long)o->sample);
	sigemptyset(&sa.sa_mask);
	where_interrupted = 0;
	sigaction(SIGINT, &sa, &old);
	deadline = ht_now_ns() + o->attach_ms * 1000000;
	do
		st = ht_alloc_watch_poll(*out, 250);
	while (st == HT_AW_STARTING && ht_now_ns() < deadline && !where_interrupted);
	sigaction(SIGINT, &old, NULL);
	if (st == HT_AW_WATCHING) {
		fprintf(stderr, "healthtap: --where %d: probes in; watching\n", o->pid);
		return 0;
	}
	ht_cmd_err(cmd, "--where %d: %s", o->pid,
		   st == HT_AW_STARTING ? (where_interrupted ? "interrupted while stap started" :
					   "stap printed no batch in time") :
		   ht_alloc_watch_why(*out)[0] ? ht_alloc_watch_why(*out) : "stap ended");
	ht_alloc_watch_free(*out);
	*out = NULL;
	return 1;
}

void where_pump(struct ht_alloc_watch *w)
{
	if (w)
		ht_alloc_watch_poll(w, 0);
}

void where_stop(const char *cmd, struct ht_alloc_watch *w)
{
	const char *why;

	if (!w)
		return;
	ht_alloc_watch_stop(w, 30000);
	why = ht_alloc_watch_why(w);
	if (why[0])
		ht_cmd_err(cmd, "--where: %s", why);
}

int where_round(struct ht_alloc_watch *w, struct where_rounds *r, int64_t round)
{
	uint64_t seen = ht_alloc_watch_batches(w);
	int64_t deadline = ht_now_ns() + 3000000000LL;
	struct where_round *x;

	while (ht_alloc_watch_batches(w) <= seen && ht_now_ns() < deadline &&
	       ht_alloc_watch_poll(w, 100) <= HT_AW_WATCHING)
		;
	if ((size_t)r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct where_round *p = realloc(r->r, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->r = p;
		r->cap = cap;
	}
	x = &r->r[r->n++];
	x->round = round;
	x->nsites = ht_alloc_watch_current(w, x->sites, 8);
	if (x->nsites > 8)
		x->nsites = 8;
	return 0;
}

void where_rounds_free(struct where_rounds *r)
{
	free(r->r);
	*r = (struct where_rounds){ 0 };
}

/* A site's figure after round i, -1 when that batch did not list it. */
static int64_t round_bytes(const struct where_round *x, uint64_t addr)
{
	for (size_t i = 0; i < x->nsites; i++)
		if (x->sites[i].addr == addr)
			return x->sites[i].bytes;
	return -1;
}

static double per_round(const struct ht_alloc_where *x, const struct where_rounds *rounds)
{
	return rounds && rounds->n > 0 ? (double)x->s.bytes / (double)rounds->n : NAN;
}

static double share_of(double part, double whole)
{
	return isfinite(whole) && whole > 0 && isfinite(part) ? part / whole : NAN;
}

void where_render_table(FILE *out, const struct ht_alloc_watch *w, size_t max,
			double rss_Bps, const struct where_rounds *rounds)
{
	struct ht_alloc_where sites[64];
	struct ht_alloc_watch_stats st;
	char a[32], b[32], c[32], d[32];
	size_t n, shown;

	if (max > 64)
		max = 64;
	ht_alloc_watch_stats(w, &st);
	n = ht_alloc_watch_sites(w, sites, max);
	shown = n < max ? n : max;
	fprintf(out, "\nallocation sites (health.alloc.sites): %zu holding %s after %s watched",
		n, fmt_bytes(a, sizeof(a), (double)st.outstanding),
		fmt_duration(b, sizeof(b), st.watched_s));
	if (st.sample > 1)
		fprintf(out, ", 1 in %lld tracked (scaled)", (long long)st.sample);
	fprintf(out, "; probes cost %.2f s of the target's %.2f s CPU\n", st.cost_s,
		st.target_cpu_s);
	if (ht_alloc_watch_why(w)[0])
		fprintf(out, "  note: %s\n", ht_alloc_watch_why(w));
	if (!n) {
		fprintf(out, "  no site grew while watched\n");
		return;
	}
	fprintf(out, "  %10s %8s %12s %6s %10s  %s\n", "BYTES", "BLOCKS", "RATE", "SHARE",
		rounds ? "PER-ROUND" : "OF-RSS", "SITE");
	for (size_t i = 0; i < shown; i++) {
		const struct ht_alloc_where *x = &sites[i];
		double rss = share_of(x->s.bytes_per_s, rss_Bps);
		char text[512];

		if (rounds)
			fmt_bytes(d, sizeof(d), per_round(x, rounds));
		else if (isfinite(rss))
			snprintf(d, sizeof(d), "%.0f%%", 100 * rss);
		else
			snprintf(d, sizeof(d), "-");
		fmt_visible(text, sizeof(text), x->text);
		fprintf(out, "  %10s %8lld %12s %5.0f%% %10s  %s", fmt_bytes(a, sizeof(a), (double)x->s.bytes),
			(long long)x->s.blocks, fmt_byte_rate(c, sizeof(c), x->s.bytes_per_s),
			100 * x->s.share, d, text);
		if (x->s.rel_error > 0)
			fprintf(out, " (\xc2\xb1%.0f%%)", 100 * x->s.rel_error);
		fputc('\n', out);
	}
	if (n > shown)
		fprintf(out, "  ... %zu more sites\n", n - shown);
}

void where_render_json(struct out_json *j, const struct ht_alloc_watch *w, int pid,
		       size_t max, double rss_Bps, const struct where_rounds *rounds)
{
	struct ht_alloc_where sites[64];
	struct ht_alloc_watch_stats st;
	size_t n;

	if (max > 64)
		max = 64;
	ht_alloc_watch_stats(w, &st);
	n = ht_alloc_watch_sites(w, sites, max);
	out_json_object(j, "where");
	out_json_int(j, "pid", pid);
	out_json_str(j, "note", ht_alloc_watch_why(w));
	out_json_bool(j, "over_budget", ht_alloc_watch_over_budget(w));
	out_json_double(j, "watched_s", st.watched_s);
	out_json_int(j, "sample", st.sample);
	out_json_count(j, "outstanding_B", st.outstanding);
	out_json_count(j, "calls", st.calls);
	out_json_double(j, "probe_cost_s", st.cost_s);
	out_json_double(j, "probe_cost_estimate_s", st.estimate_s);
	out_json_double(j, "target_cpu_s", st.target_cpu_s);
	out_json_uint(j, "sites_holding", n);
	if (rounds)
		out_json_int(j, "rounds_watched", rounds->n);
	out_json_array(j, "sites");
	for (size_t i = 0; i < n && i < max; i++) {
		const struct ht_alloc_where *x = &sites[i];
		char addr[24];

		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)x->s.addr);
		out_json_object(j, NULL);
		out_json_str(j, "addr", addr);
		out_json_count(j, "bytes", x->s.bytes);
		out_json_count(j, "blocks", x->s.blocks);
		out_json_double(j, "rate_Bps", x->s.bytes_per_s);
		out_json_double(j, "share", x->s.share);
		out_json_double(j, "share_of_rss_growth", share_of(x->s.bytes_per_s, rss_Bps));
		out_json_double(j, "rel_error", x->s.rel_error);
		out_json_str(j, "symbol", x->text);
		out_json_str(j, "function", x->sym.func[0] ? x->sym.func : NULL);
		out_json_uint(j, "function_offset", x->sym.func_off);
		out_json_str(j, "module", x->sym.module[0] ? x->sym.module : NULL);
		out_json_uint(j, "module_offset", x->sym.module_off);
		out_json_str(j, "file", x->sym.file[0] ? x->sym.file : NULL);
		if (x->sym.line > 0)
			out_json_int(j, "line", x->sym.line);
		else
			out_json_null(j, "line");
		out_json_str(j, "build_id", x->sym.build_id[0] ? x->sym.build_id : NULL);
		if (rounds) {
			out_json_double(j, "bytes_per_round", per_round(x, rounds));
			out_json_array(j, "per_round_B");
			for (int64_t k = 0; k < rounds->n; k++)
				out_json_count(j, NULL, round_bytes(&rounds->r[k], x->s.addr));
			out_json_end(j);
		}
		out_json_end(j);
	}
	out_json_end(j);
	out_json_end(j);
}
