/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB hotplug monitor (hotplug.c): reports audio devices that arrive on
 * the bus and held ones that leave, nothing more.  Its owner (the daemon's
 * device registry) decides what an arrival means.
 */
#ifndef UACD_USB_HOTPLUG_H
#define UACD_USB_HOTPLUG_H

#include <stdbool.h>
#include <stdint.h>

#define UACD_USB_MONITOR_MAX 16	/* locations held at once */

struct uacd_usb_probe;
struct uacd_usb_monitor;

/* Called on the owner's control thread, from uacd_usb_monitor_dispatch/rescan. */
struct uacd_usb_monitor_ops {
	/* An audio device the owner does not hold is at p->bus/p->address: true = now held. */
	bool (*arrive)(void *data, const struct uacd_usb_probe *p);
	/* A held location is no longer on the bus (it is no longer held). */
	void (*leave)(void *data, uint8_t bus, uint8_t addr);
	void *data;
};

/*
 * Start the event thread (libusb hotplug callbacks and kernel uevents).
 * 0 with *out set, also when no event source exists (then rescans happen
 * only when asked); -errno when nothing could be set up.
 */
int uacd_usb_monitor_start(const struct uacd_usb_monitor_ops *ops, struct uacd_usb_monitor **out);
/* Whether arrivals will be noticed (an event source and its thread run). */
bool uacd_usb_monitor_following(const struct uacd_usb_monitor *hp);
/* Readable when a rescan is due: the owner watches it and calls dispatch. */
int uacd_usb_monitor_fd(const struct uacd_usb_monitor *hp);
void uacd_usb_monitor_dispatch(struct uacd_usb_monitor *hp);
/* Rescan now (e.g. at startup for devices waited for). */
void uacd_usb_monitor_rescan(struct uacd_usb_monitor *hp);
/* The owner holds / no longer holds the device at bus/addr (NULL hp: no-op). */
void uacd_usb_monitor_hold(struct uacd_usb_monitor *hp, uint8_t bus, uint8_t addr);
void uacd_usb_monitor_forget(struct uacd_usb_monitor *hp, uint8_t bus, uint8_t addr);
void uacd_usb_monitor_stop(struct uacd_usb_monitor *hp);

#endif /* UACD_USB_HOTPLUG_H */
