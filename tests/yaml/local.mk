# tests/yaml: the shared strict YAML reader alone (included by yaml/local.mk)
check_PROGRAMS += tests/yaml/test-strict-yaml
tests_yaml_test_strict_yaml_SOURCES = tests/yaml/test-strict-yaml.c
tests_yaml_test_strict_yaml_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS)
tests_yaml_test_strict_yaml_LDADD = yaml/libuacdyaml.la $(CHECK_LIBS)
TESTS += tests/yaml/test-strict-yaml
