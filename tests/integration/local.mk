# tests/integration: the built daemon + plugin with real alsa-utils programs.
check_PROGRAMS += tests/tools/pcmtool
tests_tools_pcmtool_SOURCES = tests/tools/pcmtool.c
tests_tools_pcmtool_LDADD = -lm

integration_tests = \
	tests/integration/test-aplay-bitexact.sh
TESTS += $(integration_tests)
EXTRA_DIST += tests/integration/lib.sh $(integration_tests)
