/* Growing memory: one helper for arrays, one for text (git's ALLOC_GROW and
 * strbuf, redis sds). Every growable array and output buffer in healthtap
 * goes through these, so the overflow and failure rules live in one place.
 *
 * ht_grow(arr, cap, need) makes room for need elements in the array arr of
 * cap elements (arr may be NULL with cap 0). The capacity at least doubles,
 * so n appends cost O(n) copies. Returns 0, or -ENOMEM when the size would
 * overflow or realloc fails: arr and cap are then unchanged and still the
 * caller's to free. cap must be a size_t lvalue:
 *
 *	if (ht_grow(v->items, v->cap, v->n + 1))
 *		return -ENOMEM;
 *	v->items[v->n++] = item;
 */
#ifndef HT_BUF_H
#define HT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define ht_grow(arr, cap, need) ht_grow_array(&(arr), &(cap), (need), sizeof(*(arr)))

/* What ht_grow() calls: *(T **)arrp is the array of elements of size bytes. */
int ht_grow_array(void *arrp, size_t *cap, size_t need, size_t size);

/* A growable byte buffer. It starts empty ({0}); every append grows it. An
 * allocation failure, or an append past max, sets ->failed, after which
 * appends do nothing, so a writer checks once at the end. data is
 * NUL-terminated once anything was appended. The owner frees it with
 * ht_buf_free() or takes the bytes with ht_buf_take(). */
struct ht_buf {
	char *data;
	size_t len, cap;
	size_t max;		/* 0: no bound; else appends past it fail */
	int failed;		/* ENOMEM, or the bound was hit */
};

void ht_buf_free(struct ht_buf *b);

/* Empties b (len 0, failed cleared) and keeps its memory for reuse. */
void ht_buf_reset(struct ht_buf *b);

/* Hands the bytes to the caller (who free()s them) and empties b. Returns
 * NULL when the buffer failed (b is then freed) or holds nothing. */
char *ht_buf_take(struct ht_buf *b, size_t *len);

void ht_buf_add(struct ht_buf *b, const char *s, size_t n);
void ht_buf_puts(struct ht_buf *b, const char *s);
void ht_buf_putc(struct ht_buf *b, char c);
void ht_buf_printf(struct ht_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ht_buf_vprintf(struct ht_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
