/* Shared snapshot objects (see out_snap.h). */
#include "out_snap.h"

void out_snap_rates(struct out_json *j, const struct ht_sys_snapshot *s)
{
	out_json_double(j, "cpu_busy_pct", s->cpu_busy_pct);
	out_json_double(j, "ctxt_per_s", s->ctxt_rate);
	out_json_double(j, "intr_per_s", s->intr_rate);
	out_json_double(j, "softirq_per_s", s->softirq_rate);
	out_json_double(j, "forks_per_s", s->fork_rate);
}

void out_snap_psi(struct out_json *j, const char *key, const struct ht_sys_snapshot *s)
{
	out_json_object(j, key);
	out_json_double(j, "cpu_some", s->psi_cpu_some);
	out_json_double(j, "memory_some", s->psi_mem_some);
	out_json_double(j, "memory_full", s->psi_mem_full);
	out_json_double(j, "io_some", s->psi_io_some);
	out_json_double(j, "io_full", s->psi_io_full);
	out_json_end(j);
}

void out_snap_skb(struct out_json *j, const char *key, const struct ht_skb_slab *skb)
{
	out_json_object(j, key);
	out_json_str(j, "source", skb->outstanding >= 0 ? "slab" : NULL);
	out_json_str(j, "reader", skb->source);
	out_json_count(j, "outstanding", skb->outstanding);
	out_json_double(j, "outstanding_per_s", skb->rate);
	out_json_count(j, "heads", skb->heads);
	out_json_count(j, "small_heads", skb->small_heads);
	out_json_count(j, "fclones", skb->fclones);
	out_json_bool(j, "fclone_merged", skb->fclone_merged);
	out_json_str(j, "fclone_alias", skb->fclone_merged ? skb->fclone_alias : NULL);
	out_json_end(j);
}
