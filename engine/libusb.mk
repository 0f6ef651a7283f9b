# engine/libusb.mk: the USB transport (libusb), class requests, hotplug,
# the ALSA ctl plugin, and the fake-transport tests.
engine_libuacdengine_la_SOURCES += \
	engine/transport-libusb.c engine/transport-libusb.h \
	engine/transport-libusb-private.h engine/usb-bind.c engine/usb-spec.c \
	engine/usb-io-libusb.c \
	engine/hotplug.c engine/hotplug.h \
	engine/usb-control.c engine/usb-control.h

# The ALSA ctl plugin (amixer -D uac): feature unit volume/mute through uacd.
alsaplugin_LTLIBRARIES += alsa-plugin/libasound_module_ctl_uac.la
alsa_plugin_libasound_module_ctl_uac_la_SOURCES = alsa-plugin/ctl_uac.c \
	alsa-plugin/plugin-conf.c alsa-plugin/plugin-conf.h
alsa_plugin_libasound_module_ctl_uac_la_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) -DPIC
alsa_plugin_libasound_module_ctl_uac_la_LIBADD = $(ALSA_LIBS)
alsa_plugin_libasound_module_ctl_uac_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -no-undefined -export-symbols-regex '^_snd_ctl_uac_open$$|^__snd_ctl_uac_open_dlsym'

# tests/usbfake: the transport against a scripted device in virtual time.
check_PROGRAMS += tests/usbfake/test-usbfake
TESTS += tests/usbfake/test-usbfake
tests_usbfake_test_usbfake_SOURCES = tests/usbfake/test-usbfake.c \
	tests/usbfake/fake-usb.c tests/usbfake/fake-usb.h
tests_usbfake_test_usbfake_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBUSB_CFLAGS) $(URCU_CFLAGS)
tests_usbfake_test_usbfake_LDADD = engine/libuacdengine.la $(CHECK_LIBS) $(LIBUSB_LIBS) $(URCU_LIBS) -lm
TESTS += tests/usbfake/test-usb-absent.sh
EXTRA_DIST += tests/usbfake/test-usb-absent.sh
