/* /proc/net/dev reader: see proc_net_dev.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "proc_net_dev.h"
#include "proc_num.h"

#define NCOLS 16

static const size_t cols[NCOLS] = {
	offsetof(struct proc_net_dev_if, rx_bytes),
	offsetof(struct proc_net_dev_if, rx_packets),
	offsetof(struct proc_net_dev_if, rx_errs),
	offsetof(struct proc_net_dev_if, rx_drop),
	offsetof(struct proc_net_dev_if, rx_fifo),
	offsetof(struct proc_net_dev_if, rx_frame),
	offsetof(struct proc_net_dev_if, rx_compressed),
	offsetof(struct proc_net_dev_if, rx_multicast),
	offsetof(struct proc_net_dev_if, tx_bytes),
	offsetof(struct proc_net_dev_if, tx_packets),
	offsetof(struct proc_net_dev_if, tx_errs),
	offsetof(struct proc_net_dev_if, tx_drop),
	offsetof(struct proc_net_dev_if, tx_fifo),
	offsetof(struct proc_net_dev_if, tx_colls),
	offsetof(struct proc_net_dev_if, tx_carrier),
	offsetof(struct proc_net_dev_if, tx_compressed),
};

/* "  eth0: 64583108    1835    0    0    0     0          0         0    69898 ..."
 * Returns 0, or -EINVAL when the row does not parse. */
static int parse_row(const char *p, size_t len, struct proc_net_dev_if *row)
{
	const char *end = p + len, *colon = NULL;
	size_t nlen;
	int col = 0;

	for (const char *q = p; q < end; q++)
		if (*q == ':')
			colon = q;
	if (!colon)
		return -EINVAL;
	while (p < colon && *p == ' ')
		p++;
	nlen = colon - p;
	if (nlen == 0 || nlen >= sizeof(row->name) || memchr(p, ' ', nlen))
		return -EINVAL;
	memcpy(row->name, p, nlen);
	row->name[nlen] = '\0';
	for (int i = 0; i < NCOLS; i++)
		*(int64_t *)((char *)row + cols[i]) = -1;
	for (p = colon + 1; ; ) {
		int64_t v;
		size_t n;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == end)
			break;
		if (col == NCOLS || !(n = proc_u63(p, end, &v)))
			return -EINVAL;
		p += n;
		*(int64_t *)((char *)row + cols[col++]) = v;
	}
	return col ? 0 : -EINVAL;
}

int proc_net_dev_parse(const char *text, struct proc_net_dev *out)
{
	size_t cap = 0;
	int header = 0, err = 0;

	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		if (memchr(p, '|', n)) {
			/* " face |bytes    packets errs drop fifo ..." */
			if (n >= 6 && memmem(p, n, "|bytes", 6))
				header = 1;
		} else if (strspn(p, " \t\r") < n) {
			if (ht_grow(out->ifs, cap, out->nifs + 1)) {
				err = -ENOMEM;
				goto cleanup;
			}
			if (parse_row(p, n, &out->ifs[out->nifs]))
				out->nskipped++;
			else
				out->nifs++;
		}
		p += n;
		if (*p)
			p++;
	}
	if (!header)
		err = -EINVAL;
cleanup:
	if (err)
		proc_net_dev_free(out);
	return err;
}

void proc_net_dev_free(struct proc_net_dev *out)
{
	if (!out)
		return;
	free(out->ifs);
	memset(out, 0, sizeof(*out));
}

const struct proc_net_dev_if *proc_net_dev_find(const struct proc_net_dev *d,
						const char *name)
{
	for (size_t i = 0; i < d->nifs; i++)
		if (!strcmp(d->ifs[i].name, name))
			return &d->ifs[i];
	return NULL;
}

int proc_net_dev_read(const char *root, struct proc_net_dev *out)
{
	char path[4096];
	char *text;
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/net/dev");

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	/* ~170 bytes per interface; thousands of veths: read again */
	n = ht_read_file_alloc(path, 1 << 16, 1u << 26, &text);
	if (n < 0)
		return (int)n;
	err = proc_net_dev_parse(text, out);
	free(text);
	return err;
}
