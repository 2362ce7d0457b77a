/* libFuzzer target: proc_pid_cmdline_parse(). cmdline is binary (NUL-
 * separated), so the parser gets an exact-size copy with no terminator;
 * the output buffer size comes from the first byte, down to 1 byte. */
#include "fuzz.h"
#include "proc_pid_cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[] = { 1, 2, 17, 4096 };
	size_t osize = sizes[size ? data[0] % 4 : 3];
	char *raw = malloc(size ? size : 1);
	char *out = malloc(osize);
	size_t n;

	FUZZ_ASSERT(raw != NULL && out != NULL);
	memcpy(raw, data, size);
	n = proc_pid_cmdline_parse(raw, size, out, osize);
	FUZZ_ASSERT(n < osize);
	FUZZ_ASSERT(strlen(out) == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT((unsigned char)out[i] >= 0x20);
	FUZZ_ASSERT(n <= size);
	free(out);
	free(raw);
	return 0;
}
