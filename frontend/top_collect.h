/* healthtap top: the collector, the only part of top that samples.
 *
 * It owns the sampler (ht_sampler.h), the optional tapset stream (a file,
 * standard input, or the stdout of a stap child it starts), and the extra
 * figures only top shows (top interrupt vectors, per-thread context
 * switches, growing mappings of the process in the detail view). Each
 * refresh it builds a top_frame: a deep copy, so the UI thread can draw
 * from it while the next sample runs.
 *
 * Two ways to drive it:
 * - synchronously (batch and JSON output): top_collect_wait() until the
 *   deadline (feeding the stream meanwhile), top_collect_sample(), then
 *   top_collect_frame();
 * - in its own thread (the ncurses UI): top_collect_start(); the UI polls
 *   the fd from top_collect_fd() and takes each new frame with
 *   top_collect_take(), so a slow /proc read never blocks the screen.
 *   top_collect_request() asks for a detail view or the thread view; the
 *   thread answers with a fresh frame at once, without a new sample.
 */
#ifndef TOP_COLLECT_H
#define TOP_COLLECT_H

#include <stdint.h>
#include <sys/types.h>
#include "top_frame.h"

struct top_collect_opts {
	const char *root;		/* "" or NULL: the live /proc */
	int64_t interval_ms;
	const char *stream_path;	/* tapset stream: a file, "-" (stdin), or NULL */
	const char *stap_cmd;		/* start this through sh -c, read its stdout;
					   NULL: no stap child */
	size_t history;			/* points kept per process; 0: default */
	int where;			/* the detail view watches its process's
					   allocation sites (health.alloc.sites) */
};

struct top_collector;

/* Returns a collector (nothing sampled yet), or NULL with *err = -errno and
 * a message in msg (for the user). Starts the stap child when asked.
 * Free with top_collect_free(). */
struct top_collector *top_collect_new(const struct top_collect_opts *o,
				      char *msg, size_t msgsize, int *err);

/* Stops the thread (if started), stops the stap child, frees everything.
 * Accepts NULL. */
void top_collect_free(struct top_collector *c);

/* ---- synchronous use ---- */

/* Feeds the tapset stream until the monotonic deadline. Returns 0, or -EINTR
 * when a signal arrived. */
int top_collect_wait(struct top_collector *c, int64_t deadline_ns);

/* Takes one sample. Returns 0 or -errno (then msg says what failed). */
int top_collect_sample(struct top_collector *c, char *msg, size_t msgsize);

/* Builds a frame from the latest sample. The caller frees it with
 * top_frame_free(). NULL on ENOMEM. */
struct top_frame *top_collect_frame(struct top_collector *c);

/* ---- threaded use ---- */

/* Starts sampling every interval in a thread of its own (signals blocked
 * there). Returns 0 or -errno. */
int top_collect_start(struct top_collector *c);

/* An fd that turns readable when a new frame is ready (poll it). */
int top_collect_fd(const struct top_collector *c);

/* The newest frame not taken yet, or NULL; the caller owns it. Drains the fd.
 * When the latest sample failed, *err gets -errno and msg the message. */
struct top_frame *top_collect_take(struct top_collector *c, int *err,
				   char *msg, size_t msgsize);

/* Asks for a detail view of pid (0: none) and for per-thread rows (1) or
 * not (0). The thread answers with a frame built at once. */
void top_collect_request(struct top_collector *c, pid_t detail_pid, int threads);

/* Whether the detail view and thread rows are collected in synchronous use. */
void top_collect_set(struct top_collector *c, pid_t detail_pid, int threads);

#endif
