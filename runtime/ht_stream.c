/* Incremental, tolerant parser for the tapset record stream. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_stream.h"

struct ht_stream {
	ht_record_fn on_record;
	ht_stream_error_fn on_error;
	void *ctx;
	char line[HT_PROTO_MAX_LINE + 1];
	size_t len;
	int overlong;			/* dropping the rest of a too-long line */
	uint64_t lineno;
	int have_header;
	struct ht_stream_header header;
	uint64_t records;
	uint64_t errors;
};

struct ht_stream *ht_stream_new(ht_record_fn on_record,
				ht_stream_error_fn on_error, void *ctx)
{
	struct ht_stream *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->on_record = on_record;
	s->on_error = on_error;
	s->ctx = ctx;
	return s;
}

void ht_stream_free(struct ht_stream *s)
{
	free(s);
}

static int report(struct ht_stream *s, const char *fmt, const char *arg)
{
	char msg[160];

	s->errors++;
	if (!s->on_error)
		return 0;
	snprintf(msg, sizeof(msg), fmt, arg);
	return s->on_error(s->ctx, s->lineno, msg);
}

/* Cuts the next space-separated token from *p. Returns its length, 0 at end. */
static size_t next_token(const char **p, const char **tok)
{
	const char *q = *p;
	size_t n;

	while (*q == ' ' || *q == '\t')
		q++;
	*tok = q;
	n = strcspn(q, " \t");
	*p = q + n;
	return n;
}

static int parse_int(const char *tok, size_t len, int64_t *out)
{
	char buf[24], *end;
	long long v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "#healthtap v=1 runtime=bpf start_ms=N interval_ms=N" */
static int parse_header(struct ht_stream *s, const char *line)
{
	struct ht_stream_header h = { .version = -1, .start_ms = -1,
				      .interval_ms = -1 };
	const char *p = line + strlen(HT_PROTO_MAGIC), *tok;
	size_t n;
	int64_t v;

	while ((n = next_token(&p, &tok)) > 0) {
		if (n > 2 && !strncmp(tok, "v=", 2) && !parse_int(tok + 2, n - 2, &v))
			h.version = (int)v;
		else if (n > 8 && !strncmp(tok, "runtime=", 8))
			snprintf(h.runtime, sizeof(h.runtime), "%.*s", (int)(n - 8), tok + 8);
		else if (n > 9 && !strncmp(tok, "start_ms=", 9))
			parse_int(tok + 9, n - 9, &h.start_ms);
		else if (n > 12 && !strncmp(tok, "interval_ms=", 12))
			parse_int(tok + 12, n - 12, &h.interval_ms);
	}
	if (h.version != HT_PROTO_VERSION) {
		char ver[16];
		snprintf(ver, sizeof(ver), "%d", h.version);
		return report(s, "unsupported protocol version %s (this reader speaks v=1)", ver);
	}
	h.line = s->lineno;
	s->header = h;
	s->have_header = 1;
	return 0;
}

static int parse_record(struct ht_stream *s, const char *line)
{
	struct ht_record rec = { .line = s->lineno };
	const char *p = line, *tok;
	size_t n;
	int sub;

	n = next_token(&p, &tok);
	if (parse_int(tok, n, &rec.t_ms) || rec.t_ms < 0)
		return report(s, "bad timestamp in record%s", "");
	n = next_token(&p, &tok);
	sub = ht_subsys_lookup(tok, n);
	if (sub < 0)
		return report(s, "unknown subsystem '%s'", n ? tok : "");
	rec.subsys = sub;
	n = next_token(&p, &tok);
	rec.kind = ht_record_kind_lookup(rec.subsys, tok, n);
	if (!rec.kind)
		return report(s, "unknown record type in '%s'", line);
	n = next_token(&p, &tok);
	if (parse_int(tok, n, &rec.value))
		return report(s, "bad value in '%s'", line);
	while (*p == ' ' || *p == '\t')
		p++;
	rec.labels = p;
	s->records++;
	return s->on_record ? s->on_record(s->ctx, &rec) : 0;
}

static int parse_line(struct ht_stream *s, char *line)
{
	size_t len = strlen(line);

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (!strncmp(line, HT_PROTO_MAGIC, strlen(HT_PROTO_MAGIC)) &&
	    (line[strlen(HT_PROTO_MAGIC)] == ' ' || !line[strlen(HT_PROTO_MAGIC)]))
		return parse_header(s, line);
	if (line[0] == '#' || len == 0)
		return 0;
	if (!s->have_header)
		return report(s, "record before the stream header%s", "");
	return parse_record(s, line);
}

static int end_line(struct ht_stream *s)
{
	int err = 0;

	s->lineno++;
	if (s->overlong)
		err = report(s, "line longer than %s bytes, skipped", "1024");
	else if (memchr(s->line, '\0', s->len))
		err = report(s, "NUL byte in line, skipped%s", "");
	else {
		s->line[s->len] = '\0';
		err = parse_line(s, s->line);
	}
	s->len = 0;
	s->overlong = 0;
	return err;
}

int ht_stream_feed(struct ht_stream *s, const char *buf, size_t len)
{
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t take = nl ? (size_t)(nl - buf) : len;
		int err;

		if (!s->overlong && s->len + take <= HT_PROTO_MAX_LINE) {
			memcpy(s->line + s->len, buf, take);
			s->len += take;
		} else {
			s->overlong = 1;
		}
		if (!nl)
			return 0;
		err = end_line(s);
		buf += take + 1;
		len -= take + 1;
		if (err)
			return err;
	}
	return 0;
}

int ht_stream_finish(struct ht_stream *s)
{
	if (s->len == 0 && !s->overlong)
		return 0;
	return end_line(s);
}

const struct ht_stream_header *ht_stream_header(const struct ht_stream *s)
{
	return s->have_header ? &s->header : NULL;
}

uint64_t ht_stream_records(const struct ht_stream *s)
{
	return s->records;
}

uint64_t ht_stream_errors(const struct ht_stream *s)
{
	return s->errors;
}

/* Finds "key=" at a label boundary in labels. */
static const char *find_label(const char *labels, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = labels; *p; ) {
		if (!strncmp(p, key, klen) && p[klen] == '=')
			return p + klen + 1;
		if (!strncmp(p, "comm=", 5))
			return NULL;	/* comm is last and may hold spaces */
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	return NULL;
}

int ht_record_label(const struct ht_record *rec, const char *key,
		    char *buf, size_t size)
{
	const char *v = find_label(rec->labels, key);
	size_t n;

	if (!v)
		return -ENOENT;
	n = strcmp(key, "comm") ? strcspn(v, " ") : strlen(v);
	if (size)
		snprintf(buf, size, "%.*s", (int)n, v);
	return (int)n;
}

int ht_record_label_int(const struct ht_record *rec, const char *key,
			int64_t *out)
{
	char buf[24];
	int n = ht_record_label(rec, key, buf, sizeof(buf));

	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(buf))
		return -EINVAL;
	return parse_int(buf, n, out);
}
