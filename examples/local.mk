# examples/: built by `make` so they never rot; the hook is installed.
hooksdir = $(pkglibdir)/hooks
hooks_LTLIBRARIES = examples/hooks/peak-meter.la
examples_hooks_peak_meter_la_SOURCES = examples/hooks/peak-meter.c
examples_hooks_peak_meter_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -shared
examples_hooks_peak_meter_la_LIBADD = -lm

# examples/dsp, examples/policy: see dsp/local.mk and entitlement-policy/local.mk
