/* ht_restarts: leaks that outlive a pid. A service its supervisor
 * restarts (the same command line, a new pid each time) that grows in
 * every life and dies at about the same size, or bigger each time, leaks
 * though no one pid lives long enough to be judged a leak; when the
 * kernel's OOM killer fired once a restart, it is an OOM-kill loop.
 *
 * The caller adds each recorded process (ht_restarts_add), then asks for
 * the loops (ht_restarts_find). Allocates; never prints. */
#ifndef HT_RESTARTS_H
#define HT_RESTARTS_H

#include <stddef.h>
#include <stdint.h>

/* One life of a command. */
struct ht_restart_life {
	int64_t first_ms, last_ms;	/* its first and last sample */
	int ended;			/* gone before the window's end */
	int64_t peak;			/* its largest RSS (bytes) */
	int64_t last_rss;		/* RSS at its last sample */
	double rate;			/* its RSS trend, B/s (NAN none) */
	int grew;			/* its trend's CI above 0 */
	int pid;
};

struct ht_restarts {
	struct ht_restart_entry {
		char *key;		/* the command line (or comm) */
		char comm[64];
		struct ht_restart_life life;
	} *v;
	size_t n, cap;
};

/* A command that restarts and regrows. */
struct ht_restart_loop {
	const char *cmdline, *comm;	/* in the ht_restarts, valid until freed */
	size_t lives;			/* in the window (restarts = lives - 1) */
	size_t died;			/* lives that ended */
	int64_t peak_min, peak_max;	/* of the lives that ended */
	double rate;			/* median growth of a life, B/s */
	int regrows;			/* every ended life died near one size */
	int grows_across;		/* each life died bigger than the last */
	int64_t first_ms, last_ms;	/* the first life's start, the last's end */
	int64_t current;		/* the latest life's RSS now */
	int last_pid;
};

void ht_restarts_init(struct ht_restarts *r);
void ht_restarts_free(struct ht_restarts *r);

/* Adds a life of key (NULL or "": not taken). 0 or -ENOMEM. */
int ht_restarts_add(struct ht_restarts *r, const char *key, const char *comm,
		    const struct ht_restart_life *life);

/* The commands with 3 lives or more that follow each other (each starts
 * after the one before ended, give or take gap_ms), at least 2 of them
 * ended, every ended life grew, and either died within 25% of one size
 * (regrows) or each bigger than the last (grows_across). *out (free()) and
 * *n; sorts r. 0 or -ENOMEM. */
int ht_restarts_find(struct ht_restarts *r, int64_t gap_ms, struct ht_restart_loop **out,
		     size_t *n);

#endif
