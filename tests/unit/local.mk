# tests/unit: Check unit tests, one per engine module (see tests/local.mk).
# Each links the same objects as the daemon ($(engine_libs)).
unit_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(URCU_CFLAGS)
unit_test_ldadd = $(engine_libs) $(engine_libs_ext) $(CHECK_LIBS)

unit_tests = \
	tests/unit/test-format \
	tests/unit/test-conf \
	tests/unit/test-log \
	tests/unit/test-device \
	tests/unit/test-stream-state \
	tests/unit/test-dev-stats \
	tests/unit/test-hooks \
	tests/unit/test-sim
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_test_format_SOURCES = tests/unit/test-format.c
tests_unit_test_format_CFLAGS = $(unit_test_cflags)
tests_unit_test_format_LDADD = $(unit_test_ldadd)

# test-conf loads examples/uacd.conf through $(top_srcdir).
tests_unit_test_conf_SOURCES = tests/unit/test-conf.c
tests_unit_test_conf_CFLAGS = $(unit_test_cflags)
tests_unit_test_conf_LDADD = $(unit_test_ldadd)

tests_unit_test_log_SOURCES = tests/unit/test-log.c
tests_unit_test_log_CFLAGS = $(unit_test_cflags)
tests_unit_test_log_LDADD = $(unit_test_ldadd) $(PTHREAD_LIBS)

# The engine's tests, one per module, share a sim device stepped by hand and
# the test clients (engine-fixture.[ch]).
engine_fixture_sources = tests/unit/engine-fixture.c tests/unit/engine-fixture.h

tests_unit_test_device_SOURCES = tests/unit/test-device.c $(engine_fixture_sources)
tests_unit_test_device_CFLAGS = $(unit_test_cflags)
tests_unit_test_device_LDADD = $(unit_test_ldadd)

tests_unit_test_stream_state_SOURCES = tests/unit/test-stream-state.c $(engine_fixture_sources)
tests_unit_test_stream_state_CFLAGS = $(unit_test_cflags)
tests_unit_test_stream_state_LDADD = $(unit_test_ldadd)

tests_unit_test_dev_stats_SOURCES = tests/unit/test-dev-stats.c $(engine_fixture_sources)
tests_unit_test_dev_stats_CFLAGS = $(unit_test_cflags)
tests_unit_test_dev_stats_LDADD = $(unit_test_ldadd)

tests_unit_test_hooks_SOURCES = tests/unit/test-hooks.c $(engine_fixture_sources)
tests_unit_test_hooks_CFLAGS = $(unit_test_cflags)
tests_unit_test_hooks_LDADD = $(unit_test_ldadd)

tests_unit_test_sim_SOURCES = tests/unit/test-sim.c $(engine_fixture_sources)
tests_unit_test_sim_CFLAGS = $(unit_test_cflags)
tests_unit_test_sim_LDADD = $(unit_test_ldadd)

