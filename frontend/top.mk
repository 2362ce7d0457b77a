# frontend/top.mk: the live dashboard (healthtap top).
healthtap_SOURCES += frontend/cmd_top.c \
	frontend/top_frame.h \
	frontend/top_collect.h frontend/top_collect.c \
	frontend/top_table.h frontend/top_table.c \
	frontend/top_widget.h frontend/top_widgets.c \
	frontend/top_render.h frontend/top_render.c \
	frontend/top_ui.h frontend/top_ui.c \
	frontend/top_json.h frontend/top_json.c \
	frontend/top_hosts.h frontend/top_hosts.c
healthtap_CPPFLAGS += $(NCURSES_CFLAGS)
healthtap_LDADD += $(NCURSES_LIBS) -lpthread

# Tests: golden batch frames and tmux-driven screens on tests/fixtures/top,
# and the screen on the live machine.
TESTS += tests/top/batch.sh tests/top/screen-fixture.sh tests/top/screen-live.sh \
	tests/top/hosts.sh tests/top/stap-live.sh tests/top/where-live.sh
EXTRA_DIST += tests/top/batch.sh tests/top/screen-fixture.sh tests/top/screen-live.sh \
	tests/top/hosts.sh tests/top/stap-live.sh tests/top/where-live.sh \
	tests/top/tmux-lib.sh \
	tests/top/batch-risk.golden tests/top/batch-sort.golden \
	tests/top/batch-tree.golden tests/top/batch-threads.golden \
	tests/fixtures/top

# CPU per refresh at 1,000 processes against procps top, same run.
bench_scripts += bench/top-cost.sh

dist_man_MANS += docs/healthtap-top.1
