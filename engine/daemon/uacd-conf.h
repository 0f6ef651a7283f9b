/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /etc/uacd/uacd.conf: "key = value" lines, '#' comments.  Unknown keys and
 * bad values are errors naming file and line.  Command-line options
 * override the file.  See uacd.conf(5).
 */
#ifndef UACD_CONFIG_H
#define UACD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define UACD_CONFIG_MAX_DEVICES 16
#define UACD_CONFIG_MAX_HOOKS 8
#define UACD_DEFAULT_CONFIG SYSCONFDIR "/uacd/uacd.conf"

struct uacd_config {
	char socket[256];
	char devices[UACD_CONFIG_MAX_DEVICES][512];
	int n_devices;
	char hooks[UACD_CONFIG_MAX_HOOKS][512];	/* "PATH [ARGS]" */
	int n_hooks;
	int rt_priority;			/* 0 = no SCHED_FIFO */
	bool mlock;
	bool wait_for_devices;			/* a usb device absent at start: wait for it */
	int log_level;
	char dsp[256];				/* playback chain (WRITE_END) */
	char dsp_capture[256];			/* capture chain (BEGIN_READ) */
	char policy[256];
};

void uacd_config_defaults(struct uacd_config *c);
/* Returns 0, -ENOENT when the file does not exist, or -EINVAL with err set. */
int uacd_config_load(struct uacd_config *c, const char *path, char *err, size_t errlen);
/* Parse a log level word (error, warning, notice, info, debug); -1 if unknown. */
int uacd_config_log_level(const char *word);

#endif /* UACD_CONFIG_H */
