/* libFuzzer target: proc_interrupts_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_interrupts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_interrupts p;
	int err = proc_interrupts_parse(text, &p);

	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err) {
		FUZZ_ASSERT(p.rows == NULL && p.cpu == NULL && p.nrows == 0);
	} else {
		FUZZ_ASSERT(p.ncpus > 0);
		for (int c = 0; c < p.ncpus; c++)
			FUZZ_ASSERT(p.cpu[c] >= 0);
		for (size_t i = 0; i < p.nrows; i++) {
			const struct proc_interrupts_row *r = &p.rows[i];
			int64_t sum = 0;
			int overflow = 0;

			FUZZ_ASSERT(r->ncounts >= 1 && r->ncounts <= p.ncpus);
			FUZZ_ASSERT(fuzz_touch(r->irq) > 0 && fuzz_touch(r->irq) < 16);
			FUZZ_ASSERT(fuzz_touch(r->desc) <= size);
			for (int c = 0; c < r->ncounts; c++) {
				FUZZ_ASSERT(r->counts[c] >= 0);
				overflow |= __builtin_add_overflow(sum, r->counts[c], &sum);
			}
			FUZZ_ASSERT(r->total == (overflow ? -1 : sum));
			FUZZ_ASSERT(proc_interrupts_find(&p, r->irq) != NULL);
		}
	}
	proc_interrupts_free(&p);
	FUZZ_ASSERT(p.rows == NULL && p.nrows == 0);
	free(text);
	return 0;
}
