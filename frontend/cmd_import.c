/* healthtap import: load a saved health tapset stream into the history, as
 * the series "probe.<subsys>.<name>" of a host of its own. Bad lines are
 * reported with their numbers; good lines are kept. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "ht_counter.h"
#include "ht_store.h"
#include "ht_stream.h"

#define FLUSH_EVERY 20000

static void usage(FILE *out)
{
	fprintf(out,
		"usage: healthtap import [-d DB] [--host NAME] [--start TIME_MS] FILE\n"
		"\n"
		"Loads a health tapset stream saved to FILE (for example with\n"
		"stap -o FILE on another host) into the history database, as the\n"
		"series probe.<subsystem>.<record> of host NAME. FILE may be a pipe or\n"
		"a FIFO ('-' or /dev/stdin: standard input). Bad lines are reported\n"
		"with their line numbers and skipped; good lines are kept. Bad lines\n"
		"include a t_ms that goes back in time, lies more than 10 years into\n"
		"the stream or places the record in the future. One stream per FILE: a\n"
		"second header ends the import there (exit 1).\n"
		"\n"
		"  -d, --db FILE       the database (default as healthtap record)\n"
		"      --host NAME     host the records belong to (default: import:FILE's\n"
		"                      base name)\n"
		"      --start MS      wall time (ms since the epoch) of the stream's start;\n"
		"                      default: the header's start_ms when it is wall time\n"
		"                      (module runtime), else FILE's mtime (a pipe: the time\n"
		"                      it ended) less the stream's last timestamp\n"
		"  -q, --quiet         no summary\n"
		"  -h, --help          show this help\n"
		"\n"
		"Example:\n"
		"  stap -o /tmp/s.txt -e 'probe health.* {}'   # elsewhere, then:\n"
		"  healthtap import -d h.db /tmp/s.txt\n"
		"  ssh far cat /tmp/s.txt | healthtap import -d h.db --host far -\n"
		"\n"
		"Exit status: 0 all lines loaded, 1 bad lines were skipped or an error,\n"
		"2 usage error.\n");
}

#define MAX_STREAM_MS (3650 * 86400 * 1000LL)	/* 10 years into a stream */
#define FUTURE_SLACK_MS (86400 * 1000LL)	/* clocks a day apart */
#define STOP_SECOND_HEADER 1

struct importer {
	struct ht_store *st;
	struct ht_stream *stream;
	const char *file;
	int64_t base_ms;		/* wall ms of stream time 0 */
	int64_t last_t, max_t;		/* t_ms accepted: the latest, the largest */
	int64_t future_ms;		/* records after this wall time are bad */
	uint64_t header_line;		/* the stream's header; 0 none yet */
	struct ht_stream_header header;	/* that header */
	uint64_t second_header;		/* a second header's line; 0 none */
	uint64_t stored, errors;
	int err;
	int scan;			/* first pass: times only */
};

static void bad_line(struct importer *im, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Bad lines are reported in the second pass only (both see the same). */
static void bad_line(struct importer *im, uint64_t line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (im->scan)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ht_cmd_err("import", "%s:%" PRIu64 ": %s", im->file, line, msg);
	im->errors++;
}

/* A record's time must go forward, stay within 10 years of the stream's
 * start and, once placed, not lie in the future. Returns 1 to keep it. */
static int time_ok(struct importer *im, const struct ht_record *rec)
{
	if (rec->t_ms > MAX_STREAM_MS) {
		bad_line(im, rec->line, "t_ms %" PRId64 " is more than 10 years into the stream",
			 rec->t_ms);
		return 0;
	}
	if (rec->t_ms < im->last_t) {
		bad_line(im, rec->line, "t_ms %" PRId64 " goes back in time (after %" PRId64 ")",
			 rec->t_ms, im->last_t);
		return 0;
	}
	if (!im->scan && im->base_ms + rec->t_ms > im->future_ms) {
		bad_line(im, rec->line, "t_ms %" PRId64 " places the record in the future "
			 "(a wrong --start or start_ms?)", rec->t_ms);
		return 0;
	}
	im->last_t = rec->t_ms;
	if (rec->t_ms > im->max_t)
		im->max_t = rec->t_ms;
	return 1;
}

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct importer *im = ctx;
	const struct ht_stream_header *h = ht_stream_header(im->stream);
	char name[128];
	int err;

	/* one stream per import: a second one's times start over */
	if (im->header_line && h->line != im->header_line) {
		im->second_header = h->line;
		return STOP_SECOND_HEADER;
	}
	if (!im->header_line)
		im->header = *h;
	im->header_line = h->line;
	if (!time_ok(im, rec) || im->scan || rec->kind->kind == HT_MARK)
		return 0;
	snprintf(name, sizeof(name), "probe.%s.%s", ht_subsys_name(rec->subsys), rec->kind->name);
	err = ht_store_put_sys(im->st, im->base_ms + rec->t_ms, name, rec->labels,
			       rec->kind->unit, (double)rec->value);
	if (!err && ht_store_pending(im->st) >= FLUSH_EVERY)
		err = ht_store_flush(im->st, im->base_ms + rec->t_ms);
	if (err) {
		im->err = err;
		return err;
	}
	im->stored++;
	return 0;
}

static int on_error(void *ctx, uint64_t line, const char *msg)
{
	bad_line(ctx, line, "%s", msg);
	return 0;
}

/* One pass over fd from its start; with copy >= 0, what is read is also
 * written there (a pipe is read once). Returns 0, STOP_SECOND_HEADER, a
 * store error or -errno. */
static int parse_pass(struct importer *im, int fd, int copy, struct ht_stream_header *hdr)
{
	char buf[65536];
	int rc = 0;

	im->stream = ht_stream_new(on_record, on_error, im);
	if (!im->stream)
		return -ENOMEM;
	im->last_t = im->max_t = 0;
	im->header_line = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0) {
			rc = ht_stream_finish(im->stream);
			break;
		}
		if (copy >= 0 && write(copy, buf, (size_t)n) != n) {
			rc = errno ? -errno : -EIO;
			break;
		}
		if ((rc = ht_stream_feed(im->stream, buf, (size_t)n)))
			break;
	}
	/* the header of the records read; a header alone counts too */
	if (hdr && im->header_line)
		*hdr = im->header;
	else if (hdr && ht_stream_header(im->stream))
		*hdr = *ht_stream_header(im->stream);
	ht_stream_free(im->stream);
	im->stream = NULL;
	return rc;
}

/* The input, read twice: a regular file from its start again, anything
 * else (a pipe, a FIFO, /dev/stdin) from a copy made in the first pass. */
struct input {
	int fd, copy;
	int regular;
	int64_t end_wall_ms;		/* when it was read to its end */
	struct stat sb;
};

static int open_input(const char *file, struct input *in)
{
	FILE *tmp;

	in->copy = -1;
	in->fd = !strcmp(file, "-") ? dup(0) : open(file, O_RDONLY | O_CLOEXEC);
	if (in->fd < 0 || fstat(in->fd, &in->sb) < 0)
		return -errno;
	in->regular = S_ISREG(in->sb.st_mode);
	if (in->regular)
		return 0;
	tmp = tmpfile();
	if (!tmp)
		return -errno;
	in->copy = dup(fileno(tmp));
	fclose(tmp);
	return in->copy < 0 ? -errno : 0;
}

static int rewind_input(struct input *in)
{
	int fd = in->regular ? in->fd : in->copy;

	return lseek(fd, 0, SEEK_SET) < 0 ? -errno : fd;
}

static void close_input(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	if (in->copy >= 0)
		close(in->copy);
}

/* Wall time of stream time 0: --start, else a wall-clock start_ms (module
 * runtime), else the input's end less the stream's last time (a file's
 * mtime; for a pipe, when it ended). */
static int place_stream(struct importer *im, const struct input *in,
			const struct ht_stream_header *hdr, int64_t start_ms)
{
	int64_t now = ht_wall_ms();

	im->future_ms = now + FUTURE_SLACK_MS;
	if (start_ms >= 0) {
		im->base_ms = start_ms;
	} else if (hdr->start_ms > 1000000000000LL) {	/* wall time: module runtime */
		if (hdr->start_ms > im->future_ms) {
			ht_cmd_err("import", "%s: the header's start_ms %" PRId64 " is in the future;"
				   " give the stream's start with --start", im->file, hdr->start_ms);
			return -EINVAL;
		}
		im->base_ms = hdr->start_ms;
	} else {
		im->base_ms = (in->regular ? (int64_t)in->sb.st_mtime * 1000 : in->end_wall_ms) -
			      im->max_t;
	}
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	enum { O_HOST = 256, O_START };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "host", required_argument, NULL, O_HOST },
		{ "start", required_argument, NULL, O_START },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct importer im = { 0 };
	struct ht_stream_header hdr = { .start_ms = -1, .interval_ms = -1 };
	struct input in = { .fd = -1, .copy = -1 };
	struct ht_store_opts so;
	const char *db = NULL, *host = NULL;
	char dbbuf[4096], hostbuf[300], errmsg[600], tmp[4096];
	int64_t start_ms = -1;
	int c, quiet = 0, rc = 1, err;

	while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!*optarg)
				return ht_usage_error("import", "-d takes a file name, not ''");
			db = optarg;
			break;
		case O_HOST: host = optarg; break;
		case O_START:
			if ((rc = ht_opt_count("import", "--start", optarg, 0,
					       ht_wall_ms() + FUTURE_SLACK_MS, &start_ms)))
				return rc;
			rc = 1;
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("import", "bad option");
		}
	}
	if (optind != argc - 1)
		return ht_usage_error("import", optind < argc ? "one FILE only" : "missing FILE");
	im.file = argv[optind];
	if (!db) {
		if (ht_default_db_path(dbbuf, sizeof(dbbuf))) {
			ht_cmd_err("import", "no default database path: set XDG_STATE_HOME or HOME, or use -d");
			return 1;
		}
		db = dbbuf;
	}
	if (!host) {
		snprintf(tmp, sizeof(tmp), "%s", im.file);
		snprintf(hostbuf, sizeof(hostbuf), "import:%s", basename(tmp));
		host = hostbuf;
	}
	if ((err = open_input(im.file, &in))) {
		ht_cmd_err("import", "cannot open %s: %s", im.file, strerror(-err));
		goto cleanup;
	}

	/* pass 1: the header and the last time, to place the stream */
	im.scan = 1;
	err = parse_pass(&im, in.fd, in.copy, &hdr);
	in.end_wall_ms = ht_wall_ms();
	if (err < 0) {
		ht_cmd_err("import", "cannot read %s: %s", im.file, strerror(-err));
		goto cleanup;
	}
	if (place_stream(&im, &in, &hdr, start_ms))
		goto cleanup;

	ht_store_opts_default(&so);
	so.path = db;
	so.host = host;
	if ((err = ht_store_open(&so, &im.st, errmsg, sizeof(errmsg)))) {
		ht_cmd_err("import", "%s", errmsg);
		goto cleanup;
	}
	if ((err = ht_store_session_begin(im.st, im.base_ms, hdr.interval_ms, "import",
					  "not in the imported stream"))) {
		ht_cmd_err("import", "%s", ht_store_error(im.st));
		goto cleanup;
	}
	snprintf(tmp, sizeof(tmp), "imported %s (runtime %s)", im.file,
		 hdr.runtime[0] ? hdr.runtime : "unknown");
	ht_store_put_event(im.st, im.base_ms, "note", tmp);

	/* pass 2: store */
	im.scan = 0;
	if ((err = rewind_input(&in)) >= 0)
		err = parse_pass(&im, err, -1, NULL);
	if (im.err) {
		ht_cmd_err("import", "cannot store %s: %s", im.file, ht_store_error(im.st)[0] ?
			   ht_store_error(im.st) : strerror(-im.err));
		goto cleanup;
	}
	if (err < 0) {
		ht_cmd_err("import", "cannot read %s: %s", im.file, strerror(-err));
		goto cleanup;
	}
	if (im.second_header) {
		ht_cmd_err("import", "%s:%" PRIu64 ": a second stream header: one stream per import;"
			   " the lines from here on were not imported (split the file here)",
			   im.file, im.second_header);
		im.errors++;
	}
	ht_store_session_end(im.st, im.base_ms + im.max_t, "end of stream");
	if ((err = ht_store_flush(im.st, im.base_ms + im.max_t))) {
		ht_cmd_err("import", "%s", ht_store_error(im.st));
		goto cleanup;
	}
	if (!quiet)
		printf("imported %" PRIu64 " records from %s into %s (host %s), %" PRIu64
		       " bad lines skipped\n", im.stored, im.file, db, host, im.errors);
	rc = im.errors > 0;
cleanup:
	close_input(&in);
	ht_store_close(im.st);
	return rc;
}

HT_COMMAND(import, cmd_import, "load a saved tapset stream into the history database", 25)
