/* symsites: the sites of a health.alloc stream, symbolized in a live
 * process (runtime/ht_alloc_sites + runtime/ht_sym), for the tests:
 *   symsites PID STREAM  ->  "BYTES BLOCKS SYMBOL" per site, most first */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ht_alloc.h"
#include "ht_stream.h"
#include "ht_sym.h"

static int feed(void *ctx, const struct ht_record *rec)
{
	ht_alloc_sites_add(ctx, rec);
	return 0;
}

int main(int argc, char **argv)
{
	struct ht_alloc_sites *a = ht_alloc_sites_new();
	struct ht_alloc_site out[256];
	struct ht_sym_site site;
	struct ht_sym *s;
	struct ht_stream *st;
	char buf[4096];
	size_t n, len;
	FILE *f;
	int err;

	if (argc != 3 || !a)
		return 2;
	if ((err = ht_sym_open(NULL, atoi(argv[1]), &s))) {
		fprintf(stderr, "symsites: cannot open process %s: %s\n", argv[1], strerror(-err));
		return 1;
	}
	if (!(f = fopen(argv[2], "r")))
		return 1;
	st = ht_stream_new(feed, NULL, a);
	while ((len = fread(buf, 1, sizeof(buf), f)) > 0)
		ht_stream_feed(st, buf, len);
	ht_stream_finish(st);
	ht_stream_free(st);
	fclose(f);
	n = ht_alloc_sites_get(a, out, 256, NULL);
	for (size_t i = 0; i < n && i < 256; i++) {
		ht_sym_lookup(s, out[i].addr, 1, &site);
		ht_sym_format(&site, buf, sizeof(buf));
		printf("%lld %lld %s\n", (long long)out[i].bytes, (long long)out[i].blocks, buf);
	}
	ht_sym_free(s);
	ht_alloc_sites_free(a);
	return 0;
}
