/* Shared helpers for the libFuzzer targets (tests/fuzz/fuzz_*.c).
 *
 * libFuzzer hands over bytes that are not NUL-terminated and may hold NULs;
 * the /proc parse functions take NUL-terminated text. fuzz_text() copies
 * the input into a fresh heap buffer of exactly size + 1 bytes, so ASan
 * catches a parser reading even one byte past the terminator. */
#ifndef HT_FUZZ_H
#define HT_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A broken invariant is a finding: say which, then abort (libFuzzer saves
 * the input as a crash artifact). */
#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Returns a malloc'd NUL-terminated copy of data; the caller frees it. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	FUZZ_ASSERT(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* Reads every byte of a string so ASan checks it is in bounds. */
static inline size_t fuzz_touch(const char *s)
{
	return strlen(s);
}

#endif
