# healthtap report: one process's memory, its allocation rate and the rate's
# change, with the fitted trend, its 95% band, steps and the limit crossing.
# Set by healthtap before this script:
#   datafile, title_text, xlabel_text
#   xmin, xmax  the time axis shown (seconds since the epoch, UTC): the
#               window, or up to the predicted crossing
#   xformat     its tick format (strftime-like, fits the span)
#   xstep       seconds between ticks, so that labels never run together (0: gnuplot's)
#   fit_t0, fit_v0, fit_slope   the trend line (s since the epoch, bytes, bytes/s);
#               fit_slope is NaN when there is no trend
#   limit_bytes the nearest limit (NaN: none shown)
#   steps_t     times of the steps found (s since the epoch: with xdata
#               time an arrow takes them as timefmt strings), space separated ("" none)
#   rate_points, change_points  how many rows have a rate and a change
#               (a short history may have none: gnuplot refuses such a plot)
# Columns: time (s since the epoch) rss anon fit band_lo band_hi rate(B/s) rate_change(B/s²)
MiB = 1048576.0
dumb = (GPVAL_TERM eq "dumb")
set datafile missing "NaN"
# three panels in 30 text rows leave a line or two of data each
if (dumb) { set terminal dumb size 100,48 noenhanced }
set multiplot layout 3,1 title title_text
set lmargin 12
set grid
set xdata time
set timefmt "%s"
set format x xformat timedate
# ticks far enough apart for their labels (healthtap picks the step)
if (xstep > 0) { set xtics xstep }
set xrange [xmin:xmax]
# the key beside the panels, never over the data; one right margin for
# all three, so that their time axes line up
set key outside right top
set rmargin (dumb ? 26 : 22)
# a small panel fits about 5 value ticks: nice(r) is a 1-2-5 step that
# gives about that many over a range r
nice(r) = (r <= 0 || r != r) ? 0 : (ne = 10**floor(log10(r / 4.0)), nf = r / 4.0 / ne, \
          (nf < 1.5 ? 1 : nf < 3.5 ? 2 : nf < 7.5 ? 5 : 10) * ne)

set ylabel (dumb ? "" : "memory (MiB)")
# dumb writes y labels across the tick labels: each panel says its unit
# above it there instead
if (dumb) { set title "memory (MiB)" }
unset xlabel
do for [s in steps_t] {
    set arrow from s, graph 0 to s, graph 1 nohead dt 3 lc rgb "#d62728"
}
if (limit_bytes == limit_bytes) {
    set arrow from graph 0, first limit_bytes/MiB to graph 1, first limit_bytes/MiB nohead dt 2 lw 2 lc rgb "black"
    # under the line: above it, a limit near the top is cut by the border
    set label "limit" at graph 0.01, first limit_bytes/MiB offset 0,-0.8
}
trend(x) = (fit_v0 + fit_slope * (x - fit_t0)) / MiB
if (dumb) {
    plot datafile using 1:($2/MiB) with lines title "RSS", \
         (fit_slope == fit_slope ? trend(x) : 1/0) with lines title "trend"
} else {
    plot datafile using 1:($5/MiB):($6/MiB) with filledcurves fc rgb "#9ecae1" fs transparent solid 0.4 title "95% band", \
         '' using 1:($2/MiB) with lines lw 2 lc rgb "#1f77b4" title "RSS", \
         '' using 1:($3/MiB) with lines lc rgb "#2ca02c" title "anon", \
         (fit_slope == fit_slope ? trend(x) : 1/0) with lines dt 2 lw 2 lc rgb "#ff7f0e" title "trend, forecast"
}
unset arrow
unset label

set ylabel (dumb ? "" : "rate (KiB/s)")
if (dumb) { set title "rate (KiB/s)" }
if (rate_points > 0) {
    # from 0 (a steady rate is a line at its height, not on the border)
    set xdata	# stats refuses time data: the rate column alone
    stats datafile using ($7/1024.0) nooutput
    set xdata time
    ylo = STATS_min < 0 ? STATS_min : 0
    yhi = STATS_max > 0 ? STATS_max : 0
    pad = yhi > ylo ? (yhi - ylo) / 10.0 : 1
    set yrange [ylo - (ylo < 0 ? pad : 0):yhi + pad]
    step = nice(yhi - ylo)
    if (step > 0) { set ytics step }
    plot datafile using 1:($7/1024.0) with lines lc rgb "#9467bd" title "allocation rate"
    set autoscale y
    set ytics autofreq
} else {
    # in the plot: a key this long overruns the margin beside it
    set label 1 "too few samples yet" at graph 0.5, graph 0.75 center
    set yrange [-1:1]
    plot 0 with lines lc rgb "gray" title "allocation rate"
    set autoscale y
    unset label 1
}

set ylabel (dumb ? "" : "change (B/s²)")
if (dumb) { set title "change (B/s²)" }
set xlabel xlabel_text
if (change_points > 0) {
    set xdata
    stats datafile using 8 nooutput
    set xdata time
    pad = STATS_max > STATS_min ? (STATS_max - STATS_min) / 10.0 : 1
    set yrange [STATS_min - pad:STATS_max + pad]
    step = nice(STATS_max - STATS_min)
    if (step > 0) { set ytics step }
    plot datafile using 1:8 with lines lc rgb "#8c564b" title "rate change"
} else {
    set label 1 "too few samples yet" at graph 0.5, graph 0.75 center
    set yrange [-1:1]
    plot 0 with lines lc rgb "gray" title "rate change"
}
unset multiplot
