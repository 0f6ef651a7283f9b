/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>

#include "engine/core/packet.h"

int uacd_pktsched_init(struct uacd_pktsched *ps, uint32_t rate,
		       uint32_t interval_us, uint32_t max_frames)
{
	if (!ps || rate == 0 || interval_us == 0 || 1000000u % interval_us)
		return -EINVAL;
	ps->rate = rate;
	ps->pps = 1000000u / interval_us;
	ps->max_frames = max_frames;
	ps->nom_acc = 0;
	ps->fb_acc = 0;
	ps->fb_q16 = 0;
	ps->nominal_q16 = (uint32_t)((((uint64_t)rate << 16) + ps->pps / 2) / ps->pps);
	return 0;
}

/* rt */
uint32_t uacd_pktsched_next(struct uacd_pktsched *ps)
{
	uint32_t n;

	if (ps->fb_q16) {
		uint64_t acc = (uint64_t)ps->fb_acc + ps->fb_q16;

		n = (uint32_t)(acc >> 16);
		ps->fb_acc = (uint32_t)(acc & 0xffff);
	} else {
		uint64_t acc = (uint64_t)ps->nom_acc + ps->rate;

		n = (uint32_t)(acc / ps->pps);
		ps->nom_acc = (uint32_t)(acc % ps->pps);
	}
	if (ps->max_frames && n > ps->max_frames)
		n = ps->max_frames;
	return n;
}

/* rt */
void uacd_pktsched_set_feedback(struct uacd_pktsched *ps, uint32_t fb_q16)
{
	ps->fb_q16 = fb_q16;
}

int uacd_fb_decoder_init(struct uacd_fb_decoder *d, uint32_t rate,
			 uint32_t packet_interval_us, bool high_speed)
{
	uint32_t uframe_us = high_speed ? 125u : 1000u;

	if (!d || rate == 0 || packet_interval_us < uframe_us ||
	    packet_interval_us % uframe_us || 1000000u % packet_interval_us)
		return -EINVAL;
	d->fb_per_packet = packet_interval_us / uframe_us;
	d->nominal_q16 = (uint32_t)((((uint64_t)rate << 16) * packet_interval_us + 500000u) / 1000000u);
	d->shift = 0;
	d->detected = false;
	d->high_speed = high_speed;
	d->rejected = 0;
	return 0;
}

static uint64_t shifted(uint32_t raw, int shift)
{
	return shift >= 0 ? (uint64_t)raw << shift : (uint64_t)raw >> -shift;
}

static bool near(uint64_t v, uint32_t nominal, uint32_t tol_div)
{
	uint64_t tol = nominal / tol_div;

	return v + tol >= nominal && v <= (uint64_t)nominal + tol;
}

/* rt */
int uacd_fb_decode(struct uacd_fb_decoder *d, const uint8_t *buf, int len, uint32_t *q16)
{
	uint32_t raw;
	uint64_t v;

	if (!d || !buf || !q16)
		return -EINVAL;
	if (len < 3)
		return -EAGAIN;
	raw = buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16;
	if (len >= 4 && d->high_speed)
		raw |= (uint32_t)buf[3] << 24;
	if (raw == 0)
		return -EAGAIN;

	if (!d->detected) {
		/*
		 * The spec's format: 16.16 per microframe at high speed
		 * (shift 0), 10.14 per frame at full speed (shift 2); both are
		 * multiplied by the microframes a packet spans.  Try the spec
		 * first, then every other shift, and take the first within
		 * 1/8 of nominal.
		 */
		static const int others[] = { 0, 2, -2, 4, -4, 1, -1, 3, -3, 6, -6, 8, -8 };
		int base = d->high_speed ? 0 : 2;
		unsigned i;

		for (i = 0; i <= sizeof(others) / sizeof(others[0]); i++) {
			int s = i == 0 ? base : others[i - 1];

			if (i > 0 && s == base)
				continue;
			v = shifted(raw, s) * d->fb_per_packet;
			if (near(v, d->nominal_q16, 8)) {
				d->shift = s;
				d->detected = true;
				break;
			}
		}
		if (!d->detected) {
			d->rejected++;
			return -EAGAIN;
		}
	}
	v = shifted(raw, d->shift) * d->fb_per_packet;
	if (!near(v, d->nominal_q16, 4)) {
		d->rejected++;
		return -EAGAIN;
	}
	*q16 = (uint32_t)v;
	return 0;
}

int uacd_fb_encode(uint32_t q16_per_uframe, bool high_speed, uint8_t out[4])
{
	uint32_t v = high_speed ? q16_per_uframe : q16_per_uframe >> 2;

	out[0] = v & 0xff;
	out[1] = (v >> 8) & 0xff;
	out[2] = (v >> 16) & 0xff;
	out[3] = (v >> 24) & 0xff;
	return high_speed ? 4 : 3;
}
