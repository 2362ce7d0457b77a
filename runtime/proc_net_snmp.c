/* /proc/net/snmp reader: see proc_net_snmp.h. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ht_buf.h"
#include "ht_path.h"
#include "proc_net_snmp.h"
#include "proc_num.h"

/* A signed decimal ("-1" for Tcp MaxConn). Returns 0 or -EINVAL. */
static int parse_value(const char *p, int64_t *out)
{
	int neg = *p == '-';
	size_t len;
	int64_t v;

	if (neg)
		p++;
	len = strlen(p);
	if (len == 0 || proc_u63(p, p + len, &v) != len)
		return -EINVAL;
	*out = neg ? -v : v;
	return 0;
}

/* Cuts the next blank-separated token out of *p, NUL-terminating it in
 * place. Returns NULL at the end of the line. */
static char *next_token(char **p)
{
	char *q = *p, *tok;

	while (*q == ' ' || *q == '\t' || *q == '\r')
		q++;
	if (!*q)
		return NULL;
	tok = q;
	while (*q && *q != ' ' && *q != '\t' && *q != '\r')
		q++;
	if (*q)
		*q++ = '\0';
	*p = q;
	return tok;
}

static int add(struct proc_net_snmp *out, size_t *cap, const char *proto,
	       const char *field, int64_t value)
{
	if (ht_grow(out->v, *cap, out->n + 1))
		return -ENOMEM;
	out->v[out->n++] = (struct proc_net_snmp_entry){ proto, field, value };
	return 0;
}

/* "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ..." then
 * "Tcp: 1 200 120000 -1 13 2 0 0 0 1835 917 0 0 2 0". Both lines are
 * cut up in place; proto and field names point into names. Returns 1 if
 * the two lines are a pair, 0 if not, or -ENOMEM. */
static int parse_pair(struct proc_net_snmp *out, size_t *cap, char *names,
		      char *values)
{
	char *ncolon = strchr(names, ':'), *vcolon = strchr(values, ':');
	char *proto = names, *field, *value;
	int err;

	if (!ncolon || !vcolon || ncolon == names ||
	    ncolon - names != vcolon - values ||
	    memcmp(names, values, ncolon - names) ||
	    !strcmp(ncolon + 1, vcolon + 1))
		return 0;
	*ncolon = '\0';
	names = ncolon + 1;
	values = vcolon + 1;
	while ((field = next_token(&names)) && (value = next_token(&values))) {
		int64_t v;

		if (parse_value(value, &v)) {
			out->nskipped++;
			continue;
		}
		err = add(out, cap, proto, field, v);
		if (err)
			return err;
	}
	return 1;
}

int proc_net_snmp_parse(const char *text, struct proc_net_snmp *out)
{
	size_t cap = 0;
	char *line, *next, *prev = NULL;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->text = strdup(text);
	if (!out->text)
		return -ENOMEM;
	/* Pairs are consecutive lines; a line used as values is not reused
	 * as the next header, and a line that pairs with nothing is dropped. */
	for (line = out->text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!prev) {
			prev = line;
			continue;
		}
		err = parse_pair(out, &cap, prev, line);
		if (err < 0)
			goto cleanup;
		prev = err ? NULL : line;
		err = 0;
	}
	if (out->n == 0 && out->nskipped == 0)
		err = -EINVAL;
cleanup:
	if (err)
		proc_net_snmp_free(out);
	return err;
}

int proc_net_snmp_get(const struct proc_net_snmp *s, const char *proto,
		      const char *field, int64_t *value)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i].proto, proto) && !strcmp(s->v[i].field, field)) {
			*value = s->v[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

void proc_net_snmp_free(struct proc_net_snmp *out)
{
	if (!out)
		return;
	free(out->v);
	free(out->text);
	memset(out, 0, sizeof(*out));
}

int proc_net_snmp_read(const char *root, struct proc_net_snmp *out)
{
	char path[4096];
	char text[65536];		/* ~1.3 KB on 6.x kernels */
	long n;
	int err = ht_path(path, sizeof(path), root, "/proc/net/snmp");

	memset(out, 0, sizeof(*out));
	if (err)
		return err;
	n = ht_read_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	return proc_net_snmp_parse(text, out);
}
