/* The supervisor: runs one child command (the health tapset: stap) with its
 * stdout on a pipe, notices when it dies, says why, and restarts it with an
 * exponential back-off.
 *
 * The child runs "/bin/sh -c CMD" in a process group of its own, stdin from
 * /dev/null, stdout to a pipe the caller reads (ht_supervisor_out_fd()), and
 * stderr to a second pipe the supervisor drains, keeping its last lines for
 * the death reason ("exited with status 1: semantic error: ...").
 *
 * The caller's loop polls both fds (ht_supervisor_fds()), reads the stream
 * with ht_supervisor_read() and calls ht_supervisor_tick() now and then; the
 * supervisor never blocks, prints or exits. Not thread-safe. SIGCHLD is not
 * touched: the child is reaped with waitpid(WNOHANG) from tick.
 */
#ifndef HT_SUPERVISOR_H
#define HT_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ht_supervisor;

struct ht_supervisor_opts {
	const char *cmd;		/* shell command, copied */
	int64_t backoff_min_ms;		/* first restart delay (default 1000) */
	int64_t backoff_max_ms;		/* cap (default 300000) */
	int64_t healthy_ms;		/* a run this long resets the back-off
					   (default 60000) */
};

/* Returns a supervisor (the child not started yet) or NULL with errno set. */
struct ht_supervisor *ht_supervisor_new(const struct ht_supervisor_opts *o);

/* Stops the child (SIGTERM to its group, SIGKILL after 3 s), reaps it and
 * frees. Accepts NULL. */
void ht_supervisor_free(struct ht_supervisor *s);

enum ht_sv_event_kind {
	HT_SV_NONE,
	HT_SV_STARTED,			/* text: "started pid N: CMD" */
	HT_SV_DIED,			/* text: why; restart_in_ms set */
	HT_SV_START_FAILED,		/* fork/pipe failed; retried later */
};

struct ht_sv_event {
	enum ht_sv_event_kind kind;
	pid_t pid;
	int64_t restart_in_ms;		/* HT_SV_DIED: the back-off chosen */
	unsigned restarts;		/* starts so far minus one */
	char text[512];
};

/* Starts the child if none runs and its back-off has passed, reaps it if it
 * died, and drains its stderr. now_ns is ht_now_ns(). Returns 1 and fills ev
 * when something happened (call again: several may be due), 0 when not. */
int ht_supervisor_tick(struct ht_supervisor *s, int64_t now_ns, struct ht_sv_event *ev);

/* The child's stdout (-1 when no child runs) and stderr pipes, for poll(). */
int ht_supervisor_out_fd(const struct ht_supervisor *s);
int ht_supervisor_err_fd(const struct ht_supervisor *s);

/* Reads from the child's stdout (non-blocking). Returns bytes read, 0 at
 * end of stream (the child closed it: it is dying), or -EAGAIN / -errno. */
ssize_t ht_supervisor_read(struct ht_supervisor *s, char *buf, size_t len);

/* Drains the child's stderr into the kept tail. */
void ht_supervisor_drain_err(struct ht_supervisor *s);

/* The running child's pid, or 0. */
pid_t ht_supervisor_pid(const struct ht_supervisor *s);

#endif
