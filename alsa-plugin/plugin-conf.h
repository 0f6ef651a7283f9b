/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the PCM and CTL plugins share: their ALSA configuration (`device`,
 * `socket`) and where the uacd socket is.  Compiled into each plugin.
 */
#ifndef UACD_PLUGIN_CONF_H
#define UACD_PLUGIN_CONF_H

#include <stddef.h>

#include <alsa/asoundlib.h>

/*
 * Parse the plugin's config block: `device` and `socket` strings (both
 * optional; *device defaults to "", *sock to NULL); `comment`, `type` and
 * `hint` are ignored; anything else is an error naming the field.
 * Returns 0 or -EINVAL (after SNDERR).
 */
int uac_conf_parse(snd_config_t *conf, const char **device, const char **sock);

/* The socket to use: $UACD_SOCKET, else the conf's `socket`, else the default. */
void uac_socket_path(char *buf, size_t len, const char *conf_sock);

#endif /* UACD_PLUGIN_CONF_H */
