/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The descriptor parser, AudioControl part: terminals, units and clocks of
 * one audio function, the check that their graph has no loop, and clock
 * resolution.  The bounds rules are those of usb-descriptors.c (its top
 * comment): each parser checks bLength against the fields it reads.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-desc-private.h"

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

static int parse_feature_unit(struct parser *p, uint32_t off, int v2, struct uacd_usbdesc_entity *e)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0], csize, n;
	uint8_t src = d[4];

	if (bl < (v2 ? 6u : 7u))
		return usbdesc_too_short(p, off, "feature unit", bl, v2 ? 6 : 7);
	if (v2) {
		csize = 4;
		n = (bl - 6) / 4;
	} else {
		csize = d[5];
		if (!csize)
			return usbdesc_fail(p, off, "feature unit %u bControlSize 0", d[3]);
		n = (bl - 7) / csize;
	}
	if (n == 0)
		return usbdesc_fail(p, off, "feature unit %u has no master controls", d[3]);
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
		return usbdesc_too_short(p, off, what, bl, pin_at + 1);
	n = d[pin_at];
	if (bl < fixed + n)
		return usbdesc_fail(p, off, "%s %u: bNrInPins %u needs bLength >= %u, got %u",
			    what, d[3], n, fixed + n, bl);
	return set_sources(e, d + pin_at + 1, n);
}

/* The AudioControl header: the ADC version, and (UAC1) the streaming interfaces. */
static int parse_ac_header(struct parser *p, struct uacd_usbdesc_function *f, uint32_t off)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0];
	int v2 = f->uac_version == 2;

	if (bl < (v2 ? 9u : 8u))
		return usbdesc_too_short(p, off, "AudioControl header", bl, v2 ? 9 : 8);
	f->bcd_adc = le16(d + 3);
	if (!v2) {
		unsigned n = d[7];

		if (bl < 8 + n)
			return usbdesc_fail(p, off, "AudioControl header bInCollection %u needs bLength >= %u, got %u",
				    n, 8 + n, bl);
		for (unsigned i = 0; i < n && f->nr_as_ifaces < sizeof(f->as_ifaces); i++)
			f->as_ifaces[f->nr_as_ifaces++] = d[8 + i];
	}
	return 0;
}

/* UAC1 processing and extension units. */
static int parse_ac1_unit(struct parser *p, uint32_t off, struct uacd_usbdesc_entity *e)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0];

	e->type = d[2] == AC1_PROCESSING_UNIT ? UACD_USBDESC_PROCESSING_UNIT
					      : UACD_USBDESC_EXTENSION_UNIT;
	if (bl < 7)
		return usbdesc_too_short(p, off, "processing/extension unit", bl, 7);
	e->process_type = le16(d + 4);
	return parse_pins(p, off, "processing/extension unit", 6, 7, e);
}

/* The UAC2 entities beyond UAC1's: effect, processing, extension units, clocks, SRC. */
static int parse_ac2_unit(struct parser *p, uint32_t off, struct uacd_usbdesc_entity *e)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0];
	int err;

	switch (d[2]) {
	case AC2_EFFECT_UNIT:
		e->type = UACD_USBDESC_EFFECT_UNIT;
		if (bl < 7)
			return usbdesc_too_short(p, off, "effect unit", bl, 7);
		e->process_type = le16(d + 4);
		return set_sources(e, d + 6, 1);
	case AC2_PROCESSING_UNIT:
	case AC2_EXTENSION_UNIT:
		e->type = d[2] == AC2_PROCESSING_UNIT ? UACD_USBDESC_PROCESSING_UNIT
						      : UACD_USBDESC_EXTENSION_UNIT;
		if (bl < 7)
			return usbdesc_too_short(p, off, "processing/extension unit", bl, 7);
		e->process_type = le16(d + 4);
		return parse_pins(p, off, "processing/extension unit", 6, 7, e);
	case AC2_CLOCK_SOURCE:
		e->type = UACD_USBDESC_CLOCK_SOURCE;
		if (bl < 8)
			return usbdesc_too_short(p, off, "clock source", bl, 8);
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
			return usbdesc_too_short(p, off, "clock multiplier", bl, 7);
		e->clock_id = d[4];
		e->bm_controls = d[5];
		return set_sources(e, d + 4, 1);
	case AC2_SRC_UNIT:
		e->type = UACD_USBDESC_SAMPLE_RATE_CONVERTER;
		if (bl < 8)
			return usbdesc_too_short(p, off, "sample rate converter", bl, 8);
		return set_sources(e, d + 4, 1);
	default:
		return 0;
	}
}

/* Terminals and the units UAC1 and UAC2 share. */
static int parse_ac_entity(struct parser *p, uint32_t off, int v2, struct uacd_usbdesc_entity *e)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0];
	int err;

	switch (d[2]) {
	case AC_INPUT_TERMINAL:
		e->type = UACD_USBDESC_INPUT_TERMINAL;
		if (bl < (v2 ? 17u : 12u))
			return usbdesc_too_short(p, off, "input terminal", bl, v2 ? 17 : 12);
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
			return usbdesc_too_short(p, off, "output terminal", bl, v2 ? 12 : 9);
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
	return v2 ? parse_ac2_unit(p, off, e) : parse_ac1_unit(p, off, e);
}

int usbdesc_parse_ac_desc(struct parser *p, struct uacd_usbdesc_function *f, uint32_t off)
{
	const uint8_t *d = p->b + off;
	unsigned bl = d[0];
	int v2 = f->uac_version == 2;
	struct uacd_usbdesc_entity *e;
	size_t nr = f->nr_entities;

	if (bl < 3)
		return usbdesc_fail(p, off, "class-specific AudioControl descriptor bLength %u too short (min 3)", bl);
	if (d[2] == AC_HEADER)
		return parse_ac_header(p, f, off);
	if (d[2] > (v2 ? AC2_SRC_UNIT : AC1_EXTENSION_UNIT) || bl < 4)
		return 0;	/* unknown subtype: skip, as the kernel does */
	e = usbdesc_grow(&f->entities, &nr, sizeof(*e));
	if (!e)
		return -ENOMEM;
	f->nr_entities = (uint16_t)nr;
	e->offset = off;
	e->id = d[3];
	return parse_ac_entity(p, off, v2, e);
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

		return usbdesc_fail(p, e->offset, "loop in the %s graph through %s %u",
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

int usbdesc_check_graph(struct parser *p, const struct uacd_usbdesc_function *f)
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

/*
 * The spatial positions of an alt setting's channels, as UAC2 bmChannelConfig
 * bits (UAC1's wChannelConfig has the same first 12).  UAC2 says it in
 * AS_GENERAL; UAC1 in the cluster of the terminal the interface links to:
 * a playback interface's input terminal has one, a capture interface's
 * output terminal carries its source's, so follow feature and selector
 * units (which pass the cluster through) up to a terminal or mixer unit.
 * 0 when the descriptors declare none.
 */
uint32_t uacd_usbdesc_alt_chmap(const struct uacd_usbdesc_function *f,
				const struct uacd_usbdesc_alt *a)
{
	const struct uacd_usbdesc_entity *e;
	unsigned depth;

	if (!a)
		return 0;
	if (a->channel_config)
		return a->channel_config;
	e = uacd_usbdesc_find_entity(f, a->terminal_link);
	for (depth = 0; e && depth < 16; depth++) {
		switch (e->type) {
		case UACD_USBDESC_INPUT_TERMINAL:
		case UACD_USBDESC_MIXER_UNIT:
			return e->channel_config;
		case UACD_USBDESC_OUTPUT_TERMINAL:
		case UACD_USBDESC_FEATURE_UNIT:
		case UACD_USBDESC_SELECTOR_UNIT:
			e = e->nr_sources ? uacd_usbdesc_find_entity(f, e->sources[0]) : NULL;
			break;
		default:
			return 0;
		}
	}
	return 0;
}

/* Follow selectors (first input) and multipliers to a clock source; 0 if none. */
uint8_t usbdesc_resolve_clock(const struct uacd_usbdesc_function *f, uint8_t id)
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
