/* The tapset-to-frontend record contract (docs/protocol.md explains it).
 *
 * A stream is lines of text, readable by awk and gnuplot as they are:
 *
 *   #healthtap v=1 runtime=bpf start_ms=18645440 interval_ms=1000
 *   1000 sched switches 1647
 *   1000 sched switches 812 cpu=0
 *   1000 memory rss_anon 4096 pid=4242 comm=a) b
 *   1000 sched batch 1
 *
 * - The header comes first, once. start_ms is the tapset's own clock
 *   (gettimeofday_ms(): wall time on the module runtime, a monotonic clock
 *   on bpf); the frontend labels samples with its own CLOCK_REALTIME.
 * - Records: "<t_ms> <subsys> <name> <value>[ key=value ...]", t_ms being
 *   milliseconds since the stream started. value is a signed 64-bit integer.
 *   Labels never hold spaces, except "comm", which when present is the last
 *   label and runs to the end of the line (a comm may hold any byte but NUL
 *   and newline).
 * - "<t_ms> <subsys> batch <seq>" closes one subsystem's batch for one
 *   interval; <seq> counts batches from 1.
 * - Lines starting with '#' after the header are comments.
 *
 * Every record name a tapset may emit is listed in HT_RECORDS below; the
 * parser rejects others, with the line number, so the two halves cannot
 * drift apart silently.
 */
#ifndef HT_PROTOCOL_H
#define HT_PROTOCOL_H

#define HT_PROTO_VERSION 1
#define HT_PROTO_MAGIC "#healthtap"
#define HT_PROTO_MAX_LINE 1024

enum ht_subsys {
	HT_SUBSYS_MEMORY,
	HT_SUBSYS_SCHED,
	HT_SUBSYS_IRQ,
	HT_SUBSYS_SKB,
	HT_SUBSYS_ALLOC,
	HT_SUBSYS_COUNT
};

#define HT_SUBSYS_NAMES { "memory", "sched", "irq", "skb", "alloc" }

/* How a record's value reads. */
enum ht_value_kind {
	HT_DELTA,	/* events counted during the interval */
	HT_GAUGE,	/* a level at the end of the interval */
	HT_TOTAL,	/* events counted since the stream started */
	HT_EVENT,	/* one event (exit, OOM kill): value is its size */
	HT_MARK		/* framing: batch end */
};

/* X(subsys, name, kind, unit, labels, help)
 * unit is the value's unit ("1" for a count, "B" for bytes, "ns").
 * labels names the labels the record may carry, for documentation. */
#define HT_RECORDS(X) \
	X(SCHED, "batch", HT_MARK, "1", "", "end of the sched batch; value is its sequence number") \
	X(SCHED, "switches", HT_DELTA, "1", "[cpu]", "context switches (all CPUs when no cpu label)") \
	X(SCHED, "switches_voluntary", HT_DELTA, "1", "", "switches where the previous task blocked") \
	X(SCHED, "switches_involuntary", HT_DELTA, "1", "", "switches where the previous task was still runnable") \
	X(SCHED, "wakeups", HT_DELTA, "1", "", "sched_wakeup events") \
	X(SCHED, "wakeups_new", HT_DELTA, "1", "", "sched_wakeup_new events") \
	X(SCHED, "migrations", HT_DELTA, "1", "", "sched_migrate_task events") \
	X(SCHED, "proc_switches", HT_DELTA, "1", "pid comm", "context switches of one of the top N switchers") \
	X(MEMORY, "batch", HT_MARK, "1", "", "end of the memory batch") \
	X(MEMORY, "rss_anon", HT_DELTA, "B", "", "anonymous RSS change of all processes") \
	X(MEMORY, "rss_file", HT_DELTA, "B", "", "file-backed RSS change of all processes") \
	X(MEMORY, "rss_shmem", HT_DELTA, "B", "", "shared-memory RSS change of all processes") \
	X(MEMORY, "rss_swap", HT_DELTA, "B", "", "swap entries change of all processes") \
	X(MEMORY, "mmap", HT_DELTA, "B", "", "bytes asked for with mmap") \
	X(MEMORY, "munmap", HT_DELTA, "B", "", "bytes unmapped with munmap") \
	X(MEMORY, "brk", HT_DELTA, "B", "", "program break change") \
	X(MEMORY, "faults", HT_DELTA, "1", "", "page faults on user addresses") \
	X(MEMORY, "exits", HT_DELTA, "1", "", "processes that exited") \
	X(MEMORY, "oom_kills", HT_DELTA, "1", "", "OOM killer victims") \
	X(MEMORY, "proc_activity", HT_DELTA, "B", "pid comm", "RSS bytes changed (either way) plus 4096 per fault: ranks the top N processes") \
	X(MEMORY, "proc_rss_anon", HT_DELTA, "B", "pid", "anonymous RSS change of a top process") \
	X(MEMORY, "proc_rss_file", HT_DELTA, "B", "pid", "file-backed RSS change of a top process") \
	X(MEMORY, "proc_rss_shmem", HT_DELTA, "B", "pid", "shared-memory RSS change of a top process") \
	X(MEMORY, "proc_rss_swap", HT_DELTA, "B", "pid", "swap entries change of a top process") \
	X(MEMORY, "proc_mmap", HT_DELTA, "B", "pid", "bytes a top process asked for with mmap") \
	X(MEMORY, "proc_munmap", HT_DELTA, "B", "pid", "bytes a top process unmapped") \
	X(MEMORY, "proc_brk", HT_DELTA, "B", "pid", "program break change of a top process") \
	X(MEMORY, "proc_faults", HT_DELTA, "1", "pid", "page faults of a top process") \
	X(MEMORY, "exit_rss", HT_EVENT, "B", "pid", "final RSS of one of the largest exits") \
	X(MEMORY, "oom_kill", HT_EVENT, "B", "pid comm", "an OOM kill; value is the victim's RSS") \
	X(IRQ, "batch", HT_MARK, "1", "", "end of the irq batch") \
	X(IRQ, "handlers", HT_DELTA, "1", "", "hard IRQ handler calls") \
	X(IRQ, "handlers_ns", HT_DELTA, "ns", "", "time in hard IRQ handlers") \
	X(IRQ, "handler", HT_DELTA, "1", "irq [name]", "handler calls of one of the top N IRQs") \
	X(IRQ, "handler_ns", HT_DELTA, "ns", "irq", "handler time of one of the top N IRQs") \
	X(IRQ, "softirqs", HT_DELTA, "1", "vec", "softirqs run, per vector") \
	X(SKB, "batch", HT_MARK, "1", "", "end of the skb batch") \
	X(SKB, "frees", HT_DELTA, "1", "", "skbs freed (consumed + dropped)") \
	X(SKB, "consumed", HT_DELTA, "1", "", "skbs freed after use (consume_skb)") \
	X(SKB, "dropped", HT_DELTA, "1", "", "skbs dropped (kfree_skb)") \
	X(SKB, "drops", HT_DELTA, "1", "reason", "drops with one drop reason") \
	X(SKB, "allocs", HT_DELTA, "1", "", "skb allocations (__alloc_skb)") \
	X(SKB, "alloc_approx", HT_DELTA, "1", "", "approximate allocations: skbs entering the device layer") \
	X(SKB, "outstanding", HT_TOTAL, "1", "", "allocations minus frees since start") \
	X(SKB, "outstanding_approx", HT_TOTAL, "1", "", "alloc_approx minus frees since start") \
	X(SKB, "rx_packets", HT_DELTA, "1", "[dev]", "skbs received from devices") \
	X(SKB, "rx_bytes", HT_DELTA, "B", "", "bytes received from devices") \
	X(SKB, "tx_packets", HT_DELTA, "1", "[dev]", "skbs devices transmitted") \
	X(SKB, "tx_bytes", HT_DELTA, "B", "", "bytes devices transmitted") \
	X(ALLOC, "batch", HT_MARK, "1", "", "end of the alloc batch") \
	X(ALLOC, "table", HT_GAUGE, "1", "", "value 1: the rest of this batch lists every site still holding blocks (the last batch)") \
	X(ALLOC, "budget_exceeded", HT_EVENT, "permille", "", "the probes cost this share of one CPU, over health_alloc_budget_pct: the script stopped") \
	X(ALLOC, "sample", HT_GAUGE, "1", "", "one allocation in this many is tracked: scale by it") \
	X(ALLOC, "allocs", HT_DELTA, "1", "", "tracked allocations of the target") \
	X(ALLOC, "frees", HT_DELTA, "1", "", "frees of tracked blocks") \
	X(ALLOC, "alloc_bytes", HT_DELTA, "B", "", "bytes of the tracked allocations") \
	X(ALLOC, "free_bytes", HT_DELTA, "B", "", "bytes of the tracked blocks freed") \
	X(ALLOC, "unknown_frees", HT_DELTA, "1", "", "frees of blocks not tracked (older than the probes, or not sampled)") \
	X(ALLOC, "outstanding", HT_TOTAL, "B", "", "bytes held by tracked blocks") \
	X(ALLOC, "outstanding_blocks", HT_TOTAL, "1", "", "tracked blocks not freed") \
	X(ALLOC, "sites", HT_TOTAL, "1", "", "call sites seen") \
	X(ALLOC, "site_bytes", HT_TOTAL, "B", "site", "bytes held by tracked blocks of one call site") \
	X(ALLOC, "site_blocks", HT_TOTAL, "1", "site", "tracked blocks of one call site not freed")

struct ht_record_kind {
	enum ht_subsys subsys;
	const char *name;
	enum ht_value_kind kind;
	const char *unit;
	const char *labels;
	const char *help;
};

/* The table built from HT_RECORDS, ended by an entry with name NULL. */
extern const struct ht_record_kind ht_record_kinds[];

/* Returns the subsystem for its name, or -1. */
int ht_subsys_lookup(const char *name, size_t len);
const char *ht_subsys_name(enum ht_subsys subsys);

/* Returns the record kind for (subsys, name), or NULL when unknown. */
const struct ht_record_kind *ht_record_kind_lookup(enum ht_subsys subsys,
						   const char *name, size_t len);

#endif
