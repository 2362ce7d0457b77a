/* libFuzzer target: the record stream parser (ht_stream_feed).
 *
 * The input is fed twice: whole, and cut into chunks whose sizes come from
 * a generator seeded by the input's first bytes (so every split is
 * reproducible from the crash file). Both runs must see the same records
 * and the same errors at the same line numbers: the parser is incremental,
 * and where reads split lines must not matter. */
#include <errno.h>
#include "fuzz.h"
#include "ht_stream.h"

struct seen {
	uint64_t records, errors;
	uint64_t hash;			/* of every record and error seen */
};

static void mix(struct seen *s, uint64_t v)
{
	s->hash = (s->hash ^ v) * 0x100000001b3ULL;
}

static void mix_str(struct seen *s, const char *p)
{
	for (; *p; p++)
		mix(s, (unsigned char)*p);
}

static int on_record(void *ctx, const struct ht_record *rec)
{
	struct seen *s = ctx;
	char buf[8];
	int64_t v;
	int n;

	s->records++;
	FUZZ_ASSERT(rec->kind != NULL && rec->t_ms >= 0);
	mix(s, rec->line);
	mix(s, (uint64_t)rec->t_ms);
	mix(s, (uint64_t)rec->value);
	mix(s, rec->subsys);
	mix_str(s, rec->labels);
	/* Label lookups with a small buffer: cut, never overrun. */
	n = ht_record_label(rec, "comm", buf, sizeof(buf));
	FUZZ_ASSERT(n == -ENOENT || (n >= 0 && strlen(buf) == (size_t)n) ||
		    (n >= (int)sizeof(buf) && strlen(buf) == sizeof(buf) - 1));
	n = ht_record_label_int(rec, "pid", &v);
	FUZZ_ASSERT(n == 0 || n == -ENOENT || n == -EINVAL);
	mix(s, n ? 0 : (uint64_t)v);
	return 0;
}

static int on_error(void *ctx, uint64_t line, const char *msg)
{
	struct seen *s = ctx;

	s->errors++;
	FUZZ_ASSERT(line >= 1);
	mix(s, line);
	mix_str(s, msg);
	return 0;
}

static struct seen run(const uint8_t *data, size_t size, int split)
{
	struct seen s = { 0, 0, 0xcbf29ce484222325ULL };
	struct ht_stream *st = ht_stream_new(on_record, on_error, &s);
	uint32_t x = 2463534242u;

	FUZZ_ASSERT(st != NULL);
	for (size_t i = 0; i < size && i < 4; i++)
		x = x * 31 + data[i] + 1;
	for (size_t off = 0; off < size; ) {
		size_t n = size - off;

		if (split) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Mostly short chunks, sometimes long ones. */
			n = x % 8 ? 1 + x % 7 : 1 + x % 1500;
			if (n > size - off)
				n = size - off;
		}
		/* Feed from an exact-size heap copy so ASan sees overreads. */
		{
			char *chunk = malloc(n);

			FUZZ_ASSERT(chunk != NULL);
			memcpy(chunk, data + off, n);
			FUZZ_ASSERT(ht_stream_feed(st, chunk, n) == 0);
			free(chunk);
		}
		off += n;
	}
	FUZZ_ASSERT(ht_stream_finish(st) == 0);
	FUZZ_ASSERT(ht_stream_records(st) == s.records);
	FUZZ_ASSERT(ht_stream_errors(st) == s.errors);
	if (ht_stream_header(st))
		FUZZ_ASSERT(ht_stream_header(st)->version == HT_PROTO_VERSION);
	ht_stream_free(st);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen whole = run(data, size, 0);
	struct seen split = run(data, size, 1);

	FUZZ_ASSERT(whole.records == split.records);
	FUZZ_ASSERT(whole.errors == split.errors);
	FUZZ_ASSERT(whole.hash == split.hash);
	return 0;
}
