/* /proc/stat reader on fixtures and on awkward text. */
#include <errno.h>
#include <stdlib.h>
#include "proc_stat.h"
#include "ht_test.h"

static void test_fixture(const char *srcdir)
{
	char root[4096];
	struct proc_stat st;

	snprintf(root, sizeof(root), "%s/tests/fixtures/basic", srcdir);
	CHECK_INT(proc_stat_read(root, &st), 0);
	CHECK_INT(st.ctxt, 115315);
	CHECK_INT(st.intr, 1462898);
	CHECK_INT(st.softirq, 1209553);
	CHECK_INT(st.processes, 2912);
	CHECK_INT(st.procs_running, 2);
	CHECK_INT(st.procs_blocked, 1);
	CHECK_INT(st.btime, 1769000000);
	CHECK_INT(st.ncpus, 2);
	CHECK_INT(st.cpu.user, 10132153);
	CHECK_INT(st.cpu.steal, 0);
}

static void test_missing_file(void)
{
	struct proc_stat st;

	CHECK_INT(proc_stat_read("/nonexistent-root", &st), -ENOENT);
}

static void test_old_kernel_lacks_fields(void)
{
	struct proc_stat st;

	/* A 2.4-era cpu line (4 columns) and no procs_blocked. */
	CHECK_INT(proc_stat_parse("cpu 1 2 3 4\nctxt 9\n", &st), 0);
	CHECK_INT(st.cpu.idle, 4);
	CHECK_INT(st.cpu.iowait, -1);
	CHECK_INT(st.procs_blocked, -1);
	CHECK_INT(st.intr, -1);
	CHECK_INT(proc_stat_parse("garbage\n", &st), -EINVAL);
	CHECK_INT(proc_stat_parse("", &st), -EINVAL);
}

int main(void)
{
	const char *srcdir = getenv("top_srcdir");

	test_fixture(srcdir ? srcdir : ".");
	test_missing_file();
	test_old_kernel_lacks_fields();
	return ht_test_done("test_proc_stat");
}
