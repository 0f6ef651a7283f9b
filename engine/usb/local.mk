# engine/usb: USB Audio Class devices.
#   libuacdusbdesc  the descriptor model and `describe` (no libusb: also
#                   linked by uacctl and the fuzzer)
#   libuacdusb      spec parsing, bind, class/control requests, libusb I/O
#                   and the transport the RT thread runs
noinst_LTLIBRARIES += engine/usb/libuacdusbdesc.la engine/usb/libuacdusb.la
engine_usb_libuacdusbdesc_la_SOURCES = \
	engine/usb/usb-descriptors.c engine/usb/usb-descriptors.h \
	engine/usb/usb-describe.c engine/usb/usb-describe.h

engine_usb_libuacdusb_la_SOURCES = \
	engine/usb/transport-libusb.c engine/usb/transport-libusb.h \
	engine/usb/transport-libusb-private.h engine/usb/usb-bind.c \
	engine/usb/usb-spec.c engine/usb/usb-io-libusb.c \
	engine/usb/usb-control.c engine/usb/usb-control.h \
	engine/usb/hotplug.c engine/usb/hotplug.h
engine_usb_libuacdusb_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS) $(LIBUSB_CFLAGS)
engine_usb_libuacdusb_la_LIBADD = $(LIBUSB_LIBS)
