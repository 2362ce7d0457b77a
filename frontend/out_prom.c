/* Prometheus text (see out_prom.h). */
#include <math.h>
#include <string.h>
#include "fmt.h"
#include "out_prom.h"

void out_prom_double(struct ht_buf *b, double v)
{
	char txt[40];

	if (isnan(v))
		ht_buf_puts(b, "NaN");
	else if (isinf(v))
		ht_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else
		ht_buf_puts(b, fmt_exact(txt, sizeof(txt), v));
}

void out_prom_escape(struct ht_buf *b, const char *s, int quote)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n > 0) {
		size_t run = 0, l;

		/* copy the longest stretch that needs no escaping at once */
		while (run < n && p[run] != '\\' && !(quote && p[run] == '"') &&
		       (l = fmt_plain_len(p + run, n - run)))
			run += l;
		ht_buf_add(b, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		if (*p == '\\')
			ht_buf_add(b, "\\\\", 2);
		else if (*p == '\n')
			ht_buf_add(b, "\\n", 2);
		else if (*p == '"')
			ht_buf_add(b, "\\\"", 2);
		else if (*p < 0x20 || *p == 0x7f)	/* the text \x1b, its backslash escaped */
			ht_buf_printf(b, "\\\\x%02x", *p);
		else if (fmt_utf8_len(p, n) == 2) {	/* a C1 control (U+009B: the 8-bit CSI), as fmt_visible() */
			ht_buf_printf(b, "\\\\x%02x\\\\x%02x", p[0], p[1]);
			p++;
			n--;
		} else
			ht_buf_add(b, "\xef\xbf\xbd", 3);	/* U+FFFD */
		p++;
		n--;
	}
}
