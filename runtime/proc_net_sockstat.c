/* /proc/net/sockstat{,6} reader: see proc_net_sockstat.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "ht_path.h"
#include "proc_net_sockstat.h"
#include "proc_num.h"

#define F(proto, key, field) \
	{ proto, key, offsetof(struct proc_net_sockstat, field) }

static const struct {
	const char *proto, *key;
	size_t off;
} fields[] = {
	F("sockets", "used", sockets_used),
	F("TCP", "inuse", tcp_inuse), F("TCP", "orphan", tcp_orphan),
	F("TCP", "tw", tcp_tw), F("TCP", "alloc", tcp_alloc),
	F("TCP", "mem", tcp_mem),
	F("UDP", "inuse", udp_inuse), F("UDP", "mem", udp_mem),
	F("UDPLITE", "inuse", udplite_inuse), F("RAW", "inuse", raw_inuse),
	F("FRAG", "inuse", frag_inuse), F("FRAG", "memory", frag_memory),
	F("TCP6", "inuse", tcp6_inuse), F("UDP6", "inuse", udp6_inuse),
	F("UDPLITE6", "inuse", udplite6_inuse), F("RAW6", "inuse", raw6_inuse),
	F("FRAG6", "inuse", frag6_inuse), F("FRAG6", "memory", frag6_memory),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static int same(const char *s, const char *p, size_t n)
{
	return strlen(s) == n && !memcmp(s, p, n);
}

static size_t token(const char **p, const char *end)
{
	size_t n = 0;

	while (*p < end && **p == ' ')
		(*p)++;
	while (*p + n < end && (*p)[n] != ' ')
		n++;
	return n;
}

static int64_t number(const char *p, size_t n)
{
	int64_t v;

	return n > 0 && proc_u63(p, p + n, &v) == n ? v : -1;
}

/* "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 73": a protocol, then key and
 * value pairs. Returns how many known fields it set. */
static int parse_line(const char *p, size_t len, struct proc_net_sockstat *out)
{
	const char *end = p + len, *colon = memchr(p, ':', len);
	const char *proto = p;
	size_t plen = colon ? (size_t)(colon - p) : 0;
	int known = 0;

	if (!colon)
		return 0;
	p = colon + 1;
	for (;;) {
		const char *key, *val;
		size_t klen = token(&p, end), vlen;
		int64_t v;

		key = p;
		p += klen;
		vlen = token(&p, end);
		val = p;
		p += vlen;
		if (klen == 0 || vlen == 0)
			return known;
		v = number(val, vlen);
		for (size_t i = 0; v >= 0 && i < NFIELDS; i++) {
			if (same(fields[i].proto, proto, plen) &&
			    same(fields[i].key, key, klen)) {
				*(int64_t *)((char *)out + fields[i].off) = v;
				known++;
				break;
			}
		}
	}
}

int proc_net_sockstat_parse(const char *text, struct proc_net_sockstat *out)
{
	int known = 0;

	for (size_t i = 0; i < NFIELDS; i++)
		*(int64_t *)((char *)out + fields[i].off) = -1;
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		known += parse_line(p, n, out);
		p += n;
		if (*p)
			p++;
	}
	return known ? 0 : -EINVAL;
}

int proc_net_sockstat_read(const char *root, struct proc_net_sockstat *out)
{
	char path[4096];
	char text[8192];		/* both files: ~250 bytes */
	long n, n6;
	int err = ht_path(path, sizeof(path), root, "/proc/net/sockstat");

	if (err)
		return err;
	n = ht_read_file(path, text, sizeof(text) / 2);
	if (n < 0)
		return (int)n;
	if (n > 0 && text[n - 1] != '\n') {
		text[n++] = '\n';	/* keep the two files' lines apart */
		text[n] = '\0';
	}
	err = ht_path(path, sizeof(path), root, "/proc/net/sockstat6");
	if (err)
		return err;
	n6 = ht_read_file(path, text + n, sizeof(text) - n);
	if (n6 < 0 && n6 != -ENOENT)
		return (int)n6;
	if (n6 < 0)
		text[n] = '\0';
	err = proc_net_sockstat_parse(text, out);
	if (!err && out->sockets_used < 0)
		err = -EINVAL;
	return err;
}
