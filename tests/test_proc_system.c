/* System /proc readers on fixture trees (vm618: a real 2-CPU 6.18 VM;
 * bigbox: 64 CPU columns with CPU13 offline and odd IRQ names; oldkernel:
 * a 3.x layout without MemAvailable or PSI) and on awkward text. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "proc_interrupts.h"
#include "proc_meminfo.h"
#include "proc_net_dev.h"
#include "proc_net_snmp.h"
#include "proc_net_sock.h"
#include "proc_net_sockstat.h"
#include "proc_pressure.h"
#include "proc_slabinfo.h"
#include "proc_softirqs.h"
#include "proc_stat.h"
#include "proc_vmstat.h"
#include "ht_test.h"

static char vm618[4096], bigbox[4096], oldkernel[4096];

static const struct proc_interrupts_row *irq_row(const struct proc_interrupts *p,
						 const char *irq)
{
	const struct proc_interrupts_row *r = proc_interrupts_find(p, irq);

	CHECK(r != NULL);
	if (!r)
		fprintf(stderr, "  (no row %s)\n", irq);
	return r;
}

static void test_interrupts_vm618(void)
{
	struct proc_interrupts p;
	const struct proc_interrupts_row *r;

	CHECK_INT(proc_interrupts_read(vm618, &p), 0);
	CHECK_INT(p.ncpus, 2);
	CHECK_INT(p.cpu[1], 1);
	CHECK_INT(p.nrows, 35);		/* 19 numbered + 16 arch rows */
	CHECK_INT(p.nskipped, 0);
	CHECK_STR(p.rows[0].irq, "24");
	CHECK_STR(p.rows[0].desc, "IO-APIC   5-edge      ACPI:Ged");
	if ((r = irq_row(&p, "28"))) {
		CHECK_STR(r->desc, "PCI-MSIX-0000:00:01.0   0-edge      virtio0-config");
		CHECK_INT(r->total, 0);
	}
	if ((r = irq_row(&p, "36"))) {
		CHECK_INT(r->ncounts, 2);
		CHECK_INT(r->counts[0], 0);
		CHECK_INT(r->counts[1], 57780);
		CHECK_INT(r->total, 57780);
	}
	if ((r = irq_row(&p, "LOC"))) {
		CHECK_INT(r->counts[0], 66139);
		CHECK_INT(r->counts[1], 66249);
		CHECK_INT(r->total, 132388);
		CHECK_STR(r->desc, "Local timer interrupts");
	}
	if ((r = irq_row(&p, "CAL")))
		CHECK_INT(r->total, 1138840 + 1108451);
	if ((r = irq_row(&p, "ERR"))) {
		CHECK_INT(r->ncounts, 1);
		CHECK_INT(r->counts[0], 0);
		CHECK_STR(r->desc, "");
	}
	if ((r = irq_row(&p, "MIS")))
		CHECK_INT(r->ncounts, 1);
	if ((r = irq_row(&p, "PIW")))
		CHECK_STR(r->desc, "Posted-interrupt wakeup event");
	CHECK(proc_interrupts_find(&p, "NOPE") == NULL);
	proc_interrupts_free(&p);
	CHECK(p.rows == NULL && p.nrows == 0);
	proc_interrupts_free(&p);	/* twice is fine */
	proc_interrupts_free(NULL);
}

static void test_interrupts_bigbox(void)
{
	static const char *const arch[] = {
		"NMI", "LOC", "SPU", "PMI", "IWI", "RTR", "RES", "CAL", "TLB",
		"TRM", "THR", "DFR", "MCE", "MCP", "HYP", "PIN", "NPI", "PIW",
	};
	struct proc_interrupts p;
	const struct proc_interrupts_row *r;

	CHECK_INT(proc_interrupts_read(bigbox, &p), 0);
	CHECK_INT(p.ncpus, 64);
	CHECK_INT(p.cpu[12], 12);
	CHECK_INT(p.cpu[13], 14);	/* CPU13 is offline: no column */
	CHECK_INT(p.cpu[63], 64);
	CHECK_INT(p.nrows, 31);
	CHECK_INT(p.nskipped, 0);
	for (size_t i = 0; i < sizeof(arch) / sizeof(arch[0]); i++)
		if ((r = irq_row(&p, arch[i])))
			CHECK_INT(r->ncounts, 64);
	if ((r = irq_row(&p, "0"))) {
		CHECK_INT(r->counts[1], 104729);
		CHECK_INT(r->total, 211133664);
		CHECK_STR(r->desc, "IO-APIC  2-edge     timer");
	}
	if ((r = irq_row(&p, "16")))
		CHECK_STR(r->desc, "IO-APIC  16-fasteoi   ehci_hcd:usb1, ioc0");
	if ((r = irq_row(&p, "122")))	/* no handler name */
		CHECK_STR(r->desc, "IR-PCI-MSI  1572865-edge");
	if ((r = irq_row(&p, "999")))
		CHECK_INT(r->counts[63], 6677117);
	if ((r = irq_row(&p, "LOC"))) {
		CHECK_INT(r->counts[0], 95028);
		CHECK_INT(r->counts[62], 6588226);
		CHECK_INT(r->counts[63], 4294967295LL);
		CHECK_INT(r->total, 4505489796LL);	/* above 32 bits */
	}
	if ((r = irq_row(&p, "PIW"))) {
		CHECK_INT(r->counts[63], 6835497);
		CHECK_INT(r->total, 226338144);
	}
	if ((r = irq_row(&p, "ERR"))) {
		CHECK_INT(r->ncounts, 1);
		CHECK_INT(r->total, 7);
	}
	proc_interrupts_free(&p);
}

static void test_interrupts_text(void)
{
	struct proc_interrupts p;
	const struct proc_interrupts_row *r;

	/* arm64 rows, a cut last line, a garbled row and a blank line. */
	CHECK_INT(proc_interrupts_parse(
		"           CPU0       CPU1       CPU2\n"
		" 11:       4000       4001       4002     GICv3  27 Level     arch_timer\n"
		"\n"
		"IPI0:        10         20         30       Rescheduling interrupts\n"
		"this line is not a row\n"
		"Err:          0\n"
		" 12:        555        6", &p), 0);
	CHECK_INT(p.ncpus, 3);
	CHECK_INT(p.nrows, 4);
	CHECK_INT(p.nskipped, 1);
	if ((r = irq_row(&p, "11"))) {
		CHECK_INT(r->total, 12003);
		CHECK_STR(r->desc, "GICv3  27 Level     arch_timer");
	}
	if ((r = irq_row(&p, "IPI0")))
		CHECK_INT(r->counts[2], 30);
	if ((r = irq_row(&p, "12"))) {
		CHECK_INT(r->ncounts, 2);
		CHECK_INT(r->counts[1], 6);
	}
	proc_interrupts_free(&p);

	/* A count too big for 63 bits is not a count: it starts the
	 * description. Two counts that sum past INT64_MAX give total -1. */
	CHECK_INT(proc_interrupts_parse(
		"CPU0 CPU1\n"
		"1: 99999999999999999999 5 x\n"
		"2: 9223372036854775807 1 y\n", &p), 0);
	CHECK_INT(p.nrows, 1);
	CHECK_INT(p.nskipped, 1);
	if ((r = irq_row(&p, "2"))) {
		CHECK_INT(r->ncounts, 2);
		CHECK_INT(r->total, -1);
	}
	proc_interrupts_free(&p);

	CHECK_INT(proc_interrupts_parse("", &p), -EINVAL);
	CHECK(p.rows == NULL && p.cpu == NULL);
	CHECK_INT(proc_interrupts_parse(" 0: 1 2 timer\n", &p), -EINVAL);
	CHECK_INT(proc_interrupts_parse("CPU0 CPUx\n0: 1\n", &p), -EINVAL);
	CHECK_INT(proc_interrupts_parse("CPU0CPU1\n", &p), -EINVAL);
	CHECK_INT(proc_interrupts_parse("\n\n   CPU7\n", &p), 0);
	CHECK_INT(p.ncpus, 1);
	CHECK_INT(p.cpu[0], 7);
	CHECK_INT(p.nrows, 0);
	proc_interrupts_free(&p);
	CHECK_INT(proc_interrupts_read("/nonexistent-root", &p), -ENOENT);
	CHECK(p.rows == NULL);
}

static void test_softirqs(void)
{
	struct proc_softirqs s;

	CHECK_INT(proc_softirqs_read(vm618, &s), 0);
	CHECK_INT(s.ncpus, 2);
	CHECK_INT(s.nskipped, 0);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_TIMER, 0), 13440);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_TIMER, 1), 13631);
	CHECK_INT(s.total[PROC_SOFTIRQ_TIMER], 27071);
	CHECK_INT(s.total[PROC_SOFTIRQ_NET_RX], 2147);
	CHECK_INT(s.total[PROC_SOFTIRQ_BLOCK], 57775);
	CHECK_INT(s.total[PROC_SOFTIRQ_IRQ_POLL], 0);
	CHECK_INT(s.total[PROC_SOFTIRQ_RCU], 72715);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_RCU, 2), -1);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_N, 0), -1);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_HI, -1), -1);
	proc_softirqs_free(&s);

	CHECK_INT(proc_softirqs_read(bigbox, &s), 0);
	CHECK_INT(s.ncpus, 64);
	CHECK_INT(s.cpu[13], 14);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_HI, 63), 628299);
	CHECK_INT(s.total[PROC_SOFTIRQ_HI], 20105568);
	CHECK_INT(s.total[PROC_SOFTIRQ_SCHED], 468106912);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_RCU, 0), 4294967295LL);
	CHECK_INT(s.total[PROC_SOFTIRQ_RCU], 4882074564LL);
	proc_softirqs_free(&s);

	/* 3.x: BLOCK_IOPOLL is today's IRQ_POLL. */
	CHECK_INT(proc_softirqs_read(oldkernel, &s), 0);
	CHECK_INT(s.ncpus, 4);
	CHECK_INT(s.total[PROC_SOFTIRQ_IRQ_POLL], 0);
	CHECK_INT(s.total[PROC_SOFTIRQ_NET_RX], 1400000);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_HRTIMER, 3), 8);
	proc_softirqs_free(&s);

	/* Missing rows stay -1; a cut row keeps what it had but no total;
	 * unknown vectors are ignored. */
	CHECK_INT(proc_softirqs_parse("  CPU0 CPU1\n  HI: 1 2\n FUTURE: 3 4\n"
				      " TIMER: 5 x\nNET_RX: 7", &s), 0);
	CHECK_INT(s.total[PROC_SOFTIRQ_HI], 3);
	CHECK_INT(s.total[PROC_SOFTIRQ_TIMER], -1);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_TIMER, 0), 5);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_TIMER, 1), -1);
	CHECK_INT(s.total[PROC_SOFTIRQ_NET_RX], -1);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_NET_RX, 0), 7);
	CHECK_INT(s.total[PROC_SOFTIRQ_RCU], -1);
	CHECK_INT(s.nskipped, 2);
	proc_softirqs_free(&s);
	CHECK_INT(proc_softirqs_parse("CPU0\nHI: 1 2\n", &s), -EINVAL);
	CHECK_INT(proc_softirqs_parse("HI: 1\n", &s), -EINVAL);
	CHECK_INT(proc_softirqs_parse("", &s), -EINVAL);
	CHECK(s.counts == NULL && s.cpu == NULL);
	CHECK_INT(proc_softirqs_read("/nonexistent-root", &s), -ENOENT);
	CHECK_STR(proc_softirq_name(PROC_SOFTIRQ_NET_RX), "NET_RX");
	CHECK(proc_softirq_name(PROC_SOFTIRQ_N) == NULL);
}

static void test_meminfo(void)
{
	struct proc_meminfo m;

	CHECK_INT(proc_meminfo_read(vm618, &m), 0);
	CHECK_INT(m.mem_total, 24683656LL * 1024);
	CHECK_INT(m.mem_free, 23824332LL * 1024);
	CHECK_INT(m.mem_available, 24130092LL * 1024);
	CHECK_INT(m.buffers, 21228LL * 1024);
	CHECK_INT(m.cached, 399804LL * 1024);
	CHECK_INT(m.swap_total, 0);
	CHECK_INT(m.swap_free, 0);
	CHECK_INT(m.anon_pages, 14080LL * 1024);
	CHECK_INT(m.shmem, 8896LL * 1024);
	CHECK_INT(m.slab, 215204LL * 1024);
	CHECK_INT(m.sreclaimable, 188120LL * 1024);
	CHECK_INT(m.sunreclaim, 27084LL * 1024);
	CHECK_INT(m.kreclaimable, 188120LL * 1024);
	CHECK_INT(m.commit_limit, 12341828LL * 1024);
	CHECK_INT(m.committed_as, 63084LL * 1024);
	CHECK_INT(m.vmalloc_total, 34359738367LL * 1024);
	CHECK_INT(m.hugepages_total, 0);	/* a count, not kB */
	CHECK_INT(m.hugepagesize, 2048 * 1024);

	CHECK_INT(proc_meminfo_read(oldkernel, &m), 0);
	CHECK_INT(m.mem_total, 4045212LL * 1024);
	CHECK_INT(m.mem_available, -1);		/* before 3.14 */
	CHECK_INT(m.kreclaimable, -1);
	CHECK_INT(m.zswap, -1);
	CHECK_INT(m.percpu, -1);
	CHECK_INT(m.swap_free, 2031612LL * 1024);
	CHECK_INT(m.hugepages_total, 4);
	CHECK_INT(m.hugepages_rsvd, 1);
	CHECK_INT(m.active_anon, 987654LL * 1024);

	/* Garbled numbers, a missing unit, overflow in bytes, a cut line. */
	CHECK_INT(proc_meminfo_parse("MemTotal: 100 kB\nMemFree: x kB\n"
				     "Buffers: 5\nCached: 9007199254740992 kB\n"
				     "HugePages_Total: 3 junk\nShmem: 12 k", &m), 0);
	CHECK_INT(m.mem_total, 102400);
	CHECK_INT(m.mem_free, -1);
	CHECK_INT(m.buffers, -1);
	CHECK_INT(m.cached, -1);
	CHECK_INT(m.hugepages_total, -1);
	CHECK_INT(m.shmem, -1);
	CHECK_INT(m.swap_total, -1);
	CHECK_INT(proc_meminfo_parse("MemFree: 1 kB\n", &m), -EINVAL);
	CHECK_INT(proc_meminfo_parse("", &m), -EINVAL);
	CHECK_INT(proc_meminfo_read("/nonexistent-root", &m), -ENOENT);
}

static void test_vmstat(void)
{
	struct proc_vmstat v;

	CHECK_INT(proc_vmstat_read(vm618, &v), 0);
	CHECK_INT(v.pgfault, 15753595);
	CHECK_INT(v.pgmajfault, 1594);
	CHECK_INT(v.pgalloc, 13965639);		/* 5 zone lines summed */
	CHECK_INT(v.pgfree, 15130405);
	CHECK_INT(v.oom_kill, 0);
	CHECK_INT(v.pswpin, 0);
	CHECK_INT(v.pswpout, 0);
	CHECK_INT(v.nr_anon_pages, 3495);
	CHECK_INT(v.nr_file_pages, 105258);
	CHECK_INT(v.nr_free_pages, 1118811);	/* not nr_free_pages_blocks */
	CHECK_INT(v.allocstall, 0);
	CHECK_INT(v.workingset_refault, 114998);	/* _anon + _file */
	CHECK_INT(v.pgscan_kswapd, 0);		/* not pgscan_anon */
	CHECK_INT(v.thp_fault_alloc, 0);

	CHECK_INT(proc_vmstat_read(oldkernel, &v), 0);
	CHECK_INT(v.pgalloc, 4 + 3000000 + 120000000);
	CHECK_INT(v.pgscan_kswapd, 4000);	/* per zone before 4.8 */
	CHECK_INT(v.pgscan_direct, 30);		/* not pgscan_direct_throttle */
	CHECK_INT(v.pgsteal_kswapd, -1);	/* that kernel had no such split */
	CHECK_INT(v.allocstall, 9);
	CHECK_INT(v.oom_kill, -1);		/* before 4.13 */
	CHECK_INT(v.workingset_refault, -1);
	CHECK_INT(v.pswpout, 4402);
	CHECK_INT(v.compact_stall, 3);
	CHECK_INT(v.thp_fault_alloc, 42);

	CHECK_INT(proc_vmstat_parse("pgfault 1\npgfault 2\npgalloc_normal 9223372036854775807\n"
				    "pgalloc_dma 1\npgmajfault -3\npgfree 12x\noom_kill\n"
				    "pgalloc_bogus 5\nnr_dirty 99999999999999999999\n", &v), 0);
	CHECK_INT(v.pgfault, 2);		/* a repeated line: the last */
	CHECK_INT(v.pgalloc, -1);		/* the sum overflowed */
	CHECK_INT(v.pgmajfault, -1);
	CHECK_INT(v.pgfree, -1);
	CHECK_INT(v.oom_kill, -1);
	CHECK_INT(v.nr_dirty, -1);
	CHECK_INT(proc_vmstat_parse("nothing_known 1\n", &v), -EINVAL);
	CHECK_INT(proc_vmstat_parse("", &v), -EINVAL);
	CHECK_INT(proc_vmstat_read("/nonexistent-root", &v), -ENOENT);
}

static void test_pressure(void)
{
	struct proc_pressure p;
	struct proc_pressure_res r;

	CHECK_INT(proc_pressure_read(vm618, &p), 0);
	CHECK_INT(p.cpu.present, 1);
	CHECK_NEAR(p.cpu.some.avg10, 56.80, 1e-9);
	CHECK_NEAR(p.cpu.some.avg60, 32.97, 1e-9);
	CHECK_NEAR(p.cpu.some.avg300, 16.90, 1e-9);
	CHECK_INT(p.cpu.some.total_us, 93264046);
	CHECK_NEAR(p.cpu.full.avg10, 0.0, 0);
	CHECK_INT(p.cpu.full.total_us, 0);
	CHECK_INT(p.io.some.total_us, 4062581);
	CHECK_NEAR(p.io.full.avg300, 0.05, 1e-9);
	CHECK_INT(p.io.full.total_us, 3352144);
	CHECK_INT(p.memory.present, 1);
	CHECK_INT(p.memory.full.total_us, 0);

	/* Partial: cpu without "full" (before 5.13), no io file. */
	CHECK_INT(proc_pressure_read(bigbox, &p), 0);
	CHECK_INT(p.cpu.present, 1);
	CHECK_NEAR(p.cpu.some.avg300, 100.0, 1e-9);
	CHECK_INT(p.cpu.some.total_us, 18446744073LL);
	CHECK(isnan(p.cpu.full.avg10) && isnan(p.cpu.full.avg300));
	CHECK_INT(p.cpu.full.total_us, -1);
	CHECK_NEAR(p.memory.full.avg10, 3.21, 1e-9);
	CHECK_INT(p.memory.full.total_us, 123456789);
	CHECK_INT(p.io.present, 0);
	CHECK(isnan(p.io.some.avg10));
	CHECK_INT(p.io.some.total_us, -1);

	CHECK_INT(proc_pressure_read(oldkernel, &p), -ENOENT);
	CHECK_INT(proc_pressure_read("/nonexistent-root", &p), -ENOENT);

	CHECK_INT(proc_pressure_parse("some avg10=1.00 avg60=2.00 avg300=3.00 total=4\n"
				      "full avg10=1.00 avg60=nan avg300=3.00 total=4\n", &r), 0);
	CHECK_INT(r.some.total_us, 4);
	CHECK(isnan(r.full.avg60));
	CHECK_INT(r.full.total_us, -1);
	CHECK_INT(proc_pressure_parse("some avg10=1.00 avg60=2.00 avg300=3.00\n", &r), -EINVAL);
	CHECK_INT(proc_pressure_parse("some avg10=1.00 avg60=2.00 avg300=3.00 total=4 x\n", &r), -EINVAL);
	CHECK_INT(proc_pressure_parse("some avg10=inf avg60=2.00 avg300=3.00 total=4\n", &r), -EINVAL);
	CHECK_INT(proc_pressure_parse("some avg10=1.00 avg60=2.00 avg300=3.00 total=-4\n", &r), -EINVAL);
	CHECK_INT(proc_pressure_parse("full avg10=1.00 avg60=2.00 avg300=3.00 total=4\n", &r), -EINVAL);
	CHECK_INT(proc_pressure_parse("", &r), -EINVAL);
}

static void test_sockstat(void)
{
	struct proc_net_sockstat s;

	CHECK_INT(proc_net_sockstat_read(vm618, &s), 0);
	CHECK_INT(s.sockets_used, 12);
	CHECK_INT(s.tcp_inuse, 1);
	CHECK_INT(s.tcp_orphan, 0);
	CHECK_INT(s.tcp_tw, 0);
	CHECK_INT(s.tcp_alloc, 1);
	CHECK_INT(s.tcp_mem, 73);
	CHECK_INT(s.udp_inuse, 0);
	CHECK_INT(s.udp_mem, 0);
	CHECK_INT(s.frag_memory, 0);
	CHECK_INT(s.tcp6_inuse, 0);		/* from sockstat6 */
	CHECK_INT(s.frag6_memory, 0);

	/* No sockstat6 (IPv6 off): its fields are -1, not an error. */
	CHECK_INT(proc_net_sockstat_read(oldkernel, &s), 0);
	CHECK_INT(s.sockets_used, 345);
	CHECK_INT(s.tcp_tw, 17);
	CHECK_INT(s.tcp_alloc, 30);
	CHECK_INT(s.udp_mem, 2);
	CHECK_INT(s.tcp6_inuse, -1);
	CHECK_INT(s.raw6_inuse, -1);

	CHECK_INT(proc_net_sockstat_parse("TCP: inuse 5 orphan x tw\nUDP inuse 3\n"
					  "TCP6: inuse 2 mem 9\n", &s), 0);
	CHECK_INT(s.tcp_inuse, 5);
	CHECK_INT(s.tcp_orphan, -1);
	CHECK_INT(s.tcp_tw, -1);
	CHECK_INT(s.udp_inuse, -1);
	CHECK_INT(s.tcp6_inuse, 2);
	CHECK_INT(s.sockets_used, -1);
	CHECK_INT(proc_net_sockstat_parse("junk\n", &s), -EINVAL);
	CHECK_INT(proc_net_sockstat_read("/nonexistent-root", &s), -ENOENT);
}

static void check_dev(const struct proc_net_dev *d, const char *name,
		      int64_t rx_bytes, int64_t rx_packets, int64_t tx_bytes,
		      int64_t tx_compressed)
{
	const struct proc_net_dev_if *i = proc_net_dev_find(d, name);

	CHECK(i != NULL);
	if (!i) {
		fprintf(stderr, "  (no interface %s)\n", name);
		return;
	}
	CHECK_INT(i->rx_bytes, rx_bytes);
	CHECK_INT(i->rx_packets, rx_packets);
	CHECK_INT(i->tx_bytes, tx_bytes);
	CHECK_INT(i->tx_compressed, tx_compressed);
}

static void test_net_dev(void)
{
	struct proc_net_dev d;
	const struct proc_net_dev_if *i;

	CHECK_INT(proc_net_dev_read(vm618, &d), 0);
	CHECK_INT(d.nifs, 4);
	CHECK_INT(d.nskipped, 0);
	CHECK_STR(d.ifs[0].name, "lo");
	CHECK_STR(d.ifs[3].name, "eth0");
	check_dev(&d, "lo", 3267, 29, 3267, 0);
	check_dev(&d, "eth0", 64583108, 1835, 69898, 0);
	if ((i = proc_net_dev_find(&d, "eth0")))
		CHECK_INT(i->tx_packets, 923);
	CHECK(proc_net_dev_find(&d, "eth1") == NULL);
	proc_net_dev_free(&d);
	CHECK(d.ifs == NULL && d.nifs == 0);

	CHECK_INT(proc_net_dev_read(bigbox, &d), 0);
	CHECK_INT(d.nifs, 4);
	check_dev(&d, "enp175s0f1np1", 18446744073709LL, 4000000000LL,
		  9223372036854775807LL, 0);
	check_dev(&d, "veth9f8e7d6c5b4", 1, 2, 9, 16);	/* 15 bytes */
	check_dev(&d, "bond0.100", 0, 0, 0, 0);
	if ((i = proc_net_dev_find(&d, "enp175s0f1np1"))) {
		CHECK_INT(i->rx_drop, 345);
		CHECK_INT(i->rx_multicast, 77);
		CHECK_INT(i->tx_errs, 1);
	}
	if ((i = proc_net_dev_find(&d, "veth9f8e7d6c5b4"))) {
		CHECK_INT(i->rx_frame, 6);
		CHECK_INT(i->tx_colls, 14);
		CHECK_INT(i->tx_carrier, 15);
	}
	proc_net_dev_free(&d);

	/* Old kernels: "%6s:%8lu", no blank after the colon. */
	CHECK_INT(proc_net_dev_read(oldkernel, &d), 0);
	check_dev(&d, "lo", 34567890, 12345, 34567890, 0);
	check_dev(&d, "eth0", 4123456789012LL, 9876543, 987654321, 12);
	proc_net_dev_free(&d);

	/* A colon inside a name, a cut row, too long a name, garbage. */
	CHECK_INT(proc_net_dev_parse(
		" face |bytes    packets|bytes\n"
		"eth0:1: 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n"
		"  wlan0:123 4\n"
		"abcdefghijklmnop: 1 2\n"
		"  bad: 1 2 x\n"
		" toomany: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"
		":  1 2\n", &d), 0);
	CHECK_INT(d.nifs, 2);
	CHECK_INT(d.nskipped, 4);
	check_dev(&d, "eth0:1", 5, 6, 13, 20);
	if ((i = proc_net_dev_find(&d, "wlan0"))) {
		CHECK_INT(i->rx_bytes, 123);
		CHECK_INT(i->rx_packets, 4);
		CHECK_INT(i->rx_errs, -1);
		CHECK_INT(i->tx_compressed, -1);
	}
	proc_net_dev_free(&d);
	CHECK_INT(proc_net_dev_parse("  lo: 1 2 3\n", &d), -EINVAL);
	CHECK(d.ifs == NULL);
	CHECK_INT(proc_net_dev_parse("", &d), -EINVAL);
	CHECK_INT(proc_net_dev_read("/nonexistent-root", &d), -ENOENT);
}

static int64_t snmp(const struct proc_net_snmp *s, const char *proto,
		    const char *field)
{
	int64_t v = -12345;

	CHECK_INT(proc_net_snmp_get(s, proto, field, &v), 0);
	return v;
}

static void test_net_snmp(void)
{
	struct proc_net_snmp s;
	int64_t v = 42;

	CHECK_INT(proc_net_snmp_read(vm618, &s), 0);
	CHECK_INT(s.nskipped, 0);
	CHECK_INT(s.n, 20 + 29 + 1 + 15 + 9 + 9);
	CHECK_INT(snmp(&s, "Ip", "Forwarding"), 2);
	CHECK_INT(snmp(&s, "Ip", "OutTransmits"), 942);
	CHECK_INT(snmp(&s, "Icmp", "InDestUnreachs"), 1);
	CHECK_INT(snmp(&s, "IcmpMsg", "InType3"), 1);
	CHECK_INT(snmp(&s, "Tcp", "MaxConn"), -1);	/* a value, not absence */
	CHECK_INT(snmp(&s, "Tcp", "InSegs"), 1835);
	CHECK_INT(snmp(&s, "Tcp", "OutSegs"), 917);
	CHECK_INT(snmp(&s, "Tcp", "OutRsts"), 2);
	CHECK_INT(snmp(&s, "Udp", "InDatagrams"), 26);
	CHECK_INT(snmp(&s, "Udp", "OutDatagrams"), 27);
	CHECK_INT(snmp(&s, "UdpLite", "InDatagrams"), 0);
	CHECK_INT(proc_net_snmp_get(&s, "Tcp", "NoSuchField", &v), -ENOENT);
	CHECK_INT(proc_net_snmp_get(&s, "Udp6", "InDatagrams", &v), -ENOENT);
	CHECK_INT(v, 42);			/* untouched on -ENOENT */
	proc_net_snmp_free(&s);
	CHECK(s.v == NULL && s.text == NULL);

	CHECK_INT(proc_net_snmp_read(oldkernel, &s), 0);
	CHECK_INT(snmp(&s, "Tcp", "RetransSegs"), 321);
	CHECK_INT(snmp(&s, "Udp", "NoPorts"), 45);
	CHECK_INT(snmp(&s, "IcmpMsg", "OutType3"), 45);
	CHECK_INT(proc_net_snmp_get(&s, "Tcp", "InCsumErrors", &v), -ENOENT);
	CHECK_INT(proc_net_snmp_get(&s, "Ip", "OutTransmits", &v), -ENOENT);
	proc_net_snmp_free(&s);

	/* A lost header line, a short value line, a garbled value, a
	 * mismatched pair, no trailing newline. */
	CHECK_INT(proc_net_snmp_parse(
		"Ip: 1 2 3\n"
		"Tcp: A B C\n"
		"Tcp: 1 x\n"
		"Udp: D E\n"
		"Icmp: 1 2\n"
		"Foo: F G\n"
		"Foo: -9223372036854775807 8", &s), 0);
	CHECK_INT(snmp(&s, "Tcp", "A"), 1);
	CHECK_INT(proc_net_snmp_get(&s, "Tcp", "B", &v), -ENOENT);
	CHECK_INT(proc_net_snmp_get(&s, "Tcp", "C", &v), -ENOENT);
	CHECK_INT(proc_net_snmp_get(&s, "Udp", "D", &v), -ENOENT);
	CHECK_INT(snmp(&s, "Foo", "F"), -9223372036854775807LL);
	CHECK_INT(snmp(&s, "Foo", "G"), 8);
	CHECK_INT(s.n, 3);
	CHECK_INT(s.nskipped, 1);
	proc_net_snmp_free(&s);
	CHECK_INT(proc_net_snmp_parse("Ip: A\nTcp: 1\n", &s), -EINVAL);
	CHECK_INT(proc_net_snmp_parse("", &s), -EINVAL);
	CHECK(s.text == NULL);
	CHECK_INT(proc_net_snmp_read("/nonexistent-root", &s), -ENOENT);
}

/* Writes root/rel; returns 0 or -1. */
static int write_file(const char *root, const char *rel, const char *text)
{
	char path[4096];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	err = fputs(text, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

/* Files far above the readers' first 64 KB buffer: 1024 CPUs (~460 KB of
 * interrupts, ~115 KB of softirqs) and 2000 interfaces (~340 KB of
 * net/dev). The readers must grow their buffers, not cut the text. */
static void test_big_files(void)
{
	enum { NCPU = 1024, NIRQ = 40, NIF = 2000 };
	char root[] = "/tmp/test_proc_system.XXXXXX", dir[4096];
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	struct proc_interrupts p;
	struct proc_softirqs s;
	struct proc_net_dev d;
	const struct proc_interrupts_row *r;

	CHECK(text != NULL && mkdtemp(root) != NULL);
	if (!text || root[sizeof(root) - 2] == 'X')
		return;
	snprintf(dir, sizeof(dir), "%s/proc", root);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/proc/net", root);
	mkdir(dir, 0700);

	len = snprintf(text, cap, "%14s", "");
	for (int c = 0; c < NCPU; c++)
		len += snprintf(text + len, cap - len, "CPU%-8d", c);
	for (int i = 0; i < NIRQ; i++) {
		len += snprintf(text + len, cap - len, "\n%4d: ", i);
		for (int c = 0; c < NCPU; c++)
			len += snprintf(text + len, cap - len, "%10d ", i * 100000 + c);
		len += snprintf(text + len, cap - len, " IR-PCI-MSI %d-edge  eth0-TxRx-%d", i, i);
	}
	len += snprintf(text + len, cap - len, "\n ERR: %10d\n", 42);
	CHECK(len > 400000 && len < cap);
	CHECK_INT(write_file(root, "/proc/interrupts", text), 0);
	CHECK_INT(proc_interrupts_read(root, &p), 0);
	CHECK_INT(p.ncpus, NCPU);
	CHECK_INT(p.nrows, NIRQ + 1);
	if ((r = irq_row(&p, "39"))) {
		CHECK_INT(r->ncounts, NCPU);
		CHECK_INT(r->counts[NCPU - 1], 3900000 + NCPU - 1);
		CHECK_INT(r->total, 3900000LL * NCPU + (int64_t)NCPU * (NCPU - 1) / 2);
		CHECK_STR(r->desc, "IR-PCI-MSI 39-edge  eth0-TxRx-39");
	}
	if ((r = irq_row(&p, "ERR")))
		CHECK_INT(r->total, 42);
	proc_interrupts_free(&p);

	len = snprintf(text, cap, "%20s", "");
	for (int c = 0; c < NCPU; c++)
		len += snprintf(text + len, cap - len, "CPU%-8d", c);
	for (int v = 0; v < PROC_SOFTIRQ_N; v++) {
		len += snprintf(text + len, cap - len, "\n%12s:", proc_softirq_name(v));
		for (int c = 0; c < NCPU; c++)
			len += snprintf(text + len, cap - len, " %10d", v * 10000 + c);
	}
	len += snprintf(text + len, cap - len, "\n");
	CHECK(len > 65536 && len < cap);
	CHECK_INT(write_file(root, "/proc/softirqs", text), 0);
	CHECK_INT(proc_softirqs_read(root, &s), 0);
	CHECK_INT(s.ncpus, NCPU);
	CHECK_INT(proc_softirqs_get(&s, PROC_SOFTIRQ_RCU, NCPU - 1), 90000 + NCPU - 1);
	CHECK_INT(s.total[PROC_SOFTIRQ_RCU], 90000LL * NCPU + (int64_t)NCPU * (NCPU - 1) / 2);
	proc_softirqs_free(&s);

	len = snprintf(text, cap, "Inter-|   Receive |  Transmit\n"
		       " face |bytes    packets|bytes    packets\n");
	for (int i = 0; i < NIF; i++)
		len += snprintf(text + len, cap - len,
				"veth%011d: %7d %7d %4d %4d %4d %5d %10d %9d "
				"%8d %7d %4d %4d %4d %5d %7d %10d\n",
				i, i, 1, 2, 3, 4, 5, 6, 7, i * 2, 9, 10, 11, 12, 13, 14, 15);
	CHECK(len > 65536 && len < cap);
	CHECK_INT(write_file(root, "/proc/net/dev", text), 0);
	CHECK_INT(proc_net_dev_read(root, &d), 0);
	CHECK_INT(d.nifs, NIF);
	CHECK_INT(d.nskipped, 0);
	check_dev(&d, "veth00000001999", 1999, 1, 3998, 15);
	proc_net_dev_free(&d);

	snprintf(dir, sizeof(dir), "%s/proc/interrupts", root);
	unlink(dir);
	snprintf(dir, sizeof(dir), "%s/proc/softirqs", root);
	unlink(dir);
	snprintf(dir, sizeof(dir), "%s/proc/net/dev", root);
	unlink(dir);
	snprintf(dir, sizeof(dir), "%s/proc/net", root);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/proc", root);
	rmdir(dir);
	rmdir(root);
	free(text);
}

/* Found by fuzz_proc_stat: a negative CPU time was kept as a value, where
 * -1 means "absent" (tests/fuzz/seeds/proc_stat/negative-cpu-time). */
static void test_proc_stat_negative_time(void)
{
	struct proc_stat st;

	CHECK_INT(proc_stat_parse("cpu  -4705 356 -1 3699\nctxt 5\n", &st), 0);
	CHECK_INT(st.cpu.user, -1);
	CHECK_INT(st.cpu.nice, 356);
	CHECK_INT(st.cpu.system, -1);
	CHECK_INT(st.cpu.idle, 3699);
	CHECK_INT(st.cpu.iowait, -1);
}

/* proc_stat on the new fixture trees: 2 CPUs with steal time, and a
 * 4-CPU 3.x layout. */
static void test_proc_stat_fixtures(void)
{
	struct proc_stat st;

	CHECK_INT(proc_stat_read(vm618, &st), 0);
	CHECK_INT(st.ncpus, 2);
	CHECK_INT(st.cpu.user, 23880);
	CHECK_INT(st.cpu.system, 12129);
	CHECK_INT(st.cpu.steal, 85);
	CHECK_INT(st.ctxt, 13426488);
	CHECK_INT(st.intr, 2574021);
	CHECK_INT(st.softirq, 212207);
	CHECK_INT(st.processes, 25513);
	CHECK_INT(st.procs_running, 3);

	CHECK_INT(proc_stat_read(oldkernel, &st), 0);
	CHECK_INT(st.ncpus, 4);
	CHECK_INT(st.cpu.idle, 3699);
	CHECK_INT(st.ctxt, 9876543);
	CHECK_INT(st.btime, 1300000000);
	CHECK_INT(st.procs_blocked, 0);
}

static void test_slabinfo(void)
{
	struct proc_slabinfo p;
	const struct proc_slab_cache *c;
	char tmp[] = "/tmp/ht-slab-XXXXXX", dir[4200], link[4300];

	/* vm618: /proc/slabinfo 2.1 as root reads it, and SLUB's sysfs */
	CHECK_INT(proc_slabinfo_read(vm618, &p), 0);
	CHECK_INT(p.source, PROC_SLAB_SLABINFO);
	CHECK(p.n > 200);
	c = proc_slabinfo_find(&p, "skbuff_head_cache");
	CHECK(c != NULL);
	if (c) {
		CHECK_INT(c->active_objs, 432);
		CHECK_INT(c->num_objs, 432);
		CHECK_INT(c->objsize, 256);
		CHECK_INT(c->objperslab, 16);
		CHECK_INT(c->pagesperslab, 1);
		CHECK_INT(c->active_slabs, 27);
		CHECK_INT(c->num_slabs, 27);
	}
	c = proc_slabinfo_find(&p, "kmalloc-1k");
	CHECK(c && c->active_objs == 703 && c->num_objs == 720 && c->pagesperslab == 4);
	/* merged caches are not in /proc/slabinfo at all */
	CHECK(proc_slabinfo_find(&p, "skbuff_fclone_cache") == NULL);
	CHECK(proc_slabinfo_alias(&p, "skbuff_fclone_cache") == NULL);
	proc_slabinfo_free(&p);
	CHECK(p.caches == NULL && p.n == 0);

	CHECK_INT(proc_slabinfo_read_any(vm618, &p), 0);
	CHECK_INT(p.source, PROC_SLAB_SLABINFO);
	CHECK_INT(p.naliases, 2);
	CHECK(proc_slabinfo_alias(&p, "skbuff_fclone_cache") &&
	      !strcmp(proc_slabinfo_alias(&p, "skbuff_fclone_cache"), ":0000512"));
	CHECK(proc_slabinfo_alias(&p, "skbuff_head_cache") == NULL);
	proc_slabinfo_free(&p);

	CHECK_INT(proc_slabinfo_read_sysfs(vm618, &p), 0);
	CHECK_INT(p.source, PROC_SLAB_SYSFS);
	CHECK_INT(p.n, 4);		/* :0000512, kmalloc-1k, skbuff_* */
	CHECK_STR(p.caches[0].name, ":0000512");
	c = proc_slabinfo_find(&p, "skbuff_small_head");
	CHECK(c && c->active_objs == 126 && c->num_objs == 126 && c->objsize == 576 &&
	      c->objperslab == 14 && c->pagesperslab == 2 && c->num_slabs == 9 &&
	      c->active_slabs == -1);
	c = proc_slabinfo_find(&p, "kmalloc-1k");
	CHECK(c && c->active_objs == 703 && c->num_objs == 720);
	CHECK_STR(proc_slabinfo_alias(&p, "pool_workqueue"), ":0000512");
	proc_slabinfo_free(&p);

	/* not root: /proc/slabinfo missing or unreadable, sysfs is the fallback */
	CHECK(mkdtemp(tmp) != NULL);
	snprintf(dir, sizeof(dir), "%s/sys", tmp);
	snprintf(link, sizeof(link), "%s/sys", vm618);
	if (link[0] != '/') {
		char cwd[4096];
		CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
		snprintf(link, sizeof(link), "%s/%s/sys", cwd, vm618);
	}
	CHECK_INT(symlink(link, dir), 0);
	CHECK_INT(proc_slabinfo_read(tmp, &p), -ENOENT);
	CHECK(p.n == 0 && p.caches == NULL);
	CHECK_INT(proc_slabinfo_read_any(tmp, &p), 0);
	CHECK_INT(p.source, PROC_SLAB_SYSFS);
	CHECK(proc_slabinfo_find(&p, "skbuff_head_cache") != NULL);
	CHECK_STR(proc_slabinfo_alias(&p, "skbuff_fclone_cache"), ":0000512");
	proc_slabinfo_free(&p);
	unlink(dir);
	rmdir(tmp);
	CHECK_INT(proc_slabinfo_read_any("/nonexistent-root", &p), -ENOENT);
	CHECK_INT(proc_slabinfo_read_sysfs(oldkernel, &p), -ENOENT);

	/* awkward text */
	CHECK_INT(proc_slabinfo_parse("", &p), -EINVAL);
	CHECK_INT(proc_slabinfo_parse("slabinfo - version: 1.1\nfoo 1 2 3 4 5\n", &p), -EINVAL);
	CHECK_INT(proc_slabinfo_parse("slabinfo - version: 2.1\n# name ...\n", &p), -EINVAL);
	CHECK_INT(proc_slabinfo_parse("slabinfo - version: 2.1\n"
				      "# name <active_objs> ...\n"
				      "bad 1 x 3 4 5 : tunables 0 0 0 : slabdata 1 1 0\n"
				      "huge 99999999999999999999 1 1 1 1\n"
				      "noslabdata 5 6 7 8 9\n"
				      "a_name_that_is_far_too_long_to_be_a_cache_name_in_any_kernel_at_all 1 1 1 1 1\n"
				      "last 1 2 3 4 5 : tunables 0 0 0 : slabdata 6 7 0", &p), 0);
	CHECK_INT(p.n, 2);
	c = proc_slabinfo_find(&p, "noslabdata");
	CHECK(c && c->active_objs == 5 && c->pagesperslab == 9 && c->num_slabs == -1);
	c = proc_slabinfo_find(&p, "last");
	CHECK(c && c->active_slabs == 6 && c->num_slabs == 7);
	proc_slabinfo_free(&p);

	{
		int64_t v = -1;
		CHECK_INT(proc_slabinfo_parse_count("432 N0=432\n", &v), 0);
		CHECK_INT(v, 432);
		CHECK_INT(proc_slabinfo_parse_count("0\n", &v), 0);
		CHECK_INT(v, 0);
		CHECK_INT(proc_slabinfo_parse_count("N0=1\n", &v), -EINVAL);
		CHECK_INT(proc_slabinfo_parse_count("12x\n", &v), -EINVAL);
	}
	CHECK_STR(proc_slab_source_name(PROC_SLAB_SYSFS), "sysfs");
	proc_slabinfo_free(NULL);
}

static int count_owner(void *ctx, pid_t pid, uint64_t inode)
{
	(void)inode;
	if (pid == getpid())
		(*(int *)ctx)++;
	return 0;
}

static void test_net_sock(void)
{
	struct proc_socks s = { 0 };
	const struct proc_sock *q = NULL;
	uint64_t ino;
	int fds[2], mine = 0;
	char link[64];
	ssize_t n;

	/* vm618: 10 datagrams of 100 bytes queued on 127.0.0.1:59575 (truesize
	 * 832 each), 3 on [::1]:49128 */
	CHECK_INT(proc_net_sock_read(vm618, 0, &s), 0);
	CHECK(s.n >= 4);
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].inode == 424477)
			q = &s.v[i];
	CHECK(q != NULL);
	if (q) {
		CHECK_INT(q->proto, PROC_SOCK_UDP);
		CHECK_STR(q->local, "127.0.0.1:59575");
		CHECK_STR(q->remote, "0.0.0.0:0");
		CHECK_INT(q->state, 7);
		CHECK_INT(q->rx_queue, 0x2080);
		CHECK_INT(q->tx_queue, 0);
		CHECK_INT(q->uid, 0);
	}
	proc_socks_free(&s);
	CHECK_INT(proc_net_sock_read(vm618, 1, &s), 0);
	CHECK_INT(s.n, 2);		/* only the two with a queue */
	if (s.n == 2) {
		CHECK_INT(s.v[0].inode, 424477);
		CHECK_INT(s.v[1].proto, PROC_SOCK_UDP6);
		CHECK_STR(s.v[1].local, "[0000:0000:0000:0000:0000:0000:0000:0001]:49128");
		CHECK_INT(s.v[1].rx_queue, 0x9C0);
	}
	proc_socks_free(&s);
	CHECK_INT(proc_net_sock_read("/nonexistent-root", 0, &s), -ENOENT);
	CHECK_INT(proc_net_sock_parse("garbage\n", PROC_SOCK_TCP, 0, &s), -EINVAL);
	CHECK_INT(proc_net_sock_parse("  sl  local_address rem_address st\n"
				      "   0: 0100007F:9C40 00000000:0000 0A 00000010:00000020 "
				      "00:00000000 00000000  1000        0 77 1 ffff 100 0 0 10 0\n"
				      "   1: 0100007F:9C4 00000000:0000 0A 0:0 00:0 0 0 0 78\n"
				      "   2: broken\n", PROC_SOCK_TCP, 0, &s), 0);
	CHECK_INT(s.n, 1);
	if (s.n) {
		CHECK_STR(s.v[0].local, "127.0.0.1:40000");
		CHECK_INT(s.v[0].state, 10);
		CHECK_INT(s.v[0].tx_queue, 16);
		CHECK_INT(s.v[0].rx_queue, 32);
		CHECK_INT(s.v[0].uid, 1000);
		CHECK_INT(s.v[0].inode, 77);
	}
	proc_socks_free(&s);
	CHECK_STR(proc_sock_proto_name(PROC_SOCK_UDP6), "udp6");

	/* the owners of a live socket: ourselves */
	CHECK_INT(socketpair(AF_UNIX, SOCK_DGRAM, 0, fds), 0);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[0]);
	{
		char t[64];
		n = readlink(link, t, sizeof(t) - 1);
		CHECK(n > 8);
		t[n > 0 ? n : 0] = '\0';
		CHECK_INT(sscanf(t, "socket:[%" SCNu64 "]", &ino), 1);
	}
	CHECK_INT(proc_sock_owners("", &ino, 1, count_owner, &mine), 0);
	CHECK_INT(mine, 1);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const char *srcdir = getenv("top_srcdir");

	if (!srcdir)
		srcdir = ".";
	snprintf(bigbox, sizeof(bigbox), "%s/tests/fixtures/vm618", srcdir);
	if (ht_test_fixture(bigbox, vm618, sizeof(vm618)) != 0)
		return 1;
	snprintf(bigbox, sizeof(bigbox), "%s/tests/fixtures/bigbox", srcdir);
	snprintf(oldkernel, sizeof(oldkernel), "%s/tests/fixtures/oldkernel", srcdir);
	test_interrupts_vm618();
	test_interrupts_bigbox();
	test_interrupts_text();
	test_softirqs();
	test_meminfo();
	test_vmstat();
	test_pressure();
	test_sockstat();
	test_net_dev();
	test_net_snmp();
	test_slabinfo();
	test_net_sock();
	test_big_files();
	test_proc_stat_fixtures();
	test_proc_stat_negative_time();
	ht_test_fixture_free(vm618);
	return ht_test_done("test_proc_system");
}
