/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the descriptor parser (usb-descriptors.c, the chain and the
 * functions; usb-desc-ac.c, AudioControl; usb-desc-as.c, AudioStreaming and
 * feedback): descriptor codes, the parser state and what one part calls in
 * another.  Not for use outside those files; the model is usb-descriptors.h.
 */
#ifndef UACD_USB_DESC_PRIVATE_H
#define UACD_USB_DESC_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Message "offset OFF: ..." into p->err; returns -EINVAL. */
int usbdesc_fail(struct parser *p, uint32_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "WHAT bLength BL too short (min MIN)"; returns -EINVAL. */
int usbdesc_too_short(struct parser *p, uint32_t off, const char *what, unsigned bl, unsigned min);
/* Grow *arr (of *nr elements of size sz) by one zeroed element; NULL if out of memory. */
void *usbdesc_grow(void *arr_p, size_t *nr, size_t sz);

static inline uint16_t le16(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static inline uint32_t le24(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
}

static inline uint32_t le32(const uint8_t *b)
{
	return le24(b) | (uint32_t)b[3] << 24;
}

/* Iterate the descriptors of an interface block after the interface descriptor. */
#define for_each_desc(p, blk, off) \
	for (uint32_t off = (blk)->off + (p)->b[(blk)->off]; off < (blk)->end; off += (p)->b[off])

/* usb-desc-ac.c: one class-specific AudioControl descriptor at off. */
int usbdesc_parse_ac_desc(struct parser *p, struct uacd_usbdesc_function *f, uint32_t off);
/* usb-desc-ac.c: -EINVAL with the message on a loop in the unit or clock graph. */
int usbdesc_check_graph(struct parser *p, const struct uacd_usbdesc_function *f);
/* usb-desc-ac.c: follow selectors (first input) and multipliers to a clock source; 0 if none. */
uint8_t usbdesc_resolve_clock(const struct uacd_usbdesc_function *f, uint8_t id);

/* usb-desc-as.c: every alt setting of AudioStreaming interface num into f. */
int usbdesc_parse_stream(struct parser *p, struct uacd_usbdesc_function *f, uint8_t num);
/* usb-desc-as.c: direction from the terminal when no alt setting has a data endpoint. */
void usbdesc_stream_dir_from_terminal(struct uacd_usbdesc_function *f,
				      struct uacd_usbdesc_stream *st);
/* usb-desc-as.c: the alt's explicit feedback endpoint, if any. */
void usbdesc_find_explicit_fb(struct uacd_usbdesc_alt *a);
/* usb-desc-as.c: the capture endpoint that paces an alt without explicit feedback. */
void usbdesc_find_implicit_fb(struct uacd_usbdesc_function *f, const struct uacd_usbdesc_stream *own,
			      struct uacd_usbdesc_alt *a);

#endif /* UACD_USB_DESC_PRIVATE_H */
