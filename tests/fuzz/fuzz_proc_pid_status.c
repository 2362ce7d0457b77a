/* libFuzzer target: proc_pid_status_parse(). */
#include "fuzz.h"
#include "proc_pid_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_pid_status s;
	int err = proc_pid_status_parse(text, &s);
	const int64_t bytes[] = { s.vm_rss, s.rss_anon, s.rss_file, s.rss_shmem,
				  s.vm_swap, s.vm_size, s.vm_hwm };

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++)
		FUZZ_ASSERT(bytes[i] >= -1);
	if (err)
		FUZZ_ASSERT(s.vm_rss == -1 && s.threads == -1 && s.state == '?');
	free(text);
	return 0;
}
