/* The output layer: growing memory (runtime/ht_buf), the formatters and
 * the terminal-safe text (frontend/fmt), the JSON, CSV and Prometheus
 * writers (frontend/out_*). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include "ht_test.h"
#include "fmt.h"
#include "out_csv.h"
#include "out_json.h"
#include "out_prom.h"

static void test_grow(void)
{
	int *v = NULL;
	size_t cap = 0, n;

	for (n = 0; n < 1000; n++) {
		CHECK_INT(ht_grow(v, cap, n + 1), 0);
		v[n] = (int)n;
	}
	CHECK(cap >= 1000 && cap < 2048);
	CHECK_INT(v[999], 999);
	/* a size that overflows is refused and leaves the array as it was */
	CHECK_INT(ht_grow(v, cap, SIZE_MAX / 2), -ENOMEM);
	CHECK(cap >= 1000 && cap < 2048);
	CHECK_INT(v[500], 500);
	free(v);
}

static void test_buf(void)
{
	struct ht_buf b = { 0 };
	size_t len;
	char *s;

	ht_buf_puts(&b, "abc");
	ht_buf_printf(&b, "%d-%s", 42, "x");
	CHECK_STR(b.data, "abc42-x");
	/* a long printf takes the slow path */
	ht_buf_reset(&b);
	ht_buf_printf(&b, "%0300d", 7);
	CHECK_INT(b.len, 300);
	CHECK_INT(b.data[299], '7');
	s = ht_buf_take(&b, &len);
	CHECK_INT(len, 300);
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	/* past the bound: failed, and nothing more is appended */
	b.max = 4;
	ht_buf_puts(&b, "1234");
	ht_buf_puts(&b, "5");
	ht_buf_puts(&b, "");
	CHECK(b.failed);
	CHECK(ht_buf_take(&b, &len) == NULL);
	CHECK_INT(len, 0);
}

static void test_bytes(void)
{
	char buf[32];

	CHECK_STR(fmt_bytes(buf, sizeof(buf), 512), "512 B");
	CHECK_STR(fmt_bytes(buf, sizeof(buf), 1536), "1.50 KiB");
	CHECK_STR(fmt_bytes(buf, sizeof(buf), 541.0 * 1048576), "541 MiB");
	CHECK_STR(fmt_bytes(buf, sizeof(buf), 23.5 * 1073741824), "23.5 GiB");
	CHECK_STR(fmt_bytes(buf, sizeof(buf), -3.2 * 1048576), "-3.20 MiB");
	CHECK_STR(fmt_bytes(buf, sizeof(buf), NAN), "-");
	CHECK_STR(fmt_bytes(buf, sizeof(buf), fmt_known(-1)), "-");
	CHECK_STR(fmt_bytes_short(buf, sizeof(buf), 512), "512B");
	CHECK_STR(fmt_bytes_short(buf, sizeof(buf), 1536), "1.5K");
	CHECK_STR(fmt_bytes_short(buf, sizeof(buf), 999), "999B");
	CHECK_STR(fmt_bytes_short(buf, sizeof(buf), 1000), "1.0K");
	CHECK_STR(fmt_bytes_short(buf, sizeof(buf), 12.0 * 1048576), "12M");
	CHECK_STR(fmt_bytes_short(buf, sizeof(buf), -1), "-");
	CHECK_STR(fmt_byte_rate(buf, sizeof(buf), 1536), "+1.50 KiB/s");
	CHECK_STR(fmt_byte_rate(buf, sizeof(buf), -0.2), "0 B/s");
	CHECK_STR(fmt_byte_rate(buf, sizeof(buf), INFINITY), "-");
	CHECK_STR(fmt_byte_rate_short(buf, sizeof(buf), -12.0 * 1048576), "-12M/s");
	CHECK_STR(fmt_byte_rate_short(buf, sizeof(buf), 0), "0B/s");
}

static void test_durations(void)
{
	char buf[32];

	CHECK_STR(fmt_duration(buf, sizeof(buf), 45), "45 s");
	CHECK_STR(fmt_duration(buf, sizeof(buf), 750), "12.5 min");
	CHECK_STR(fmt_duration(buf, sizeof(buf), 3.2 * 3600), "3.2 h");
	CHECK_STR(fmt_duration(buf, sizeof(buf), 6.6 * 86400), "6.6 d");
	CHECK_STR(fmt_duration(buf, sizeof(buf), 2 * 365 * 86400.0), "2.0 y");
	CHECK_STR(fmt_duration(buf, sizeof(buf), INFINITY), "never");
	CHECK_STR(fmt_duration(buf, sizeof(buf), NAN), "-");
	CHECK_STR(fmt_duration(buf, sizeof(buf), 1e12), "> 99 y");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), 45), "45s");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), 750), "12m");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), 3.5 * 3600), "3.5h");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), 21 * 86400), "21d");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), 1.3 * 365 * 86400), "1.3y");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), 1e12), ">99y");
	CHECK_STR(fmt_duration_short(buf, sizeof(buf), -1), "-");
	CHECK_STR(fmt_count_rate(buf, sizeof(buf), 12345), "12.3k/s");
	CHECK_STR(fmt_num(buf, sizeof(buf), NAN, 2), "-");
}

static void test_exact(void)
{
	char buf[40];
	const double samples[] = { 0.1, 1.0 / 3, 1e-300, 123456789.125, 1e21, -2.5e-7,
				   1.0000000000000002 };

	CHECK_STR(fmt_exact(buf, sizeof(buf), 1134592), "1134592");
	CHECK_STR(fmt_exact(buf, sizeof(buf), -0.0), "0");
	CHECK_STR(fmt_exact(buf, sizeof(buf), 0.1), "0.1");
	CHECK_STR(fmt_exact(buf, sizeof(buf), 9007199254740991.0), "9007199254740991");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		CHECK(strtod(fmt_exact(buf, sizeof(buf), samples[i]), NULL) == samples[i]);
}

static void test_visible(void)
{
	char buf[64];
	struct ht_buf b = { 0 };

	CHECK_STR(fmt_visible(buf, sizeof(buf), "plain caf\xc3\xa9 \\"), "plain caf\xc3\xa9 \\");
	CHECK_STR(fmt_visible(buf, sizeof(buf), "\x1b[2Jx"), "\\x1b[2Jx");
	CHECK_STR(fmt_visible(buf, sizeof(buf), "a\xff\xfe" "b"), "a\\xff\\xfeb");
	CHECK_STR(fmt_visible(buf, sizeof(buf), "\xc2\x9b" "31m\x7f\n"), "\\xc2\\x9b31m\\x7f\\x0a");
	/* a truncated sequence, an overlong and a surrogate */
	CHECK_STR(fmt_visible(buf, sizeof(buf), "\xe2\x82"), "\\xe2\\x82");
	CHECK_STR(fmt_visible(buf, sizeof(buf), "\xc0\xaf"), "\\xc0\\xaf");
	CHECK_STR(fmt_visible(buf, sizeof(buf), "\xed\xa0\x80"), "\\xed\\xa0\\x80");
	/* cut on a whole escape */
	CHECK_STR(fmt_visible(buf, 7, "ab\x1b" "cd"), "ab\\x1b");
	CHECK_STR(fmt_visible(buf, 6, "ab\x1b" "cd"), "ab");
	fmt_visible_add(&b, "x\x1by\xf0\x9f\x98\x80", 7);
	CHECK_STR(b.data, "x\\x1by\xf0\x9f\x98\x80");
	ht_buf_free(&b);
}

static void test_json(void)
{
	struct ht_buf b = { 0 };
	struct out_json j;

	out_json_init(&j, &b);
	out_json_object(&j, NULL);
	out_json_int(&j, "pid", 42);
	out_json_str(&j, "comm", "a\"b\\c\n\t\x1b[2J\xff\xc2\x9b\xc3\xa9");
	out_json_str(&j, "none", NULL);
	out_json_count(&j, "rss", -1);
	out_json_count(&j, "anon", 1134592);
	out_json_uint(&j, "big", UINT64_MAX);
	out_json_double(&j, "rate", 0.1);
	out_json_double(&j, "bytes", 1134592.0);
	out_json_double(&j, "nan", NAN);
	out_json_double(&j, "inf", -INFINITY);
	out_json_bool(&j, "on", 1);
	out_json_array(&j, "v");
	out_json_double(&j, NULL, 1.5);
	out_json_object(&j, NULL);
	out_json_end(&j);
	out_json_array(&j, NULL);
	out_json_end(&j);
	out_json_null(&j, NULL);
	out_json_end(&j);
	out_json_end(&j);
	out_json_end(&j);	/* one too many: ignored */
	CHECK_STR(b.data, "{\"pid\":42,\"comm\":\"a\\\"b\\\\c\\n\\t\\u001b[2J\\ufffd\\u009b\xc3\xa9\","
		  "\"none\":null,\"rss\":null,\"anon\":1134592,\"big\":18446744073709551615,"
		  "\"rate\":0.1,\"bytes\":1134592,\"nan\":null,\"inf\":null,\"on\":true,"
		  "\"v\":[1.5,{},[],null]}");
	CHECK_INT(j.depth, 0);
	ht_buf_free(&b);
}

static void test_csv(void)
{
	struct ht_buf b = { 0 };
	struct out_csv c;

	out_csv_init(&c, &b);
	out_csv_word(&c, "kind");
	out_csv_str(&c, "say \"hi\", then\n\x1b[2J\xff");
	out_csv_int(&c, -5);
	out_csv_count(&c, -1);
	out_csv_double(&c, NAN);
	out_csv_double(&c, INFINITY);
	out_csv_double(&c, 2.5);
	out_csv_end(&c);
	out_csv_str(&c, NULL);
	out_csv_end(&c);
	CHECK_STR(b.data, "kind,\"say \"\"hi\"\", then\\x0a\\x1b[2J\\xff\",-5,,,inf,2.5\n\"\"\n");
	ht_buf_free(&b);
}

static void test_prom(void)
{
	struct ht_buf b = { 0 };

	out_prom_escape(&b, "a\"b\\c\nd\x1b\xff", 1);
	CHECK_STR(b.data, "a\\\"b\\\\c\\nd\\\\x1b\xef\xbf\xbd");
	ht_buf_reset(&b);
	out_prom_escape(&b, "help \"quoted\"", 0);
	CHECK_STR(b.data, "help \"quoted\"");
	ht_buf_reset(&b);
	/* the 8-bit CSI (C1, U+009B) as text, the next character kept whole */
	out_prom_escape(&b, "x\xc2\x9b[2J\xc3\xa9", 1);
	CHECK_STR(b.data, "x\\\\xc2\\\\x9b[2J\xc3\xa9");
	ht_buf_reset(&b);
	out_prom_double(&b, NAN);
	out_prom_double(&b, -INFINITY);
	ht_buf_putc(&b, ' ');
	out_prom_double(&b, 0.25);
	CHECK_STR(b.data, "NaN-Inf 0.25");
	ht_buf_free(&b);
}

int main(void)
{
	test_grow();
	test_buf();
	test_bytes();
	test_durations();
	test_exact();
	test_visible();
	test_json();
	test_csv();
	test_prom();
	return ht_test_done("test_out");
}
