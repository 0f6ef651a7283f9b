/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for engine/packet.c: packet sizing, feedback decoding and
 * feedback following.
 *
 * Packet sizes: for every common rate at full speed (1 ms) and high speed
 * (bInterval 1..4 = 125/250/500/1000 us), 10 s of packets: every packet is
 * floor or ceil of the nominal, after every packet the running sum is
 * exactly floor(k * rate / pps) (so the sum over 10 s is rate * 10 and the
 * error never exceeds one frame), and 44.1 kHz at full speed repeats
 * 44 x 9, 45.
 *
 * Feedback following: a simulated device whose clock runs +-1000 ppm off
 * reports what it consumes the way real hardware does (a counter of its
 * sample clock against SOF, so rounding in one report is carried into the
 * next), in 10.14 at full speed and 16.16 at high speed.  The host decodes
 * each report with uacd_fb_decode() and feeds uacd_pktsched_set_feedback();
 * over 60 s, after every packet, the frames sent must stay within one frame
 * of the whole frames the device has consumed: no frame lost or repeated.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/core/packet.h"

static const uint32_t rates[] = { 44100, 48000, 88200, 96000, 176400, 192000 };
#define NR_RATES (sizeof(rates) / sizeof(rates[0]))

/* index = loop over rates x intervals */
static const uint32_t intervals[] = { 1000 /* FS */, 125, 250, 500, 1000 /* HS bInterval 1..4 */ };
#define NR_INTERVALS (sizeof(intervals) / sizeof(intervals[0]))

START_TEST(test_packet_sizes_10s)
{
	uint32_t rate = rates[_i / NR_INTERVALS];
	uint32_t interval = intervals[_i % NR_INTERVALS];
	uint32_t pps = 1000000 / interval;
	uint32_t lo = rate / pps, hi = (rate + pps - 1) / pps;
	struct uacd_pktsched ps;
	uint64_t sum = 0, nr_hi = 0;

	ck_assert_int_eq(uacd_pktsched_init(&ps, rate, interval, 0), 0);
	for (uint64_t k = 1; k <= (uint64_t)pps * 10; k++) {
		uint32_t n = uacd_pktsched_next(&ps);

		/* plain ifs: Check's asserts cost a syscall each */
		if (n != lo && n != hi)
			ck_abort_msg("rate %u interval %u packet %llu: %u frames",
				     rate, interval, (unsigned long long)k, n);
		sum += n;
		nr_hi += n == hi && hi != lo;
		if (sum != k * rate / pps)
			ck_abort_msg("rate %u interval %u packet %llu: sum %llu, exact %llu",
				     rate, interval, (unsigned long long)k, (unsigned long long)sum,
				     (unsigned long long)(k * rate / pps));
	}
	ck_assert_uint_eq(sum, (uint64_t)rate * 10);
	printf("sizes %6u Hz %s %4u us: 10 s = %llu packets, %llu x %u + %llu x %u = %llu frames\n",
	       rate, _i % NR_INTERVALS ? "HS" : "FS", interval, (unsigned long long)pps * 10, (unsigned long long)(pps * 10 - nr_hi), lo,
	       (unsigned long long)nr_hi, hi, (unsigned long long)sum);
}
END_TEST

START_TEST(test_packet_44k1_pattern)
{
	struct uacd_pktsched ps;

	ck_assert_int_eq(uacd_pktsched_init(&ps, 44100, 1000, 0), 0);
	for (unsigned k = 0; k < 10000; k++)
		ck_assert_uint_eq(uacd_pktsched_next(&ps), k % 10 == 9 ? 45 : 44);
	/* max_frames caps a packet */
	ck_assert_int_eq(uacd_pktsched_init(&ps, 44100, 1000, 44), 0);
	for (unsigned k = 0; k < 10; k++)
		ck_assert_uint_eq(uacd_pktsched_next(&ps), 44);
	ck_assert_int_eq(uacd_pktsched_init(&ps, 0, 1000, 0), -EINVAL);
	ck_assert_int_eq(uacd_pktsched_init(&ps, 48000, 0, 0), -EINVAL);
	ck_assert_int_eq(uacd_pktsched_init(&ps, 48000, 3000, 0), -EINVAL);
}
END_TEST

/* A feedback value of 48 kHz exactly switches to the feedback accumulator with no change. */
START_TEST(test_packet_feedback_exact)
{
	struct uacd_pktsched ps;

	ck_assert_int_eq(uacd_pktsched_init(&ps, 44100, 1000, 0), 0);
	/* 44.1 frames per packet in Q16.16 = 2890137.6: the fraction carries */
	uacd_pktsched_set_feedback(&ps, 2890138);
	for (unsigned k = 0; k < 10; k++)
		ck_assert_uint_eq(uacd_pktsched_next(&ps), k == 9 ? 45 : 44);
	uacd_pktsched_set_feedback(&ps, 0);	/* back to nominal */
	ck_assert_uint_eq(ps.fb_q16, 0);
}
END_TEST

static uint32_t decode(struct uacd_fb_decoder *d, const uint8_t *b, int len, int *ret)
{
	uint32_t q = 0;

	*ret = uacd_fb_decode(d, b, len, &q);
	return q;
}

START_TEST(test_feedback_formats)
{
	struct uacd_fb_decoder d;
	uint8_t b[4];
	int n, ret;
	uint32_t q;

	/* full speed, 10.14 in 3 bytes: 48 frames per ms */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 1000, false), 0);
	n = uacd_fb_encode(48u << 16, false, b);
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(b[0] | b[1] << 8 | b[2] << 16, 48u << 14);
	q = decode(&d, b, n, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 48u << 16);
	ck_assert_int_eq(d.shift, 2);

	/* full speed 44.1k: 10.14 loses the two low bits of Q16 */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 44100, 1000, false), 0);
	n = uacd_fb_encode(2890138, false, b);
	q = decode(&d, b, n, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 2890136);

	/* high speed, 16.16 in 4 bytes: 6 frames per microframe */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 125, true), 0);
	n = uacd_fb_encode(6u << 16, true, b);
	ck_assert_int_eq(n, 4);
	q = decode(&d, b, n, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 6u << 16);
	ck_assert_int_eq(d.shift, 0);

	/* high speed, packets every 1 ms (bInterval 4): per-microframe value x 8 */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 1000, true), 0);
	q = decode(&d, b, n, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 48u << 16);
}
END_TEST

START_TEST(test_feedback_misformatted)
{
	struct uacd_fb_decoder d;
	uint8_t b[4];
	int ret;
	uint32_t q;

	/* full-speed device sending 16.16 (48.0 = 0x300000 in 3 bytes) */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 1000, false), 0);
	uacd_fb_encode(48u << 16, true, b);
	q = decode(&d, b, 3, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 48u << 16);
	ck_assert_int_eq(d.shift, 0);
	/* the detected format sticks: the next value is read the same way */
	uacd_fb_encode((48u << 16) + 100, true, b);
	q = decode(&d, b, 3, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, (48u << 16) + 100);

	/* high-speed device sending 10.14 (6.0 << 14) in 4 bytes */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 125, true), 0);
	uacd_fb_encode(6u << 16, false, b);
	b[3] = 0;
	q = decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 6u << 16);
	ck_assert_int_eq(d.shift, 2);

	/* high-speed device, bInterval 4, sending frames per packet (48.0) instead of per microframe */
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 1000, true), 0);
	uacd_fb_encode(48u << 16, true, b);
	q = decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, 48u << 16);
	ck_assert_int_eq(d.shift, -3);
}
END_TEST

START_TEST(test_feedback_rejects)
{
	struct uacd_fb_decoder d;
	uint8_t b[4] = { 0 };
	int ret;
	uint32_t q;

	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 125, true), 0);
	/* zero, short */
	decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, -EAGAIN);
	uacd_fb_encode(6u << 16, true, b);
	decode(&d, b, 2, &ret);
	ck_assert_int_eq(ret, -EAGAIN);
	/* 5.1 frames per microframe is no binary shift of 6 within 1/8: rejected, undetected */
	uacd_fb_encode(334234, true, b);
	decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, -EAGAIN);
	ck_assert(!d.detected);
	ck_assert_uint_eq(d.rejected, 1);
	/* detect on a good value, then a value 30 % off is rejected, 20 % off accepted */
	uacd_fb_encode(6u << 16, true, b);
	q = decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, 0);
	uacd_fb_encode((uint32_t)(6.0 * 1.3 * 65536), true, b);
	q = decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, -EAGAIN);
	ck_assert_uint_eq(d.rejected, 2);
	uacd_fb_encode((uint32_t)(6.0 * 1.2 * 65536), true, b);
	q = decode(&d, b, 4, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(q, (uint32_t)(6.0 * 1.2 * 65536));
	/* bad arguments */
	ck_assert_int_eq(uacd_fb_decode(&d, NULL, 4, &q), -EINVAL);
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 100, true), -EINVAL);
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 48000, 125, false), -EINVAL);
	ck_assert_int_eq(uacd_fb_decoder_init(&d, 0, 1000, false), -EINVAL);
}
END_TEST

struct follow_case {
	uint32_t rate;
	uint32_t interval_us;	/* data packet interval */
	bool hs;
	uint32_t fb_period;	/* data packets per feedback report */
};

static const struct follow_case follow_cases[] = {
	{ 48000, 1000, false, 8 },	/* FS, feedback bRefresh 3 */
	{ 44100, 1000, false, 32 },
	{ 96000, 1000, false, 1 },
	{ 48000, 125, true, 8 },	/* HS bInterval 1, feedback bInterval 4 */
	{ 44100, 125, true, 8 },
	{ 192000, 125, true, 1 },
	{ 176400, 1000, true, 1 },	/* HS bInterval 4 */
	{ 88200, 500, true, 2 },	/* HS bInterval 3 */
};
static const int ppms[] = { -1000, 1000 };

/* |sent - consumed| after the last packet */
static int64_t diff_end(uint64_t sent, unsigned __int128 rnum, uint64_t packets, uint32_t pps)
{
	int64_t d = (int64_t)(sent - (uint64_t)(rnum * packets / ((unsigned __int128)pps * 1000000)));

	return d < 0 ? -d : d;
}

START_TEST(test_feedback_following_60s)
{
	const struct follow_case *c = &follow_cases[_i / 2];
	int ppm = ppms[_i % 2];
	uint32_t pps = 1000000 / c->interval_us;
	uint32_t uf_per_pkt = c->interval_us / (c->hs ? 125 : 1000);
	uint32_t ufps = c->hs ? 8000 : 1000;
	unsigned qbits = c->hs ? 16 : 14;	/* the device's own format */
	/* device rate in frames per second = rate * (1e6 + ppm) / 1e6 */
	unsigned __int128 rnum = (unsigned __int128)c->rate * (uint64_t)(1000000 + ppm);
	unsigned __int128 reported = 0;	/* device: sum of reported values x microframes, Q */
	struct uacd_fb_decoder dec;
	struct uacd_pktsched ps;
	uint64_t sent = 0, k, packets = (uint64_t)pps * 60;
	int64_t worst = 0;

	ck_assert_int_eq(uacd_pktsched_init(&ps, c->rate, c->interval_us, 0), 0);
	ck_assert_int_eq(uacd_fb_decoder_init(&dec, c->rate, c->interval_us, c->hs), 0);
	for (k = 0; k < packets; k++) {
		uint64_t consumed;
		int64_t diff;

		if (k % c->fb_period == 0) {
			/* the device counts its clock: Q-units consumed by the end of the next period */
			uint64_t u_end = (k + c->fb_period) * uf_per_pkt;
			unsigned __int128 target = (rnum << qbits) * u_end / ((unsigned __int128)ufps * 1000000);
			uint64_t span = (uint64_t)c->fb_period * uf_per_pkt;
			uint32_t value = (uint32_t)((target - reported + span / 2) / span);
			uint8_t b[4];
			uint32_t q16;
			int n, ret;

			reported += (unsigned __int128)value * span;
			n = uacd_fb_encode(c->hs ? value : value << 2, c->hs, b);
			ret = uacd_fb_decode(&dec, b, n, &q16);
			if (ret)
				ck_abort_msg("packet %llu: feedback %u not accepted: %d",
					     (unsigned long long)k, value, ret);
			uacd_pktsched_set_feedback(&ps, q16);
		}
		sent += uacd_pktsched_next(&ps);
		/* whole frames the device has played by the end of this packet */
		consumed = (uint64_t)(rnum * (k + 1) / ((unsigned __int128)pps * 1000000));
		diff = (int64_t)(sent - consumed);
		if (diff > worst)
			worst = diff;
		if (-diff > worst)
			worst = -diff;
		if (diff > 1 || diff < -1)
			ck_abort_msg("rate %u %s interval %u ppm %d: packet %llu sent %llu consumed %llu",
				     c->rate, c->hs ? "HS" : "FS", c->interval_us, ppm,
				     (unsigned long long)k, (unsigned long long)sent,
				     (unsigned long long)consumed);
	}
	ck_assert_int_le(diff_end(sent, rnum, packets, pps), 1);
	ck_assert_uint_eq(dec.rejected, 0);
	printf("follow %6u Hz %s %4u us fb/%u ppm %+5d: 60 s, %llu frames sent, "
	       "max |sent - consumed| %lld frame\n",
	       c->rate, c->hs ? "HS" : "FS", c->interval_us, c->fb_period, ppm,
	       (unsigned long long)sent, (long long)worst);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("packet");
	TCase *tc = tcase_create("sizes");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_packet_sizes_10s, 0, (int)(NR_RATES * NR_INTERVALS));
	tcase_add_test(tc, test_packet_44k1_pattern);
	tcase_add_test(tc, test_packet_feedback_exact);
	suite_add_tcase(s, tc);
	tc = tcase_create("feedback");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_feedback_formats);
	tcase_add_test(tc, test_feedback_misformatted);
	tcase_add_test(tc, test_feedback_rejects);
	tcase_add_loop_test(tc, test_feedback_following_60s, 0,
			    (int)(sizeof(follow_cases) / sizeof(follow_cases[0]) * 2));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
