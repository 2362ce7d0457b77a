/* Helpers shared by the healthtap subcommands. */
#ifndef HT_CLI_H
#define HT_CLI_H

#include <stdint.h>

/* Exit codes: usage errors 2, runtime errors 1. */
enum { EXIT_USAGE = 2 };

/* A subcommand: argv[0] is its name. Returns the process exit code. */
struct ht_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_top(int argc, char **argv);
int cmd_stream(int argc, char **argv);

/* Prints "healthtap: <msg>" to stderr. */
void ht_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reports a usage error for cmd and returns EXIT_USAGE. */
int ht_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses "2", "2s", "500ms", "5m", "1h", "1d" into ms. Returns 0 or -EINVAL. */
int ht_parse_duration_ms(const char *text, int64_t *ms);

/* Parses a non-negative integer. Returns 0 or -EINVAL. */
int ht_parse_count(const char *text, int64_t *out);

/* Sleeps until the monotonic deadline (ns); returns early on a signal. */
void ht_sleep_until(int64_t deadline_ns);

#endif
