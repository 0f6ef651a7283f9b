/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for engine/format.c: sample conversion between interleaved
 * device/client frames and the engine's float planes.
 *
 * What is promised (format.h) and checked here with exact values:
 *  - S16 and S24 (both containers) survive int -> float -> int bit for
 *    bit, on every code (S16: all 65,536; S24: a stride over the range plus
 *    the extremes and their neighbours); FLOAT is copied bit for bit;
 *  - S32 keeps its top 24 bits (float's mantissa): values whose low byte is
 *    zero come back exactly, all others within half an ulp;
 *  - float -> int rounds to nearest (ties to even, lrint) and saturates at
 *    full scale;
 *  - the channel mapping rules (mono feeds all, extra destination channels
 *    are silent, surplus source channels are dropped) and that mixing adds;
 *  - S24_LE's fourth byte is the sign extension, and is ignored on input.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/format.h"

#define S24_STRIDE 7	/* prime: hits every residue of the low byte */

/* Write one integer sample of `fmt` at p (little-endian). */
static void put_int(uint32_t fmt, uint8_t *p, int32_t v)
{
	switch (fmt) {
	case UACD_FMT_S16_LE:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)((uint32_t)v >> 8);
		break;
	case UACD_FMT_S24_3LE:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)((uint32_t)v >> 8);
		p[2] = (uint8_t)((uint32_t)v >> 16);
		break;
	case UACD_FMT_S24_LE:
	case UACD_FMT_S32_LE:
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)((uint32_t)v >> 8);
		p[2] = (uint8_t)((uint32_t)v >> 16);
		p[3] = (uint8_t)((uint32_t)v >> 24);
		break;
	}
}

static int32_t get_int(uint32_t fmt, const uint8_t *p)
{
	switch (fmt) {
	case UACD_FMT_S16_LE:
		return (int16_t)(uint16_t)(p[0] | p[1] << 8);
	case UACD_FMT_S24_3LE:
	case UACD_FMT_S24_LE:
		return (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 24) >> 8;
	case UACD_FMT_S32_LE:
		return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				 (uint32_t)p[3] << 24);
	}
	return 0;
}

/* Mono round trip of n integer values; returns the values that came back. */
static int32_t *round_trip(uint32_t fmt, const int32_t *v, unsigned n, float *scale_check)
{
	unsigned bps = uacd_format_bytes(fmt), i;
	uint8_t *raw = calloc(n, bps), *back = calloc(n, bps);
	float *plane = malloc(n * sizeof(float));
	float *const planes[1] = { plane };
	int32_t *out = malloc(n * sizeof(int32_t));

	ck_assert_ptr_nonnull(raw);
	ck_assert_ptr_nonnull(back);
	ck_assert_ptr_nonnull(plane);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++)
		put_int(fmt, raw + (size_t)i * bps, v[i]);
	uacd_fmt_to_float(fmt, raw, 1, n, planes, 1, 0);
	if (scale_check)
		memcpy(scale_check, plane, n * sizeof(float));
	uacd_fmt_from_float(fmt, planes, 1, 0, n, back, 1);
	for (i = 0; i < n; i++)
		out[i] = get_int(fmt, back + (size_t)i * bps);
	free(raw);
	free(back);
	free(plane);
	return out;
}

START_TEST(test_s16_all_codes)
{
	int32_t *v = malloc(65536 * sizeof(int32_t)), *out;
	float *f = malloc(65536 * sizeof(float));
	unsigned i;

	for (i = 0; i < 65536; i++)
		v[i] = (int32_t)i - 32768;
	out = round_trip(UACD_FMT_S16_LE, v, 65536, f);
	/* the float is exactly v / 2^15, and the integer comes back */
	for (i = 0; i < 65536; i++)
		if (out[i] != v[i] || f[i] != (float)v[i] / 32768.0f)
			ck_abort_msg("S16 %d -> %a -> %d", v[i], (double)f[i], out[i]);
	ck_assert(f[0] == -1.0f);
	ck_assert(f[65535] == 32767.0f / 32768.0f);
	free(v);
	free(out);
	free(f);
}
END_TEST

static void check_s24(uint32_t fmt)
{
	unsigned n = 0, i, cap = (1u << 24) / S24_STRIDE + 16;
	int32_t *v = malloc(cap * sizeof(int32_t)), *out;
	float *f = malloc(cap * sizeof(float));
	int64_t x;
	static const int32_t extremes[] = { -8388608, -8388607, -1, 0, 1, 8388606, 8388607 };

	for (x = -8388608; x <= 8388607; x += S24_STRIDE)
		v[n++] = (int32_t)x;
	for (i = 0; i < sizeof(extremes) / sizeof(extremes[0]); i++)
		v[n++] = extremes[i];
	ck_assert_uint_le(n, cap);
	out = round_trip(fmt, v, n, f);
	for (i = 0; i < n; i++)
		if (out[i] != v[i] || f[i] != (float)v[i] / 8388608.0f)
			ck_abort_msg("%s %d -> %a -> %d", uacd_format_name(fmt), v[i], (double)f[i], out[i]);
	free(v);
	free(out);
	free(f);
}

START_TEST(test_s24_3le_codes)
{
	check_s24(UACD_FMT_S24_3LE);
}
END_TEST

START_TEST(test_s24_le_codes)
{
	check_s24(UACD_FMT_S24_LE);
}
END_TEST

/* Is this float bit pattern a NaN? */
static int is_nan_bits(uint32_t b)
{
	return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu);
}

START_TEST(test_float_bits)
{
	/*
	 * A spread of bit patterns plus specials: FLOAT comes back bit for bit,
	 * even outside [-1, 1) (no saturation for float devices), except that
	 * the conversion adds into a zeroed plane: -0.0 becomes +0.0 and a
	 * NaN becomes a quiet NaN.
	 */
	unsigned n = 65536 + 6, i, bad = 0;
	uint32_t *bits = malloc(n * 4), *back = malloc(n * 4);
	float *plane = malloc(n * sizeof(float));
	float *const planes[1] = { plane };

	for (i = 0; i < 65536; i++)
		bits[i] = i << 16 | (i * 2654435761u >> 16);
	bits[65536] = 0x3f800000u;	/* 1.0 */
	bits[65537] = 0xbfc00000u;	/* -1.5 */
	bits[65538] = 0x80000000u;	/* -0.0 */
	bits[65539] = 0x7f7fffffu;	/* FLT_MAX */
	bits[65540] = 0xff800000u;	/* -inf */
	bits[65541] = 0x00000001u;	/* smallest denormal */
	uacd_fmt_to_float(UACD_FMT_FLOAT_LE, bits, 1, n, planes, 1, 0);
	uacd_fmt_from_float(UACD_FMT_FLOAT_LE, planes, 1, 0, n, back, 1);
	for (i = 0; i < n; i++) {
		if (is_nan_bits(bits[i])) {
			bad += !is_nan_bits(back[i]);
			continue;
		}
		if (bits[i] == 0x80000000u) {
			bad += back[i] != 0;
			continue;
		}
		if (back[i] != bits[i] && !bad++)
			ck_abort_msg("float bits %08x came back as %08x", bits[i], back[i]);
	}
	ck_assert_uint_eq(bad, 0);
	free(bits);
	free(back);
	free(plane);
}
END_TEST

START_TEST(test_s32_top_24_bits)
{
	unsigned n = 0, i, cap = 300000;
	int32_t *v = malloc(cap * sizeof(int32_t)), *out;
	int64_t x;

	/* values with a zero low byte: exactly representable in float */
	for (x = INT32_MIN; x <= INT32_MAX; x += 256 * 16411)
		v[n++] = (int32_t)x;
	v[n++] = INT32_MIN;
	v[n++] = 0x7fffff00;
	v[n++] = -256;
	v[n++] = 256;
	out = round_trip(UACD_FMT_S32_LE, v, n, NULL);
	for (i = 0; i < n; i++)
		if (out[i] != v[i])
			ck_abort_msg("S32 %d came back as %d", v[i], out[i]);
	free(out);

	/* any value: within half an ulp of a 24-bit mantissa; small values exact */
	n = 0;
	for (x = INT32_MIN; x <= INT32_MAX; x += 14057 * 1009 + 1)
		v[n++] = (int32_t)x;
	out = round_trip(UACD_FMT_S32_LE, v, n, NULL);
	for (i = 0; i < n; i++) {
		int64_t err = (int64_t)out[i] - v[i];
		uint32_t a = v[i] < 0 ? (uint32_t)0 - (uint32_t)v[i] : (uint32_t)v[i];
		int k = a ? 31 - __builtin_clz(a) : 0;	/* a in [2^k, 2^(k+1)) */
		int64_t half_ulp = k >= 24 ? (int64_t)1 << (k - 24) : 0;

		if (err > half_ulp || err < -half_ulp)
			ck_abort_msg("S32 %d came back as %d", v[i], out[i]);
	}
	free(out);

	/* the exact cases: below 2^24 nothing is lost; INT32_MAX saturates to itself */
	n = 0;
	v[n++] = 16777215;
	v[n++] = -16777216;
	v[n++] = 12345;
	v[n++] = INT32_MAX;	/* rounds up to 2^31 in float, saturates back */
	v[n++] = 0x12345678;	/* low byte 0x78 lost: nearest 24-bit value */
	out = round_trip(UACD_FMT_S32_LE, v, n, NULL);
	ck_assert_int_eq(out[0], 16777215);
	ck_assert_int_eq(out[1], -16777216);
	ck_assert_int_eq(out[2], 12345);
	ck_assert_int_eq(out[3], INT32_MAX);
	ck_assert_int_eq(out[4], 0x12345680);
	free(out);
	free(v);
}
END_TEST

/* float -> one sample of fmt */
static int32_t store1(uint32_t fmt, float x)
{
	uint8_t b[4];
	float *const planes[1] = { &x };

	memset(b, 0xaa, sizeof(b));
	uacd_fmt_from_float(fmt, planes, 1, 0, 1, b, 1);
	return get_int(fmt, b);
}

START_TEST(test_saturation)
{
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 1.0f), 32767);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 2.0f), 32767);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 1e30f), 32767);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, -1.0f), -32768);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, -1.5f), -32768);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, -1e30f), -32768);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 32767.0f / 32768.0f), 32767);

	ck_assert_int_eq(store1(UACD_FMT_S24_3LE, 1.0f), 8388607);
	ck_assert_int_eq(store1(UACD_FMT_S24_3LE, -1.5f), -8388608);
	ck_assert_int_eq(store1(UACD_FMT_S24_LE, 1.0f), 8388607);
	ck_assert_int_eq(store1(UACD_FMT_S24_LE, -1.0f), -8388608);

	ck_assert_int_eq(store1(UACD_FMT_S32_LE, 1.0f), INT32_MAX);
	ck_assert_int_eq(store1(UACD_FMT_S32_LE, 3.0f), INT32_MAX);
	ck_assert_int_eq(store1(UACD_FMT_S32_LE, -1.0f), INT32_MIN);
	ck_assert_int_eq(store1(UACD_FMT_S32_LE, -1.5f), INT32_MIN);
}
END_TEST

START_TEST(test_rounding)
{
	const float q = 1.0f / 32768.0f;

	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 0.4f * q), 0);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 0.6f * q), 1);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, -0.6f * q), -1);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, -0.4f * q), 0);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 100.49f * q), 100);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 100.51f * q), 101);
	/* exact halves go to even (lrint in the default rounding mode) */
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 0.5f * q), 0);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 1.5f * q), 2);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, 2.5f * q), 2);
	ck_assert_int_eq(store1(UACD_FMT_S16_LE, -1.5f * q), -2);
	ck_assert_int_eq(store1(UACD_FMT_S24_3LE, 7.75f / 8388608.0f), 8);
	ck_assert_int_eq(store1(UACD_FMT_S24_3LE, -7.25f / 8388608.0f), -7);
}
END_TEST

START_TEST(test_s24_le_container)
{
	uint8_t b[4 * 4], in[4 * 2];
	float x[4] = { -1.0f / 8388608.0f, 1.0f / 8388608.0f, -0.5f, 0.5f }, y[2];
	float *const planes[1] = { x }, *const yp[1] = { y };

	memset(b, 0x55, sizeof(b));
	uacd_fmt_from_float(UACD_FMT_S24_LE, planes, 1, 0, 4, b, 1);
	/* -1: ff ff ff | ff */
	ck_assert_uint_eq(b[0], 0xff);
	ck_assert_uint_eq(b[1], 0xff);
	ck_assert_uint_eq(b[2], 0xff);
	ck_assert_uint_eq(b[3], 0xff);
	/* +1: 01 00 00 | 00 */
	ck_assert_uint_eq(b[4], 0x01);
	ck_assert_uint_eq(b[5], 0x00);
	ck_assert_uint_eq(b[6], 0x00);
	ck_assert_uint_eq(b[7], 0x00);
	/* -0.5 = -4194304 = 0xc00000: 00 00 c0 | ff */
	ck_assert_uint_eq(b[8], 0x00);
	ck_assert_uint_eq(b[9], 0x00);
	ck_assert_uint_eq(b[10], 0xc0);
	ck_assert_uint_eq(b[11], 0xff);
	/* +0.5: 00 00 40 | 00 */
	ck_assert_uint_eq(b[14], 0x40);
	ck_assert_uint_eq(b[15], 0x00);

	/* On input the container byte is ignored: the sign comes from bit 23. */
	memcpy(in, "\x00\x00\x40\xff" "\x00\x00\xc0\x00", 8);
	uacd_fmt_to_float(UACD_FMT_S24_LE, in, 1, 2, yp, 1, 0);
	ck_assert(y[0] == 0.5f);
	ck_assert(y[1] == -0.5f);
}
END_TEST

START_TEST(test_channel_mapping_to_float)
{
	int16_t mono[3] = { 1000, -2000, 3000 };
	int16_t st[3 * 2] = { 1, 2, 3, 4, 5, 6 };
	int16_t quad[2 * 4] = { 10, 11, 12, 13, 20, 21, 22, 23 };
	float p[4][5];
	float *const planes[4] = { p[0], p[1], p[2], p[3] };
	unsigned c, i;
	const float q = 1.0f / 32768.0f;

	/* mono -> every destination channel, at offset 2 */
	for (c = 0; c < 4; c++)
		for (i = 0; i < 5; i++)
			p[c][i] = 9.0f;
	uacd_fmt_to_float(UACD_FMT_S16_LE, mono, 1, 3, planes, 4, 2);
	for (c = 0; c < 4; c++) {
		ck_assert(p[c][0] == 9.0f);	/* before off: untouched */
		ck_assert(p[c][1] == 9.0f);
		ck_assert(p[c][2] == 1000 * q);
		ck_assert(p[c][3] == -2000 * q);
		ck_assert(p[c][4] == 3000 * q);
	}

	/* stereo -> 4: channels 2 and 3 are silent (overwritten with 0) */
	uacd_fmt_to_float(UACD_FMT_S16_LE, st, 2, 3, planes, 4, 0);
	for (i = 0; i < 3; i++) {
		ck_assert(p[0][i] == st[2 * i] * q);
		ck_assert(p[1][i] == st[2 * i + 1] * q);
		ck_assert(p[2][i] == 0.0f);
		ck_assert(p[3][i] == 0.0f);
	}

	/* 4 -> 2: channels 2 and 3 are dropped; plane 2 is not touched */
	p[2][0] = 7.0f;
	uacd_fmt_to_float(UACD_FMT_S16_LE, quad, 4, 2, planes, 2, 0);
	ck_assert(p[0][0] == 10 * q);
	ck_assert(p[1][0] == 11 * q);
	ck_assert(p[0][1] == 20 * q);
	ck_assert(p[1][1] == 21 * q);
	ck_assert(p[2][0] == 7.0f);
}
END_TEST

START_TEST(test_channel_mapping_from_float)
{
	float a[2] = { 0.5f, -0.25f }, b[2] = { 0.125f, 1.0f }, c2[2] = { -1.0f, 0.0f };
	float *const mono[1] = { a }, *const three[3] = { a, b, c2 };
	int16_t out[2 * 4];
	unsigned i;

	/* mono source feeds every destination channel */
	memset(out, 0x55, sizeof(out));
	uacd_fmt_from_float(UACD_FMT_S16_LE, mono, 1, 0, 2, out, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(out[i], 16384);
		ck_assert_int_eq(out[4 + i], -8192);
	}
	/* 3 sources -> 4 destination channels: the fourth is silence */
	memset(out, 0x55, sizeof(out));
	uacd_fmt_from_float(UACD_FMT_S16_LE, three, 3, 0, 2, out, 4);
	ck_assert_int_eq(out[0], 16384);
	ck_assert_int_eq(out[1], 4096);
	ck_assert_int_eq(out[2], -32768);
	ck_assert_int_eq(out[3], 0);
	ck_assert_int_eq(out[4], -8192);
	ck_assert_int_eq(out[5], 32767);
	ck_assert_int_eq(out[6], 0);
	ck_assert_int_eq(out[7], 0);
	/* 3 sources -> 2 channels: the third is dropped; offset 1 */
	memset(out, 0x55, sizeof(out));
	uacd_fmt_from_float(UACD_FMT_S16_LE, three, 3, 1, 1, out, 2);
	ck_assert_int_eq(out[0], -8192);
	ck_assert_int_eq(out[1], 32767);
	ck_assert_int_eq(out[2], 0x5555);	/* nothing written past one frame */
}
END_TEST

START_TEST(test_mix_accumulates)
{
	int16_t s1[2 * 2] = { 1000, 2000, 3000, 4000 };
	int32_t s2[2 * 2];
	int16_t mono[2] = { 100, -100 };
	float p0[2] = { 0 }, p1[2] = { 0 };
	float *const planes[2] = { p0, p1 };
	int16_t out[4];
	const float q = 1.0f / 32768.0f;

	put_int(UACD_FMT_S32_LE, (uint8_t *)&s2[0], 10 << 16);
	put_int(UACD_FMT_S32_LE, (uint8_t *)&s2[1], 20 << 16);
	put_int(UACD_FMT_S32_LE, (uint8_t *)&s2[2], -30 * 65536);
	put_int(UACD_FMT_S32_LE, (uint8_t *)&s2[3], -40 * 65536);
	uacd_fmt_mix_to_float(UACD_FMT_S16_LE, s1, 2, 2, planes, 2, 0);
	uacd_fmt_mix_to_float(UACD_FMT_S32_LE, s2, 2, 2, planes, 2, 0);
	uacd_fmt_mix_to_float(UACD_FMT_S16_LE, mono, 1, 2, planes, 2, 0);
	ck_assert(p0[0] == 1110 * q);
	ck_assert(p1[0] == 2120 * q);
	ck_assert(p0[1] == 2870 * q);
	ck_assert(p1[1] == 3860 * q);
	uacd_fmt_from_float(UACD_FMT_S16_LE, planes, 2, 0, 2, out, 2);
	ck_assert_int_eq(out[0], 1110);
	ck_assert_int_eq(out[1], 2120);
	ck_assert_int_eq(out[2], 2870);
	ck_assert_int_eq(out[3], 3860);

	/* two loud streams clip at full scale instead of wrapping */
	p0[0] = p1[0] = 0;
	s1[0] = s1[1] = 30000;
	uacd_fmt_mix_to_float(UACD_FMT_S16_LE, s1, 2, 1, planes, 2, 0);
	uacd_fmt_mix_to_float(UACD_FMT_S16_LE, s1, 2, 1, planes, 2, 0);
	uacd_fmt_from_float(UACD_FMT_S16_LE, planes, 2, 0, 1, out, 2);
	ck_assert_int_eq(out[0], 32767);
	ck_assert_int_eq(out[1], 32767);
}
END_TEST

START_TEST(test_silence_exact_length)
{
	uint8_t b[3 * 2 * 5 + 1];

	memset(b, 0x5a, sizeof(b));
	uacd_fmt_silence(UACD_FMT_S24_3LE, 2, 5, b);
	for (unsigned i = 0; i < 30; i++)
		ck_assert_uint_eq(b[i], 0);
	ck_assert_uint_eq(b[30], 0x5a);
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(uacd_format_name(UACD_FMT_S16_LE), "S16_LE");
	ck_assert_str_eq(uacd_format_name(UACD_FMT_S24_LE), "S24_LE");
	ck_assert_str_eq(uacd_format_name(UACD_FMT_S24_3LE), "S24_3LE");
	ck_assert_str_eq(uacd_format_name(UACD_FMT_S32_LE), "S32_LE");
	ck_assert_str_eq(uacd_format_name(UACD_FMT_FLOAT_LE), "FLOAT_LE");
	ck_assert_ptr_null(uacd_format_name(UACD_FMT_UNKNOWN));
	ck_assert_ptr_null(uacd_format_name(UACD_FMT_COUNT));
	ck_assert_ptr_null(uacd_format_name(0xffffffffu));

	ck_assert_uint_eq(uacd_format_parse("S16_LE"), UACD_FMT_S16_LE);
	ck_assert_uint_eq(uacd_format_parse("s16_le"), UACD_FMT_S16_LE);
	ck_assert_uint_eq(uacd_format_parse("S24_LE"), UACD_FMT_S24_LE);
	ck_assert_uint_eq(uacd_format_parse("s24_3le"), UACD_FMT_S24_3LE);
	ck_assert_uint_eq(uacd_format_parse("S32_LE"), UACD_FMT_S32_LE);
	ck_assert_uint_eq(uacd_format_parse("FLOAT_LE"), UACD_FMT_FLOAT_LE);
	ck_assert_uint_eq(uacd_format_parse("float"), UACD_FMT_FLOAT_LE);
	ck_assert_uint_eq(uacd_format_parse("FLOAT"), UACD_FMT_FLOAT_LE);
	ck_assert_uint_eq(uacd_format_parse("S16"), UACD_FMT_UNKNOWN);
	ck_assert_uint_eq(uacd_format_parse("U8"), UACD_FMT_UNKNOWN);
	ck_assert_uint_eq(uacd_format_parse(""), UACD_FMT_UNKNOWN);
	ck_assert_uint_eq(uacd_format_parse("S16_LE "), UACD_FMT_UNKNOWN);

	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_S16_LE), 2);
	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_S24_3LE), 3);
	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_S24_LE), 4);
	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_S32_LE), 4);
	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_FLOAT_LE), 4);
	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_UNKNOWN), 0);
	ck_assert_uint_eq(uacd_format_bytes(UACD_FMT_COUNT), 0);
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_s16_all_codes);
	tcase_add_test(tc, test_s24_3le_codes);
	tcase_add_test(tc, test_s24_le_codes);
	tcase_add_test(tc, test_float_bits);
	tcase_add_test(tc, test_s32_top_24_bits);
	tcase_add_test(tc, test_saturation);
	tcase_add_test(tc, test_rounding);
	tcase_add_test(tc, test_s24_le_container);
	tcase_add_test(tc, test_channel_mapping_to_float);
	tcase_add_test(tc, test_channel_mapping_from_float);
	tcase_add_test(tc, test_mix_accumulates);
	tcase_add_test(tc, test_silence_exact_length);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
