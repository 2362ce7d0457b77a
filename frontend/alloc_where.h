/* --where: the allocation sites of one process beside a command's memory
 * verdict (leaks --where PID, soak --where). Starts health.alloc.sites on
 * the process (runtime/ht_alloc_watch.h), waits until its probes are in,
 * and renders the growing sites as a table or into a JSON document. */
#ifndef ALLOC_WHERE_H
#define ALLOC_WHERE_H
#include <stdint.h>
#include <stdio.h>
#include "ht_alloc_watch.h"

struct out_json;

struct where_opts {
	int pid;
	int64_t sample;		/* --sample N: 1 in N tracked (1: all) */
	double budget_pct;	/* --budget P: of the target's CPU, 0 off */
	const char *root;	/* /proc prefix */
	int64_t attach_ms;	/* how long stap may take to put its probes in */
};

void where_opts_default(struct where_opts *o);

/* Parses --sample and --budget values for cmd (usage errors as ht_opt_*).
 * Returns 0 or the exit code. */
int where_opt_sample(const char *cmd, const char *text, struct where_opts *o);
int where_opt_budget(const char *cmd, const char *text, struct where_opts *o);

/* The stap command that runs health.alloc.sites on o->pid (ht_stap_prefix
 * plus the script). Returns NULL, or why stap cannot run here. */
const char *where_command(const struct where_opts *o, char *buf, size_t size);

/* Starts the watch and waits until the probes are in (progress on stderr).
 * On a refusal (not root, no stap, a static binary, jemalloc, no such
 * process, stap failing) it says why on stderr as "healthtap CMD: --where
 * PID: ..." and returns 1; else 0 and *out. */
int where_start(const char *cmd, const struct where_opts *o, struct ht_alloc_watch **out);

/* Reads what stap printed so far, without blocking (call it now and then
 * while the command samples). */
void where_pump(struct ht_alloc_watch *w);

/* Ends the watch (reads the end table) and says on stderr why it ended
 * early, if it did. */
void where_stop(const char *cmd, struct ht_alloc_watch *w);

/* soak --where: each round's site figures, from the first periodic batch
 * after the round settled. */
struct where_rounds {
	int64_t n;			/* rounds recorded */
	struct where_round {
		int64_t round;
		size_t nsites;
		struct ht_alloc_site sites[8];
	} *r;
	size_t cap;
};

/* Waits (at most 3 s) for a batch newer than the round's end and records
 * its sites for round. Returns 0, or -ENOMEM. */
int where_round(struct ht_alloc_watch *w, struct where_rounds *r, int64_t round);
void where_rounds_free(struct where_rounds *r);

/* The table: "allocation sites of PID ..." and up to max sites with
 * bytes, blocks, bytes/s, their share of the sites' growth and of
 * the process's RSS growth rss_Bps (<= 0 or NAN: unknown), the symbol;
 * with rounds (soak), bytes per round instead of the RSS share. */
void where_render_table(FILE *out, const struct ht_alloc_watch *w, size_t max,
			double rss_Bps, const struct where_rounds *rounds);

/* A "where" member of the current object: pid, status, watched_s, sample,
 * the budget figures and the sites. With rounds (soak), each site has
 * bytes_per_round (its exact end figure over the rounds recorded) and
 * per_round_B (its figure after each round, null where a batch did not
 * list it). */
void where_render_json(struct out_json *j, const struct ht_alloc_watch *w, int pid,
		       size_t max, double rss_Bps, const struct where_rounds *rounds);

#endif
