# alsa-plugin/: the ioplug PCM plugin (aplay -D uac) and its conf snippet.
# Both plugins talk to uacd through engine/client (libuacdclient, PIC and
# hidden): each exports only its ALSA entry point.
alsaplugin_LTLIBRARIES += alsa-plugin/libasound_module_pcm_uac.la
alsa_plugin_libasound_module_pcm_uac_la_SOURCES = alsa-plugin/pcm_uac.c \
	alsa-plugin/pcm-uac.h alsa-plugin/pcm-uac-link.c \
	alsa-plugin/plugin-conf.c alsa-plugin/plugin-conf.h
alsa_plugin_libasound_module_pcm_uac_la_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) -DPIC
alsa_plugin_libasound_module_pcm_uac_la_LIBADD = engine/client/libuacdclient.la $(ALSA_LIBS)
alsa_plugin_libasound_module_pcm_uac_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -no-undefined -export-symbols-regex '^_snd_pcm_uac_open$$|^__snd_pcm_uac_open_dlsym'

alsaconf_DATA += alsa-plugin/50-uac.conf
EXTRA_DIST += alsa-plugin/50-uac.conf

# Debian's alsa-lib reads /etc/alsa/conf.d, where packages link their
# snippets from alsa.conf.d; do the same so `aplay -D uac` works after install.
install-data-hook: install-alsa-conf-link
uninstall-hook: uninstall-alsa-conf-link
install-alsa-conf-link:
	$(MKDIR_P) $(DESTDIR)$(sysconfdir)/alsa/conf.d
	ln -sf $(alsaconfdir)/50-uac.conf $(DESTDIR)$(sysconfdir)/alsa/conf.d/50-uac.conf
uninstall-alsa-conf-link:
	rm -f $(DESTDIR)$(sysconfdir)/alsa/conf.d/50-uac.conf
.PHONY: install-alsa-conf-link uninstall-alsa-conf-link

# Plugins and hooks are dlopen()ed by path, never linked: their libtool
# archives are of no use once installed.
install-data-hook: remove-module-la
remove-module-la:
	rm -f $(DESTDIR)$(alsaplugindir)/libasound_module_*_uac.la $(DESTDIR)$(hooksdir)/*.la
uninstall-hook: uninstall-module-la
# libtool uninstalls by reading the .la we removed: name the modules ourselves.
uninstall-module-la:
	rm -f $(DESTDIR)$(alsaplugindir)/libasound_module_pcm_uac.so \
		$(DESTDIR)$(alsaplugindir)/libasound_module_ctl_uac.so \
		$(DESTDIR)$(hooksdir)/peak-meter.so
.PHONY: remove-module-la uninstall-module-la

# The ALSA ctl plugin (amixer -D uac): the device's controls through uacd.
alsaplugin_LTLIBRARIES += alsa-plugin/libasound_module_ctl_uac.la
alsa_plugin_libasound_module_ctl_uac_la_SOURCES = alsa-plugin/ctl_uac.c \
	alsa-plugin/plugin-conf.c alsa-plugin/plugin-conf.h
alsa_plugin_libasound_module_ctl_uac_la_CFLAGS = $(AM_CFLAGS) $(ALSA_CFLAGS) -DPIC
alsa_plugin_libasound_module_ctl_uac_la_LIBADD = engine/client/libuacdclient.la $(ALSA_LIBS)
alsa_plugin_libasound_module_ctl_uac_la_LDFLAGS = $(AM_LDFLAGS) -module -avoid-version -no-undefined -export-symbols-regex '^_snd_ctl_uac_open$$|^__snd_ctl_uac_open_dlsym'
