/* libFuzzer target: proc_meminfo_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_meminfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_meminfo m;
	const int64_t *f = (const int64_t *)&m;
	int err = proc_meminfo_parse(text, &m);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT((err == 0) == (m.mem_total >= 0));
	for (size_t i = 0; i < sizeof(m) / sizeof(*f); i++)
		FUZZ_ASSERT(f[i] >= -1);
	/* kB fields are whole multiples of 1024 bytes. */
	FUZZ_ASSERT(m.mem_total < 0 || m.mem_total % 1024 == 0);
	free(text);
	return 0;
}
