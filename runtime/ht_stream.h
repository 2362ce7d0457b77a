/* Incremental parser for the tapset record stream (ht_protocol.h).
 *
 * Feed it bytes as they arrive; lines may be split anywhere across calls.
 * Each good record goes to the record callback; each bad line goes to the
 * error callback with its line number, and parsing carries on.
 */
#ifndef HT_STREAM_H
#define HT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include "ht_protocol.h"

struct ht_stream_header {
	int version;
	char runtime[16];		/* "bpf", "kernel", or "" if absent */
	int64_t start_ms;		/* -1 if absent */
	int64_t interval_ms;		/* -1 if absent */
	uint64_t line;			/* the line it was read from */
};

struct ht_record {
	int64_t t_ms;
	enum ht_subsys subsys;
	const struct ht_record_kind *kind;
	int64_t value;
	const char *labels;		/* rest of the line, NUL-terminated; "" if none */
	uint64_t line;
};

/* Callbacks return 0 to go on; a non-zero return stops ht_stream_feed(),
 * which returns that value. rec and its strings live only during the call. */
typedef int (*ht_record_fn)(void *ctx, const struct ht_record *rec);
typedef int (*ht_stream_error_fn)(void *ctx, uint64_t line, const char *msg);

struct ht_stream;

/* Returns a new parser, or NULL on ENOMEM. on_error may be NULL. */
struct ht_stream *ht_stream_new(ht_record_fn on_record,
				ht_stream_error_fn on_error, void *ctx);
void ht_stream_free(struct ht_stream *s);

/* Parses what buf completes; keeps a trailing partial line for later.
 * Returns 0, or a callback's non-zero value. */
int ht_stream_feed(struct ht_stream *s, const char *buf, size_t len);

/* Parses a last line that had no newline. Returns as ht_stream_feed(). */
int ht_stream_finish(struct ht_stream *s);

/* The header, or NULL until one has been read. */
const struct ht_stream_header *ht_stream_header(const struct ht_stream *s);

uint64_t ht_stream_records(const struct ht_stream *s);
uint64_t ht_stream_errors(const struct ht_stream *s);

/* Copies label key's value into buf (at most size-1 bytes). Returns the
 * value's length, or -ENOENT. "comm" runs to the end of the labels. */
int ht_record_label(const struct ht_record *rec, const char *key,
		    char *buf, size_t size);

/* Label key as an integer; returns 0, -ENOENT, or -EINVAL if not a number. */
int ht_record_label_int(const struct ht_record *rec, const char *key,
			int64_t *out);

#endif
