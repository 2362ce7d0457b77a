# healthtap report: one or more series of a host against time (rates, PSI,
# skb counts). Set by healthtap before this script:
#   datafile, title_text, xlabel_text, ylabel_text
#   xmin, xmax  the time axis (seconds since the epoch, UTC)
#   xformat     its tick format (strftime-like, fits the span)
#   xstep       seconds between ticks, so that labels never run together (0: gnuplot's)
#   ncols       columns in the data file
#   titles      the series' names, space separated (one per column 2..ncols)
# Columns: time (s since the epoch) series1 series2 ...
set datafile missing "NaN"
set xdata time
set timefmt "%s"
set format x xformat timedate
# ticks far enough apart for their labels (healthtap picks the step)
if (xstep > 0) { set xtics xstep }
# dumb drops rotated y labels: the unit goes in the title there
set title (GPVAL_TERM eq "dumb") ? title_text . ", " . ylabel_text : title_text
set xlabel xlabel_text
set ylabel ylabel_text
set grid
# outside: many series fill the plot; the key's width leaves room for
# the last time tick's label
set key outside right top
set xrange [xmin:xmax]
plot for [i=2:ncols] datafile using 1:i with lines lw 1.5 title word(titles, i-1)
