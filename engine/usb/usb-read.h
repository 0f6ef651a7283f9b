/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a plugged-in device's descriptors without claiming it, for
 * `uacctl describe --device` (usb-find.c, in libuacdusbread: libusb and
 * the descriptor model's types, nothing of the engine's core).
 */
#ifndef UACD_USB_READ_H
#define UACD_USB_READ_H

#include <stddef.h>
#include <stdint.h>

#include "engine/usb/usb-descriptors.h"

/*
 * Control thread: the raw active configuration descriptor (and the device
 * descriptor, dev may be NULL) of the first USB audio device a spec
 * matches, read without claiming anything.  0 and a malloc'd *cfg the
 * caller frees, or -ENODEV / -errno with err.
 */
int uacd_usb_read_descriptors(const char *spec, uint8_t **cfg, size_t *cfg_len,
			      struct uacd_usbdesc_device *dev, char *err, size_t errlen);

#endif /* UACD_USB_READ_H */
