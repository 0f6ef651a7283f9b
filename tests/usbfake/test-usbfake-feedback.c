/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Packet sizing and feedback in the USB transport
 * (engine/usb/transport-libusb.c) against a fake device in virtual time
 * (tests/usbfake/usbfake-fixture.h).  Measured and asserted:
 *
 *  - explicit feedback at full speed (10.14), a device sending 16.16
 *    instead, and one sending garbage every 7th report, each at -1000,
 *    0 and +1000 ppm, at 44.1 and 48 kHz: 60 s, no frame lost or
 *    repeated, no underflow/overflow, the decoded feedback within 1 ppm of
 *    the device's clock; and the same at high speed (UAC2, 16.16), with
 *    capture (the device's ramp reaches a capture client complete, no xrun);
 *  - completion timing: one callback per handle_events, and bursts 20 ms
 *    late: still exact;
 *  - implicit feedback (UAC2, a real device's descriptors): every playback
 *    packet has the size of the capture packet it follows, 60 s at +500 ppm.
 *
 * The high-speed and implicit-feedback cases bind devices of the
 * descriptor corpus (tests/fixtures/descriptors): without it they are not
 * registered, and a pass is reported as a FAIL (a SKIP when
 * UACD_TEST_FIXTURES is unset: usbfake_run()).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/usb/transport-libusb.h"
#include "tests/usbfake/fake-usb.h"
#include "tests/usbfake/usbfake-fixture.h"

/* ---- explicit feedback and drift ---------------------------------------------- */

static const int ppms[] = { -1000, 0, 1000 };
static const enum fake_fb_mode modes[] = { FAKE_FB_SPEC, FAKE_FB_1616_AT_FS, FAKE_FB_GARBAGE };
static const uint32_t fs_rates[] = { 44100, 48000 };

/* _i: rate x mode x ppm */
START_TEST(test_feedback_drift_fs)
{
	uint32_t rate = fs_rates[_i / 9];
	enum fake_fb_mode mode = modes[(_i / 3) % 3];
	int ppm = ppms[_i % 3];
	struct fake_usb f;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, true, false, (const uint32_t[]){ 44100, 48000 }, 2);
	char spec[64];
	struct uacd_device *d;
	struct uacd_usb_info in;
	struct client c;
	double want, got;

	qemu_model(&f, rate, ppm);
	f.fb_mode = mode;
	snprintf(spec, sizeof(spec), "usb:46f4:0002,rate=%u", rate);
	d = make_dev(&f, spec, cfg, len, NULL);
	uacd_usb_get_info(d, &in);
	ck_assert_uint_eq(in.fb_ep, 0x81);
	ck_assert_uint_eq(d->rate, rate);
	client_open(d, &c);
	run_until(d, &f, &c, 60000000);
	uacd_usb_get_info(d, &in);
	want = rate * (1.0 + ppm / 1e6) / 1000.0;
	got = in.fb_q16 / 65536.0;
	ck_assert_msg(got > want * (1 - 2e-6) && got < want * (1 + 2e-6),
		      "rate %u mode %d ppm %d: feedback %.6f frames/ms, device %.6f", rate, mode, ppm, got, want);
	ck_assert_msg(f.bad == 0 && f.gaps == 0 && f.silence_after_start == 0,
		      "rate %u mode %d ppm %d: bad %llu gaps %llu (%llu frames) silence %llu", rate, mode, ppm,
		      (unsigned long long)f.bad, (unsigned long long)f.gaps,
		      (unsigned long long)f.gap_frames, (unsigned long long)f.silence_after_start);
	ck_assert_msg(f.underflow == 0 && f.overflow == 0, "rate %u mode %d ppm %d: underflow %llu overflow %llu",
		      rate, mode, ppm, (unsigned long long)f.underflow, (unsigned long long)f.overflow);
	/* 60 s of the device's clock, less what is still queued */
	ck_assert_uint_ge(f.good, (uint64_t)(want * 1000 * 59.9));
	ck_assert_uint_le(f.fifo_max, rate / 100);
	ck_assert_int_eq(client_error(&c), 0);
	uacd_dev_stream_close(c.s);
	finish(d, &f);
}
END_TEST

/* High speed, UAC2, 16.16 feedback: Behringer UV1 (S32_LE stereo, fb EP 0x84). */
START_TEST(test_feedback_drift_hs)
{
	int ppm = ppms[_i];
	struct uacd_usb_probe p;
	struct fake_usb f;
	uint8_t *cfg;
	struct uacd_device *d;
	struct uacd_usb_info in;
	struct client c;
	struct cap_client cc;
	double want, got;

	corpus_probe(&p, "11-behringer-uv1", &cfg);
	memset(&f, 0, sizeof(f));
	f.rate = 48000;
	f.interval_us = 125;
	f.high_speed = true;
	f.ppm = ppm;
	f.out_frame_bytes = 8;
	f.in_frame_bytes = 8;
	f.uac_version = 2;
	fake_usb_init(&f);
	d = make_dev(&f, "usb", NULL, 0, &p);
	uacd_usb_get_info(d, &in);
	ck_assert_uint_eq(d->format, UACD_FMT_S32_LE);
	ck_assert_uint_eq(d->rate, 48000);
	ck_assert_int_eq(f.set_rate, 48000);
	ck_assert_uint_eq(in.uac_version, 2);
	ck_assert_uint_eq(in.fb_ep, 0x84);
	ck_assert_uint_eq(in.interval_us, 125);
	ck_assert_uint_eq(in.packets, 64);
	ck_assert_uint_eq(d->cap_ch, 2);
	client_open(d, &c);
	cap_open(d, &cc);
	while (f.now_us < 60000000) {
		client_feed(&c);
		cap_drain(&cc);
		uacd_usb_iterate(d, 100);
	}
	/* capture: the device's ramp, every frame, at its clock */
	ck_assert_uint_eq(cc.bad, 0);
	ck_assert_uint_ge(cc.good, (uint64_t)(48000 * (1.0 + ppm / 1e6) * 59.9));
	ck_assert_int_eq(__atomic_load_n(&cc.s->shm->daemon.xruns, __ATOMIC_RELAXED), 0);
	uacd_usb_get_info(d, &in);
	want = 48000 * (1.0 + ppm / 1e6) / 8000.0;
	got = in.fb_q16 / 65536.0;
	ck_assert_msg(got > want * (1 - 5e-6) && got < want * (1 + 5e-6), "ppm %d: feedback %.6f, device %.6f",
		      ppm, got, want);
	ck_assert_uint_eq(f.bad + f.gaps + f.silence_after_start + f.underflow + f.overflow, 0);
	ck_assert_uint_ge(f.good, (uint64_t)(48000 * (1.0 + ppm / 1e6) * 59.9));
	ck_assert_int_eq(client_error(&c), 0);
	uacd_dev_stream_close(c.s);
	uacd_dev_stream_close(cc.s);
	finish(d, &f);
	free(cfg);
}
END_TEST

/* Completion timing: one callback per wait, or bursts 20 ms late. */
START_TEST(test_completion_timing)
{
	struct fake_usb f;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, true, false, (const uint32_t[]){ 48000 }, 1);
	struct uacd_device *d;
	struct client c;

	qemu_model(&f, 48000, 700);
	if (_i == 0)
		f.max_per_call = 1;
	else
		f.burst_us = 20000;
	d = make_dev(&f, "usb,transfers=6", cfg, len, NULL);
	client_open(d, &c);
	run_until(d, &f, &c, 20000000);
	ck_assert_msg(f.bad + f.gaps + f.silence_after_start + f.underflow + f.overflow == 0,
		      "timing %d: bad %llu gaps %llu silence %llu underflow %llu overflow %llu", _i,
		      (unsigned long long)f.bad, (unsigned long long)f.gaps,
		      (unsigned long long)f.silence_after_start, (unsigned long long)f.underflow,
		      (unsigned long long)f.overflow);
	ck_assert_uint_ge(f.good, 48000 * 19);
	uacd_dev_stream_close(c.s);
	finish(d, &f);
}
END_TEST

/* Implicit feedback: Arturia (UAC2 HS, playback paced by capture EP 0x81). */
START_TEST(test_implicit_feedback)
{
	struct uacd_usb_probe p;
	struct fake_usb f;
	uint8_t *cfg;
	struct uacd_device *d;
	struct uacd_usb_info in;
	size_t j, n, warm;
	uint64_t total;

	corpus_probe(&p, "24-arturia-1c75-af20", &cfg);
	memset(&f, 0, sizeof(f));
	f.rate = 48000;
	f.interval_us = 125;
	f.high_speed = true;
	f.ppm = 500;
	f.out_frame_bytes = 18 * 4;
	f.in_frame_bytes = 18 * 4;
	f.uac_version = 2;
	fake_usb_init(&f);
	d = make_dev(&f, "usb", NULL, 0, &p);
	uacd_usb_get_info(d, &in);
	/* 34 channels is past UACD_MAX_CHANNELS: the first usable alt is 2 (18 ch) */
	ck_assert_uint_eq(in.play_alt, 2);
	ck_assert_uint_eq(d->play_ch, 18);
	ck_assert(in.implicit_fb);
	ck_assert_uint_eq(in.cap_iface, 2);
	ck_assert_uint_eq(in.cap_alt, 2);
	ck_assert_uint_eq(in.fb_ep, 0);
	/* no client: 18 channels is more than a client stream takes; silence is sized alike */
	uacd_usb_set_idle_ms(d, 0);
	run_until(d, &f, NULL, 60000000);
	/* OUT transfers submitted before the first capture completed go nominal */
	warm = (size_t)in.transfers * in.packets;
	n = f.n_out_sizes < f.n_in_sizes + warm ? f.n_out_sizes : f.n_in_sizes + warm;
	ck_assert_uint_ge(n, 60 * 8000 - 1000);
	for (j = warm; j < n; j++)
		ck_assert_msg(f.out_sizes[j] == f.in_sizes[j - warm], "packet %zu: out %u, capture %u", j,
			      f.out_sizes[j], f.in_sizes[j - warm]);
	/* and they follow the device's clock: 6.003 frames per 125 us */
	for (j = 0, total = 0; j < n; j++)
		total += f.out_sizes[j];
	ck_assert_uint_ge(total, (uint64_t)(n * 6.003) - 12);
	ck_assert_uint_le(total, (uint64_t)(n * 6.003) + 12);
	ck_assert_uint_eq(f.bad + f.underflow + f.overflow, 0);
	finish(d, &f);
	free(cfg);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usbfake");
	TCase *tc = usbfake_tcase("feedback");
	int have_corpus = corpus_find() == 0;

	tcase_add_loop_test(tc, test_feedback_drift_fs, 0, 18);
	if (have_corpus)
		tcase_add_loop_test(tc, test_feedback_drift_hs, 0, 3);
	tcase_add_loop_test(tc, test_completion_timing, 0, 2);
	if (have_corpus)
		tcase_add_test(tc, test_implicit_feedback);
	suite_add_tcase(s, tc);
	return usbfake_run(s, have_corpus ? NULL : "the feedback-hs and implicit-feedback tests");
}
