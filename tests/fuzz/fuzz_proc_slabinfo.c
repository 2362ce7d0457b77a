/* libFuzzer target: proc_slabinfo_parse() and proc_slabinfo_parse_count(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_slabinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_slabinfo p;
	int64_t v = -1;
	int err = proc_slabinfo_parse(text, &p);

	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	FUZZ_ASSERT((err == 0) == (p.n > 0));
	for (size_t i = 0; i < p.n; i++) {
		const struct proc_slab_cache *c = &p.caches[i];
		FUZZ_ASSERT(c->name[0] && strlen(c->name) < sizeof(c->name));
		FUZZ_ASSERT(c->active_objs >= 0 && c->num_objs >= 0 && c->objsize >= 0 &&
			    c->objperslab >= 0 && c->pagesperslab >= 0);
		FUZZ_ASSERT(c->active_slabs >= -1 && c->num_slabs >= -1);
		FUZZ_ASSERT(proc_slabinfo_find(&p, c->name) != NULL);
	}
	proc_slabinfo_free(&p);
	err = proc_slabinfo_parse_count(text, &v);
	FUZZ_ASSERT((err == 0 && v >= 0) || (err == -EINVAL && v == -1));
	free(text);
	return 0;
}
