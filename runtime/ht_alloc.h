/* What health.alloc can watch: the target's allocator, from its maps.
 *
 * The tapset's probes sit on glibc's libc.so.6 (tapset/health/alloc.stp).
 * A statically linked program maps no libc.so.6; a program whose malloc is
 * jemalloc's or tcmalloc's (linked or LD_PRELOADed) allocates around it. */
#ifndef HT_ALLOC_H
#define HT_ALLOC_H
#include <stddef.h>

/* Reads root/proc/PID/maps. Returns 0 when the process maps glibc's
 * libc.so.6 and no other allocator; -ENOTSUP when it cannot be watched,
 * with why filled ("statically linked: no libc.so.6 mapped", "its malloc is
 * jemalloc's (/usr/lib/x86_64-linux-gnu/libjemalloc.so.2): ..."); -ESRCH
 * for no such process, or another -errno (why then says what failed). */
int ht_alloc_check(const char *root, int pid, char *why, size_t size);

#endif
