# tests/: unit tests (Check), integration tests (real aplay/arecord against the
# built daemon and plugin), fuzz targets, VM tests.
include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/daemon/local.mk
include $(srcdir)/tests/integration/local.mk
include $(srcdir)/tests/fuzz/local.mk
include $(srcdir)/tests/usb/local.mk
include $(srcdir)/tests/usbfake/local.mk
include $(srcdir)/tests/vm/local.mk
include $(srcdir)/tests/fixtures/local.mk

# The include arrows between engine/ rooms (engine/README.md), and the
# size limits (no file over 800 lines, no function over 120).
TESTS += tests/test-layout.sh tests/test-sizes.sh
EXTRA_DIST += tests/test-layout.sh tests/test-sizes.sh
