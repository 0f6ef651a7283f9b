/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Audio class requests.  See usb-control.h; the request layouts follow the
 * USB Audio Class 1.0 spec (5.2 Requests: bmRequestType 0x21/0xa1 for an
 * interface entity, 0x22/0xa2 for an endpoint; SET_CUR 0x01, GET_CUR 0x81,
 * GET_MIN 0x82, GET_MAX 0x83, GET_RES 0x84) and 2.0 (5.2.2: CUR 0x01 and
 * RANGE 0x02 in both directions; RANGE answers wNumSubRanges followed by
 * MIN/MAX/RES triplets of the control's size).
 *
 * wValue is (control selector << 8) | channel, wIndex is (entity ID << 8)
 * | AudioControl interface, or the endpoint address.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "engine/usb/usb-control.h"

#define RT_SET_IFACE	0x21
#define RT_GET_IFACE	0xa1
#define RT_SET_EP	0x22
#define RT_GET_EP	0xa2

#define UAC1_SET_CUR	0x01
#define UAC1_GET_CUR	0x81
#define UAC1_GET_MIN	0x82
#define UAC1_GET_MAX	0x83
#define UAC1_GET_RES	0x84
#define UAC2_CUR	0x01
#define UAC2_RANGE	0x02

#define UAC1_SAMPLING_FREQ_CONTROL	0x01
#define UAC2_CS_SAM_FREQ_CONTROL	0x01
#define UAC2_CS_CLOCK_VALID_CONTROL	0x02
#define UAC2_CX_CLOCK_SELECTOR_CONTROL	0x01

#define RANGE_MAX_BYTES	(2 + 64 * 12)

static const uint32_t std_rates[] = {
	8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 64000, 88200, 96000,
	176400, 192000, 352800, 384000, 705600, 768000,
};

static int xfer(const struct uacd_usbctl *c, uint8_t type, uint8_t req, uint16_t value,
		uint16_t index, uint8_t *data, uint16_t len)
{
	int ret = c->xfer(c->io, type, req, value, index, data, len);

	if (ret < 0)
		return ret;
	/* A short answer to a GET is a protocol error, not a value. */
	if ((type & 0x80) && ret < len)
		return -EPROTO;
	return 0;
}

static void put_le(uint8_t *p, uint32_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

int uacd_uac1_set_ep_rate(const struct uacd_usbctl *c, uint8_t ep, uint32_t rate)
{
	uint8_t b[3];

	put_le(b, rate, 3);
	return xfer(c, RT_SET_EP, UAC1_SET_CUR, UAC1_SAMPLING_FREQ_CONTROL << 8, ep, b, 3);
}

int uacd_uac2_set_clock_rate(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id,
			     uint32_t rate)
{
	uint8_t b[4];

	put_le(b, rate, 4);
	return xfer(c, RT_SET_IFACE, UAC2_CUR, UAC2_CS_SAM_FREQ_CONTROL << 8,
		    (uint16_t)(clock_id << 8 | ac_iface), b, 4);
}

int uacd_uac2_get_clock_rate(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id,
			     uint32_t *rate)
{
	uint8_t b[4];
	int ret;

	ret = xfer(c, RT_GET_IFACE, UAC2_CUR, UAC2_CS_SAM_FREQ_CONTROL << 8,
		   (uint16_t)(clock_id << 8 | ac_iface), b, 4);
	if (ret)
		return ret;
	*rate = get_le(b, 4);
	return 0;
}

int uacd_uac2_clock_valid(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id)
{
	uint8_t b = 0;
	int ret;

	ret = xfer(c, RT_GET_IFACE, UAC2_CUR, UAC2_CS_CLOCK_VALID_CONTROL << 8,
		   (uint16_t)(clock_id << 8 | ac_iface), &b, 1);
	if (ret)
		return ret;
	return b ? 1 : 0;
}

static bool have_rate(const uint32_t *rates, unsigned n, uint32_t r)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (rates[i] == r)
			return true;
	return false;
}

int uacd_uac2_clock_rates(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t clock_id,
			  uint32_t *rates, unsigned max)
{
	uint8_t b[RANGE_MAX_BYTES];
	unsigned n_sub, i, n = 0, k;
	int ret;

	/* First the count, then the whole answer (as the kernel does). */
	ret = xfer(c, RT_GET_IFACE, UAC2_RANGE, UAC2_CS_SAM_FREQ_CONTROL << 8,
		   (uint16_t)(clock_id << 8 | ac_iface), b, 2);
	if (ret)
		return ret;
	n_sub = get_le(b, 2);
	if (n_sub == 0 || n_sub > 64)
		return -EPROTO;
	ret = xfer(c, RT_GET_IFACE, UAC2_RANGE, UAC2_CS_SAM_FREQ_CONTROL << 8,
		   (uint16_t)(clock_id << 8 | ac_iface), b, (uint16_t)(2 + n_sub * 12));
	if (ret)
		return ret;
	for (i = 0; i < n_sub; i++) {
		uint32_t lo = get_le(b + 2 + i * 12, 4);
		uint32_t hi = get_le(b + 2 + i * 12 + 4, 4);
		uint32_t res = get_le(b + 2 + i * 12 + 8, 4);

		if (lo > hi)
			return -EPROTO;
		if (lo == hi) {
			if (n < max && lo && !have_rate(rates, n, lo))
				rates[n++] = lo;
			continue;
		}
		for (k = 0; k < sizeof(std_rates) / sizeof(std_rates[0]); k++) {
			uint32_t r = std_rates[k];

			if (r < lo || r > hi || (res && (r - lo) % res))
				continue;
			if (n < max && !have_rate(rates, n, r))
				rates[n++] = r;
		}
	}
	return (int)n;
}

int uacd_uac2_set_clock_selector(const struct uacd_usbctl *c, uint8_t ac_iface, uint8_t sel_id,
				 uint8_t pin)
{
	return xfer(c, RT_SET_IFACE, UAC2_CUR, UAC2_CX_CLOCK_SELECTOR_CONTROL << 8,
		    (uint16_t)(sel_id << 8 | ac_iface), &pin, 1);
}

static unsigned fu_size(uint8_t cs)
{
	return cs == UACD_FU_VOLUME_CONTROL ? 2 : 1;
}

static int32_t fu_decode(uint8_t cs, const uint8_t *b)
{
	if (cs == UACD_FU_VOLUME_CONTROL)
		return (int16_t)get_le(b, 2);
	return b[0];
}

int uacd_fu_get(const struct uacd_usbctl *c, int uac_version, uint8_t ac_iface, uint8_t unit,
		uint8_t cs, uint8_t ch, enum uacd_usbctl_req req, int32_t *value)
{
	static const uint8_t uac1_req[] = {
		[UACD_REQ_CUR] = UAC1_GET_CUR, [UACD_REQ_MIN] = UAC1_GET_MIN,
		[UACD_REQ_MAX] = UAC1_GET_MAX, [UACD_REQ_RES] = UAC1_GET_RES,
	};
	uint16_t wvalue = (uint16_t)(cs << 8 | ch), windex = (uint16_t)(unit << 8 | ac_iface);
	unsigned size = fu_size(cs);
	uint8_t b[2 + 16 * 6];
	unsigned n_sub;
	int ret;

	if (req > UACD_REQ_RES || cs < UACD_FU_MUTE_CONTROL || cs > UACD_FU_VOLUME_CONTROL)
		return -EINVAL;
	if (uac_version == 1 || req == UACD_REQ_CUR) {
		ret = xfer(c, RT_GET_IFACE, uac_version == 1 ? uac1_req[req] : UAC2_CUR, wvalue, windex,
			   b, (uint16_t)size);
		if (ret)
			return ret;
		*value = fu_decode(cs, b);
		return 0;
	}
	if (cs != UACD_FU_VOLUME_CONTROL)
		return -EINVAL;
	ret = xfer(c, RT_GET_IFACE, UAC2_RANGE, wvalue, windex, b, 2);
	if (ret)
		return ret;
	n_sub = get_le(b, 2);
	if (n_sub == 0 || n_sub > 16)
		return -EPROTO;
	ret = xfer(c, RT_GET_IFACE, UAC2_RANGE, wvalue, windex, b, (uint16_t)(2 + n_sub * 6));
	if (ret)
		return ret;
	switch (req) {
	case UACD_REQ_MIN:
		*value = (int16_t)get_le(b + 2, 2);
		break;
	case UACD_REQ_MAX:
		*value = (int16_t)get_le(b + 2 + (n_sub - 1) * 6 + 2, 2);
		break;
	default:
		*value = (int16_t)get_le(b + 2 + 4, 2);
		break;
	}
	return 0;
}

int uacd_fu_set(const struct uacd_usbctl *c, int uac_version, uint8_t ac_iface, uint8_t unit,
		uint8_t cs, uint8_t ch, int32_t value)
{
	uint8_t b[2];
	unsigned size = fu_size(cs);

	if (cs < UACD_FU_MUTE_CONTROL || cs > UACD_FU_VOLUME_CONTROL)
		return -EINVAL;
	put_le(b, (uint32_t)value, size);
	return xfer(c, RT_SET_IFACE, uac_version == 1 ? UAC1_SET_CUR : UAC2_CUR,
		    (uint16_t)(cs << 8 | ch), (uint16_t)(unit << 8 | ac_iface), b, (uint16_t)size);
}
