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

#include "engine/usb/usb-descriptors.h"

#define DT_DEVICE		0x01
#define DT_CONFIG		0x02
#define DT_INTERFACE		0x04
#define DT_ENDPOINT		0x05
#define DT_IAD			0x0b
#define DT_CS_INTERFACE		0x24
#define DT_CS_ENDPOINT		0x25
#define DT_SS_EP_COMPANION	0x30

#define CLASS_AUDIO		0x01
#define SUBCLASS_AC		0x01
#define SUBCLASS_AS		0x02

#define PROTO_UAC1		0x00
#define PROTO_UAC2		0x20
#define PROTO_UAC3		0x30

/* UAC3 BADD profiles are IAD function subclasses 0x21..0x26 */
#define UAC3_FUNC_BADD_FIRST	0x21
#define UAC3_FUNC_BADD_LAST	0x26

/* class-specific AC subtypes */
#define AC_HEADER		0x01
#define AC_INPUT_TERMINAL	0x02
#define AC_OUTPUT_TERMINAL	0x03
#define AC_MIXER_UNIT		0x04
#define AC_SELECTOR_UNIT	0x05
#define AC_FEATURE_UNIT		0x06
#define AC1_PROCESSING_UNIT	0x07
#define AC1_EXTENSION_UNIT	0x08
#define AC2_EFFECT_UNIT		0x07
#define AC2_PROCESSING_UNIT	0x08
#define AC2_EXTENSION_UNIT	0x09
#define AC2_CLOCK_SOURCE	0x0a
#define AC2_CLOCK_SELECTOR	0x0b
#define AC2_CLOCK_MULTIPLIER	0x0c
#define AC2_SRC_UNIT		0x0d

#define AS_GENERAL		0x01
#define AS_FORMAT_TYPE		0x02
#define EP_GENERAL		0x01

#define FORMAT_TYPE_I		0x01

/* UAC1 wFormatTag values of type I */
#define UAC1_PCM		0x0001
#define UAC1_PCM8		0x0002
#define UAC1_IEEE_FLOAT		0x0003
#define UAC1_ALAW		0x0004
#define UAC1_MULAW		0x0005

/* UAC2 bmFormats bits of type I */
#define UAC2_PCM		(1u << 0)
#define UAC2_PCM8		(1u << 1)
#define UAC2_IEEE_FLOAT		(1u << 2)
#define UAC2_ALAW		(1u << 3)
#define UAC2_MULAW		(1u << 4)

#define MAX_FUNCTIONS		32u

struct ifblock {
	uint32_t off;		/* interface descriptor */
	uint32_t end;		/* first byte after the block */
	uint8_t num, alt, nep, cls, sub, proto;
	int iad;		/* index in iads, -1 = none */
	bool used;
};

struct iad {
	uint32_t off;
	uint8_t first, count, cls, sub, proto;
};

struct parser {
	const uint8_t *b;
	uint32_t len;		/* wTotalLength, <= input length */
	char *err;
	size_t errlen;
	struct uacd_usbdesc *d;
	struct ifblock *ifs;
	size_t nr_ifs;
	struct iad *iads;
	size_t nr_iads;
};

static int fail(struct parser *p, uint32_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, uint32_t off, const char *fmt, ...)
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

static uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static uint32_t le24(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
}

static uint32_t le32(const uint8_t *b)
{
	return le24(b) | (uint32_t)b[3] << 24;
}

/* Grow *arr (of *nr elements of size sz) by one zeroed element. */
static void *grow(void *arr_p, size_t *nr, size_t sz)
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
			return fail(p, off, "truncated descriptor header (%u byte left)", p->len - off);
		bl = d[0];
		type = d[1];
		if (bl < 2)
			return fail(p, off, "descriptor bLength %u", bl);
		if (bl > p->len - off)
			return fail(p, off, "descriptor bLength %u runs past the end (%u bytes left)",
				    bl, p->len - off);
		if (type == DT_INTERFACE || type == DT_IAD) {
			if (cur)
				cur->end = off;
			cur = NULL;
		}
		if (type == DT_INTERFACE) {
			if (bl < 9)
				return fail(p, off, "interface descriptor bLength %u too short (min 9)", bl);
			cur = grow(&p->ifs, &p->nr_ifs, sizeof(*cur));
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
				return fail(p, off, "interface association bLength %u too short (min 8)", bl);
			a = grow(&p->iads, &p->nr_iads, sizeof(*a));
			if (!a)
				return -ENOMEM;
			a->off = off;
			a->first = d[2];
			a->count = d[3];
			a->cls = d[4];
			a->sub = d[5];
			a->proto = d[6];
		} else if (type == DT_ENDPOINT && bl < 7) {
			return fail(p, off, "endpoint descriptor bLength %u too short (min 7)", bl);
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

/* Iterate the descriptors of an interface block after the interface descriptor. */
#define for_each_desc(p, blk, off) \
	for (uint32_t off = (blk)->off + (p)->b[(blk)->off]; off < (blk)->end; off += (p)->b[off])

/* ---- AudioControl ---- */

static int set_sources(struct uacd_usbdesc_entity *e, const uint8_t *src, unsigned n)
{
	e->nr_sources = (uint8_t)n;
	if (!n)
		return 0;
	e->sources = malloc(n);
	if (!e->sources)
		return -ENOMEM;
	memcpy(e->sources, src, n);
	return 0;
}

static int too_short(struct parser *p, uint32_t off, const char *what, unsigned bl, unsigned min)
{
	return fail(p, off, "%s bLength %u too short (min %u)", what, bl, min);
}

static int parse_feature_unit(struct parser *p, uint32_t off, int v2, struct uacd_usbdesc_entity *e)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0], csize, n;
	uint8_t src = d[4];

	if (bl < (v2 ? 6u : 7u))
		return too_short(p, off, "feature unit", bl, v2 ? 6 : 7);
	if (v2) {
		csize = 4;
		n = (bl - 6) / 4;
	} else {
		csize = d[5];
		if (!csize)
			return fail(p, off, "feature unit %u bControlSize 0", d[3]);
		n = (bl - 7) / csize;
	}
	if (n == 0)
		return fail(p, off, "feature unit %u has no master controls", d[3]);
	e->nr_ctl_channels = (uint8_t)(n - 1 > 255 ? 255 : n - 1);
	e->controls = calloc(2 * ((size_t)e->nr_ctl_channels + 1), sizeof(*e->controls));
	if (!e->controls)
		return -ENOMEM;
	e->writable = e->controls + e->nr_ctl_channels + 1;
	for (unsigned ch = 0; ch <= e->nr_ctl_channels; ch++) {
		const uint8_t *c = d + (v2 ? 5 : 6) + ch * csize;
		uint32_t bits = 0, rw = 0;

		if (v2) {
			/* UAC2: two bits per control (01 read-only, 11 read/write), same order as UAC1 */
			uint32_t raw = le32(c);

			for (unsigned k = 0; k < 16; k++) {
				if (raw >> (2 * k) & 3)
					bits |= 1u << k;
				if ((raw >> (2 * k) & 3) == 3)
					rw |= 1u << k;
			}
		} else {
			for (unsigned k = 0; k < csize && k < 4; k++)
				bits |= (uint32_t)c[k] << (8 * k);
			rw = bits;
		}
		e->controls[ch] = bits;
		e->writable[ch] = rw;
	}
	return set_sources(e, &src, 1);
}

/*
 * Units with bNrInPins at byte pin_at followed by baSourceID[]; `fixed` is
 * the bytes the caller reads besides the sources (only those are required,
 * as a tolerant host does).
 */
static int parse_pins(struct parser *p, uint32_t off, const char *what, unsigned pin_at,
		      unsigned fixed, struct uacd_usbdesc_entity *e)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0], n;

	if (bl < pin_at + 1)
		return too_short(p, off, what, bl, pin_at + 1);
	n = d[pin_at];
	if (bl < fixed + n)
		return fail(p, off, "%s %u: bNrInPins %u needs bLength >= %u, got %u",
			    what, d[3], n, fixed + n, bl);
	return set_sources(e, d + pin_at + 1, n);
}

static int parse_ac_desc(struct parser *p, struct uacd_usbdesc_function *f, uint32_t off)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0];
	int v2 = f->uac_version == 2;
	struct uacd_usbdesc_entity *e;
	size_t nr = f->nr_entities;
	int err;

	if (bl < 3)
		return fail(p, off, "class-specific AudioControl descriptor bLength %u too short (min 3)", bl);
	if (d[2] == AC_HEADER) {
		if (bl < (v2 ? 9u : 8u))
			return too_short(p, off, "AudioControl header", bl, v2 ? 9 : 8);
		f->bcd_adc = le16(d + 3);
		if (!v2) {
			unsigned n = d[7];

			if (bl < 8 + n)
				return fail(p, off, "AudioControl header bInCollection %u needs bLength >= %u, got %u",
					    n, 8 + n, bl);
			for (unsigned i = 0; i < n && f->nr_as_ifaces < sizeof(f->as_ifaces); i++)
				f->as_ifaces[f->nr_as_ifaces++] = d[8 + i];
		}
		return 0;
	}
	if (d[2] > (v2 ? AC2_SRC_UNIT : AC1_EXTENSION_UNIT) || bl < 4)
		return 0;	/* unknown subtype: skip, as the kernel does */
	e = grow(&f->entities, &nr, sizeof(*e));
	if (!e)
		return -ENOMEM;
	f->nr_entities = (uint16_t)nr;
	e->offset = off;
	e->id = d[3];
	switch (d[2]) {
	case AC_INPUT_TERMINAL:
		e->type = UACD_USBDESC_INPUT_TERMINAL;
		if (bl < (v2 ? 17u : 12u))
			return too_short(p, off, "input terminal", bl, v2 ? 17 : 12);
		e->terminal_type = le16(d + 4);
		e->assoc_terminal = d[6];
		if (v2) {
			e->clock_id = d[7];
			e->channels = d[8];
			e->channel_config = le32(d + 9);
			e->bm_controls = le16(d + 14);
		} else {
			e->channels = d[7];
			e->channel_config = le16(d + 8);
		}
		return 0;
	case AC_OUTPUT_TERMINAL:
		e->type = UACD_USBDESC_OUTPUT_TERMINAL;
		if (bl < (v2 ? 12u : 9u))
			return too_short(p, off, "output terminal", bl, v2 ? 12 : 9);
		e->terminal_type = le16(d + 4);
		e->assoc_terminal = d[6];
		if (v2) {
			e->clock_id = d[8];
			e->bm_controls = le16(d + 9);
		}
		return set_sources(e, d + 7, 1);
	case AC_MIXER_UNIT:
		e->type = UACD_USBDESC_MIXER_UNIT;
		err = parse_pins(p, off, "mixer unit", 4, v2 ? 10 : 8, e);
		if (err)
			return err;
		e->channels = d[5 + e->nr_sources];
		e->channel_config = v2 ? le32(d + 6 + e->nr_sources) : le16(d + 6 + e->nr_sources);
		return 0;
	case AC_SELECTOR_UNIT:
		e->type = UACD_USBDESC_SELECTOR_UNIT;
		return parse_pins(p, off, "selector unit", 4, 5, e);
	case AC_FEATURE_UNIT:
		e->type = UACD_USBDESC_FEATURE_UNIT;
		return parse_feature_unit(p, off, v2, e);
	default:
		break;
	}
	if (!v2) {
		e->type = d[2] == AC1_PROCESSING_UNIT ? UACD_USBDESC_PROCESSING_UNIT
						      : UACD_USBDESC_EXTENSION_UNIT;
		if (bl < 7)
			return too_short(p, off, "processing/extension unit", bl, 7);
		e->process_type = le16(d + 4);
		return parse_pins(p, off, "processing/extension unit", 6, 7, e);
	}
	switch (d[2]) {
	case AC2_EFFECT_UNIT:
		e->type = UACD_USBDESC_EFFECT_UNIT;
		if (bl < 7)
			return too_short(p, off, "effect unit", bl, 7);
		e->process_type = le16(d + 4);
		return set_sources(e, d + 6, 1);
	case AC2_PROCESSING_UNIT:
	case AC2_EXTENSION_UNIT:
		e->type = d[2] == AC2_PROCESSING_UNIT ? UACD_USBDESC_PROCESSING_UNIT
						      : UACD_USBDESC_EXTENSION_UNIT;
		if (bl < 7)
			return too_short(p, off, "processing/extension unit", bl, 7);
		e->process_type = le16(d + 4);
		return parse_pins(p, off, "processing/extension unit", 6, 7, e);
	case AC2_CLOCK_SOURCE:
		e->type = UACD_USBDESC_CLOCK_SOURCE;
		if (bl < 8)
			return too_short(p, off, "clock source", bl, 8);
		e->attributes = d[4];
		e->bm_controls = d[5];
		e->assoc_terminal = d[6];
		return 0;
	case AC2_CLOCK_SELECTOR:
		e->type = UACD_USBDESC_CLOCK_SELECTOR;
		err = parse_pins(p, off, "clock selector", 4, 6, e);
		if (err)
			return err;
		e->bm_controls = d[5 + e->nr_sources];
		return 0;
	case AC2_CLOCK_MULTIPLIER:
		e->type = UACD_USBDESC_CLOCK_MULTIPLIER;
		if (bl < 7)
			return too_short(p, off, "clock multiplier", bl, 7);
		e->clock_id = d[4];
		e->bm_controls = d[5];
		return set_sources(e, d + 4, 1);
	case AC2_SRC_UNIT:
		e->type = UACD_USBDESC_SAMPLE_RATE_CONVERTER;
		if (bl < 8)
			return too_short(p, off, "sample rate converter", bl, 8);
		return set_sources(e, d + 4, 1);
	default:
		return 0;
	}
}

/*
 * Depth-first search over entity IDs following sources (audio inputs, clock
 * inputs).  IDs are one namespace per AudioControl interface, so the graph
 * has at most 255 nodes and the recursion is that deep at most.
 */
struct graph {
	const struct uacd_usbdesc_function *f;
	int16_t idx[256];	/* ID -> first entity index, -1 = none */
	uint8_t color[256];	/* 0 new, 1 on the stack, 2 done */
};

static int dfs(struct parser *p, struct graph *g, uint8_t id)
{
	const struct uacd_usbdesc_entity *e;

	if (g->idx[id] < 0 || g->color[id] == 2)
		return 0;
	e = &g->f->entities[g->idx[id]];
	if (g->color[id] == 1) {
		bool clock = e->type == UACD_USBDESC_CLOCK_SELECTOR ||
			     e->type == UACD_USBDESC_CLOCK_MULTIPLIER ||
			     e->type == UACD_USBDESC_CLOCK_SOURCE;

		return fail(p, e->offset, "loop in the %s graph through %s %u",
			    clock ? "clock" : "unit", uacd_usbdesc_entity_name(e->type), id);
	}
	g->color[id] = 1;
	for (unsigned i = 0; i < e->nr_sources; i++) {
		int err = dfs(p, g, e->sources[i]);

		if (err)
			return err;
	}
	g->color[id] = 2;
	return 0;
}

static int check_graph(struct parser *p, const struct uacd_usbdesc_function *f)
{
	struct graph g;

	memset(&g, 0, sizeof(g));
	g.f = f;
	for (unsigned i = 0; i < 256; i++)
		g.idx[i] = -1;
	for (unsigned i = 0; i < f->nr_entities; i++)
		if (f->entities[i].id && g.idx[f->entities[i].id] < 0)
			g.idx[f->entities[i].id] = (int16_t)i;
	for (unsigned id = 1; id < 256; id++) {
		int err = dfs(p, &g, (uint8_t)id);

		if (err)
			return err;
	}
	return 0;
}

const struct uacd_usbdesc_entity *uacd_usbdesc_find_entity(const struct uacd_usbdesc_function *f,
							   uint8_t id)
{
	if (!f || !id)
		return NULL;
	for (unsigned i = 0; i < f->nr_entities; i++)
		if (f->entities[i].id == id)
			return &f->entities[i];
	return NULL;
}

/* Follow selectors (first input) and multipliers to a clock source; 0 if none. */
static uint8_t resolve_clock(const struct uacd_usbdesc_function *f, uint8_t id)
{
	for (unsigned hops = 0; hops < 256; hops++) {
		const struct uacd_usbdesc_entity *e = uacd_usbdesc_find_entity(f, id);

		if (!e)
			return 0;
		if (e->type == UACD_USBDESC_CLOCK_SOURCE)
			return id;
		if ((e->type != UACD_USBDESC_CLOCK_SELECTOR &&
		     e->type != UACD_USBDESC_CLOCK_MULTIPLIER) || !e->nr_sources)
			return 0;
		id = e->sources[0];
	}
	return 0;
}

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
		return too_short(p, off, "format type descriptor", bl, 4);
	a->format_type = d[3];
	if (d[3] != FORMAT_TYPE_I && d[3] != 3)
		return 0;	/* type II (compressed) and others: recorded, not streamed */
	if (v2) {
		if (bl < 6)
			return too_short(p, off, "format type descriptor", bl, 6);
		a->subslot = d[4];
		a->bit_resolution = d[5];
		return 0;
	}
	if (bl < 8)
		return too_short(p, off, "format type descriptor", bl, 8);
	a->channels = d[4];
	a->subslot = d[5];
	a->bit_resolution = d[6];
	t = d[7];
	if (t == 0) {
		if (bl < 14)
			return fail(p, off, "continuous sample rate range needs bLength >= 14, got %u", bl);
		a->rate_continuous = true;
		a->rate_min = le24(d + 8);
		a->rate_max = le24(d + 11);
		return 0;
	}
	if (bl < 8 + 3 * t)
		return fail(p, off, "bSamFreqType %u needs bLength >= %u, got %u", t, 8 + 3 * t, bl);
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
				return too_short(p, off, "AS_GENERAL", bl, v2 ? 16 : 7);
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
				return too_short(p, off, "class-specific endpoint descriptor", bl, v2 ? 8 : 7);
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
				return too_short(p, off, "SuperSpeed endpoint companion", bl, 6);
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
static void find_explicit_fb(struct uacd_usbdesc_alt *a)
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

static void find_implicit_fb(struct uacd_usbdesc_function *f, const struct uacd_usbdesc_stream *own,
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

static int parse_stream(struct parser *p, struct uacd_usbdesc_function *f, uint8_t num)
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

			st = grow(&f->streams, &ns, sizeof(*st));
			if (!st)
				return -ENOMEM;
			f->nr_streams = (uint8_t)ns;
			st->iface = num;
		}
		nr = st->nr_alts;
		if (nr >= 255)
			return fail(p, blk->off, "interface %u has more than 255 alternate settings", num);
		a = grow(&st->alts, &nr, sizeof(*a));
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
static void stream_dir_from_terminal(struct uacd_usbdesc_function *f, struct uacd_usbdesc_stream *st)
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
		err = parse_ac_desc(p, f, off);
		if (err)
			return err;
	}
	err = check_graph(p, f);
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
		err = parse_stream(p, f, f->as_ifaces[i]);
		if (err)
			return err;
	}
	for (unsigned s = 0; s < f->nr_streams; s++) {
		struct uacd_usbdesc_stream *st = &f->streams[s];

		if (st->dir == UACD_USBDESC_DIR_UNKNOWN)
			stream_dir_from_terminal(f, st);
		for (unsigned k = 0; k < st->nr_alts; k++) {
			struct uacd_usbdesc_alt *a = &st->alts[k];
			const struct uacd_usbdesc_entity *t;

			find_explicit_fb(a);
			if (f->uac_version == 2 && a->has_general) {
				t = uacd_usbdesc_find_entity(f, a->terminal_link);
				if (t && (t->type == UACD_USBDESC_INPUT_TERMINAL ||
					  t->type == UACD_USBDESC_OUTPUT_TERMINAL)) {
					a->clock_id = t->clock_id;
					a->clock_source_id = resolve_clock(f, t->clock_id);
				}
			}
		}
	}
	for (unsigned s = 0; s < f->nr_streams; s++)
		for (unsigned k = 0; k < f->streams[s].nr_alts; k++)
			find_implicit_fb(f, &f->streams[s], &f->streams[s].alts[k]);
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
		return fail(&p, 0, "configuration descriptor truncated (%zu bytes, need 9)", len);
	if (cfg[1] != DT_CONFIG)
		return fail(&p, 0, "bDescriptorType %u is not a configuration descriptor", cfg[1]);
	if (cfg[0] < 9)
		return fail(&p, 0, "configuration descriptor bLength %u too short (min 9)", cfg[0]);
	p.len = le16(cfg + 2);
	if (p.len < cfg[0])
		return fail(&p, 2, "wTotalLength %u shorter than the configuration descriptor", p.len);
	if (p.len > len)
		return fail(&p, 2, "wTotalLength %u but only %zu bytes given", p.len, len);

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
			ret = fail(&p, blk->off, "more than %u audio functions", MAX_FUNCTIONS);
			goto err_free_model;
		}
		f = grow(&d->functions, &nf, sizeof(*f));
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
		return fail(&p, 0, "device descriptor truncated (%zu bytes, need 18)", len);
	if (b[1] != DT_DEVICE)
		return fail(&p, 0, "bDescriptorType %u is not a device descriptor", b[1]);
	if (b[0] < 18)
		return fail(&p, 0, "device descriptor bLength %u too short (min 18)", b[0]);
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
