# engine/: the daemon, its internals, and uacctl.
# libuacdengine is a convenience library so unit tests link the same objects
# as the daemon.
noinst_LTLIBRARIES += engine/libuacdengine.la
engine_libuacdengine_la_SOURCES = \
	engine/packet.c engine/packet.h
engine_libuacdengine_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS) $(LIBUSB_CFLAGS)
engine_libuacdengine_la_LIBADD = $(URCU_LIBS) $(LIBUSB_LIBS) -lm

# USB descriptor model, describe, transports (engine/usb.mk).
include $(srcdir)/engine/usb.mk
