# healthtap soak: one target's memory after each round, with the fitted
# growth line. Set by healthtap before this script: datafile, title_text.
# Columns: round rss anon pss private_dirty fit (bytes; NaN when unknown).
MiB = 1048576.0
set title title_text
set xlabel "round"
set ylabel "memory (MiB)"
set key top left
set grid
set datafile missing "NaN"
plot datafile using 1:($2/MiB) with linespoints pt 7 ps 0.6 title "RSS", \
     '' using 1:($3/MiB) with linespoints pt 5 ps 0.6 title "anon", \
     '' using 1:($4/MiB) with linespoints pt 9 ps 0.6 title "Pss", \
     '' using 1:($5/MiB) with linespoints pt 11 ps 0.6 title "Private_Dirty", \
     '' using 1:($6/MiB) with lines lw 2 dt 2 title "fit (Private_Dirty)"
