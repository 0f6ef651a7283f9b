# tests/unit: Check unit tests, one per engine module (see tests/local.mk).
# Each links the same objects as the daemon ($(engine_libs)).
unit_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(URCU_CFLAGS)
unit_test_ldadd = $(engine_libs) $(engine_libs_ext) $(CHECK_LIBS)

unit_tests = \
	tests/unit/test-format \
	tests/unit/test-conf \
	tests/unit/test-log \
	tests/unit/test-engine
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

tests_unit_test_engine_SOURCES = tests/unit/test-engine.c
tests_unit_test_engine_CFLAGS = $(unit_test_cflags)
tests_unit_test_engine_LDADD = $(unit_test_ldadd)

