/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB Audio Class descriptor parser.
 *
 * The input is untrusted: it comes from a device (or a fuzzer), so every read
 * is bounded twice.  Pass 1 walks the descriptor chain once and checks that
 * every descriptor has bLength >= 2 and ends inside wTotalLength; after
 * that, a descriptor's own bytes [off, off + bLength) may be read, and each
 * type's parser checks bLength against the fields it reads (including
 * counted arrays such as baSourceID[bNrInPins] or tSamFreq[bSamFreqType])
 * before reading them.  Errors name the byte offset of the descriptor.
 *
 * Pass 1 also cuts the chain into interface blocks: an interface descriptor
 * and everything after it up to the next interface descriptor or interface
 * association.  Class-specific descriptors belong to the block they are in,
 * class-specific endpoint and SuperSpeed companion descriptors to the
 * endpoint before them.
 *
 * Audio functions: every AudioControl interface starts one.  Its
 * AudioStreaming interfaces are those its UAC1 header lists
 * (baInterfaceNr), or the interfaces of the interface association that
 * holds it (UAC2 requires one), or, for devices that have neither, the
 * AudioStreaming interfaces that follow it up to the next AudioControl
 * interface.  MIDI, HID, video and vendor interfaces (and vendor alt
 * settings inside an audio interface) are skipped and counted.
 *
 * Like the kernel, the parser tolerates what real devices get wrong and
 * what does not stop streaming: an AudioControl header wTotalLength that
 * disagrees with the real size (ignored: the interface block is used),
 * bNumEndpoints that disagrees with the endpoints present, descriptors
 * longer than their type needs, unknown subtypes, references to entities
 * that do not exist.  It refuses what cannot be parsed safely: truncated
 * chains, bLength 0 or 1, counted arrays longer than the descriptor, loops
 * in the unit or clock graph.
 *
 * Feedback, decided per playback alt setting in the spirit of the kernel's
 * sound/usb (endpoint sync rules and implicit.c):
 *  - explicit: a second isochronous IN endpoint in the alt setting with
 *    usage "feedback", or (UAC1, which predates usage bits) the one named by
 *    the data endpoint's bSynchAddress or any second IN endpoint.  Only an
 *    asynchronous playback endpoint (or adaptive capture) uses it, as in the
 *    kernel; a feedback endpoint beside a synchronous or adaptive playback
 *    endpoint is recorded (fb_ep) but fb_address stays 0;
 *  - implicit: an asynchronous playback endpoint without explicit feedback
 *    is paced by a capture data endpoint of the same function: the alt's
 *    own IN endpoint with usage "implicit feedback data", else a capture
 *    stream whose data endpoint has that usage, else a capture stream
 *    whose data endpoint is asynchronous (the kernel's generic rule).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-desc-private.h"

int usbdesc_fail(struct parser *p, uint32_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "offset %u: ", off);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int usbdesc_too_short(struct parser *p, uint32_t off, const char *what, unsigned bl, unsigned min)
{
	return usbdesc_fail(p, off, "%s bLength %u too short (min %u)", what, bl, min);
}

/* Grow *arr (of *nr elements of size sz) by one zeroed element. */
void *usbdesc_grow(void *arr_p, size_t *nr, size_t sz)
{
	void **arr = arr_p;
	void *n = realloc(*arr, (*nr + 1) * sz);

	if (!n)
		return NULL;
	*arr = n;
	memset((char *)n + *nr * sz, 0, sz);
	return (char *)n + (*nr)++ * sz;
}

/* ---- pass 1: the descriptor chain ---- */

static int walk_chain(struct parser *p)
{
	uint32_t off = p->b[0];
	struct ifblock *cur = NULL;

	while (off < p->len) {
		const uint8_t *d = p->b + off;
		uint8_t bl, type;

		if (p->len - off < 2)
			return usbdesc_fail(p, off, "truncated descriptor header (%u byte left)", p->len - off);
		bl = d[0];
		type = d[1];
		if (bl < 2)
			return usbdesc_fail(p, off, "descriptor bLength %u", bl);
		if (bl > p->len - off)
			return usbdesc_fail(p, off, "descriptor bLength %u runs past the end (%u bytes left)",
				    bl, p->len - off);
		if (type == DT_INTERFACE || type == DT_IAD) {
			if (cur)
				cur->end = off;
			cur = NULL;
		}
		if (type == DT_INTERFACE) {
			if (bl < 9)
				return usbdesc_fail(p, off, "interface descriptor bLength %u too short (min 9)", bl);
			cur = usbdesc_grow(&p->ifs, &p->nr_ifs, sizeof(*cur));
			if (!cur)
				return -ENOMEM;
			cur->off = off;
			cur->end = p->len;
			cur->num = d[2];
			cur->alt = d[3];
			cur->nep = d[4];
			cur->cls = d[5];
			cur->sub = d[6];
			cur->proto = d[7];
			cur->iad = -1;
		} else if (type == DT_IAD) {
			struct iad *a;

			if (bl < 8)
				return usbdesc_fail(p, off, "interface association bLength %u too short (min 8)", bl);
			a = usbdesc_grow(&p->iads, &p->nr_iads, sizeof(*a));
			if (!a)
				return -ENOMEM;
			a->off = off;
			a->first = d[2];
			a->count = d[3];
			a->cls = d[4];
			a->sub = d[5];
			a->proto = d[6];
		} else if (type == DT_ENDPOINT && bl < 7) {
			return usbdesc_fail(p, off, "endpoint descriptor bLength %u too short (min 7)", bl);
		}
		/* anything else (even a stray device/config descriptor) is skipped, as the kernel does */
		off += bl;
	}
	/* the last IAD (in chain order) whose range holds an interface owns it */
	for (size_t i = 0; i < p->nr_ifs; i++) {
		for (size_t j = 0; j < p->nr_iads; j++) {
			const struct iad *a = &p->iads[j];

			if (a->off < p->ifs[i].off && p->ifs[i].num >= a->first &&
			    p->ifs[i].num - a->first < a->count)
				p->ifs[i].iad = (int)j;
		}
	}
	return 0;
}

static bool list_has(const uint8_t *l, unsigned n, uint8_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (l[i] == v)
			return true;
	return false;
}

static int parse_function(struct parser *p, size_t ac_idx, struct uacd_usbdesc_function *f)
{
	struct ifblock *ac = &p->ifs[ac_idx];
	int err;

	f->ac_iface = ac->num;
	f->protocol = ac->proto;
	f->supported = true;
	if (ac->proto == PROTO_UAC3) {
		const struct iad *a = ac->iad >= 0 ? &p->iads[ac->iad] : NULL;

		f->uac_version = 3;
		f->supported = false;
		if (a && a->sub >= UAC3_FUNC_BADD_FIRST && a->sub <= UAC3_FUNC_BADD_LAST)
			snprintf(f->note, sizeof(f->note),
				 "UAC3 BADD function (profile 0x%02x): not supported", a->sub);
		else
			snprintf(f->note, sizeof(f->note), "UAC3 function: not supported");
		return 0;
	}
	f->uac_version = ac->proto == PROTO_UAC2 ? 2 : 1;
	if (ac->proto != PROTO_UAC1 && ac->proto != PROTO_UAC2)
		snprintf(f->note, sizeof(f->note),
			 "unknown AudioControl protocol 0x%02x, parsed as UAC1", ac->proto);

	for_each_desc(p, ac, off) {
		if (p->b[off + 1] != DT_CS_INTERFACE)
			continue;
		err = usbdesc_parse_ac_desc(p, f, off);
		if (err)
			return err;
	}
	err = usbdesc_check_graph(p, f);
	if (err)
		return err;

	/* which interfaces stream for this function */
	if (f->uac_version == 1 && f->nr_as_ifaces) {
		/* the header's list */
	} else if (ac->iad >= 0) {
		const struct iad *a = &p->iads[ac->iad];

		f->nr_as_ifaces = 0;
		for (unsigned n = a->first; n < (unsigned)a->first + a->count && n < 256; n++)
			if (n != ac->num && f->nr_as_ifaces < sizeof(f->as_ifaces))
				f->as_ifaces[f->nr_as_ifaces++] = (uint8_t)n;
	} else {
		for (size_t i = ac_idx + 1; i < p->nr_ifs; i++) {
			const struct ifblock *b = &p->ifs[i];

			if (b->cls == CLASS_AUDIO && b->sub == SUBCLASS_AC)
				break;
			if (b->cls == CLASS_AUDIO && b->sub == SUBCLASS_AS &&
			    !list_has(f->as_ifaces, f->nr_as_ifaces, b->num) &&
			    f->nr_as_ifaces < sizeof(f->as_ifaces))
				f->as_ifaces[f->nr_as_ifaces++] = b->num;
		}
	}
	for (unsigned i = 0; i < f->nr_as_ifaces; i++) {
		if (f->as_ifaces[i] == ac->num || list_has(f->as_ifaces, i, f->as_ifaces[i]))
			continue;
		err = usbdesc_parse_stream(p, f, f->as_ifaces[i]);
		if (err)
			return err;
	}
	for (unsigned s = 0; s < f->nr_streams; s++) {
		struct uacd_usbdesc_stream *st = &f->streams[s];

		if (st->dir == UACD_USBDESC_DIR_UNKNOWN)
			usbdesc_stream_dir_from_terminal(f, st);
		for (unsigned k = 0; k < st->nr_alts; k++) {
			struct uacd_usbdesc_alt *a = &st->alts[k];
			const struct uacd_usbdesc_entity *t;

			usbdesc_find_explicit_fb(a);
			if (f->uac_version == 2 && a->has_general) {
				t = uacd_usbdesc_find_entity(f, a->terminal_link);
				if (t && (t->type == UACD_USBDESC_INPUT_TERMINAL ||
					  t->type == UACD_USBDESC_OUTPUT_TERMINAL)) {
					a->clock_id = t->clock_id;
					a->clock_source_id = usbdesc_resolve_clock(f, t->clock_id);
				}
			}
		}
	}
	for (unsigned s = 0; s < f->nr_streams; s++)
		for (unsigned k = 0; k < f->streams[s].nr_alts; k++)
			usbdesc_find_implicit_fb(f, &f->streams[s], &f->streams[s].alts[k]);
	return 0;
}

static void free_function(struct uacd_usbdesc_function *f)
{
	for (unsigned i = 0; i < f->nr_entities; i++) {
		free(f->entities[i].sources);
		free(f->entities[i].controls);
	}
	free(f->entities);
	for (unsigned s = 0; s < f->nr_streams; s++)
		free(f->streams[s].alts);
	free(f->streams);
}

void uacd_usbdesc_free(struct uacd_usbdesc *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < d->nr_functions; i++)
		free_function(&d->functions[i]);
	free(d->functions);
	free(d);
}

int uacd_usbdesc_parse(const uint8_t *cfg, size_t len, struct uacd_usbdesc **out,
		       char *err, size_t errlen)
{
	struct parser p;
	struct uacd_usbdesc *d;
	int ret;

	memset(&p, 0, sizeof(p));
	p.b = cfg;
	p.err = err;
	p.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	if (!out || (!cfg && len))
		return -EINVAL;
	*out = NULL;
	if (len < 9)
		return usbdesc_fail(&p, 0, "configuration descriptor truncated (%zu bytes, need 9)", len);
	if (cfg[1] != DT_CONFIG)
		return usbdesc_fail(&p, 0, "bDescriptorType %u is not a configuration descriptor", cfg[1]);
	if (cfg[0] < 9)
		return usbdesc_fail(&p, 0, "configuration descriptor bLength %u too short (min 9)", cfg[0]);
	p.len = le16(cfg + 2);
	if (p.len < cfg[0])
		return usbdesc_fail(&p, 2, "wTotalLength %u shorter than the configuration descriptor", p.len);
	if (p.len > len)
		return usbdesc_fail(&p, 2, "wTotalLength %u but only %zu bytes given", p.len, len);

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	p.d = d;
	d->total_length = (uint16_t)p.len;
	d->num_interfaces = cfg[4];
	d->config_value = cfg[5];
	d->attributes = cfg[7];
	d->max_power = cfg[8];

	ret = walk_chain(&p);
	if (ret)
		goto err_free_model;
	for (size_t i = 0; i < p.nr_ifs; i++) {
		struct ifblock *blk = &p.ifs[i];
		struct uacd_usbdesc_function *f;
		size_t nf = d->nr_functions;

		if (blk->cls != CLASS_AUDIO || blk->sub != SUBCLASS_AC || blk->used)
			continue;
		/* later alt settings of the AudioControl interface add nothing */
		for (size_t j = i; j < p.nr_ifs; j++)
			if (p.ifs[j].num == blk->num)
				p.ifs[j].used = true;
		if (nf >= MAX_FUNCTIONS) {
			ret = usbdesc_fail(&p, blk->off, "more than %u audio functions", MAX_FUNCTIONS);
			goto err_free_model;
		}
		f = usbdesc_grow(&d->functions, &nf, sizeof(*f));
		if (!f) {
			ret = -ENOMEM;
			goto err_free_model;
		}
		d->nr_functions = (uint8_t)nf;
		ret = parse_function(&p, i, f);
		if (ret)
			goto err_free_model;
	}
	for (size_t i = 0; i < p.nr_ifs; i++)
		if (!p.ifs[i].used)
			d->nr_skipped++;
	free(p.ifs);
	free(p.iads);
	*out = d;
	return 0;

err_free_model:
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "out of memory");
	free(p.ifs);
	free(p.iads);
	uacd_usbdesc_free(d);
	return ret;
}

int uacd_usbdesc_parse_device(const uint8_t *b, size_t len, struct uacd_usbdesc_device *out,
			      char *err, size_t errlen)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	if (!out || (!b && len))
		return -EINVAL;
	if (len < 18)
		return usbdesc_fail(&p, 0, "device descriptor truncated (%zu bytes, need 18)", len);
	if (b[1] != DT_DEVICE)
		return usbdesc_fail(&p, 0, "bDescriptorType %u is not a device descriptor", b[1]);
	if (b[0] < 18)
		return usbdesc_fail(&p, 0, "device descriptor bLength %u too short (min 18)", b[0]);
	out->bcd_usb = le16(b + 2);
	out->device_class = b[4];
	out->device_subclass = b[5];
	out->device_protocol = b[6];
	out->max_packet0 = b[7];
	out->vendor_id = le16(b + 8);
	out->product_id = le16(b + 10);
	out->bcd_device = le16(b + 12);
	out->i_manufacturer = b[14];
	out->i_product = b[15];
	out->i_serial = b[16];
	out->num_configurations = b[17];
	return 0;
}

enum uacd_usb_speed uacd_usbdesc_infer_speed(const struct uacd_usbdesc_device *dev,
					     const struct uacd_usbdesc *d)
{
	bool v2 = false;

	if (dev && dev->bcd_usb < 0x0200)
		return UACD_USB_SPEED_FULL;
	if (!d)
		return dev ? UACD_USB_SPEED_FULL : UACD_USB_SPEED_UNKNOWN;
	if (d->has_ss_companions)
		return UACD_USB_SPEED_SUPER;
	for (unsigned i = 0; i < d->nr_functions; i++) {
		const struct uacd_usbdesc_function *f = &d->functions[i];

		if (f->uac_version >= 2)
			v2 = true;
		for (unsigned s = 0; s < f->nr_streams; s++) {
			for (unsigned k = 0; k < f->streams[s].nr_alts; k++) {
				const struct uacd_usbdesc_alt *a = &f->streams[s].alts[k];

				for (unsigned e = 0; e < a->nr_eps; e++) {
					const struct uacd_usbdesc_endpoint *ep = &a->eps[e];

					if (ep->transfer != 1)
						continue;
					if (ep->mult > 1 || ep->max_packet > 1023)
						return UACD_USB_SPEED_HIGH;
					/* UAC1 full-speed data endpoints must have bInterval 1 */
					if ((int)e == a->data_ep && ep->interval > 1)
						return UACD_USB_SPEED_HIGH;
				}
			}
		}
	}
	return v2 ? UACD_USB_SPEED_HIGH : UACD_USB_SPEED_FULL;
}

uint32_t uacd_usbdesc_interval_us(uint8_t b_interval, enum uacd_usb_speed speed)
{
	if (b_interval < 1 || b_interval > 16)
		return 0;
	if (speed == UACD_USB_SPEED_HIGH || speed == UACD_USB_SPEED_SUPER)
		return 125u << (b_interval - 1);
	return 1000u << (b_interval - 1);
}

uint32_t uacd_usbdesc_ep_bytes_per_interval(const struct uacd_usbdesc_endpoint *ep)
{
	if (ep->has_ss)
		return ep->ss_bytes_per_interval;
	return (uint32_t)ep->max_packet * ep->mult;
}

const char *uacd_usbdesc_sync_name(enum uacd_usbdesc_sync s)
{
	switch (s) {
	case UACD_USBDESC_SYNC_NONE: return "none";
	case UACD_USBDESC_SYNC_ASYNC: return "async";
	case UACD_USBDESC_SYNC_ADAPTIVE: return "adaptive";
	case UACD_USBDESC_SYNC_SYNC: return "sync";
	}
	return "?";
}

const char *uacd_usbdesc_usage_name(enum uacd_usbdesc_usage u)
{
	switch (u) {
	case UACD_USBDESC_USAGE_DATA: return "data";
	case UACD_USBDESC_USAGE_FEEDBACK: return "feedback";
	case UACD_USBDESC_USAGE_IMPLICIT_FB: return "implicit-feedback-data";
	case UACD_USBDESC_USAGE_RESERVED: return "reserved";
	}
	return "?";
}

const char *uacd_usbdesc_dir_name(enum uacd_usbdesc_dir d)
{
	switch (d) {
	case UACD_USBDESC_DIR_PLAYBACK: return "playback";
	case UACD_USBDESC_DIR_CAPTURE: return "capture";
	case UACD_USBDESC_DIR_UNKNOWN: return "unknown";
	}
	return "?";
}

const char *uacd_usbdesc_speed_name(enum uacd_usb_speed s)
{
	switch (s) {
	case UACD_USB_SPEED_LOW: return "low";
	case UACD_USB_SPEED_FULL: return "full";
	case UACD_USB_SPEED_HIGH: return "high";
	case UACD_USB_SPEED_SUPER: return "super";
	case UACD_USB_SPEED_UNKNOWN: return "unknown";
	}
	return "?";
}

const char *uacd_usbdesc_entity_name(enum uacd_usbdesc_entity_type t)
{
	switch (t) {
	case UACD_USBDESC_INPUT_TERMINAL: return "input terminal";
	case UACD_USBDESC_OUTPUT_TERMINAL: return "output terminal";
	case UACD_USBDESC_MIXER_UNIT: return "mixer unit";
	case UACD_USBDESC_SELECTOR_UNIT: return "selector unit";
	case UACD_USBDESC_FEATURE_UNIT: return "feature unit";
	case UACD_USBDESC_PROCESSING_UNIT: return "processing unit";
	case UACD_USBDESC_EXTENSION_UNIT: return "extension unit";
	case UACD_USBDESC_EFFECT_UNIT: return "effect unit";
	case UACD_USBDESC_CLOCK_SOURCE: return "clock source";
	case UACD_USBDESC_CLOCK_SELECTOR: return "clock selector";
	case UACD_USBDESC_CLOCK_MULTIPLIER: return "clock multiplier";
	case UACD_USBDESC_SAMPLE_RATE_CONVERTER: return "sample rate converter";
	}
	return "entity";
}
