# healthtap report: the host's memory and MemAvailable, with the forecast of
# MemAvailable while it shrinks. Set by healthtap before this script:
#   datafile, title_text, xlabel_text
#   xmin, xmax  the time axis (seconds since the epoch, UTC)
#   xformat     its tick format (strftime-like, fits the span)
#   xstep       seconds between ticks, so that labels never run together (0: gnuplot's)
#   fit_t0, fit_v0, fit_slope   MemAvailable's trend (s since the epoch, bytes, bytes/s;
#               NaN when it does not shrink)
# Columns: time (s since the epoch) mem_total mem_available used (bytes)
GiB = 1073741824.0
set datafile missing "NaN"
# dumb drops rotated y labels: the unit goes in the title there
set title (GPVAL_TERM eq "dumb") ? title_text . ", memory (GiB)" : title_text
set xlabel xlabel_text
set ylabel "memory (GiB)"
set grid
# room for the last time tick's label
set rmargin 6
set key bottom left
set xdata time
set timefmt "%s"
set format x xformat timedate
# ticks far enough apart for their labels (healthtap picks the step)
if (xstep > 0) { set xtics xstep }
set xrange [xmin:xmax]
set yrange [0:*]
# MemTotal is the top: keep it off the border
set offsets 0, 0, graph 0.06, 0
trend(x) = (fit_v0 + fit_slope * (x - fit_t0)) / GiB
plot datafile using 1:($2/GiB) with lines lw 2 lc rgb "black" title "MemTotal", \
     '' using 1:($3/GiB) with lines lw 2 lc rgb "#2ca02c" title "MemAvailable", \
     '' using 1:($4/GiB) with lines lc rgb "#d62728" title "used", \
     (fit_slope == fit_slope ? (trend(x) > 0 ? trend(x) : 1/0) : 1/0) with lines dt 2 lw 2 lc rgb "#ff7f0e" title "MemAvailable forecast"
