/* libFuzzer target: proc_pressure_parse(). */
#include <errno.h>
#include <math.h>
#include "fuzz.h"
#include "proc_pressure.h"

static void check_line(const struct proc_pressure_line *l)
{
	/* Either the whole line parsed, or the whole line is absent. */
	if (l->total_us < 0) {
		FUZZ_ASSERT(l->total_us == -1);
		FUZZ_ASSERT(isnan(l->avg10) && isnan(l->avg60) && isnan(l->avg300));
	} else {
		FUZZ_ASSERT(isfinite(l->avg10) && isfinite(l->avg60) && isfinite(l->avg300));
		FUZZ_ASSERT(l->avg10 >= 0 && l->avg60 >= 0 && l->avg300 >= 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_pressure_res r;
	int err = proc_pressure_parse(text, &r);

	FUZZ_ASSERT(err == 0 || err == -EINVAL);
	FUZZ_ASSERT(r.present == 1);
	FUZZ_ASSERT((err == 0) == (r.some.total_us >= 0));
	check_line(&r.some);
	check_line(&r.full);
	free(text);
	return 0;
}
