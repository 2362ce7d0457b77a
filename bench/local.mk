# Benchmarks: each prints ratios against a reference measured in the same run.
# Run them with 'make bench'; they are not tests. Areas add their scripts to
# bench_scripts in their own fragment.
EXTRA_DIST += $(bench_scripts)
bench: all
	@for b in $(bench_scripts); do \
	  echo "== $$b"; \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) $(srcdir)/$$b || exit 1; \
	done
.PHONY: bench
