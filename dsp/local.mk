# dsp: build fragment included by the top-level Makefile.am
#
# libuacdsp (noinst convenience library, linked into uacd and uacd-dsp),
# the uacd-dsp tool, its tests, benchmarks and man pages.

noinst_LTLIBRARIES += dsp/libuacdsp.la
dsp_libuacdsp_la_SOURCES = \
	dsp/uacdsp.h \
	dsp/dsp-config.h dsp/config-internal.h dsp/config-fields.h \
	dsp/config.c dsp/config-fields.c dsp/config-filters.c dsp/config-check.c \
	dsp/config-pipeline.c \
	dsp/biquad.h dsp/biquad.c \
	dsp/chain.h dsp/chain.c \
	dsp/chain-biquad.c dsp/chain-basic.c dsp/chain-conv.c \
	dsp/chain-level.h dsp/chain-level.c \
	dsp/dither-design.h dsp/dither-design.c
# explicit -f flags win over the -O level in CFLAGS: the kernels want the
# vectoriser with its real cost model
dsp_libuacdsp_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(FFTW_CFLAGS) $(FFTWD_CFLAGS) $(SNDFILE_CFLAGS) \
	-ftree-vectorize -fvect-cost-model=dynamic
dsp_libuacdsp_la_LIBADD = yaml/libuacdyaml.la $(YAML_LIBS) $(FFTW_LIBS) $(FFTWD_LIBS) $(SNDFILE_LIBS) $(PTHREAD_LIBS) -lm

bin_PROGRAMS += uacd-dsp
uacd_dsp_SOURCES = dsp/uacd-dsp.c
uacd_dsp_CFLAGS = $(AM_CFLAGS) $(SNDFILE_CFLAGS)
uacd_dsp_LDADD = dsp/libuacdsp.la $(SNDFILE_LIBS)

# ---- tests --------------------------------------------------------------
dsp_test_cflags = $(AM_CFLAGS) $(YAML_CFLAGS) $(FFTW_CFLAGS) $(FFTWD_CFLAGS) $(SNDFILE_CFLAGS)
dsp_test_ldadd = dsp/libuacdsp.la -lm

check_PROGRAMS += tests/dsp/test-dsp-response
tests_dsp_test_dsp_response_SOURCES = tests/dsp/test-dsp-response.c
tests_dsp_test_dsp_response_CFLAGS = $(dsp_test_cflags)
tests_dsp_test_dsp_response_LDADD = $(dsp_test_ldadd)
TESTS += tests/dsp/test-dsp-response

check_PROGRAMS += tests/dsp/test-dsp-conv
tests_dsp_test_dsp_conv_SOURCES = tests/dsp/test-dsp-conv.c
tests_dsp_test_dsp_conv_CFLAGS = $(dsp_test_cflags)
tests_dsp_test_dsp_conv_LDADD = $(dsp_test_ldadd) $(SNDFILE_LIBS)
TESTS += tests/dsp/test-dsp-conv

check_PROGRAMS += tests/dsp/test-dsp-config
tests_dsp_test_dsp_config_SOURCES = tests/dsp/test-dsp-config.c tests/dsp/check.h
tests_dsp_test_dsp_config_CFLAGS = $(dsp_test_cflags)
tests_dsp_test_dsp_config_LDADD = $(dsp_test_ldadd)
TESTS += tests/dsp/test-dsp-config

# ---- benchmarks (make bench) --------------------------------------------
bench_programs += tests/dsp/bench-dsp
EXTRA_PROGRAMS += tests/dsp/bench-dsp
tests_dsp_bench_dsp_SOURCES = tests/dsp/bench-dsp.c
tests_dsp_bench_dsp_CPPFLAGS = $(AM_CPPFLAGS) -DSOX_PATH='"$(SOX)"'
tests_dsp_bench_dsp_CFLAGS = $(dsp_test_cflags)
tests_dsp_bench_dsp_LDADD = $(dsp_test_ldadd) $(SNDFILE_LIBS)

TESTS += tests/dsp/test-uacd-dsp.sh
EXTRA_DIST += tests/dsp/test-uacd-dsp.sh \
	examples/dsp/crossover.yml examples/dsp/loudness.yml \
	examples/dsp/room-correction.yml \
	examples/dsp/room-correction-left-48000.txt \
	examples/dsp/room-correction-right-48000.txt \
	tests/fuzz/fuzz-dsp-config.c tests/fuzz/fuzz-dsp-config.sources \
	tests/fuzz/corpus-dsp-config/crossover.yml \
	tests/fuzz/corpus-dsp-config/eq-levels.yml \
	tests/fuzz/corpus-dsp-config/mixer-conv.yml \
	tests/fuzz/corpus-dsp-config/dither.yml

# ---- man pages ----------------------------------------------------------
dist_man_MANS += man/uacd-dsp.1 man/uacd-dsp.yml.5

check_PROGRAMS += tests/dsp/test-dsp-blocks
tests_dsp_test_dsp_blocks_SOURCES = tests/dsp/test-dsp-blocks.c tests/dsp/check.h
tests_dsp_test_dsp_blocks_CFLAGS = $(dsp_test_cflags)
tests_dsp_test_dsp_blocks_LDADD = $(dsp_test_ldadd)
TESTS += tests/dsp/test-dsp-blocks

check_PROGRAMS += tests/dsp/test-dsp-rt
tests_dsp_test_dsp_rt_SOURCES = tests/dsp/test-dsp-rt.c
tests_dsp_test_dsp_rt_CFLAGS = $(dsp_test_cflags)
tests_dsp_test_dsp_rt_LDADD = $(dsp_test_ldadd) $(PTHREAD_LIBS)
TESTS += tests/dsp/test-dsp-rt

check_PROGRAMS += tests/dsp/test-dsp-dither
tests_dsp_test_dsp_dither_SOURCES = tests/dsp/test-dsp-dither.c tests/dsp/check.h
tests_dsp_test_dsp_dither_CFLAGS = $(dsp_test_cflags)
tests_dsp_test_dsp_dither_LDADD = $(dsp_test_ldadd)
TESTS += tests/dsp/test-dsp-dither
