/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libusb side of the USB transport: finding a device on the bus,
 * opening it, and struct uacd_usb_io_ops on a libusb handle.
 *
 * Each device gets its own libusb_context: the device's RT thread is then
 * the only thread that runs that context's event loop (apart from the
 * moment a synchronous control request on the control thread does), and a
 * device that goes away takes nothing else with it.  A new context also
 * enumerates the bus afresh, which is what the hotplug code relies on to
 * see a device that has just arrived when libusb's own hotplug events
 * cannot come (no udev daemon).
 *
 * The kernel driver is detached with libusb_set_auto_detach_kernel_driver():
 * claiming the AudioControl interface unbinds snd-usb-audio (which lets go
 * of the streaming interfaces with it), releasing it binds the driver
 * again.  Every libusb error is translated to a negative errno here, in
 * uacd_usb_errno(), and nowhere else.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include "engine/core/device.h"
#include "engine/core/log.h"
#include "engine/usb/transport-libusb.h"

#define CTRL_TIMEOUT_MS 1000u
#define MAX_CONFIG_BYTES 65535u

struct lu_io {
	libusb_context *ctx;
	libusb_device_handle *h;
};

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

/* ---- struct uacd_usb_io_ops on libusb ----------------------------------- */

static struct libusb_transfer *lu_alloc(void *io, int packets)
{
	(void)io;
	return libusb_alloc_transfer(packets);
}

static void lu_free(void *io, struct libusb_transfer *t)
{
	(void)io;
	libusb_free_transfer(t);
}

/* rt */
static int lu_submit(void *io, struct libusb_transfer *t)
{
	struct lu_io *l = io;

	t->dev_handle = l->h;
	return uacd_usb_errno(libusb_submit_transfer(t));
}

/* rt */
static int lu_cancel(void *io, struct libusb_transfer *t)
{
	(void)io;
	return uacd_usb_errno(libusb_cancel_transfer(t));
}

/* rt */
static int lu_handle_events(void *io, int timeout_ms)
{
	struct lu_io *l = io;
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

	return uacd_usb_errno(libusb_handle_events_timeout_completed(l->ctx, &tv, NULL));
}

static void lu_interrupt(void *io)
{
	struct lu_io *l = io;

	libusb_interrupt_event_handler(l->ctx);
}

static int lu_control(void *io, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		      uint8_t *data, uint16_t len)
{
	struct lu_io *l = io;

	return uacd_usb_errno(libusb_control_transfer(l->h, type, req, value, index, data, len,
						      CTRL_TIMEOUT_MS));
}

static int lu_claim(void *io, int iface)
{
	struct lu_io *l = io;

	return uacd_usb_errno(libusb_claim_interface(l->h, iface));
}

static int lu_release(void *io, int iface)
{
	struct lu_io *l = io;

	return uacd_usb_errno(libusb_release_interface(l->h, iface));
}

static int lu_set_alt(void *io, int iface, int alt)
{
	struct lu_io *l = io;

	return uacd_usb_errno(libusb_set_interface_alt_setting(l->h, iface, alt));
}

static void lu_close(void *io)
{
	struct lu_io *l = io;

	if (!l)
		return;
	if (l->h)
		libusb_close(l->h);
	if (l->ctx)
		libusb_exit(l->ctx);
	free(l);
}

static const struct uacd_usb_io_ops lu_ops = {
	.alloc_transfer = lu_alloc,
	.free_transfer = lu_free,
	.submit = lu_submit,
	.cancel = lu_cancel,
	.handle_events = lu_handle_events,
	.interrupt = lu_interrupt,
	.control = lu_control,
	.claim = lu_claim,
	.release = lu_release,
	.set_alt = lu_set_alt,
	.close = lu_close,
};

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

/*
 * Walk the audio devices on the bus (a fresh context each time: see the
 * top).  cb returns 0 to go on, 1 to stop (keeping the device: the io and
 * handle go to *kept), or -errno to stop with an error.  `want_bus` and
 * `want_addr` (non-zero) restrict the walk to one device.
 */
static int walk(const struct uacd_usb_spec *spec, uint8_t want_bus, uint8_t want_addr,
		int (*cb)(const struct uacd_usb_probe *p, struct lu_io *io, void *data), void *data,
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
		struct lu_io *io;
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
			uacd_info("usb: cannot open %04x:%04x on bus %u address %u: %s", dd.idVendor,
				  dd.idProduct, libusb_get_bus_number(dev), libusb_get_device_address(dev),
				  strerror(-r));
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

struct create_args {
	const char *spec;
	struct uacd_device **out;
	struct uacd_device *rebind;
	char *err;
	size_t errlen;
};

static int create_cb(const struct uacd_usb_probe *p, struct lu_io *io, void *data)
{
	struct create_args *a = data;
	int ret;

	if (a->rebind)
		ret = uacd_usb_rebind(a->rebind, p, &lu_ops, io, a->err, a->errlen);
	else
		ret = uacd_usb_create_io(a->spec, p, &lu_ops, io, a->out, a->err, a->errlen);
	return ret ? ret : 1;
}

/*
 * Parse spec and walk the devices it matches (at bus:addr only, when
 * given) with cb; err says what went wrong, "no USB audio device matches"
 * when nothing did.
 */
static int walk_spec(const char *spec, uint8_t bus, uint8_t addr,
		     int (*cb)(const struct uacd_usb_probe *p, struct lu_io *io, void *data), void *data,
		     char *err, size_t errlen)
{
	struct uacd_usb_spec s;
	int ret;

	ret = uacd_usb_spec_parse(spec, &s, err, errlen);
	if (ret)
		return ret;
	err[0] = '\0';
	ret = walk(&s, bus, addr, cb, data, err, errlen);
	if (ret == -ENODEV && !err[0])
		snprintf(err, errlen, "%s: no USB audio device matches", spec);
	else if (ret && !err[0])
		snprintf(err, errlen, "%s: %s", spec, strerror(-ret));
	return ret;
}

static int create(const char *spec, uint8_t bus, uint8_t addr, struct uacd_device **out,
		  struct uacd_device *rebind, char *err, size_t errlen)
{
	struct create_args a = { .spec = spec, .out = out, .rebind = rebind, .err = err, .errlen = errlen };

	return walk_spec(spec, bus, addr, create_cb, &a, err, errlen);
}

int uacd_usb_create(const char *spec, struct uacd_device **out, char *err, size_t errlen)
{
	return create(spec, 0, 0, out, NULL, err, errlen);
}

int uacd_usb_create_at(const char *spec, uint8_t bus, uint8_t address,
		       struct uacd_device **out, char *err, size_t errlen)
{
	return create(spec, bus, address, out, NULL, err, errlen);
}

int uacd_usb_reopen(struct uacd_device *d, uint8_t bus, uint8_t address, char *err, size_t errlen)
{
	return create(uacd_usb_spec_string(d), bus, address, NULL, d, err, errlen);
}

struct scan_args {
	int (*cb)(const struct uacd_usb_probe *p, void *data);
	void *data;
};

static int scan_cb(const struct uacd_usb_probe *p, struct lu_io *io, void *data)
{
	struct scan_args *a = data;

	(void)io;
	return a->cb(p, a->data) < 0 ? -ECANCELED : 0;
}

int uacd_usb_scan(int (*cb)(const struct uacd_usb_probe *p, void *data), void *data)
{
	struct scan_args a = { .cb = cb, .data = data };
	char err[256];
	int ret;

	ret = walk(NULL, 0, 0, scan_cb, &a, err, sizeof(err));
	return ret == -ENODEV ? 0 : ret;
}

struct read_args {
	uint8_t **cfg;
	size_t *len;
	struct uacd_usbdesc_device *dev;
};

static int read_cb(const struct uacd_usb_probe *p, struct lu_io *io, void *data)
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
	ret = walk_spec(spec, 0, 0, read_cb, &a, err, errlen);
	if (*cfg)
		return 0;
	return ret ? ret : -ENODEV;
}

