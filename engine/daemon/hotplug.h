/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB hotplug: devices that come and go while uacd runs.  See hotplug.c.
 */
#ifndef UACD_HOTPLUG_H
#define UACD_HOTPLUG_H

#include <stdbool.h>

struct uacd_server;
struct uacd_hotplug;
struct uacd_device;

/*
 * What the daemon does with a device that arrives as a new one (a further
 * match of a configured spec), so that it gets what the startup devices
 * got: its DSP stage and hooks.
 *   adopt    before the device starts; 0 to serve it, -errno to refuse it
 *            (then it is freed with uacd_dev_free, never released);
 *   release  frees a device adopt() took, in place of uacd_dev_free
 *            (at uacd_hotplug_stop, or when serving it failed).
 * All on the control thread.  NULL ops: devices are served bare.
 */
struct uacd_hotplug_ops {
	int (*adopt)(struct uacd_device *d, void *data);
	void (*release)(struct uacd_device *d, void *data);
	void *data;
};

/*
 * Control thread, after the server is serving the startup devices: follow
 * USB arrivals and departures for the `usb...` specs among specs[0..n-1]
 * (others are ignored; without any, nothing is started and *out is NULL).
 * Startup USB devices already in the server are watched for unplug; they
 * stay owned by the caller, who frees them after uacd_hotplug_stop().
 * Devices created on arrival are owned by the hotplug code (and passed
 * through ops, when given).
 *
 * Never fails because USB or hotplug support is missing: it logs once and
 * carries on with what works (libusb hotplug events, kernel uevents, or
 * only the unplug of streaming devices).  Returns 0 or -ENOMEM.
 */
int uacd_hotplug_start(struct uacd_server *srv, const char (*specs)[512], int n,
		       const struct uacd_hotplug_ops *ops, struct uacd_hotplug **out);

/* Whether arrivals will be noticed (an event source and its thread run). */
bool uacd_hotplug_following(const struct uacd_hotplug *hp);

/*
 * Control thread: look at the bus now, as an event would (for a device
 * that came between the daemon's first look and the event sources).
 */
void uacd_hotplug_rescan(struct uacd_hotplug *hp);

/*
 * Control thread, before uacd_server_free(): stop the event thread, remove
 * and free the devices created on arrival.  Accepts NULL.
 */
void uacd_hotplug_stop(struct uacd_hotplug *hp);

#endif /* UACD_HOTPLUG_H */
