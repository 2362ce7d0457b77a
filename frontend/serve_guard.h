/* What keeps healthtap serve answering under abuse, beside libmicrohttpd's
 * own limits (connections, per address, request memory, idle time):
 *
 * - A deadline per exchange: a connection has --timeout to send a whole
 *   request and read the whole answer, counted from its accept or from the
 *   end of its previous answer (keep-alive). libmicrohttpd's timeout counts
 *   idle time only, so a client sending one byte every few seconds held a
 *   connection for ever (slowloris).
 * - Room at the connection limit: when a new connection takes the last
 *   slot, the one that has waited longest for its request to be complete
 *   is cut, so a scraper that sends its request at once always gets in.
 *   Connections being answered are never cut for room.
 * - Failed basic auth backs off per client address (per /64 for IPv6): a
 *   few failures are free, then the address is refused (429) for 1 s,
 *   doubling with each further failure up to a minute; failures are
 *   logged, a bounded number of lines per address.
 *
 * Cutting a connection is shutdown(2) of its socket: libmicrohttpd's
 * thread then sees the end of the stream and closes it as usual. All calls
 * are thread-safe. */
#ifndef SERVE_GUARD_H
#define SERVE_GUARD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct serve_guard;
struct serve_guard_conn;

struct serve_guard_opts {
	int64_t deadline_ns;		/* per exchange */
	size_t max_conns;		/* the connection limit */
	size_t free_failures;		/* failed logins before the back-off */
};

/* Figures for /metrics, updated atomically. */
struct serve_guard_stats {
	atomic_uint_fast64_t cut_deadline;	/* past their deadline */
	atomic_uint_fast64_t cut_room;		/* to make room at the limit */
	atomic_uint_fast64_t auth_failures;	/* wrong or missing credentials */
	atomic_uint_fast64_t auth_refused;	/* 429 while backing off */
};

/* Starts the deadline thread. Returns NULL with errno set. */
struct serve_guard *serve_guard_new(const struct serve_guard_opts *o);
/* Stops the thread; every connection must be closed before. NULL is ok. */
void serve_guard_free(struct serve_guard *g);
const struct serve_guard_stats *serve_guard_stats(const struct serve_guard *g);

/* A connection was accepted (fd is its socket): its first exchange
 * starts. May cut another one for room. Returns the handle, or NULL when
 * out of memory (the connection is then not guarded). */
struct serve_guard_conn *serve_guard_open(struct serve_guard *g, int fd);
/* The connection is closed (before its socket is): forgets it. NULL ok. */
void serve_guard_close(struct serve_guard *g, struct serve_guard_conn *c);
/* Its request is complete and being answered: no longer cut for room. */
void serve_guard_answering(struct serve_guard *g, struct serve_guard_conn *c);
/* Its answer is sent: the next exchange starts, with a new deadline. */
void serve_guard_next(struct serve_guard *g, struct serve_guard_conn *c);

/* Basic auth back-off. serve_guard_auth_refused returns 1 (and the seconds
 * until the address may try again) while the address backs off: answer
 * 429 without looking at the credentials. Else check them and report the
 * outcome with serve_guard_auth_result, which logs failures on stderr. */
int serve_guard_auth_refused(struct serve_guard *g, const struct sockaddr *addr,
			     unsigned *retry_s);
void serve_guard_auth_result(struct serve_guard *g, const struct sockaddr *addr, int ok);

#endif
