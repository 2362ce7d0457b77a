/* What healthtap leaks and healthtap check share: collecting memory series
 * (live through the sampler, or from a recorded DB) and judging them with
 * ht_leak_analyze(). Collection is apart from rendering: leaks renders a
 * report as a table, JSON or CSV; check turns it into one Nagios line. */
#ifndef HT_LEAKS_H
#define HT_LEAKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "ht_leak.h"

enum leak_kind { LEAK_PROC, LEAK_CGROUP, LEAK_SYSTEM };

/* One subject's verdict. */
struct leak_item {
	enum leak_kind kind;
	pid_t pid;			/* LEAK_PROC */
	char comm[64];			/* LEAK_PROC */
	char *cmdline;			/* LEAK_PROC, malloc'd; NULL: not read */
	char *cgroup;			/* LEAK_CGROUP: its path (malloc'd) */
	int detailed;			/* limits and command line were read */
	int selected;			/* named by -p */
	struct ht_leak l;
};

struct leak_report {
	int from_db;
	double window_s;		/* the span asked for */
	double interval_s;		/* between samples (DB: the step) */
	size_t samples;			/* samples taken (live) */
	size_t nprocs;			/* processes analysed */
	struct leak_item *procs;	/* sorted by rate, fastest first */
	size_t nprocs_items;
	struct leak_item *cgroups;
	size_t ncgroups;
	struct leak_item system;	/* used memory (MemTotal - MemAvailable) */
	int have_system;
	int64_t mem_total, mem_available;	/* bytes; -1 unknown */
	int interrupted;		/* Ctrl-C cut the window short */
};

struct leak_collect_opts {
	const char *db;			/* NULL: live */
	const char *root;		/* "" live /proc */
	int64_t window_ms;		/* live: how long to sample; DB: the last
					   window_ms of data (0: all) */
	int64_t interval_ms;		/* live: between samples; DB: the step
					   (0: the recorded interval, at most
					   ~2000 points, at least 100 ms) */
	struct ht_leak_opts lo;
	int progress;			/* report progress on stderr */
	const pid_t *pids;		/* only these (and mark them selected) */
	size_t npids;
	const char *comm;		/* only processes with this comm */
	const char *cgroup;		/* only this cgroup (check --cgroup) */
	int cgroups;			/* also judge every cgroup */
};

void leak_collect_opts_default(struct leak_collect_opts *o);

/* Collects and judges. Returns 0, or -errno with a message in err (the
 * report is then empty; leak_report_free() is still safe). */
int leak_collect(const struct leak_collect_opts *o, struct leak_report *r,
		 char *err, size_t errlen);
void leak_report_free(struct leak_report *r);

/* healthtap installed as check_leak: main() calls this when
 * basename(argv[0]) is "check_leak". argv[0] is the program name. */
int cmd_check_leak_main(int argc, char **argv);

#endif
