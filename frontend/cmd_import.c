/* healthtap import: load a saved health tapset stream into the history, as
 * the series "probe.<subsys>.<name>" of a host of its own. Bad lines are
 * reported with their numbers; good lines are kept. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
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
		"series probe.<subsystem>.<record> of host NAME. Bad lines are reported\n"
		"with their line numbers and skipped; good lines are kept.\n"
		"\n"
		"  -d, --db FILE       the database (default as healthtap record)\n"
		"      --host NAME     host the records belong to (default: import:FILE's\n"
		"                      base name)\n"
		"      --start MS      wall time (ms since the epoch) of the stream's start;\n"
		"                      default: the header's start_ms when it is wall time\n"
		"                      (module runtime), else FILE's mtime less the stream's\n"
		"                      last timestamp\n"
		"  -q, --quiet         no summary\n"
		"  -h, --help          show this help\n"
		"\n"
		"Example:\n"
		"  stap -o /tmp/s.txt -e 'probe health.* {}'   # elsewhere, then:\n"
		"  healthtap import -d h.db /tmp/s.txt\n"
		"\n"
		"Exit status: 0 all lines loaded, 1 bad lines were skipped or an error,\n"
		"2 usage error.\n");
}

struct importer {
	struct ht_store *st;
	const char *file;
	int64_t base_ms;
	int64_t max_t;
	uint64_t stored, errors;
	int err;
	int scan;			/* first pass: timestamps only */
};

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct importer *im = ctx;
	char name[128];
	int err;

	if (rec->t_ms > im->max_t)
		im->max_t = rec->t_ms;
	if (im->scan || rec->kind->kind == HT_MARK)
		return 0;
	snprintf(name, sizeof(name), "probe.%s.%s", ht_subsys_name(rec->subsys), rec->kind->name);
	err = ht_store_put_sys(im->st, im->base_ms + rec->t_ms, name, rec->labels,
			       rec->kind->unit, (double)rec->value);
	if (err) {
		im->err = err;
		return err;
	}
	im->stored++;
	if (ht_store_pending(im->st) >= FLUSH_EVERY) {
		err = ht_store_flush(im->st, im->base_ms + rec->t_ms);
		if (err) {
			im->err = err;
			return err;
		}
	}
	return 0;
}

static int on_error(void *ctx, uint64_t line, const char *msg)
{
	struct importer *im = ctx;

	if (!im->scan) {
		ht_cmd_err("import", "%s:%" PRIu64 ": %s", im->file, line, msg);
		im->errors++;
	}
	return 0;
}

/* Parses the whole file; returns the stream's return or -errno. */
static int parse_file(struct importer *im, struct ht_stream_header *hdr)
{
	char buf[65536];
	struct ht_stream *s = ht_stream_new(on_record, on_error, im);
	int fd, rc = 0;

	if (!s)
		return -ENOMEM;
	fd = open(im->file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		ht_stream_free(s);
		return rc;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0) {
			rc = ht_stream_finish(s);
			break;
		}
		if ((rc = ht_stream_feed(s, buf, (size_t)n)))
			break;
	}
	if (hdr && ht_stream_header(s))
		*hdr = *ht_stream_header(s);
	close(fd);
	ht_stream_free(s);
	return rc;
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
	struct ht_stream_header hdr = { .start_ms = -1 };
	struct ht_store_opts so;
	const char *db = NULL, *host = NULL;
	char dbbuf[4096], hostbuf[300], errmsg[600], tmp[4096];
	int64_t start_ms = -1;
	int c, quiet = 0, rc = 1, err;
	struct stat sb;

	while ((c = getopt_long(argc, argv, "d:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case O_HOST: host = optarg; break;
		case O_START:
			if (ht_parse_count(optarg, &start_ms))
				return ht_usage_error("import", "bad --start '%s' (ms since the epoch)", optarg);
			break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: return ht_usage_error("import", "bad option");
		}
	}
	if (optind != argc - 1)
		return ht_usage_error("import", optind < argc ? "one FILE only" : "missing FILE");
	im.file = argv[optind];
	if (stat(im.file, &sb) < 0) {
		ht_cmd_err("import", "cannot open %s: %s", im.file, strerror(errno));
		return 1;
	}
	if (!db) {
		const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
		if (geteuid() == 0)
			snprintf(dbbuf, sizeof(dbbuf), "/var/lib/healthtap/healthtap.db");
		else if (xdg && *xdg)
			snprintf(dbbuf, sizeof(dbbuf), "%s/healthtap/healthtap.db", xdg);
		else
			snprintf(dbbuf, sizeof(dbbuf), "%s/.local/state/healthtap/healthtap.db",
				 home ? home : "");
		db = dbbuf;
	}
	if (!host) {
		snprintf(tmp, sizeof(tmp), "%s", im.file);
		snprintf(hostbuf, sizeof(hostbuf), "import:%s", basename(tmp));
		host = hostbuf;
	}

	/* pass 1: the header and the last timestamp, to place the stream */
	im.scan = 1;
	if ((err = parse_file(&im, &hdr)) < 0) {
		ht_cmd_err("import", "cannot read %s: %s", im.file, strerror(-err));
		return 1;
	}
	if (start_ms >= 0)
		im.base_ms = start_ms;
	else if (hdr.start_ms > 1000000000000LL)	/* wall time: module runtime */
		im.base_ms = hdr.start_ms;
	else
		im.base_ms = (int64_t)sb.st_mtime * 1000 - im.max_t;

	ht_store_opts_default(&so);
	so.path = db;
	so.host = host;
	if ((err = ht_store_open(&so, &im.st, errmsg, sizeof(errmsg)))) {
		ht_cmd_err("import", "%s", errmsg);
		return 1;
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
	im.max_t = 0;
	err = parse_file(&im, NULL);
	if (err < 0 && !im.err) {
		ht_cmd_err("import", "cannot read %s: %s", im.file, strerror(-err));
		goto cleanup;
	}
	if (im.err) {
		ht_cmd_err("import", "%s", ht_store_error(im.st));
		goto cleanup;
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
	ht_store_close(im.st);
	return rc;
}

HT_COMMAND(import, cmd_import, "load a saved tapset stream into the history database", 25)
