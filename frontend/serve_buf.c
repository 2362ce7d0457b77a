#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "serve_buf.h"

void serve_buf_free(struct serve_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *serve_buf_take(struct serve_buf *b, size_t *len)
{
	char *d = b->data;

	if (b->failed || !d) {
		serve_buf_free(b);
		*len = 0;
		return NULL;
	}
	*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

static int reserve(struct serve_buf *b, size_t extra)
{
	size_t want, cap;
	char *d;

	if (b->failed)
		return -1;
	if (extra > SIZE_MAX / 2 - b->len - 1 || (b->max && b->len + extra > b->max)) {
		b->failed = 1;
		return -1;
	}
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < want)
		cap *= 2;
	d = realloc(b->data, cap);
	if (!d) {
		b->failed = 1;
		return -1;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

void serve_buf_add(struct serve_buf *b, const char *s, size_t n)
{
	if (reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void serve_buf_puts(struct serve_buf *b, const char *s)
{
	serve_buf_add(b, s, strlen(s));
}

void serve_buf_printf(struct serve_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		serve_buf_add(b, small, (size_t)n);
		return;
	}
	if (reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void serve_buf_prom_double(struct serve_buf *b, double v)
{
	char txt[40];

	if (isnan(v)) {
		serve_buf_puts(b, "NaN");
		return;
	}
	if (isinf(v)) {
		serve_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == (double)(int64_t)v && fabs(v) < 9e15) {
		serve_buf_printf(b, "%lld", (long long)v);
		return;
	}
	snprintf(txt, sizeof(txt), "%.15g", v);
	if (strtod(txt, NULL) != v)
		snprintf(txt, sizeof(txt), "%.17g", v);
	serve_buf_puts(b, txt);
}

size_t serve_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void serve_buf_prom_escape(struct serve_buf *b, const char *s, int quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0) {
		size_t run = 0, l;

		/* Copy the longest stretch that needs no escaping at once. */
		while (run < n && p[run] != '\\' && p[run] != '\n' &&
		       !(quote && p[run] == '"') && (l = serve_utf8_len(p + run, n - run)))
			run += l;
		serve_buf_add(b, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		if (*p == '\\')
			serve_buf_add(b, "\\\\", 2);
		else if (*p == '\n')
			serve_buf_add(b, "\\n", 2);
		else if (*p == '"')
			serve_buf_add(b, "\\\"", 2);
		else
			serve_buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
		p++;
		n--;
	}
}

void serve_buf_json_str(struct serve_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (!s) {
		serve_buf_puts(b, "null");
		return;
	}
	n = strlen(s);
	serve_buf_add(b, "\"", 1);
	while (n > 0) {
		size_t run = 0, l;

		while (run < n && p[run] >= 0x20 && p[run] != '"' && p[run] != '\\' &&
		       p[run] != 0x7f && (l = serve_utf8_len(p + run, n - run)))
			run += l;
		serve_buf_add(b, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		if (*p == '"')
			serve_buf_add(b, "\\\"", 2);
		else if (*p == '\\')
			serve_buf_add(b, "\\\\", 2);
		else if (*p == '\n')
			serve_buf_add(b, "\\n", 2);
		else if (*p == '\t')
			serve_buf_add(b, "\\t", 2);
		else if (*p < 0x20 || *p == 0x7f)
			serve_buf_printf(b, "\\u%04x", *p);
		else
			serve_buf_add(b, "\\ufffd", 6);
		p++;
		n--;
	}
	serve_buf_add(b, "\"", 1);
}

void serve_buf_json_double(struct serve_buf *b, double v)
{
	if (!isfinite(v))
		serve_buf_puts(b, "null");
	else
		serve_buf_prom_double(b, v);
}
