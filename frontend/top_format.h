/* healthtap top: numbers into short text with their units. Every function
 * writes into the caller's buf (NUL-terminated, cut at size) and returns it;
 * an unknown value (NAN, -1) prints as "-". */
#ifndef TOP_FORMAT_H
#define TOP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Bytes in binary units, long form: "512 B", "1.5 KiB", "7.8 GiB". */
char *top_fmt_bytes(char *buf, size_t size, int64_t bytes);
/* Bytes, short form for table cells: "512B", "1.5K", "12M", "7.8G". */
char *top_fmt_bytes_short(char *buf, size_t size, double bytes);
/* A signed byte rate, short: "+1.5K/s", "-12M/s", "0B/s". */
char *top_fmt_byte_rate_short(char *buf, size_t size, double bytes_per_s);
/* A signed byte rate, long: "+1.5 KiB/s". */
char *top_fmt_byte_rate(char *buf, size_t size, double bytes_per_s);
/* A duration: "45s", "12m", "3.5h", "2.1d", "1.3y"; INFINITY: "never". */
char *top_fmt_duration(char *buf, size_t size, double s);
/* An event rate: "12/s", "1.2k/s", "3.4M/s". */
char *top_fmt_count_rate(char *buf, size_t size, double per_s);
/* A plain number with a fixed number of decimals, or "-". */
char *top_fmt_num(char *buf, size_t size, double v, int decimals);

/* A sparkline of n values scaled between their min and max: UTF-8 block
 * characters when utf8, else " .:-=+*#". NAN is a blank. */
char *top_fmt_spark(char *buf, size_t size, const double *v, size_t n, int utf8);

#endif
