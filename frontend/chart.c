#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "config.h"
#include "chart.h"
#include "fmt.h"

static const char *const format_names[] = { "svg", "png", "pdf", "dumb" };
static const char *const format_exts[] = { "svg", "png", "pdf", "txt" };
static const char *const format_terms[] = {
	/* noenhanced: names like Private_Dirty are not subscripts. */
	"svg size 900,540 dynamic noenhanced font 'sans,11'",
	"pngcairo size 900,540 noenhanced font 'sans,10'",
	"pdfcairo size 9in,5.4in noenhanced font 'sans,10'",
	"dumb size 100,30 noenhanced",
};

int ht_chart_format_parse(const char *text, enum ht_chart_format *out)
{
	for (int i = 0; i < 4; i++) {
		if (!strcmp(text, format_names[i])) {
			*out = (enum ht_chart_format)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ht_chart_format_ext(enum ht_chart_format f)
{
	return format_exts[f];
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *ht_chart_script_dir(void)
{
	const char *env = getenv("HEALTHTAP_GNUPLOT_DIR");

	if (env && *env)
		return env;
	if (is_dir(HT_GNUPLOT_DIR))
		return HT_GNUPLOT_DIR;
	return HT_SOURCE_GNUPLOT_DIR;
}

static int write_data(const char *path, const struct ht_chart *c)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "# %s\n# %s\n", c->title, c->columns);
	for (size_t r = 0; r < c->rows; r++) {
		for (size_t k = 0; k < c->cols; k++) {
			double v = c->data[r * c->cols + k];
			if (isnan(v))
				fprintf(f, "%sNaN", k ? " " : "");
			else
				fprintf(f, "%s%.17g", k ? " " : "", v);
		}
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

void ht_chart_quote(char *out, size_t size, const char *s)
{
	char vis[4096];
	size_t n = 0;

	if (size < 3) {
		if (size)
			*out = '\0';
		return;
	}
	fmt_visible(vis, sizeof(vis), s);
	out[n++] = '\'';
	for (const char *p = vis; *p;) {
		size_t len = fmt_utf8_len((const unsigned char *)p, strlen(p));

		if (!len)
			len = 1;
		if (n + len + (*p == '\'') + 2 > size)	/* + closing quote, NUL */
			break;
		if (*p == '\'')
			out[n++] = '\'';
		memcpy(out + n, p, len);
		n += len;
		p += len;
	}
	out[n++] = '\'';
	out[n] = '\0';
}

/* A file name healthtap made (or the user's script folder) as a gnuplot
 * string, byte for byte: only its quotes are doubled. */
static void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static int write_preamble(const char *path, const char *name, const struct ht_chart *c,
			  enum ht_chart_format fmt, const char *script)
{
	FILE *f = fopen(path, "w");
	char buf[4096], title[8192];

	if (!f)
		return -errno;
	fprintf(f, "# Made by healthtap; re-plot with: gnuplot %s.gp\n", name);
	fprintf(f, "set terminal %s\n", format_terms[fmt]);
	snprintf(buf, sizeof(buf), "%s.%s", name, format_exts[fmt]);
	fputs("set output ", f);
	put_quoted(f, buf);
	snprintf(buf, sizeof(buf), "%s.dat", name);
	fputs("\ndatafile = ", f);
	put_quoted(f, buf);
	ht_chart_quote(title, sizeof(title), c->title);
	fprintf(f, "\ntitle_text = %s", title);
	fputc('\n', f);
	if (c->vars)
		fputs(c->vars, f);
	fputs("load ", f);
	put_quoted(f, script);
	fputc('\n', f);
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

/* Runs gnuplot NAME.gp in dir; its stderr goes to NAME.log. */
static int run_gnuplot(const char *dir, const char *name, char *err, size_t errsize)
{
	char gp[512], log[512];
	int status;
	pid_t pid;

	snprintf(gp, sizeof(gp), "%s.gp", name);
	snprintf(log, sizeof(log), "%s/%s.log", dir, name);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		FILE *l = freopen(log, "w", stderr);
		(void)l;
		if (chdir(dir) != 0)
			_exit(126);
		execlp(getenv("HEALTHTAP_GNUPLOT") ? getenv("HEALTHTAP_GNUPLOT") : GNUPLOT_PATH,
		       "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		unlink(log);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errsize, "gnuplot not found");
		return -ENOENT;
	}
	FILE *l = fopen(log, "r");
	if (!l || !fgets(err, (int)errsize, l))
		snprintf(err, errsize, "gnuplot failed (see %s)", log);
	if (l)
		fclose(l);
	err[strcspn(err, "\n")] = '\0';
	return -EIO;
}

int ht_chart_render(const char *dir, const char *name, const struct ht_chart *c,
		    enum ht_chart_format fmt, char *err, size_t errsize)
{
	char path[4096], script[4096];
	int rc;

	snprintf(err, errsize, "%s", "");
	snprintf(script, sizeof(script), "%s/%s.gp", ht_chart_script_dir(), c->kind);
	if (access(script, R_OK) != 0) {
		snprintf(err, errsize, "no chart script %s", script);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	rc = write_data(path, c);
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
		rc = write_preamble(path, name, c, fmt, script);
	}
	if (rc) {
		snprintf(err, errsize, "cannot write %s: %s", path, strerror(-rc));
		return rc;
	}
	return run_gnuplot(dir, name, err, errsize);
}
