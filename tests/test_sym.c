/* ht_sym: addresses of a live process (tests/helpers/allocsites, a PIE
 * built with -g), of the same program stripped, of libc in this process,
 * and after the target exited; refusals from maps; per-site growth. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ht_alloc.h"
#include "ht_stream.h"
#include "ht_sym.h"
#include "ht_test.h"

struct child {
	pid_t pid;
	uint64_t leak_malloc, churn;
};

/* Starts PROG 1 hold, reads its sites until "ready". */
static int start(const char *prog, struct child *c)
{
	int fd[2];
	char line[256];
	FILE *f;

	memset(c, 0, sizeof(*c));
	if (pipe(fd))
		return -1;
	if ((c->pid = fork()) == 0) {
		dup2(fd[1], 2);
		close(fd[0]);
		execl(prog, prog, "1", "hold", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	f = fdopen(fd[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long a;

		if (!strcmp(line, "ready\n"))
			break;
		if (sscanf(line, "site %63s %llx", name, &a) == 2) {
			if (!strcmp(name, "leak_malloc"))
				c->leak_malloc = a;
			else if (!strcmp(name, "churn"))
				c->churn = a;
		}
	}
	if (f)
		fclose(f);
	return c->leak_malloc ? 0 : -1;
}

static void stop(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

static uint64_t full_module_off;

static void test_debug_pie_and_exit(const char *prog)
{
	struct child c;
	struct ht_sym *s;
	struct ht_sym_site site;
	char buf[512];

	CHECK_INT(start(prog, &c), 0);
	CHECK_INT(ht_sym_open(NULL, c.pid, &s), 0);
	CHECK(ht_sym_modules(s) >= 2);	/* the program and libc at least */
	/* A return address 8 bytes into leak_malloc. */
	CHECK_INT(ht_sym_lookup(s, c.leak_malloc + 8, 1, &site), 0);
	CHECK_STR(site.func, "leak_malloc");
	CHECK_INT(site.func_off, 8);
	CHECK(strstr(site.module, "allocsites") != NULL);
	CHECK(strstr(site.file, "allocsites.c") != NULL);
	CHECK(site.line > 0);
	CHECK_INT(strlen(site.build_id), 40);
	/* A PIE: the file address is far below the load address. */
	CHECK(site.module_off < c.leak_malloc);
	full_module_off = site.module_off;
	ht_sym_format(&site, buf, sizeof(buf));
	CHECK(!strncmp(buf, "leak_malloc+0x8 (allocsites.c:", 30));

	/* The target exits: what was mapped still resolves. */
	stop(&c);
	CHECK_INT(ht_sym_lookup(s, c.churn + 4, 1, &site), 0);
	CHECK_STR(site.func, "churn");
	CHECK(site.line > 0);
	CHECK_INT(ht_sym_lookup(s, 16, 1, &site), -ENOENT);
	ht_sym_format(&site, buf, sizeof(buf));
	CHECK_STR(buf, "[unknown] 0x10");
	ht_sym_free(s);
	CHECK_INT(ht_sym_open(NULL, c.pid, &s), -ESRCH);
	CHECK(s == NULL);
}

static void test_stripped(const char *prog)
{
	char cmd[4096], copy[] = "/tmp/ht-sym-XXXXXX", buf[512];
	struct child c;
	struct ht_sym *s;
	struct ht_sym_site site;
	int fd = mkstemp(copy);

	CHECK(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "strip -o '%s' '%s' && chmod +x '%s'", copy, prog, copy);
	if (system(cmd) != 0) {
		fprintf(stderr, "skip stripped: strip failed\n");
		unlink(copy);
		return;
	}
	CHECK_INT(start(copy, &c), 0);
	CHECK_INT(ht_sym_open(NULL, c.pid, &s), 0);
	CHECK_INT(ht_sym_lookup(s, c.leak_malloc + 8, 1, &site), 0);
	CHECK_STR(site.func, "");
	CHECK_STR(site.file, "");
	/* strip leaves the text where it was. */
	CHECK_INT(site.module_off, full_module_off);
	ht_sym_format(&site, buf, sizeof(buf));
	snprintf(cmd, sizeof(cmd), "[unknown] %s+0x%llx", strrchr(copy, '/') + 1,
		 (unsigned long long)full_module_off);
	CHECK_STR(buf, cmd);
	stop(&c);
	ht_sym_free(s);
	unlink(copy);
}

static void test_libc_in_self(void)
{
	struct ht_sym *s;
	struct ht_sym_site site;
	/* getpid: a libc function no sanitizer intercepts (malloc would be
	 * ASan's in the sanitizer pass). */
	pid_t (*volatile fn)(void) = getpid;

	CHECK_INT(ht_sym_open(NULL, getpid(), &s), 0);
	CHECK_INT(ht_sym_lookup(s, (uint64_t)(uintptr_t)fn, 0, &site), 0);
	CHECK(strstr(site.module, "libc") != NULL);
	CHECK(strstr(site.func, "getpid") != NULL);
	CHECK_INT(site.func_off, 0);
	ht_sym_free(s);
}

static void put_maps(const char *root, int pid, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/%d", root, pid);
	mkdir(path, 0755);
	strcat(path, "/maps");
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

#define MAP_BIN "55d0c0000000-55d0c0001000 r-xp 00001000 fe:01 77 /usr/bin/prog\n"
#define MAP_LIBC "7f2c1a028000-7f2c1a19d000 r-xp 00028000 fe:01 1055 /usr/lib/x86_64-linux-gnu/libc.so.6\n"

/* Refusals from maps: jemalloc, tcmalloc (say which), static, none. */
static void test_alloc_check(void)
{
	char root[] = "/tmp/ht-alloc-XXXXXX", path[4096], why[512] = "";

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/proc", root);
	mkdir(path, 0755);
	put_maps(root, 1, MAP_BIN MAP_LIBC);
	put_maps(root, 2, MAP_BIN MAP_LIBC
		 "7f2c1b000000-7f2c1b0a0000 r-xp 00000000 fe:01 99 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n");
	put_maps(root, 3, MAP_BIN "7ffd1000-7ffd2000 r-xp 00000000 00:00 0 [vdso]\n");
	put_maps(root, 4, MAP_BIN "7f2c1b000000-7f2c1b0a0000 r-xp 00000000 fe:01 98 "
		 "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.9\n" MAP_LIBC);
	CHECK_INT(ht_alloc_check(root, 1, why, sizeof(why)), 0);
	CHECK_INT(ht_alloc_check(root, 2, why, sizeof(why)), -ENOTSUP);
	CHECK(strstr(why, "jemalloc's (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2)") != NULL);
	CHECK_INT(ht_alloc_check(root, 3, why, sizeof(why)), -ENOTSUP);
	CHECK(strstr(why, "statically linked") != NULL);
	CHECK_INT(ht_alloc_check(root, 4, why, sizeof(why)), -ENOTSUP);
	CHECK(strstr(why, "tcmalloc's") != NULL);
	CHECK_INT(ht_alloc_check(root, 5, why, sizeof(why)), -ESRCH);
	CHECK_INT(ht_alloc_check(NULL, getpid(), why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	CHECK_INT(system(path), 0);
}

struct feed {
	struct ht_alloc_sites *a;
	int bad;
};

static int feed_site(void *ctx, const struct ht_record *rec)
{
	struct feed *f = ctx;

	if (ht_alloc_sites_add(f->a, rec))
		f->bad++;
	return 0;
}

/* Growth per site from a stream: scaled by sample, the table batch
 * replacing what the slots said, bytes/s over the time watched. */
static void test_alloc_sites(void)
{
	static const char text[] =
		"#healthtap v=1 runtime=bpf start_ms=1 interval_ms=1000\n"
		"1000 alloc sample 4\n"
		"1000 alloc site_bytes 400 site=0x10\n"
		"1000 alloc site_blocks 4 site=0x10\n"
		"1000 alloc site_bytes 100 site=0x7f0000000020\n"
		"1000 alloc site_blocks 1 site=0x7f0000000020\n"
		"1000 alloc site_bytes 5 site=zz\n"
		"1000 sched switches 3\n"
		"1000 alloc batch 1\n"
		"2000 alloc table 1\n"
		"2000 alloc sample 4\n"
		"2000 alloc site_bytes 800 site=0x10\n"
		"2000 alloc site_blocks 8 site=0x10\n"
		"2000 alloc site_bytes 200 site=0x30\n"
		"2000 alloc site_blocks 2 site=0x30\n"
		"2000 alloc batch 2\n";
	struct feed ctx = { ht_alloc_sites_new(), 0 };
	struct ht_stream *st = ht_stream_new(feed_site, NULL, &ctx);
	struct ht_alloc_site out[4];
	int64_t ms;

	ht_stream_feed(st, text, strlen(text));
	ht_stream_finish(st);
	ht_stream_free(st);
	CHECK_INT(ctx.bad, 1);
	CHECK_INT(ht_alloc_sites_sample(ctx.a), 4);
	CHECK_INT(ht_alloc_sites_get(ctx.a, out, 4, &ms), 2);
	CHECK_INT(ms, 2000);
	CHECK_INT(out[0].addr, 0x10);
	CHECK_INT(out[0].bytes, 3200);
	CHECK_INT(out[0].blocks, 32);
	CHECK_NEAR(out[0].bytes_per_s, 1600, 1e-9);
	CHECK_NEAR(out[0].share, 0.8, 1e-9);
	CHECK_NEAR(out[0].rel_error, 1 / sqrt(8), 1e-9);
	CHECK_INT(out[1].addr, 0x30);
	CHECK_NEAR(out[1].share, 0.2, 1e-9);
	/* at most max copied, the count still all */
	CHECK_INT(ht_alloc_sites_get(ctx.a, out, 1, NULL), 2);
	ht_alloc_sites_free(ctx.a);
	ht_alloc_sites_free(NULL);
}

int main(void)
{
	const char *top = getenv("top_builddir");
	char prog[4096];

	snprintf(prog, sizeof(prog), "%s/tests/helpers/allocsites", top ? top : ".");
	if (access(prog, X_OK)) {
		fprintf(stderr, "no %s\n", prog);
		return 1;
	}
	test_debug_pie_and_exit(prog);
	test_stripped(prog);
	test_libc_in_self();
	test_alloc_check();
	test_alloc_sites();
	return ht_test_done("test_sym");
}
