/* libFuzzer target: proc_net_sock_parse() for IPv4 and IPv6 files. */
#include <errno.h>
#include "fuzz.h"
#include "proc_net_sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct proc_socks s = { 0 };
	int err = proc_net_sock_parse(text, PROC_SOCK_UDP, 0, &s);

	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	FUZZ_ASSERT(err == 0 || s.n == 0);
	err = proc_net_sock_parse(text, PROC_SOCK_TCP6, 1, &s);
	FUZZ_ASSERT(err == 0 || err == -EINVAL || err == -ENOMEM);
	for (size_t i = 0; i < s.n; i++) {
		FUZZ_ASSERT(s.v[i].tx_queue >= 0 && s.v[i].rx_queue >= 0 && s.v[i].uid >= 0);
		FUZZ_ASSERT(s.v[i].state >= 0 && s.v[i].state <= 0xff);
		FUZZ_ASSERT(strlen(s.v[i].local) < sizeof(s.v[i].local));
		FUZZ_ASSERT(strlen(s.v[i].remote) < sizeof(s.v[i].remote));
		FUZZ_ASSERT(s.v[i].proto == PROC_SOCK_UDP || s.v[i].tx_queue > 0 ||
			    s.v[i].rx_queue > 0);
	}
	proc_socks_free(&s);
	free(text);
	return 0;
}
