/* libFuzzer target: proc_softirqs_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_softirqs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_softirqs s;
	int err = proc_softirqs_parse(text, &s);

	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err) {
		FUZZ_ASSERT(s.counts == NULL && s.cpu == NULL);
	} else {
		FUZZ_ASSERT(s.ncpus > 0);
		for (int v = 0; v < PROC_SOFTIRQ_N; v++) {
			int64_t sum = 0;
			int missing = 0, overflow = 0;

			for (int c = 0; c < s.ncpus; c++) {
				int64_t n = proc_softirqs_get(&s, v, c);

				FUZZ_ASSERT(n >= -1);
				missing |= n < 0;
				if (n >= 0)
					overflow |= __builtin_add_overflow(sum, n, &sum);
			}
			FUZZ_ASSERT(proc_softirqs_get(&s, v, s.ncpus) == -1);
			/* A total is the exact sum of a complete row, or -1. */
			FUZZ_ASSERT(s.total[v] == -1 ||
				    (!missing && !overflow && s.total[v] == sum));
		}
	}
	proc_softirqs_free(&s);
	free(text);
	return 0;
}
