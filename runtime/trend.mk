# trend.mk: see the header of each listed file.
