/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake USB device for tests/usbfake: struct uacd_usb_io_ops on a model
 * that runs in virtual time.
 *
 * Time.  Every endpoint serves its transfers in submission order, one
 * packet per service interval, so a transfer submitted at t on an idle
 * endpoint completes at t + packets * interval, one queued behind another
 * when that one is done plus its own packets.  handle_events() advances
 * virtual time to the first completion due (or by its timeout when none is
 * due within it), optionally waits `burst_us` longer so several complete
 * together, and runs at most `max_per_call` callbacks: the shapes of
 * scheduling jitter a real host sees.
 *
 * The device.  Its sample clock runs at rate * (1 + ppm/1e6); an exact
 * Q32.32 accumulator turns that into frames per interval.  OUT packets go
 * into a FIFO that the DAC drains by the clock (starting once 2 ms are
 * queued): underflow and overflow are counted.  The data are checked as a
 * ramp: the test's client writes frame k as the 32-bit value k (from 1) at
 * the start of each frame; before the first non-zero frame silence is
 * expected, after it every frame must be the previous + 1, and a jump
 * forward is counted as a gap of that many frames (a repeat or a jump back
 * is "bad").  IN packets carry the clock's frames of a capture ramp (the
 * counter's low bytes when a frame is narrower than 4 bytes).
 * Feedback packets carry the clock as a device measuring it against SOF
 * would (the remainder carried into the next report), in the format
 * `fb_mode` says.  Packet sizes in both directions are logged in bus order.
 *
 * Class requests follow QEMU's device for UAC1 (SAMPLING_FREQ stalls when
 * stall_uac1_rate, volume only on channels 1 and 2, mute only on the
 * master) and a plain UAC2 clock (RANGE 44.1/48/96 kHz, CUR, valid) and
 * feature unit for UAC2.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "engine/core/packet.h"
#include "tests/usbfake/fake-usb.h"

#define FIFO_MAX 8192u

static unsigned ep_key(uint8_t addr)
{
	return (addr & 0x0f) | (addr & 0x80 ? 16u : 0u);
}

void fake_usb_init(struct fake_usb *f)
{
	long double step;

	f->now_us = 0;
	f->gone = f->closed = false;
	f->nq = 0;
	f->seq = 0;
	memset(f->ep_busy, 0, sizeof(f->ep_busy));
	step = (long double)f->rate * (1.0L + (long double)f->ppm / 1e6L) * f->interval_us / 1e6L;
	f->clk_step_q32 = (uint64_t)llroundl(step * 4294967296.0L);
	f->acc_out = f->acc_in = f->fb_carry = 0;
	f->cap_sizes = 1u << 20;
	f->out_sizes = calloc(f->cap_sizes, sizeof(uint32_t));
	f->in_sizes = calloc(f->cap_sizes, sizeof(uint32_t));
	f->n_out_sizes = f->n_in_sizes = 0;
	f->next = 1;
	f->cap_next = 1;
}

void fake_usb_free(struct fake_usb *f)
{
	free(f->out_sizes);
	free(f->in_sizes);
	f->out_sizes = f->in_sizes = NULL;
}

static uint32_t tick(struct fake_usb *f, uint64_t *acc)
{
	uint32_t n;

	*acc += f->clk_step_q32;
	n = (uint32_t)(*acc >> 32);
	*acc &= 0xffffffffull;
	return n;
}

static void log_size(uint32_t *v, size_t *n, size_t cap, uint32_t x)
{
	if (*n < cap)
		v[(*n)++] = x;
}

/* The device receives one OUT packet. */
static void sink_packet(struct fake_usb *f, const uint8_t *p, uint32_t len)
{
	uint32_t n = len / f->out_frame_bytes, i, made;

	if (len % f->out_frame_bytes)
		f->bad++;
	log_size(f->out_sizes, &f->n_out_sizes, f->cap_sizes, n);
	for (i = 0; i < n; i++) {
		uint32_t v;

		memcpy(&v, p + (size_t)i * f->out_frame_bytes, 4);
		if (!f->started) {
			if (v == 0)
				continue;
			f->started = true;
			if (v != 1) {
				f->gaps++;
				f->gap_frames += v - 1;
			}
			f->next = v + 1;
			f->good++;
			continue;
		}
		if (v == 0) {
			f->silence_after_start++;
			continue;
		}
		if (v == f->next) {
			f->good++;
		} else if (v > f->next) {
			f->gaps++;
			f->gap_frames += v - f->next;
		} else {
			f->bad++;
		}
		f->next = v + 1;
	}
	/* the FIFO and the DAC */
	f->fifo += n;
	if (f->fifo > FIFO_MAX) {
		f->overflow += f->fifo - FIFO_MAX;
		f->fifo = FIFO_MAX;
	}
	if (f->fifo > f->fifo_max)
		f->fifo_max = f->fifo;
	made = tick(f, &f->acc_out);
	if (!f->dac && f->fifo >= f->rate * 2u / 1000u)
		f->dac = true;
	if (f->dac) {
		if (f->fifo < made) {
			f->underflow += made - f->fifo;
			f->fifo = 0;
		} else {
			f->fifo -= made;
		}
	}
}

static uint32_t source_packet(struct fake_usb *f, uint8_t *p, uint32_t max)
{
	uint32_t n = tick(f, &f->acc_in), i;

	if (n * f->in_frame_bytes > max)
		n = max / f->in_frame_bytes;
	memset(p, 0, (size_t)n * f->in_frame_bytes);
	for (i = 0; i < n; i++) {
		memcpy(p + (size_t)i * f->in_frame_bytes, &f->cap_next,
		       f->in_frame_bytes < 4 ? f->in_frame_bytes : 4);
		f->cap_next++;
	}
	log_size(f->in_sizes, &f->n_in_sizes, f->cap_sizes, n);
	return n * f->in_frame_bytes;
}

static uint32_t feedback_packet(struct fake_usb *f, uint8_t *p, uint32_t max)
{
	/* frames per (micro)frame = per interval here (bInterval 1) */
	unsigned frac = f->fb_mode == FAKE_FB_1616_AT_FS || f->high_speed ? 16 : 14;
	uint64_t v = f->clk_step_q32 + f->fb_carry;
	uint64_t q = v >> (32 - frac);
	uint32_t out;
	unsigned len = f->high_speed ? 4 : 3;

	f->fb_carry = v - (q << (32 - frac));
	out = (uint32_t)q;
	f->fb_reports++;
	if (f->fb_mode == FAKE_FB_GARBAGE && f->fb_reports % 7 == 0)
		out = f->fb_reports % 14 ? 0 : out * 2;
	if (len > max)
		len = max;
	p[0] = (uint8_t)out;
	p[1] = (uint8_t)(out >> 8);
	p[2] = (uint8_t)(out >> 16);
	if (len > 3)
		p[3] = (uint8_t)(out >> 24);
	return len;
}

/* ---- ops ------------------------------------------------------------------ */

static struct libusb_transfer *f_alloc(void *io, int packets)
{
	(void)io;
	return libusb_alloc_transfer(packets);
}

static void f_free(void *io, struct libusb_transfer *t)
{
	(void)io;
	libusb_free_transfer(t);
}

static int f_submit(void *io, struct libusb_transfer *t)
{
	struct fake_usb *f = io;
	unsigned k = ep_key(t->endpoint);
	uint64_t start;

	if (f->gone) {
		f->submits_after_gone++;
		return -ENODEV;
	}
	if (f->nq >= FAKE_MAX_PENDING)
		return -ENOMEM;
	f->submits++;
	start = f->ep_busy[k] > f->now_us ? f->ep_busy[k] : f->now_us;
	f->ep_busy[k] = start + (uint64_t)t->num_iso_packets * f->interval_us;
	f->q[f->nq].t = t;
	f->q[f->nq].due_us = f->ep_busy[k];
	f->q[f->nq].seq = f->seq++;
	f->q[f->nq].cancelled = false;
	f->nq++;
	if (!(t->endpoint & 0x80)) {
		f->out_inflight++;
		if (f->out_inflight > f->max_out_inflight)
			f->max_out_inflight = f->out_inflight;
	}
	return 0;
}

static int f_cancel(void *io, struct libusb_transfer *t)
{
	struct fake_usb *f = io;
	unsigned i;

	for (i = 0; i < f->nq; i++)
		if (f->q[i].t == t) {
			f->q[i].cancelled = true;
			f->q[i].due_us = f->now_us;
			return 0;
		}
	return -ENOENT;
}

static void run_transfer(struct fake_usb *f, struct fake_pending *pd)
{
	struct libusb_transfer *t = pd->t;
	uint32_t off = 0;
	int p;

	if (!(t->endpoint & 0x80))
		f->out_inflight--;
	if (pd->cancelled) {
		t->status = LIBUSB_TRANSFER_CANCELLED;
	} else if (f->gone) {
		t->status = LIBUSB_TRANSFER_NO_DEVICE;
	} else if (!(t->endpoint & 0x80)) {
		f->out_completions++;
		if (f->out_completions == f->stall_out_nth) {
			/* the device drops it: those frames never play */
			for (p = 0; p < t->num_iso_packets; p++)
				f->stalled_frames += t->iso_packet_desc[p].length / f->out_frame_bytes;
			t->status = LIBUSB_TRANSFER_STALL;
		} else {
			for (p = 0; p < t->num_iso_packets; p++) {
				sink_packet(f, t->buffer + off, t->iso_packet_desc[p].length);
				t->iso_packet_desc[p].actual_length = t->iso_packet_desc[p].length;
				t->iso_packet_desc[p].status = LIBUSB_TRANSFER_COMPLETED;
				off += t->iso_packet_desc[p].length;
			}
			t->status = LIBUSB_TRANSFER_COMPLETED;
		}
	} else {
		bool fb = t->iso_packet_desc[0].length <= 4;

		for (p = 0; p < t->num_iso_packets; p++) {
			uint32_t max = t->iso_packet_desc[p].length;

			t->iso_packet_desc[p].actual_length = fb ? feedback_packet(f, t->buffer + off, max) :
								   source_packet(f, t->buffer + off, max);
			t->iso_packet_desc[p].status = LIBUSB_TRANSFER_COMPLETED;
			off += max;
		}
		t->status = LIBUSB_TRANSFER_COMPLETED;
	}
	t->callback(t);
}

static int f_handle_events(void *io, int timeout_ms)
{
	struct fake_usb *f = io;
	uint64_t first = UINT64_MAX, until = f->now_us + (uint64_t)timeout_ms * 1000u;
	unsigned i, done = 0;

	if (f->nodev_at_us && !f->gone && f->now_us >= f->nodev_at_us)
		f->gone = true;
	for (i = 0; i < f->nq; i++)
		if (f->q[i].due_us < first)
			first = f->q[i].due_us;
	if (f->gone && f->nq)
		first = f->now_us;	/* libusb completes everything at the disconnect */
	if (first == UINT64_MAX || first > until) {
		f->now_us = until;
		return 0;
	}
	if (first > f->now_us)
		f->now_us = first;
	if (!f->gone)
		f->now_us += f->burst_us;
	if (f->nodev_at_us && f->now_us >= f->nodev_at_us)
		f->gone = true;
	for (;;) {
		unsigned best = f->nq;

		for (i = 0; i < f->nq; i++)
			if ((f->gone || f->q[i].due_us <= f->now_us) &&
			    (best == f->nq || f->q[i].seq < f->q[best].seq))
				best = i;
		if (best == f->nq)
			break;
		{
			struct fake_pending pd = f->q[best];

			f->q[best] = f->q[--f->nq];
			run_transfer(f, &pd);
		}
		if (++done == f->max_per_call && !f->gone)
			break;
	}
	return 0;
}

static void f_interrupt(void *io)
{
	(void)io;
}

static void put_le(uint8_t *p, uint32_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int f_control(void *io, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		     uint8_t *data, uint16_t len)
{
	struct fake_usb *f = io;
	uint8_t cs = value >> 8, ch = value & 0xff;

	if (f->gone)
		return -ENODEV;
	if (type == 0x22 && req == 0x01 && cs == 0x01) {	/* UAC1 endpoint SAMPLING_FREQ */
		f->rate_requests++;
		if (f->stall_uac1_rate) {
			f->rate_stalls++;
			return -EPIPE;
		}
		f->set_rate = data[0] | data[1] << 8 | data[2] << 16;
		return 3;
	}
	if (f->uac_version == 2 && (index >> 8) != 0 && cs <= 2 && type == 0xa1 && req == 0x02 &&
	    (value == 0x0100)) {	/* clock RANGE */
		static const uint32_t r[] = { 44100, 48000, 96000 };
		unsigned i;

		if (len < 2)
			return -EPIPE;
		put_le(data, 3, 2);
		for (i = 0; i < 3 && 2u + i * 12u + 12u <= len; i++) {
			put_le(data + 2 + i * 12, r[i], 4);
			put_le(data + 2 + i * 12 + 4, r[i], 4);
			put_le(data + 2 + i * 12 + 8, 0, 4);
		}
		return len < 38 ? len : 38;
	}
	if (f->uac_version == 2 && type == 0x21 && req == 0x01 && value == 0x0100 && len == 4) {
		f->set_rate = data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24;
		f->rate_requests++;
		return 4;
	}
	if (f->uac_version == 2 && type == 0xa1 && req == 0x01 && value == 0x0200) {	/* valid */
		data[0] = 1;
		return 1;
	}
	if (f->uac_version == 2 && type == 0x21 && req == 0x01 && cs == 0x01 && ch == 0 && len == 1)
		return 1;	/* clock selector */
	/* feature unit, UAC1 as QEMU's: mute on master, volume on channels 1, 2 */
	if (f->uac_version == 1 && (index >> 8) == 2) {
		bool vol = cs == 0x02, mute = cs == 0x01;

		if ((vol && (ch < 1 || ch > 2)) || (!vol && !mute))
			return -EPIPE;
		if (type == 0x21 && req == 0x01) {
			if (vol)
				f->vol[ch] = (int16_t)(data[0] | data[1] << 8);
			else
				f->mute[0] = data[0] & 1;
			return len;
		}
		if (type != 0xa1)
			return -EPIPE;
		if (mute) {
			if (req != 0x81)
				return -EPIPE;
			data[0] = (uint8_t)f->mute[0];
			return 1;
		}
		switch (req) {
		case 0x81: put_le(data, (uint16_t)f->vol[ch], 2); return 2;
		case 0x82: put_le(data, 0x8001, 2); return 2;
		case 0x83: put_le(data, 0x0800, 2); return 2;
		case 0x84: put_le(data, 0x0088, 2); return 2;
		default: return -EPIPE;
		}
	}
	return -EPIPE;
}

static int f_claim(void *io, int iface)
{
	struct fake_usb *f = io;

	if (f->gone)
		return -ENODEV;
	if (iface < 8)
		f->claimed[iface] = 1;
	return 0;
}

static int f_release(void *io, int iface)
{
	struct fake_usb *f = io;

	if (iface < 8)
		f->claimed[iface] = 0;
	return f->gone ? -ENODEV : 0;
}

static int f_set_alt(void *io, int iface, int alt)
{
	struct fake_usb *f = io;

	if (f->gone)
		return -ENODEV;
	if (iface < 8)
		f->alt[iface] = alt;
	return 0;
}

static void f_close(void *io)
{
	struct fake_usb *f = io;

	f->closed = true;
}

const struct uacd_usb_io_ops fake_usb_ops = {
	.alloc_transfer = f_alloc,
	.free_transfer = f_free,
	.submit = f_submit,
	.cancel = f_cancel,
	.handle_events = f_handle_events,
	.interrupt = f_interrupt,
	.control = f_control,
	.claim = f_claim,
	.release = f_release,
	.set_alt = f_set_alt,
	.close = f_close,
};

/* ---- QEMU's descriptors ---------------------------------------------------- */

static size_t put(uint8_t *out, size_t off, const uint8_t *d, size_t n)
{
	memcpy(out + off, d, n);
	return off + n;
}

static size_t as_alt(uint8_t *out, size_t off, uint8_t alt, uint8_t ch, bool async_fb,
		     const uint32_t *rates, unsigned n)
{
	uint8_t iface[] = { 9, 4, 1, alt, async_fb ? 2 : 1, 1, 2, 0, 0 };
	static const uint8_t general[] = { 7, 0x24, 1, 1, 0, 1, 0 };
	uint8_t fmt[8 + 3 * 8] = { (uint8_t)(8 + 3 * n), 0x24, 2, 1, ch, 2, 16, (uint8_t)n };
	uint16_t mps = (uint16_t)(ch * 2 * (async_fb ? 49 : 48));
	uint8_t ep[] = { 9, 5, 0x01, async_fb ? 0x05 : 0x0d, (uint8_t)mps, (uint8_t)(mps >> 8), 1, 0,
			 async_fb ? 0x81 : 0 };
	static const uint8_t csep[] = { 7, 0x25, 1, 0, 0, 0, 0 };
	static const uint8_t fbep[] = { 9, 5, 0x81, 0x11, 3, 0, 1, 5, 0 };
	unsigned i;

	for (i = 0; i < n; i++)
		put_le(fmt + 8 + 3 * i, rates[i], 3);
	off = put(out, off, iface, sizeof(iface));
	off = put(out, off, general, sizeof(general));
	off = put(out, off, fmt, 8 + 3 * n);
	off = put(out, off, ep, sizeof(ep));
	off = put(out, off, csep, sizeof(csep));
	if (async_fb)
		off = put(out, off, fbep, sizeof(fbep));
	return off;
}

size_t fake_qemu_config(uint8_t *out, bool async_fb, bool multi, const uint32_t *rates, unsigned n)
{
	static const uint8_t head[] = {
		9, 2, 0, 0, 2, 1, 4, 0xc0, 0x32,		/* configuration */
		9, 4, 0, 0, 0, 1, 1, 4, 5,			/* AudioControl, protocol 4 */
		9, 0x24, 1, 0, 1, 0x2b, 0, 1, 1,		/* header, interface 1 */
		12, 0x24, 2, 1, 1, 1, 0, 2, 3, 0, 0, 6,		/* input terminal 1, USB streaming */
		13, 0x24, 6, 2, 1, 2, 1, 0, 2, 0, 2, 0, 7,	/* feature unit 2 */
		9, 0x24, 3, 3, 1, 3, 0, 2, 8,			/* output terminal 3, speaker */
		9, 4, 1, 0, 0, 1, 2, 0, 9,			/* AS interface 1 alt 0 */
	};
	size_t off = put(out, 0, head, sizeof(head));

	off = as_alt(out, off, 1, 2, async_fb, rates, n);
	if (multi) {
		off = as_alt(out, off, 2, 6, async_fb, rates, n);
		off = as_alt(out, off, 3, 8, async_fb, rates, n);
	}
	out[2] = (uint8_t)off;
	out[3] = (uint8_t)(off >> 8);
	return off;
}

void fake_qemu_probe(struct uacd_usb_probe *p, const uint8_t *cfg, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->dev.bcd_usb = 0x0100;
	p->dev.vendor_id = 0x46f4;
	p->dev.product_id = 0x0002;
	p->dev.num_configurations = 1;
	p->cfg = cfg;
	p->cfg_len = len;
	p->speed = UACD_USB_SPEED_FULL;
	p->bus = 1;
	p->address = 2;
	snprintf(p->product, sizeof(p->product), "QEMU USB Audio");
	snprintf(p->serial, sizeof(p->serial), "1-0000:00:04.0-1");
	snprintf(p->bus_path, sizeof(p->bus_path), "1-1");
}
