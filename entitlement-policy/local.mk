# entitlement-policy: build fragment included by the top-level Makefile.am
#
# libuacpolicy: policy loader (libyaml), decisions, client identity, and the
# `uacctl policy` command.  Linked by the daemon and uacctl.
noinst_LTLIBRARIES += entitlement-policy/libuacpolicy.la
entitlement_policy_libuacpolicy_la_SOURCES = \
	entitlement-policy/uacpol.h \
	entitlement-policy/policy-private.h \
	entitlement-policy/policy-fields.h \
	entitlement-policy/policy-fields.c \
	entitlement-policy/policy-load.c \
	entitlement-policy/policy-read.c \
	entitlement-policy/policy-match.c \
	entitlement-policy/identity.c \
	entitlement-policy/policy-cli.c
entitlement_policy_libuacpolicy_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
entitlement_policy_libuacpolicy_la_LIBADD = yaml/libuacdyaml.la $(YAML_LIBS)

# the shipped default policy: root and the audio group
dist_uacdconf_DATA += entitlement-policy/policy.yml

dist_man_MANS += man/uacd-policy.yml.5

# ---- tests (tests/policy) ----
check_PROGRAMS += \
	tests/policy/test-policy \
	tests/policy/test-identity \
	tests/policy/test-identity-pidfd-open \
	tests/policy/uacpol-cli-test

tests_policy_test_policy_SOURCES = tests/policy/test-policy.c
tests_policy_test_policy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_policy_test_policy_LDADD = entitlement-policy/libuacpolicy.la $(CHECK_LIBS)

tests_policy_test_identity_SOURCES = tests/policy/test-identity.c
tests_policy_test_identity_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_policy_test_identity_LDADD = entitlement-policy/libuacpolicy.la $(CHECK_LIBS)

# the same identity tests on the path kernels before 6.5 take (no
# SO_PEERPIDFD: pidfd_open() on the SO_PEERCRED pid)
tests_policy_test_identity_pidfd_open_SOURCES = tests/policy/test-identity.c \
	entitlement-policy/policy-fields.c entitlement-policy/policy-load.c \
	entitlement-policy/policy-read.c entitlement-policy/policy-match.c \
	entitlement-policy/identity.c
tests_policy_test_identity_pidfd_open_CPPFLAGS = $(AM_CPPFLAGS) -DUACPOL_TEST_NO_PEERPIDFD
tests_policy_test_identity_pidfd_open_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS)
tests_policy_test_identity_pidfd_open_LDADD = yaml/libuacdyaml.la $(CHECK_LIBS) $(YAML_LIBS)

# the lead wires uacpol_cli_main() into uacctl; this driver tests it alone
tests_policy_uacpol_cli_test_SOURCES = tests/policy/uacpol-cli-test.c
tests_policy_uacpol_cli_test_LDADD = entitlement-policy/libuacpolicy.la

TESTS += \
	tests/policy/test-policy \
	tests/policy/test-identity \
	tests/policy/test-identity-pidfd-open \
	tests/policy/test-policy-cli.sh

EXTRA_DIST += \
	tests/policy/test-policy-cli.sh \
	tests/policy/policy-test-user.sh \
	tests/policy/data \
	tests/fuzz/fuzz-policy.c \
	tests/fuzz/fuzz-policy.sources \
	tests/fuzz/corpus-policy \
	examples/policy/family-pc.yml
