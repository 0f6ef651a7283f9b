# engine/usb: USB Audio Class devices.
#   libuacdusbdesc  the descriptor model and `describe` (no libusb: also
#                   linked by uacctl and the fuzzer)
#   libuacdusbread  finding devices on the bus with libusb, device specs,
#                   reading a device's descriptors (libusb, nothing of
#                   core/: also linked by uacctl for `describe --device`)
#   libuacdusb      bind, class/control requests, libusb I/O and the
#                   transport the RT thread runs (with libuacdusbread in it)
noinst_LTLIBRARIES += engine/usb/libuacdusbdesc.la engine/usb/libuacdusbread.la \
	engine/usb/libuacdusb.la
engine_usb_libuacdusbdesc_la_SOURCES = \
	engine/usb/usb-descriptors.c engine/usb/usb-descriptors.h \
	engine/usb/usb-desc-private.h engine/usb/usb-desc-ac.c engine/usb/usb-desc-as.c \
	engine/usb/usb-describe.c engine/usb/usb-describe.h

engine_usb_libuacdusbread_la_SOURCES = \
	engine/usb/usb-find.c engine/usb/usb-find.h engine/usb/usb-read.h \
	engine/usb/usb-spec.c
engine_usb_libuacdusbread_la_CFLAGS = $(AM_CFLAGS) $(LIBUSB_CFLAGS)
engine_usb_libuacdusbread_la_LIBADD = $(LIBUSB_LIBS)

engine_usb_libuacdusb_la_SOURCES = \
	engine/usb/transport-libusb.c engine/usb/transport-libusb.h \
	engine/usb/transport-libusb-private.h engine/usb/usb-bind.c engine/usb/usb-volume.c \
	engine/usb/usb-io-libusb.c \
	engine/usb/usb-control.c engine/usb/usb-control.h \
	engine/usb/hotplug.c engine/usb/hotplug.h
engine_usb_libuacdusb_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS) $(LIBUSB_CFLAGS)
engine_usb_libuacdusb_la_LIBADD = engine/usb/libuacdusbread.la $(LIBUSB_LIBS)
