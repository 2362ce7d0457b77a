# libhealthtap: the runtime library. It never prints and never exits.
noinst_LIBRARIES += runtime/libhealthtap.a
runtime_libhealthtap_a_SOURCES = \
	runtime/ht_protocol.h runtime/ht_protocol.c \
	runtime/ht_stream.h runtime/ht_stream.c \
	runtime/ht_path.h runtime/ht_path.c \
	runtime/ht_buf.h runtime/ht_buf.c \
	runtime/ht_counter.h runtime/ht_counter.c \
	runtime/proc_stat.h runtime/proc_stat.c \
	runtime/ht_supervisor.h runtime/ht_supervisor.c
