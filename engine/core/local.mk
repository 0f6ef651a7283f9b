# engine/core: the RT engine.  Device and streams, mixing and format
# conversion, the packet scheduler, the lock-free log ring, hooks and the DSP
# stage.  No libusb, no socket, no policy.
noinst_LTLIBRARIES += engine/core/libuacdcore.la
engine_core_libuacdcore_la_SOURCES = \
	engine/core/packet.c engine/core/packet.h \
	engine/core/format.c engine/core/format.h engine/core/format-name.h \
	engine/core/log.c engine/core/log.h \
	engine/core/device.c engine/core/device-rt.c engine/core/device.h engine/core/uacd-device.h \
	engine/core/device-ctl.c engine/core/transport.h engine/core/transport-api.c \
	engine/core/dev-stats.c engine/core/hook-file.c engine/core/hook-file.h \
	engine/core/dsp-stage.c engine/core/dsp-stage.h
engine_core_libuacdcore_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS)
engine_core_libuacdcore_la_LIBADD = dsp/libuacdsp.la $(URCU_LIBS) -ldl -lm
