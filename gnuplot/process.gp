# healthtap report: one process's memory, its allocation rate and the rate's
# change, with the fitted trend, its 95% band, steps and the limit crossing.
# Set by healthtap before this script:
#   datafile, title_text, xlabel_text
#   xmin, xmax  the time axis shown (seconds since the epoch, UTC): the
#               window, or up to the predicted crossing
#   xformat     its tick format (strftime-like, fits the span)
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
set multiplot layout 3,1 title title_text
set lmargin 12
set grid
set xdata time
set timefmt "%s"
set format x xformat timedate
set xrange [xmin:xmax]
set key top left opaque
# room for the last time tick's label
set rmargin 6

set ylabel "memory (MiB)"
# dumb drops rotated y labels: each panel says its unit above it there
if (dumb) { set title "memory (MiB)" }
unset xlabel
do for [s in steps_t] {
    set arrow from s, graph 0 to s, graph 1 nohead dt 3 lc rgb "#d62728"
}
if (limit_bytes == limit_bytes) {
    set arrow from graph 0, first limit_bytes/MiB to graph 1, first limit_bytes/MiB nohead dt 2 lw 2 lc rgb "black"
    set label "limit" at graph 0.01, first limit_bytes/MiB offset 0,0.6
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

set ylabel "rate (KiB/s)"
if (dumb) { set title "rate (KiB/s)" }
if (rate_points > 0) {
    plot datafile using 1:($7/1024.0) with lines lc rgb "#9467bd" title "allocation rate"
} else {
    set yrange [-1:1]
    plot 0 with lines lc rgb "gray" title "allocation rate: too few samples yet"
    set autoscale y
}

set ylabel "change (B/s²)"
if (dumb) { set title "change (B/s²)" }
set xlabel xlabel_text
if (change_points > 0) {
    plot datafile using 1:8 with lines lc rgb "#8c564b" title "rate change"
} else {
    set yrange [-1:1]
    plot 0 with lines lc rgb "gray" title "rate change: too few samples yet"
}
unset multiplot
