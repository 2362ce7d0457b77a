/* Process table: on a fixture tree written here (processes appear, vanish,
 * pids are reused), on the live /proc (a child grows by a known amount, turns
 * zombie, exits), and under a low open-file limit (in forked children). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ht_counter.h"
#include "ht_proctable.h"
#include "proc_pid_smaps.h"
#include "proc_pid_smaps_rollup.h"
#include "proc_pid_stat.h"
#include "proc_pid_statm.h"
#include "ht_test.h"

#define KB 1024LL
#define MB (1024LL * 1024)

static int64_t fake_ns;
static int64_t fake_clock(void)
{
	return fake_ns;
}

static char tmp[4096];

/* Writes root/proc/PID/name in place (O_TRUNC, same inode), as the kernel's
 * files change under a kept fd. */
static void put(const char *root, int pid, const char *name, const char *text)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/proc/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%d/%s", root, pid, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(99);
	}
	close(fd);
}

/* A process of the fixture. rss/shared in pages; status kB figures follow
 * from them (anon = rss - shared, file = shared, shmem 0). kthread: no Vm
 * lines and statm zeros. */
static void make_proc(const char *root, int pid, const char *comm, char state, int ppid,
		      long long start, long long rss, long long shared, int kthread)
{
	char buf[2048];
	long pg = proc_pid_page_size();
	long long kb = pg / 1024;

	snprintf(buf, sizeof(buf), "%d (%s) %c %d %d %d 0 -1 %u 10 0 0 0 %d %d 0 0 20 0 %d 0 %lld "
		 "%lld %lld 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n",
		 pid, comm, state, ppid, pid, pid, kthread ? 0x00208040u : 0x00400000u,
		 7 + pid, 3 + pid, 1 + pid % 3, start, rss * pg * 3, rss);
	put(root, pid, "stat", buf);
	if (kthread || state == 'Z')
		snprintf(buf, sizeof(buf), "0 0 0 0 0 0 0\n");
	else
		snprintf(buf, sizeof(buf), "%lld %lld %lld 5 0 %lld 0\n", rss * 3, rss, shared, rss - shared);
	put(root, pid, "statm", buf);
	if (kthread || state == 'Z')
		snprintf(buf, sizeof(buf), "Name:\t%s\nState:\t%c (x)\nTgid:\t%d\nPPid:\t%d\n"
			 "Uid:\t0\t0\t0\t0\nThreads:\t1\nvoluntary_ctxt_switches:\t%d\n"
			 "nonvoluntary_ctxt_switches:\t2\n", comm, state, pid, ppid, pid * 10);
	else
		snprintf(buf, sizeof(buf), "Name:\t%s\nState:\t%c (x)\nTgid:\t%d\nPPid:\t%d\nUid:\t%d\t%d\t%d\t%d\n"
			 "VmSize:\t%lld kB\nVmRSS:\t%lld kB\nRssAnon:\t%lld kB\nRssFile:\t%lld kB\n"
			 "RssShmem:\t0 kB\nVmSwap:\t%d kB\nThreads:\t%d\nvoluntary_ctxt_switches:\t%d\n"
			 "nonvoluntary_ctxt_switches:\t2\n",
			 comm, state, pid, ppid, 1000 + pid, 1000 + pid, 1000 + pid, 1000 + pid,
			 rss * 3 * kb, rss * kb, (rss - shared) * kb, shared * kb, pid % 7,
			 1 + pid % 3, pid * 10);
	put(root, pid, "status", buf);
	{
		char path[4200];
		FILE *f;
		snprintf(path, sizeof(path), "%s/proc/%d/cmdline", root, pid);
		f = fopen(path, "w");
		if (!kthread && state != 'Z')
			fprintf(f, "%s%c--pid=%d%c", comm, 0, pid, 0);
		fclose(f);
	}
}

static void remove_proc(const char *root, int pid)
{
	static const char *names[] = { "stat", "statm", "status", "cmdline" };
	char path[4200];

	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/proc/%d/%s", root, pid, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/proc/%d", root, pid);
	rmdir(path);
}

static void test_fixture_lifecycle(unsigned flags)
{
	char root[4200];
	struct ht_proctable *t;
	struct ht_proctable_stats st;
	const struct ht_proc *p;
	long pg = proc_pid_page_size();
	int64_t kb = pg / 1024;

	snprintf(root, sizeof(root), "%s/life%u", tmp, flags);
	mkdir(root, 0755);
	snprintf(root + strlen(root), sizeof(root) - strlen(root), "/proc");
	mkdir(root, 0755);
	root[strlen(root) - 5] = '\0';
	make_proc(root, 100, "a) b", 'S', 1, 5000, 300, 100, 0);
	make_proc(root, 2, "kthreadd", 'S', 0, 14, 0, 0, 1);
	make_proc(root, 300, "dying", 'Z', 100, 6000, 0, 0, 0);
	put(root, 100, "../self", "not a pid\n");	/* a non-numeric entry */

	ht_clock_set(fake_clock);
	fake_ns = 1000;
	t = ht_proctable_new(root, flags);
	CHECK(t != NULL);
	CHECK_INT(ht_proctable_count(t), 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_count(t), 3);
	CHECK_INT(ht_proctable_exited_count(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.procs, 3);
	CHECK_INT(st.appeared, 3);
	CHECK_INT(st.exited, 0);
	CHECK_INT(st.errors, 0);
	CHECK_INT(st.samples, 1);
	CHECK_INT(st.sample_ns, 1000);
	if (flags & HT_PT_NO_KEEP) {
		CHECK_INT(st.kept_fds, 0);
		CHECK_INT(st.fallback, 3);
	} else {
		int per = 1 + !!(flags & HT_PT_STATUS) + !!(flags & HT_PT_STAT);
		CHECK_INT(st.kept_fds, 3 * per);
		CHECK_INT(st.fallback, 0);
	}

	/* Ascending pid order. */
	CHECK_INT(ht_proctable_at(t, 0)->pid, 2);
	CHECK_INT(ht_proctable_at(t, 1)->pid, 100);
	CHECK_INT(ht_proctable_at(t, 2)->pid, 300);
	CHECK(ht_proctable_at(t, 3) == NULL);

	p = ht_proctable_find(t, 100);
	CHECK(p != NULL);
	CHECK_STR(p->comm, "a) b");
	CHECK_INT(p->start_time, 5000);
	CHECK_INT(p->ppid, 1);
	CHECK_INT(p->uid, 1100);
	CHECK_INT(p->state, 'S');
	CHECK_INT(p->size, 900 * pg);
	CHECK_INT(p->rss, 300 * pg);
	CHECK_INT(p->shared, 100 * pg);
	CHECK_INT(p->anon, 200 * pg);
	CHECK_INT(p->file, 100 * pg);
	CHECK_INT(p->shmem, 0);
	CHECK_INT(p->swap, (100 % 7) * KB);
	CHECK_INT(p->threads, 2);
	CHECK_INT(p->utime, 107);
	CHECK_INT(p->stime, 103);
	CHECK_INT(p->vol_ctxt, 1000);
	CHECK_INT(p->nonvol_ctxt, 2);
	CHECK_INT(p->flags & (HT_PROC_NEW | HT_PROC_KTHREAD | HT_PROC_ZOMBIE), HT_PROC_NEW);
	CHECK_INT(p->missing, 0);
	CHECK_INT(p->first_seen_ns, 1000);
	CHECK_INT(p->last_sample_ns, 1000);
	CHECK_INT(p->status_ns, 1000);
	CHECK_INT(p->stat_ns, 1000);
	CHECK_INT(p->exit_ns, 0);
	CHECK_STR(ht_proctable_cmdline(t, p), "a) b --pid=100");

	p = ht_proctable_find(t, 2);
	CHECK(p != NULL);
	CHECK(p->flags & HT_PROC_KTHREAD);
	CHECK_INT(p->rss, 0);
	CHECK_INT(p->file, -1);		/* no Vm lines: unknown, not 0 */
	CHECK_INT(p->swap, -1);
	CHECK_INT(p->missing, HT_PROC_MISS_VM);
	CHECK_STR(ht_proctable_cmdline(t, p), "");

	p = ht_proctable_find(t, 300);
	CHECK(p != NULL);
	CHECK_INT(p->flags & (HT_PROC_ZOMBIE | HT_PROC_KTHREAD), HT_PROC_ZOMBIE);
	CHECK_INT(p->state, 'Z');
	CHECK_INT(p->ppid, 100);
	CHECK_STR(ht_proctable_cmdline(t, p), "");
	CHECK(ht_proctable_find(t, 101) == NULL);

	/* Second sample: 300 reaped, 400 new, 100 grew by 50 pages, and 600
	 * listed but gone before its files were opened (an empty dir reads
	 * as ENOENT, as a process that exits between readdir and open). */
	remove_proc(root, 300);
	{
		char path[4300];
		snprintf(path, sizeof(path), "%s/proc/600", root);
		mkdir(path, 0755);
	}
	make_proc(root, 400, "new one", 'R', 100, 7000, 40, 10, 0);
	make_proc(root, 100, "a) b", 'S', 1, 5000, 350, 100, 0);
	fake_ns = 2000;
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_count(t), 3);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.appeared, 1);
	CHECK_INT(st.exited, 1);
	CHECK_INT(st.reused, 0);
	CHECK_INT(st.vanished_midread, 1);
	CHECK(ht_proctable_find(t, 600) == NULL);
	remove_proc(root, 600);
	CHECK_INT(st.samples, 2);
	CHECK_INT(ht_proctable_exited_count(t), 1);
	p = ht_proctable_exited_at(t, 0);
	CHECK_INT(p->pid, 300);
	CHECK_INT(p->start_time, 6000);
	CHECK_INT(p->flags & (HT_PROC_EXITED | HT_PROC_ZOMBIE), HT_PROC_EXITED | HT_PROC_ZOMBIE);
	CHECK_INT(p->exit_ns, 2000);
	CHECK_INT(p->last_sample_ns, 1000);
	CHECK(ht_proctable_exited_at(t, 1) == NULL);
	p = ht_proctable_find(t, 100);
	CHECK_INT(p->rss, 350 * pg);
	CHECK_INT(p->anon, 250 * pg);
	CHECK_INT(p->flags & HT_PROC_NEW, 0);
	CHECK_INT(p->first_seen_ns, 1000);
	CHECK_INT(p->last_sample_ns, 2000);
	/* status: current with HT_PT_STATUS, else from the sample that found
	 * the process. */
	if (flags & HT_PT_STATUS) {
		CHECK_INT(p->file, 100 * pg);
		CHECK_INT(p->status_ns, 2000);
	} else {
		CHECK_INT(p->status_ns, 1000);
	}
	p = ht_proctable_find(t, 400);
	CHECK_INT(p->flags & HT_PROC_NEW, HT_PROC_NEW);
	CHECK_STR(p->comm, "new one");
	CHECK_INT(p->rss, 40 * pg);
	CHECK_INT(p->first_seen_ns, 2000);

	/* Third sample: pid 100 reused by a process with a new start time,
	 * files rewritten in place (a kept fd on a regular file keeps reading,
	 * so only a stat read can tell: HT_PT_STAT or no kept fds). */
	make_proc(root, 100, "reborn", 'S', 1, 9000, 20, 5, 0);
	fake_ns = 3000;
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(ht_proctable_count(t), 3);
	CHECK_INT(st.exited, 0 + !!(flags & (HT_PT_STAT | HT_PT_NO_KEEP)));
	CHECK_INT(ht_proctable_exited_count(t), 0 + !!(flags & (HT_PT_STAT | HT_PT_NO_KEEP)));
	if (flags & (HT_PT_STAT | HT_PT_NO_KEEP)) {
		CHECK_INT(st.reused, 1);
		CHECK_INT(st.appeared, 1);
		p = ht_proctable_exited_at(t, 0);
		CHECK_INT(p->pid, 100);
		CHECK_INT(p->start_time, 5000);
		CHECK_STR(p->comm, "a) b");
		CHECK_INT(p->exit_ns, 3000);
		p = ht_proctable_find(t, 100);
		CHECK_INT(p->start_time, 9000);
		CHECK_STR(p->comm, "reborn");
		CHECK_INT(p->flags & HT_PROC_NEW, HT_PROC_NEW);
		CHECK_INT(p->first_seen_ns, 3000);
		CHECK_INT(p->rss, 20 * pg);
		CHECK_INT(p->uid, 1100);
		CHECK_STR(ht_proctable_cmdline(t, p), "reborn --pid=100");
	} else {
		/* statm-only sampling sees the new figures, identity unchanged
		 * (on the live /proc the kept fd fails with ESRCH instead). */
		p = ht_proctable_find(t, 100);
		CHECK_INT(p->start_time, 5000);
		CHECK_INT(p->rss, 20 * pg);
	}

	/* A file that cannot be read is a missing figure, not a zero (statm
	 * is a directory here: EISDIR, an error that is not "gone"). */
	make_proc(root, 500, "nostatm", 'S', 1, 9100, 10, 1, 0);
	{
		char path[4200];
		snprintf(path, sizeof(path), "%s/proc/500/statm", root);
		unlink(path);
		mkdir(path, 0755);
	}
	fake_ns = 4000;
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.errors, 1);
	CHECK_INT(st.appeared, 1);
	p = ht_proctable_find(t, 500);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->rss, -1);
		CHECK_INT(p->anon, -1);
		CHECK_INT(p->missing & HT_PROC_MISS_STATM, HT_PROC_MISS_STATM);
		CHECK_INT(p->flags & HT_PROC_FALLBACK, HT_PROC_FALLBACK);
		CHECK_INT(p->file, 1 * pg);	/* status was readable */
		CHECK_INT(p->start_time, 9100);
	}
	(void)kb;
	{
		char path[4200];
		snprintf(path, sizeof(path), "%s/proc/500/statm", root);
		rmdir(path);
	}

	/* Everything gone; the root itself gone gives an error and keeps the
	 * table as it was. */
	remove_proc(root, 2);
	remove_proc(root, 100);
	remove_proc(root, 400);
	remove_proc(root, 500);
	fake_ns = 5000;
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_count(t), 0);
	CHECK_INT(ht_proctable_exited_count(t), 4);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.kept_fds, 0);
	CHECK_INT(st.exited, 4);
	ht_proctable_free(t);

	t = ht_proctable_new("/nonexistent-root", flags);
	CHECK_INT(ht_proctable_sample(t), -ENOENT);
	CHECK_INT(ht_proctable_count(t), 0);
	ht_proctable_free(t);
	ht_proctable_free(NULL);
	ht_clock_set(NULL);
}

/* Without a fork since the previous listing (the "processes" line of
 * /proc/stat), a sample does not list /proc; at most 9 in a row. */
static void test_listing_gate(void)
{
	char root[4200];
	struct ht_proctable *t, *always;
	struct ht_proctable_stats st;

	snprintf(root, sizeof(root), "%s/gate", tmp);
	mkdir(root, 0755);
	{
		char proc[4300];
		snprintf(proc, sizeof(proc), "%s/proc", root);
		mkdir(proc, 0755);
	}
	make_proc(root, 10, "one", 'S', 1, 100, 5, 1, 0);
	put(root, 10, "../stat", "cpu  1 2 3 4\nctxt 9\nprocesses 500\nprocs_running 1\n");
	t = ht_proctable_new(root, 0);
	always = ht_proctable_new(root, HT_PT_LIST_ALWAYS);
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_sample(always), 0);
	CHECK_INT(ht_proctable_count(t), 1);

	/* A process dir appears but the fork count did not move: a fixture
	 * can do that, the kernel cannot. */
	make_proc(root, 11, "two", 'S', 1, 101, 5, 1, 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_sample(always), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_skipped, 1);
	CHECK_INT(ht_proctable_count(t), 1);
	CHECK_INT(ht_proctable_count(always), 2);
	ht_proctable_stats(always, &st);
	CHECK_INT(st.listings_skipped, 0);

	/* A fork: listed again. */
	put(root, 10, "../stat", "cpu  1 2 3 4\nctxt 9\nprocesses 501\nprocs_running 1\n");
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_skipped, 1);
	CHECK_INT(st.appeared, 1);
	CHECK_INT(ht_proctable_count(t), 2);

	/* Nine samples skip, the tenth lists whatever the count says. */
	make_proc(root, 12, "three", 'S', 1, 102, 5, 1, 0);
	for (int i = 0; i < 9; i++)
		CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_count(t), 2);
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_count(t), 3);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_skipped, 10);
	ht_proctable_free(t);
	ht_proctable_free(always);
}

/* When forks happened but the last pid of /proc/loadavg rose by a few, only
 * the pids in between are probed; threads' ids are not taken for processes;
 * a pid handed out of order waits for the next full listing. */
static void test_listing_probe(void)
{
	char root[4200], proc[4300];
	struct ht_proctable *t;
	struct ht_proctable_stats st;

	snprintf(root, sizeof(root), "%s/probe", tmp);
	mkdir(root, 0755);
	snprintf(proc, sizeof(proc), "%s/proc", root);
	mkdir(proc, 0755);
	for (int pid = 10; pid < 30; pid++)
		make_proc(root, pid, "p", 'S', 1, 100 + pid, 5, 1, 0);
	put(root, 10, "../stat", "ctxt 9\nprocesses 500\n");
	put(root, 10, "../loadavg", "0.10 0.20 0.30 1/40 29\n");
	/* Probing needs root/proc/self to be this process (same pid ns). */
	{
		char self[4400], me[32];
		snprintf(self, sizeof(self), "%s/self", proc);
		snprintf(me, sizeof(me), "%d", (int)getpid());
		if (symlink(me, self))
			CHECK(!"cannot link proc/self");
	}
	t = ht_proctable_new(root, 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_count(t), 20);

	/* Three tasks: pid 30, its thread 31, and pid 5 (out of order). */
	make_proc(root, 30, "new", 'S', 1, 200, 5, 1, 0);
	make_proc(root, 31, "new", 'S', 1, 200, 5, 1, 0);
	put(root, 31, "status", "Name:\tnew\nTgid:\t30\nPid:\t31\nVmRSS:\t20 kB\n");
	make_proc(root, 5, "ooo", 'S', 1, 201, 5, 1, 0);
	put(root, 10, "../stat", "ctxt 9\nprocesses 503\n");
	put(root, 10, "../loadavg", "0.10 0.20 0.30 1/43 31\n");
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_probed, 1);
	CHECK_INT(st.listings_skipped, 0);
	CHECK_INT(st.appeared, 1);
	CHECK_INT(st.vanished_midread, 0);
	CHECK_INT(ht_proctable_count(t), 21);
	CHECK(ht_proctable_find(t, 30) != NULL);
	CHECK(ht_proctable_find(t, 31) == NULL);
	CHECK(ht_proctable_find(t, 5) == NULL);
	remove_proc(root, 31);		/* readdir would not list a thread */

	/* A jump of the last pid beyond a sixth of the processes: full. */
	make_proc(root, 60, "far", 'S', 1, 300, 5, 1, 0);
	put(root, 10, "../stat", "ctxt 9\nprocesses 504\n");
	put(root, 10, "../loadavg", "0.10 0.20 0.30 1/44 60\n");
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_probed, 1);
	CHECK_INT(st.appeared, 2);
	CHECK(ht_proctable_find(t, 60) != NULL);
	CHECK(ht_proctable_find(t, 5) != NULL);
	CHECK_INT(ht_proctable_count(t), 23);

	/* The last pid wrapped (went down): full listing. */
	make_proc(root, 7, "wrapped", 'S', 1, 301, 5, 1, 0);
	put(root, 10, "../stat", "ctxt 9\nprocesses 505\n");
	put(root, 10, "../loadavg", "0.10 0.20 0.30 1/45 7\n");
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_probed, 1);
	CHECK_INT(st.appeared, 1);
	CHECK(ht_proctable_find(t, 7) != NULL);

	/* An exited process in a probed sample is retired, not re-added. */
	remove_proc(root, 12);
	make_proc(root, 8, "next", 'S', 1, 302, 5, 1, 0);
	put(root, 10, "../stat", "ctxt 9\nprocesses 506\n");
	put(root, 10, "../loadavg", "0.10 0.20 0.30 1/45 8\n");
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_probed, 2);
	CHECK_INT(st.appeared, 1);
	CHECK(ht_proctable_find(t, 8) != NULL);
	/* A fixture's kept fd on a removed file still reads, so 12 leaves at
	 * the next full listing (on the live /proc: ESRCH right away). */
	ht_proctable_free(t);

	/* root/proc of another pid namespace (self is not us): no probing. */
	{
		char self[4400];
		snprintf(self, sizeof(self), "%s/self", proc);
		unlink(self);
		if (symlink("1", self))
			CHECK(!"cannot link proc/self");
	}
	t = ht_proctable_new(root, 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	make_proc(root, 9, "after", 'S', 1, 303, 5, 1, 0);
	put(root, 10, "../stat", "ctxt 9\nprocesses 507\n");
	put(root, 10, "../loadavg", "0.10 0.20 0.30 1/45 9\n");
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.listings_probed, 0);
	CHECK_INT(st.appeared, 1);
	CHECK(ht_proctable_find(t, 9) != NULL);
	ht_proctable_free(t);
}

/* ---- live /proc ---- */

/* A child that allocates and touches n bytes when told, then waits. */
static pid_t spawn_grower(int *cmd, int *ack)
{
	int c[2], a[2];
	pid_t pid;

	if (pipe(c) || pipe(a))
		exit(99);
	pid = fork();
	if (pid == 0) {
		long long n;
		close(c[1]);
		close(a[0]);
		while (read(c[0], &n, sizeof(n)) == sizeof(n)) {
			char *m = mmap(NULL, (size_t)n, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				_exit(98);
			for (long long i = 0; i < n; i += 4096)
				m[i] = 1;
			if (write(a[1], "k", 1) != 1)
				_exit(97);
		}
		_exit(0);
	}
	close(c[0]);
	close(a[1]);
	*cmd = c[1];
	*ack = a[0];
	return pid;
}

static int64_t start_of(pid_t pid)
{
	struct proc_pid_stat s;

	return proc_pid_stat_read(NULL, pid, &s) ? -1 : s.starttime;
}

static int exited_has(struct ht_proctable *t, pid_t pid, int64_t start)
{
	for (size_t i = 0; i < ht_proctable_exited_count(t); i++) {
		const struct ht_proc *p = ht_proctable_exited_at(t, i);
		if (p->pid == pid && p->start_time == start)
			return 1;
	}
	return 0;
}

static void test_live(unsigned flags)
{
	struct ht_proctable *t = ht_proctable_new(NULL, flags);
	struct ht_proctable_stats st, st2;
	const struct ht_proc *p;
	int cmd, ack, status;
	long long n = 64 * MB;
	int64_t rss0, anon0, start;
	char c;
	pid_t child = spawn_grower(&cmd, &ack);

	CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, child);
	CHECK(p != NULL);
	if (!p)
		goto cleanup;
	start = start_of(child);
	CHECK(start > 0);
	CHECK_INT(p->start_time, start);
	CHECK_INT(p->ppid, getpid());
	CHECK_INT(p->uid, getuid());
	CHECK_INT(p->flags & (HT_PROC_NEW | HT_PROC_KTHREAD | HT_PROC_ZOMBIE), HT_PROC_NEW);
	CHECK(p->rss > 0);
	rss0 = p->rss;
	anon0 = p->anon;

	/* Our own process: figures match statm read independently. */
	{
		const struct ht_proc *me = ht_proctable_find(t, getpid());
		CHECK(me != NULL);
		if (me)
			CHECK_INT(me->start_time, start_of(getpid()));
	}

	/* Kernel threads are there, flagged, with zero rss and no Vm lines. */
	{
		const struct ht_proc *k = ht_proctable_find(t, 2);
		CHECK(k != NULL);
		if (k) {
			CHECK_INT(k->flags & HT_PROC_KTHREAD, HT_PROC_KTHREAD);
			CHECK_INT(k->rss, 0);
			CHECK_INT(k->swap, -1);
			CHECK_STR(ht_proctable_cmdline(t, k), "");
		}
	}

	/* Grow by 64 MiB, touched. */
	if (write(cmd, &n, sizeof(n)) != sizeof(n) || read(ack, &c, 1) != 1)
		CHECK(!"grower did not answer");
	CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, child);
	CHECK(p != NULL);
	if (!p)
		goto cleanup;
	CHECK_INT(p->flags & HT_PROC_NEW, 0);
	CHECK_INT(p->start_time, start);
	CHECK(p->rss - rss0 >= n);
	CHECK(p->rss - rss0 < n + 1 * MB);
	CHECK(p->anon - anon0 >= n);
	CHECK(p->anon - anon0 < n + 1 * MB);
	if (flags & HT_PT_STATUS) {
		CHECK_INT(p->file + p->shmem, p->shared);
		CHECK_INT(p->swap, 0);
	}
	{
		struct proc_pid_smaps_rollup r;
		CHECK_INT(ht_proctable_smaps_rollup(t, p, &r), 0);
		CHECK(r.anonymous >= n);
		CHECK(r.rss >= n);
	}
	{
		/* smaps through the table: its mappings add up to what grew */
		struct proc_pid_smaps m;
		int64_t anon = 0;

		CHECK_INT(ht_proctable_smaps(t, p, &m), 0);
		CHECK(m.n > 0);
		for (size_t i = 0; i < m.n; i++)
			anon += m.regions[i].anonymous > 0 ? m.regions[i].anonymous : 0;
		CHECK(anon >= n);
		proc_pid_smaps_free(&m);
	}
	{
		const char *cl = ht_proctable_cmdline(t, p);
		const char *mine = ht_proctable_cmdline(t, ht_proctable_find(t, getpid()));
		CHECK(cl != NULL && mine != NULL);
		if (cl && mine)
			CHECK_STR(cl, mine);	/* a fork: same argv */
	}

	/* Exits: killed, becomes a zombie until reaped, then gone. */
	kill(child, SIGKILL);
	{
		/* Wait until it is a zombie without reaping it. */
		siginfo_t si;
		waitid(P_PID, child, &si, WEXITED | WNOWAIT);
	}
	CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, child);
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->flags & HT_PROC_ZOMBIE, HT_PROC_ZOMBIE);
		CHECK_INT(p->state, 'Z');
		CHECK_INT(p->rss, 0);
	}
	waitpid(child, &status, 0);
	if (p) {	/* reaped: the table's entry no longer opens */
		struct proc_pid_smaps m;

		CHECK_INT(ht_proctable_smaps(t, p, &m), -ESRCH);
		CHECK_INT(m.n, 0);
	}
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK(ht_proctable_find(t, child) == NULL);
	CHECK(exited_has(t, child, start));

	/* Two samples in a row: counts add up, fds match the processes. */
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st2);
	CHECK_INT(st2.procs, st.procs + st2.appeared - st2.exited);
	CHECK_INT(st2.procs, ht_proctable_count(t));
	CHECK_INT(st2.samples, st.samples + 1);
	CHECK_INT(st2.fallback, 0);
	CHECK_INT(st2.kept_fds, st2.procs * (1 + !!(flags & HT_PT_STATUS) + !!(flags & HT_PT_STAT)));
	CHECK_INT(st2.errors, 0);
	for (size_t i = 1; i < ht_proctable_count(t); i++)
		CHECK(ht_proctable_at(t, i - 1)->pid < ht_proctable_at(t, i)->pid);
cleanup:
	close(cmd);
	close(ack);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ht_proctable_free(t);
}

/* An exec: without HT_PT_STAT, statm's text size changing makes the table
 * read stat again; the new comm drops the cached command line. */
static void test_live_exec(void)
{
	struct ht_proctable *t = ht_proctable_new(NULL, 0);
	const struct ht_proc *p;
	const char *cl;
	char mine[HT_PROC_CMDLINE_MAX], comm[64] = "";
	int go[2], status;
	pid_t child;

	if (pipe(go))
		exit(99);
	child = fork();
	if (child == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) == 1)
			execlp("sleep", "sleep", "100", (char *)NULL);
		_exit(127);
	}
	close(go[0]);
	for (int i = 0; i < 3; i++)
		CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, child);
	CHECK(p != NULL);
	cl = p ? ht_proctable_cmdline(t, p) : NULL;
	CHECK(cl != NULL);
	snprintf(mine, sizeof(mine), "%s", cl ? cl : "?");
	CHECK(strcmp(mine, "sleep 100") != 0);
	if (write(go[1], "x", 1) != 1)
		CHECK(!"cannot start the exec");
	for (int i = 0; i < 200 && strcmp(comm, "sleep"); i++) {
		struct proc_pid_stat s;
		usleep(10000);
		if (!proc_pid_stat_read(NULL, child, &s))
			snprintf(comm, sizeof(comm), "%s", s.comm);
	}
	CHECK_STR(comm, "sleep");
	CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, child);
	CHECK(p != NULL);
	if (p) {
		CHECK_STR(p->comm, "sleep");
		CHECK_INT(p->flags & HT_PROC_NEW, 0);
		CHECK_INT(p->start_time, start_of(child));
		cl = ht_proctable_cmdline(t, p);
		CHECK(cl != NULL);
		if (cl)
			CHECK_STR(cl, "sleep 100");
	}
	close(go[1]);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	ht_proctable_free(t);
}

/* A pid reused on the live /proc: with ns_last_pid (root) the next fork gets
 * the pid of a reaped child. The kept fd of the old process fails with ESRCH. */
static void test_live_pid_reuse(void)
{
	struct ht_proctable *t = ht_proctable_new(NULL, 0);
	pid_t a, b = -1;
	int64_t start_a;
	int status, tries;

	for (tries = 0; tries < 20; tries++) {
		char buf[32];
		int fd;

		a = fork();
		if (a == 0) {
			pause();
			_exit(0);
		}
		usleep(1000);
		start_a = start_of(a);
		CHECK_INT(ht_proctable_sample(t), 0);
		kill(a, SIGKILL);
		waitpid(a, &status, 0);
		usleep(30000);		/* a later start time */
		fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		if (fd < 0) {
			printf("test_proctable: pid reuse on live /proc skipped: %s\n", strerror(errno));
			ht_proctable_free(t);
			return;
		}
		snprintf(buf, sizeof(buf), "%d", (int)a - 1);
		if (write(fd, buf, strlen(buf)) < 0) {
			close(fd);
			printf("test_proctable: pid reuse on live /proc skipped: %s\n", strerror(errno));
			ht_proctable_free(t);
			return;
		}
		close(fd);
		b = fork();
		if (b == 0) {
			pause();
			_exit(0);
		}
		if (b == a)
			break;
		kill(b, SIGKILL);
		waitpid(b, &status, 0);
		b = -1;
	}
	CHECK(b == a);
	if (b == a) {
		const struct ht_proc *p;
		struct ht_proctable_stats st;

		usleep(1000);
		CHECK_INT(ht_proctable_sample(t), 0);
		ht_proctable_stats(t, &st);
		CHECK(st.reused >= 1);
		CHECK(exited_has(t, a, start_a));
		p = ht_proctable_find(t, b);
		CHECK(p != NULL);
		if (p) {
			CHECK_INT(p->start_time, start_of(b));
			CHECK(p->start_time > start_a);
			CHECK_INT(p->flags & HT_PROC_NEW, HT_PROC_NEW);
		}
		kill(b, SIGKILL);
		waitpid(b, &status, 0);
	}
	ht_proctable_free(t);
}

/* ---- open-file limit below the process count ---- */

/* Runs fn in a child with RLIMIT_NOFILE soft/hard; returns its failures. */
static int in_child(void (*fn)(void *), void *arg, rlim_t soft, rlim_t hard)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct rlimit rl = { soft, hard };
		ht_test_failures = 0;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			fprintf(stderr, "setrlimit: %s\n", strerror(errno));
			_exit(99);
		}
		fn(arg);
		_exit(ht_test_failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 99;
	return WEXITSTATUS(status);
}

static char many_root[4200];
enum { MANY = 60 };

static void make_many(void)
{
	snprintf(many_root, sizeof(many_root), "%s/many", tmp);
	mkdir(many_root, 0755);
	{
		char path[4300];
		snprintf(path, sizeof(path), "%s/proc", many_root);
		mkdir(path, 0755);
	}
	for (int i = 0; i < MANY; i++)
		make_proc(many_root, 1000 + i, "many", 'S', 1, 100 + i, 10 + i, 2, 0);
}

/* soft = hard = 84: 84 - 64 reserved = 20 kept fds, 40 fallbacks. */
static void child_capped(void *arg)
{
	struct ht_proctable *t = ht_proctable_new(many_root, 0);
	struct ht_proctable_stats st;
	long pg = proc_pid_page_size();

	(void)arg;
	for (int round = 0; round < 2; round++) {
		CHECK_INT(ht_proctable_sample(t), 0);
		ht_proctable_stats(t, &st);
		CHECK_INT(st.procs, MANY);
		CHECK_INT(st.kept_fds, 20);
		CHECK_INT(st.fallback, MANY - 20);
		CHECK_INT(st.errors, 0);
		CHECK_INT(st.nofile_soft, 84);
		CHECK_INT(st.nofile_hard, 84);
		for (int i = 0; i < MANY; i++) {
			const struct ht_proc *p = ht_proctable_at(t, (size_t)i);
			CHECK_INT(p->pid, 1000 + i);
			CHECK_INT(p->rss, (10 + i) * pg);
			CHECK_INT(p->start_time, 100 + i);
			CHECK_INT(p->flags & HT_PROC_FALLBACK, i < 20 ? 0 : HT_PROC_FALLBACK);
		}
	}
	/* A fallback process's new figures are read too. */
	make_proc(many_root, 1059, "many", 'S', 1, 159, 99, 2, 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_find(t, 1059)->rss, 99 * pg);
	CHECK_INT(ht_proctable_find(t, 1059)->flags & HT_PROC_FALLBACK, HT_PROC_FALLBACK);
	ht_proctable_free(t);
}

/* soft 84 under a high hard limit: the table raises the soft limit. */
static void child_raise(void *arg)
{
	struct ht_proctable *t = ht_proctable_new(many_root, HT_PT_STATUS);
	struct ht_proctable_stats st;
	struct rlimit rl;

	(void)arg;
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK_INT(st.kept_fds, 2 * MANY);
	CHECK_INT(st.fallback, 0);
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK(rl.rlim_cur >= 2 * MANY + 64);
	CHECK_INT(st.nofile_soft, rl.rlim_cur);
	ht_proctable_free(t);
}

/* The live /proc under a tiny limit: all fallback, figures still there. */
static void child_live_capped(void *arg)
{
	struct ht_proctable *t = ht_proctable_new(NULL, 0);
	struct ht_proctable_stats st;
	struct proc_pid_statm m;
	const struct ht_proc *me;

	(void)arg;
	CHECK_INT(ht_proctable_sample(t), 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	ht_proctable_stats(t, &st);
	CHECK(st.procs > 20);
	CHECK_INT(st.kept_fds, 0);
	CHECK_INT(st.fallback, st.procs);
	CHECK_INT(st.errors, 0);
	me = ht_proctable_find(t, getpid());
	CHECK(me != NULL);
	if (me) {
		CHECK_INT(proc_pid_statm_read(NULL, getpid(), &m), 0);
		CHECK(me->rss > 0);
		CHECK_NEAR((double)me->rss, (double)m.resident, 256 * 1024.0);
		CHECK_INT(me->start_time, start_of(getpid()));
	}
	ht_proctable_free(t);
}

/* Not root: smaps_rollup of another user's process is refused; the table
 * says so rather than filling zeros. */
static void child_unprivileged(void *arg)
{
	struct ht_proctable *t;
	struct proc_pid_smaps_rollup r;
	const struct ht_proc *p;
	pid_t other = *(pid_t *)arg;

	if (setgid(65534) || setuid(65534)) {
		fprintf(stderr, "setuid: %s\n", strerror(errno));
		_exit(99);
	}
	t = ht_proctable_new(NULL, 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, other);
	CHECK(p != NULL);
	if (p) {
		CHECK(p->rss > 0);		/* statm is world-readable */
		CHECK_INT(p->uid, 0);
		CHECK_INT(ht_proctable_smaps_rollup(t, p, &r), -EACCES);
		CHECK_INT(r.pss, -1);
	}
	ht_proctable_free(t);

	/* Files this user may not read: missing figures, said so, not zeros. */
	{
		char root[4300];
		struct ht_proctable_stats st;

		snprintf(root, sizeof(root), "%s/perm", tmp);
		t = ht_proctable_new(root, 0);
		CHECK_INT(ht_proctable_sample(t), 0);
		ht_proctable_stats(t, &st);
		CHECK_INT(st.procs, 2);
		CHECK_INT(st.eacces, 1);
		CHECK_INT(st.errors, 0);
		p = ht_proctable_find(t, 41);
		CHECK(p != NULL);
		if (p) {
			CHECK_INT(p->start_time, 141);
			CHECK_STR(p->comm, "secret");
			CHECK_INT(p->rss, -1);
			CHECK_INT(p->anon, -1);
			CHECK_INT(p->swap, -1);
			CHECK_INT(p->uid, -1);
			CHECK_INT(p->missing, HT_PROC_MISS_STATM | HT_PROC_MISS_STATUS | HT_PROC_EACCES);
		}
		p = ht_proctable_find(t, 40);
		CHECK(p != NULL);
		if (p) {
			CHECK_INT(p->rss, 7 * proc_pid_page_size());
			CHECK_INT(p->missing, 0);
		}
		ht_proctable_free(t);
	}
	t = ht_proctable_new(NULL, 0);
	CHECK_INT(ht_proctable_sample(t), 0);
	p = ht_proctable_find(t, getpid());
	CHECK(p != NULL);
	if (p) {
		CHECK_INT(p->uid, 65534);
		CHECK_INT(ht_proctable_smaps_rollup(t, p, &r), 0);
		CHECK(r.rss > 0);
	}
	ht_proctable_free(t);
}

static void rm_rf(const char *path)
{
	char cmd[4300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	struct rlimit rl;

	snprintf(tmp, sizeof(tmp), "%s/test_proctable.XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 99;
	}
	test_fixture_lifecycle(0);
	test_fixture_lifecycle(HT_PT_STATUS | HT_PT_STAT);
	test_fixture_lifecycle(HT_PT_STAT);
	test_fixture_lifecycle(HT_PT_NO_KEEP);
	test_listing_gate();
	test_listing_probe();

	test_live(0);
	test_live(HT_PT_STATUS | HT_PT_STAT);
	test_live_exec();
	if (geteuid() == 0)
		test_live_pid_reuse();

	make_many();
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_INT(in_child(child_capped, NULL, 84, 84), 0);
	if (rl.rlim_max >= 2 * MANY + 64 + 64)
		CHECK_INT(in_child(child_raise, NULL, 84, rl.rlim_max), 0);
	CHECK_INT(in_child(child_live_capped, NULL, 40, 40), 0);
	if (geteuid() == 0) {
		pid_t other = fork();
		if (other == 0) {
			pause();
			_exit(0);
		}
		usleep(10000);
		{
			char root[4300], path[4400];
			snprintf(root, sizeof(root), "%s/perm", tmp);
			mkdir(root, 0755);
			snprintf(path, sizeof(path), "%s/proc", root);
			mkdir(path, 0755);
			make_proc(root, 40, "open", 'S', 1, 140, 7, 1, 0);
			make_proc(root, 41, "secret", 'S', 1, 141, 7, 1, 0);
			snprintf(path, sizeof(path), "%s/proc/41/statm", root);
			chmod(path, 0);
			snprintf(path, sizeof(path), "%s/proc/41/status", root);
			chmod(path, 0);
			chmod(tmp, 0755);
		}
		CHECK_INT(in_child(child_unprivileged, &other, rl.rlim_cur, rl.rlim_max), 0);
		kill(other, SIGKILL);
		waitpid(other, NULL, 0);
	}
	rm_rf(tmp);
	return ht_test_done("test_proctable");
}
