/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding USB audio devices on the bus with libusb: opening each
 * candidate, reading its strings and raw configuration descriptor, matching
 * it against a device spec (usb-find.h).  The transport's discovery
 * (usb-io-libusb.c) and `uacctl describe --device` (uacd_usb_read_descriptors,
 * usb-read.h) both walk the bus here; this file needs libusb but nothing of
 * the engine's core, so that uacctl links it without the engine.
 *
 * A walk uses a fresh libusb context, which enumerates the bus afresh:
 * the hotplug code relies on that to see a device that has just arrived
 * when libusb's own hotplug events cannot come (no udev daemon).  Every
 * libusb error is translated to a negative errno here, in
 * uacd_usb_errno(), and nowhere else.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "engine/usb/usb-find.h"
#include "engine/usb/usb-read.h"

int uacd_usb_errno(int e)
{
	switch (e) {
	case LIBUSB_SUCCESS: return 0;
	case LIBUSB_ERROR_IO: return -EIO;
	case LIBUSB_ERROR_INVALID_PARAM: return -EINVAL;
	case LIBUSB_ERROR_ACCESS: return -EACCES;
	case LIBUSB_ERROR_NO_DEVICE: return -ENODEV;
	case LIBUSB_ERROR_NOT_FOUND: return -ENOENT;
	case LIBUSB_ERROR_BUSY: return -EBUSY;
	case LIBUSB_ERROR_TIMEOUT: return -ETIMEDOUT;
	case LIBUSB_ERROR_OVERFLOW: return -EOVERFLOW;
	case LIBUSB_ERROR_PIPE: return -EPIPE;
	case LIBUSB_ERROR_INTERRUPTED: return -EINTR;
	case LIBUSB_ERROR_NO_MEM: return -ENOMEM;
	case LIBUSB_ERROR_NOT_SUPPORTED: return -EOPNOTSUPP;
	default: return e < 0 ? -EIO : e;
	}
}

/* ---- discovery (control thread) ----------------------------------------- */

static bool is_audio(libusb_device *dev)
{
	struct libusb_config_descriptor *cd;
	bool audio = false;
	int i, k;

	if (libusb_get_active_config_descriptor(dev, &cd) != 0)
		return false;
	for (i = 0; i < cd->bNumInterfaces && !audio; i++)
		for (k = 0; k < cd->interface[i].num_altsetting; k++)
			if (cd->interface[i].altsetting[k].bInterfaceClass == LIBUSB_CLASS_AUDIO &&
			    cd->interface[i].altsetting[k].bInterfaceSubClass == 1)
				audio = true;
	libusb_free_config_descriptor(cd);
	return audio;
}

static enum uacd_usb_speed map_speed(int s)
{
	switch (s) {
	case LIBUSB_SPEED_LOW: return UACD_USB_SPEED_LOW;
	case LIBUSB_SPEED_FULL: return UACD_USB_SPEED_FULL;
	case LIBUSB_SPEED_HIGH: return UACD_USB_SPEED_HIGH;
	case LIBUSB_SPEED_SUPER:
	case LIBUSB_SPEED_SUPER_PLUS: return UACD_USB_SPEED_SUPER;
	default: return UACD_USB_SPEED_UNKNOWN;
	}
}

static void string_desc(libusb_device_handle *h, uint8_t idx, char *out, size_t len)
{
	unsigned char buf[128];
	int n, i;

	out[0] = '\0';
	if (!idx)
		return;
	n = libusb_get_string_descriptor_ascii(h, idx, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	for (i = 0; i < n; i++)
		if (buf[i] < 0x20 || buf[i] > 0x7e)
			buf[i] = '?';
	buf[n] = '\0';
	snprintf(out, len, "%s", (char *)buf);
}

/*
 * Fill p from an opened device.  *cfg is the raw active configuration
 * descriptor (read from the device: libusb only hands out a parsed copy),
 * to free by the caller.
 */
static int probe(libusb_device *dev, libusb_device_handle *h, struct uacd_usb_probe *p,
		 uint8_t **cfg)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cd;
	uint8_t ports[8], hdr[9], *buf;
	int n, i, idx = -1, ret;
	size_t off;
	uint16_t total;

	memset(p, 0, sizeof(*p));
	*cfg = NULL;
	ret = libusb_get_device_descriptor(dev, &dd);
	if (ret)
		return uacd_usb_errno(ret);
	p->dev.bcd_usb = dd.bcdUSB;
	p->dev.device_class = dd.bDeviceClass;
	p->dev.device_subclass = dd.bDeviceSubClass;
	p->dev.device_protocol = dd.bDeviceProtocol;
	p->dev.max_packet0 = dd.bMaxPacketSize0;
	p->dev.vendor_id = dd.idVendor;
	p->dev.product_id = dd.idProduct;
	p->dev.bcd_device = dd.bcdDevice;
	p->dev.i_manufacturer = dd.iManufacturer;
	p->dev.i_product = dd.iProduct;
	p->dev.i_serial = dd.iSerialNumber;
	p->dev.num_configurations = dd.bNumConfigurations;
	p->speed = map_speed(libusb_get_device_speed(dev));
	p->bus = libusb_get_bus_number(dev);
	p->address = libusb_get_device_address(dev);
	n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	off = (size_t)snprintf(p->bus_path, sizeof(p->bus_path), "%u", p->bus);
	for (i = 0; i < n && off < sizeof(p->bus_path); i++)
		off += (size_t)snprintf(p->bus_path + off, sizeof(p->bus_path) - off, "%c%u",
					i ? '.' : '-', ports[i]);
	string_desc(h, dd.iProduct, p->product, sizeof(p->product));
	string_desc(h, dd.iSerialNumber, p->serial, sizeof(p->serial));

	ret = libusb_get_active_config_descriptor(dev, &cd);
	if (ret)
		return uacd_usb_errno(ret);
	for (i = 0; i < dd.bNumConfigurations; i++) {
		struct libusb_config_descriptor *c2;

		if (libusb_get_config_descriptor(dev, (uint8_t)i, &c2) != 0)
			continue;
		if (c2->bConfigurationValue == cd->bConfigurationValue)
			idx = i;
		libusb_free_config_descriptor(c2);
	}
	libusb_free_config_descriptor(cd);
	if (idx < 0)
		return -ENOENT;
	ret = libusb_get_descriptor(h, LIBUSB_DT_CONFIG, (uint8_t)idx, hdr, sizeof(hdr));
	if (ret < (int)sizeof(hdr))
		return ret < 0 ? uacd_usb_errno(ret) : -EPROTO;
	total = (uint16_t)(hdr[2] | hdr[3] << 8);
	if (total < sizeof(hdr))
		return -EPROTO;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	ret = libusb_get_descriptor(h, LIBUSB_DT_CONFIG, (uint8_t)idx, buf, total);
	if (ret < 0) {
		free(buf);
		return uacd_usb_errno(ret);
	}
	p->cfg = buf;
	p->cfg_len = (size_t)ret;
	*cfg = buf;
	return 0;
}

int uacd_usb_walk(const struct uacd_usb_spec *spec, uint8_t want_bus, uint8_t want_addr,
		  uacd_usb_walk_fn *cb, void *data, void (*note)(const char *msg),
		  char *err, size_t errlen)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	ssize_t n, i;
	int ret = 0, open_err = 0;	/* first failure to open a candidate */

	ret = uacd_usb_errno(libusb_init(&ctx));
	if (ret) {
		snprintf(err, errlen, "usb: cannot initialise libusb: %s", strerror(-ret));
		return ret;
	}
	n = libusb_get_device_list(ctx, &list);
	if (n < 0) {
		ret = uacd_usb_errno((int)n);
		snprintf(err, errlen, "usb: cannot list devices: %s", strerror(-ret));
		libusb_exit(ctx);
		return ret;
	}
	ret = 0;
	for (i = 0; i < n && !ret; i++) {
		libusb_device *dev = list[i];
		struct libusb_device_descriptor dd;
		struct uacd_usb_probe p;
		struct uacd_lu_io *io;
		uint8_t *cfg = NULL;
		int r;

		if (want_bus && (libusb_get_bus_number(dev) != want_bus ||
				 libusb_get_device_address(dev) != want_addr))
			continue;
		if (libusb_get_device_descriptor(dev, &dd) != 0)
			continue;
		if (spec && spec->has_id && (dd.idVendor != spec->vid || dd.idProduct != spec->pid))
			continue;
		if (!is_audio(dev))
			continue;
		io = calloc(1, sizeof(*io));
		if (!io) {
			ret = -ENOMEM;
			break;
		}
		r = uacd_usb_errno(libusb_open(dev, &io->h));
		if (r) {
			if (note) {
				char msg[160];

				snprintf(msg, sizeof(msg), "usb: cannot open %04x:%04x on bus %u address %u: %s",
					 dd.idVendor, dd.idProduct, libusb_get_bus_number(dev),
					 libusb_get_device_address(dev), strerror(-r));
				note(msg);
			}
			open_err = open_err ? open_err : r;
			free(io);
			continue;
		}
		libusb_set_auto_detach_kernel_driver(io->h, 1);
		r = probe(dev, io->h, &p, &cfg);
		if (r == 0 && (!spec || uacd_usb_spec_match(spec, &p))) {
			/* the context goes with the first device kept */
			io->ctx = ctx;
			r = cb(&p, io, data);
			if (r == 1) {
				ctx = NULL;
				ret = 1;
			} else {
				io->ctx = NULL;
				if (r < 0)
					ret = r;
			}
		}
		free(cfg);
		if (ret != 1) {
			libusb_close(io->h);
			free(io);
		}
	}
	libusb_free_device_list(list, 1);
	if (ctx)
		libusb_exit(ctx);
	if (ret == 1)
		return 0;
	if (ret < 0)
		return ret;
	/* nothing matched: say why when a candidate could not be opened (-EACCES) */
	return open_err ? open_err : -ENODEV;
}

int uacd_usb_walk_spec(const char *spec, uint8_t bus, uint8_t addr, uacd_usb_walk_fn *cb,
		       void *data, void (*note)(const char *msg), char *err, size_t errlen)
{
	struct uacd_usb_spec s;
	int ret;

	ret = uacd_usb_spec_parse(spec, &s, err, errlen);
	if (ret)
		return ret;
	err[0] = '\0';
	ret = uacd_usb_walk(&s, bus, addr, cb, data, note, err, errlen);
	if (ret == -ENODEV && !err[0])
		snprintf(err, errlen, "%s: no USB audio device matches", spec);
	else if (ret && !err[0])
		snprintf(err, errlen, "%s: %s", spec, strerror(-ret));
	return ret;
}

struct read_args {
	uint8_t **cfg;
	size_t *len;
	struct uacd_usbdesc_device *dev;
};

static int read_cb(const struct uacd_usb_probe *p, struct uacd_lu_io *io, void *data)
{
	struct read_args *a = data;

	(void)io;
	*a->cfg = malloc(p->cfg_len);
	if (!*a->cfg)
		return -ENOMEM;
	memcpy(*a->cfg, p->cfg, p->cfg_len);
	*a->len = p->cfg_len;
	if (a->dev)
		*a->dev = p->dev;
	return -ECANCELED;	/* found: stop, keep nothing open */
}

int uacd_usb_read_descriptors(const char *spec, uint8_t **cfg, size_t *cfg_len,
			      struct uacd_usbdesc_device *dev, char *err, size_t errlen)
{
	struct read_args a = { .cfg = cfg, .len = cfg_len, .dev = dev };
	int ret;

	*cfg = NULL;
	ret = uacd_usb_walk_spec(spec, 0, 0, read_cb, &a, NULL, err, errlen);
	if (*cfg)
		return 0;
	return ret ? ret : -ENODEV;
}
