/* Per-process /proc readers on the fixture trees tests/fixtures/procs (real
 * processes of the dev VM, see its README) and tests/fixtures/procs-old, and
 * on awkward text. */
#include <errno.h>
#include <stdlib.h>
#include "proc_pid_cgroup.h"
#include "proc_pid_cmdline.h"
#include "proc_pid_limits.h"
#include "proc_pid_smaps_rollup.h"
#include "proc_pid_stat.h"
#include "proc_pid_status.h"
#include "proc_pid_statm.h"
#include "ht_test.h"

#define KB 1024LL

static char root[4096], old_root[4096], hybrid_root[4096];

static void test_statm(void)
{
	struct proc_pid_statm m;
	long pg = proc_pid_page_size();

	CHECK_INT(proc_pid_statm_read(root, 1, &m), 0);
	CHECK_INT(m.size, 9020 * pg);
	CHECK_INT(m.resident, 2460 * pg);
	CHECK_INT(m.shared, 1442 * pg);
	CHECK_INT(m.text, 1334 * pg);
	CHECK_INT(m.data, 7175 * pg);

	/* Kernel thread and zombie: no mm, all zeros (real, not a sentinel). */
	CHECK_INT(proc_pid_statm_read(root, 2, &m), 0);
	CHECK_INT(m.size, 0);
	CHECK_INT(m.resident, 0);
	CHECK_INT(proc_pid_statm_read(root, 6236, &m), 0);
	CHECK_INT(m.resident, 0);

	CHECK_INT(proc_pid_statm_read(root, 999999, &m), -ENOENT);
	CHECK_INT(m.resident, -1);

	/* Parse with an explicit page size. */
	CHECK_INT(proc_pid_statm_parse("730 437 410 5 0 89 0\n", 4096, &m), 0);
	CHECK_INT(m.resident, 437 * 4096);
	CHECK_INT(m.data, 89 * 4096);
	CHECK_INT(proc_pid_statm_parse("730 437\n", 65536, &m), 0);
	CHECK_INT(m.size, 730 * 65536);
	CHECK_INT(m.shared, -1);
	CHECK_INT(m.text, -1);
	CHECK_INT(proc_pid_statm_parse("730\n", 4096, &m), -EINVAL);
	CHECK_INT(m.size, -1);
	CHECK_INT(proc_pid_statm_parse("", 4096, &m), -EINVAL);
	CHECK_INT(proc_pid_statm_parse("x y z", 4096, &m), -EINVAL);
	CHECK_INT(proc_pid_statm_parse("-5 3", 4096, &m), -EINVAL);
	/* Overflow of pages * page size gives -1, not a wrapped number. */
	CHECK_INT(proc_pid_statm_parse("9223372036854775807 1", 4096, &m), 0);
	CHECK_INT(m.size, -1);
	CHECK_INT(m.resident, 4096);
	CHECK_INT(proc_pid_statm_parse("99999999999999999999 1", 4096, &m), -EINVAL);
}

static void test_status(void)
{
	struct proc_pid_status s;

	CHECK_INT(proc_pid_status_read(root, 1, &s), 0);
	CHECK_INT(s.vm_rss, 9840 * KB);
	CHECK_INT(s.rss_anon, 4072 * KB);
	CHECK_INT(s.rss_file, 8 * KB);
	CHECK_INT(s.rss_shmem, 5760 * KB);
	CHECK_INT(s.vm_swap, 0);
	CHECK_INT(s.vm_size, 36080 * KB);
	CHECK_INT(s.vm_hwm, 9932 * KB);
	CHECK_INT(s.threads, 11);
	CHECK_INT(s.uid, 0);
	CHECK_INT(s.euid, 0);
	CHECK_INT(s.ppid, 0);
	CHECK_INT(s.voluntary_ctxt_switches, 353);
	CHECK_INT(s.nonvoluntary_ctxt_switches, 33);
	CHECK_INT(s.state, 'S');

	/* Kernel thread: no Vm or Rss lines -> -1, not 0. */
	CHECK_INT(proc_pid_status_read(root, 2, &s), 0);
	CHECK_INT(s.vm_rss, -1);
	CHECK_INT(s.rss_anon, -1);
	CHECK_INT(s.vm_swap, -1);
	CHECK_INT(s.vm_size, -1);
	CHECK_INT(s.threads, 1);
	CHECK_INT(s.voluntary_ctxt_switches, 61);
	CHECK_INT(s.nonvoluntary_ctxt_switches, 1);

	/* Zombie. */
	CHECK_INT(proc_pid_status_read(root, 6236, &s), 0);
	CHECK_INT(s.state, 'Z');
	CHECK_INT(s.vm_rss, -1);
	CHECK_INT(s.ppid, 6234);

	/* Old kernel: VmRSS but no RssAnon/RssFile/RssShmem/VmSwap. */
	CHECK_INT(proc_pid_status_read(old_root, 4321, &s), 0);
	CHECK_INT(s.vm_rss, 1748 * KB);
	CHECK_INT(s.vm_hwm, 1748 * KB);
	CHECK_INT(s.rss_anon, -1);
	CHECK_INT(s.rss_file, -1);
	CHECK_INT(s.rss_shmem, -1);
	CHECK_INT(s.vm_swap, -1);

	CHECK_INT(proc_pid_status_read(root, 999999, &s), -ENOENT);
	CHECK_INT(s.vm_rss, -1);

	/* Awkward text: a unit other than kB, a missing number, no newline. */
	CHECK_INT(proc_pid_status_parse("VmRSS:\t 12 MB\nVmSwap:\t\nThreads:\t7", &s), 0);
	CHECK_INT(s.vm_rss, -1);
	CHECK_INT(s.vm_swap, -1);
	CHECK_INT(s.threads, 7);
	CHECK_INT(s.state, '?');
	CHECK_INT(proc_pid_status_parse("Name:\tx\nUmask:\t0022\n", &s), -EINVAL);
	CHECK_INT(proc_pid_status_parse("", &s), -EINVAL);
	CHECK_INT(s.uid, -1);
	CHECK_INT(proc_pid_status_parse("Uid:\t1000\t1001\t1000\t1000\n", &s), 0);
	CHECK_INT(s.uid, 1000);
	CHECK_INT(s.euid, 1001);
}

static void test_stat(void)
{
	struct proc_pid_stat s;

	CHECK_INT(proc_pid_stat_read(root, 1, &s), 0);
	CHECK_INT(s.pid, 1);
	CHECK_STR(s.comm, "process_api");
	CHECK_INT(s.state, 'S');
	CHECK_INT(s.ppid, 0);
	CHECK_INT(s.flags, 0x400100);
	CHECK_INT(s.utime, 31);
	CHECK_INT(s.stime, 62);
	CHECK_INT(s.num_threads, 11);
	CHECK_INT(s.starttime, 14);

	/* comm "a) b": the LAST ')' ends it. */
	CHECK_INT(proc_pid_stat_read(root, 6123, &s), 0);
	CHECK_STR(s.comm, "a) b");
	CHECK_INT(s.state, 'S');
	CHECK_INT(s.ppid, 1);
	CHECK_INT(s.starttime, 104095);

	CHECK_INT(proc_pid_stat_read(root, 6232, &s), 0);
	CHECK_STR(s.comm, "(sd-pam)");
	CHECK_INT(s.starttime, 105015);

	/* Kernel thread: PF_KTHREAD set. */
	CHECK_INT(proc_pid_stat_read(root, 2, &s), 0);
	CHECK_STR(s.comm, "kthreadd");
	CHECK_INT(s.flags, 0x208040);
	CHECK(s.flags & PROC_PID_PF_KTHREAD);

	CHECK_INT(proc_pid_stat_read(root, 6236, &s), 0);
	CHECK_INT(s.state, 'Z');
	CHECK_INT(s.ppid, 6234);
	CHECK(!(s.flags & PROC_PID_PF_KTHREAD));

	CHECK_INT(proc_pid_stat_read(root, 999999, &s), -ENOENT);
	CHECK_INT(s.starttime, -1);

	/* Awkward: ") (" and a newline inside comm, truncated lines. */
	CHECK_INT(proc_pid_stat_parse("77 (x) (y\nz) R 5 5 5 0 -1 64 0 0 0 0 3 4 0 0 20 0 2 0 999 0\n", &s), 0);
	CHECK_STR(s.comm, "x) (y\nz");
	CHECK_INT(s.state, 'R');
	CHECK_INT(s.ppid, 5);
	CHECK_INT(s.flags, 64);
	CHECK_INT(s.utime, 3);
	CHECK_INT(s.stime, 4);
	CHECK_INT(s.num_threads, 2);
	CHECK_INT(s.starttime, 999);
	CHECK_INT(proc_pid_stat_parse("77 (x) R 5 5 5 0 -1 64 0 0 0 0 3", &s), 0);
	CHECK_INT(s.utime, 3);
	CHECK_INT(s.stime, -1);
	CHECK_INT(s.starttime, -1);
	CHECK_INT(proc_pid_stat_parse("77 ()) S 1", &s), 0);
	CHECK_STR(s.comm, ")");
	CHECK_INT(s.ppid, 1);
	CHECK_INT(proc_pid_stat_parse("77 (x R 5", &s), -EINVAL);
	CHECK_INT(proc_pid_stat_parse("77 (x)", &s), -EINVAL);
	CHECK_INT(proc_pid_stat_parse("(x) R 5", &s), -EINVAL);
	CHECK_INT(proc_pid_stat_parse("", &s), -EINVAL);
	CHECK_INT(s.state, '?');
	/* A comm longer than the buffer is cut, the fields after it still parse. */
	CHECK_INT(proc_pid_stat_parse("9 (0123456789012345678901234567890123456789012345678901234567890123456789) S 4", &s), 0);
	CHECK_INT(strlen(s.comm), PROC_PID_STAT_COMM_MAX - 1);
	CHECK_INT(s.ppid, 4);
}

static void test_smaps_rollup(void)
{
	struct proc_pid_smaps_rollup r;

	CHECK_INT(proc_pid_smaps_rollup_read(root, 6123, &r), 0);
	CHECK_INT(r.rss, 1748 * KB);
	CHECK_INT(r.pss, 215 * KB);
	CHECK_INT(r.private_dirty, 144 * KB);
	CHECK_INT(r.anonymous, 108 * KB);
	CHECK_INT(r.swap, 0);

	/* Old kernel: no smaps_rollup file. */
	CHECK_INT(proc_pid_smaps_rollup_read(old_root, 4321, &r), -ENOENT);
	CHECK_INT(r.rss, -1);
	CHECK_INT(proc_pid_smaps_rollup_parse("Pss: 5 kB\n", &r), -EINVAL);
	CHECK_INT(r.pss, 5 * KB);
	CHECK_INT(proc_pid_smaps_rollup_parse("Rss: 5 kB\nSwap: x kB\n", &r), 0);
	CHECK_INT(r.swap, -1);
	/* "Pss_Anon:" must not be taken for "Pss:". */
	CHECK_INT(proc_pid_smaps_rollup_parse("Rss: 1 kB\nPss_Anon: 7 kB\n", &r), 0);
	CHECK_INT(r.pss, -1);
}

static void test_cmdline(void)
{
	char buf[4096], small[16];

	CHECK_INT(proc_pid_cmdline_read(root, 6123, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/tmp/w/a) b 1000");
	CHECK_INT(proc_pid_cmdline_read(root, 6232, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "(sd-pam)");
	CHECK_INT(proc_pid_cmdline_read(root, 2, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	CHECK_INT(proc_pid_cmdline_read(root, 6236, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	/* argv zeroed by the process: 23 NULs. */
	CHECK_INT(proc_pid_cmdline_read(root, 7088, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
	/* 6512 bytes cut to the buffer. */
	CHECK_INT(proc_pid_cmdline_read(root, 6818, buf, sizeof(buf)), 0);
	CHECK_INT(strlen(buf), sizeof(buf) - 1);
	CHECK(!strncmp(buf, "bash -c sleep 1000; : long-args --option-000=xxxx", 49));
	CHECK_INT(proc_pid_cmdline_read(root, 6818, small, sizeof(small)), 0);
	CHECK_STR(small, "bash -c sleep 1");
	CHECK_INT(proc_pid_cmdline_read(root, 999999, buf, sizeof(buf)), -ENOENT);
	CHECK_STR(buf, "");

	CHECK_INT(proc_pid_cmdline_parse("a\0b\0\0c\0\0", 8, buf, sizeof(buf)), 6);
	CHECK_STR(buf, "a b  c");
	CHECK_INT(proc_pid_cmdline_parse("x\ty\n", 4, buf, sizeof(buf)), 4);
	CHECK_STR(buf, "x?y?");
	CHECK_INT(proc_pid_cmdline_parse("abcdef", 6, buf, 4), 3);
	CHECK_STR(buf, "abc");
	CHECK_INT(proc_pid_cmdline_parse("", 0, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "");
}

static void test_cgroup(void)
{
	struct proc_pid_cgroup c;

	CHECK_INT(proc_pid_cgroup_read(root, 6123, &c), 0);
	CHECK_STR(c.path, "/user.slice/user-1000.slice/session-3.scope");
	CHECK_INT(c.memory_max, 536870912);
	CHECK_INT(c.memory_current, 9756672);

	/* "max" is no limit. */
	CHECK_INT(proc_pid_cgroup_read(root, 6818, &c), 0);
	CHECK_STR(c.path, "/system.slice/long-args.service");
	CHECK_INT(c.memory_max, PROC_PID_CGROUP_NO_LIMIT);
	CHECK_INT(c.memory_current, 3137536);

	/* No memory.current file: unknown, not 0. */
	CHECK_INT(proc_pid_cgroup_read(root, 1, &c), 0);
	CHECK_STR(c.path, "/init.scope");
	CHECK_INT(c.memory_max, PROC_PID_CGROUP_NO_LIMIT);
	CHECK_INT(c.memory_current, -1);

	/* Root cgroup "0::/": no memory files under the fixture's root. */
	CHECK_INT(proc_pid_cgroup_read(root, 2, &c), 0);
	CHECK_STR(c.path, "/");
	CHECK_INT(c.memory_max, -1);
	CHECK_INT(c.memory_current, -1);

	/* cgroup v1 only. */
	CHECK_INT(proc_pid_cgroup_read(root, 6232, &c), -ENODATA);
	CHECK_STR(c.path, "");
	CHECK_INT(proc_pid_cgroup_read(old_root, 4321, &c), -ENOENT);

	/* Hybrid layout: cgroup2 at /sys/fs/cgroup/unified. */
	CHECK_INT(proc_pid_cgroup_read(hybrid_root, 6123, &c), 0);
	CHECK_STR(c.path, "/user.slice");
	CHECK_INT(c.memory_max, 1073741824);
	CHECK_INT(c.memory_current, 52428800);

	CHECK_INT(proc_pid_cgroup_parse("1:name=systemd:/x\n0::/a/b\n", &c), 0);
	CHECK_STR(c.path, "/a/b");
	CHECK_INT(proc_pid_cgroup_parse("0::/a", &c), 0);
	CHECK_STR(c.path, "/a");
	CHECK_INT(proc_pid_cgroup_parse("0::\n", &c), -ENODATA);
	CHECK_INT(proc_pid_cgroup_parse_memory("max\n"), PROC_PID_CGROUP_NO_LIMIT);
	CHECK_INT(proc_pid_cgroup_parse_memory("4096\n"), 4096);
	CHECK_INT(proc_pid_cgroup_parse_memory("maxi\n"), -1);
	CHECK_INT(proc_pid_cgroup_parse_memory("12k\n"), -1);
	CHECK_INT(proc_pid_cgroup_parse_memory(""), -1);
}

static void test_limits(void)
{
	struct proc_pid_limits l;

	CHECK_INT(proc_pid_limits_read(root, 6123, &l), 0);
	CHECK_INT(l.as_soft, 4294967296LL);
	CHECK_INT(l.as_hard, PROC_PID_LIMITS_UNLIMITED);
	CHECK_INT(l.data_soft, 1073741824LL);
	CHECK_INT(l.data_hard, 2147483648LL);

	CHECK_INT(proc_pid_limits_read(root, 1, &l), 0);
	CHECK_INT(l.as_soft, PROC_PID_LIMITS_UNLIMITED);
	CHECK_INT(l.data_hard, PROC_PID_LIMITS_UNLIMITED);

	CHECK_INT(proc_pid_limits_read(old_root, 4321, &l), -ENOENT);
	CHECK_INT(l.as_soft, -1);

	/* Only one row: the other stays -1. */
	CHECK_INT(proc_pid_limits_parse("Max address space         100                  200                  bytes\n", &l), 0);
	CHECK_INT(l.as_soft, 100);
	CHECK_INT(l.as_hard, 200);
	CHECK_INT(l.data_soft, -1);
	CHECK_INT(proc_pid_limits_parse("Max data size             junk                 1 bytes\n", &l), -EINVAL);
	CHECK_INT(proc_pid_limits_parse("Max address spaces 1 2\n", &l), -EINVAL);
	CHECK_INT(proc_pid_limits_parse("", &l), -EINVAL);
}

int main(void)
{
	const char *srcdir = getenv("top_srcdir");

	if (!srcdir)
		srcdir = ".";
	snprintf(root, sizeof(root), "%s/tests/fixtures/procs", srcdir);
	snprintf(old_root, sizeof(old_root), "%s/tests/fixtures/procs-old", srcdir);
	snprintf(hybrid_root, sizeof(hybrid_root), "%s/tests/fixtures/procs-hybrid", srcdir);
	test_statm();
	test_status();
	test_stat();
	test_smaps_rollup();
	test_cmdline();
	test_cgroup();
	test_limits();
	return ht_test_done("test_proc_pid");
}
