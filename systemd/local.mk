# systemd/: unit, socket, sysusers, tmpfiles, udev rule (see issue 8).
# The directories come from configure (systemd's own when installing into
# its prefix, else under ours, so make distcheck stays inside its prefix).
systemdsystemunit_DATA = systemd/uacd.service systemd/uacd.socket
sysusers_DATA = systemd/uacd.conf
tmpfiles_DATA = systemd/tmpfiles/uacd.conf
udevrulesdir = $(udevdir)/rules.d
dist_udevrules_DATA = systemd/60-uacd.rules

EXTRA_DIST += systemd/uacd.service.in systemd/uacd.socket systemd/uacd.sysusers \
	systemd/uacd.tmpfiles
CLEANFILES += systemd/uacd.service systemd/uacd.conf systemd/tmpfiles/uacd.conf

# Paths in the unit follow configure (--prefix, --sbindir).
systemd_edit = $(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g'

systemd/uacd.service: systemd/uacd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(systemd_edit) $(srcdir)/systemd/uacd.service.in > $@.tmp && mv $@.tmp $@

# sysusers.d and tmpfiles.d both want <package>.conf; the sources say which.
systemd/uacd.conf: systemd/uacd.sysusers
	$(AM_V_GEN)$(MKDIR_P) systemd && cp $(srcdir)/systemd/uacd.sysusers $@
systemd/tmpfiles/uacd.conf: systemd/uacd.tmpfiles
	$(AM_V_GEN)$(MKDIR_P) systemd/tmpfiles && cp $(srcdir)/systemd/uacd.tmpfiles $@

# Top-level files that belong to no directory's fragment.
EXTRA_DIST += autogen.sh scripts/install-deps.sh scripts/run-tests.sh scripts/demo.sh \
	scripts/latency-soak.sh

# The units must verify and be hardened; the .deb is built by a separate
# script (tests/packaging/build-deb.sh, not part of make check).
TESTS += tests/packaging/test-units.sh
EXTRA_DIST += tests/packaging/test-units.sh
EXTRA_DIST += tests/packaging/build-deb.sh

# debian/ travels with the release tarball so it can build the .deb too.
EXTRA_DIST += debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/uacd.postinst
