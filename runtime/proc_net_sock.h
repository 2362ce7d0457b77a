/* /proc/net/{udp,udp6,tcp,tcp6}: sockets and their queues, and
 * /proc/PID/fd: which processes hold a socket.
 *
 * A queue that keeps growing (datagrams nobody reads) holds skbs: the
 * socket's rx_queue (bytes of skb truesize charged to it) names where the
 * slab's skbs are. /proc/net/unix prints no queue sizes, so AF_UNIX
 * sockets cannot be judged from /proc. */
#ifndef PROC_NET_SOCK_H
#define PROC_NET_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum proc_sock_proto { PROC_SOCK_TCP, PROC_SOCK_UDP, PROC_SOCK_TCP6, PROC_SOCK_UDP6,
		       PROC_SOCK_PROTOS };

/* "tcp", "udp", "tcp6", "udp6" (also the file name under /proc/net). */
const char *proc_sock_proto_name(enum proc_sock_proto p);

struct proc_sock {
	enum proc_sock_proto proto;
	char local[48], remote[48];	/* "127.0.0.1:40000", "[::1]:53" */
	int state;			/* TCP_* number (07 for UDP: closed) */
	int64_t tx_queue, rx_queue;	/* bytes */
	int64_t uid;
	uint64_t inode;			/* 0: a socket being set up or torn down */
};

struct proc_socks {
	struct proc_sock *v;		/* malloc'd */
	size_t n;
};

/* Parses the text of one /proc/net/{tcp,udp}[6] file, appending its
 * sockets to out (which starts empty or holds earlier files'). With
 * queued_only, sockets with both queues empty are skipped. Lines that do
 * not parse are skipped. Returns 0, -EINVAL (no header line "sl
 * local_address") or -ENOMEM (out keeps what it had). */
int proc_net_sock_parse(const char *text, enum proc_sock_proto proto, int queued_only,
			struct proc_socks *out);

/* Reads every root/proc/net/{tcp,udp,tcp6,udp6} that exists into out
 * (emptied first). Returns 0 when at least one was read, else the first
 * error (-ENOENT: none). out is freed with proc_socks_free(). */
int proc_net_sock_read(const char *root, int queued_only, struct proc_socks *out);

void proc_socks_free(struct proc_socks *s);

/* Calls fn(ctx, pid, inode) for every fd of every process under root/proc
 * that is one of the inodes[0..n-1] (a link "socket:[INODE]"). Processes
 * that vanish or are not readable are skipped. Returns 0, or fn's non-zero
 * value (which stops the walk), or -errno when root/proc cannot be
 * listed. */
int proc_sock_owners(const char *root, const uint64_t *inodes, size_t n,
		     int (*fn)(void *ctx, pid_t pid, uint64_t inode), void *ctx);

#endif
