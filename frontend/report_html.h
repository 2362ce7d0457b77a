/* healthtap report: the HTML page. */
#ifndef HT_REPORT_HTML_H
#define HT_REPORT_HTML_H

#include "report.h"

struct report_chart {
	size_t host;
	char title[256];
	char file[4096];		/* the rendered SVG */
};

struct report_chart_list {
	struct report_chart *v;
	size_t n, cap;
};

/* Writes a self-contained page to path: hosts side by side, each with its
 * processes, its charts inlined from their SVG files, and its trends.
 * Returns 0 or -errno. */
int report_html_write(const char *path, const struct report *r,
		      const struct report_chart_list *charts);

#endif
