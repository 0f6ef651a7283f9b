# engine/: the daemon and its internals, in rooms by thread and by bus
# (engine/README.md is the map).  Each room is a convenience library of its
# own; the arrows go one way:
#   daemon -> usb, sim -> core        uacctl -> client, usb descriptor model
#   alsa-plugin -> client (nothing else of the engine)
# tests/tools/check-layout.sh (in make check) fails on an include that
# points the other way.
include $(srcdir)/engine/core/local.mk
include $(srcdir)/engine/sim/local.mk
include $(srcdir)/engine/usb/local.mk
include $(srcdir)/engine/daemon/local.mk
include $(srcdir)/engine/client/local.mk
include $(srcdir)/engine/uacctl/local.mk

# Everything the daemon is made of, in link order (users before what they
# use), for the daemon and the tests that drive its parts.
engine_libs = engine/daemon/libuacddaemon.la engine/usb/libuacdusb.la \
	engine/sim/libuacdsim.la engine/usb/libuacdusbdesc.la engine/core/libuacdcore.la
engine_libs_ext = $(URCU_LIBS) $(LIBUSB_LIBS) $(SNDFILE_LIBS) $(SYSTEMD_LIBS) -ldl -lm
EXTRA_DIST += engine/README.md
