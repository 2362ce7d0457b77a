/* The Prometheus text format and OpenMetrics: the escaping and number
 * rules of serve's /metrics, in one place. */
#ifndef OUT_PROM_H
#define OUT_PROM_H

#include "out.h"

/* A float the way Prometheus writes one: "NaN", "+Inf", "-Inf", else
 * fmt_exact() (integral values as integers, else the shortest exact). */
void out_prom_double(struct ht_buf *b, double v);

/* A label value or HELP text: backslash, double quote (label values only:
 * quote != 0) and newline escaped; bytes that are not valid UTF-8 become
 * U+FFFD and other control characters (C0, DEL, C1 such as the 8-bit
 * CSI) the text \xNN as fmt_visible() writes it (its backslash escaped, as
 * the format wants), so the output is always valid UTF-8, one line and
 * safe on a terminal. */
void out_prom_escape(struct ht_buf *b, const char *s, int quote);

#endif
