/* Helpers shared by the healthtap subcommands. */
#ifndef HT_CLI_H
#define HT_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes: usage errors 2, runtime errors 1. */
enum { EXIT_USAGE = 2 };

/* A subcommand: argv[0] is its name. Returns the process exit code. */
struct ht_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	int order;			/* place in --help, lowest first */
};

/* Each frontend/cmd_*.c registers itself, so no shared table needs editing:
 *   HT_COMMAND(top, cmd_top, "live view of the host", 10)
 * Registration runs before main(). */
void ht_command_register(const struct ht_command *cmd);
#define HT_COMMAND(nm, fn, sum, ord) \
	static const struct ht_command ht_command_##nm = { #nm, fn, sum, ord }; \
	__attribute__((constructor)) static void ht_register_##nm(void) \
	{ ht_command_register(&ht_command_##nm); }

/* The registered command called name, or NULL. */
const struct ht_command *ht_command_find(const char *name);
/* Registered commands in help order; NULL past the end. */
const struct ht_command *ht_command_at(size_t i);

/* The default command: the live view. */
int cmd_top(int argc, char **argv);

/* healthtap installed as check_leak: main() calls this when
 * basename(argv[0]) is "check_leak". argv[0] is the program name. */
int cmd_check_leak_main(int argc, char **argv);

/* Prints "healthtap: <msg>" to stderr. Every message to stderr goes
 * through these: the message is made visible-safe (fmt_visible()), since
 * it may quote a process name or a stream line. */
void ht_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "healthtap <cmd>: <msg>" (cmd NULL: "healthtap: <msg>"); one
 * trailing newline of msg is dropped, one is always added. */
void ht_cmd_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ht_cmd_verr(const char *cmd, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Reports a usage error for cmd and returns EXIT_USAGE. */
int ht_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parses "2", "2s", "500ms", "5m", "1h", "1d" into ms. Returns 0, -EINVAL
 * (not a duration) or -ERANGE (more ms than an int64_t holds). */
int ht_parse_duration_ms(const char *text, int64_t *ms);

/* Parses a non-negative decimal integer. Returns 0, -EINVAL or -ERANGE. */
int ht_parse_count(const char *text, int64_t *out);

/* Parses a size in bytes: "4096", "64K", "500M", "2G", "1.5GB" (binary
 * units, any case, an optional B). Returns 0, -EINVAL or -ERANGE (past
 * INT64_MAX bytes). */
int ht_parse_bytes(const char *text, int64_t *out);

/* Option values: parse and range-check in one step, so that every command
 * refuses a bad value the same way. Each returns 0 with *out set, or prints
 * "healthtap CMD: bad OPT 'TEXT': want a duration from 100ms to 1d" and the
 * usage hint and returns EXIT_USAGE (*out untouched). opt is the option as
 * the user typed it ("-i", "--interval"). */
int ht_opt_duration(const char *cmd, const char *opt, const char *text, int64_t min_ms,
		    int64_t max_ms, int64_t *out);
int ht_opt_count(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
		 int64_t *out);
int ht_opt_bytes(const char *cmd, const char *opt, const char *text, int64_t min, int64_t max,
		 int64_t *out);

/* The longest sampling interval any command takes: a day. */
#define HT_MAX_INTERVAL_MS (86400 * 1000LL)

/* mkdir -p: path and its missing parents with mode. 0 or -errno. */
int ht_mkdir_p(const char *path, mode_t mode);

/* The history DB when -d is not given: /var/lib/healthtap/healthtap.db as
 * root, else $XDG_STATE_HOME/healthtap/healthtap.db, else
 * ~/.local/state/healthtap/healthtap.db. Returns 0, or -ENOENT when
 * neither XDG_STATE_HOME nor HOME is set. */
int ht_default_db_path(char *buf, size_t size);

/* The stap program and its options here, to which a command adds its
 * script (-x PID -e '...'): $HEALTHTAP_STAP when set (e.g. "exec
 * tests/stap/harness run"), else "exec stap" with --runtime=bpf where the
 * kernel loads no modules, and -I $HEALTHTAP_TAPSET when set. Returns NULL
 * with it in buf, or why stap cannot run here. */
const char *ht_stap_prefix(char *buf, size_t size);

/* The stap command that runs the whole health tapset here:
 * $HEALTHTAP_STAP_CMD when set, else ht_stap_prefix() with -e 'probe
 * health.* {}'. Returns NULL with the command in buf, or why stap cannot
 * run here. */
const char *ht_stap_default_cmd(char *buf, size_t size);

/* Sleeps until the monotonic deadline (ns); returns early on a signal. */
void ht_sleep_until(int64_t deadline_ns);

#endif
