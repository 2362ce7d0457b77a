#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"

int ht_grow_array(void *arrp, size_t *cap, size_t need, size_t size)
{
	void *old, *grown;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (size && ncap > SIZE_MAX / size)
		return -ENOMEM;
	/* arrp points at a T *: copied as bytes, so no aliasing rule is bent */
	memcpy(&old, arrp, sizeof(old));
	grown = realloc(old, ncap * size);
	if (!grown)
		return -ENOMEM;
	memcpy(arrp, &grown, sizeof(grown));
	*cap = ncap;
	return 0;
}

void ht_buf_free(struct ht_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void ht_buf_reset(struct ht_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *ht_buf_take(struct ht_buf *b, size_t *len)
{
	char *d = b->data;

	if (b->failed || !d) {
		ht_buf_free(b);
		*len = 0;
		return NULL;
	}
	*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

/* Room for extra more bytes and the NUL. */
static int reserve(struct ht_buf *b, size_t extra)
{
	if (b->failed)
		return -1;
	if (extra > SIZE_MAX / 2 - b->len || (b->max && b->len + extra > b->max) ||
	    ht_grow(b->data, b->cap, b->len + extra + 1)) {
		b->failed = 1;
		return -1;
	}
	return 0;
}

void ht_buf_add(struct ht_buf *b, const char *s, size_t n)
{
	if (reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void ht_buf_puts(struct ht_buf *b, const char *s)
{
	ht_buf_add(b, s, strlen(s));
}

void ht_buf_putc(struct ht_buf *b, char c)
{
	ht_buf_add(b, &c, 1);
}

void ht_buf_vprintf(struct ht_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	char small[256];
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		b->failed = 1;
	} else if ((size_t)n < sizeof(small)) {
		ht_buf_add(b, small, (size_t)n);
	} else if (reserve(b, (size_t)n) == 0) {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
}

void ht_buf_printf(struct ht_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ht_buf_vprintf(b, fmt, ap);
	va_end(ap);
}
