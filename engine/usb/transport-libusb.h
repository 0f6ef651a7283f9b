/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libusb transport: a USB Audio Class 1/2 device driven with
 * isochronous transfers from the device's RT thread.  See
 * transport-libusb.c for the design.
 *
 * Device specs (uacd(8), uacd.conf(5)):
 *   usb                       the first USB Audio Class device the policy allows
 *   usb:VID:PID[:SERIAL]      hexadecimal IDs, e.g. usb:46f4:0002
 *   usb:path=BUS-PORT[.PORT]  a physical port, e.g. usb:path=1-2.3
 * each optionally followed by ",key=value" options: rate=R, channels=N
 * (playback; capture takes the same when it can), format=F (S16_LE,
 * S24_3LE, S24_LE, S32_LE), transfers=N, packets=N (per transfer),
 * priority=N, name=NAME.
 */
#ifndef UACD_TRANSPORT_LIBUSB_H
#define UACD_TRANSPORT_LIBUSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/usb/usb-descriptors.h"

struct uacd_device;
struct libusb_transfer;

#define UACD_USB_MAX_TRANSFERS	32u
#define UACD_USB_MAX_PACKETS	64u

/* A parsed device spec. */
struct uacd_usb_spec {
	bool any;			/* "usb": any audio device */
	bool has_id;
	uint16_t vid, pid;
	char serial[128];		/* "" = any */
	char path[32];			/* "" = any */
	uint32_t rate;			/* 0 = default (48000 if offered) */
	uint32_t channels;		/* 0 = default (2 if offered) */
	uint32_t format;		/* 0 = default */
	unsigned transfers;		/* 0 = default */
	unsigned packets;		/* 0 = default */
	int priority;			/* -1 = daemon's */
	char name[64];			/* "" = default */
};

/* What identifies a device on the bus, before it is opened. */
struct uacd_usb_probe {
	struct uacd_usbdesc_device dev;
	const uint8_t *cfg;		/* raw configuration descriptor */
	size_t cfg_len;
	enum uacd_usb_speed speed;
	uint8_t bus, address;
	char product[128];
	char serial[128];
	char bus_path[32];
};

/*
 * The few USB operations the transport needs, so tests can replace libusb
 * (tests/usbfake).  Every function returns 0 (or a byte count) or a negative
 * errno: libusb's codes are translated at this boundary, once.  Transfers
 * are libusb's own struct, allocated by alloc_transfer; their callback runs
 * from handle_events on the thread that calls it.
 */
struct uacd_usb_io_ops {
	struct libusb_transfer *(*alloc_transfer)(void *io, int iso_packets);
	void (*free_transfer)(void *io, struct libusb_transfer *t);
	int (*submit)(void *io, struct libusb_transfer *t);
	int (*cancel)(void *io, struct libusb_transfer *t);
	/* Wait up to timeout_ms for completions and run their callbacks. */
	int (*handle_events)(void *io, int timeout_ms);
	/* Make a blocked handle_events return now (any thread). */
	void (*interrupt)(void *io);
	int (*control)(void *io, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		       uint8_t *data, uint16_t len);
	int (*claim)(void *io, int iface);
	int (*release)(void *io, int iface);
	int (*set_alt)(void *io, int iface, int alt);
	/* Give the device back (release done): close the handle, free io. */
	void (*close)(void *io);
};

/*
 * Control thread: parse a spec.  0, or -EINVAL with the reason in err.
 */
int uacd_usb_spec_parse(const char *spec, struct uacd_usb_spec *out, char *err, size_t errlen);

/* Does the probed device match the spec (IDs, serial, path; "usb" = any audio device)? */
bool uacd_usb_spec_match(const struct uacd_usb_spec *s, const struct uacd_usb_probe *p);

/*
 * Control thread: find the device a spec names on the bus, open it with
 * libusb, claim its interfaces and create a uacd device.  0, -ENODEV when
 * no device matches, or another -errno; err says why.
 */
int uacd_usb_create(const char *spec, struct uacd_device **out, char *err, size_t errlen);

/*
 * Control thread: open the device at bus/address (from the hotplug code)
 * for `spec`.  Same returns as uacd_usb_create().
 */
int uacd_usb_create_at(const char *spec, uint8_t bus, uint8_t address,
		       struct uacd_device **out, char *err, size_t errlen);

/*
 * Control thread: create a device on an opened I/O layer (libusb or a
 * fake): select alt settings, set the rate and volume, claim.  On success
 * the device owns io (ops->close at free); on failure the caller still does.
 */
int uacd_usb_create_io(const char *spec, const struct uacd_usb_probe *p,
		       const struct uacd_usb_io_ops *ops, void *io,
		       struct uacd_device **out, char *err, size_t errlen);

/*
 * Control thread: bind a dormant device (see uacd_usb_close) to a new
 * instance on an opened I/O layer.  0, -ENODEV (spec does not match), -EBUSY
 * (another format or larger packets than the device was created with), or
 * -errno; on failure the caller still owns io.
 */
int uacd_usb_rebind(struct uacd_device *d, const struct uacd_usb_probe *p,
		    const struct uacd_usb_io_ops *ops, void *io, char *err, size_t errlen);

/* libusb error code -> negative errno (the one place they are translated: usb-find.c). */
int uacd_usb_errno(int libusb_error);

/*
 * Control thread: call cb for every USB audio device on the bus (opened
 * briefly to read its strings and configuration; cfg is valid during the
 * call).  cb returns 0 to go on, <0 to stop.  0 or -errno.
 */
int uacd_usb_scan(int (*cb)(const struct uacd_usb_probe *p, void *data), void *data);

/* Is d a USB device (created here)? */
bool uacd_usb_is_usb(const struct uacd_device *d);

/*
 * Control thread: a descriptor that becomes readable once the device has
 * vanished (its RT thread saw LIBUSB_TRANSFER_NO_DEVICE).  Watch it with
 * uacd_server_watch(), then uacd_usb_gone_ack() it.
 */
int uacd_usb_gone_fd(const struct uacd_device *d);
bool uacd_usb_gone(const struct uacd_device *d);
void uacd_usb_gone_ack(struct uacd_device *d);

/*
 * Control thread: with the device stopped, close its USB side (the struct
 * stays, dormant); `vanished`: the device is gone, do not touch it (no
 * alt setting, no release), else release the interfaces to the kernel.  uacd_usb_reopen() binds it to a
 * new instance on the bus (re-plug) if that offers the same alt setting:
 * 0, -ENODEV (does not match), -EBUSY (different format), or -errno.
 */
void uacd_usb_close(struct uacd_device *d, bool vanished);
int uacd_usb_reopen(struct uacd_device *d, uint8_t bus, uint8_t address, char *err, size_t errlen);
bool uacd_usb_is_open(const struct uacd_device *d);
/* The spec the device was created from, and its bus/address (0 when closed). */
const char *uacd_usb_spec_string(const struct uacd_device *d);
void uacd_usb_location(const struct uacd_device *d, uint8_t *bus, uint8_t *address);

/* What the transport selected, for status and tests. */
struct uacd_usb_info {
	int uac_version;
	enum uacd_usb_speed speed;	/* from libusb, else guessed from the descriptors */
	uint8_t play_iface, play_alt, play_ep, fb_ep;
	uint8_t cap_iface, cap_alt, cap_ep;
	bool implicit_fb;
	enum uacd_usbdesc_sync play_sync;
	uint32_t interval_us;
	uint32_t max_packet;		/* playback wMaxPacketSize bytes */
	unsigned transfers, packets;
	uint8_t fu_id;			/* feature unit used for volume/mute, 0 = none */
	/* counters (RT writes, relaxed) */
	uint64_t out_packets, in_packets, fb_packets;
	uint64_t errors, stalls, resubmit_failures;
	uint32_t fb_q16;
	bool gone;
};
void uacd_usb_get_info(const struct uacd_device *d, struct uacd_usb_info *info);

/*
 * Control thread, before start: stop streaming `ms` after the last client
 * stream closed (default 2000; 0 = stream from start to stop, silence when
 * no client plays).
 */
void uacd_usb_set_idle_ms(struct uacd_device *d, uint32_t ms);

/*
 * Tests: run one iteration of the RT loop on the calling thread (which must
 * be a registered RCU reader): submit what is idle, handle events for up to
 * timeout_ms, process the completions, end the cycle.  The device must not
 * be started.  Returns 0 or -ENODEV once the device has vanished.
 */
int uacd_usb_iterate(struct uacd_device *d, int timeout_ms);
/* Tests: cancel everything and wait for the completions (as stop does). */
void uacd_usb_drain(struct uacd_device *d);

#endif /* UACD_TRANSPORT_LIBUSB_H */
