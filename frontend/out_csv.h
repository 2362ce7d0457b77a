/* The one CSV writer (RFC 4180): leaks --format csv and report's trends.csv.
 *
 * Rules:
 * - text fields are always quoted, quotes doubled; their text goes through
 *   fmt_visible(), so control characters (a newline too) and bytes that
 *   are not valid UTF-8 are written as \xNN: every record is one line of
 *   valid UTF-8, safe on a terminal;
 * - integers as integers, doubles as the shortest text that reads back
 *   exactly (fmt_exact()), infinities as inf and -inf;
 * - unknown (NAN, a negative out_csv_count()) is an empty field;
 * - records end with "\n" (RFC 4180 says CRLF; every reader takes LF).
 *
 * The writer appends to a caller's ht_buf and puts the commas itself. */
#ifndef OUT_CSV_H
#define OUT_CSV_H

#include <stdint.h>
#include "out.h"

struct out_csv {
	struct ht_buf *buf;
	size_t field;		/* fields written in the current record */
};

void out_csv_init(struct out_csv *c, struct ht_buf *buf);

void out_csv_str(struct out_csv *c, const char *s);
/* A field of our own words (a header, an enum name): written as it is. */
void out_csv_word(struct out_csv *c, const char *s);
void out_csv_int(struct out_csv *c, int64_t v);
void out_csv_count(struct out_csv *c, int64_t v);
void out_csv_double(struct out_csv *c, double v);
void out_csv_empty(struct out_csv *c);
void out_csv_end(struct out_csv *c);

#endif
