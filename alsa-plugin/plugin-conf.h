/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the PCM and CTL plugins share: their ALSA configuration (`device`,
 * `socket`, `timeout`; uacd_client_socket_path() says which socket that
 * means).
 * Compiled into each plugin.
 */
#ifndef UACD_PLUGIN_CONF_H
#define UACD_PLUGIN_CONF_H

#include <stddef.h>

#include <alsa/asoundlib.h>

/*
 * Parse the plugin's config block: `device` and `socket` strings (both
 * optional; *device defaults to "", *sock to NULL), `timeout` an integer
 * of milliseconds, 1 to 3600000, that uacd gets to answer each request
 * (optional; absent or 0: UACD_CLIENT_TIMEOUT_MS); `comment`,
 * `type` and `hint` are ignored; anything else is an error naming the
 * field.  Returns 0 or -EINVAL (after SNDERR).
 */
int uac_conf_parse(snd_config_t *conf, const char **device, const char **sock, int *timeout_ms);

#endif /* UACD_PLUGIN_CONF_H */
