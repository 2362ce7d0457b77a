/* /proc/net/dev: per network interface traffic counters. */
#ifndef PROC_NET_DEV_H
#define PROC_NET_DEV_H

#include <stddef.h>
#include <stdint.h>

/* One interface row. Counters since the interface came up; a column the
 * row lacks (a cut line) is -1. */
struct proc_net_dev_if {
	char name[16];			/* IFNAMSIZ: at most 15 bytes */
	int64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	int64_t rx_fifo, rx_frame, rx_compressed, rx_multicast;
	int64_t tx_bytes, tx_packets, tx_errs, tx_drop;
	int64_t tx_fifo, tx_colls, tx_carrier, tx_compressed;
};

struct proc_net_dev {
	size_t nifs;
	struct proc_net_dev_if *ifs;	/* nifs rows, in file order */
	size_t nskipped;		/* rows that did not parse */
};

/* Reads root/proc/net/dev into out. On success out owns ifs: release it
 * with proc_net_dev_free(). On error out owns nothing (ifs is NULL).
 * Returns 0 or -errno: -ENOENT when the file is absent, -EINVAL as
 * proc_net_dev_parse(), -ENOMEM. */
int proc_net_dev_read(const char *root, struct proc_net_dev *out);

/* Parses the NUL-terminated text of /proc/net/dev. A row is "name:" then
 * up to 16 decimals; the name is what comes before the row's last colon,
 * so "eth0:1234" (no blank after the colon once counters get wide) parses.
 * Rows with an empty or over-long name, or a garbled number, are skipped
 * and counted in nskipped. Returns 0; -EINVAL when the "|bytes" header
 * line is missing; -ENOMEM. Ownership as proc_net_dev_read(). */
int proc_net_dev_parse(const char *text, struct proc_net_dev *out);

/* Frees what out owns and empties it; out may be NULL. */
void proc_net_dev_free(struct proc_net_dev *out);

/* The row for interface name, or NULL. Valid until proc_net_dev_free(). */
const struct proc_net_dev_if *proc_net_dev_find(const struct proc_net_dev *d,
						const char *name);

#endif
