/* /proc/PID/smaps: parsing, and what grew between two snapshots. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "proc_pid_smaps.h"
#include "ht_test.h"

static const char before_text[] =
	"55d0c8a00000-55d0c8a21000 rw-p 00000000 00:00 0                          [heap]\n"
	"Size:                132 kB\n"
	"Rss:                   8 kB\n"
	"Pss:                   8 kB\n"
	"Private_Dirty:         8 kB\n"
	"Anonymous:             8 kB\n"
	"Swap:                  0 kB\n"
	"VmFlags: rd wr mr mw me ac sd\n"
	"7f0000000000-7f0000001000 r--p 00000000 fd:01 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"Size:                  4 kB\n"
	"Rss:                   4 kB\n"
	"Private_Dirty:         0 kB\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"Size:                132 kB\n"
	"Rss:                  12 kB\n"
	"Private_Dirty:        12 kB\n";

static const char after_text[] =
	"55d0c8a00000-55d0c8c21000 rw-p 00000000 00:00 0                          [heap]\n"
	"Size:               2180 kB\n"
	"Rss:                2056 kB\n"
	"Private_Dirty:      2056 kB\n"
	"7f0000000000-7f0000001000 r--p 00000000 fd:01 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"Size:                  4 kB\n"
	"Rss:                   4 kB\n"
	"Private_Dirty:         0 kB\n"
	"7f1000000000-7f1000400000 rw-p 00000000 00:00 0 \n"
	"Size:               4096 kB\n"
	"Rss:                 512 kB\n"
	"Private_Dirty:       512 kB\n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"Size:                132 kB\n"
	"Rss:                  12 kB\n"
	"Private_Dirty:        12 kB\n";

static void test_parse(void)
{
	struct proc_pid_smaps m;

	CHECK_INT(proc_pid_smaps_parse(before_text, &m), 0);
	CHECK_INT(m.n, 3);
	CHECK_STR(m.regions[0].path, "[heap]");
	CHECK_STR(m.regions[0].perms, "rw-p");
	CHECK_INT(m.regions[0].start, 0x55d0c8a00000ULL);
	CHECK_INT(m.regions[0].size, 132 * 1024);
	CHECK_INT(m.regions[0].private_dirty, 8 * 1024);
	CHECK_INT(m.regions[0].swap, 0);
	CHECK_STR(m.regions[1].path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	CHECK_INT(m.regions[1].anonymous, -1);	/* no such line: unknown */
	proc_pid_smaps_free(&m);
	CHECK_INT(proc_pid_smaps_parse("55d0-zz rw-p\n", &m), -EINVAL);
	CHECK_INT(m.n, 0);
	CHECK_INT(proc_pid_smaps_parse("", &m), 0);
	CHECK_INT(m.n, 0);
}

static void test_grown(void)
{
	struct proc_pid_smaps a, b;
	struct proc_pid_smaps_growth *g = NULL;
	long n;

	proc_pid_smaps_parse(before_text, &a);
	proc_pid_smaps_parse(after_text, &b);
	n = proc_pid_smaps_grown(&a, &b, &g);
	CHECK_INT(n, 2);	/* the heap, and a new anonymous mapping */
	if (n == 2) {
		CHECK_STR(g[0].after.path, "[heap]");
		CHECK_INT(g[0].private_dirty_delta, 2048 * 1024);
		CHECK_INT(g[0].size_delta, 2048 * 1024);
		CHECK(!g[0].is_new);
		CHECK_STR(g[1].after.path, "");
		CHECK(g[1].is_new);
		CHECK_INT(g[1].private_dirty_delta, 512 * 1024);
	}
	free(g);
	/* Nothing grows between a snapshot and itself. */
	n = proc_pid_smaps_grown(&b, &b, &g);
	CHECK_INT(n, 0);
	free(g);
	proc_pid_smaps_free(&a);
	proc_pid_smaps_free(&b);
}

static void test_live_self(void)
{
	struct proc_pid_smaps m;

	CHECK_INT(proc_pid_smaps_read("", getpid(), &m), 0);
	CHECK(m.n > 5);
	proc_pid_smaps_free(&m);
	CHECK_INT(proc_pid_smaps_read("/nonexistent", getpid(), &m), -ENOENT);
	CHECK_INT(m.n, 0);
	proc_pid_smaps_read("", getpid(), &m);
	proc_pid_smaps_free(&m);
	proc_pid_smaps_free(NULL);
}

int main(void)
{
	test_parse();
	test_grown();
	test_live_self();
	return ht_test_done("test_proc_pid_smaps");
}
