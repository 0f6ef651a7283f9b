/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `uacctl describe`: print the USB Audio Class model of a configuration
 * descriptor for people (text) or programs (JSON).
 */
#ifndef UACD_USB_DESCRIBE_H
#define UACD_USB_DESCRIBE_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/usb/usb-descriptors.h"

/*
 * Write the model to f, as text or as one JSON object followed by a newline.
 * dev (the device descriptor) may be NULL.  Returns 0, or -EIO when writing
 * failed.
 */
int uacd_describe_write(FILE *f, const struct uacd_usbdesc *d,
			const struct uacd_usbdesc_device *dev, bool json);

/*
 * `describe [--json] [--device-descriptor DEVFILE] FILE`.  argv[0] is the
 * command name and is skipped.  Exit status: 0 ok, 1 parse or read error
 * (message on stderr), 2 usage error.
 */
int uacd_describe_main(int argc, char **argv);

#endif /* UACD_USB_DESCRIBE_H */
