# tests/usbfake: the transport against a scripted device in virtual time, one
# program per part of engine/usb/ (bind, feedback, corpus devices, streaming);
# the clients, the corpus and the runner are shared in usbfake-fixture.[ch].
usbfake_tests = \
	tests/usbfake/test-usbfake-qemu \
	tests/usbfake/test-usbfake-feedback \
	tests/usbfake/test-usbfake-corpus \
	tests/usbfake/test-usbfake-stream
check_PROGRAMS += $(usbfake_tests)
TESTS += $(usbfake_tests)
usbfake_sources = tests/usbfake/fake-usb.c tests/usbfake/fake-usb.h \
	tests/usbfake/usbfake-fixture.c tests/usbfake/usbfake-fixture.h
usbfake_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(LIBUSB_CFLAGS) $(URCU_CFLAGS)
usbfake_ldadd = $(engine_libs) $(engine_libs_ext) $(CHECK_LIBS)

tests_usbfake_test_usbfake_qemu_SOURCES = tests/usbfake/test-usbfake-qemu.c $(usbfake_sources)
tests_usbfake_test_usbfake_qemu_CFLAGS = $(usbfake_cflags)
tests_usbfake_test_usbfake_qemu_LDADD = $(usbfake_ldadd)

tests_usbfake_test_usbfake_feedback_SOURCES = tests/usbfake/test-usbfake-feedback.c $(usbfake_sources)
tests_usbfake_test_usbfake_feedback_CFLAGS = $(usbfake_cflags)
tests_usbfake_test_usbfake_feedback_LDADD = $(usbfake_ldadd)

tests_usbfake_test_usbfake_corpus_SOURCES = tests/usbfake/test-usbfake-corpus.c $(usbfake_sources)
tests_usbfake_test_usbfake_corpus_CFLAGS = $(usbfake_cflags)
tests_usbfake_test_usbfake_corpus_LDADD = $(usbfake_ldadd)

tests_usbfake_test_usbfake_stream_SOURCES = tests/usbfake/test-usbfake-stream.c $(usbfake_sources)
tests_usbfake_test_usbfake_stream_CFLAGS = $(usbfake_cflags)
tests_usbfake_test_usbfake_stream_LDADD = $(usbfake_ldadd)

TESTS += tests/usbfake/test-usb-absent.sh
EXTRA_DIST += tests/usbfake/test-usb-absent.sh
