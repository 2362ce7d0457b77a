/* healthtap top: the header panel's widgets, as small vtables (after htop's
 * Meter). Each widget turns a frame into a few lines of text with a colour
 * hint; the batch renderer prints them, the screen draws them. */
#ifndef TOP_WIDGET_H
#define TOP_WIDGET_H

#include "top_frame.h"

#define TOP_LINE_MAX 256

/* Colour hints, mapped to colour pairs (or bold / dim on monochrome). */
enum top_attr {
	TOP_A_NORMAL,
	TOP_A_GOOD,
	TOP_A_WARN,
	TOP_A_CRIT,
	TOP_A_DIM,
};

struct top_line {
	char text[TOP_LINE_MAX];
	int label_len;		/* leading bytes drawn as a label (bold) */
	enum top_attr attr;	/* for the rest */
};

struct top_widget {
	const char *name;
	/* Writes at most max lines into out; returns how many. verbose: one
	 * figure per line (batch), else compact lines for the screen. */
	int (*lines)(const struct top_frame *f, int verbose, struct top_line *out, int max);
};

/* The header panel, in drawing order, ended by a NULL name. */
extern const struct top_widget top_header_widgets[];

#endif
