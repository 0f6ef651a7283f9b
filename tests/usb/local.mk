# tests/usb: descriptor model against the corpus (tests/fixtures) and on
# hand-built input, describe, packet sizing.
usb_test_ldadd = $(engine_libs) $(engine_libs_ext) $(CHECK_LIBS)
usb_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS)

check_PROGRAMS += tests/usb/test-usb-descriptors tests/usb/test-usb-synthetic \
	tests/usb/test-packet tests/usb/uacd-describe-test
TESTS += tests/usb/test-usb-descriptors tests/usb/test-usb-synthetic tests/usb/test-packet \
	tests/usb/test-describe.sh tests/usb/test-no-corpus.sh
EXTRA_DIST += tests/usb/test-describe.sh tests/usb/test-no-corpus.sh

tests_usb_test_usb_descriptors_SOURCES = tests/usb/test-usb-descriptors.c \
	tests/usb/lsusb-reader.c tests/usb/lsusb-reader.h
tests_usb_test_usb_descriptors_CFLAGS = $(usb_test_cflags)
tests_usb_test_usb_descriptors_LDADD = $(usb_test_ldadd)

tests_usb_test_usb_synthetic_SOURCES = tests/usb/test-usb-synthetic.c
tests_usb_test_usb_synthetic_CFLAGS = $(usb_test_cflags)
tests_usb_test_usb_synthetic_LDADD = $(usb_test_ldadd)

tests_usb_test_packet_SOURCES = tests/usb/test-packet.c
tests_usb_test_packet_CFLAGS = $(usb_test_cflags)
tests_usb_test_packet_LDADD = $(usb_test_ldadd)

# uacd_describe_main as a program, for tests/usb/test-describe.sh.
tests_usb_uacd_describe_test_SOURCES = tests/usb/uacd-describe-test.c
tests_usb_uacd_describe_test_LDADD = engine/usb/libuacdusbdesc.la

# Fuzz targets are built by tests/fuzz/run-fuzzers.sh with clang's libFuzzer.
EXTRA_DIST += tests/fuzz/run-fuzzers.sh tests/fuzz/fuzz-descriptors.c \
	tests/fuzz/fuzz-descriptors.sources tests/fuzz/corpus-descriptors
