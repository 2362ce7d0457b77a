/* libFuzzer target: proc_pid_stat_parse(). */
#include "fuzz.h"
#include "proc_pid_stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_pid_stat st;
	int err = proc_pid_stat_parse(text, &st);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT(memchr(st.comm, '\0', sizeof(st.comm)) != NULL);
	if (err) {
		FUZZ_ASSERT(st.comm[0] == '\0' && st.state == '?');
		FUZZ_ASSERT(st.ppid == -1 && st.starttime == -1);
	}
	free(text);
	return 0;
}
