/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Binding the USB transport to a device instance (control thread): which
 * alt settings stream, at which rate, through which clock, with which
 * feature unit for volume (usb-volume.c); claiming the interfaces and
 * allocating the transfers; and giving everything back.  See
 * transport-libusb.c for the whole picture.
 *
 * Selection rules.  The first supported audio function with streaming
 * interfaces.  Playback: the alt that matches format/channels/rate asked
 * for, preferring 2 channels and 48 kHz, then descriptor order; alts with
 * more channels than the engine takes are skipped.  Capture: the implicit
 * feedback source when playback has one (its frames are delivered only if
 * its format is the device's), else the best alt with the playback format.
 * UAC1 rates come from the alt's table, UAC2 rates from the clock's RANGE.
 * The feature unit for volume is picked and driven in usb-volume.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#include "engine/core/transport.h"
#include "engine/core/format.h"
#include "engine/core/log.h"
#include "engine/usb/transport-libusb-private.h"
#include "engine/usb/usb-control.h"

/* ---- selection (control thread) ----------------------------------------- */

static uint32_t alt_format(const struct uacd_usbdesc_alt *a)
{
	uint32_t f;

	if (!a->has_format || a->format_type != 1 || a->data_ep < 0 || !a->alsa_format)
		return 0;
	f = uacd_format_parse(a->alsa_format);
	return f == UACD_FMT_FLOAT_LE ? 0 : f;
}

/* UAC1: does the alt list the rate?  UAC2 alts say nothing (the clock decides). */
bool uacd_usbt_alt_has_rate(const struct uacd_usbdesc_function *f, const struct uacd_usbdesc_alt *a,
			    uint32_t rate)
{
	unsigned i;

	if (f->uac_version != 1)
		return true;
	if (a->rate_continuous)
		return rate >= a->rate_min && rate <= a->rate_max;
	for (i = 0; i < a->nr_rates; i++)
		if (a->rates[i] == rate)
			return true;
	return false;
}

/*
 * The best alt of a stream: must match the format/channels/rate asked for
 * (0 = any); among the rest, 2 channels and 48 kHz are preferred, then the
 * descriptor's order.
 */
static const struct uacd_usbdesc_alt *pick_alt(const struct uacd_usbdesc_function *f,
					       const struct uacd_usbdesc_stream *st,
					       uint32_t format, uint32_t channels, uint32_t rate)
{
	const struct uacd_usbdesc_alt *best = NULL;
	int best_score = -1;
	unsigned i;

	for (i = 0; i < st->nr_alts; i++) {
		const struct uacd_usbdesc_alt *a = &st->alts[i];
		uint32_t af = alt_format(a);
		int score = 0;

		if (!af || a->alt == 0 || a->channels == 0 || a->channels > UACD_MAX_CHANNELS)
			continue;
		if ((format && af != format) || (channels && a->channels != channels) ||
		    (rate && !uacd_usbt_alt_has_rate(f, a, rate)))
			continue;
		if (a->channels == 2)
			score += 2;
		if (uacd_usbt_alt_has_rate(f, a, 48000))
			score += 1;
		if (score > best_score) {
			best = a;
			best_score = score;
		}
	}
	return best;
}

static const struct uacd_usbdesc_alt *find_alt(const struct uacd_usbdesc_function *f, uint8_t iface,
					       uint8_t alt, const struct uacd_usbdesc_stream **st_out)
{
	unsigned i, k;

	for (i = 0; i < f->nr_streams; i++) {
		if (f->streams[i].iface != iface)
			continue;
		for (k = 0; k < f->streams[i].nr_alts; k++)
			if (f->streams[i].alts[k].alt == alt) {
				*st_out = &f->streams[i];
				return &f->streams[i].alts[k];
			}
	}
	return NULL;
}

static int ctl_xfer(void *arg, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
		    uint8_t *data, uint16_t len)
{
	struct usbt *u = arg;

	return u->ops->control(u->io, type, req, value, index, data, len);
}

struct uacd_usbctl uacd_usbt_ctl(struct usbt *u)
{
	struct uacd_usbctl c = { .xfer = ctl_xfer, .io = u };

	return c;
}

static int clock_rates(struct usbt *u, uint32_t *rates, unsigned max)
{
	struct uacd_usbctl c = uacd_usbt_ctl(u);
	const struct uacd_usbdesc_alt *a = u->play_alt ? u->play_alt : u->cap_alt;

	if (u->fn->uac_version == 1) {
		unsigned n = 0, i;

		if (a->rate_continuous) {
			static const uint32_t std[] = { 8000, 11025, 16000, 22050, 32000, 44100, 48000,
							88200, 96000, 176400, 192000 };

			for (i = 0; i < sizeof(std) / sizeof(std[0]) && n < max; i++)
				if (std[i] >= a->rate_min && std[i] <= a->rate_max)
					rates[n++] = std[i];
		} else {
			for (i = 0; i < a->nr_rates && n < max; i++)
				rates[n++] = a->rates[i];
		}
		return (int)n;
	}
	return uacd_uac2_clock_rates(&c, u->fn->ac_iface, a->clock_source_id, rates, max);
}

/* UAC2: route the alt's clock through selectors to its clock source. */
static int uac2_route_clock(struct usbt *u, uint8_t id, uint8_t target, unsigned depth)
{
	const struct uacd_usbdesc_entity *e = uacd_usbdesc_find_entity(u->fn, id);
	struct uacd_usbctl c = uacd_usbt_ctl(u);
	unsigned i;

	if (!e || depth > 8)
		return -ENOENT;
	if (id == target)
		return 0;
	if (e->type == UACD_USBDESC_CLOCK_MULTIPLIER)
		return e->nr_sources ? uac2_route_clock(u, e->sources[0], target, depth + 1) : -ENOENT;
	if (e->type != UACD_USBDESC_CLOCK_SELECTOR)
		return -ENOENT;
	for (i = 0; i < e->nr_sources; i++)
		if (uac2_route_clock(u, e->sources[i], target, depth + 1) == 0) {
			int ret = uacd_uac2_set_clock_selector(&c, u->fn->ac_iface, id, (uint8_t)(i + 1));

			/* read-only selectors stall: fine if it already points there */
			return ret == -EPIPE ? 0 : ret;
		}
	return -ENOENT;
}

int uacd_usbt_set_rate_hw(struct usbt *u, uint32_t rate, char *err, size_t errlen)
{
	struct uacd_usbctl c = uacd_usbt_ctl(u);
	const struct uacd_usbdesc_alt *alts[2] = { u->play_alt, u->cap_alt };
	int ret, i;

	if (u->fn->uac_version == 1) {
		for (i = 0; i < 2; i++) {
			const struct uacd_usbdesc_alt *a = alts[i];

			if (!a)
				continue;
			ret = uacd_uac1_set_ep_rate(&c, a->eps[a->data_ep].address, rate);
			if (ret == -EPIPE) {
				uacd_dbg("usb: endpoint 0x%02x stalled SAMPLING_FREQ (fixed rate): ignored",
					 a->eps[a->data_ep].address);
				continue;
			}
			if (ret) {
				snprintf(err, errlen, "usb: cannot set %u Hz on endpoint 0x%02x: %s", rate,
					 a->eps[a->data_ep].address, strerror(-ret));
				return ret;
			}
		}
		return 0;
	}
	for (i = 0; i < 2; i++) {
		const struct uacd_usbdesc_alt *a = alts[i];

		if (!a || (i == 1 && u->play_alt && a->clock_source_id == u->play_alt->clock_source_id))
			continue;
		ret = uac2_route_clock(u, a->clock_id, a->clock_source_id, 0);
		if (ret && ret != -ENOENT) {
			snprintf(err, errlen, "usb: cannot select clock %u: %s", a->clock_source_id, strerror(-ret));
			return ret;
		}
		ret = uacd_uac2_set_clock_rate(&c, u->fn->ac_iface, a->clock_source_id, rate);
		if (ret && ret != -EPIPE) {
			snprintf(err, errlen, "usb: cannot set clock %u to %u Hz: %s", a->clock_source_id, rate,
				 strerror(-ret));
			return ret;
		}
		ret = uacd_uac2_clock_valid(&c, u->fn->ac_iface, a->clock_source_id);
		if (ret == 0) {
			snprintf(err, errlen, "usb: clock %u is not valid at %u Hz", a->clock_source_id, rate);
			return -EIO;
		}
	}
	return 0;
}

/* ---- binding a USB instance (control thread) ---------------------------- */

void uacd_usbt_free_transfers(struct usbt *u)
{
	unsigned i;

	for (i = 0; i < u->nx; i++) {
		if (u->x[i].t)
			u->ops->free_transfer(u->io, u->x[i].t);
		free(u->x[i].buf);
		memset(&u->x[i], 0, sizeof(u->x[i]));
	}
	u->nx = 0;
	free(u->cap_buf);
	u->cap_buf = NULL;
}

static void LIBUSB_CALL xfer_done(struct libusb_transfer *t)
{
	struct xfer *x = t->user_data;

	/* May run on the control thread (see the top): only publish. */
	__atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
}

static int add_xfer(struct usbt *u, enum xfer_kind kind, uint8_t ep, unsigned packets,
		    uint32_t pkt_bytes)
{
	struct xfer *x = &u->x[u->nx];

	if (u->nx >= MAX_SLOTS)
		return -ENOSPC;
	x->t = u->ops->alloc_transfer(u->io, (int)packets);
	x->buf_len = packets * pkt_bytes;
	x->buf = calloc(1, x->buf_len ? x->buf_len : 1);
	if (!x->t || !x->buf)
		return -ENOMEM;
	x->u = u;
	x->kind = kind;
	libusb_fill_iso_transfer(x->t, NULL, ep, x->buf, (int)x->buf_len, (int)packets, xfer_done, x,
				 0);
	libusb_set_iso_packet_lengths(x->t, pkt_bytes);
	u->nx++;
	return 0;
}

void uacd_usbt_release_all(struct usbt *u)
{
	/*
	 * A device that has gone is not touched: closing the handle releases
	 * everything, and libusb 1.0.26 returns from
	 * libusb_set_interface_alt_setting() on a disconnected device with the
	 * handle's lock still held (fixed in 1.0.27), so the libusb_close()
	 * that follows would abort.
	 */
	if (__atomic_load_n(&u->gone, __ATOMIC_ACQUIRE)) {
		u->claimed_play = u->claimed_cap = u->claimed_ac = false;
		return;
	}
	/*
	 * Streaming interfaces first, AudioControl last: releasing the AC
	 * interface gives it back to snd-usb-audio (auto-detach), whose probe
	 * then claims the streaming interfaces: they must be free by then.
	 */
	if (u->claimed_play) {
		u->ops->set_alt(u->io, u->play_iface, 0);
		u->ops->release(u->io, u->play_iface);
	}
	if (u->claimed_cap) {
		u->ops->set_alt(u->io, u->cap_iface, 0);
		u->ops->release(u->io, u->cap_iface);
	}
	if (u->claimed_ac)
		u->ops->release(u->io, u->fn->ac_iface);
	u->claimed_play = u->claimed_cap = u->claimed_ac = false;
}

void uacd_usbt_unbind(struct usbt *u)
{
	if (!u->ops)
		return;
	uacd_usbt_release_all(u);
	uacd_usbt_free_transfers(u);
	u->ops->close(u->io);
	u->ops = NULL;
	u->io = NULL;
	uacd_usbdesc_free(u->desc);
	u->desc = NULL;
	u->fn = NULL;
	u->play_alt = u->cap_alt = NULL;
	u->bus = u->address = 0;
}

/*
 * What one bind works out step by step (control thread): the steps below
 * fill it in order (select, claim, rates, geometry, transfers), each
 * returns 0 or -errno with err, and uacd_usbt_bind() unwinds in one place.
 */
struct bind_ctx {
	const struct uacd_usb_probe *p;
	bool rebind;
	char *err;
	size_t errlen;
	const struct uacd_usbdesc_stream *pst, *cst;
	const struct uacd_usbdesc_alt *pa, *ca;
	uint32_t format, rate, rates[UACD_MAX_RATES];
	int n_rates;
	unsigned packets, transfers, max_frames;
};

/* The first supported audio function with streaming interfaces. */
static int bind_function(struct usbt *u, struct bind_ctx *c)
{
	const struct uacd_usb_probe *p = c->p;
	unsigned i;
	int ret;

	ret = uacd_usbdesc_parse(p->cfg, p->cfg_len, &u->desc, c->err, c->errlen);
	if (ret)
		return ret;
	for (i = 0; i < u->desc->nr_functions; i++)
		if (u->desc->functions[i].supported && u->desc->functions[i].nr_streams) {
			u->fn = &u->desc->functions[i];
			break;
		}
	if (!u->fn) {
		snprintf(c->err, c->errlen, "usb %04x:%04x: no supported USB audio function%s%s",
			 p->dev.vendor_id, p->dev.product_id,
			 u->desc->nr_functions ? ": " : "",
			 u->desc->nr_functions ? u->desc->functions[0].note : "");
		return -ENODEV;
	}
	u->speed = p->speed ? p->speed : uacd_usbdesc_infer_speed(&p->dev, u->desc);
	return 0;
}

/* Capture: the implicit feedback source if there is one, else the best with our format. */
static int bind_select_capture(struct usbt *u, struct bind_ctx *c)
{
	const struct uacd_usbdesc_alt *pa = c->pa;
	unsigned i;

	if (pa && pa->implicit_fb) {
		c->ca = find_alt(u->fn, pa->implicit_fb_iface, pa->implicit_fb_alt, &c->cst);
		if (!c->ca) {
			snprintf(c->err, c->errlen,
				 "usb: implicit feedback source interface %u alt %u not found",
				 pa->implicit_fb_iface, pa->implicit_fb_alt);
			return -ENODEV;
		}
		return 0;
	}
	for (i = 0; i < u->fn->nr_streams && !c->ca; i++) {
		const struct uacd_usbdesc_stream *st = &u->fn->streams[i];

		if (st->dir != UACD_USBDESC_DIR_CAPTURE)
			continue;
		c->ca = pick_alt(u->fn, st, c->format, pa ? 0 : u->spec.channels, c->rate);
		if (!c->ca && pa)
			c->ca = pick_alt(u->fn, st, c->format, 0, 0);
		if (c->ca)
			c->cst = st;
	}
	return 0;
}

/* Select: the function, then the playback and capture alt settings. */
static int bind_select(struct usbt *u, struct bind_ctx *c)
{
	const struct uacd_usb_probe *p = c->p;
	unsigned i;
	int ret;

	ret = bind_function(u, c);
	if (ret)
		return ret;
	for (i = 0; i < u->fn->nr_streams && !c->pa; i++) {
		if (u->fn->streams[i].dir != UACD_USBDESC_DIR_PLAYBACK)
			continue;
		c->pa = pick_alt(u->fn, &u->fn->streams[i], c->format, u->spec.channels, c->rate);
		if (c->pa)
			c->pst = &u->fn->streams[i];
	}
	if (c->pa)
		c->format = alt_format(c->pa);
	ret = bind_select_capture(u, c);
	if (ret)
		return ret;
	if (!c->pa && !c->ca) {
		snprintf(c->err, c->errlen, "usb %04x:%04x: no streaming alt setting matches%s%s%s",
			 p->dev.vendor_id, p->dev.product_id,
			 u->spec.format ? " format " : "", u->spec.format ? uacd_format_name(u->spec.format) : "",
			 u->spec.channels || u->spec.rate ? " (channels/rate as asked)" : "");
		return -ENODEV;
	}
	if (!c->pa)
		c->format = alt_format(c->ca);
	u->play_alt = c->pa;
	u->cap_alt = c->ca;
	u->play_iface = c->pst ? c->pst->iface : 0;
	u->cap_iface = c->cst ? c->cst->iface : 0;
	u->cap_deliver = c->ca && alt_format(c->ca) == c->format;
	u->implicit = c->pa && c->pa->implicit_fb && c->ca;
	return 0;
}

/* Claim: AudioControl first (that detaches snd-usb-audio from all of them). */
static int bind_claim(struct usbt *u, struct bind_ctx *c)
{
	const struct uacd_usb_probe *p = c->p;
	int ret;

	ret = u->ops->claim(u->io, u->fn->ac_iface);
	if (ret) {
		snprintf(c->err, c->errlen, "usb %04x:%04x: cannot claim interface %u: %s",
			 p->dev.vendor_id, p->dev.product_id, u->fn->ac_iface, strerror(-ret));
		return ret;
	}
	u->claimed_ac = true;
	if (c->pa) {
		ret = u->ops->claim(u->io, u->play_iface);
		if (ret) {
			snprintf(c->err, c->errlen, "usb: cannot claim interface %u: %s", u->play_iface,
				 strerror(-ret));
			return ret;
		}
		u->claimed_play = true;
	}
	if (c->ca) {
		ret = u->ops->claim(u->io, u->cap_iface);
		if (ret) {
			snprintf(c->err, c->errlen, "usb: cannot claim interface %u: %s", u->cap_iface,
				 strerror(-ret));
			return ret;
		}
		u->claimed_cap = true;
	}
	return 0;
}

/*
 * Rates: what the alt or the clock offers, and the one to run at (the
 * device's on a re-plug, else the one asked for, else 48 kHz, else the
 * first offered).
 */
static int bind_rates(struct usbt *u, struct bind_ctx *c)
{
	unsigned i, n;

	c->n_rates = clock_rates(u, c->rates, UACD_MAX_RATES);
	if (c->n_rates <= 0) {
		snprintf(c->err, c->errlen, "usb: cannot read the sample rates: %s",
			 c->n_rates ? strerror(-c->n_rates) : "none offered");
		return c->n_rates ? c->n_rates : -ENODEV;
	}
	n = (unsigned)c->n_rates;
	if (c->rebind)
		c->rate = uacd_dev_rate(u->d);
	if (!c->rate) {
		c->rate = c->rates[0];
		for (i = 0; i < n; i++)
			if (c->rates[i] == 48000)
				c->rate = 48000;
	}
	for (i = 0; i < n && c->rates[i] != c->rate; i++)
		;
	if (i == n) {
		snprintf(c->err, c->errlen, "usb %04x:%04x: rate %u Hz not offered",
			 c->p->dev.vendor_id, c->p->dev.product_id, c->rate);
		return -EINVAL;
	}
	return 0;
}

/* Geometry: frame sizes, the endpoint interval, packets per transfer, the buffer size. */
static int bind_geometry(struct usbt *u, struct bind_ctx *c)
{
	const struct uacd_usbdesc_alt *pa = c->pa, *ca = c->ca;
	struct uacd_device *d = u->d;
	unsigned fpp_play, fpp_cap;

	u->fb_play = pa ? uacd_format_bytes(c->format) * pa->channels : 0;
	u->fb_cap = ca ? (uint32_t)ca->subslot * ca->channels : 0;
	if (pa) {
		const struct uacd_usbdesc_endpoint *ep = &pa->eps[pa->data_ep];

		u->interval_us = uacd_usbdesc_interval_us(ep->interval, u->speed);
		u->max_pkt_play = uacd_usbdesc_ep_bytes_per_interval(ep);
	}
	if (ca) {
		const struct uacd_usbdesc_endpoint *ep = &ca->eps[ca->data_ep];

		if (!pa)
			u->interval_us = uacd_usbdesc_interval_us(ep->interval, u->speed);
		u->max_pkt_cap = uacd_usbdesc_ep_bytes_per_interval(ep);
	}
	if (!u->interval_us || 1000000u % u->interval_us) {
		snprintf(c->err, c->errlen, "usb: unsupported endpoint interval");
		return -EINVAL;
	}
	if (c->rebind && (c->format != uacd_dev_format(d) || (pa ? pa->channels : 0) != uacd_dev_channels(d, UACD_DIR_PLAYBACK) ||
			  (u->cap_deliver ? ca->channels : 0) != uacd_dev_channels(d, UACD_DIR_CAPTURE))) {
		snprintf(c->err, c->errlen, "usb: the re-plugged device offers another format");
		return -EBUSY;
	}
	c->transfers = u->spec.transfers ? u->spec.transfers : DEFAULT_TRANSFERS;
	c->packets = u->spec.packets ? u->spec.packets : DEFAULT_PACKETS_MS * 1000u / u->interval_us;
	if (c->packets > UACD_USB_MAX_PACKETS)
		c->packets = UACD_USB_MAX_PACKETS;
	if (!c->packets)
		c->packets = 1;
	fpp_play = pa ? u->max_pkt_play / u->fb_play : 0;
	fpp_cap = ca ? u->max_pkt_cap / u->fb_cap : 0;
	c->max_frames = c->packets * (fpp_play > fpp_cap ? fpp_play : fpp_cap);
	if (c->rebind && c->max_frames > uacd_dev_max_frames(d)) {
		snprintf(c->err, c->errlen, "usb: the re-plugged device has larger packets");
		return -EBUSY;
	}
	return 0;
}

/* The engine's view of the device (format and buffer only on a first bind). */
static void bind_fill_device(struct usbt *u, const struct bind_ctx *c)
{
	const struct uacd_usb_probe *p = c->p;
	struct uacd_device *d = u->d;

	if (!c->rebind) {
		struct uacd_dev_geometry g = {
			.format = c->format,
			.rate = c->rate,
			.rates = c->rates,
			.n_rates = (unsigned)c->n_rates,
			.play_ch = c->pa ? c->pa->channels : 0,
			.cap_ch = u->cap_deliver ? c->ca->channels : 0,
			.play_map = uacd_usbdesc_alt_chmap(u->fn, c->pa),
			.cap_map = u->cap_deliver ? uacd_usbdesc_alt_chmap(u->fn, c->ca) : 0,
			.max_frames = c->max_frames,
		};

		uacd_dev_set_geometry(d, &g);
	}
	uacd_dev_set_latency(d, c->rate / 1000u);
	uacd_dev_set_usb_identity(d, 1, 1, p->dev.vendor_id, p->dev.product_id, p->serial, p->bus_path);
}

/* Playback transfers, and the explicit feedback ones when the endpoint has them. */
static int bind_play_transfers(struct usbt *u, const struct bind_ctx *c)
{
	const struct uacd_usbdesc_alt *pa = c->pa;
	const struct uacd_usbdesc_endpoint *ep = &pa->eps[pa->data_ep];
	uint8_t fb_addr = pa->fb_ep >= 0 ? pa->eps[pa->fb_ep].address : pa->fb_address;
	unsigned i;
	int ret = 0;

	for (i = 0; i < c->transfers && !ret; i++)
		ret = add_xfer(u, XFER_OUT, ep->address, c->packets, u->max_pkt_play);
	u->use_fb = false;
	if (!ret && !u->implicit && fb_addr && (fb_addr & 0x80)) {
		u->max_pkt_fb = pa->fb_ep >= 0 ? uacd_usbdesc_ep_bytes_per_interval(&pa->eps[pa->fb_ep]) : 4;
		if (!u->max_pkt_fb || u->max_pkt_fb > 8)
			u->max_pkt_fb = 4;
		for (i = 0; i < FB_TRANSFERS && !ret; i++)
			ret = add_xfer(u, XFER_FB, fb_addr, c->packets, u->max_pkt_fb);
		u->use_fb = true;
	}
	u->info.play_ep = ep->address;
	u->info.fb_ep = u->use_fb ? fb_addr : 0;
	u->info.play_sync = ep->sync;
	return ret;
}

/* Transfers: allocate and fill the iso transfers (and the capture bounce buffer). */
static int bind_transfers(struct usbt *u, const struct bind_ctx *c)
{
	const struct uacd_usbdesc_alt *ca = c->ca;
	unsigned i;
	int ret = 0;

	if (c->pa)
		ret = bind_play_transfers(u, c);
	if (ca && !ret) {
		for (i = 0; i < c->transfers && !ret; i++)
			ret = add_xfer(u, XFER_IN, ca->eps[ca->data_ep].address, c->packets, u->max_pkt_cap);
		u->cap_buf = calloc((size_t)c->packets, u->max_pkt_cap);
		if (!u->cap_buf)
			ret = -ENOMEM;
		u->info.cap_ep = ca->eps[ca->data_ep].address;
	}
	if (ret)
		snprintf(c->err, c->errlen, "usb: cannot allocate transfers: %s", strerror(-ret));
	return ret;
}

/* What `uacctl info` shows, the feature unit, and the log line of a bind. */
static void bind_report(struct usbt *u, const struct bind_ctx *c)
{
	const struct uacd_usb_probe *p = c->p;
	const struct uacd_usbdesc_alt *pa = c->pa, *ca = c->ca;

	u->info.uac_version = u->fn->uac_version;
	u->info.speed = u->speed;
	u->info.play_iface = u->play_iface;
	u->info.play_alt = pa ? pa->alt : 0;
	u->info.cap_iface = u->cap_iface;
	u->info.cap_alt = ca ? ca->alt : 0;
	u->info.implicit_fb = u->implicit;
	u->info.interval_us = u->interval_us;
	u->info.max_packet = u->max_pkt_play;
	u->info.transfers = c->transfers;
	u->info.packets = c->packets;
	uacd_usbt_pick_feature_unit(u);
	u->info.fu_id = u->fu_id;
	__atomic_store_n(&u->gone, 0, __ATOMIC_RELEASE);
	uacd_info("usb %04x:%04x at %s (%s speed, UAC%d): playback %s%s%u ch alt %u ep 0x%02x %s%s, capture %s alt %u, %u Hz",
		  p->dev.vendor_id, p->dev.product_id, p->bus_path[0] ? p->bus_path : "?", uacd_usbdesc_speed_name(u->speed),
		  u->fn->uac_version, pa ? uacd_format_name(c->format) : "none", pa ? " " : "", uacd_dev_channels(u->d, UACD_DIR_PLAYBACK),
		  u->info.play_alt, u->info.play_ep, pa ? uacd_usbdesc_sync_name(pa->eps[pa->data_ep].sync) : "-",
		  u->implicit ? " (implicit feedback)" : u->use_fb ? " (explicit feedback)" : "",
		  ca ? (u->cap_deliver ? "yes" : "sizing only") : "none", u->info.cap_alt, c->rate);
}

/*
 * Parse, select and claim.  When `d` already has a format (re-plug into a
 * dormant device) the selection must give the same format, channels and
 * buffer size: -EBUSY otherwise.
 */
int uacd_usbt_bind(struct usbt *u, const struct uacd_usb_probe *p, const struct uacd_usb_io_ops *ops,
		   void *io, bool rebind, char *err, size_t errlen)
{
	struct bind_ctx c = {
		.p = p, .rebind = rebind, .err = err, .errlen = errlen,
		.format = u->spec.format, .rate = u->spec.rate,
	};
	int ret;

	u->ops = ops;
	u->io = io;
	u->devdesc = p->dev;
	u->bus = p->bus;
	u->address = p->address;
	ret = bind_select(u, &c);
	if (!ret)
		ret = bind_claim(u, &c);
	if (!ret)
		ret = bind_rates(u, &c);
	if (!ret)
		ret = bind_geometry(u, &c);
	if (ret)
		goto err_unbind;
	bind_fill_device(u, &c);
	ret = uacd_usbt_set_rate_hw(u, c.rate, err, errlen);
	if (!ret)
		ret = bind_transfers(u, &c);
	if (ret)
		goto err_unbind;
	bind_report(u, &c);
	return 0;

err_unbind:
	/* the steps leave what they took in u: give it all back here */
	if (u->ops) {
		uacd_usbt_release_all(u);
		uacd_usbt_free_transfers(u);
	}
	uacd_usbdesc_free(u->desc);
	u->desc = NULL;
	u->fn = NULL;
	u->ops = NULL;
	u->io = NULL;
	return ret;
}
