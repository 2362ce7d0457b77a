/* healthtap top: renderers of frames for pipes and logs, as entries in a
 * table of functions over one snapshot type (top_frame): "text" (plain
 * frames like top -b) and "json" (one JSON document per frame). The
 * interactive screen is top_ui.h. */
#ifndef TOP_RENDER_H
#define TOP_RENDER_H

#include <stdint.h>
#include <stdio.h>
#include "top_frame.h"
#include "top_table.h"

struct top_render_ctx {
	FILE *out;
	const char *root;		/* "" live */
	const char *clock_label;	/* fixed time label (tests), or NULL */
	struct top_view_opts view;
	int utf8;			/* sparklines in block characters */
	size_t limit;			/* rows printed (0: all) */
	uint64_t frame_no;		/* frames printed so far, this one included */
};

struct top_renderer {
	const char *name;
	/* Writes one frame; returns 0 or -errno (a write error). */
	int (*frame)(struct top_render_ctx *ctx, struct top_frame *f);
};

/* The renderer called name, or NULL. */
const struct top_renderer *top_renderer_find(const char *name);

/* The time label of a frame: ctx->clock_label, or the frame's wall time. */
void top_time_label(const struct top_render_ctx *ctx, const struct top_frame *f,
		    char *buf, size_t size);

#endif
