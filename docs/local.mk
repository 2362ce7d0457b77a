# Man pages and protocol docs.
dist_man_MANS += docs/healthtap.1
EXTRA_DIST += docs/protocol.md
dist_man_MANS += docs/stapprobes.health.3stap
