# Man pages and protocol docs.
dist_man_MANS += docs/healthtap.1
EXTRA_DIST += docs/protocol.md
# The tapset's page is made from its kernel-doc comments (scripts/tapset-doc).
dist_man_MANS += docs/stapprobes.health.3stap
EXTRA_DIST += docs/stapprobes.health.3stap.in scripts/tapset-doc
HEALTH_TAPSET_DOC_DEPS = $(srcdir)/docs/stapprobes.health.3stap.in \
	$(srcdir)/scripts/tapset-doc $(HEALTH_TAPSET_FILES)
docs/stapprobes.health.3stap: $(HEALTH_TAPSET_DOC_DEPS)
	$(AM_V_GEN)$(MKDIR_P) docs && files= && \
	for f in $(HEALTH_TAPSET_FILES); do \
	  case $$f in *.stp) files="$$files $(srcdir)/$$f" ;; esac; \
	done && \
	perl $(srcdir)/scripts/tapset-doc $(srcdir)/docs/stapprobes.health.3stap.in $$files >$@.tmp && \
	mv $@.tmp $@
