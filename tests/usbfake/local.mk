# tests/usbfake: the transport against a scripted device in virtual time.
check_PROGRAMS += tests/usbfake/test-usbfake
TESTS += tests/usbfake/test-usbfake
tests_usbfake_test_usbfake_SOURCES = tests/usbfake/test-usbfake.c \
	tests/usbfake/fake-usb.c tests/usbfake/fake-usb.h
tests_usbfake_test_usbfake_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBUSB_CFLAGS) $(URCU_CFLAGS)
tests_usbfake_test_usbfake_LDADD = $(engine_libs) $(engine_libs_ext) $(CHECK_LIBS)
TESTS += tests/usbfake/test-usb-absent.sh
EXTRA_DIST += tests/usbfake/test-usb-absent.sh
