/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sample format conversion between interleaved integer/float frames and the
 * engine's non-interleaved float32 planes.
 *
 * Scaling is by powers of two (S16: 2^15, S24: 2^23, S32: 2^31), so S16 and
 * S24 survive a round trip through float bit for bit; S32 keeps its top 24
 * bits (float has a 24-bit mantissa), which is why the engine copies S32
 * untouched when nothing needs to look at the samples.  Conversion to
 * integers rounds to nearest and saturates.
 *
 * Channel mapping, the same everywhere: source channel c feeds destination
 * channel c; a mono source feeds every destination channel; destination
 * channels with no source get silence (or nothing, when mixing).
 *
 * All functions are RT-safe.
 */
#ifndef UACD_FORMAT_H
#define UACD_FORMAT_H

#include <stdint.h>

#include <uacd/protocol.h>

#include "engine/core/format-name.h"	/* uacd_format_name(), uacd_format_parse() */

/* rt: dst[c][off + i] += sample; `src` holds `frames` frames of `src_ch` channels. */
void uacd_fmt_mix_to_float(uint32_t fmt, const void *src, unsigned src_ch, unsigned frames,
			   float *const *dst, unsigned dst_ch, unsigned off);

/* rt: dst[c][off + i] = sample (overwrites; unmapped destination channels get 0). */
void uacd_fmt_to_float(uint32_t fmt, const void *src, unsigned src_ch, unsigned frames,
		       float *const *dst, unsigned dst_ch, unsigned off);

/* rt: interleave src[c][off + i] into `frames` frames of `dst_ch` channels, saturating. */
void uacd_fmt_from_float(uint32_t fmt, float *const *src, unsigned src_ch, unsigned off,
			 unsigned frames, void *dst, unsigned dst_ch);

/* rt: `frames` frames of silence. */
void uacd_fmt_silence(uint32_t fmt, unsigned ch, unsigned frames, void *dst);

#endif /* UACD_FORMAT_H */
