/* libFuzzer target: proc_vmstat_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_vmstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_vmstat v;
	const int64_t *f = (const int64_t *)&v;
	int err = proc_vmstat_parse(text, &v);
	int any = 0;

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	for (size_t i = 0; i < sizeof(v) / sizeof(*f); i++) {
		FUZZ_ASSERT(f[i] >= -1);
		any |= f[i] >= 0;
	}
	/* -EINVAL means no known line parsed, so nothing was set. */
	FUZZ_ASSERT(err == 0 || !any);
	free(text);
	return 0;
}
