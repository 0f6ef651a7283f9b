# engine/sim: the built-in simulated UAC2 device, a transport like usb.
noinst_LTLIBRARIES += engine/sim/libuacdsim.la
engine_sim_libuacdsim_la_SOURCES = engine/sim/transport-sim.c engine/sim/transport-sim.h \
	engine/sim/sim-private.h engine/sim/sim-spec.c
engine_sim_libuacdsim_la_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS) $(SNDFILE_CFLAGS)
engine_sim_libuacdsim_la_LIBADD = $(SNDFILE_LIBS)
