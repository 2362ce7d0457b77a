/* Charts through gnuplot: healthtap writes a data file and a short preamble
 * (terminal, output, titles), and gnuplot then loads one of the project's
 * own chart scripts (gnuplot/<kind>.gp), readable and editable by users.
 * The data, preamble and chart stay in the output folder, so anyone can
 * re-plot by hand: gnuplot NAME.gp. */
#ifndef HT_CHART_H
#define HT_CHART_H

#include <stddef.h>

enum ht_chart_format { HT_CHART_SVG, HT_CHART_PNG, HT_CHART_PDF, HT_CHART_DUMB };

/* Parses "svg", "png", "pdf", "dumb". Returns 0 or -EINVAL. */
int ht_chart_format_parse(const char *text, enum ht_chart_format *out);
const char *ht_chart_format_ext(enum ht_chart_format f);

/* One chart: data columns and the strings its kind script reads. */
struct ht_chart {
	const char *kind;		/* script name: gnuplot/<kind>.gp */
	const char *title;
	const char *columns;		/* header comment naming the columns */
	const double *data;		/* rows x cols, NAN for a missing value */
	size_t rows, cols;
	const char *vars;		/* gnuplot lines defining the kind's
					   variables (NULL: none); foreign
					   text in it through ht_chart_quote() */
};

/* Writes DIR/NAME.dat, DIR/NAME.gp and runs gnuplot to make DIR/NAME.<ext>.
 * Returns 0, or -errno: -ENOENT when gnuplot or the kind script is missing,
 * -EIO when gnuplot failed (err then holds its first error line). */
int ht_chart_render(const char *dir, const char *name, const struct ht_chart *c,
		    enum ht_chart_format fmt, char *err, size_t errsize);

/* Foreign text (a process name, a series label) as a gnuplot string,
 * quotes included, into out: made visible first (fmt_visible), since a
 * newline would end the line inside the string and gnuplot runs a line
 * starting with '!' as a shell command; then each quote doubled. Cut on a
 * whole character to fit size. */
void ht_chart_quote(char *out, size_t size, const char *s);

/* Where the kind scripts are: $HEALTHTAP_GNUPLOT_DIR, the installed
 * pkgdatadir, or the source tree's gnuplot/ folder. */
const char *ht_chart_script_dir(void);

#endif
