/* A growable output buffer for the serve renderers, and the escaping rules
 * of the formats they write (Prometheus/OpenMetrics label values, JSON
 * strings).
 *
 * A buffer starts empty ({0}); every append grows it. An allocation failure
 * sets ->failed, after which appends do nothing, so a renderer checks once at
 * the end. The caller owns ->data: take it with serve_buf_take() (then free()
 * it) or drop it with serve_buf_free(). */
#ifndef SERVE_BUF_H
#define SERVE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct serve_buf {
	char *data;		/* NUL-terminated while len > 0 */
	size_t len, cap;
	size_t max;		/* 0: no bound; else appends past it fail */
	int failed;		/* ENOMEM or the bound was hit */
};

void serve_buf_free(struct serve_buf *b);

/* Hands the bytes to the caller (who free()s them) and empties b. Returns
 * NULL when the buffer failed (b is then freed) or holds nothing. */
char *serve_buf_take(struct serve_buf *b, size_t *len);

void serve_buf_add(struct serve_buf *b, const char *s, size_t n);
void serve_buf_puts(struct serve_buf *b, const char *s);
void serve_buf_printf(struct serve_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A float the way Prometheus writes one: "NaN", "+Inf", "-Inf", else the
 * shortest %.17g-exact text ("%.15g" when that round-trips). */
void serve_buf_prom_double(struct serve_buf *b, double v);

/* A label value or HELP text for the Prometheus text format and OpenMetrics:
 * backslash, double quote (label values only) and newline escaped; bytes
 * that are not valid UTF-8 become U+FFFD, so the output always is.
 * quote != 0 escapes '"' (label values). */
void serve_buf_prom_escape(struct serve_buf *b, const char *s, int quote);

/* A JSON string with its quotes: control characters as \u00XX, invalid
 * UTF-8 as \ufffd. NULL gives null. */
void serve_buf_json_str(struct serve_buf *b, const char *s);

/* A JSON number; NAN and infinities give null. */
void serve_buf_json_double(struct serve_buf *b, double v);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (overlong, surrogate, truncated, > U+10FFFF). n: bytes left. */
size_t serve_utf8_len(const unsigned char *s, size_t n);

#endif
