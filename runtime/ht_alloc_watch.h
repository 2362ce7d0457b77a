/* Watching one process's allocation sites: health.alloc.sites run on it
 * (stap -x PID, under the supervisor), its stream read into the per-site
 * growth (ht_alloc.h), the sites symbolized in its maps (ht_sym.h), and
 * the probes' cost held to a share of the target's own CPU time.
 *
 * The budget: every batch, the probes' cost is the larger of the calls
 * they trapped (allocations, sampled or not, and frees: allocs x sample +
 * frees + unknown_frees) times call_ns, the cost of one trapped call that
 * bench/alloc-overhead.sh measures on an idle machine, and the target's
 * system time beyond its rate before the probes went in (measured from
 * start to the first batch: uprobe traps run as the target's system time;
 * on a loaded host one costs several times call_ns). It is held against
 * the CPU time the target used (utime + stime of /proc/PID/stat). Over the last HT_ALLOC_WATCH_BUDGET_BATCHES
 * batches, a cost above budget_pct of that CPU time, once the cost there
 * is at least budget_floor_ms, stops the probes (SIGINT: the end table is
 * still read). The floor keeps a short burst (a test step's) from
 * stopping a watch that costs little over time.
 *
 * Like the supervisor it never blocks longer than it is told, never
 * prints and never exits. Not thread-safe. */
#ifndef HT_ALLOC_WATCH_H
#define HT_ALLOC_WATCH_H
#include <stddef.h>
#include <stdint.h>
#include "ht_alloc.h"
#include "ht_sym.h"

/* One trapped call (an allocation or a free) on stap's bpf runtime, in
 * CPU ns: bench/alloc-overhead.sh's full-tracking cost per malloc+free
 * pair (8.4 us) over two (tapset/health/alloc_report.stp uses the same). */
#define HT_ALLOC_CALL_NS 4200
#define HT_ALLOC_WATCH_BUDGET_BATCHES 10

struct ht_alloc_watch_opts {
	const char *cmd;	/* shell command running health.alloc.sites on pid */
	const char *root;	/* /proc prefix ("" or NULL: /) */
	int pid;
	double budget_pct;	/* of the target's CPU time; 0: no budget */
	int64_t budget_floor_ms; /* default 1000 */
	int64_t call_ns;	/* default HT_ALLOC_CALL_NS */
	const char *tee;	/* a file to copy stap's stream to, or NULL */
};

enum ht_alloc_watch_state {
	HT_AW_STARTING,		/* stap runs, no batch yet (it compiles) */
	HT_AW_WATCHING,		/* batches arrive */
	HT_AW_STOPPING,		/* asked to end (or the target or budget ended it) */
	HT_AW_ENDED,		/* stap is gone */
};

struct ht_alloc_watch;

/* Checks the target (ht_alloc_check) and starts stap. Returns 0 and *out,
 * or -errno with why filled (-ENOTSUP: an allocator the probes cannot
 * watch, -ESRCH: no such process). */
int ht_alloc_watch_start(const struct ht_alloc_watch_opts *o, struct ht_alloc_watch **out,
			 char *why, size_t size);

/* Reads what stap printed, for up to timeout_ms (0: only what is there),
 * notices the target's exit and the budget. Returns the state. */
enum ht_alloc_watch_state ht_alloc_watch_poll(struct ht_alloc_watch *w, int timeout_ms);

/* Ends the watch: SIGINT to stap, then reads until its end table and exit
 * for up to timeout_ms (then it is killed), and symbolizes the sites.
 * Returns 0, or -errno (why says it) when no end table came. */
int ht_alloc_watch_stop(struct ht_alloc_watch *w, int timeout_ms);

/* "" while the watch went as asked, else why it ended early or what was
 * missing: "stap exited with status 1: ...", "the target exited after
 * 3.2 s", "the probes cost 35% of the target's CPU ...". */
const char *ht_alloc_watch_why(const struct ht_alloc_watch *w);

/* Whether the budget stopped the probes (the frontend's or the tapset's). */
int ht_alloc_watch_over_budget(const struct ht_alloc_watch *w);

struct ht_alloc_where {
	struct ht_alloc_site s;		/* bytes, blocks, rate, share, error */
	struct ht_sym_site sym;		/* function, file:line, module */
	char text[512];			/* ht_sym_format() */
};

/* After stop: up to max sites holding bytes, the most first; returns how
 * many hold bytes. */
size_t ht_alloc_watch_sites(const struct ht_alloc_watch *w, struct ht_alloc_where *out,
			    size_t max);

struct ht_alloc_watch_stats {
	double watched_s;	/* from the first batch to the last record */
	int64_t sample;		/* 1 in N tracked */
	int64_t outstanding;	/* bytes held by tracked blocks, scaled */
	int64_t calls;		/* trapped calls reckoned (scaled) */
	double cost_s;		/* the probes' cost, as the budget reckons it */
	double estimate_s;	/* calls x call_ns */
	double target_cpu_s;	/* the target's CPU time while watched */
	double attach_s;	/* from start to the first batch */
	int modules;		/* ELF files symbolized from, 0 if none */
};

void ht_alloc_watch_stats(const struct ht_alloc_watch *w, struct ht_alloc_watch_stats *st);

/* While watching: the batches read so far, and the sites as the latest
 * periodic batches list them (up to 8 each, the per-site counters of the
 * periodic batches: a trend, protocol.md), unsymbolized, the most first;
 * returns how many hold bytes. */
uint64_t ht_alloc_watch_batches(const struct ht_alloc_watch *w);
size_t ht_alloc_watch_current(const struct ht_alloc_watch *w, struct ht_alloc_site *out,
			      size_t max);

/* Writes addr as ht_sym_format() does, in the maps read when the probes
 * went in ("[unknown] 0xADDR" before that, or outside them). */
void ht_alloc_watch_symbol(const struct ht_alloc_watch *w, uint64_t addr, char *buf,
			   size_t size);

/* Stops stap if it runs (SIGTERM) and frees. Accepts NULL. */
void ht_alloc_watch_free(struct ht_alloc_watch *w);

#endif
