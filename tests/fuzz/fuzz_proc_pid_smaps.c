/* libFuzzer target: proc_pid_smaps_parse(), and proc_pid_smaps_grown()
 * between the parse of the input's first half and of the whole input. */
#include "fuzz.h"
#include "proc_pid_smaps.h"

static void check(const struct proc_pid_smaps *m, int err)
{
	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err)
		FUZZ_ASSERT(m->n == 0);
	for (size_t i = 0; i < m->n; i++) {
		const struct proc_pid_smaps_region *r = &m->regions[i];

		FUZZ_ASSERT(memchr(r->perms, '\0', sizeof(r->perms)) != NULL);
		FUZZ_ASSERT(fuzz_touch(r->path) < sizeof(r->path));
		FUZZ_ASSERT(r->rss >= -1 && r->pss >= -1 && r->swap >= -1);
		/* Not asserted: "ascending start" (the header's note on
		 * regions) holds for the kernel's text only; the parser keeps
		 * the input's order. */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *whole = fuzz_text(data, size);
	char *half = fuzz_text(data, size / 2);
	struct proc_pid_smaps before = { 0 }, after = { 0 };
	struct proc_pid_smaps_growth *g = NULL;
	int eb = proc_pid_smaps_parse(half, &before);
	int ea = proc_pid_smaps_parse(whole, &after);
	long n;

	check(&before, eb);
	check(&after, ea);
	n = proc_pid_smaps_grown(&before, &after, &g);
	FUZZ_ASSERT(n >= 0 && (size_t)n <= after.n);
	for (long i = 0; i < n; i++)
		FUZZ_ASSERT(g[i].is_new || g[i].size_delta > 0 || g[i].rss_delta > 0 ||
			    g[i].private_dirty_delta > 0);
	free(g);
	proc_pid_smaps_free(&before);
	proc_pid_smaps_free(&after);
	free(half);
	free(whole);
	return 0;
}
