/* healthtap top --hosts: several hosts' `healthtap serve` endpoints in one
 * table, aggregated per command across hosts (the total RSS of every mysqld
 * and the sum of their growth rates).
 *
 * Each refresh GETs /api/v1/snapshot from every host (HTTP/1.0, a time
 * limit per host), and builds a top_hosts_frame: one row per host and one
 * per command name. Each host's snapshot lists its --top N processes (by
 * leak risk, then RSS), so the aggregate covers those. */
#ifndef TOP_HOSTS_H
#define TOP_HOSTS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TOP_HOSTS_MAX 64

struct top_host_row {
	char address[128];		/* as given: "web1:9464" */
	char name[64];			/* the host's own name (snapshot "host") */
	int ok;
	char error[128];		/* why not, when !ok */
	double seq;
	int64_t mem_total, mem_available;	/* bytes; -1 unknown */
	double avail_rate;		/* bytes/s; NAN unknown */
	double cpu_busy_pct, ctxt_per_s;
	int64_t procs_total;		/* processes on the host */
	size_t procs_listed;		/* processes in its snapshot */
};

struct top_cmd_row {
	char comm[64];
	size_t procs;			/* processes with this comm, all hosts */
	size_t hosts;			/* hosts running it */
	char host_list[128];		/* "web1, web2" (cut) */
	int64_t rss, anon;		/* sums, bytes */
	double rate;			/* sum of growth rates, bytes/s (NAN: none known) */
	double max_risk;
	double soonest_s;		/* nearest time to a limit; INFINITY none */
};

struct top_hosts_frame {
	uint64_t seq;
	int64_t wall_ms;
	size_t nhosts, nok;
	struct top_host_row hosts[TOP_HOSTS_MAX];
	size_t ncmds;
	struct top_cmd_row *cmds;	/* sorted by the caller's choice */
};

enum top_hosts_sort { TOP_HS_RSS, TOP_HS_GROWTH, TOP_HS_RISK, TOP_HS_PROCS, TOP_HS_NAME };

/* Splits "H1:PORT,H2:PORT" into addrs (at most TOP_HOSTS_MAX). Returns the
 * count, or -EINVAL (with a message in msg) for an empty or bad entry. */
int top_hosts_parse(const char *list, char addrs[][128], size_t max, char *msg, size_t msgsize);

/* Fetches every host (at most timeout_ms each) and aggregates. Returns a
 * frame the caller frees with top_hosts_frame_free(), or NULL (ENOMEM). */
struct top_hosts_frame *top_hosts_fetch(char addrs[][128], size_t n, int timeout_ms);
void top_hosts_frame_free(struct top_hosts_frame *f);

/* Sorts f->cmds. */
void top_hosts_sort(struct top_hosts_frame *f, enum top_hosts_sort by, int desc);

/* Batch renderers: plain text and one JSON document per frame. */
int top_hosts_text(FILE *out, const struct top_hosts_frame *f, uint64_t frame_no,
		   const char *clock_label, enum top_hosts_sort by, size_t limit);
int top_hosts_json(FILE *out, const struct top_hosts_frame *f, uint64_t frame_no,
		   const char *clock_label, size_t limit);

/* Runs the whole --hosts mode: batch (text or JSON) or the full screen
 * with fetching in a thread of its own. Returns the exit status. */
struct top_hosts_opts {
	char (*addrs)[128];
	size_t naddrs;
	int64_t interval_ms;
	int64_t iterations;
	int json, batch;
	int color;
	const char *clock_label;
	size_t limit;
	enum top_hosts_sort sort;
	int desc;
};
int top_hosts_run(const struct top_hosts_opts *o, volatile sig_atomic_t *stop);

#endif
