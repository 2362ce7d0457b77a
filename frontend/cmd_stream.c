/* healthtap stream: read a health tapset stream and join it with /proc.
 *
 * For each sched batch it reads /proc/stat and puts the probe's switch count
 * beside the ctxt delta over the same interval: the probe coverage, from
 * the merge engine (ht_merge), which also gives the absolute ctxt. Each
 * irq batch joins the softirqs per vector with /proc/softirqs the same way
 * (figures "softirq.NAME", in the --json summary). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include "cli.h"
#include "ht_merge.h"
#include "ht_stream.h"
#include "out_json.h"
#include "proc_softirqs.h"
#include "proc_stat.h"

struct stream_join {
	const char *root;
	int json;
	int64_t batch_switches;		/* -1 until a switches record */
	struct ht_merge *merge;		/* "ctxt": switches joined with /proc/stat;
					   "softirq.NAME": with /proc/softirqs */
	int64_t batch_softirqs[PROC_SOFTIRQ_N];	/* -1 until a record */
	uint64_t by_subsys[HT_SUBSYS_COUNT];
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap stream [-f FILE] [--root DIR] [--json]\n"
		"\n"
		"Reads a health tapset stream (stap's output) from FILE or standard\n"
		"input, and prints for each interval the probe's context switches next\n"
		"to the ctxt delta of /proc/stat over the same interval.\n"
		"\n"
		"  -f, --file FILE   read FILE instead of standard input ('-' is stdin)\n"
		"      --root DIR    read DIR/proc instead of /proc\n"
		"      --json        one JSON object per interval, then a summary\n"
		"  -h, --help        show this help\n"
		"\n"
		"Example:\n"
		"  stap -e 'probe health.sched {}' | healthtap stream\n"
		"\n"
		"Exit status: 0 ok, 1 bad stream lines or a read error, 2 usage error.\n");
}

static double coverage_pct(int64_t probe, int64_t proc)
{
	return proc > 0 && probe >= 0 ? 100.0 * (double)probe / (double)proc : NAN;
}

/* A total, or "-" once it is unknown (past INT64_MAX). */
static const char *total_text(char *buf, size_t size, int64_t v)
{
	if (v < 0)
		return "-";
	snprintf(buf, size, "%" PRId64, v);
	return buf;
}

/* One line of --json: an interval or the summary. */
static void print_json(struct ht_buf *b)
{
	out_write(b, stdout);
	ht_buf_free(b);
}

static void print_interval(const struct ht_merge_coverage *c, int64_t t_ms,
			   int64_t absolute, int json)
{
	double cov = coverage_pct(c->last_probe, c->last_proc_delta);
	char probe[24];

	if (json) {
		struct ht_buf b = { 0 };
		struct out_json oj;

		out_json_init(&oj, &b);
		out_json_object(&oj, NULL);
		out_json_int(&oj, "t_ms", t_ms);
		out_json_count(&oj, "probe_switches", c->last_probe);
		out_json_int(&oj, "proc_ctxt_delta", c->last_proc_delta);
		out_json_double(&oj, "coverage_pct", cov);
		out_json_int(&oj, "ctxt_absolute", absolute);
		out_json_end(&oj);
		out_json_newline(&oj);
		print_json(&b);
		return;
	}
	printf("%8.1f %16s %16" PRId64, t_ms / 1000.0,
	       total_text(probe, sizeof(probe), c->last_probe), c->last_proc_delta);
	if (isnan(cov))
		printf(" %10s\n", "-");
	else
		printf(" %9.1f%%\n", cov);
	fflush(stdout);
}

/* A sched batch closes an interval: printed when it counts (the first is
 * the baseline; ht_merge_interval says which are skipped). */
static int on_sched_batch(struct stream_join *j, int64_t t_ms)
{
	struct proc_stat st;
	struct ht_merge_coverage before, after;
	int64_t absolute = -1;
	int err = proc_stat_read(j->root, &st);

	if (err) {
		ht_err("cannot read %s/proc/stat: %s", j->root, strerror(-err));
		st.ctxt = -1;
	}
	if (ht_merge_coverage(j->merge, "ctxt", &before))
		before.intervals = 0;
	err = ht_merge_interval(j->merge, "ctxt", j->batch_switches, st.ctxt, t_ms);
	j->batch_switches = -1;
	if (err == -ENOMEM)
		return err;
	if (ht_merge_coverage(j->merge, "ctxt", &after) == 0 &&
	    after.intervals > before.intervals) {
		ht_merge_absolute(j->merge, "ctxt", &absolute);
		print_interval(&after, t_ms, absolute, j->json);
	}
	return 0;
}

static void softirqs_clear(struct stream_join *j)
{
	for (int v = 0; v < PROC_SOFTIRQ_N; v++)
		j->batch_softirqs[v] = -1;
}

/* An irq batch closes an interval of each softirq vector. */
static int on_irq_batch(struct stream_join *j, int64_t t_ms)
{
	struct proc_softirqs ps;
	int err = proc_softirqs_read(j->root, &ps), rc = 0;

	for (int v = 0; v < PROC_SOFTIRQ_N && rc != -ENOMEM; v++) {
		char name[32];

		snprintf(name, sizeof(name), "softirq.%s", proc_softirq_name(v));
		rc = ht_merge_interval(j->merge, name, j->batch_softirqs[v],
				       err ? -1 : ps.total[v], t_ms);
	}
	if (!err)
		proc_softirqs_free(&ps);
	softirqs_clear(j);
	return rc == -ENOMEM ? rc : 0;
}

static void on_softirqs_record(struct stream_join *j, const struct ht_record *rec)
{
	char vec[32];

	if (ht_record_label(rec, "vec", vec, sizeof(vec)) < 0)
		return;
	for (int v = 0; v < PROC_SOFTIRQ_N; v++)
		if (!strcmp(vec, proc_softirq_name(v)) && rec->value >= 0)
			j->batch_softirqs[v] = rec->value;
}

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct stream_join *j = ctx;

	j->by_subsys[rec->subsys]++;
	if (rec->subsys == HT_SUBSYS_IRQ) {
		if (!strcmp(rec->kind->name, "softirqs"))
			on_softirqs_record(j, rec);
		else if (!strcmp(rec->kind->name, "batch"))
			return on_irq_batch(j, rec->t_ms);
		return 0;
	}
	if (rec->subsys != HT_SUBSYS_SCHED)
		return 0;
	if (!strcmp(rec->kind->name, "switches") && rec->labels[0] == '\0')
		j->batch_switches = rec->value;
	else if (!strcmp(rec->kind->name, "batch"))
		return on_sched_batch(j, rec->t_ms);
	return 0;
}

static int on_error(void *ctx, uint64_t line, const char *msg)
{
	(void)ctx;
	ht_cmd_err("stream", "line %" PRIu64 ": %s", line, msg);
	return 0;
}

/* "softirqs": {"NAME": {"probe", "proc", "coverage_pct", "intervals"}} for
 * the vectors whose figures closed an interval. */
static void print_softirqs_json(struct out_json *oj, const struct ht_merge *m)
{
	out_json_object(oj, "softirqs");
	for (int v = 0; v < PROC_SOFTIRQ_N; v++) {
		struct ht_merge_coverage c;
		char name[32];

		snprintf(name, sizeof(name), "softirq.%s", proc_softirq_name(v));
		if (ht_merge_coverage(m, name, &c) || !c.intervals)
			continue;
		out_json_object(oj, proc_softirq_name(v));
		out_json_count(oj, "probe", c.probe);
		out_json_count(oj, "proc", c.proc);
		out_json_double(oj, "coverage_pct", coverage_pct(c.probe, c.proc));
		out_json_uint(oj, "intervals", c.intervals);
		out_json_end(oj);
	}
	out_json_end(oj);
}

static void print_summary(const struct stream_join *j, const struct ht_stream *s)
{
	struct ht_merge_coverage c = { .probe = 0 };
	int64_t absolute = -1;
	double cov;
	char probe[24], proc[24];

	if (ht_merge_coverage(j->merge, "ctxt", &c) == 0)
		ht_merge_absolute(j->merge, "ctxt", &absolute);
	cov = coverage_pct(c.probe, c.proc);

	if (j->json) {
		struct ht_buf b = { 0 };
		struct out_json oj;

		out_json_init(&oj, &b);
		out_json_object(&oj, NULL);
		out_json_bool(&oj, "summary", 1);
		out_json_uint(&oj, "intervals", c.intervals);
		out_json_uint(&oj, "records", ht_stream_records(s));
		out_json_uint(&oj, "bad_lines", ht_stream_errors(s));
		out_json_count(&oj, "probe_switches", c.probe);
		out_json_count(&oj, "proc_ctxt_delta", c.proc);
		out_json_double(&oj, "coverage_pct", cov);
		out_json_count(&oj, "ctxt_absolute", absolute);
		print_softirqs_json(&oj, j->merge);
		out_json_end(&oj);
		out_json_newline(&oj);
		print_json(&b);
		return;
	}
	printf("total: %" PRIu64 " intervals, probe %s switches, /proc ctxt %s switches, "
	       "coverage ", c.intervals, total_text(probe, sizeof(probe), c.probe),
	       total_text(proc, sizeof(proc), c.proc));
	if (isnan(cov))
		printf("-");
	else
		printf("%.1f%%", cov);
	printf("; %" PRIu64 " records, %" PRIu64 " bad lines\n",
	       ht_stream_records(s), ht_stream_errors(s));
}

static int read_all(int fd, struct ht_stream *s, const char *name)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ht_err("cannot read %s: %s", name, strerror(errno));
			return -1;
		}
		if (n == 0)
			break;
		ht_stream_feed(s, buf, (size_t)n);
	}
	ht_stream_finish(s);
	return 0;
}

static int open_input(const char *file)
{
	int fd;

	if (!file || !strcmp(file, "-"))
		return STDIN_FILENO;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		ht_err("cannot open %s: %s", file, strerror(errno));
	return fd;
}

static int cmd_stream(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "root", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct stream_join j = { .root = "", .batch_switches = -1 };
	struct ht_stream *s = NULL;
	const char *file = NULL;
	int c, fd, err = 1;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'r': j.root = optarg; break;
		case 'j': j.json = 1; break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("stream", "bad option");
		}
	}
	if (optind < argc)
		return ht_usage_error("stream", "unexpected argument '%s'", argv[optind]);
	fd = open_input(file);
	if (fd < 0)
		return 1;
	s = ht_stream_new(on_record, on_error, &j);
	j.merge = ht_merge_new();
	softirqs_clear(&j);
	if (!s || !j.merge) {
		ht_err("out of memory");
		goto cleanup;
	}
	if (!j.json)
		printf("%8s %16s %16s %10s\n", "time(s)", "probe_switches",
		       "proc_ctxt_delta", "coverage");
	if (read_all(fd, s, file ? file : "standard input") == 0)
		err = ht_stream_errors(s) > 0;
	if (!ht_stream_header(s) && ht_stream_records(s) + ht_stream_errors(s) == 0)
		ht_err("no healthtap stream header in the input");
	print_summary(&j, s);
cleanup:
	ht_stream_free(s);
	ht_merge_free(j.merge);
	if (fd > STDIN_FILENO)
		close(fd);
	return err;
}

HT_COMMAND(stream, cmd_stream, "read a health tapset stream, joined with /proc", 90)
