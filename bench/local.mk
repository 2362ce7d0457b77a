# Benchmarks: each prints ratios against a reference measured in the same run.
# Run them with 'make bench'; they are not tests.
bench_scripts =
EXTRA_DIST += $(bench_scripts)
bench: all
	@for b in $(bench_scripts); do echo "== $$b"; $(SHELL) $(srcdir)/$$b || exit 1; done
.PHONY: bench
