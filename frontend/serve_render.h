/* healthtap serve's renderers: entries in one table of functions over one
 * snapshot type (struct serve_snap), as sysstat's activity table.
 *
 *   prometheus   /metrics, text exposition format 0.0.4
 *   openmetrics  /metrics when Accept asks for application/openmetrics-text
 *   snapshot     /api/v1/snapshot (JSON)
 *   leaks        /api/v1/leaks (JSON)
 *
 * Every metric name, label and JSON field is listed in docs/api.md. */
#ifndef SERVE_RENDER_H
#define SERVE_RENDER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include "out_json.h"
#include "serve_guard.h"
#include "serve_snap.h"

/* HTTP status codes counted in healthtap_http_requests_total. */
#define SERVE_CODES(X) X(200) X(400) X(401) X(404) X(405) X(406) X(414) X(429) X(500) X(503)
enum {
#define SERVE_CODE_ENUM(c) SERVE_CODE_##c,
	SERVE_CODES(SERVE_CODE_ENUM)
#undef SERVE_CODE_ENUM
	SERVE_CODE_OTHER,
	SERVE_NCODES
};

/* Figures that HTTP threads update (atomically) between snapshots. */
struct serve_stats {
	atomic_uint_fast64_t requests[SERVE_NCODES];
	atomic_uint_fast64_t scrapes;		/* /metrics renders */
	atomic_uint_fast64_t scrapes_om;	/* of which OpenMetrics */
	atomic_uint_fast64_t scrapes_text;	/* and text format */
	atomic_uint_fast64_t scrape_ns;		/* their total duration */
	int64_t start_wall_ms;			/* when serve started */
};

/* Counts one answered request with this status. */
void serve_stats_count(struct serve_stats *st, unsigned code);

/* What one render sees. */
struct serve_view {
	const struct serve_snap *snap;
	const struct serve_stats *stats;
	size_t top;			/* processes exported to /metrics */
	double self_cpu_s;		/* CLOCK_PROCESS_CPUTIME_ID now */
	double interval_s;		/* configured sampling interval */
	const char *mode;		/* "live" or "db" */
	const struct serve_guard_stats *guard;
};

struct serve_renderer {
	const char *name;
	const char *content_type;
	/* Appends the whole document to out (which may have failed: the
	 * caller checks out->failed). */
	void (*render)(struct ht_buf *out, const struct serve_view *v);
};

/* The table, ended by an entry with name NULL. */
extern const struct serve_renderer serve_renderers[];
const struct serve_renderer *serve_renderer_find(const char *name);

/* Picks "openmetrics" when the Accept header value lists
 * application/openmetrics-text with a q above 0, else "prometheus". */
const struct serve_renderer *serve_renderer_for_accept(const char *accept);

/* /api/v1/processes/PID/series: the RSS and anonymous memory history of one
 * live process, at most max_points newest points of each. Reads the sampler,
 * so the caller holds it. Returns 0, or -ESRCH when the sampler has no such
 * process (start_time >= 0 must also match). */
int serve_render_series(struct ht_buf *out, struct ht_sampler *s,
			const struct serve_snap *snap, pid_t pid,
			int64_t start_time, size_t max_points);

/* /api/v1/memory/series: the MemAvailable history. Caller holds the
 * sampler. */
void serve_render_mem_series(struct ht_buf *out, struct ht_sampler *s,
			     const struct serve_snap *snap, size_t max_points);

/* One point of a series in the API's JSON: [t, v]. */
void serve_json_point(struct out_json *j, const struct ht_point *pt);

#endif
