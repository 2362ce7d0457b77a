#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "cli.h"
#include "fmt.h"
#include "out.h"

void ht_cmd_verr(const char *cmd, const char *fmt, va_list ap)
{
	struct ht_buf msg = { 0 }, line = { 0 };

	ht_buf_vprintf(&msg, fmt, ap);
	if (msg.len && msg.data[msg.len - 1] == '\n')	/* a library's own newline */
		msg.len--;
	ht_buf_printf(&line, "healthtap%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	fmt_visible_add(&line, msg.data ? msg.data : "", msg.len);
	ht_buf_putc(&line, '\n');
	out_write(&line, stderr);
	ht_buf_free(&msg);
	ht_buf_free(&line);
}

void ht_cmd_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ht_cmd_verr(cmd, fmt, ap);
	va_end(ap);
}

void ht_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ht_cmd_verr(NULL, fmt, ap);
	va_end(ap);
}

int ht_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ht_cmd_verr(cmd, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'healthtap %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* The number at the start of a duration or a size into *v, *end after it
 * (errno ERANGE on overflow). Decimal only: strtod would also take "inf",
 * "nan", "0x10" and " +2". Returns 0 or -EINVAL. */
static int parse_decimal(const char *text, double *v, char **end)
{
	if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '.'))
		return -EINVAL;
	errno = 0;
	*v = strtod(text, end);
	if (*end == text || strspn(text, "0123456789.eE+-") < (size_t)(*end - text))
		return -EINVAL;
	return 0;
}

int ht_parse_duration_ms(const char *text, int64_t *ms)
{
	static const struct { const char *suffix; double scale; } units[] = {
		{ "ms", 1 }, { "s", 1e3 }, { "", 1e3 }, { "m", 60e3 },
		{ "h", 3600e3 }, { "d", 86400e3 },
	};
	char *end;
	double v;

	if (parse_decimal(text, &v, &end))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			double t = v * units[i].scale + 0.5;

			/* 2^63 is exact as a double; anything at or past it overflows. */
			if (errno == ERANGE || !(t < 9223372036854775808.0))
				return -ERANGE;
			*ms = (int64_t)t;
			return 0;
		}
	}
	return -EINVAL;
}

int ht_parse_count(const char *text, int64_t *out)
{
	char *end;
	long long v;

	if (!(text[0] >= '0' && text[0] <= '9'))	/* no sign, no blank */
		return -EINVAL;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

int ht_parse_bytes(const char *text, int64_t *out)
{
	char *end;
	double v, t;

	if (parse_decimal(text, &v, &end))
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v *= 1024.0; end++; break;
	case 'm': case 'M': v *= 1024.0 * 1024; end++; break;
	case 'g': case 'G': v *= 1024.0 * 1024 * 1024; end++; break;
	case 't': case 'T': v *= 1024.0 * 1024 * 1024 * 1024; end++; break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	t = v + 0.5;
	if (errno == ERANGE || !(t < 9223372036854775808.0))	/* 2^63, exact */
		return -ERANGE;
	*out = (int64_t)t;
	return 0;
}

/* ms as an option would be written: "100ms", "10s", "5m", "1h", "1d". */
static const char *duration_text(char *buf, size_t size, int64_t ms)
{
	static const struct { const char *suffix; int64_t ms; } units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ms && ms % units[i].ms == 0) {
			snprintf(buf, size, "%" PRId64 "%s", ms / units[i].ms, units[i].suffix);
			return buf;
		}
	}
	snprintf(buf, size, "%" PRId64 "ms", ms);
	return buf;
}

int ht_opt_duration(const char *cmd, const char *opt, const char *text, int64_t min_ms,
		    int64_t max_ms, int64_t *out)
{
	char lo[32], hi[32];
	int64_t ms;

	if (ht_parse_duration_ms(text, &ms) == 0 && ms >= min_ms && ms <= max_ms) {
		*out = ms;
		return 0;
	}
	return ht_usage_error(cmd, "bad %s '%s': want a duration from %s to %s (500ms, 2s, 5m, 1h)",
			      opt, text, duration_text(lo, sizeof(lo), min_ms),
			      duration_text(hi, sizeof(hi), max_ms));
}

int ht_opt_count(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
		 int64_t *out)
{
	int64_t v;

	if (ht_parse_count(text, &v) == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	return ht_usage_error(cmd, "bad %s '%s': want an integer from %" PRId64 " to %" PRId64,
			      opt, text, min, max);
}

int ht_opt_bytes(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
		 int64_t *out)
{
	int64_t v;

	if (ht_parse_bytes(text, &v) == 0 && v >= min && v <= max) {
		*out = v;
		return 0;
	}
	if (max == INT64_MAX)
		return ht_usage_error(cmd, "bad %s '%s': want a size of at least %" PRId64
				      " bytes (64K, 500M, 2G)", opt, text, min);
	return ht_usage_error(cmd, "bad %s '%s': want a size from %" PRId64 " to %" PRId64
			      " bytes (64K, 500M, 2G)", opt, text, min, max);
}

void ht_sleep_until(int64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = deadline_ns / 1000000000,
		.tv_nsec = deadline_ns % 1000000000,
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

enum { MAX_COMMANDS = 32 };
static const struct ht_command *registered[MAX_COMMANDS];
static size_t nregistered;

void ht_command_register(const struct ht_command *cmd)
{
	size_t i = nregistered;

	if (nregistered == MAX_COMMANDS)
		return;
	/* Insertion sort by order keeps --help stable whatever the link order. */
	while (i > 0 && registered[i - 1]->order > cmd->order) {
		registered[i] = registered[i - 1];
		i--;
	}
	registered[i] = cmd;
	nregistered++;
}

const struct ht_command *ht_command_find(const char *name)
{
	for (size_t i = 0; i < nregistered; i++)
		if (strcmp(registered[i]->name, name) == 0)
			return registered[i];
	return NULL;
}

const struct ht_command *ht_command_at(size_t i)
{
	return i < nregistered ? registered[i] : NULL;
}

int ht_mkdir_p(const char *path, mode_t mode)
{
	char buf[4096], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int ht_default_db_path(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		snprintf(buf, size, "/var/lib/healthtap/healthtap.db");
	else if (xdg && *xdg)
		snprintf(buf, size, "%s/healthtap/healthtap.db", xdg);
	else if (home && *home)
		snprintf(buf, size, "%s/.local/state/healthtap/healthtap.db", home);
	else
		return -ENOENT;
	return 0;
}

static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dirs[4096], file[4200];

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", d, prog);
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}

const char *ht_stap_prefix(char *buf, size_t size)
{
	static char why[1024];
	const char *ts = getenv("HEALTHTAP_TAPSET"), *env = getenv("HEALTHTAP_STAP");
	char build[300];
	struct utsname u;
	int modules;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return NULL;
	}
	if (!in_path("stap"))
		return "stap is not installed (scripts/install-deps)";
	if (geteuid() != 0)
		return "not root: stap needs root to load probes";
	uname(&u);
	/* Both runtimes build against the running kernel's build tree. */
	snprintf(build, sizeof(build), "/lib/modules/%s/build", u.release);
	if (access(build, F_OK) < 0) {
		snprintf(why, sizeof(why), "no kernel build tree at %s (install "
			 "linux-headers-%s, or give the stap command in HEALTHTAP_STAP_CMD, "
			 "e.g. \"tests/stap/harness run -e 'probe health.* {}'\", and for "
			 "--where the program alone in HEALTHTAP_STAP, e.g. \"exec "
			 "tests/stap/harness run\")", build, u.release);
		return why;
	}
	modules = access("/proc/modules", F_OK) == 0;
	if (!modules && access("/sys/fs/bpf", F_OK) < 0)
		return "the kernel loads no modules and has no BPF";
	snprintf(buf, size, "exec stap%s%s%s", modules ? "" : " --runtime=bpf",
		 ts && *ts ? " -I " : "", ts && *ts ? ts : "");
	return NULL;
}

const char *ht_stap_default_cmd(char *buf, size_t size)
{
	const char *env = getenv("HEALTHTAP_STAP_CMD"), *why;
	size_t n;

	if (env && *env) {
		snprintf(buf, size, "%s", env);
		return NULL;
	}
	if ((why = ht_stap_prefix(buf, size)))
		return why;
	n = strlen(buf);
	snprintf(buf + n, size - n, " -e 'probe health.* {}'");
	return NULL;
}
