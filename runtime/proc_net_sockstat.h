/* /proc/net/sockstat and /proc/net/sockstat6: socket counts and memory. */
#ifndef PROC_NET_SOCKSTAT_H
#define PROC_NET_SOCKSTAT_H

#include <stdint.h>

/* Counts of sockets, and socket buffer memory in pages ("mem"). A field
 * the kernel does not print is -1: all the *6 fields without IPv6
 * (no sockstat6), UDPLITE before 2.6.20, and so on. */
struct proc_net_sockstat {
	int64_t sockets_used;
	int64_t tcp_inuse, tcp_orphan, tcp_tw, tcp_alloc, tcp_mem;
	int64_t udp_inuse, udp_mem;
	int64_t udplite_inuse, raw_inuse, frag_inuse, frag_memory;
	int64_t tcp6_inuse, udp6_inuse, udplite6_inuse, raw6_inuse;
	int64_t frag6_inuse, frag6_memory;
};

/* Reads root/proc/net/sockstat and, if present, root/proc/net/sockstat6
 * into out. Returns 0 or -errno: -ENOENT when sockstat is absent, -EINVAL
 * when it has no "sockets: used" line. out holds no resources; on error
 * its contents are unspecified. */
int proc_net_sockstat_read(const char *root, struct proc_net_sockstat *out);

/* Parses NUL-terminated sockstat text, sockstat6 text, or the two
 * concatenated, into out. Every field starts at -1; unknown protocols and
 * keys, and garbled numbers, are skipped. Returns 0, or -EINVAL when no
 * known field parsed. */
int proc_net_sockstat_parse(const char *text, struct proc_net_sockstat *out);

#endif
