/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uacd/protocol.h>

#include "alsa-plugin/plugin-conf.h"
#include "engine/client/uacd-client.h"

int uac_conf_parse(snd_config_t *conf, const char **device, const char **sock, int *timeout_ms)
{
	snd_config_iterator_t i, next;

	*device = "";
	*sock = NULL;
	*timeout_ms = UACD_CLIENT_TIMEOUT_MS;
	snd_config_for_each(i, next, conf) {
		snd_config_t *n = snd_config_iterator_entry(i);
		const char *id;

		if (snd_config_get_id(n, &id) < 0)
			continue;
		if (!strcmp(id, "comment") || !strcmp(id, "type") || !strcmp(id, "hint"))
			continue;
		if (!strcmp(id, "device") || !strcmp(id, "socket")) {
			if (snd_config_get_string(n, !strcmp(id, "device") ? device : sock) < 0) {
				SNDERR("uac: '%s' must be a string", id);
				return -EINVAL;
			}
			continue;
		}
		if (!strcmp(id, "timeout")) {
			long ms;

			if (snd_config_get_integer(n, &ms) < 0 || ms < 0 || ms > 3600000) {
				SNDERR("uac: 'timeout' must be milliseconds, 1 to 3600000 (0: the default)");
				return -EINVAL;
			}
			*timeout_ms = ms ? (int)ms : UACD_CLIENT_TIMEOUT_MS;
			continue;
		}
		SNDERR("uac: unknown field %s", id);
		return -EINVAL;
	}
	if (strlen(*device) >= UACD_NAME_MAX) {
		SNDERR("uac: device name too long: %s", *device);
		return -EINVAL;
	}
	return 0;
}
