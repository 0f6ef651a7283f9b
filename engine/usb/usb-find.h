/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Walking the USB audio devices on the bus (usb-find.c), for the
 * transport's discovery in usb-io-libusb.c and for
 * uacd_usb_read_descriptors().  libusb's side of engine/usb: include only
 * where libusb.h is wanted.  Control thread.
 */
#ifndef UACD_USB_FIND_H
#define UACD_USB_FIND_H

#include <stdint.h>
#include <stddef.h>

#include <libusb.h>

#include "engine/usb/transport-libusb.h"

/* An opened device: the io of struct uacd_usb_io_ops on libusb. */
struct uacd_lu_io {
	libusb_context *ctx;	/* owned by the first device kept from a walk */
	libusb_device_handle *h;
};

/*
 * Called for each device that matches: 0 to go on, 1 to stop keeping the
 * device (io, with the walk's context in io->ctx, is the callee's from
 * then on), or -errno to stop with an error.
 */
typedef int uacd_usb_walk_fn(const struct uacd_usb_probe *p, struct uacd_lu_io *io, void *data);

/*
 * Walk the audio devices on the bus (a fresh libusb context each time, so
 * that a device that has just arrived is seen even without libusb's
 * hotplug events), those spec matches (any when spec is NULL) and, when
 * want_bus is non-zero, only the one at want_bus:want_addr.  A candidate
 * that cannot be opened is skipped, with a line to note (when not NULL).
 * 0 when cb kept a device, cb's -errno, or -ENODEV when nothing matched
 * (the error opening a candidate, e.g. -EACCES, when there was one).
 */
int uacd_usb_walk(const struct uacd_usb_spec *spec, uint8_t want_bus, uint8_t want_addr,
		  uacd_usb_walk_fn *cb, void *data, void (*note)(const char *msg),
		  char *err, size_t errlen);

/*
 * Parse spec and walk the devices it matches (at bus:addr only, when
 * given) with cb; err says what went wrong, "SPEC: no USB audio device
 * matches" when nothing did.
 */
int uacd_usb_walk_spec(const char *spec, uint8_t bus, uint8_t addr, uacd_usb_walk_fn *cb,
		       void *data, void (*note)(const char *msg), char *err, size_t errlen);

#endif /* UACD_USB_FIND_H */
