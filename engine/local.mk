# engine/: the daemon, its internals, and uacctl.
# libuacdengine is a convenience library so unit tests link the same objects
# as the daemon.
noinst_LTLIBRARIES += engine/libuacdengine.la
engine_libuacdengine_la_SOURCES = \
	engine/packet.c engine/packet.h \
	engine/format.c engine/format.h \
	engine/log.c engine/log.h \
	engine/uacd-conf.c engine/uacd-conf.h \
	engine/device.c engine/device.h \
	engine/transport-sim.c engine/transport-sim.h \
	engine/server.c engine/server.h \
	engine/dsp-stage.c engine/dsp-stage.h \
	engine/dev-stats.c
engine_libuacdengine_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS) $(LIBUSB_CFLAGS) $(SNDFILE_CFLAGS) $(SYSTEMD_CFLAGS)
engine_libuacdengine_la_LIBADD = entitlement-policy/libuacpolicy.la dsp/libuacdsp.la $(URCU_LIBS) $(LIBUSB_LIBS) $(SNDFILE_LIBS) $(SYSTEMD_LIBS) -ldl -lm

sbin_PROGRAMS += engine/uacd
engine_uacd_SOURCES = engine/main.c
engine_uacd_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS)
engine_uacd_LDADD = engine/libuacdengine.la $(PTHREAD_LIBS)

# USB descriptor model, describe, transports (engine/usb.mk).
include $(srcdir)/engine/usb.mk

bin_PROGRAMS += engine/uacctl
engine_uacctl_SOURCES = engine/uacctl.c engine/uacctl.h engine/uacctl-stats.c
engine_uacctl_LDADD = engine/libuacdengine.la -lm

# USB transport, hotplug, ctl plugin (engine/libusb.mk).
include $(srcdir)/engine/libusb.mk
