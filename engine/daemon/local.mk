# engine/daemon: uacd's main, its config, hotplug, the device registry and
# the socket server (the control thread).
noinst_LTLIBRARIES += engine/daemon/libuacddaemon.la
engine_daemon_libuacddaemon_la_SOURCES = \
	engine/daemon/uacd-conf.c engine/daemon/uacd-conf.h \
	engine/daemon/server.c engine/daemon/server.h engine/daemon/server-private.h \
	engine/daemon/server-auth.c engine/daemon/server-requests.c engine/daemon/server-limits.c \
	engine/daemon/registry.c engine/daemon/registry.h \
	engine/daemon/registry-reload.c engine/daemon/registry-private.h
engine_daemon_libuacddaemon_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS) $(LIBUSB_CFLAGS) $(SYSTEMD_CFLAGS)
engine_daemon_libuacddaemon_la_LIBADD = entitlement-policy/libuacpolicy.la $(SYSTEMD_LIBS)

sbin_PROGRAMS += engine/daemon/uacd
engine_daemon_uacd_SOURCES = engine/daemon/main.c
engine_daemon_uacd_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS)
engine_daemon_uacd_LDADD = $(engine_libs) $(engine_libs_ext) $(PTHREAD_LIBS)
