/* Kernel memory verdicts (ht_leak_judge_sampler with opts.kernel) on a
 * fixture series: vm618's /proc tree copied, then its /proc/slabinfo
 * rewritten at every sample (dentry grows by 1000 objects a second, the
 * other caches stay), /proc/net/udp's queue of 127.0.0.1:59575 growing by
 * 8320 bytes a second, and a fixture process 4242 holding that socket
 * (proc/4242/fd/3 -> socket:[424477]). Then the growth is given back. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ht_counter.h"
#include "ht_leak_collect.h"
#include "ht_sampler.h"
#include "ht_test.h"

static int64_t fake_ns;
static int64_t fake_clock(void) { return fake_ns; }

static char root[] = "/tmp/ht-kmem-XXXXXX";
static char *slabinfo_text, *udp_text;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n = 0;

	if (f && buf)
		n = fread(buf, 1, (1 << 20) - 1, f);
	if (f)
		fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static void write_text(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* The fixture's text with the line starting with key replaced. */
static void write_replaced(const char *rel, const char *text, const char *key,
			   const char *line)
{
	const char *at = strstr(text, key);
	size_t len = strlen(text) + strlen(line) + 1;
	char *out = malloc(len);

	CHECK(at != NULL && out != NULL);
	if (!at || !out) {
		free(out);
		return;
	}
	at = at == text || at[-1] == '\n' ? at : strstr(at, key);
	snprintf(out, len, "%.*s%s%s", (int)(at - text), text, line, strchr(at, '\n'));
	write_text(rel, out);
	free(out);
}

/* Sample at step i: dentry has 110691 + grow objects, the socket q bytes. */
static void step(struct ht_sampler *s, long grow, long q)
{
	char line[256];
	long objs = 110691 + grow;

	snprintf(line, sizeof(line), "dentry            %6ld %6ld    192   21    1 : tunables    0"
		 "    0    0 : slabdata   %4ld   %4ld      0", objs, objs, objs / 21, objs / 21);
	write_replaced("/proc/slabinfo", slabinfo_text, "dentry ", line);
	snprintf(line, sizeof(line), " 1674: 0100007F:E8B7 00000000:0000 07 00000000:%08lX 00:00000000 "
		 "00000000     0        0 424477 2 000000003131df3e 0        ", q);
	write_replaced("/proc/net/udp", udp_text, " 1674:", line);
	fake_ns += 1000000000LL;
	CHECK_INT(ht_sampler_sample(s), 0);
}

static const struct ht_leak_item *find(const struct ht_leak_item *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

int main(void)
{
	const char *top = getenv("top_srcdir") ? getenv("top_srcdir") : ".";
	char cmd[9000], path[4200];
	struct ht_sampler_opts so;
	struct ht_leak_collect_opts o;
	struct ht_leak_report r;
	const struct ht_leak_item *it;
	struct ht_sampler *s;

	CHECK(mkdtemp(root) != NULL);
	snprintf(cmd, sizeof(cmd), "cp -r '%s/tests/fixtures/vm618/proc' '%s/' && mkdir -p '%s/proc/4242/fd'"
		 " && ln -s 'socket:[424477]' '%s/proc/4242/fd/3'", top, root, root, root);
	CHECK_INT(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/proc/slabinfo", root);
	slabinfo_text = slurp(path);
	snprintf(path, sizeof(path), "%s/proc/net/udp", root);
	udp_text = slurp(path);

	ht_sampler_opts_default(&so);
	so.root = root;
	so.kernel = 1;
	s = ht_sampler_new(&so);
	CHECK(s != NULL);
	ht_clock_set(fake_clock);
	fake_ns = 1000000000LL;
	for (long i = 0; i < 30; i++)
		step(s, 1000 * i, 8320 * (i + 1));
	CHECK(ht_sampler_nslab_views(s) > 200);
	CHECK_INT(ht_sampler_nsocks(s), 2);		/* the two queued in vm618 */

	ht_leak_collect_opts_default(&o);
	o.root = root;
	o.kernel = 1;
	CHECK_INT(ht_leak_judge_sampler(s, &o, &r), 0);
	/* every cache judged, only dentry grows */
	CHECK(r.nslabs_judged > 200);
	CHECK_INT(r.nslabs, 1);
	it = find(r.slabs, r.nslabs, "dentry");
	CHECK(it != NULL);
	if (it) {
		CHECK_INT(it->kind, HT_LEAK_SLAB);
		CHECK_INT(it->l.verdict, HT_LEAK_YES);
		CHECK_NEAR(it->l.rate, 1000.0 * 192, 1.0);
		CHECK_INT(it->l.current, (110691 + 29000) * 192LL);
		/* MemAvailable (vm618: 24130092 kB) runs out at that rate */
		CHECK_INT(it->l.limit_kind, HT_LIMIT_SYSTEM);
		CHECK_INT(it->l.headroom, 24130092LL * 1024);
		CHECK_NEAR(it->l.eta.point, 24130092.0 * 1024 / (1000.0 * 192), 1.0);
	}
	CHECK(find(r.slabs, r.nslabs, "kmalloc-1k") == NULL);
	/* the fixture's meminfo does not change: the kernel figures are flat */
	CHECK_INT(r.nkernel, HT_KMEM_FIELDS);
	it = find(r.kernel, r.nkernel, "SUnreclaim");
	CHECK(it && it->l.verdict == HT_LEAK_NO && it->l.current == 27084LL * 1024);
	/* the growing queue, and who holds it; the other (constant) is not listed */
	CHECK_INT(r.nsockets_judged, 2);
	CHECK_INT(r.nsockets, 1);
	if (r.nsockets == 1) {
		it = &r.sockets[0];
		CHECK_STR(it->name, "udp 127.0.0.1:59575");
		CHECK_INT(it->inode, 424477);
		CHECK_INT(it->l.verdict, HT_LEAK_YES);
		CHECK_NEAR(it->l.rate, 8320.0, 0.01);
		CHECK(it->owners != NULL);
		if (it->owners)
			CHECK_STR(it->owners, "4242 (?)");
	}
	ht_leak_report_free(&r);
	CHECK(r.slabs == NULL && r.nslabs == 0 && r.sockets == NULL);

	/* the cache is given back and the queue read: no leak any more */
	for (long i = 0; i < 30; i++)
		step(s, 29000 - 1000 * i, i < 29 ? 8320 * (29 - i) : 0);
	CHECK_INT(ht_sampler_nsocks(s), 1);		/* the empty one left */
	CHECK_INT(ht_leak_judge_sampler(s, &o, &r), 0);
	CHECK(find(r.slabs, r.nslabs, "dentry") == NULL);
	CHECK_INT(r.nsockets, 0);
	ht_leak_report_free(&r);

	/* without opts.kernel nothing of it */
	o.kernel = 0;
	CHECK_INT(ht_leak_judge_sampler(s, &o, &r), 0);
	CHECK(r.nkernel == 0 && r.nslabs_judged == 0 && r.nsockets_judged == 0);
	ht_leak_report_free(&r);

	ht_clock_set(NULL);
	ht_sampler_free(s);
	free(slabinfo_text);
	free(udp_text);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
	return ht_test_done("test_kmem");
}
