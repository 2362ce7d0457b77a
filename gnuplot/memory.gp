# healthtap report: the host's memory and MemAvailable, with the forecast of
# MemAvailable while it shrinks. Set by healthtap before this script:
#   datafile, title_text, xlabel_text, xmax (hours)
#   fit_t0, fit_v0, fit_slope   MemAvailable's trend (hours, bytes, bytes/hour;
#               NaN when it does not shrink)
# Columns: hours mem_total mem_available used (bytes)
GiB = 1073741824.0
set datafile missing "NaN"
# dumb drops rotated y labels: the unit goes in the title there
set title (GPVAL_TERM eq "dumb") ? title_text . ", memory (GiB)" : title_text
set xlabel xlabel_text
set ylabel "memory (GiB)"
set grid
set key bottom left
set xrange [0:xmax]
set yrange [0:*]
trend(x) = (fit_v0 + fit_slope * (x - fit_t0)) / GiB
plot datafile using 1:($2/GiB) with lines lw 2 lc rgb "black" title "MemTotal", \
     '' using 1:($3/GiB) with lines lw 2 lc rgb "#2ca02c" title "MemAvailable", \
     '' using 1:($4/GiB) with lines lc rgb "#d62728" title "used", \
     (fit_slope == fit_slope ? (trend(x) > 0 ? trend(x) : 1/0) : 1/0) with lines dt 2 lw 2 lc rgb "#ff7f0e" title "MemAvailable forecast"
