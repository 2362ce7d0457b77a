/* JSON objects of the sampler's system snapshot that several documents
 * carry (top's frames, serve's /api/v1/snapshot): written here once, so
 * their keys and units stay the same in both. */
#ifndef OUT_SNAP_H
#define OUT_SNAP_H

#include "ht_sampler.h"
#include "out_json.h"

/* The members cpu_busy_pct, ctxt_per_s, intr_per_s, softirq_per_s and
 * forks_per_s of the enclosing object (NAN until two samples: null). */
void out_snap_rates(struct out_json *j, const struct ht_sys_snapshot *s);

/* {"cpu_some":..,"memory_some":..,"memory_full":..,"io_some":..,"io_full":..}:
 * PSI avg10 in percent, null without PSI. */
void out_snap_psi(struct out_json *j, const char *key, const struct ht_sys_snapshot *s);

/* The skbs the slab holds: source ("slab", null unknown), reader, the
 * outstanding count and its rate, heads, small heads, fclones, and whether
 * skbuff_fclone_cache is merged into another cache (and its alias). */
void out_snap_skb(struct out_json *j, const char *key, const struct ht_skb_slab *skb);

#endif
