/* Sampling every process's memory: ht_proctable_sample() against (a) a
 * minimal kept-fd pread loop over /proc/PID/statm and (b) `ps -e -o pid,rss`,
 * measured in the same run, with N extra sleeping processes on the host.
 *
 * usage: bench_sample N [samples-per-round]
 * Forks N children that pause (killed and reaped before exit, and killed by
 * the kernel if this program dies: PR_SET_PDEATHSIG), then prints CPU time
 * per sample (CLOCK_PROCESS_CPUTIME_ID for in-process methods, the child's
 * rusage for ps), medians over the samples, and the ratios. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ht_proctable.h"

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double mean(const double *v, int n)
{
	double s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static pid_t *children;
static int nchildren;

static void kill_children(void)
{
	for (int i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	for (int i = 0; i < nchildren; i++)
		waitpid(children[i], NULL, 0);
	nchildren = 0;
}

static void on_signal(int sig)
{
	(void)sig;
	kill_children();
	_exit(1);
}

static int spawn(int n)
{
	children = calloc((size_t)n, sizeof(*children));
	if (!children)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return -errno;
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			for (;;)
				pause();
		}
		children[nchildren++] = pid;
	}
	return 0;
}

static int count_procs(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

/* (a) the minimal loop: statm fds opened once, one pread each per sample,
 * the resident field parsed. readdir: list /proc each sample too. */
static void minimal_loop(double *t, int samples, int readdir_each, int *nfds)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int *fds = NULL, n = 0, cap = 0;
	long long sum = 0;

	while ((e = readdir(d))) {
		char path[300];
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/statm", e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			fds = realloc(fds, (size_t)cap * sizeof(*fds));
		}
		fds[n++] = fd;
	}
	for (int s = 0; s < samples; s++) {
		double t0 = cpu_now();
		if (readdir_each) {
			rewinddir(d);
			while ((e = readdir(d)))
				sum += e->d_name[0];
		}
		for (int i = 0; i < n; i++) {
			char buf[128], *p;
			ssize_t got = pread(fds[i], buf, sizeof(buf) - 1, 0);
			if (got <= 0)
				continue;
			buf[got] = '\0';
			strtoll(buf, &p, 10);
			sum += strtoll(p, NULL, 10);
		}
		t[s] = cpu_now() - t0;
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	closedir(d);
	free(fds);
	*nfds = n;
	if (sum < 0)
		t[0] = -1;
}

/* (b) the process table; also returns the first (fd-opening) sample's cost. */
static int64_t skipped, probed;	/* listings skipped or narrowed (default table) */

static void table_loop(double *v, int samples, unsigned flags, double *first, size_t *procs,
		       size_t *kept, size_t *fallback)
{
	struct ht_proctable *t = ht_proctable_new(NULL, flags);
	struct ht_proctable_stats st;
	double t0;

	t0 = cpu_now();
	ht_proctable_sample(t);
	*first = cpu_now() - t0;
	for (int s = 0; s < samples; s++) {
		t0 = cpu_now();
		ht_proctable_sample(t);
		v[s] = cpu_now() - t0;
	}
	ht_proctable_stats(t, &st);
	if (!(flags & (HT_PT_LIST_ALWAYS | HT_PT_STATUS))) {
		skipped += st.listings_skipped;
		probed += st.listings_probed;
	}
	*procs = st.procs;
	*kept = st.kept_fds;
	*fallback = st.fallback;
	ht_proctable_free(t);
}

/* (c) ps -e -o pid,rss, its own CPU time (user + system) per run. */
static int ps_loop(double *v, int runs)
{

	for (int r = 0; r < runs; r++) {
		struct rusage ru;
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 1);
			execlp("ps", "ps", "-e", "-o", "pid,rss", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status)
		    || WEXITSTATUS(status) != 0)
			return -1;
		v[r] = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
			+ ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	}
	return 0;
}

/* Methods are measured in ROUNDS rounds, each method in turn, so that load
 * from others on the host falls on all of them alike; medians over all. */
enum { ROUNDS = 3 };

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	int per = argc > 2 ? atoi(argv[2]) : 10;	/* samples per round */
	int ps_per = 2;					/* ps runs per round */
	int samples = per * ROUNDS, ps_runs = ps_per * ROUNDS;
	struct rlimit rl;
	double *vmin, *vmin_rd, *vtb, *vta, *vts, *vps;
	double amin, amin_rd, tb, tb_mean, ta, ts, ps, tb_first = 0, ts_first = 0, f;
	size_t procs = 0, kept = 0, fb = 0, procs2 = 0, kept2 = 0, fb2 = 0;
	int nfds = 0, err = 0, host;

	if (n < 0 || per < 1) {
		fprintf(stderr, "usage: bench_sample N [samples-per-round]\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* Room for one fd per process (the table raises it itself too). */
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	vmin = calloc((size_t)samples, sizeof(double));
	vmin_rd = calloc((size_t)samples, sizeof(double));
	vtb = calloc((size_t)samples, sizeof(double));
	vts = calloc((size_t)samples, sizeof(double));
	vta = calloc((size_t)samples, sizeof(double));
	vps = calloc((size_t)ps_runs, sizeof(double));
	if (!vmin || !vmin_rd || !vtb || !vts || !vta || !vps) {
		err = ENOMEM;
		goto cleanup;
	}
	if ((err = spawn(n))) {
		fprintf(stderr, "bench_sample: cannot fork child %d of %d: %s\n",
			nchildren + 1, n, strerror(-err));
		goto cleanup;
	}
	host = count_procs();
	/* Let the children pass one second of age: the table reads stat once
	 * more on the second sample of a process found younger than that (a
	 * fork caught before its exec), a one-time cost not measured here. */
	usleep(1500000);

	for (int r = 0; r < ROUNDS; r++) {
		minimal_loop(vmin + r * per, per, 0, &nfds);
		minimal_loop(vmin_rd + r * per, per, 1, &nfds);
		table_loop(vtb + r * per, per, 0, &f, &procs, &kept, &fb);
		tb_first += f / ROUNDS;
		table_loop(vta + r * per, per, HT_PT_LIST_ALWAYS, &f, &procs, &kept, &fb);
		table_loop(vts + r * per, per, HT_PT_STATUS, &f, &procs2, &kept2, &fb2);
		ts_first += f / ROUNDS;
		if (vmin[r * per] < 0 || ps_loop(vps + r * ps_per, ps_per)) {
			fprintf(stderr, "bench_sample: a reference failed (ps missing?)\n");
			err = 1;
			goto cleanup;
		}
	}
	amin = median(vmin, samples);
	amin_rd = median(vmin_rd, samples);
	tb_mean = mean(vtb, samples);	/* before median() sorts it */
	tb = median(vtb, samples);
	ts = median(vts, samples);
	ta = median(vta, samples);
	ps = median(vps, ps_runs);

	printf("processes on the host: %d (%d spawned); CPU time per sample, medians of %d samples"
	       " (ps: %d runs) over %d interleaved rounds\n", host, n, samples, ps_runs, ROUNDS);
	printf("  minimal kept-fd pread statm loop      %9.3f ms  %6.2f us/proc  (%d fds)\n",
	       amin * 1e3, amin * 1e6 / nfds, nfds);
	printf("  same + readdir(/proc) each sample     %9.3f ms  %6.2f us/proc\n",
	       amin_rd * 1e3, amin_rd * 1e6 / nfds);
	printf("  ht_proctable_sample (statm)           %9.3f ms  %6.2f us/proc  (%zu procs, %zu kept fds,"
	       " %zu fallback; first sample %.3f ms)\n",
	       tb * 1e3, tb * 1e6 / procs, procs, kept, fb, tb_first * 1e3);
	printf("    mean %.3f ms (every 10th sample of a table lists /proc in full: with 10 samples\n"
	       "    per round, each round's table has one such sample)\n", tb_mean * 1e3);
	printf("    (of %d samples: %lld skipped the /proc listing, no fork in between; %lld probed"
	       " only the new pids; the rest listed /proc in full)\n",
	       samples, (long long)skipped, (long long)probed);
	printf("  ht_proctable_sample (HT_PT_LIST_ALWAYS) %7.3f ms  %6.2f us/proc  (readdir every sample)\n",
	       ta * 1e3, ta * 1e6 / procs);
	printf("  ht_proctable_sample (HT_PT_STATUS)    %9.3f ms  %6.2f us/proc  (%zu kept fds, %zu fallback;"
	       " first sample %.3f ms)\n", ts * 1e3, ts * 1e6 / procs2, kept2, fb2, ts_first * 1e3);
	printf("  ps -e -o pid,rss                      %9.3f ms  %6.2f us/proc\n",
	       ps * 1e3, ps * 1e6 / host);
	printf("  ratio table/minimal loop:             %6.2fx  (goal <= 1.5x)\n", tb / amin);
	printf("  ratio table/(minimal loop + readdir): %6.2fx\n", tb / amin_rd);
	printf("  ratio ps/table:                       %6.1fx  (goal >= 20x)\n", ps / tb);
	printf("  ratio table (HT_PT_LIST_ALWAYS)/minimal loop: %5.2fx; ps/it: %.1fx\n", ta / amin, ps / ta);
	printf("  ratio ps/table (HT_PT_STATUS):        %6.1fx\n", ps / ts);
cleanup:
	kill_children();
	free(children);
	free(vmin);
	free(vmin_rd);
	free(vtb);
	free(vts);
	free(vta);
	free(vps);
	return err != 0;
}
