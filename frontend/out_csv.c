/* The CSV writer (see out_csv.h). */
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include "fmt.h"
#include "out_csv.h"

void out_csv_init(struct out_csv *c, struct ht_buf *buf)
{
	c->buf = buf;
	c->field = 0;
}

static void sep(struct out_csv *c)
{
	if (c->field++)
		ht_buf_putc(c->buf, ',');
}

void out_csv_str(struct out_csv *c, const char *s)
{
	const char *q;

	sep(c);
	ht_buf_putc(c->buf, '"');
	for (s = s ? s : ""; (q = strchr(s, '"')); s = q + 1) {
		fmt_visible_add(c->buf, s, (size_t)(q - s));
		ht_buf_add(c->buf, "\"\"", 2);
	}
	fmt_visible_add(c->buf, s, strlen(s));
	ht_buf_putc(c->buf, '"');
}

void out_csv_word(struct out_csv *c, const char *s)
{
	sep(c);
	ht_buf_puts(c->buf, s);
}

void out_csv_int(struct out_csv *c, int64_t v)
{
	sep(c);
	ht_buf_printf(c->buf, "%" PRId64, v);
}

void out_csv_count(struct out_csv *c, int64_t v)
{
	if (v < 0)
		out_csv_empty(c);
	else
		out_csv_int(c, v);
}

void out_csv_double(struct out_csv *c, double v)
{
	char txt[40];

	sep(c);
	if (!isnan(v))
		ht_buf_puts(c->buf, fmt_exact(txt, sizeof(txt), v));
}

void out_csv_empty(struct out_csv *c)
{
	sep(c);
}

void out_csv_end(struct out_csv *c)
{
	ht_buf_putc(c->buf, '\n');
	c->field = 0;
}
