/* The output layer: every document a command prints or serves is built in
 * an ht_buf by one writer per format (out_json.h, out_csv.h, out_prom.h),
 * with the formatters and the terminal-safe text of fmt.h. */
#ifndef OUT_H
#define OUT_H

#include <stdio.h>
#include "ht_buf.h"

/* Writes what buf holds to out, flushes out and empties buf. Returns 0,
 * -ENOMEM when the buffer had failed (nothing is written), or -EIO. */
int out_write(struct ht_buf *buf, FILE *out);

#endif
