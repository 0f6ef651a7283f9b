/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The descriptor parser, AudioStreaming part: alt settings, their formats
 * and endpoints, and which endpoint gives feedback (the rules are in
 * usb-descriptors.c's top comment).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-desc-private.h"

/* ---- AudioStreaming ---- */

/* ALSA name of a type I format; NULL when uacd cannot stream it. */
static const char *alsa_format(uint32_t formats, uint8_t subslot, uint8_t bits)
{
	(void)bits;	/* 24 bits in a 4-byte subslot are MSB-aligned: S32_LE, as in the kernel */
	if (formats & UAC2_PCM) {
		switch (subslot) {
		case 1: return "S8";
		case 2: return "S16_LE";
		case 3: return "S24_3LE";
		case 4: return "S32_LE";
		default: return NULL;
		}
	}
	if (formats & UAC2_PCM8)
		return subslot == 1 ? "U8" : NULL;
	if (formats & UAC2_IEEE_FLOAT)
		return subslot == 4 ? "FLOAT_LE" : subslot == 8 ? "FLOAT64_LE" : NULL;
	if (formats & UAC2_ALAW)
		return subslot == 1 ? "A_LAW" : NULL;
	if (formats & UAC2_MULAW)
		return subslot == 1 ? "MU_LAW" : NULL;
	return NULL;
}

static int parse_format(struct parser *p, uint32_t off, int v2, struct uacd_usbdesc_alt *a)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0], t;

	if (bl < 4)
		return usbdesc_too_short(p, off, "format type descriptor", bl, 4);
	a->format_type = d[3];
	if (d[3] != FORMAT_TYPE_I && d[3] != 3)
		return 0;	/* type II (compressed) and others: recorded, not streamed */
	if (v2) {
		if (bl < 6)
			return usbdesc_too_short(p, off, "format type descriptor", bl, 6);
		a->subslot = d[4];
		a->bit_resolution = d[5];
		return 0;
	}
	if (bl < 8)
		return usbdesc_too_short(p, off, "format type descriptor", bl, 8);
	a->channels = d[4];
	a->subslot = d[5];
	a->bit_resolution = d[6];
	t = d[7];
	if (t == 0) {
		if (bl < 14)
			return usbdesc_fail(p, off, "continuous sample rate range needs bLength >= 14, got %u", bl);
		a->rate_continuous = true;
		a->rate_min = le24(d + 8);
		a->rate_max = le24(d + 11);
		return 0;
	}
	if (bl < 8 + 3 * t)
		return usbdesc_fail(p, off, "bSamFreqType %u needs bLength >= %u, got %u", t, 8 + 3 * t, bl);
	a->rate_min = UINT32_MAX;
	for (unsigned i = 0; i < t; i++) {
		uint32_t r = le24(d + 8 + 3 * i);

		if (i < UACD_USBDESC_MAX_RATES)
			a->rates[a->nr_rates++] = r;
		if (r < a->rate_min)
			a->rate_min = r;
		if (r > a->rate_max)
			a->rate_max = r;
	}
	return 0;
}

static int parse_alt(struct parser *p, const struct ifblock *blk, int v2, struct uacd_usbdesc_alt *a)
{
	struct uacd_usbdesc_endpoint *ep = NULL;
	unsigned extra_eps = 0;
	int err;

	a->alt = blk->alt;
	a->num_endpoints = blk->nep;
	a->iface_class = blk->cls;
	a->iface_subclass = blk->sub;
	a->iface_protocol = blk->proto;
	a->data_ep = -1;
	a->fb_ep = -1;
	for_each_desc(p, blk, off) {
		const uint8_t *d = p->b + off;
		unsigned bl = d[0];

		if (d[1] == DT_CS_INTERFACE && bl >= 3 && d[2] == AS_GENERAL && !a->has_general) {
			if (bl < (v2 ? 16u : 7u))
				return usbdesc_too_short(p, off, "AS_GENERAL", bl, v2 ? 16 : 7);
			a->has_general = true;
			a->terminal_link = d[3];
			if (v2) {
				a->format_type = d[5];
				a->formats = le32(d + 6);
				a->channels = d[10];
				a->channel_config = le32(d + 11);
			} else {
				a->format_tag = le16(d + 5);
				if (a->format_tag >= 1 && a->format_tag <= 5)
					a->formats = 1u << (a->format_tag - 1);
			}
		} else if (d[1] == DT_CS_INTERFACE && bl >= 3 && d[2] == AS_FORMAT_TYPE && !a->has_format) {
			a->has_format = true;
			err = parse_format(p, off, v2, a);
			if (err)
				return err;
		} else if (d[1] == DT_ENDPOINT) {
			if (a->nr_eps >= UACD_USBDESC_MAX_EPS) {
				extra_eps++;
				ep = NULL;
				continue;
			}
			ep = &a->eps[a->nr_eps++];
			ep->offset = off;
			ep->address = d[2];
			ep->attributes = d[3];
			ep->transfer = d[3] & 3;
			ep->sync = (enum uacd_usbdesc_sync)(d[3] >> 2 & 3);
			ep->usage = (enum uacd_usbdesc_usage)(d[3] >> 4 & 3);
			ep->max_packet_raw = le16(d + 4);
			ep->max_packet = ep->max_packet_raw & 0x7ff;
			ep->mult = (uint8_t)(1 + (ep->max_packet_raw >> 11 & 3));
			if (ep->mult > 3)
				ep->mult = 3;	/* 3 is reserved; the kernel treats it as 3 too */
			ep->interval = d[6];
			if (bl >= 9) {
				ep->refresh = d[7];
				ep->synch_address = d[8];
			}
		} else if (d[1] == DT_CS_ENDPOINT && ep && bl >= 3 && d[2] == EP_GENERAL && !ep->has_cs) {
			if (bl < (v2 ? 8u : 7u))
				return usbdesc_too_short(p, off, "class-specific endpoint descriptor", bl, v2 ? 8 : 7);
			ep->has_cs = true;
			ep->cs_attributes = d[3];
			if (v2) {
				ep->cs_controls = d[4];
				ep->lock_delay_units = d[5];
				ep->lock_delay = le16(d + 6);
				ep->pitch_control = (d[4] & 3) != 0;
			} else {
				ep->lock_delay_units = d[4];
				ep->lock_delay = le16(d + 5);
				ep->freq_control = d[3] & 1;
				ep->pitch_control = d[3] >> 1 & 1;
			}
		} else if (d[1] == DT_SS_EP_COMPANION && ep && !ep->has_ss) {
			if (bl < 6)
				return usbdesc_too_short(p, off, "SuperSpeed endpoint companion", bl, 6);
			ep->has_ss = true;
			ep->ss_max_burst = d[2];
			ep->ss_attributes = d[3];
			ep->ss_bytes_per_interval = le16(d + 4);
			p->d->has_ss_companions = true;
		}
	}
	(void)extra_eps;
	if (a->has_format && a->format_type == FORMAT_TYPE_I)
		a->alsa_format = alsa_format(a->formats, a->subslot, a->bit_resolution);
	/* the data endpoint: first isochronous endpoint that is not feedback */
	for (unsigned i = 0; i < a->nr_eps; i++) {
		if (a->eps[i].transfer == 1 && a->eps[i].usage != UACD_USBDESC_USAGE_FEEDBACK) {
			a->data_ep = (int)i;
			break;
		}
	}
	return 0;
}

static bool ep_in(const struct uacd_usbdesc_endpoint *ep)
{
	return ep->address & 0x80;
}

/* Explicit feedback inside the alt setting. */
void usbdesc_find_explicit_fb(struct uacd_usbdesc_alt *a)
{
	const struct uacd_usbdesc_endpoint *data;
	bool playback;

	if (a->data_ep < 0)
		return;
	data = &a->eps[a->data_ep];
	playback = !ep_in(data);
	for (unsigned i = 0; i < a->nr_eps; i++) {
		const struct uacd_usbdesc_endpoint *ep = &a->eps[i];

		if ((int)i == a->data_ep || ep->transfer != 1 || ep_in(ep) == ep_in(data))
			continue;
		if (ep->usage == UACD_USBDESC_USAGE_IMPLICIT_FB)
			continue;	/* a data endpoint that paces playback: see find_implicit_fb */
		if (ep->usage == UACD_USBDESC_USAGE_FEEDBACK ||
		    (data->synch_address && data->synch_address == ep->address) ||
		    ep->usage == UACD_USBDESC_USAGE_DATA) {
			a->fb_ep = (int)i;
			break;
		}
	}
	if (a->fb_ep < 0)
		return;
	/* as the kernel: only async playback and adaptive capture use feedback */
	if ((playback && data->sync == UACD_USBDESC_SYNC_ASYNC) ||
	    (!playback && data->sync == UACD_USBDESC_SYNC_ADAPTIVE))
		a->fb_address = a->eps[a->fb_ep].address;
}

/* Best capture alt setting of st to pace alt a: by usage (pass 0) or async (pass 1). */
static const struct uacd_usbdesc_alt *implicit_source(const struct uacd_usbdesc_stream *st,
						      const struct uacd_usbdesc_alt *a, int pass)
{
	const struct uacd_usbdesc_alt *best = NULL;

	if (st->dir != UACD_USBDESC_DIR_CAPTURE)
		return NULL;
	for (unsigned k = 0; k < st->nr_alts; k++) {
		const struct uacd_usbdesc_alt *c = &st->alts[k];
		const struct uacd_usbdesc_endpoint *ce;

		if (c->data_ep < 0)
			continue;
		ce = &c->eps[c->data_ep];
		if (pass == 0 ? ce->usage != UACD_USBDESC_USAGE_IMPLICIT_FB
			      : ce->sync != UACD_USBDESC_SYNC_ASYNC)
			continue;
		if (!best || c->alt == a->alt)
			best = c;	/* the same alt number wins, as the kernel pairs them */
	}
	return best;
}

void usbdesc_find_implicit_fb(struct uacd_usbdesc_function *f, const struct uacd_usbdesc_stream *own,
			     struct uacd_usbdesc_alt *a)
{
	const struct uacd_usbdesc_endpoint *data;

	if (a->data_ep < 0 || a->fb_address)
		return;
	data = &a->eps[a->data_ep];
	if (ep_in(data) || data->sync != UACD_USBDESC_SYNC_ASYNC)
		return;
	/* the alt's own capture endpoint marked "implicit feedback data" */
	for (unsigned i = 0; i < a->nr_eps; i++) {
		if (ep_in(&a->eps[i]) && a->eps[i].transfer == 1 &&
		    a->eps[i].usage == UACD_USBDESC_USAGE_IMPLICIT_FB) {
			a->implicit_fb = true;
			a->implicit_fb_address = a->eps[i].address;
			a->implicit_fb_iface = own->iface;
			a->implicit_fb_alt = a->alt;
			return;
		}
	}
	/*
	 * A capture stream of the function: first by usage, then any async
	 * one; within each, the next interface, then the previous one (the
	 * kernel's order), then the others.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (int order = 0; order < 3; order++) {
			for (unsigned s = 0; s < f->nr_streams; s++) {
				const struct uacd_usbdesc_stream *st = &f->streams[s];
				const struct uacd_usbdesc_alt *best;
				bool next = st->iface == own->iface + 1;
				bool prev = st->iface + 1 == own->iface;

				if ((order == 0 && !next) || (order == 1 && !prev) ||
				    (order == 2 && (next || prev)))
					continue;
				best = implicit_source(st, a, pass);
				if (best) {
					a->implicit_fb = true;
					a->implicit_fb_address = best->eps[best->data_ep].address;
					a->implicit_fb_iface = st->iface;
					a->implicit_fb_alt = best->alt;
					return;
				}
			}
		}
	}
}

int usbdesc_parse_stream(struct parser *p, struct uacd_usbdesc_function *f, uint8_t num)
{
	struct uacd_usbdesc_stream *st = NULL;
	int v2 = f->uac_version == 2;

	for (size_t i = 0; i < p->nr_ifs; i++) {
		struct ifblock *blk = &p->ifs[i];
		struct uacd_usbdesc_alt *a;
		size_t nr;
		int err;

		if (blk->num != num || blk->used)
			continue;
		blk->used = true;
		if (blk->cls != CLASS_AUDIO || blk->sub != SUBCLASS_AS) {
			p->d->nr_skipped++;	/* MIDI, vendor alt settings */
			continue;
		}
		if (!st) {
			size_t ns = f->nr_streams;

			st = usbdesc_grow(&f->streams, &ns, sizeof(*st));
			if (!st)
				return -ENOMEM;
			f->nr_streams = (uint8_t)ns;
			st->iface = num;
		}
		nr = st->nr_alts;
		if (nr >= 255)
			return usbdesc_fail(p, blk->off, "interface %u has more than 255 alternate settings", num);
		a = usbdesc_grow(&st->alts, &nr, sizeof(*a));
		if (!a)
			return -ENOMEM;
		st->nr_alts = (uint8_t)nr;
		err = parse_alt(p, blk, v2, a);
		if (err)
			return err;
		if (st->dir == UACD_USBDESC_DIR_UNKNOWN && a->data_ep >= 0)
			st->dir = ep_in(&a->eps[a->data_ep]) ? UACD_USBDESC_DIR_CAPTURE
							       : UACD_USBDESC_DIR_PLAYBACK;
	}
	return 0;
}

/* Direction from the terminal when no alt setting has a data endpoint. */
void usbdesc_stream_dir_from_terminal(struct uacd_usbdesc_function *f, struct uacd_usbdesc_stream *st)
{
	for (unsigned k = 0; k < st->nr_alts && st->dir == UACD_USBDESC_DIR_UNKNOWN; k++) {
		const struct uacd_usbdesc_entity *t;

		if (!st->alts[k].has_general)
			continue;
		t = uacd_usbdesc_find_entity(f, st->alts[k].terminal_link);
		if (t && t->type == UACD_USBDESC_INPUT_TERMINAL)
			st->dir = UACD_USBDESC_DIR_PLAYBACK;
		else if (t && t->type == UACD_USBDESC_OUTPUT_TERMINAL)
			st->dir = UACD_USBDESC_DIR_CAPTURE;
	}
}
