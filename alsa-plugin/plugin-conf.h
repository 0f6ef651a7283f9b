/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the PCM and CTL plugins share: their ALSA configuration (`device`,
 * `socket`; uacd_client_socket_path() says which socket that means).
 * Compiled into each plugin.
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

#endif /* UACD_PLUGIN_CONF_H */
