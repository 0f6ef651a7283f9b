# man: pages of the daemon, uacctl, the daemon's config and the ALSA device
# (with the hook API).  uacd-dsp(1), uacd-dsp.yml(5) and uacd-policy.yml(5)
# are appended by dsp/local.mk and entitlement-policy/local.mk.
dist_man_MANS += man/uacd.8 man/uacctl.1 man/uacd.conf.5 man/uac.7

# The commented example config, installed as $(sysconfdir)/uacd/uacd.conf;
# tests/unit/test-conf checks that it loads and states the real defaults.
dist_uacdconf_DATA += examples/uacd.conf

# The pages must document what the programs accept, and nothing else.
TESTS += tests/man/test-man-options.sh
EXTRA_DIST += tests/man/test-man-options.sh
