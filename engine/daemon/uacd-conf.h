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
#include <stdint.h>

#define UACD_CONFIG_MAX_DEVICES 16
#define UACD_CONFIG_MAX_HOOKS 8
#define UACD_DEFAULT_CONFIG SYSCONFDIR "/uacd/uacd.conf"

/*
 * What one client (connection), one uid and everyone together may take
 * (uacd.conf(5), "Limits"; enforced by engine/daemon/server-limits.c).
 * Every value is at least 1.
 */
struct uacd_limits {
	unsigned max_connections;		/* 256 */
	unsigned connections_per_uid;		/* 32 */
	unsigned streams_per_client;		/* 4 (at most 16) */
	unsigned streams_per_uid;		/* 16 */
	uint64_t ring_memory_per_client;	/* bytes: 64M */
	uint64_t ring_memory_per_uid;		/* 128M */
	uint64_t ring_memory_total;		/* 512M */
	unsigned request_rate;			/* requests/s per connection: 100 */
	unsigned request_burst;			/* its bucket: 200 */
	unsigned request_rate_per_uid;		/* 400 (bucket: twice that) */
	unsigned log_interval;			/* s: one refusal line per uid per interval */
};

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
	struct uacd_limits limits;
};

void uacd_config_defaults(struct uacd_config *c);
void uacd_limits_defaults(struct uacd_limits *l);
/* Returns 0, -ENOENT when the file does not exist, or -EINVAL with err set. */
int uacd_config_load(struct uacd_config *c, const char *path, char *err, size_t errlen);
/* Parse a log level word (error, warning, notice, info, debug); -1 if unknown. */
int uacd_config_log_level(const char *word);

#endif /* UACD_CONFIG_H */
