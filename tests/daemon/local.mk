# tests/daemon: the daemon's modules (engine/daemon), see tests/local.mk.
check_PROGRAMS += tests/daemon/test-registry
TESTS += tests/daemon/test-registry
tests_daemon_test_registry_SOURCES = tests/daemon/test-registry.c
tests_daemon_test_registry_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(URCU_CFLAGS)
tests_daemon_test_registry_LDADD = $(engine_libs) $(engine_libs_ext) $(CHECK_LIBS) -lm
