/* healthtap top: one frame, the snapshot every top renderer draws from.
 *
 * A frame is a deep copy of what the screens need from the sampler (system
 * figures, every process with its trend and sparkline, the probe status),
 * built by the collector (top_collect.h) and handed to the UI thread as a
 * whole: the sampler is not thread-safe, so nothing in a frame points into
 * it. Renderers (top_render.c: text, JSON; top_ui.c: ncurses) only read
 * frames.
 *
 * Bytes are bytes, rates per second, times seconds; NAN or -1 is unknown.
 */
#ifndef TOP_FRAME_H
#define TOP_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ht_sampler.h"
#include "proc_pid_smaps_rollup.h"

#define TOP_SPARK_BUCKETS 10	/* sparkline points per process */
#define TOP_CMD_MAX 256		/* command lines are cut here */
#define TOP_USER_MAX 16
#define TOP_TOPVEC 3		/* top interrupt / softirq vectors shown */
#define TOP_CHART_POINTS 240	/* detail chart: points kept */
#define TOP_MAPS_MAX 12		/* detail: growing mappings kept */
#define TOP_SITES_MAX 8		/* detail: allocation sites kept (a batch's) */

#define TOP_NO_COUNT INT64_MIN

struct top_proc_row {
	pid_t pid, ppid;
	char state;
	unsigned flags;			/* HT_PROC_* */
	int64_t uid;
	char user[TOP_USER_MAX];
	char comm[HT_PROC_COMM_MAX];
	char cmd[TOP_CMD_MAX];		/* command line, or "[comm]" */
	int64_t rss, anon, size;	/* bytes; -1 unknown */
	int64_t threads;
	double rate, r2;		/* RSS growth, bytes/s; NAN unknown */
	enum ht_limit_kind limit_kind;
	int64_t limit_bytes, headroom;
	double eta_s;			/* INFINITY: not growing */
	double risk;
	double age_s;
	double spark[TOP_SPARK_BUCKETS];	/* RSS, bytes; NAN empty */
	int own;			/* healthtap's: this top, a healthtap
					 * command, or a child of one (stap) */
	/* Filled by the UI for tree view. */
	int depth;
};

struct top_thread_row {
	pid_t pid, tid;
	char comm[HT_PROC_COMM_MAX];
	char state;
	int64_t vol, nonvol;		/* context switches since start; -1 */
	double vol_rate, nonvol_rate;	/* per second since the last refresh */
};

struct top_vec_rate {
	char name[24];			/* "LOC", "24 virtio0-input", "NET_RX" */
	double rate;			/* per second */
};

struct top_mapping {
	char range[40];			/* "7f12a000-7f13b000" */
	char perms[8];
	char path[256];			/* "[heap]", "/usr/lib/...", "" anon */
	int64_t rss, anon;		/* bytes now */
	int64_t rss_delta;		/* since the previous refresh; bytes */
	int64_t rss_growth;		/* since the detail view opened */
};

/* The detail view of one process, filled when the UI asks for it. */
struct top_detail {
	pid_t pid;			/* 0: none */
	int64_t start_time;
	int have_rollup;		/* 1: rollup below is read */
	int rollup_err;			/* -errno when not */
	struct proc_pid_smaps_rollup rollup;
	size_t npoints;
	struct ht_point rss_pts[TOP_CHART_POINTS];	/* t: seconds ago (<= 0) */
	struct ht_point anon_pts[TOP_CHART_POINTS];
	size_t nanon;
	int maps_err;			/* -errno reading smaps; 0 ok */
	int maps_compared;		/* 1 once two refreshes were compared */
	size_t nmaps_total;		/* mappings in smaps */
	size_t nmaps;			/* growing ones below, biggest delta first */
	struct top_mapping maps[TOP_MAPS_MAX];
	/* top --where: the process's allocation sites (health.alloc.sites) */
	int where;			/* TOP_WHERE_* */
	char where_note[256];		/* why it cannot, or why it ended */
	double where_watched_s;
	size_t nsites;			/* the latest batch's, most bytes first */
	struct top_site {
		int64_t bytes, blocks;
		char sym[200];
	} sites[TOP_SITES_MAX];
};

enum {
	TOP_WHERE_OFF,			/* no --where */
	TOP_WHERE_STARTING,		/* stap compiles */
	TOP_WHERE_WATCHING,
	TOP_WHERE_ENDED,		/* where_note says why */
};

struct top_frame {
	uint64_t seq;			/* refreshes so far, from 1 */
	struct ht_sys_snapshot sys;
	int64_t mem_used;		/* total - available; -1 unknown */
	double sample_s;		/* how long the sample took */
	double interval_s;		/* the configured refresh */
	struct ht_probe_status probe;
	int probe_source;		/* TOP_PROBES_* */
	char probe_note[256];		/* stap child state, stream end, ... */
	int64_t skb_alloc, skb_free;	/* -1 none */
	int64_t skb_outstanding;	/* TOP_NO_COUNT none: the bpf runtime's
					 * approximation may go below 0 */
	size_t nintr;			/* vectors in intr_top */
	struct top_vec_rate intr_top[TOP_TOPVEC];
	size_t nsoft;
	struct top_vec_rate soft_top[TOP_TOPVEC];
	size_t nprocs;
	struct top_proc_row *procs;
	size_t nthreads;		/* thread view only */
	struct top_thread_row *threads;
	struct top_detail *detail;	/* NULL: none asked for */
	struct ht_proctable_stats pstats;
};

enum {
	TOP_PROBES_OFF,			/* no --stap, no --stream */
	TOP_PROBES_STREAM,		/* --stream FILE|- */
	TOP_PROBES_STAP,		/* --stap: a child stap */
};

/* Frees a frame and all it holds; accepts NULL. */
void top_frame_free(struct top_frame *f);

#endif
