# tests/integration: the built daemon + plugin with real alsa-utils programs.
check_PROGRAMS += tests/tools/pcmtool tests/tools/badclient
tests_tools_pcmtool_SOURCES = tests/tools/pcmtool.c
tests_tools_pcmtool_LDADD = -lm
tests_tools_badclient_SOURCES = tests/tools/badclient.c

# Test hooks and the RT malloc guard: shared objects loaded by uacd.
test_module_flags = -module -avoid-version -shared -rpath /nowhere
check_LTLIBRARIES += tests/hooks/hook-recorder.la tests/hooks/hook-invert.la \
	tests/hooks/hook-malloc.la tests/hooks/rt-malloc-guard.la tests/hooks/hook-stall.la
tests_hooks_hook_recorder_la_SOURCES = tests/hooks/hook-recorder.c
tests_hooks_hook_recorder_la_LDFLAGS = $(AM_LDFLAGS) $(test_module_flags)
tests_hooks_hook_invert_la_SOURCES = tests/hooks/hook-invert.c
tests_hooks_hook_invert_la_LDFLAGS = $(AM_LDFLAGS) $(test_module_flags)
tests_hooks_hook_stall_la_SOURCES = tests/hooks/hook-stall.c
tests_hooks_hook_stall_la_LDFLAGS = $(AM_LDFLAGS) $(test_module_flags)
tests_hooks_hook_malloc_la_SOURCES = tests/hooks/hook-malloc.c
tests_hooks_hook_malloc_la_LDFLAGS = $(AM_LDFLAGS) $(test_module_flags)
# The guard must not be sanitized itself (it replaces malloc).
tests_hooks_rt_malloc_guard_la_SOURCES = tests/hooks/rt-malloc-guard.c
tests_hooks_rt_malloc_guard_la_CFLAGS = $(WARN_CFLAGS) -Wno-unused-result
tests_hooks_rt_malloc_guard_la_LDFLAGS = $(test_module_flags)
tests_hooks_rt_malloc_guard_la_LIBADD = -ldl

integration_tests = \
	tests/integration/test-aplay-bitexact.sh \
	tests/integration/test-arecord.sh \
	tests/integration/test-mix.sh \
	tests/integration/test-speaker-test.sh \
	tests/integration/test-chmap.sh \
	tests/integration/test-drift.sh \
	tests/integration/test-hooks.sh \
	tests/integration/test-hook-files.sh \
	tests/integration/test-robust.sh \
	tests/integration/test-rt-malloc.sh \
	tests/integration/test-errors.sh \
	tests/integration/test-policy.sh \
	tests/integration/test-dsp-reload.sh \
	tests/integration/test-access-modes.sh \
	tests/integration/test-volume.sh \
	tests/integration/test-delay.sh \
	tests/integration/test-uacctl.sh \
	tests/integration/test-authz.sh \
	tests/integration/test-refused-open.sh \
	tests/integration/test-shutdown-log.sh \
	tests/integration/test-fd-exhaust.sh \
	tests/integration/test-client-names.sh \
	tests/integration/test-timeouts.sh \
	tests/integration/test-xrun-length.sh \
	tests/integration/test-mmap.sh \
	tests/integration/test-limit-conns.sh \
	tests/integration/test-limit-denials.sh \
	tests/integration/test-limit-memory.sh \
	tests/integration/test-limit-flood.sh
TESTS += $(integration_tests)
EXTRA_DIST += tests/integration/lib.sh $(integration_tests)

# Round-trip latency and xrun soak (used for measurements, see rtlatency.c).
noinst_PROGRAMS += tests/tools/rtlatency
tests_tools_rtlatency_SOURCES = tests/tools/rtlatency.c
tests_tools_rtlatency_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
tests_tools_rtlatency_LDADD = $(ALSA_LIBS) -lm

# alsa-lib's mmap interface with every commit pattern (see mmapclient.c).
noinst_PROGRAMS += tests/tools/mmapclient
tests_tools_mmapclient_SOURCES = tests/tools/mmapclient.c
tests_tools_mmapclient_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS)
tests_tools_mmapclient_LDADD = $(ALSA_LIBS)
