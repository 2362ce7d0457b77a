#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "cli.h"
#include "ht_counter.h"
#include "serve_guard.h"

#define AUTH_SLOTS 256			/* addresses remembered, least recent replaced */
#define AUTH_FORGET_NS (600 * 1000000000LL)	/* a failure this old is forgotten */
#define AUTH_MAX_BACKOFF_S 60

struct serve_guard_conn {
	struct serve_guard_conn *prev, *next;	/* in start order, while not cut */
	int fd;
	int64_t start_ns;		/* of the current exchange */
	int answering;
	int cut;
};

struct auth_slot {
	unsigned char key[16];		/* IPv4 address or IPv6 /64 */
	size_t keylen;			/* 0: free */
	unsigned failures;		/* in a row */
	unsigned backoff_s;		/* the latest refusal's length */
	int64_t until_ns;		/* refused before this */
	int64_t last_ns;		/* latest failure */
};

struct serve_guard {
	struct serve_guard_opts o;
	struct serve_guard_stats stats;
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* the list became non-empty, or stop */
	struct serve_guard_conn *head, *tail;	/* oldest exchange first */
	size_t open;			/* connections not cut */
	int stopping;
	pthread_t thread;
	struct auth_slot auth[AUTH_SLOTS];
};

static void link_tail(struct serve_guard *g, struct serve_guard_conn *c)
{
	c->next = NULL;
	c->prev = g->tail;
	if (g->tail)
		g->tail->next = c;
	else
		g->head = c;
	g->tail = c;
}

static void unlink_conn(struct serve_guard *g, struct serve_guard_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		g->tail = c->prev;
	c->prev = c->next = NULL;
}

/* Under g->mu: the socket stays open (libmicrohttpd closes it after
 * serve_guard_close, which waits for the lock), so fd is still this
 * connection's. */
static void cut(struct serve_guard *g, struct serve_guard_conn *c)
{
	unlink_conn(g, c);
	c->cut = 1;
	g->open--;
	shutdown(c->fd, SHUT_RDWR);
}

static void *deadline_main(void *arg)
{
	struct serve_guard *g = arg;

	pthread_mutex_lock(&g->mu);
	while (!g->stopping) {
		int64_t now = ht_now_ns(), due;
		struct timespec ts;

		while (g->head && g->head->start_ns + g->o.deadline_ns <= now) {
			cut(g, g->head);
			atomic_fetch_add(&g->stats.cut_deadline, 1);
		}
		if (!g->head) {
			pthread_cond_wait(&g->cv, &g->mu);
			continue;
		}
		due = g->head->start_ns + g->o.deadline_ns;
		ts.tv_sec = due / 1000000000;
		ts.tv_nsec = due % 1000000000;
		pthread_cond_timedwait(&g->cv, &g->mu, &ts);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

struct serve_guard *serve_guard_new(const struct serve_guard_opts *o)
{
	struct serve_guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;
	int err;

	if (!g)
		return NULL;
	g->o = *o;
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&g->thread, NULL, deadline_main, g);
	if (err) {
		pthread_cond_destroy(&g->cv);
		pthread_mutex_destroy(&g->mu);
		free(g);
		errno = err;
		return NULL;
	}
	return g;
}

void serve_guard_free(struct serve_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

const struct serve_guard_stats *serve_guard_stats(const struct serve_guard *g)
{
	return &g->stats;
}

/* Under g->mu: the connection waiting longest for its request, not c. */
static struct serve_guard_conn *oldest_waiting(struct serve_guard *g,
					       const struct serve_guard_conn *c)
{
	for (struct serve_guard_conn *o = g->head; o; o = o->next)
		if (o != c && !o->answering)
			return o;
	return NULL;
}

struct serve_guard_conn *serve_guard_open(struct serve_guard *g, int fd)
{
	struct serve_guard_conn *c = calloc(1, sizeof(*c)), *victim;

	if (!c)
		return NULL;
	c->fd = fd;
	c->start_ns = ht_now_ns();
	pthread_mutex_lock(&g->mu);
	if (!g->head)
		pthread_cond_signal(&g->cv);
	link_tail(g, c);
	g->open++;
	/* This one took the last slot: free one for the next client. */
	if (g->open >= g->o.max_conns && (victim = oldest_waiting(g, c))) {
		cut(g, victim);
		atomic_fetch_add(&g->stats.cut_room, 1);
	}
	pthread_mutex_unlock(&g->mu);
	return c;
}

void serve_guard_close(struct serve_guard *g, struct serve_guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (!c->cut) {
		unlink_conn(g, c);
		g->open--;
	}
	pthread_mutex_unlock(&g->mu);
	free(c);
}

void serve_guard_answering(struct serve_guard *g, struct serve_guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	c->answering = 1;
	pthread_mutex_unlock(&g->mu);
}

void serve_guard_next(struct serve_guard *g, struct serve_guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	if (!c->cut) {
		unlink_conn(g, c);
		c->start_ns = ht_now_ns();
		c->answering = 0;
		if (!g->head)
			pthread_cond_signal(&g->cv);
		link_tail(g, c);
	}
	pthread_mutex_unlock(&g->mu);
}

/* ---- failed basic auth ---- */

/* The back-off key of an address: IPv4 (also v4-mapped IPv6), else the
 * IPv6 /64, since one host usually holds a whole /64. 0: not IP. */
static size_t auth_key(const struct sockaddr *addr, unsigned char key[16])
{
	if (addr && addr->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)addr)->sin_addr, 4);
		return 4;
	}
	if (addr && addr->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)addr)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			memcpy(key, a->s6_addr + 12, 4);
			return 4;
		}
		memcpy(key, a->s6_addr, 8);
		return 8;
	}
	return 0;
}

/* Under g->mu: the slot of addr; with create, a free or the least recent
 * one (reset) when it has none. NULL: none, or not an IP address. */
static struct auth_slot *auth_slot(struct serve_guard *g, const struct sockaddr *addr,
				   int create, int64_t now)
{
	unsigned char key[16];
	size_t n = auth_key(addr, key);
	struct auth_slot *lru = &g->auth[0];

	if (!n)
		return NULL;
	for (size_t i = 0; i < AUTH_SLOTS; i++) {
		struct auth_slot *s = &g->auth[i];

		if (s->keylen == n && !memcmp(s->key, key, n)) {
			if (now - s->last_ns > AUTH_FORGET_NS && now >= s->until_ns)
				*s = (struct auth_slot){ .keylen = n };
			memcpy(s->key, key, n);
			return s;
		}
		if (!s->keylen || (lru->keylen && s->last_ns < lru->last_ns))
			lru = s;
	}
	if (!create)
		return NULL;
	*lru = (struct auth_slot){ .keylen = n, .last_ns = now };
	memcpy(lru->key, key, n);
	return lru;
}

int serve_guard_auth_refused(struct serve_guard *g, const struct sockaddr *addr,
			     unsigned *retry_s)
{
	int64_t now = ht_now_ns();
	struct auth_slot *s;
	int refused = 0;

	pthread_mutex_lock(&g->mu);
	s = auth_slot(g, addr, 0, now);
	if (s && now < s->until_ns) {
		refused = 1;
		*retry_s = (unsigned)((s->until_ns - now + 999999999) / 1000000000);
	}
	pthread_mutex_unlock(&g->mu);
	if (refused)
		atomic_fetch_add(&g->stats.auth_refused, 1);
	return refused;
}

static const char *addr_text(const struct sockaddr *addr, char *buf, size_t size)
{
	socklen_t len = addr && addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);

	if (!addr || getnameinfo(addr, len, buf, size, NULL, 0, NI_NUMERICHOST))
		snprintf(buf, size, "an unknown address");
	return buf;
}

void serve_guard_auth_result(struct serve_guard *g, const struct sockaddr *addr, int ok)
{
	int64_t now = ht_now_ns();
	struct auth_slot *s;
	unsigned failures = 0, backoff = 0;
	char host[NI_MAXHOST];

	pthread_mutex_lock(&g->mu);
	s = auth_slot(g, addr, !ok, now);
	if (s && ok) {
		*s = (struct auth_slot){ 0 };
	} else if (s) {
		failures = ++s->failures;
		s->last_ns = now;
		if (failures >= g->o.free_failures) {
			backoff = s->backoff_s ? 2 * s->backoff_s : 1;
			if (backoff > AUTH_MAX_BACKOFF_S)
				backoff = AUTH_MAX_BACKOFF_S;
			s->backoff_s = backoff;
			s->until_ns = now + backoff * 1000000000LL;
		}
	}
	pthread_mutex_unlock(&g->mu);
	if (ok)
		return;
	atomic_fetch_add(&g->stats.auth_failures, 1);
	/* A bounded number of lines per address: each free failure, then one
	 * per refusal, which grows to a minute. */
	addr_text(addr, host, sizeof(host));
	if (backoff)
		ht_cmd_err("serve", "failed basic auth from %s (%u in a row): refused for %u s",
			   host, failures, backoff);
	else if (s)
		ht_cmd_err("serve", "failed basic auth from %s (%u in a row)", host, failures);
	else
		ht_cmd_err("serve", "failed basic auth from %s", host);
}
