/* Numbers and foreign text into text for people: the one set of formatters
 * every command uses (tables, headers, messages, the dashboard).
 *
 * Each fmt_* writes into the caller's buf (NUL-terminated, cut at size) and
 * returns it. An unknown value (NAN) prints as "-". Long forms are for
 * sentences ("1.50 MiB", "12.5 min"), short forms for table cells ("1.5M",
 * "12m"); both pick their unit by the same rule.
 *
 * Text that comes from a process (comm, cmdline, cgroup path) or from a
 * stream reaches a terminal only through fmt_visible(): see there. */
#ifndef FMT_H
#define FMT_H

#include <stddef.h>
#include <stdint.h>
#include "ht_buf.h"

/* A count whose negative value means unknown (-1 sentinels) as a double:
 * NAN when v < 0. */
double fmt_known(int64_t v);

/* Bytes in binary units, three significant digits: "512 B", "1.50 KiB",
 * "23.5 GiB", "541 MiB", "-3.20 MiB". */
char *fmt_bytes(char *buf, size_t size, double bytes);
/* Bytes for table cells, at most 4 wide: "512B", "1.5K", "12M", "7.8G";
 * negative is unknown ("-"). */
char *fmt_bytes_short(char *buf, size_t size, double bytes);
/* A signed byte rate: "+1.50 KiB/s", "-12.0 MiB/s", "0 B/s". */
char *fmt_byte_rate(char *buf, size_t size, double bytes_per_s);
/* A signed byte rate for table cells: "+1.5K/s", "-12M/s", "0B/s". */
char *fmt_byte_rate_short(char *buf, size_t size, double bytes_per_s);

/* A duration: "45 s", "12.5 min", "3.2 h", "6.6 d", "1.3 y", "never"
 * (INFINITY); negative is unknown. */
char *fmt_duration(char *buf, size_t size, double s);
/* A duration for table cells: "45s", "12m", "3.5h", "21d", "1.3y", ">99y",
 * "never". */
char *fmt_duration_short(char *buf, size_t size, double s);

/* An event rate: "1.2/s", "12/s", "1.2k/s", "3.4M/s". */
char *fmt_count_rate(char *buf, size_t size, double per_s);
/* A number for machines: an integral value below 2^53 as an integer
 * ("1134592"), else the shortest text that reads back as exactly v
 * ("0.1", "1.0000000000000002"); "nan", "inf", "-inf". buf of 32 bytes. */
char *fmt_exact(char *buf, size_t size, double v);
/* A plain number with a fixed number of decimals. */
char *fmt_num(char *buf, size_t size, double v, int decimals);

/* A sparkline of n values scaled between their min and max: UTF-8 block
 * characters when utf8, else " .:-=+*#". NAN is a blank. */
char *fmt_spark(char *buf, size_t size, const double *v, size_t n, int utf8);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (overlong, surrogate, truncated, > U+10FFFF). n: bytes left. */
size_t fmt_utf8_len(const unsigned char *s, size_t n);
/* The same for a character that is not a control character (C0, DEL, C1):
 * what every writer (fmt_visible, JSON, CSV, Prometheus) copies as it is.
 * 0 when the bytes at s are a control or not valid UTF-8. */
size_t fmt_plain_len(const unsigned char *s, size_t n);

/* Foreign text made safe to show: valid UTF-8 passes; control characters
 * (C0, DEL, C1 such as the 8-bit CSI) and bytes that are not valid UTF-8
 * are shown as \xNN, so an ESC [2J in a comm prints as the text "\x1b[2J"
 * and never reaches the terminal as an escape. Backslash itself passes:
 * this is for eyes, not for parsing back (JSON and CSV have their own
 * writers, out_json.h and out_csv.h).
 *
 * fmt_visible() cuts at size on a whole character or escape; n bytes of s
 * are read in fmt_visible_add(), which appends to b. */
char *fmt_visible(char *buf, size_t size, const char *s);
void fmt_visible_add(struct ht_buf *b, const char *s, size_t n);

#endif
