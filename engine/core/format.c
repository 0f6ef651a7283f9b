/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "engine/core/format.h"

/* rt: one sample as float; p points at its first byte. */
static inline float load(uint32_t fmt, const uint8_t *p)
{
	int32_t v;
	float f;

	switch (fmt) {
	case UACD_FMT_S16_LE:
		return (float)(int16_t)(p[0] | p[1] << 8) * (1.0f / 32768.0f);
	case UACD_FMT_S24_LE:
	case UACD_FMT_S24_3LE:
		v = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24) >> 8;
		return (float)v * (1.0f / 8388608.0f);
	case UACD_FMT_S32_LE:
		v = (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			      (uint32_t)p[3] << 24);
		return (float)((double)v * (1.0 / 2147483648.0));
	case UACD_FMT_FLOAT_LE:
		memcpy(&f, p, sizeof(f));
		return f;
	default:
		return 0.0f;
	}
}

static inline int32_t sat(double x, double lo, double hi)
{
	if (x <= lo)
		return (int32_t)lo;
	if (x >= hi)
		return (int32_t)hi;
	return (int32_t)lrint(x);
}

/* rt */
static inline void store(uint32_t fmt, uint8_t *p, float x)
{
	int32_t v;

	switch (fmt) {
	case UACD_FMT_S16_LE:
		v = sat((double)x * 32768.0, -32768.0, 32767.0);
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		break;
	case UACD_FMT_S24_LE:
		v = sat((double)x * 8388608.0, -8388608.0, 8388607.0);
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)(v < 0 ? 0xff : 0x00);	/* sign-extended container */
		break;
	case UACD_FMT_S24_3LE:
		v = sat((double)x * 8388608.0, -8388608.0, 8388607.0);
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		break;
	case UACD_FMT_S32_LE:
		v = sat((double)x * 2147483648.0, -2147483648.0, 2147483647.0);
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)(v >> 8);
		p[2] = (uint8_t)(v >> 16);
		p[3] = (uint8_t)((uint32_t)v >> 24);
		break;
	case UACD_FMT_FLOAT_LE:
		memcpy(p, &x, sizeof(x));
		break;
	default:
		break;
	}
}

/* rt */
void uacd_fmt_mix_to_float(uint32_t fmt, const void *src, unsigned src_ch, unsigned frames,
			   float *const *dst, unsigned dst_ch, unsigned off)
{
	unsigned bps = uacd_format_bytes(fmt), stride = bps * src_ch, i, c;
	const uint8_t *s = src;

	if (!bps || !src_ch)
		return;
	if (src_ch == 1) {
		for (i = 0; i < frames; i++) {
			float x = load(fmt, s + (size_t)i * stride);

			for (c = 0; c < dst_ch; c++)
				dst[c][off + i] += x;
		}
		return;
	}
	for (c = 0; c < dst_ch && c < src_ch; c++)
		for (i = 0; i < frames; i++)
			dst[c][off + i] += load(fmt, s + (size_t)i * stride + c * bps);
}

/* rt */
void uacd_fmt_to_float(uint32_t fmt, const void *src, unsigned src_ch, unsigned frames,
		       float *const *dst, unsigned dst_ch, unsigned off)
{
	unsigned c;

	for (c = 0; c < dst_ch; c++)
		memset(dst[c] + off, 0, frames * sizeof(float));
	uacd_fmt_mix_to_float(fmt, src, src_ch, frames, dst, dst_ch, off);
}

/* rt */
void uacd_fmt_from_float(uint32_t fmt, float *const *src, unsigned src_ch, unsigned off,
			 unsigned frames, void *dst, unsigned dst_ch)
{
	unsigned bps = uacd_format_bytes(fmt), stride = bps * dst_ch, i, c;
	uint8_t *d = dst;

	if (!bps)
		return;
	for (c = 0; c < dst_ch; c++) {
		const float *s = c < src_ch ? src[c] : (src_ch == 1 ? src[0] : NULL);

		for (i = 0; i < frames; i++)
			store(fmt, d + (size_t)i * stride + c * bps, s ? s[off + i] : 0.0f);
	}
}

/* rt */
void uacd_fmt_silence(uint32_t fmt, unsigned ch, unsigned frames, void *dst)
{
	memset(dst, 0, (size_t)uacd_format_bytes(fmt) * ch * frames);
}
