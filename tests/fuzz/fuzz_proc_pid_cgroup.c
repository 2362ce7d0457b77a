/* libFuzzer target: proc_pid_cgroup_parse() and
 * proc_pid_cgroup_parse_memory() on the same text. */
#include "fuzz.h"
#include "proc_pid_cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_pid_cgroup *cg = malloc(sizeof(*cg));
	int64_t mem;
	int err;

	FUZZ_ASSERT(cg != NULL);
	err = proc_pid_cgroup_parse(text, cg);
	FUZZ_ASSERT(err == 0 || err == -ENODATA || err == -ENAMETOOLONG);
	FUZZ_ASSERT(fuzz_touch(cg->path) < sizeof(cg->path));
	FUZZ_ASSERT(err != -ENAMETOOLONG || cg->path[0] == '\0');
	FUZZ_ASSERT(cg->memory_max == -1 && cg->memory_current == -1);
	mem = proc_pid_cgroup_parse_memory(text);
	FUZZ_ASSERT(mem >= -1);
	free(cg);
	free(text);
	return 0;
}
