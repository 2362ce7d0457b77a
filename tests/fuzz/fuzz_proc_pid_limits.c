/* libFuzzer target: proc_pid_limits_parse(). */
#include "fuzz.h"
#include "proc_pid_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_pid_limits l;
	int err = proc_pid_limits_parse(text, &l);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT(l.as_soft >= -1 && l.as_hard >= -1);
	FUZZ_ASSERT(l.data_soft >= -1 && l.data_hard >= -1);
	if (err)
		FUZZ_ASSERT(l.as_soft == -1 && l.data_hard == -1);
	free(text);
	return 0;
}
