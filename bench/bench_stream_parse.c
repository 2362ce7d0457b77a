/* Stream parser throughput, against references over the same bytes in the
 * same run: a newline count (what `wc -l` does) and an fgets + sscanf loop
 * that splits the same fields without checking them.
 *
 * usage: bench_stream_parse [RECORDS]   (default 1000000)
 * Times are CPU time of this process, best of 5 runs each. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ht_stream.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A stream like the sched tapset's: per interval a total, per-CPU counts,
 * the other totals, top switchers (with comm, some with spaces) and the
 * batch mark. */
static char *make_stream(long records, size_t *len)
{
	static const char *comms[] = { "kworker/0:1", "a) b", "(sd-pam)", "Xorg",
				       "firefox", "systemd-journal" };
	size_t cap = (size_t)records * 64 + 256, n = 0;
	char *buf = malloc(cap);
	long r = 0, t = 0, seq = 0;

	if (!buf)
		return NULL;
	n += sprintf(buf, "#healthtap v=1 runtime=kernel start_ms=18645440 interval_ms=1000\n");
	while (r < records) {
		t += 1000;
		n += sprintf(buf + n, "%ld sched switches %ld\n", t, 1647 + r % 977);
		r++;
		for (int cpu = 0; cpu < 8 && r < records; cpu++, r++)
			n += sprintf(buf + n, "%ld sched switches %ld cpu=%d\n", t, 200 + r % 31, cpu);
		for (int k = 0; k < 6 && r < records; k++, r++)
			n += sprintf(buf + n, "%ld sched proc_switches %ld pid=%d comm=%s\n",
				     t, 50 + r % 13, 1000 + k * 37, comms[k]);
		if (r < records) {
			n += sprintf(buf + n, "%ld sched wakeups %ld\n", t, 3000 + r % 101);
			r++;
		}
		if (r < records) {
			n += sprintf(buf + n, "%ld sched batch %ld\n", t, ++seq);
			r++;
		}
		if (n + 1024 > cap)
			break;
	}
	*len = n;
	return buf;
}

struct sink {
	int64_t sum;
	uint64_t n;
};

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct sink *s = ctx;

	s->sum += rec->value;
	s->n++;
	return 0;
}

static double run_parser(const char *buf, size_t len, struct sink *s)
{
	struct ht_stream *st = ht_stream_new(on_record, NULL, s);
	double t0 = cpu_s();

	for (size_t off = 0; off < len; off += 65536)
		ht_stream_feed(st, buf + off, len - off < 65536 ? len - off : 65536);
	ht_stream_finish(st);
	t0 = cpu_s() - t0;
	ht_stream_free(st);
	return t0;
}

static double run_count(const char *buf, size_t len, uint64_t *lines)
{
	double t0 = cpu_s();
	const char *p = buf, *end = buf + len;

	*lines = 0;
	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		++*lines;
		p++;
	}
	return cpu_s() - t0;
}

static double run_sscanf(const char *buf, size_t len, struct sink *s)
{
	FILE *f = fmemopen((void *)buf, len, "r");
	char line[1100], sub[16], name[32];
	long long t, v;
	double t0;

	if (!f)
		return -1;
	t0 = cpu_s();
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		if (sscanf(line, "%lld %15s %31s %lld", &t, sub, name, &v) == 4) {
			s->sum += v;
			s->n++;
		}
	}
	t0 = cpu_s() - t0;
	fclose(f);
	return t0;
}

int main(int argc, char **argv)
{
	long records = argc > 1 ? atol(argv[1]) : 1000000;
	double best_p = 1e30, best_c = 1e30, best_s = 1e30;
	struct sink sp = { 0 }, ss = { 0 };
	uint64_t lines = 0;
	size_t len;
	char *buf;

	if (records <= 0) {
		fprintf(stderr, "usage: bench_stream_parse [RECORDS]\n");
		return 2;
	}
	buf = make_stream(records, &len);
	if (!buf)
		return 1;
	for (int i = 0; i < 5; i++) {
		double t;

		sp = (struct sink){ 0 };
		t = run_parser(buf, len, &sp);
		if (t < best_p)
			best_p = t;
		t = run_count(buf, len, &lines);
		if (t < best_c)
			best_c = t;
		ss = (struct sink){ 0 };
		t = run_sscanf(buf, len, &ss);
		if (t >= 0 && t < best_s)
			best_s = t;
	}
	if (sp.n != ss.n || sp.sum != ss.sum) {
		fprintf(stderr, "bench_stream_parse: parser and reference disagree: "
			"%" PRIu64 " vs %" PRIu64 " records\n", sp.n, ss.n);
		free(buf);
		return 1;
	}
	printf("input: %" PRIu64 " records, %" PRIu64 " lines, %.1f MB (in memory)\n",
	       sp.n, lines, (double)len / 1e6);
	printf("%-28s %10.2f M records/s %8.1f ns/record %8.1f MB/s\n",
	       "ht_stream_feed", sp.n / best_p / 1e6, best_p * 1e9 / sp.n, len / best_p / 1e6);
	printf("%-28s %10.2f M records/s %8.1f ns/record %8.1f MB/s\n",
	       "ref: fgets + sscanf", ss.n / best_s / 1e6, best_s * 1e9 / ss.n, len / best_s / 1e6);
	printf("%-28s %10.2f M lines/s   %8.1f ns/line   %8.1f MB/s\n",
	       "ref: newline count (wc -l)", lines / best_c / 1e6, best_c * 1e9 / lines, len / best_c / 1e6);
	printf("ratio: parser throughput = %.2fx fgets+sscanf, %.3fx newline count\n",
	       best_s / best_p, best_c / best_p);
	free(buf);
	return 0;
}
