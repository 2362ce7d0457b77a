/* /proc/net/snmp: IP, ICMP, TCP and UDP MIB counters. */
#ifndef PROC_NET_SNMP_H
#define PROC_NET_SNMP_H

#include <stddef.h>
#include <stdint.h>

/* One counter: protocol ("Ip", "Tcp", ...), field ("InSegs", ...) and its
 * value. Values are signed: Tcp MaxConn is -1 ("no limit") by RFC 2012, so
 * -1 is a real value here; absence shows as -ENOENT from the lookup. */
struct proc_net_snmp_entry {
	const char *proto, *field;
	int64_t value;
};

struct proc_net_snmp {
	size_t n;
	struct proc_net_snmp_entry *v;	/* n entries, in file order */
	size_t nskipped;		/* fields with a garbled value */
	char *text;			/* owned copy the names point into */
};

/* Reads root/proc/net/snmp into out. On success out owns its memory:
 * release it with proc_net_snmp_free(). On error out owns nothing.
 * Returns 0 or -errno: -ENOENT when the file is absent, -EINVAL as
 * proc_net_snmp_parse(), -ENOMEM. */
int proc_net_snmp_read(const char *root, struct proc_net_snmp *out);

/* Parses NUL-terminated /proc/net/snmp text (or /proc/net/netstat text,
 * which has the same shape): lines come in pairs, "Proto: Name Name ..."
 * then "Proto: value value ...". A value line whose protocol differs from
 * the header before it is ignored; extra names or values beyond the
 * shorter line are ignored; a garbled value skips that field (nskipped).
 * Returns 0; -EINVAL when no pair parsed; -ENOMEM. Ownership as
 * proc_net_snmp_read(). */
int proc_net_snmp_parse(const char *text, struct proc_net_snmp *out);

/* Looks up (proto, field), e.g. ("Tcp", "RetransSegs"). Returns 0 and sets
 * *value, or -ENOENT when the file has no such counter. */
int proc_net_snmp_get(const struct proc_net_snmp *s, const char *proto,
		      const char *field, int64_t *value);

/* Frees what out owns and empties it; out may be NULL. */
void proc_net_snmp_free(struct proc_net_snmp *out);

#endif
