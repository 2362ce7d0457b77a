/* Stream parser: framing, tolerance, labels, split reads. */
#include <errno.h>
#include <stdlib.h>
#include "ht_stream.h"
#include "ht_test.h"

struct seen {
	int records, errors;
	int64_t last_value;
	uint64_t last_error_line;
	char last_error[160];
	char comm[64];
	int64_t pid;
};

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct seen *s = ctx;

	s->records++;
	s->last_value = rec->value;
	if (ht_record_label(rec, "comm", s->comm, sizeof(s->comm)) < 0)
		s->comm[0] = '\0';
	if (ht_record_label_int(rec, "pid", &s->pid))
		s->pid = -1;
	return 0;
}

static int on_error(void *ctx, uint64_t line, const char *msg)
{
	struct seen *s = ctx;

	s->errors++;
	s->last_error_line = line;
	snprintf(s->last_error, sizeof(s->last_error), "%s", msg);
	return 0;
}

static struct seen parse(const char *text, size_t chunk)
{
	struct seen s = { 0 };
	struct ht_stream *st = ht_stream_new(on_record, on_error, &s);
	size_t len = strlen(text);

	for (size_t off = 0; off < len; off += chunk)
		ht_stream_feed(st, text + off, len - off < chunk ? len - off : chunk);
	ht_stream_finish(st);
	ht_stream_free(st);
	return s;
}

static const char good[] =
	"#healthtap v=1 runtime=bpf start_ms=18645440 interval_ms=1000\n"
	"1000 sched switches 1647\n"
	"1000 sched proc_switches 12 pid=42 comm=a) b\n"
	"1000 sched batch 1\n";

static void test_good_stream_every_split(void)
{
	for (size_t chunk = 1; chunk <= sizeof(good); chunk++) {
		struct seen s = parse(good, chunk);
		CHECK_INT(s.records, 3);
		CHECK_INT(s.errors, 0);
	}
}

static void test_comm_with_spaces_is_last_label(void)
{
	struct seen s = parse("#healthtap v=1\n5 sched proc_switches 7 pid=9 comm=a) b  c\n", 64);

	CHECK_STR(s.comm, "a) b  c");
	CHECK_INT(s.pid, 9);
}

static void test_header_fields(void)
{
	struct ht_stream *st = ht_stream_new(NULL, NULL, NULL);
	const struct ht_stream_header *h;

	ht_stream_feed(st, good, strlen(good));
	h = ht_stream_header(st);
	CHECK(h != NULL);
	if (h) {
		CHECK_INT(h->version, 1);
		CHECK_STR(h->runtime, "bpf");
		CHECK_INT(h->start_ms, 18645440);
		CHECK_INT(h->interval_ms, 1000);
	}
	CHECK_INT(ht_stream_records(st), 3);
	ht_stream_free(st);
}

static void test_garbage_reports_line_and_goes_on(void)
{
	struct seen s = parse("#healthtap v=1\n"
			      "1000 sched switches 5\n"
			      "garbage here\n"
			      "1000 sched nosuchrecord 5\n"
			      "1000 nosuchsubsys switches 5\n"
			      "1000 sched switches notanumber\n"
			      "2000 sched switches 6\n", 7);

	CHECK_INT(s.records, 2);
	CHECK_INT(s.errors, 4);
	CHECK_INT(s.last_error_line, 6);
	CHECK_INT(s.last_value, 6);
}

static void test_version_mismatch_is_an_error(void)
{
	struct seen s = parse("#healthtap v=2\n1 sched switches 1\n", 100);

	CHECK_INT(s.errors, 2);	/* the header, then the headerless record */
	CHECK(strstr(s.last_error, "before the stream header") != NULL);
}

static void test_record_before_header(void)
{
	struct seen s = parse("1 sched switches 1\n", 100);

	CHECK_INT(s.records, 0);
	CHECK_INT(s.errors, 1);
	CHECK_INT(s.last_error_line, 1);
}

static void test_overlong_line_and_nul(void)
{
	size_t n = 5000;
	char *text = malloc(n + 64);

	strcpy(text, "#healthtap v=1\n");
	memset(text + 15, 'x', n);
	strcpy(text + 15 + n, "\n1 sched switches 3\n");
	struct seen s = parse(text, 333);
	CHECK_INT(s.errors, 1);
	CHECK_INT(s.records, 1);
	CHECK_INT(s.last_error_line, 2);
	free(text);

	struct ht_stream *st;
	struct seen s2 = { 0 };
	st = ht_stream_new(on_record, on_error, &s2);
	ht_stream_feed(st, "#healthtap v=1\n1 sched sw\0tches 3\n", 34);
	ht_stream_free(st);
	CHECK_INT(s2.errors, 1);
	CHECK_INT(s2.records, 0);
}

static void test_missing_newline_at_end(void)
{
	struct seen s = parse("#healthtap v=1\r\n1 sched switches 3\r\n2 sched switches 4", 5);

	CHECK_INT(s.records, 2);
	CHECK_INT(s.last_value, 4);
	CHECK_INT(s.errors, 0);
}

static int stop_at_first(void *ctx, const struct ht_record *rec)
{
	(void)ctx;
	(void)rec;
	return 42;
}

/* health.alloc's records, as the tapset prints them on bpf (%p sites). */
static void test_alloc_records(void)
{
	struct seen s = parse("#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000\n"
			      "1001 alloc sample 1\n"
			      "1001 alloc outstanding 5000000000\n"
			      "1001 alloc site_bytes 1000000 site=0x5646c9fcb1b1\n"
			      "1001 alloc site_blocks 1000 site=0x5646c9fcb1b1\n"
			      "1001 alloc table 1\n"
			      "1001 alloc site_rate 1 site=0x1\n"
			      "1001 alloc batch 1\n", 7);

	CHECK_INT(s.records, 6);
	CHECK_INT(s.errors, 1);
	CHECK_INT(s.last_error_line, 7);
}

static void test_callback_stops_feed(void)
{
	struct ht_stream *st = ht_stream_new(stop_at_first, NULL, NULL);

	CHECK_INT(ht_stream_feed(st, good, strlen(good)), 42);
	ht_stream_free(st);
}

int main(void)
{
	test_good_stream_every_split();
	test_comm_with_spaces_is_last_label();
	test_header_fields();
	test_garbage_reports_line_and_goes_on();
	test_version_mismatch_is_an_error();
	test_record_before_header();
	test_overlong_line_and_nul();
	test_missing_newline_at_end();
	test_callback_stops_feed();
	test_alloc_records();
	return ht_test_done("test_stream");
}
