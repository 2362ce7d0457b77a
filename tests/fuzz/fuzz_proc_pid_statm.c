/* libFuzzer target: proc_pid_statm_parse(), with the page size picked by
 * the first byte (4 KiB, 64 KiB, or 1 GiB to push the byte scaling
 * towards overflow). */
#include "fuzz.h"
#include "proc_pid_statm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long pages[] = { 4096, 65536, 1L << 30 };
	char *text = fuzz_text(data, size);
	long page = pages[size ? data[0] % 3 : 0];
	struct proc_pid_statm m;
	int err = proc_pid_statm_parse(text, page, &m);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT(m.size >= -1 && m.resident >= -1 && m.shared >= -1);
	FUZZ_ASSERT(m.text >= -1 && m.data >= -1);
	/* -EINVAL: size or resident missing. (A count too big for bytes
	 * scales to -1 even on success, so no converse.) */
	FUZZ_ASSERT(err == 0 || m.size == -1 || m.resident == -1);
	free(text);
	return 0;
}
