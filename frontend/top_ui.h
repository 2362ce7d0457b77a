/* healthtap top: the full-screen ncurses dashboard.
 *
 * The collector samples in its own thread (top_collect_start()); this
 * thread only draws frames and reads keys, so a slow /proc read never
 * freezes the screen. */
#ifndef TOP_UI_H
#define TOP_UI_H

#include <signal.h>
#include <stdint.h>
#include "top_collect.h"
#include "top_table.h"

struct top_ui_opts {
	struct top_view_opts view;	/* the starting sort, filter, tree */
	int threads;			/* start in the thread view */
	int utf8;			/* block characters for sparklines */
	int color;			/* 0: never use colours */
	const char *clock_label;	/* fixed clock label (tests), or NULL */
	const char *root;
	int64_t iterations;		/* quit after so many frames; 0 never */
	int64_t interval_ms;		/* the refresh, to tell a stuck sampler */
	int tty_fd;			/* where keys come from (-1: stdin) */
	int out_fd;			/* where the screen goes (-1: stdout) */
};

/* Runs the dashboard until q, *stop (set by a signal handler), or the
 * frame count. Restores the terminal before returning. Returns the exit
 * status: 0, or 1 when sampling failed (msg then says why, for stderr). */
int top_ui_run(struct top_collector *c, const struct top_ui_opts *o,
	       volatile sig_atomic_t *stop, char *msg, size_t msgsize);

#endif
