# The health tapset. stap searches only the top of its tapset directories,
# not subfolders, so the files install flat there as health_<file>.stp.
# Each subsystem has its event aliases in <subsys>.stp and its counting and
# periodic report in <subsys>_report.stp; the man page lists them in this
# order.
HEALTH_TAPSET_FILES = \
	tapset/health/common.stp \
	tapset/health/common.stpm \
	tapset/health/memory_report.stp \
	tapset/health/memory.stp \
	tapset/health/sched_report.stp \
	tapset/health/sched.stp \
	tapset/health/irq_report.stp \
	tapset/health/irq.stp \
	tapset/health/skb_report.stp \
	tapset/health/skb.stp \
	tapset/health/alloc_report.stp \
	tapset/health/alloc.stp
EXTRA_DIST += $(HEALTH_TAPSET_FILES)
stap_tapsetdir = $(datadir)/systemtap/tapset

install-data-local: install-health-tapset
uninstall-local: uninstall-health-tapset

install-health-tapset:
	$(MKDIR_P) '$(DESTDIR)$(stap_tapsetdir)'
	for f in $(HEALTH_TAPSET_FILES); do \
	  $(INSTALL_DATA) "$(srcdir)/$$f" "$(DESTDIR)$(stap_tapsetdir)/health_$$(basename $$f)" || exit 1; \
	done

uninstall-health-tapset:
	for f in $(HEALTH_TAPSET_FILES); do \
	  rm -f "$(DESTDIR)$(stap_tapsetdir)/health_$$(basename $$f)"; \
	done
EXTRA_DIST += scripts/examples/health-top.stp scripts/examples/health-top.meta \
	scripts/examples/oom-watch.stp scripts/examples/oom-watch.meta
