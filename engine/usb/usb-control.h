/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB Audio Class requests on the default control pipe: sampling rate
 * (UAC1 endpoint SAMPLING_FREQ, UAC2 clock source CUR/RANGE/validity,
 * clock selectors) and feature unit volume/mute.
 *
 * The functions build the request and decode the answer; the transfer
 * itself goes through `struct uacd_usbctl`, so the libusb transport and the
 * fake one in tests/usbfake share this code.  Control thread only (the
 * transfers block).
 *
 * Units: volume is signed 1/256 dB as on the wire (0x8000 = -inf, which
 * the class reserves for "silence"); rates are Hz.
 */
#ifndef UACD_USB_CONTROL_H
#define UACD_USB_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

struct uacd_usbctl {
	/*
	 * One control transfer.  bmRequestType bit 7 set = device to host.
	 * Returns the bytes transferred or a negative errno (-EPIPE for a
	 * stall, -ENODEV when the device is gone, -ETIMEDOUT).
	 */
	int (*xfer)(void *io, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		    uint8_t *data, uint16_t len);
	void *io;
};

/* Feature unit control selectors (the same numbers in UAC1 and UAC2). */
#define UACD_FU_MUTE_CONTROL	0x01
#define UACD_FU_VOLUME_CONTROL	0x02

enum uacd_usbctl_req {
	UACD_REQ_CUR = 0,
	UACD_REQ_MIN,
	UACD_REQ_MAX,
	UACD_REQ_RES,
};

/*
 * UAC1 endpoint SAMPLING_FREQ SET_CUR (3 bytes).  0, or -errno; -EPIPE
 * means the device stalled it, which many (QEMU's included) do when the
 * rate is fixed: the kernel ignores that, and so may the caller.
 */
int uacd_uac1_set_ep_rate(const struct uacd_usbctl *c, uint8_t ep, uint32_t rate);

/* UAC2 clock source CS_SAM_FREQ_CONTROL CUR (4 bytes). 0 or -errno. */
int uacd_uac2_set_clock_rate(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id,
			     uint32_t rate);
int uacd_uac2_get_clock_rate(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id,
			     uint32_t *rate);
/* UAC2 CS_CLOCK_VALID_CONTROL: 1 valid, 0 not valid, or -errno. */
int uacd_uac2_clock_valid(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id);
/*
 * UAC2 GET RANGE of CS_SAM_FREQ_CONTROL: the discrete rates the clock can
 * run at.  Ranges with a resolution are expanded to the standard rates they
 * contain (8 kHz .. 768 kHz).  Returns how many were stored (<= max), or
 * -errno (-EPROTO for a malformed answer).
 */
int uacd_uac2_clock_rates(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id,
			  uint32_t *rates, unsigned max);
/* UAC2 clock selector CX_CLOCK_SELECTOR_CONTROL SET_CUR, pin 1-based. */
int uacd_uac2_set_clock_selector(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t sel_id,
				 uint8_t pin);

/*
 * Feature unit GET (CUR/MIN/MAX/RES) of a control on a channel (0 =
 * master).  Volume is a signed 16-bit value, mute 0/1.  UAC1 uses
 * GET_CUR/MIN/MAX/RES; UAC2 GET CUR and GET RANGE (first sub-range's MIN
 * and RES, last one's MAX).  0 or -errno.
 */
int uacd_fu_get(const struct uacd_usbctl *c, int uac_version, uint8_t ac_iface, uint8_t unit,
		uint8_t cs, uint8_t ch, enum uacd_usbctl_req req, int32_t *value);
int uacd_fu_set(const struct uacd_usbctl *c, int uac_version, uint8_t ac_iface, uint8_t unit,
		uint8_t cs, uint8_t ch, int32_t value);

#endif /* UACD_USB_CONTROL_H */
