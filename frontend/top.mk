# frontend/top.mk: the live dashboard (healthtap top).
healthtap_SOURCES += frontend/cmd_top.c
