/* The one JSON writer (git's json-writer.c): every JSON document healthtap
 * prints or serves is written through it, so escaping, UTF-8 validity and
 * number format are decided here only.
 *
 * Rules:
 * - strings: '"', '\\' and control characters (C0, DEL, C1) are escaped
 *   (\n, \t, \u00XX); bytes that are not valid UTF-8 become \ufffd, so the
 *   output is always valid UTF-8 (RFC 8259) and safe on a terminal;
 *   a NULL string is null;
 * - integers are printed as integers; out_json_count() takes a -1 (any
 *   negative) sentinel as unknown: null;
 * - doubles: the shortest text that reads back exactly (fmt_exact()),
 *   integral values as integers; NAN and infinities are null.
 *
 * The writer appends to a caller's ht_buf and puts the commas itself. key
 * is the member name inside an object, NULL inside an array or at the top.
 *
 *	struct ht_buf b = { 0 };
 *	struct out_json j;
 *	out_json_init(&j, &b);
 *	out_json_object(&j, NULL);
 *	out_json_int(&j, "pid", 42);
 *	out_json_array(&j, "rss");
 *	out_json_double(&j, NULL, 1.5);
 *	out_json_end(&j);
 *	out_json_end(&j);	// {"pid":42,"rss":[1.5]}
 */
#ifndef OUT_JSON_H
#define OUT_JSON_H

#include <stdint.h>
#include "out.h"

enum { OUT_JSON_MAX_DEPTH = 64 };

struct out_json {
	struct ht_buf *buf;
	unsigned depth;
	uint64_t filled;	/* bit d: the container at depth d has a member */
	uint64_t arrays;	/* bit d: the container at depth d is an array */
};

void out_json_init(struct out_json *j, struct ht_buf *buf);

/* Opens an object or an array; out_json_end() closes the innermost. */
void out_json_object(struct out_json *j, const char *key);
void out_json_array(struct out_json *j, const char *key);
void out_json_end(struct out_json *j);

void out_json_str(struct out_json *j, const char *key, const char *s);
void out_json_int(struct out_json *j, const char *key, int64_t v);
void out_json_uint(struct out_json *j, const char *key, uint64_t v);
void out_json_count(struct out_json *j, const char *key, int64_t v);
void out_json_double(struct out_json *j, const char *key, double v);
void out_json_bool(struct out_json *j, const char *key, int v);
void out_json_null(struct out_json *j, const char *key);

/* A line break between values, for documents read by people too (one
 * array element a line); JSON ignores it. */
void out_json_newline(struct out_json *j);

/* The string rule above, for one string appended to b with its quotes. */
void out_json_string(struct ht_buf *b, const char *s);

#endif
