/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the USB transport: the state shared by transport-libusb.c (the RT
 * loop, the transport ops, the public API), usb-bind.c (alt selection,
 * clocks, claiming) and usb-volume.c (the feature unit).  Not for use
 * outside those files.
 */
#ifndef UACD_TRANSPORT_LIBUSB_PRIVATE_H
#define UACD_TRANSPORT_LIBUSB_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/core/packet.h"
#include "engine/usb/transport-libusb.h"
#include "engine/usb/usb-descriptors.h"

struct uacd_device;
struct uacd_usbctl;

#define DEFAULT_TRANSFERS	4u
#define DEFAULT_PACKETS_MS	8u	/* per transfer, in milliseconds of packets */
#define FB_TRANSFERS		2u
#define IMPLICIT_QUEUE		512u	/* capture packet sizes kept, power of two */
#define EVENT_TIMEOUT_MS	100
#define STOP_DRAIN_MS		2000
#define IDLE_STOP_MS		2000	/* stop streaming this long after the last stream closed */
#define IDLE_POLL_MS		10	/* stopped: how often to look for a new stream */
#define MAX_SLOTS		(3u * UACD_USB_MAX_TRANSFERS)

enum xfer_kind { XFER_OUT, XFER_IN, XFER_FB };

struct xfer {
	struct libusb_transfer *t;
	struct usbt *u;
	enum xfer_kind kind;
	bool inflight;		/* RT thread only */
	int done;		/* atomic: set by the callback, cleared by the RT thread */
	uint32_t frames;	/* OUT: frames it carries */
	uint8_t *buf;
	uint32_t buf_len;
};

struct usbt {
	struct uacd_device *d;
	char spec_str[512];
	struct uacd_usb_spec spec;

	/* the bound USB instance (NULL ops = dormant) */
	const struct uacd_usb_io_ops *ops;
	void *io;
	struct uacd_usbdesc *desc;
	struct uacd_usbdesc_device devdesc;
	uint8_t bus, address;
	enum uacd_usb_speed speed;
	const struct uacd_usbdesc_function *fn;
	const struct uacd_usbdesc_alt *play_alt, *cap_alt;
	uint8_t play_iface, cap_iface;
	bool cap_deliver;	/* capture frames go to clients (else only sizing) */
	bool claimed_ac, claimed_play, claimed_cap;
	uint32_t fb_play, fb_cap;	/* bytes per frame */
	uint32_t max_pkt_play, max_pkt_cap, max_pkt_fb;
	uint32_t interval_us;

	/* volume/mute */
	uint8_t fu_id;
	uint32_t vol_chmask, mute_chmask;	/* see fu_chmask() */
	bool has_vol, has_mute;
	int32_t vol_min, vol_max, vol_res;
	int32_t vol_cur, mute_cur;
	bool vol_known;

	/* transfers */
	struct xfer x[MAX_SLOTS];
	unsigned nx;

	/* RT state */
	struct uacd_pktsched sched;
	struct uacd_fb_decoder fbdec;
	bool use_fb, implicit;
	uint32_t imp[IMPLICIT_QUEUE];
	uint64_t imp_w, imp_r;
	uint8_t *cap_buf;
	bool rt_stopping;
	bool paused;		/* no client stream for idle_ms: nothing in flight */
	uint64_t idle_us;	/* bus time streamed with no client stream */
	uint32_t idle_ms;	/* 0 = never pause (control thread sets it before start) */

	/* gone */
	int gone_fd[2];
	int gone;		/* atomic */
	struct uacd_usb_info info;	/* counters: RT writes relaxed */
};

/*
 * usb-bind.c, control thread.  uacd_usbt_bind: parse, select, claim, set the
 * rate, allocate transfers; with `rebind` the selection must match the
 * device's format, channels and buffer size (-EBUSY).  0 or -errno with err.
 * On failure nothing stays claimed and the caller keeps io.
 */
int uacd_usbt_bind(struct usbt *u, const struct uacd_usb_probe *p, const struct uacd_usb_io_ops *ops,
		   void *io, bool rebind, char *err, size_t errlen);
/* Release the interfaces (unless the device is gone), free transfers, close io. */
void uacd_usbt_unbind(struct usbt *u);
void uacd_usbt_release_all(struct usbt *u);
void uacd_usbt_free_transfers(struct usbt *u);
/* Rate on the device (UAC1 endpoint or UAC2 clock).  0 or -errno with err. */
int uacd_usbt_set_rate_hw(struct usbt *u, uint32_t rate, char *err, size_t errlen);
bool uacd_usbt_alt_has_rate(const struct uacd_usbdesc_function *f, const struct uacd_usbdesc_alt *a,
			    uint32_t rate);
/* The control requests of struct uacd_usbctl, through u's io ops. */
struct uacd_usbctl uacd_usbt_ctl(struct usbt *u);
/*
 * usb-volume.c, control thread.  The feature unit on the playback path
 * (none without playback) and which channels carry volume and mute.
 */
void uacd_usbt_pick_feature_unit(struct usbt *u);
/* Volume at the top of the range and unmuted, or what was set before a re-plug. */
void uacd_usbt_apply_volume(struct usbt *u);
/* The transport's control op ("volume", "mute"). */
int uacd_usbt_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
		      int32_t *min, int32_t *max, int32_t *res);

#endif /* UACD_TRANSPORT_LIBUSB_PRIVATE_H */
