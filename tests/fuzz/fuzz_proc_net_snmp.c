/* libFuzzer target: proc_net_snmp_parse(). */
#include <errno.h>
#include "fuzz.h"
#include "proc_net_snmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_net_snmp s;
	int err = proc_net_snmp_parse(text, &s);

	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err)
		FUZZ_ASSERT(s.v == NULL && s.text == NULL && s.n == 0);
	for (size_t i = 0; i < s.n; i++) {
		int64_t v;

		FUZZ_ASSERT(fuzz_touch(s.v[i].proto) > 0);
		FUZZ_ASSERT(fuzz_touch(s.v[i].field) > 0);
		FUZZ_ASSERT(!strchr(s.v[i].field, ' ') && !strchr(s.v[i].field, '\n'));
		FUZZ_ASSERT(proc_net_snmp_get(&s, s.v[i].proto, s.v[i].field, &v) == 0);
	}
	proc_net_snmp_free(&s);
	free(text);
	return 0;
}
