/* libFuzzer target: proc_net_dev_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_net_dev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_net_dev d;
	int err = proc_net_dev_parse(text, &d);

	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err)
		FUZZ_ASSERT(d.ifs == NULL && d.nifs == 0);
	for (size_t i = 0; i < d.nifs; i++) {
		const struct proc_net_dev_if *n = &d.ifs[i];
		size_t len = fuzz_touch(n->name);

		FUZZ_ASSERT(len > 0 && len < sizeof(n->name));
		FUZZ_ASSERT(!strchr(n->name, ' ') && !strchr(n->name, '\n'));
		FUZZ_ASSERT(n->rx_bytes >= 0);	/* a row has a first column */
		FUZZ_ASSERT(n->rx_packets >= -1 && n->tx_compressed >= -1);
		FUZZ_ASSERT(proc_net_dev_find(&d, n->name) != NULL);
	}
	proc_net_dev_free(&d);
	free(text);
	return 0;
}
