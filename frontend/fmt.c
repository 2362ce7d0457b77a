/* Numbers and foreign text into text for people (see fmt.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"

double fmt_known(int64_t v)
{
	return v < 0 ? NAN : (double)v;
}

/* ---- bytes ---- */

static const char *const byte_units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
static const char byte_letters[] = "BKMGTP";

char *fmt_bytes(char *buf, size_t size, double bytes)
{
	double a = fabs(bytes);
	int u = 0;

	if (isnan(bytes)) {
		snprintf(buf, size, "-");
		return buf;
	}
	while (a >= 1024 && u < 5) {
		a /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%s%.0f B", bytes < 0 ? "-" : "", a);
	else
		snprintf(buf, size, "%s%.*f %s", bytes < 0 ? "-" : "", a < 10 ? 2 : a < 100 ? 1 : 0,
			 a, byte_units[u]);
	return buf;
}

/* Short form of v >= 0 with its unit letter, at most 4 digits wide. */
static void bytes_short(char *buf, size_t size, double v)
{
	int u = 0;

	while (v >= 1000 && u < 5) {	/* switch at 1000 to keep it 4 wide */
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f%c", v, byte_letters[u]);
	else
		snprintf(buf, size, v < 9.95 ? "%.1f%c" : "%.0f%c", v, byte_letters[u]);
}

char *fmt_bytes_short(char *buf, size_t size, double bytes)
{
	if (isnan(bytes) || bytes < 0)
		snprintf(buf, size, "-");
	else
		bytes_short(buf, size, bytes);
	return buf;
}

/* "+N/s" around the magnitude's text; "0 B/s" (or "0B/s") below half a
 * byte a second. */
static char *byte_rate(char *buf, size_t size, double r, int shrt)
{
	char n[32];

	if (!isfinite(r)) {
		snprintf(buf, size, "-");
		return buf;
	}
	if (fabs(r) < 0.5) {
		snprintf(buf, size, shrt ? "0B/s" : "0 B/s");
		return buf;
	}
	if (shrt)
		bytes_short(n, sizeof(n), fabs(r));
	else
		fmt_bytes(n, sizeof(n), fabs(r));
	snprintf(buf, size, "%c%s/s", r < 0 ? '-' : '+', n);
	return buf;
}

char *fmt_byte_rate(char *buf, size_t size, double r)
{
	return byte_rate(buf, size, r, 0);
}

char *fmt_byte_rate_short(char *buf, size_t size, double r)
{
	return byte_rate(buf, size, r, 1);
}

/* ---- durations ---- */

/* A duration is shown in the first unit it is below `below` of. */
static const struct {
	double secs, below;
	const char *name, *letter;
} dur_units[] = {
	{ 1, 100, "s", "s" },
	{ 60, 100, "min", "m" },
	{ 3600, 48, "h", "h" },
	{ 86400, 365, "d", "d" },
	{ 365 * 86400.0, 100, "y", "y" },
};
enum { DUR_UNITS = sizeof(dur_units) / sizeof(dur_units[0]) };

/* The unit index for s (DUR_UNITS past the last); -1 when s is unknown. */
static int dur_unit(double s)
{
	int u = 0;

	if (isnan(s) || s < 0)
		return -1;
	while (u < DUR_UNITS && s / dur_units[u].secs >= dur_units[u].below)
		u++;
	return u;
}

char *fmt_duration(char *buf, size_t size, double s)
{
	int u = dur_unit(s);

	if (u < 0)
		snprintf(buf, size, "-");
	else if (isinf(s))
		snprintf(buf, size, "never");
	else if (u == DUR_UNITS)
		snprintf(buf, size, "> 99 y");
	else
		snprintf(buf, size, "%.*f %s", u ? 1 : 0, s / dur_units[u].secs, dur_units[u].name);
	return buf;
}

char *fmt_duration_short(char *buf, size_t size, double s)
{
	int u = dur_unit(s);
	double v;

	if (u < 0) {
		snprintf(buf, size, "-");
	} else if (isinf(s)) {
		snprintf(buf, size, "never");
	} else if (u == DUR_UNITS) {
		snprintf(buf, size, ">99y");
	} else {
		/* hours and days get a decimal below 10, years always */
		v = s / dur_units[u].secs;
		snprintf(buf, size, "%.*f%s", u >= 4 || (u >= 2 && v < 10) ? 1 : 0, v,
			 dur_units[u].letter);
	}
	return buf;
}

/* ---- other numbers ---- */

char *fmt_exact(char *buf, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(buf, size, "nan");
	} else if (isinf(v)) {
		snprintf(buf, size, v > 0 ? "inf" : "-inf");
	} else if (v == trunc(v) && fabs(v) < 9007199254740992.0) {	/* 2^53 */
		snprintf(buf, size, "%lld", (long long)v);
	} else {
		/* %.15g is the shortest text for any double that has one of
		 * 15 digits or fewer (DBL_DIG); 17 digits always read back */
		for (int digits = 15; digits <= 17; digits++) {
			snprintf(buf, size, "%.*g", digits, v);
			if (strtod(buf, NULL) == v)
				break;
		}
	}
	return buf;
}

char *fmt_count_rate(char *buf, size_t size, double r)
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

char *fmt_num(char *buf, size_t size, double v, int decimals)
{
	if (!isfinite(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*f", decimals, v);
	return buf;
}

char *fmt_spark(char *buf, size_t size, const double *v, size_t n, int utf8)
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

/* ---- foreign text ---- */

size_t fmt_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* The visible text of the character at p (n bytes left): either the bytes
 * themselves (*piece = p) or an escape written into esc. Returns how many
 * bytes of p it stands for. */
size_t fmt_plain_len(const unsigned char *s, size_t n)
{
	size_t l = fmt_utf8_len(s, n);

	if ((l == 1 && (s[0] < 0x20 || s[0] == 0x7f)) ||
	    (l == 2 && s[0] == 0xc2 && s[1] < 0xa0))	/* C1: U+0080-U+009F */
		return 0;
	return l;
}

static size_t visible_piece(const unsigned char *p, size_t n, char esc[16],
			    const char **piece, size_t *plen)
{
	size_t l = fmt_plain_len(p, n);

	if (l) {
		*piece = (const char *)p;
		*plen = l;
		return l;
	}
	l = fmt_utf8_len(p, n);		/* 2: a C1 control, 1: C0 or DEL, 0: invalid */
	if (l == 2)
		*plen = (size_t)snprintf(esc, 16, "\\x%02x\\x%02x", p[0], p[1]);
	else
		*plen = (size_t)snprintf(esc, 16, "\\x%02x", p[0]);
	*piece = esc;
	return l ? l : 1;
}

char *fmt_visible(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), used = 0;

	if (size == 0)
		return buf;
	while (n > 0) {
		char esc[16];
		const char *piece;
		size_t plen, took = visible_piece(p, n, esc, &piece, &plen);

		if (used + plen + 1 > size)
			break;
		memcpy(buf + used, piece, plen);
		used += plen;
		p += took;
		n -= took;
	}
	buf[used] = '\0';
	return buf;
}

void fmt_visible_add(struct ht_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		char esc[16];
		const char *piece;
		size_t plen, run = 0, took;

		/* copy the longest stretch that needs no escape at once */
		while (run < n) {
			took = visible_piece(p + run, n - run, esc, &piece, &plen);
			if (piece == esc)
				break;
			run += took;
		}
		ht_buf_add(b, (const char *)p, run);
		p += run;
		n -= run;
		if (n == 0)
			break;
		took = visible_piece(p, n, esc, &piece, &plen);
		ht_buf_add(b, piece, plen);
		p += took;
		n -= took;
	}
}
