/* healthtap top: header widgets (see top_widget.h). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "top_widget.h"

static void line(struct top_line *l, enum top_attr attr, int label_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void line(struct top_line *l, enum top_attr attr, int label_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
	l->attr = attr;
	l->label_len = label_len;
}

/* "  label          value unit", the layout tests/cli.sh reads. */
static void figure(struct top_line *l, const char *label, double v, int decimals,
		   const char *unit)
{
	if (isnan(v))
		line(l, TOP_A_NORMAL, 0, "  %-14s %12s %s", label, "-", unit);
	else
		line(l, TOP_A_NORMAL, 0, "  %-14s %12.*f %s", label, decimals, v, unit);
}

/* ---- memory ---- */

static int mem_lines(const struct top_frame *f, int verbose, struct top_line *out, int max)
{
	const struct ht_sys_snapshot *s = &f->sys;
	char used[24], avail[24], total[24], trend[32], eta[16], r2[16];
	enum top_attr a = TOP_A_NORMAL;
	int n = 0;

	if (max < 1)
		return 0;
	if (s->missing & HT_SYS_MISS_MEMINFO || s->mem_total < 0) {
		line(&out[n++], TOP_A_DIM, verbose ? 0 : 4, "%s",
		     verbose ? "  memory         - (no /proc/meminfo)" : "Mem  no /proc/meminfo");
		return n;
	}
	fmt_bytes(used, sizeof(used), fmt_known(f->mem_used));
	fmt_bytes(avail, sizeof(avail), fmt_known(s->mem_available));
	fmt_bytes(total, sizeof(total), fmt_known(s->mem_total));
	fmt_byte_rate(trend, sizeof(trend), s->mem_avail_rate);
	fmt_num(r2, sizeof(r2), s->mem_avail_r2, 2);
	if (isfinite(s->mem_eta_s) && s->mem_avail_rate < 0) {
		fmt_duration_short(eta, sizeof(eta), s->mem_eta_s);
		a = s->mem_eta_s < 3600 ? TOP_A_CRIT : s->mem_eta_s < 86400 ? TOP_A_WARN : TOP_A_NORMAL;
	} else {
		snprintf(eta, sizeof(eta), "%s", "-");
	}
	if (verbose) {
		if (n < max)
			line(&out[n++], TOP_A_NORMAL, 0, "  %-14s %12s of %s", "mem used", used, total);
		if (n < max)
			line(&out[n++], TOP_A_NORMAL, 0, "  %-14s %12s", "mem available", avail);
		if (n < max)
			line(&out[n++], a, 0, "  %-14s %12s (R2 %s)", "avail trend", trend, r2);
		if (n < max)
			line(&out[n++], a, 0, "  %-14s %12s", "avail gone in",
			     isfinite(s->mem_eta_s) && s->mem_avail_rate < 0 ? eta : "never (not shrinking)");
		return n;
	}
	if (isfinite(s->mem_eta_s) && s->mem_avail_rate < 0)
		line(&out[n++], a, 4, "Mem  %s used, %s avail of %s; avail %s, gone in %s",
		     used, avail, total, trend, eta);
	else
		line(&out[n++], a, 4, "Mem  %s used, %s avail of %s; avail trend %s", used, avail,
		     total, trend);
	return n;
}

/* ---- kernel memory and skbs (slab allocator) ---- */

static int kmem_lines(const struct top_frame *f, int verbose, struct top_line *out, int max)
{
	const struct ht_sys_snapshot *s = &f->sys;
	char v[HT_KMEM_FIELDS][24], rate[24], skb[200];
	int n = 0;

	if (max < 1)
		return 0;
	for (size_t i = 0; i < HT_KMEM_FIELDS; i++)
		fmt_bytes(v[i], sizeof(v[i]), fmt_known(ht_kmem_value(s, i)));
	if (s->skb.outstanding < 0) {
		snprintf(skb, sizeof(skb), "- (no /proc/slabinfo or /sys/kernel/slab)");
	} else {
		fmt_count_rate(rate, sizeof(rate), s->skb.rate);
		snprintf(skb, sizeof(skb), "%" PRId64 " outstanding, %s%s (source slab: %s%s%s)",
			 s->skb.outstanding, !isnan(s->skb.rate) && s->skb.rate > 0 ? "+" : "",
			 rate, s->skb.source ? s->skb.source : "-",
			 s->skb.fclone_merged ? "; skbuff_fclone_cache merged into " : "",
			 s->skb.fclone_merged ? s->skb.fclone_alias : "");
	}
	if (verbose) {
		line(&out[n++], TOP_A_NORMAL, 0,
		     "  %-14s slab %s (unreclaimable %s), stacks %s, page tables %s, vmalloc %s",
		     "kernel mem", v[0], v[1], v[2], v[3], v[4]);
		if (n < max)
			line(&out[n++], s->skb.outstanding < 0 ? TOP_A_DIM : TOP_A_NORMAL, 0,
			     "  %-14s %s", "skb (slab)", skb);
		return n;
	}
	line(&out[n++], TOP_A_NORMAL, 4, "Kmem slab %s unrecl %s  stacks %s  ptables %s  vmalloc %s",
	     v[0], v[1], v[2], v[3], v[4]);
	if (n < max)
		line(&out[n++], s->skb.outstanding < 0 ? TOP_A_DIM : TOP_A_NORMAL, 4, "Skb  %s", skb);
	return n;
}

/* ---- PSI ---- */

static const char *pct(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.1f%%", v);
	return buf;
}

static int psi_lines(const struct top_frame *f, int verbose, struct top_line *out, int max)
{
	const struct ht_sys_snapshot *s = &f->sys;
	char a[5][16];
	double worst = 0;

	if (max < 1)
		return 0;
	if (s->missing & HT_SYS_MISS_PRESSURE) {
		line(&out[0], TOP_A_DIM, verbose ? 0 : 4, "%s",
		     verbose ? "  psi avg10      - (no /proc/pressure)"
			     : "PSI  not available (kernel without /proc/pressure)");
		return 1;
	}
	pct(a[0], 16, s->psi_cpu_some);
	pct(a[1], 16, s->psi_mem_some);
	pct(a[2], 16, s->psi_mem_full);
	pct(a[3], 16, s->psi_io_some);
	pct(a[4], 16, s->psi_io_full);
	for (int i = 0; i < 1; i++) {
		double v[] = { s->psi_cpu_some, s->psi_mem_some, s->psi_io_some };
		for (int j = 0; j < 3; j++)
			if (!isnan(v[j]) && v[j] > worst)
				worst = v[j];
	}
	line(&out[0], worst >= 25 ? TOP_A_CRIT : worst >= 5 ? TOP_A_WARN : TOP_A_NORMAL, 4,
	     verbose ? "  psi avg10      some: cpu %s mem %s io %s; full: mem %s io %s"
		     : "PSI  avg10 some: cpu %s mem %s io %s  full: mem %s io %s",
	     a[0], a[1], a[3], a[2], a[4]);
	if (verbose)
		out[0].label_len = 0;
	return 1;
}

/* ---- CPU, scheduler ---- */

static int sched_lines(const struct top_frame *f, int verbose, struct top_line *out, int max)
{
	const struct ht_sys_snapshot *s = &f->sys;
	char busy[16], ctxt[16], forks[16];
	int n = 0;

	if (verbose) {
		struct top_line tmp[7];
		figure(&tmp[0], "cpu busy", s->cpu_busy_pct, 1, "%");
		figure(&tmp[1], "ctx switches", s->ctxt_rate, 1, "/s");
		figure(&tmp[2], "interrupts", s->intr_rate, 1, "/s");
		figure(&tmp[3], "softirqs", s->softirq_rate, 1, "/s");
		figure(&tmp[4], "forks", s->fork_rate, 1, "/s");
		line(&tmp[5], TOP_A_NORMAL, 0, "  %-14s %12" PRId64 " tasks", "running", s->procs_running);
		line(&tmp[6], TOP_A_NORMAL, 0, "  %-14s %12" PRId64 " tasks", "blocked", s->procs_blocked);
		for (; n < 7 && n < max; n++)
			out[n] = tmp[n];
		return n;
	}
	if (max < 1)
		return 0;
	pct(busy, sizeof(busy), s->cpu_busy_pct);
	fmt_count_rate(ctxt, sizeof(ctxt), s->ctxt_rate);
	fmt_count_rate(forks, sizeof(forks), s->fork_rate);
	line(&out[n++], TOP_A_NORMAL, 4,
	     "CPU  %s busy of %d CPUs  ctxsw %s  forks %s  tasks %" PRId64 " running, %" PRId64
	     " blocked",
	     busy, s->ncpus, ctxt, forks, s->procs_running, s->procs_blocked);
	return n;
}

/* ---- interrupts and softirqs ---- */

static void vec_list(char *buf, size_t size, const struct top_vec_rate *v, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < size; i++) {
		char r[16];
		int len = snprintf(buf + at, size - at, "%s%s %s", i ? ", " : "", v[i].name,
				   fmt_count_rate(r, sizeof(r), v[i].rate));
		if (len < 0)
			break;
		at += (size_t)len;
	}
}

static int irq_lines(const struct top_frame *f, int verbose, struct top_line *out, int max)
{
	char total[16], list[160];
	int n = 0;

	if (max < 1)
		return 0;
	fmt_count_rate(total, sizeof(total), f->sys.intr_rate);
	vec_list(list, sizeof(list), f->intr_top, f->nintr);
	line(&out[n++], TOP_A_NORMAL, verbose ? 0 : 4, verbose ? "  irq top        %s%s%s"
							     : "IRQ  %s%s%s",
	     verbose ? "" : total, verbose || f->nintr == 0 ? "" : ": ",
	     f->nintr ? list : verbose ? "-" : "");
	if (n < max) {
		fmt_count_rate(total, sizeof(total), f->sys.softirq_rate);
		if (f->sys.missing & HT_SYS_MISS_SOFTIRQS)
			snprintf(list, sizeof(list), "no /proc/softirqs");
		else
			vec_list(list, sizeof(list), f->soft_top, f->nsoft);
		line(&out[n++], TOP_A_NORMAL, verbose ? 0 : 4,
		     verbose ? "  softirq top    %s%s%s" : "SIRQ %s%s%s",
		     verbose ? "" : total, verbose || !list[0] ? "" : ": ",
		     list[0] ? list : verbose ? "-" : "");
	}
	return n;
}

/* ---- probes: skb and coverage ---- */

static int probe_lines(const struct top_frame *f, int verbose, struct top_line *out, int max)
{
	const struct ht_probe_status *p = &f->probe;
	const char *lead = verbose ? "  probes: " : "Prb  ";
	int ll = verbose ? 0 : 4;
	char skb[160], cov[32];

	if (max < 1)
		return 0;
	if (f->probe_source == TOP_PROBES_OFF) {
		line(&out[0], TOP_A_DIM, ll,
		     "%soff (skb alloc/free need the tapset): use --stap or --stream FILE|-", lead);
		return 1;
	}
	if (!p->active) {
		line(&out[0], TOP_A_WARN, ll, "%swaiting for the tapset stream%s%s", lead,
		     f->probe_note[0] ? ": " : "", f->probe_note);
		return 1;
	}
	if (isnan(p->sched_coverage))
		snprintf(cov, sizeof(cov), "sched coverage -");
	else
		snprintf(cov, sizeof(cov), "sched coverage %.1f%%", 100.0 * p->sched_coverage);
	if (f->skb_alloc >= 0 || f->skb_free >= 0 || f->skb_outstanding != TOP_NO_COUNT) {
		char a[24], b[24], o[24];
		snprintf(a, sizeof(a), "%" PRId64, f->skb_alloc);
		snprintf(b, sizeof(b), "%" PRId64, f->skb_free);
		snprintf(o, sizeof(o), "%" PRId64, f->skb_outstanding);
		snprintf(skb, sizeof(skb), "skb/batch alloc %s free %s, outstanding %s",
			 f->skb_alloc >= 0 ? a : "-", f->skb_free >= 0 ? b : "-",
			 f->skb_outstanding != TOP_NO_COUNT ? o : "-");
	} else {
		snprintf(skb, sizeof(skb), "skb -");
	}
	if (verbose) {
		line(&out[0], p->bad_lines ? TOP_A_WARN : TOP_A_GOOD, ll,
		     "%s%s %" PRIu64 " records, %" PRIu64 " bad; %s; %s%s%s", lead,
		     p->runtime[0] ? p->runtime : "on", p->records, p->bad_lines, cov, skb,
		     f->probe_note[0] ? "; " : "", f->probe_note);
		return 1;
	}
	/* compact, for 80 columns: the note last */
	{
		char a[24] = "-", b[24] = "-", o[24] = "-", c[16] = "-";
		if (f->skb_alloc >= 0)
			snprintf(a, sizeof(a), "%" PRId64, f->skb_alloc);
		if (f->skb_free >= 0)
			snprintf(b, sizeof(b), "%" PRId64, f->skb_free);
		if (f->skb_outstanding != TOP_NO_COUNT)
			snprintf(o, sizeof(o), "%" PRId64, f->skb_outstanding);
		if (!isnan(p->sched_coverage))
			snprintf(c, sizeof(c), "%.1f%%", 100.0 * p->sched_coverage);
		line(&out[0], p->bad_lines ? TOP_A_WARN : TOP_A_GOOD, ll,
		     "%s%s %" PRIu64 " records %" PRIu64 " bad  cov %s  skb alloc %s free %s out %s%s%s%s",
		     lead, p->runtime[0] ? p->runtime : "on", p->records, p->bad_lines, c, a, b, o,
		     f->probe_note[0] ? "  (" : "", f->probe_note, f->probe_note[0] ? ")" : "");
	}
	return 1;
}

const struct top_widget top_header_widgets[] = {
	{ "memory", mem_lines },
	{ "kmem", kmem_lines },
	{ "psi", psi_lines },
	{ "sched", sched_lines },
	{ "irq", irq_lines },
	{ "probes", probe_lines },
	{ NULL, NULL },
};
