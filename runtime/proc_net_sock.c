/* /proc/net/{tcp,udp}[6] and /proc/PID/fd sockets: see proc_net_sock.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "proc_net_sock.h"

#define SOCK_FILE_MAX (256 << 20)	/* ~150 bytes a socket */

const char *proc_sock_proto_name(enum proc_sock_proto p)
{
	static const char *const names[] = { "tcp", "udp", "tcp6", "udp6" };

	return (unsigned)p < PROC_SOCK_PROTOS ? names[p] : "?";
}

void proc_socks_free(struct proc_socks *s)
{
	if (!s)
		return;
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* n hex digits at *p (exactly), into *out. */
static int hexn(const char **p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		int d = hexval((unsigned char)(*p)[i]);
		if (d < 0)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	*p += n;
	*out = v;
	return 0;
}

/* A hex number of 1 to 16 digits ending at a non-hex character. */
static int hexnum(const char **p, uint64_t *out)
{
	size_t n = 0;

	while (n < 17 && hexval((unsigned char)(*p)[n]) >= 0)
		n++;
	if (n == 0 || n > 16)
		return -1;
	return hexn(p, n, out);
}

static int decnum(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	const char *q = *p;

	while (*q == ' ')
		q++;
	if (*q < '0' || *q > '9')
		return -1;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	*out = v;
	return 0;
}

/* "0100007F:9C40" (IPv4, the address in host byte order as the kernel
 * prints it: little-endian here) or 32 hex digits for IPv6. */
static int address(const char **p, int v6, char *buf, size_t size)
{
	uint64_t w[4], port;
	const char *q = *p;

	while (*q == ' ')
		q++;
	for (int i = 0; i < (v6 ? 4 : 1); i++)
		if (hexn(&q, 8, &w[i]))
			return -1;
	if (*q++ != ':' || hexn(&q, 4, &port))
		return -1;
	if (!v6) {
		uint32_t a = (uint32_t)w[0];
		snprintf(buf, size, "%u.%u.%u.%u:%u", a & 0xff, a >> 8 & 0xff, a >> 16 & 0xff,
			 a >> 24, (unsigned)port);
	} else {
		/* each 32-bit word is in host order: print its bytes in memory order */
		char h[40];
		size_t at = 0;
		for (int i = 0; i < 4; i++) {
			uint32_t x = (uint32_t)w[i];
			for (int b = 0; b < 4; b += 2)
				at += (size_t)snprintf(h + at, sizeof(h) - at, "%s%02x%02x",
						       at ? ":" : "", x >> (8 * b) & 0xff,
						       x >> (8 * (b + 1)) & 0xff);
		}
		snprintf(buf, size, "[%s]:%u", h, (unsigned)port);
	}
	*p = q;
	return 0;
}

/* "   0: 0100007F:9C40 00000000:0000 07 00000000:00000A00 00:00000000 00000000     0        0 12345 2 ..."
 * (sl, local, remote, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid,
 * timeout, inode). */
static int parse_line(const char *p, enum proc_sock_proto proto, struct proc_sock *s)
{
	int v6 = proto == PROC_SOCK_TCP6 || proto == PROC_SOCK_UDP6;
	uint64_t sl, st, tx, rx, tr, when, retr, uid, timeout, inode;

	memset(s, 0, sizeof(*s));
	s->proto = proto;
	if (decnum(&p, &sl) || *p++ != ':' ||
	    address(&p, v6, s->local, sizeof(s->local)) ||
	    address(&p, v6, s->remote, sizeof(s->remote)))
		return -1;
	while (*p == ' ')
		p++;
	if (hexnum(&p, &st) || *p++ != ' ' || hexnum(&p, &tx) || *p++ != ':' || hexnum(&p, &rx))
		return -1;
	while (*p == ' ')
		p++;
	if (hexnum(&p, &tr) || *p++ != ':' || hexnum(&p, &when))
		return -1;
	while (*p == ' ')
		p++;
	if (hexnum(&p, &retr) || decnum(&p, &uid) || decnum(&p, &timeout) || decnum(&p, &inode))
		return -1;
	if (st > 0xff || tx > INT64_MAX || rx > INT64_MAX || uid > INT64_MAX)
		return -1;
	s->state = (int)st;
	s->tx_queue = (int64_t)tx;
	s->rx_queue = (int64_t)rx;
	s->uid = (int64_t)uid;
	s->inode = inode;
	return 0;
}

int proc_net_sock_parse(const char *text, enum proc_sock_proto proto, int queued_only,
			struct proc_socks *out)
{
	const char *nl = strchr(text, '\n');
	size_t cap = out->n;
	char line[512];

	if (!nl || !strstr(text, "local_address") || strstr(text, "local_address") > nl)
		return -EINVAL;
	for (const char *p = nl + 1; *p; ) {
		size_t n = strcspn(p, "\n");
		struct proc_sock s;

		if (n < sizeof(line)) {
			memcpy(line, p, n);
			line[n] = '\0';
			if (parse_line(line, proto, &s) == 0 &&
			    (!queued_only || s.tx_queue > 0 || s.rx_queue > 0)) {
				if (ht_grow(out->v, cap, out->n + 1))
					return -ENOMEM;
				out->v[out->n++] = s;
			}
		}
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

int proc_net_sock_read(const char *root, int queued_only, struct proc_socks *out)
{
	int first_err = 0, any = 0;

	out->v = NULL;
	out->n = 0;
	for (int pr = 0; pr < PROC_SOCK_PROTOS; pr++) {
		char path[4096], rel[32], *text;
		long n;
		int err;

		snprintf(rel, sizeof(rel), "/proc/net/%s", proc_sock_proto_name(pr));
		err = ht_path(path, sizeof(path), root, rel);
		if (!err) {
			n = ht_read_file_alloc(path, 16384, SOCK_FILE_MAX, &text);
			err = n < 0 ? (int)n : proc_net_sock_parse(text, pr, queued_only, out);
			if (n >= 0)
				free(text);
		}
		if (err == -ENOMEM) {
			proc_socks_free(out);
			return err;
		}
		if (err && !first_err)
			first_err = err;
		any |= err == 0;
	}
	if (!any)
		proc_socks_free(out);
	return any ? 0 : first_err;
}

static int inode_in(uint64_t ino, const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == ino)
			return 1;
	return 0;
}

int proc_sock_owners(const char *root, const uint64_t *inodes, size_t n,
		     int (*fn)(void *ctx, pid_t pid, uint64_t inode), void *ctx)
{
	char base[4096], dir[4200], link[4500], target[64];
	struct dirent *e;
	DIR *d;
	int rc = 0, err = ht_path(base, sizeof(base), root, "/proc");

	if (err)
		return err;
	if (n == 0)
		return 0;
	d = opendir(base);
	if (!d)
		return -errno;
	while (!rc && (e = readdir(d))) {
		struct dirent *f;
		DIR *fd;
		long pid;
		char *end;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(dir, sizeof(dir), "%s/%ld/fd", base, pid);
		fd = opendir(dir);
		if (!fd)
			continue;		/* gone, or not ours to read */
		while (!rc && (f = readdir(fd))) {
			ssize_t len;
			uint64_t ino;
			const char *p;
			if (f->d_name[0] == '.')
				continue;
			snprintf(link, sizeof(link), "%s/%s", dir, f->d_name);
			len = readlink(link, target, sizeof(target) - 1);
			if (len <= 0)
				continue;
			target[len] = '\0';
			if (strncmp(target, "socket:[", 8))
				continue;
			p = target + 8;
			if (decnum(&p, &ino) || *p != ']' || !inode_in(ino, inodes, n))
				continue;
			rc = fn(ctx, (pid_t)pid, ino);
		}
		closedir(fd);
	}
	closedir(d);
	return rc;
}
