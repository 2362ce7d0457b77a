/* healthtap top --hosts (see top_hosts.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>
#include "ht_counter.h"
#include "ht_sched.h"
#include "cli.h"
#include "fmt.h"
#include "out_json.h"
#include "top_hosts.h"
#include "top_json.h"

#define BODY_MAX (16u << 20)

int top_hosts_parse(const char *list, char addrs[][128], size_t max, char *msg, size_t msgsize)
{
	size_t n = 0;
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= 128) {
			snprintf(msg, msgsize, "bad host '%.*s' in --hosts (want HOST:PORT)", (int)len, p);
			return -EINVAL;
		}
		if (n == max) {
			snprintf(msg, msgsize, "too many hosts in --hosts (at most %zu)", max);
			return -EINVAL;
		}
		memcpy(addrs[n], p, len);
		addrs[n][len] = '\0';
		n++;
		if (!p[len])
			break;
		p += len + 1;
	}
	return (int)n;
}

/* "web1:9464", "[::1]:9464", "web1" (port 9464). */
static int split_addr(const char *addr, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close)
			return -EINVAL;
		snprintf(host, hsize, "%.*s", (int)(close - addr - 1), addr + 1);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = strrchr(addr, ':');
		snprintf(host, hsize, "%.*s", colon ? (int)(colon - addr) : (int)strlen(addr), addr);
	}
	snprintf(port, psize, "%s", colon ? colon + 1 : "9464");
	return host[0] && port[0] ? 0 : -EINVAL;
}

static int wait_fd(int fd, short ev, int64_t deadline)
{
	for (;;) {
		int64_t left = (deadline - ht_now_ns()) / 1000000;
		struct pollfd pf = { .fd = fd, .events = ev };
		int rc;

		if (left <= 0)
			return -ETIMEDOUT;
		rc = poll(&pf, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

/* GETs path from addr within timeout_ms. Returns 0 with the body in *body
 * (the caller frees it), or -errno with a message in err. */
static int http_get(const char *addr, const char *path, int timeout_ms, char **body,
		    size_t *blen, char *err, size_t errsize)
{
	char host[128], port[16], req[512];
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int64_t deadline = ht_now_ns() + (int64_t)timeout_ms * 1000000;
	int fd = -1, rc, e;
	char *buf = NULL, *sep;
	size_t got = 0, cap = 0;
	socklen_t elen = sizeof(e);

	*body = NULL;
	if (split_addr(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, errsize, "bad address");
		return -EINVAL;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errsize, "%s", gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		rc = -errno;
		goto fail;
	}
	if ((rc = wait_fd(fd, POLLOUT, deadline)))
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e) {
		rc = -e;
		goto fail;
	}
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: healthtap-top\r\nAccept: application/json\r\n\r\n",
		 path, addr);
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		rc = -errno;
		goto fail;
	}
	for (;;) {
		ssize_t n;
		if (got + 4096 + 1 > cap) {
			if (cap >= BODY_MAX) {
				rc = -EFBIG;
				goto fail;
			}
			if (ht_grow(buf, cap, got + 65536)) {
				rc = -ENOMEM;
				goto fail;
			}
		}
		n = recv(fd, buf + got, cap - got - 1, 0);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		if (n == 0)
			break;
		if (errno == EAGAIN || errno == EINTR) {
			if ((rc = wait_fd(fd, POLLIN, deadline)))
				goto fail;
			continue;
		}
		rc = -errno;
		goto fail;
	}
	buf[got] = '\0';
	if (strncmp(buf, "HTTP/1.", 7) || !strchr(buf, ' ')) {
		snprintf(err, errsize, "not an HTTP answer");
		rc = -EPROTO;
		goto out;
	}
	if (strncmp(strchr(buf, ' ') + 1, "200", 3)) {
		snprintf(err, errsize, "HTTP %.3s", strchr(buf, ' ') + 1);
		rc = -EPROTO;
		goto out;
	}
	sep = strstr(buf, "\r\n\r\n");
	if (!sep) {
		snprintf(err, errsize, "no HTTP body");
		rc = -EPROTO;
		goto out;
	}
	*blen = got - (size_t)(sep + 4 - buf);
	memmove(buf, sep + 4, *blen + 1);
	*body = buf;
	buf = NULL;
	rc = 0;
	goto out;
fail:
	snprintf(err, errsize, "%s", rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}

/* ---- aggregation ---- */

struct entry {
	const char *comm;
	size_t host;
	int64_t rss, anon;
	double rate, risk, eta;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->comm, y->comm);
	return c ? c : (x->host > y->host) - (x->host < y->host);
}

static int64_t bytes_of(const struct top_json *j, const char *key)
{
	double v = top_json_num(j, key);
	return isnan(v) || v < 0 ? -1 : (int64_t)v;
}

void top_hosts_frame_free(struct top_hosts_frame *f)
{
	if (!f)
		return;
	free(f->cmds);
	free(f);
}

struct top_hosts_frame *top_hosts_fetch(char addrs[][128], size_t n, int timeout_ms)
{
	struct top_hosts_frame *f = calloc(1, sizeof(*f));
	struct top_json *docs[TOP_HOSTS_MAX] = { 0 };
	struct entry *ents = NULL;
	size_t nents = 0, cap = 0;
	const char *labels[TOP_HOSTS_MAX];

	if (!f)
		return NULL;
	f->wall_ms = ht_wall_ms();
	f->nhosts = n > TOP_HOSTS_MAX ? TOP_HOSTS_MAX : n;
	for (size_t h = 0; h < f->nhosts; h++) {
		struct top_host_row *r = &f->hosts[h];
		const struct top_json *sys, *mem, *procs;
		char *body;
		size_t blen = 0;

		snprintf(r->address, sizeof(r->address), "%s", addrs[h]);
		r->mem_total = r->mem_available = r->procs_total = -1;
		r->avail_rate = r->cpu_busy_pct = r->ctxt_per_s = NAN;
		if (http_get(addrs[h], "/api/v1/snapshot", timeout_ms, &body, &blen, r->error,
			     sizeof(r->error)))
			continue;
		docs[h] = top_json_parse(body, blen);
		free(body);
		if (!docs[h] || docs[h]->type != TOP_JSON_OBJ) {
			snprintf(r->error, sizeof(r->error), "not a healthtap snapshot");
			continue;
		}
		r->ok = 1;
		f->nok++;
		snprintf(r->name, sizeof(r->name), "%s", top_json_str(docs[h], "host", "?"));
		r->seq = top_json_num(docs[h], "seq");
		sys = top_json_get(docs[h], "system");
		mem = top_json_get(sys, "memory");
		r->mem_total = bytes_of(mem, "total");
		r->mem_available = bytes_of(mem, "available");
		r->avail_rate = top_json_num(mem, "available_rate");
		r->cpu_busy_pct = top_json_num(sys, "cpu_busy_pct");
		r->ctxt_per_s = top_json_num(sys, "ctxt_per_s");
		r->procs_total = bytes_of(docs[h], "processes_total");
		procs = top_json_get(docs[h], "processes");
		if (!procs || procs->type != TOP_JSON_ARR)
			continue;
		r->procs_listed = procs->n;
		for (size_t i = 0; i < procs->n; i++) {
			const struct top_json *p = &procs->items[i];
			struct entry *e;
			if (ht_grow(ents, cap, nents + 1))
				goto nomem;
			e = &ents[nents++];
			e->comm = top_json_str(p, "comm", "?");
			e->host = h;
			e->rss = bytes_of(p, "rss");
			e->anon = bytes_of(p, "anon");
			e->rate = top_json_num(p, "rate");
			e->risk = top_json_num(p, "risk");
			e->eta = top_json_num(p, "eta_s");
		}
	}
	/* hosts are listed by name, or by address where names repeat */
	for (size_t h = 0; h < f->nhosts; h++) {
		labels[h] = f->hosts[h].name;
		for (size_t k = 0; k < f->nhosts; k++)
			if (k != h && f->hosts[k].ok && !strcmp(f->hosts[k].name, f->hosts[h].name))
				labels[h] = f->hosts[h].address;
	}
	if (nents)
		qsort(ents, nents, sizeof(*ents), entry_cmp);
	f->cmds = calloc(nents ? nents : 1, sizeof(*f->cmds));
	if (!f->cmds)
		goto nomem;
	for (size_t i = 0; i < nents; i++) {
		struct top_cmd_row *c;
		if (i == 0 || strcmp(ents[i].comm, ents[i - 1].comm)) {
			c = &f->cmds[f->ncmds++];
			snprintf(c->comm, sizeof(c->comm), "%s", ents[i].comm);
			c->rate = NAN;
			c->soonest_s = INFINITY;
		}
		c = &f->cmds[f->ncmds - 1];
		c->procs++;
		if (c->procs == 1 || ents[i].host != ents[i - 1].host) {
			size_t len = strlen(c->host_list);
			c->hosts++;
			snprintf(c->host_list + len, sizeof(c->host_list) - len, "%s%s",
				 len ? ", " : "", labels[ents[i].host]);
		}
		if (ents[i].rss > 0)
			c->rss += ents[i].rss;
		if (ents[i].anon > 0)
			c->anon += ents[i].anon;
		if (!isnan(ents[i].rate))
			c->rate = (isnan(c->rate) ? 0 : c->rate) + ents[i].rate;
		if (!isnan(ents[i].risk) && ents[i].risk > c->max_risk)
			c->max_risk = ents[i].risk;
		if (!isnan(ents[i].eta) && ents[i].eta < c->soonest_s)
			c->soonest_s = ents[i].eta;
	}
	free(ents);
	for (size_t h = 0; h < f->nhosts; h++)
		top_json_free(docs[h]);
	return f;
nomem:
	free(ents);
	for (size_t h = 0; h < f->nhosts; h++)
		top_json_free(docs[h]);
	top_hosts_frame_free(f);
	return NULL;
}

static enum top_hosts_sort sort_by;
static int sort_desc;

static int cmd_cmp(const void *a, const void *b)
{
	const struct top_cmd_row *x = a, *y = b;
	int c = 0;

	switch (sort_by) {
	case TOP_HS_RSS: c = (x->rss > y->rss) - (x->rss < y->rss); break;
	case TOP_HS_GROWTH: {
		double p = isnan(x->rate) ? -INFINITY : x->rate, q = isnan(y->rate) ? -INFINITY : y->rate;
		c = (p > q) - (p < q);
		break;
	}
	case TOP_HS_RISK: c = (x->max_risk > y->max_risk) - (x->max_risk < y->max_risk); break;
	case TOP_HS_PROCS: c = (x->procs > y->procs) - (x->procs < y->procs); break;
	case TOP_HS_NAME: c = strcmp(x->comm, y->comm); break;
	}
	if (sort_desc)
		c = -c;
	return c ? c : strcmp(x->comm, y->comm);
}

void top_hosts_sort(struct top_hosts_frame *f, enum top_hosts_sort by, int desc)
{
	sort_by = by;
	sort_desc = desc;
	if (f->ncmds)
		qsort(f->cmds, f->ncmds, sizeof(*f->cmds), cmd_cmp);
}

static const char *const sort_names[] = { "rss", "growth", "risk", "procs", "command" };

/* ---- rows shared by the text renderer and the screen ---- */

static void host_header(char *buf, size_t size)
{
	snprintf(buf, size, "%-21s %-10s %5s %8s %6s %9s %4s %7s", "ADDRESS", "HOST", "PROCS",
		 "MEM-USED", "AVAIL", "AVAIL/s", "CPU", "CTXSW");
}

static void host_line(const struct top_host_row *r, char *buf, size_t size)
{
	char used[16], avail[16], trend[16], cpu[16], cs[16], np[16];

	if (!r->ok) {
		snprintf(buf, size, "%-21.21s %-10s down: %s", r->address, "-", r->error);
		return;
	}
	fmt_bytes_short(used, sizeof(used),
			    r->mem_total >= 0 && r->mem_available >= 0 ?
				    (double)(r->mem_total - r->mem_available) : NAN);
	fmt_bytes_short(avail, sizeof(avail), r->mem_available >= 0 ? (double)r->mem_available : NAN);
	fmt_byte_rate_short(trend, sizeof(trend), r->avail_rate);
	if (isnan(r->cpu_busy_pct))
		snprintf(cpu, sizeof(cpu), "-");
	else
		snprintf(cpu, sizeof(cpu), "%.0f%%", r->cpu_busy_pct);
	fmt_count_rate(cs, sizeof(cs), r->ctxt_per_s);
	snprintf(np, sizeof(np), "%" PRId64, r->procs_total);
	snprintf(buf, size, "%-21.21s %-10.10s %5s %8s %6s %9s %4s %7s", r->address, r->name, np, used,
		 avail, trend, cpu, cs);
}

static void cmd_header(char *buf, size_t size)
{
	snprintf(buf, size, "%-16s %5s %5s %7s %7s %9s %5s %8s  %s", "COMMAND", "HOSTS", "PROCS",
		 "RSS", "ANON", "GROWTH", "RISK", "LIMIT-IN", "ON");
}

static void cmd_line(const struct top_cmd_row *c, char *buf, size_t size)
{
	char rss[16], anon[16], rate[16], risk[16], eta[16];

	fmt_bytes_short(rss, sizeof(rss), (double)c->rss);
	fmt_bytes_short(anon, sizeof(anon), (double)c->anon);
	fmt_byte_rate_short(rate, sizeof(rate), c->rate);
	fmt_num(risk, sizeof(risk), c->max_risk, 2);
	fmt_duration_short(eta, sizeof(eta), c->soonest_s);
	snprintf(buf, size, "%-16.16s %5zu %5zu %7s %7s %9s %5s %8s  %s", c->comm, c->hosts, c->procs,
		 rss, anon, rate, risk, eta, c->host_list);
}

static void time_label(char *buf, size_t size, const char *clock_label, int64_t wall_ms)
{
	time_t secs = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (clock_label) {
		snprintf(buf, size, "%s", clock_label);
		return;
	}
	localtime_r(&secs, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

int top_hosts_text(FILE *o, const struct top_hosts_frame *f, uint64_t frame_no,
		   const char *clock_label, enum top_hosts_sort by, size_t limit)
{
	char when[64], line[512], seen[2048];

	time_label(when, sizeof(when), clock_label, f->wall_ms);
	fprintf(o, "healthtap top --hosts - %s - frame %" PRIu64 " - %zu hosts, %zu answering\n", when,
		frame_no, f->nhosts, f->nok);
	host_header(line, sizeof(line));
	fprintf(o, "%s\n", line);
	for (size_t h = 0; h < f->nhosts; h++) {
		host_line(&f->hosts[h], line, sizeof(line));
		fprintf(o, "%s\n", fmt_visible(seen, sizeof(seen), line));
	}
	fprintf(o, "\nCommands across hosts: %zu, sorted by %s (each host's top processes)\n", f->ncmds,
		sort_names[by]);
	cmd_header(line, sizeof(line));
	fprintf(o, "%s\n", line);
	for (size_t i = 0; i < f->ncmds && (!limit || i < limit); i++) {
		cmd_line(&f->cmds[i], line, sizeof(line));
		fprintf(o, "%s\n", fmt_visible(seen, sizeof(seen), line));
	}
	fputc('\n', o);
	fflush(o);
	return ferror(o) ? -EIO : 0;
}

static void json_host(struct out_json *j, const struct top_host_row *r)
{
	out_json_object(j, NULL);
	out_json_str(j, "address", r->address);
	out_json_bool(j, "ok", r->ok);
	out_json_str(j, "error", r->ok ? NULL : r->error);
	out_json_str(j, "host", r->name);
	out_json_count(j, "mem_total_bytes", r->mem_total);
	out_json_count(j, "mem_available_bytes", r->mem_available);
	out_json_double(j, "available_trend_bytes_per_s", r->avail_rate);
	out_json_double(j, "cpu_busy_pct", r->cpu_busy_pct);
	out_json_double(j, "ctxt_per_s", r->ctxt_per_s);
	out_json_count(j, "processes_total", r->procs_total);
	out_json_uint(j, "processes_listed", r->procs_listed);
	out_json_end(j);
}

static void json_cmd(struct out_json *j, const struct top_cmd_row *c)
{
	out_json_object(j, NULL);
	out_json_str(j, "comm", c->comm);
	out_json_uint(j, "hosts", c->hosts);
	out_json_uint(j, "processes", c->procs);
	out_json_str(j, "on", c->host_list);
	out_json_int(j, "rss_bytes", c->rss);
	out_json_int(j, "anon_bytes", c->anon);
	out_json_double(j, "growth_bytes_per_s", c->rate);
	out_json_double(j, "max_risk", c->max_risk);
	out_json_double(j, "soonest_limit_s", c->soonest_s);
	out_json_end(j);
}

int top_hosts_json(FILE *o, const struct top_hosts_frame *f, uint64_t frame_no,
		   const char *clock_label, size_t limit)
{
	struct ht_buf b = { 0 };
	struct out_json j;
	char when[64];
	int err;

	time_label(when, sizeof(when), clock_label, f->wall_ms);
	out_json_init(&j, &b);
	out_json_object(&j, NULL);
	out_json_uint(&j, "frame", frame_no);
	out_json_str(&j, "time", when);
	out_json_array(&j, "hosts");
	for (size_t h = 0; h < f->nhosts; h++)
		json_host(&j, &f->hosts[h]);
	out_json_end(&j);
	out_json_array(&j, "commands");
	for (size_t i = 0; i < f->ncmds && (!limit || i < limit); i++)
		json_cmd(&j, &f->cmds[i]);
	out_json_end(&j);
	out_json_end(&j);
	out_json_newline(&j);
	err = out_write(&b, o);
	ht_buf_free(&b);
	return err;
}

/* ---- the screen ---- */

struct fetcher {
	const struct top_hosts_opts *o;
	pthread_mutex_t lock;
	struct top_hosts_frame *latest;
	int stop;
	int ready[2];
	uint64_t seq;
};

static int fetch_tick(void *arg, const struct ht_sched_tick *t)
{
	struct fetcher *fe = arg;
	struct top_hosts_frame *f;
	char b = 'f';

	(void)t;
	f = top_hosts_fetch(fe->o->addrs, fe->o->naddrs,
			    (int)(fe->o->interval_ms < 2000 ? fe->o->interval_ms : 2000));
	if (!f)
		return 0;
	f->seq = ++fe->seq;
	pthread_mutex_lock(&fe->lock);
	top_hosts_frame_free(fe->latest);
	fe->latest = f;
	pthread_mutex_unlock(&fe->lock);
	if (write(fe->ready[1], &b, 1) < 0) { /* a wake-up is pending */ }
	return 0;
}

/* Short sleeps: the screen's quit is seen within 50 ms. */
static void fetch_wait(void *arg, int64_t deadline_ns)
{
	int64_t now = ht_now_ns(), until = deadline_ns < now + 50000000 ? deadline_ns : now + 50000000;
	struct timespec ts = { until / 1000000000, until % 1000000000 };

	(void)arg;
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int fetch_should_stop(void *arg)
{
	struct fetcher *fe = arg;
	int stop;

	pthread_mutex_lock(&fe->lock);
	stop = fe->stop;
	pthread_mutex_unlock(&fe->lock);
	return stop;
}

/* Fetches every interval on ht_sched's schedule. */
static void *fetch_main(void *arg)
{
	struct fetcher *fe = arg;
	struct ht_sched_opts so;

	ht_sched_opts_default(&so);
	so.interval_ns = fe->o->interval_ms * 1000000LL;
	so.ctx = fe;
	so.tick = fetch_tick;
	so.wait = fetch_wait;
	so.should_stop = fetch_should_stop;
	ht_sched_run(&so, NULL);
	return NULL;
}

/* Every line of the hosts screen, visible-safe: host names, commands and
 * errors come from other machines. */
static void put(int y, const char *raw, int attr)
{
	char text[2048];

	if (y >= LINES)
		return;
	fmt_visible(text, sizeof(text), raw);
	move(y, 0);
	clrtoeol();
	attron(attr);
	mvaddnstr(y, 0, text, COLS);
	attroff(attr);
}

static void draw_hosts(const struct top_hosts_frame *f, const struct top_hosts_opts *o,
		       enum top_hosts_sort by, int desc, int paused, int color)
{
	char line[512], when[64];
	int y = 0, title = color ? COLOR_PAIR(1) | A_BOLD : A_REVERSE;

	erase();
	time_label(when, sizeof(when), o->clock_label, f ? f->wall_ms : ht_wall_ms());
	snprintf(line, sizeof(line), "healthtap top --hosts %s  %zu hosts, %zu answering  sort %s %s%s",
		 when, f ? f->nhosts : o->naddrs, f ? f->nok : 0, sort_names[by], desc ? "v" : "^",
		 paused ? "  PAUSED" : "");
	put(y++, line, title);
	host_header(line, sizeof(line));
	put(y++, line, A_BOLD);
	for (size_t h = 0; f && h < f->nhosts && y < LINES / 2; h++) {
		host_line(&f->hosts[h], line, sizeof(line));
		put(y++, line, f->hosts[h].ok ? A_NORMAL : (color ? COLOR_PAIR(2) | A_BOLD : A_BOLD));
	}
	if (!f)
		put(y++, "fetching /api/v1/snapshot...", A_DIM);
	y++;
	cmd_header(line, sizeof(line));
	put(y++, line, title);
	for (size_t i = 0; f && i < f->ncmds && y < LINES - 1; i++) {
		cmd_line(&f->cmds[i], line, sizeof(line));
		put(y++, line, f->cmds[i].max_risk > 0 ? (color ? COLOR_PAIR(2) : A_BOLD) : A_NORMAL);
	}
	put(LINES - 1, "M:rss G:growth R:risk P:procs N:name I:invert space:pause q:quit", A_DIM);
	refresh();
}

static int run_screen(const struct top_hosts_opts *o, volatile sig_atomic_t *stop)
{
	struct fetcher fe = { .o = o };
	struct top_hosts_frame *shown = NULL;
	enum top_hosts_sort by = o->sort;
	int desc = o->desc, paused = 0, color;
	pthread_t th;
	sigset_t all, old;
	uint64_t frames = 0;

	pthread_mutex_init(&fe.lock, NULL);
	if (pipe2(fe.ready, O_CLOEXEC | O_NONBLOCK) < 0)
		return 1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&th, NULL, fetch_main, &fe)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		return 1;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	initscr();
	set_escdelay(25);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	color = o->color && has_colors();
	if (color) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_BLACK, COLOR_CYAN);
		init_pair(2, COLOR_YELLOW, -1);
	}
	draw_hosts(NULL, o, by, desc, paused, color);
	while (!*stop) {
		struct pollfd pf[2] = { { .fd = 0, .events = POLLIN }, { .fd = fe.ready[0], .events = POLLIN } };
		int ch, quit = 0, redraw = 0;
		char buf[64];

		if (poll(pf, 2, 1000) < 0 && errno != EINTR)
			break;
		if (*stop || (pf[0].revents & (POLLHUP | POLLERR | POLLNVAL)))
			break;
		if (pf[1].revents) {
			while (read(fe.ready[0], buf, sizeof(buf)) > 0)
				;
			pthread_mutex_lock(&fe.lock);
			if (!paused && fe.latest) {
				top_hosts_frame_free(shown);
				shown = fe.latest;
				fe.latest = NULL;
				frames++;
			}
			pthread_mutex_unlock(&fe.lock);
			redraw = 1;
		}
		while ((ch = getch()) != ERR) {
			redraw = 1;
			switch (ch) {
			case 'q': case 'Q': quit = 1; break;
			case 'M': desc = by == TOP_HS_RSS ? !desc : 1; by = TOP_HS_RSS; break;
			case 'G': desc = by == TOP_HS_GROWTH ? !desc : 1; by = TOP_HS_GROWTH; break;
			case 'R': desc = by == TOP_HS_RISK ? !desc : 1; by = TOP_HS_RISK; break;
			case 'P': desc = by == TOP_HS_PROCS ? !desc : 1; by = TOP_HS_PROCS; break;
			case 'N': desc = by == TOP_HS_NAME ? !desc : 0; by = TOP_HS_NAME; break;
			case 'I': desc = !desc; break;
			case ' ': case 'p': paused = !paused; break;
			case KEY_RESIZE: clear(); break;
			}
			if (quit)
				break;
		}
		if (quit)
			break;
		if (redraw) {
			if (shown)
				top_hosts_sort(shown, by, desc);
			draw_hosts(shown, o, by, desc, paused, color);
		}
		if (o->iterations && frames >= (uint64_t)o->iterations)
			break;
	}
	endwin();
	pthread_mutex_lock(&fe.lock);
	fe.stop = 1;
	pthread_mutex_unlock(&fe.lock);
	pthread_join(th, NULL);
	top_hosts_frame_free(shown);
	top_hosts_frame_free(fe.latest);
	close(fe.ready[0]);
	close(fe.ready[1]);
	pthread_mutex_destroy(&fe.lock);
	return 0;
}

/* Batch and JSON: one frame per tick of ht_sched's schedule. */
struct batch_run {
	const struct top_hosts_opts *o;
	volatile sig_atomic_t *stop;
	uint64_t frames;
	size_t last_ok;
};

static int batch_tick(void *arg, const struct ht_sched_tick *t)
{
	struct batch_run *b = arg;
	const struct top_hosts_opts *o = b->o;
	struct top_hosts_frame *f;
	int err;

	(void)t;
	f = top_hosts_fetch(o->addrs, o->naddrs, (int)(o->interval_ms < 2000 ? o->interval_ms : 2000));
	if (!f) {
		ht_err("cannot fetch the hosts: %s", strerror(ENOMEM));
		return 1;
	}
	top_hosts_sort(f, o->sort, o->desc);
	b->last_ok = f->nok;
	b->frames++;
	err = o->json ? top_hosts_json(stdout, f, b->frames, o->clock_label, o->limit)
		      : top_hosts_text(stdout, f, b->frames, o->clock_label, o->sort, o->limit);
	top_hosts_frame_free(f);
	return err ? 1 : 0;
}

static int batch_should_stop(void *arg)
{
	return *((struct batch_run *)arg)->stop;
}

int top_hosts_run(const struct top_hosts_opts *o, volatile sig_atomic_t *stop)
{
	struct batch_run b = { o, stop, 0, 1 };
	struct ht_sched_opts so;

	if (!o->json && !o->batch)
		return run_screen(o, stop);
	ht_sched_opts_default(&so);
	so.interval_ns = o->interval_ms * 1000000LL;
	so.max_ticks = o->iterations > 0 ? (uint64_t)o->iterations : 0;
	so.ctx = &b;
	so.tick = batch_tick;
	so.should_stop = batch_should_stop;
	if (ht_sched_run(&so, NULL))
		return 1;
	if (!b.last_ok)
		ht_err("no host answered");
	return b.last_ok ? 0 : 1;
}
