/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libusb side of the USB transport: opening the device a walk of the
 * bus found (usb-find.c), and struct uacd_usb_io_ops on its libusb handle.
 *
 * Each device gets its own libusb_context (the walk's): the device's RT
 * thread is then the only thread that runs that context's event loop
 * (apart from the moment a synchronous control request on the control
 * thread does), and a device that goes away takes nothing else with it.
 *
 * The kernel driver is detached with libusb_set_auto_detach_kernel_driver()
 * (set by the walk): claiming the AudioControl interface unbinds
 * snd-usb-audio (which lets go of the streaming interfaces with it),
 * releasing it binds the driver again.  Every libusb error is translated to
 * a negative errno by uacd_usb_errno() (usb-find.c), and nowhere else.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <libusb.h>

#include "engine/core/transport.h"
#include "engine/core/log.h"
#include "engine/usb/transport-libusb.h"
#include "engine/usb/usb-find.h"

#define CTRL_TIMEOUT_MS 1000u

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
	struct uacd_lu_io *l = io;

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
	struct uacd_lu_io *l = io;
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };

	return uacd_usb_errno(libusb_handle_events_timeout_completed(l->ctx, &tv, NULL));
}

static void lu_interrupt(void *io)
{
	struct uacd_lu_io *l = io;

	libusb_interrupt_event_handler(l->ctx);
}

static int lu_control(void *io, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		      uint8_t *data, uint16_t len)
{
	struct uacd_lu_io *l = io;

	return uacd_usb_errno(libusb_control_transfer(l->h, type, req, value, index, data, len,
						      CTRL_TIMEOUT_MS));
}

static int lu_claim(void *io, int iface)
{
	struct uacd_lu_io *l = io;

	return uacd_usb_errno(libusb_claim_interface(l->h, iface));
}

static int lu_release(void *io, int iface)
{
	struct uacd_lu_io *l = io;

	return uacd_usb_errno(libusb_release_interface(l->h, iface));
}

static int lu_set_alt(void *io, int iface, int alt)
{
	struct uacd_lu_io *l = io;

	return uacd_usb_errno(libusb_set_interface_alt_setting(l->h, iface, alt));
}

static void lu_close(void *io)
{
	struct uacd_lu_io *l = io;

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

/* A device the walk could not open: worth a line at -v. */
static void note_info(const char *msg)
{
	uacd_info("%s", msg);
}

struct create_args {
	const char *spec;
	struct uacd_device **out;
	struct uacd_device *rebind;
	char *err;
	size_t errlen;
};

static int create_cb(const struct uacd_usb_probe *p, struct uacd_lu_io *io, void *data)
{
	struct create_args *a = data;
	int ret;

	if (a->rebind)
		ret = uacd_usb_rebind(a->rebind, p, &lu_ops, io, a->err, a->errlen);
	else
		ret = uacd_usb_create_io(a->spec, p, &lu_ops, io, a->out, a->err, a->errlen);
	return ret ? ret : 1;
}

static int create(const char *spec, uint8_t bus, uint8_t addr, struct uacd_device **out,
		  struct uacd_device *rebind, char *err, size_t errlen)
{
	struct create_args a = { .spec = spec, .out = out, .rebind = rebind, .err = err, .errlen = errlen };

	return uacd_usb_walk_spec(spec, bus, addr, create_cb, &a, note_info, err, errlen);
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

static int scan_cb(const struct uacd_usb_probe *p, struct uacd_lu_io *io, void *data)
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

	ret = uacd_usb_walk(NULL, 0, 0, scan_cb, &a, note_info, err, sizeof(err));
	return ret == -ENODEV ? 0 : ret;
}
