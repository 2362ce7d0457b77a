/* The sampler on the live /proc (a child that grows on command, with a
 * swapped clock so rates are exact), on a root missing optional files, and
 * fed a tapset stream. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ht_counter.h"
#include "ht_sampler.h"
#include "ht_test.h"

#define MiB (1024.0 * 1024.0)

static int64_t fake_ns;
static int64_t fake_clock(void) { return fake_ns; }

/* A child that allocates and touches 1 MiB for every byte read from fd. */
static pid_t spawn_grower(int *cmd_fd, int *ack_fd)
{
	int to[2], from[2];
	pid_t pid;

	if (pipe(to) || pipe(from))
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;
		close(to[1]);
		close(from[0]);
		while (read(to[0], &c, 1) == 1) {
			char *p = malloc(1 << 20);
			if (!p)
				_exit(1);
			memset(p, 1, 1 << 20);
			if (write(from[1], "k", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	*cmd_fd = to[1];
	*ack_fd = from[0];
	return pid;
}

static void test_live_growth_rate(void)
{
	struct ht_sampler_opts o;
	struct ht_sampler *s;
	int cmd, ack;
	pid_t child = spawn_grower(&cmd, &ack);
	const struct ht_proc_view *v = NULL;
	char c;

	CHECK(child > 0);
	ht_sampler_opts_default(&o);
	o.warmup_s = 5;
	o.min_points = 5;
	s = ht_sampler_new(&o);
	CHECK(s != NULL);
	ht_clock_set(fake_clock);
	fake_ns = 1000000000LL;
	for (int i = 0; i < 20; i++) {
		CHECK_INT(write(cmd, "g", 1), 1);
		CHECK_INT(read(ack, &c, 1), 1);
		fake_ns += 1000000000LL;	/* one second per step */
		CHECK_INT(ht_sampler_sample(s), 0);
	}
	v = ht_sampler_find(s, child);
	CHECK(v != NULL);
	if (v) {
		CHECK_INT(ht_series_count(v->rss), 20);
		CHECK_NEAR(v->rate / MiB, 1.0, 0.05);
		CHECK(v->rate_lo > 0.9 * MiB && v->rate_hi < 1.1 * MiB);
		CHECK(v->r2 > 0.99);
		CHECK_NEAR(v->age_s, 19.0, 1e-9);
		CHECK(v->limit_kind != HT_LIMIT_NONE);
		CHECK(v->headroom > 0);
		CHECK(isfinite(v->eta_s) && v->eta_s > 0);
		CHECK(v->risk > 0);
		CHECK_INT(v->proc->pid, child);
	}
	/* Our parent (the test driver, waiting) does not grow: no risk. We
	 * cannot use ourselves: the sampler's own memory grows with samples. */
	v = ht_sampler_find(s, getppid());
	CHECK(v != NULL);
	if (v)
		CHECK(v->risk == 0);
	const struct ht_sys_snapshot *y = ht_sampler_system(s);
	CHECK_INT(y->samples, 20);
	CHECK_NEAR(y->interval_s, 1.0, 1e-9);
	CHECK(y->mem_total > 0 && y->mem_available > 0);
	CHECK(y->ctxt_rate > 0);
	CHECK(y->forks_total > 0);
	CHECK(y->softirq_vec_total[1] > 0);	/* TIMER */
	CHECK(y->ncpus > 0);
	CHECK(!(y->missing & HT_SYS_MISS_MEMINFO));
	CHECK_INT(ht_series_count(ht_sampler_mem_series(s)), 20);

	/* The child exits: it leaves the snapshot. */
	close(cmd);
	waitpid(child, NULL, 0);
	close(ack);
	fake_ns += 1000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK(ht_sampler_find(s, child) == NULL);
	ht_clock_set(NULL);
	ht_sampler_free(s);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_root_missing_optional_files(void)
{
	char root[] = "/tmp/ht-sampler-XXXXXX", path[256];
	struct ht_sampler_opts o;
	struct ht_sampler *s;

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/proc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/stat", root);
	write_file(path, "cpu 1 2 3 4 5 6 7 8\nctxt 100\nintr 50\nprocesses 7\n"
		   "procs_running 1\nprocs_blocked 0\n");
	ht_sampler_opts_default(&o);
	o.root = root;
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), 0);
	const struct ht_sys_snapshot *y = ht_sampler_system(s);
	CHECK(y->missing & HT_SYS_MISS_MEMINFO);
	CHECK(y->missing & HT_SYS_MISS_PRESSURE);
	CHECK(y->missing & HT_SYS_MISS_SOFTIRQS);
	CHECK(y->missing & HT_SYS_MISS_VMSTAT);
	CHECK(y->missing & HT_SYS_MISS_SLAB);
	CHECK_INT(y->skb.outstanding, -1);
	CHECK(y->skb.source == NULL);
	CHECK_INT(ht_sampler_slabs(s)->n, 0);
	CHECK_INT(y->mem_available, -1);
	CHECK_INT(y->sunreclaim, -1);
	CHECK(isnan(y->psi_mem_some));
	CHECK(isnan(y->ctxt_rate));
	CHECK_INT(y->ctxt_total, 100);
	CHECK_INT(ht_sampler_nprocs(s), 0);
	ht_sampler_free(s);

	/* Without /proc/stat the sample fails and says why. */
	unlink(path);
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), -ENOENT);
	ht_sampler_free(s);
	snprintf(path, sizeof(path), "%s/proc", root);
	rmdir(path);
	rmdir(root);
}

static const struct ht_cgroup_view *cgroup_of(struct ht_sampler *s, pid_t pid)
{
	const struct ht_proc_view *v = ht_sampler_find(s, pid);

	return v ? v->cgroup : NULL;
}

/* A writable copy of tests/fixtures/top in root (a mkdtemp template), the
 * fake clock at 1 s, o for it. */
static void top_fixture(char *root, struct ht_sampler_opts *o)
{
	char cmd[600];

	CHECK(mkdtemp(root) != NULL);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/top/.' %s",
		 getenv("top_srcdir") ? getenv("top_srcdir") : ".", root);
	CHECK_INT(system(cmd), 0);
	fake_ns = 1000000000LL;
	ht_clock_set(fake_clock);
	ht_sampler_opts_default(o);
	o->root = root;
}

/* Every process's cgroup and its memory files, from a copy of the top
 * fixture: one read per cgroup for all its members, again after the
 * refresh time (swapped clock), a process moved to another cgroup seen
 * within a minute, a cgroup without members gone. */
static void test_cgroups(void)
{
	char root[] = "/tmp/ht-sampler-cg-XXXXXX", cmd[600], path[400];
	struct ht_sampler_opts o;
	struct ht_sampler *s;
	const struct ht_cgroup_view *c;

	top_fixture(root, &o);
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(ht_sampler_ncgroups(s), 0);	/* not asked for, nothing grows */
	ht_sampler_free(s);
	o.cgroups = 1;
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(ht_sampler_ncgroups(s), 4);
	c = ht_sampler_cgroup(s, 0);
	CHECK_STR(c->path, "/");
	CHECK_INT(c->nprocs, 3);			/* 2, 6236 and 7088 */
	CHECK_INT(c->memory_current, -1);		/* the root has none */
	c = cgroup_of(s, 6123);
	CHECK(c != NULL);
	if (c) {
		CHECK_STR(c->path, "/user.slice/user-1000.slice/session-3.scope");
		CHECK_INT(c->memory_current, 9756672);
		CHECK_INT(c->memory_max, 536870912);
		CHECK_INT(c->nprocs, 1);
	}
	c = cgroup_of(s, 6818);
	CHECK(c != NULL);
	if (c) {
		CHECK_STR(c->path, "/system.slice/long args.service");
		CHECK_INT(c->memory_current, 3137536);
		CHECK_INT(c->memory_max, HT_CGROUP_NO_LIMIT);
	}
	CHECK(cgroup_of(s, 1) && cgroup_of(s, 1)->memory_max == HT_CGROUP_NO_LIMIT);
	CHECK(cgroup_of(s, 2) == ht_sampler_cgroup(s, 0));	/* a kernel thread: "/" */
	CHECK(cgroup_of(s, 6232) == NULL);		/* no v2 line */

	/* memory.current changes: seen after the refresh time, not before */
	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/user.slice/user-1000.slice/"
		 "session-3.scope/memory.current", root);
	write_file(path, "10000000\n");
	fake_ns += 5000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(cgroup_of(s, 6123)->memory_current, 9756672);
	fake_ns += 30000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(cgroup_of(s, 6123)->memory_current, 10000000);

	/* 6818 moves to session-3.scope: long args.service has no member left */
	snprintf(path, sizeof(path), "%s/proc/6818/cgroup", root);
	write_file(path, "0::/user.slice/user-1000.slice/session-3.scope\n");
	fake_ns += 61000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_STR(cgroup_of(s, 6818)->path, "/user.slice/user-1000.slice/session-3.scope");
	CHECK_INT(cgroup_of(s, 6818)->nprocs, 2);
	CHECK_INT(ht_sampler_ncgroups(s), 3);
	ht_sampler_free(s);

	/* a short refresh reads every sample */
	o.cgroup_refresh_ms = 1;
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), 0);
	snprintf(path, sizeof(path), "%s/sys/fs/cgroup/user.slice/user-1000.slice/"
		 "session-3.scope/memory.current", root);
	write_file(path, "20000000\n");
	fake_ns += 1000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(cgroup_of(s, 6123)->memory_current, 20000000);
	ht_sampler_free(s);
	ht_clock_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
}

/* opts.interrupts and the thread view, on a copy of the top fixture: rates
 * over the fake clock's second, a counter that went back gives none, and a
 * thread whose status is gone (it exited after the listing) is left out. */
static void test_interrupts_and_threads(void)
{
	char root[] = "/tmp/ht-sampler-irq-XXXXXX", cmd[600], path[400];
	struct ht_sampler_opts o;
	struct ht_sampler *s;
	const struct ht_irq_view *q;
	const struct ht_thread_view *t;

	top_fixture(root, &o);
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(ht_sampler_nirqs(s), 0);	/* not asked for */
	CHECK_INT(ht_sampler_nthreads(s), 0);
	ht_sampler_free(s);

	o.interrupts = 1;
	s = ht_sampler_new(&o);
	ht_sampler_want_threads(s, 1);
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK(ht_sampler_nirqs(s) > 3);
	q = ht_sampler_irq(s, 2);
	CHECK_STR(q->name, "26:ttyS0");
	CHECK_INT(q->total, 10);
	CHECK(isnan(q->rate));
	t = ht_sampler_thread(s, 1);
	CHECK(t != NULL);
	if (t) {
		CHECK_INT(t->pid, 1);
		CHECK_INT(t->tid, 31);
		CHECK_STR(t->comm, "process_api-io");
		CHECK_INT(t->vol, 4211);
		CHECK(isnan(t->vol_rate));
	}
	size_t nthreads = ht_sampler_nthreads(s);

	snprintf(path, sizeof(path), "%s/proc/interrupts", root);
	write_file(path, "           CPU0       CPU1       \n"
		   " 24:          0          0  IO-APIC   5-edge      ACPI:Ged\n"
		   " 26:        100         10  IO-APIC   4-edge      ttyS0\n");
	snprintf(cmd, sizeof(cmd), "sed -i 's/^voluntary_ctxt_switches:.*/voluntary_ctxt_switches:\t4411/' "
		 "%s/proc/1/task/31/status", root);
	CHECK_INT(system(cmd), 0);
	fake_ns += 2000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(ht_sampler_nirqs(s), 2);
	CHECK(isnan(ht_sampler_irq(s, 0)->rate));	/* 1 -> 0: reset */
	q = ht_sampler_irq(s, 1);
	CHECK_STR(q->name, "26:ttyS0");
	CHECK_NEAR(q->rate, 50.0, 1e-9);		/* +100 in 2 s, found by name */
	t = ht_sampler_thread(s, 1);
	CHECK(t && t->tid == 31);
	if (t) {
		CHECK_NEAR(t->vol_rate, 100.0, 1e-9);
		CHECK_NEAR(t->nonvol_rate, 0.0, 1e-9);
	}

	snprintf(path, sizeof(path), "%s/proc/1/task/31/status", root);
	CHECK_INT(unlink(path), 0);
	fake_ns += 1000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(ht_sampler_nthreads(s), nthreads - 1);
	for (size_t i = 0; i < ht_sampler_nthreads(s); i++)
		CHECK(ht_sampler_thread(s, i)->tid != 31);

	ht_sampler_want_threads(s, 0);
	CHECK_INT(ht_sampler_nthreads(s), 0);
	ht_sampler_free(s);
	ht_clock_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK_INT(system(cmd), 0);
}

static int count_recs(void *ctx, const char *name, const char *labels, int64_t v)
{
	(void)name;
	(void)labels;
	(void)v;
	++*(int *)ctx;
	return 0;
}

static void test_stream_batches(void)
{
	static const char text[] =
		"#healthtap v=1 runtime=bpf start_ms=5 interval_ms=1000\n"
		"1000 sched switches 40\n"
		"1000 sched switches 25 cpu=0\n"
		"1000 sched batch 1\n"
		"2000 sched switches 41\n"
		"garbage\n"
		"2000 sched sw";		/* split mid-line */
	static const char rest[] = "itches 26 cpu=0\n2000 sched batch 2\n"
				   "3000 sched switches 99\n";	/* no batch end yet */
	struct ht_sampler *s = ht_sampler_new(NULL);
	const struct ht_probe_status *ps;
	int64_t v = 0;
	int n = 0;

	CHECK_INT(ht_sampler_feed(s, text, strlen(text)), 0);
	usleep(20000);	/* let the host switch context between the batches */
	CHECK_INT(ht_sampler_feed(s, rest, strlen(rest)), 0);
	ps = ht_sampler_probe_status(s);
	CHECK(ps->active);
	CHECK_STR(ps->runtime, "bpf");
	CHECK_INT(ps->batches[HT_SUBSYS_SCHED], 2);
	CHECK_INT(ps->bad_lines, 1);
	CHECK(strstr(ps->last_error, "line 6") != NULL);
	CHECK_INT(ht_sampler_probe_value(s, HT_SUBSYS_SCHED, "switches", "", &v), 0);
	CHECK_INT(v, 41);	/* the latest complete batch, not the pending 99 */
	CHECK_INT(ht_sampler_probe_value(s, HT_SUBSYS_SCHED, "switches", "cpu=0", &v), 0);
	CHECK_INT(v, 26);
	CHECK_INT(ht_sampler_probe_value(s, HT_SUBSYS_SCHED, "switches", "cpu=9", &v), -ENOENT);
	CHECK_INT(ht_sampler_probe_value(s, HT_SUBSYS_SKB, "batch", "", &v), -ENOENT);
	CHECK_INT(ht_sampler_probe_foreach(s, HT_SUBSYS_SCHED, count_recs, &n), 0);
	CHECK_INT(n, 2);
	/* Two sched batches against live /proc/stat: a coverage exists. */
	CHECK(isfinite(ps->sched_coverage) && ps->sched_coverage >= 0);
	/* the absolute: ctxt at the first batch + the second batch's 41 */
	CHECK(ps->sched_ctxt_absolute > 41);
	ht_sampler_free(s);
}

/* A coverage total past INT64_MAX makes the coverage unknown (NAN), not
 * the ratio it had before (it kept the stale one). */
static void test_stream_coverage_overflow(void)
{
	static const char text[] =
		"#healthtap v=1 runtime=bpf start_ms=5 interval_ms=1000\n"
		"1000 sched switches 40\n1000 sched batch 1\n";
	static const char two[] = "2000 sched switches 41\n2000 sched batch 2\n";
	static const char big[] =
		"3000 sched switches 9223372036854775807\n3000 sched batch 3\n"
		"4000 sched switches 9223372036854775807\n4000 sched batch 4\n";
	struct ht_sampler *s = ht_sampler_new(NULL);
	const struct ht_probe_status *ps = ht_sampler_probe_status(s);

	CHECK_INT(ht_sampler_feed(s, text, strlen(text)), 0);
	usleep(20000);	/* let the host switch context between the batches */
	CHECK_INT(ht_sampler_feed(s, two, strlen(two)), 0);
	CHECK(isfinite(ps->sched_coverage));
	CHECK_INT(ht_sampler_feed(s, big, strlen(big)), 0);
	CHECK(isnan(ps->sched_coverage));
	CHECK_INT(ps->sched_ctxt_absolute, -1);
	ht_sampler_free(s);
}

/* Kernel memory and skbs in the snapshot: vm618's meminfo, slabinfo and
 * /sys/kernel/slab (skbuff_fclone_cache merged into :0000512); then a
 * queue of 1000 skbs appearing over 2 s is a rate of 500 objects/s. */
static void test_slab_snapshot(void)
{
	char src[4096], vm618[4096], root[] = "/tmp/ht-sampler-XXXXXX", path[4400], cmd[9000];
	const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	struct ht_sampler_opts o;
	struct ht_sampler *s;
	const struct ht_sys_snapshot *y;

	snprintf(src, sizeof(src), "%s/tests/fixtures/vm618", top);
	if (ht_test_fixture(src, vm618, sizeof(vm618)) != 0) {
		CHECK(!"the vm618 fixture copies");
		return;
	}
	ht_sampler_opts_default(&o);
	o.root = vm618;
	s = ht_sampler_new(&o);
	CHECK_INT(ht_sampler_sample(s), 0);
	y = ht_sampler_system(s);
	CHECK(!(y->missing & HT_SYS_MISS_SLAB));
	CHECK_INT(y->slab, 215204LL * 1024);
	CHECK_INT(y->sunreclaim, 27084LL * 1024);
	CHECK_INT(y->kernel_stack, 1620LL * 1024);
	CHECK_INT(y->page_tables, 3532LL * 1024);
	CHECK_INT(y->vmalloc_used, 5908LL * 1024);
	CHECK(y->skb.source && !strcmp(y->skb.source, "slabinfo"));
	CHECK_INT(y->skb.heads, 432);
	CHECK_INT(y->skb.small_heads, 126);
	CHECK_INT(y->skb.outstanding, 432);
	CHECK_INT(y->skb.fclone_merged, 1);
	CHECK_STR(y->skb.fclone_alias, ":0000512");
	CHECK_INT(y->skb.fclones, -1);
	CHECK(isnan(y->skb.rate));
	CHECK(ht_sampler_slabs(s)->n > 200);
	CHECK(proc_slabinfo_find(ht_sampler_slabs(s), "kmalloc-1k") != NULL);
	ht_sampler_free(s);

	/* a copy whose skbuff_head_cache grows by 1000 */
	CHECK(mkdtemp(root) != NULL);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/proc' '%s/'", vm618, root);
	CHECK_INT(system(cmd), 0);
	o.root = root;
	s = ht_sampler_new(&o);
	ht_clock_set(fake_clock);
	fake_ns = 5000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	y = ht_sampler_system(s);
	CHECK_INT(y->skb.outstanding, 432);
	CHECK_INT(y->skb.fclone_merged, 0);	/* no sysfs: not known */
	snprintf(cmd, sizeof(cmd), "sed -i 's/^skbuff_head_cache    432    432/skbuff_head_cache   1432   1440/' '%s/proc/slabinfo'", root);
	CHECK_INT(system(cmd), 0);
	fake_ns += 2000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_INT(y->skb.heads, 1432);
	CHECK_INT(y->skb.outstanding, 1432);
	CHECK_NEAR(y->skb.rate, 500.0, 1e-6);
	/* read back: a falling gauge has a negative rate, not none */
	snprintf(cmd, sizeof(cmd), "sed -i 's/^skbuff_head_cache   1432   1440/skbuff_head_cache    432   1440/' '%s/proc/slabinfo'", root);
	CHECK_INT(system(cmd), 0);
	fake_ns += 1000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
	CHECK_NEAR(y->skb.rate, -1000.0, 1e-6);
	ht_clock_set(NULL);
	ht_sampler_free(s);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	CHECK_INT(system(path), 0);
	ht_test_fixture_free(vm618);
}

int main(void)
{
	test_live_growth_rate();
	test_root_missing_optional_files();
	test_stream_batches();
	test_stream_coverage_overflow();
	test_cgroups();
	test_slab_snapshot();
	test_interrupts_and_threads();
	ht_sampler_free(NULL);
	return ht_test_done("test_sampler");
}
