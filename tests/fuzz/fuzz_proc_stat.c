/* libFuzzer target: proc_stat_parse(). */
#include "fuzz.h"
#include "proc_stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_stat st;
	int err = proc_stat_parse(text, &st);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT(err != 0 || st.ctxt >= 0);
	FUZZ_ASSERT(st.ncpus >= 0);
	FUZZ_ASSERT(st.cpu.user >= -1 && st.intr >= -1 && st.btime >= -1);
	free(text);
	return 0;
}
