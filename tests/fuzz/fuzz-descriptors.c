/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target: USB configuration descriptors.
 *
 * The input is a configuration descriptor set; when it parses, the model is
 * walked by describe in text and JSON (into a memory stream), so every
 * field the parser fills is read back under ASan.  The first 18 bytes are
 * also tried as a device descriptor, and the speed guess runs with it.
 * Build and run: tests/fuzz/run-fuzzers.sh.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/usb/usb-describe.h"
#include "engine/usb/usb-descriptors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uacd_usbdesc_device dev;
	struct uacd_usbdesc *d = NULL;
	bool have_dev;
	char err[160];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	have_dev = uacd_usbdesc_parse_device(data, size, &dev, err, sizeof(err)) == 0;
	if (uacd_usbdesc_parse(data, size, &d, err, sizeof(err))) {
		/* every error names an offset */
		if (err[0] != '\0' && err[0] != 'o')
			abort();
		return 0;
	}
	f = open_memstream(&buf, &len);
	if (f) {
		uacd_describe_write(f, d, have_dev ? &dev : NULL, false);
		uacd_describe_write(f, d, NULL, true);
		fclose(f);
	}
	free(buf);
	uacd_usbdesc_free(d);
	return 0;
}
