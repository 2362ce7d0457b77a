/* libFuzzer target: proc_net_sockstat_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_net_sockstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_net_sockstat s;
	const int64_t *f = (const int64_t *)&s;
	int err = proc_net_sockstat_parse(text, &s);
	int any = 0;

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	for (size_t i = 0; i < sizeof(s) / sizeof(*f); i++) {
		FUZZ_ASSERT(f[i] >= -1);
		any |= f[i] >= 0;
	}
	FUZZ_ASSERT((err == 0) == any);
	free(text);
	return 0;
}
