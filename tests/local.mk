# tests/: unit tests (Check), integration tests (real aplay/arecord against the
# built daemon and plugin), fuzz targets, VM tests.
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/integration/local.mk
include $(srcdir)/tests/fuzz/local.mk
include $(srcdir)/tests/vm/local.mk
