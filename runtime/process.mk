# process.mk: see the header of each listed file.
