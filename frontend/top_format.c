/* healthtap top: numbers into text (see top_format.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "top_format.h"

static const char *const long_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
static const char short_units[] = "BKMGTP";

char *top_fmt_bytes(char *buf, size_t size, int64_t bytes)
{
	double v = (double)bytes;
	int u = 0;

	if (bytes < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%" PRId64 " B", bytes);
	else
		snprintf(buf, size, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v,
			 long_units[u]);
	return buf;
}

/* Short form of |v| with its unit letter, at most 4 digits wide. */
static void short_abs(char *buf, size_t size, double v)
{
	int u = 0;

	while (v >= 1000 && u < 5) {	/* switch at 1000 to keep it 4 wide */
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f%c", v, short_units[u]);
	else
		snprintf(buf, size, v < 9.95 ? "%.1f%c" : "%.0f%c", v, short_units[u]);
}

char *top_fmt_bytes_short(char *buf, size_t size, double bytes)
{
	if (isnan(bytes) || bytes < 0) {
		snprintf(buf, size, "-");
		return buf;
	}
	short_abs(buf, size, bytes);
	return buf;
}

char *top_fmt_byte_rate_short(char *buf, size_t size, double r)
{
	char n[16];

	if (!isfinite(r)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (fabs(r) < 0.5) {
		snprintf(buf, size, "0B/s");
		return buf;
	}
	short_abs(n, sizeof(n), fabs(r));
	snprintf(buf, size, "%c%s/s", r < 0 ? '-' : '+', n);
	return buf;
}

char *top_fmt_byte_rate(char *buf, size_t size, double r)
{
	char n[24];

	if (!isfinite(r)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (fabs(r) < 0.5) {
		snprintf(buf, size, "0 B/s");
		return buf;
	}
	top_fmt_bytes(n, sizeof(n), (int64_t)fabs(r));
	snprintf(buf, size, "%c%s/s", r < 0 ? '-' : '+', n);
	return buf;
}

char *top_fmt_duration(char *buf, size_t size, double s)
{
	if (isnan(s) || s < 0)
		snprintf(buf, size, "-");
	else if (isinf(s))
		snprintf(buf, size, "never");
	else if (s < 100)
		snprintf(buf, size, "%.0fs", s);
	else if (s < 100 * 60)
		snprintf(buf, size, "%.0fm", s / 60);
	else if (s < 48 * 3600)
		snprintf(buf, size, s < 10 * 3600 ? "%.1fh" : "%.0fh", s / 3600);
	else if (s < 365 * 86400.0)
		snprintf(buf, size, s < 10 * 86400 ? "%.1fd" : "%.0fd", s / 86400);
	else if (s < 100 * 365 * 86400.0)
		snprintf(buf, size, "%.1fy", s / (365 * 86400.0));
	else
		snprintf(buf, size, ">99y");
	return buf;
}

char *top_fmt_count_rate(char *buf, size_t size, double r)
{
	if (!isfinite(r))
		snprintf(buf, size, "-");
	else if (fabs(r) < 10)
		snprintf(buf, size, "%.1f/s", r);
	else if (fabs(r) < 10000)
		snprintf(buf, size, "%.0f/s", r);
	else if (fabs(r) < 1e6)
		snprintf(buf, size, "%.1fk/s", r / 1e3);
	else
		snprintf(buf, size, "%.1fM/s", r / 1e6);
	return buf;
}

char *top_fmt_num(char *buf, size_t size, double v, int decimals)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*f", decimals, v);
	return buf;
}

char *top_fmt_spark(char *buf, size_t size, const double *v, size_t n, int utf8)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = " .:-=+*#";
	double lo = INFINITY, hi = -INFINITY;
	size_t used = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *piece;
		char one[2] = { 0, 0 };
		int level;

		if (isnan(v[i])) {
			piece = " ";
		} else {
			/* flat lines sit at the bottom; else scale to 8 levels */
			level = hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7 + 0.5) : 0;
			if (utf8) {
				piece = blocks[level];
			} else {
				one[0] = ascii[level ? level : 1];
				piece = one;
			}
		}
		size_t len = strlen(piece);
		if (used + len + 1 > size)
			break;
		memcpy(buf + used, piece, len + 1);
		used += len;
	}
	return buf;
}
