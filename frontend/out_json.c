/* The JSON writer (see out_json.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "out_json.h"

void out_json_init(struct out_json *j, struct ht_buf *buf)
{
	j->buf = buf;
	j->depth = 0;
	j->filled = j->arrays = 0;
}

void out_json_string(struct ht_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s) {
		ht_buf_puts(b, "null");
		return;
	}
	n = strlen(s);
	ht_buf_putc(b, '"');
	while (n > 0) {
		size_t run = 0, l;

		/* copy the longest stretch that needs no escape at once */
		while (run < n && p[run] != '"' && p[run] != '\\' &&
		       (l = fmt_plain_len(p + run, n - run)))
			run += l;
		ht_buf_add(b, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		if (*p == '"') {
			ht_buf_add(b, "\\\"", 2);
		} else if (*p == '\\') {
			ht_buf_add(b, "\\\\", 2);
		} else if (*p == '\n') {
			ht_buf_add(b, "\\n", 2);
		} else if (*p == '\t') {
			ht_buf_add(b, "\\t", 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			ht_buf_printf(b, "\\u%04x", *p);
		} else if (fmt_utf8_len(p, n) == 2) {	/* a C1 control, U+0080-U+009F */
			ht_buf_printf(b, "\\u%04x", p[1]);
			p++;
			n--;
		} else {
			ht_buf_add(b, "\\ufffd", 6);
		}
		p++;
		n--;
	}
	ht_buf_putc(b, '"');
}

/* The comma before a value and its key, if any. */
static void member(struct out_json *j, const char *key)
{
	uint64_t bit = j->depth < OUT_JSON_MAX_DEPTH ? UINT64_C(1) << j->depth : 0;

	if (j->filled & bit)
		ht_buf_putc(j->buf, ',');
	j->filled |= bit;
	if (key) {
		out_json_string(j->buf, key);
		ht_buf_putc(j->buf, ':');
	}
}

static void open_container(struct out_json *j, const char *key, char c)
{
	member(j, key);
	ht_buf_putc(j->buf, c);
	j->depth++;
	if (j->depth < OUT_JSON_MAX_DEPTH) {
		uint64_t bit = UINT64_C(1) << j->depth;
		j->filled &= ~bit;
		j->arrays = c == '[' ? j->arrays | bit : j->arrays & ~bit;
	}
}

void out_json_object(struct out_json *j, const char *key)
{
	open_container(j, key, '{');
}

void out_json_array(struct out_json *j, const char *key)
{
	open_container(j, key, '[');
}

void out_json_end(struct out_json *j)
{
	if (j->depth == 0)
		return;
	/* past the depth limit the nesting is not tracked: a caller's bug */
	ht_buf_putc(j->buf, j->depth < OUT_JSON_MAX_DEPTH &&
			    (j->arrays >> j->depth & 1) ? ']' : '}');
	j->depth--;
}

void out_json_str(struct out_json *j, const char *key, const char *s)
{
	member(j, key);
	out_json_string(j->buf, s);
}

void out_json_int(struct out_json *j, const char *key, int64_t v)
{
	member(j, key);
	ht_buf_printf(j->buf, "%" PRId64, v);
}

void out_json_uint(struct out_json *j, const char *key, uint64_t v)
{
	member(j, key);
	ht_buf_printf(j->buf, "%" PRIu64, v);
}

void out_json_count(struct out_json *j, const char *key, int64_t v)
{
	if (v < 0)
		out_json_null(j, key);
	else
		out_json_int(j, key, v);
}

void out_json_double(struct out_json *j, const char *key, double v)
{
	char txt[40];

	member(j, key);
	ht_buf_puts(j->buf, isfinite(v) ? fmt_exact(txt, sizeof(txt), v) : "null");
}

void out_json_bool(struct out_json *j, const char *key, int v)
{
	member(j, key);
	ht_buf_puts(j->buf, v ? "true" : "false");
}

void out_json_null(struct out_json *j, const char *key)
{
	member(j, key);
	ht_buf_puts(j->buf, "null");
}

void out_json_newline(struct out_json *j)
{
	ht_buf_putc(j->buf, '\n');
}
