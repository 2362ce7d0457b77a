/* The supervisor: see ht_supervisor.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ht_supervisor.h"

#define TAIL_MAX 2048

struct ht_supervisor {
	char *cmd;
	int64_t backoff_min_ns, backoff_max_ns, healthy_ns;
	pid_t pid;
	int out_fd, err_fd;
	int64_t started_ns;
	int64_t next_start_ns;		/* 0: start at once */
	int64_t backoff_ns;		/* the next delay */
	unsigned starts;
	char tail[TAIL_MAX];		/* the child's latest stderr bytes */
	size_t tail_len;
};

struct ht_supervisor *ht_supervisor_new(const struct ht_supervisor_opts *o)
{
	struct ht_supervisor *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cmd = strdup(o->cmd ? o->cmd : "");
	if (!s->cmd) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	s->backoff_min_ns = (o->backoff_min_ms > 0 ? o->backoff_min_ms : 1000) * 1000000LL;
	s->backoff_max_ns = (o->backoff_max_ms > 0 ? o->backoff_max_ms : 300000) * 1000000LL;
	s->healthy_ns = (o->healthy_ms > 0 ? o->healthy_ms : 60000) * 1000000LL;
	s->backoff_ns = s->backoff_min_ns;
	s->out_fd = s->err_fd = -1;
	return s;
}

static void close_fds(struct ht_supervisor *s)
{
	if (s->out_fd >= 0)
		close(s->out_fd);
	if (s->err_fd >= 0)
		close(s->err_fd);
	s->out_fd = s->err_fd = -1;
}

void ht_supervisor_free(struct ht_supervisor *s)
{
	int status;

	if (!s)
		return;
	if (s->pid > 0) {
		kill(-s->pid, SIGTERM);
		kill(s->pid, SIGTERM);
		for (int i = 0; i < 150; i++) {
			if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
				s->pid = 0;
				break;
			}
			usleep(20000);
		}
		if (s->pid > 0) {
			kill(-s->pid, SIGKILL);
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
	}
	close_fds(s);
	free(s->cmd);
	free(s);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int start(struct ht_supervisor *s, int64_t now_ns)
{
	int out[2], err[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		int e = errno;
		close(out[0]);
		close(out[1]);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(out[0]); close(out[1]); close(err[0]); close(err[1]);
		return -e;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		sigset_t none;
		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execl("/bin/sh", "sh", "-c", s->cmd, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(out[1]);
	close(err[1]);
	s->out_fd = out[0];
	s->err_fd = err[0];
	set_nonblock(s->out_fd);
	set_nonblock(s->err_fd);
	s->pid = pid;
	s->started_ns = now_ns;
	s->tail_len = 0;
	s->starts++;
	return 0;
}

void ht_supervisor_drain_err(struct ht_supervisor *s)
{
	char buf[4096];

	while (s->err_fd >= 0) {
		ssize_t n = read(s->err_fd, buf, sizeof(buf));
		if (n <= 0) {
			if (n == 0) {
				close(s->err_fd);
				s->err_fd = -1;
			}
			return;
		}
		if ((size_t)n >= TAIL_MAX) {
			memcpy(s->tail, buf + n - TAIL_MAX, TAIL_MAX);
			s->tail_len = TAIL_MAX;
		} else {
			if (s->tail_len + n > TAIL_MAX) {
				size_t drop = s->tail_len + n - TAIL_MAX;
				memmove(s->tail, s->tail + drop, s->tail_len - drop);
				s->tail_len -= drop;
			}
			memcpy(s->tail + s->tail_len, buf, n);
			s->tail_len += n;
		}
	}
}

/* The last non-empty stderr line, or "". */
static void last_line(const struct ht_supervisor *s, char *out, size_t size)
{
	size_t end = s->tail_len, start;

	while (end > 0 && (s->tail[end - 1] == '\n' || s->tail[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && s->tail[start - 1] != '\n')
		start--;
	if (end - start >= size)
		start = end - (size - 1);
	memcpy(out, s->tail + start, end - start);
	out[end - start] = '\0';
}

static void describe(const struct ht_supervisor *s, int status, char *out, size_t size)
{
	char line[300];

	last_line(s, line, sizeof(line));
	if (WIFEXITED(status))
		snprintf(out, size, "exited with status %d%s%s", WEXITSTATUS(status),
			 line[0] ? ": " : "", line);
	else if (WIFSIGNALED(status))
		snprintf(out, size, "killed by signal %d (%s)%s%s", WTERMSIG(status),
			 strsignal(WTERMSIG(status)), line[0] ? "; last message: " : "", line);
	else
		snprintf(out, size, "ended (status 0x%x)", status);
}

int ht_supervisor_tick(struct ht_supervisor *s, int64_t now_ns, struct ht_sv_event *ev)
{
	int status;

	memset(ev, 0, sizeof(*ev));
	if (s->pid > 0) {
		pid_t r;
		ht_supervisor_drain_err(s);
		r = waitpid(s->pid, &status, WNOHANG);
		if (r != s->pid)
			return 0;
		ht_supervisor_drain_err(s);
		/* what the child left in its group (stap's stapbpf or
		 * staprun) goes with it */
		kill(-s->pid, SIGTERM);
		/* the stream may still hold the child's last lines: the
		 * caller reads out_fd until end of stream */
		if (now_ns - s->started_ns >= s->healthy_ns)
			s->backoff_ns = s->backoff_min_ns;
		ev->kind = HT_SV_DIED;
		ev->pid = s->pid;
		ev->restart_in_ms = s->backoff_ns / 1000000;
		ev->restarts = s->starts - 1;
		describe(s, status, ev->text, sizeof(ev->text));
		s->next_start_ns = now_ns + s->backoff_ns;
		s->backoff_ns *= 2;
		if (s->backoff_ns > s->backoff_max_ns)
			s->backoff_ns = s->backoff_max_ns;
		s->pid = 0;
		if (s->err_fd >= 0) {
			close(s->err_fd);
			s->err_fd = -1;
		}
		return 1;
	}
	if (now_ns < s->next_start_ns)
		return 0;
	/* a previous child's stdout is dropped at restart */
	close_fds(s);
	int err = start(s, now_ns);
	if (err) {
		ev->kind = HT_SV_START_FAILED;
		snprintf(ev->text, sizeof(ev->text), "cannot start '%s': %s", s->cmd, strerror(-err));
		s->next_start_ns = now_ns + s->backoff_ns;
		return 1;
	}
	ev->kind = HT_SV_STARTED;
	ev->pid = s->pid;
	ev->restarts = s->starts - 1;
	snprintf(ev->text, sizeof(ev->text), "started pid %d: %s", (int)s->pid, s->cmd);
	return 1;
}

int ht_supervisor_out_fd(const struct ht_supervisor *s)
{
	return s->out_fd;
}

int ht_supervisor_err_fd(const struct ht_supervisor *s)
{
	return s->err_fd;
}

ssize_t ht_supervisor_read(struct ht_supervisor *s, char *buf, size_t len)
{
	ssize_t n;

	if (s->out_fd < 0)
		return 0;
	n = read(s->out_fd, buf, len);
	if (n < 0)
		return -errno;
	if (n == 0) {
		close(s->out_fd);
		s->out_fd = -1;
	}
	return n;
}

pid_t ht_supervisor_pid(const struct ht_supervisor *s)
{
	return s->pid;
}
