/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport (engine/usb/) binding the real devices of the
 * descriptor corpus (tests/fixtures/descriptors), each behind a fake device in virtual time
 * (tests/usbfake/usbfake-fixture.h).  Measured and asserted:
 *
 *  - capture from a capture-only UAC1 microphone whose SAMPLING_FREQ
 *    request is answered: the device's ramp reaches a capture client
 *    complete;
 *  - every device of the corpus binds: its selection is printed and
 *    asserted, and 2 s of streaming give no packet error.
 *
 * Without the corpus nothing here is registered, and a pass is reported as
 * a FAIL (a SKIP when UACD_TEST_FIXTURES is unset: usbfake_run()).
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

/* A capture-only UAC1 device (Razer Seiren Mini: S16 mono, async IN 0x82). */
START_TEST(test_capture_only)
{
	struct uacd_usb_probe p;
	struct fake_usb f;
	uint8_t *cfg;
	struct uacd_device *d;
	struct uacd_usb_info in;
	struct cap_client cc;
	size_t j;

	corpus_probe(&p, "32-razer-seiren-mini", &cfg);
	p.speed = UACD_USB_SPEED_FULL;
	memset(&f, 0, sizeof(f));
	f.rate = 48000;
	f.interval_us = 1000;
	f.ppm = -200;
	f.out_frame_bytes = 2;
	f.in_frame_bytes = 2;
	f.uac_version = 1;
	fake_usb_init(&f);
	d = make_dev(&f, "usb", NULL, 0, &p);
	uacd_usb_get_info(d, &in);
	ck_assert_uint_eq(d->play_ch, 0);
	ck_assert_uint_eq(d->cap_ch, 1);
	ck_assert_uint_eq(d->format, UACD_FMT_S16_LE);
	ck_assert_uint_eq(d->rate, 48000);
	ck_assert_uint_eq(d->n_rates, 7);
	ck_assert_uint_eq(in.cap_ep, 0x82);
	/* no playback path: no controls, the microphone's gain is left alone */
	ck_assert_uint_eq(in.fu_id, 0);
	ck_assert_int_eq(d->ops->control(d, "volume", false, &(int32_t){ 0 }, &(int32_t){ 0 },
					 &(int32_t){ 0 }, &(int32_t){ 0 }), -ENOENT);
	/* its endpoint has a SAMPLING_FREQ control, and this one answers */
	ck_assert_int_eq(f.rate_requests, 1);
	ck_assert_uint_eq(f.set_rate, 48000);
	cap_open(d, &cc);
	while (f.now_us < 10000000) {
		cap_drain(&cc);
		uacd_usb_iterate(d, 100);
	}
	ck_assert_uint_eq(cc.bad, 0);
	ck_assert_uint_ge(cc.good, 48000 * 99 / 10);
	ck_assert_uint_eq(f.n_out_sizes, 0);
	for (j = 0; j < f.n_in_sizes; j++)
		ck_assert(f.in_sizes[j] == 47 || f.in_sizes[j] == 48);
	uacd_dev_stream_close(cc.s);
	finish(d, &f);
	free(cfg);
}
END_TEST

/*
 * Every device of the corpus: what the transport selects (printed,
 * one line each), and 2 s of streaming silence with no packet error.
 */
START_TEST(test_corpus)
{
	static const struct {
		const char *name;
		const char *expect;	/* the selection, as printed (checked against describe) */
	} devs[] = {
		{ "02-allenheath-xone43c", "UAC1 S24_3LE 48000 Hz play 2 ch alt 1 ep 0x02 async fb 0x85 cap 2 ch alt 1" },
		{ "04-gyrocom-1852-7022", "UAC1 S16_LE 48000 Hz play 2 ch alt 1 ep 0x03 adaptive cap 2 ch alt 1" },
		{ "08-nux-mightyplug", "UAC2 S32_LE 48000 Hz play 2 ch alt 1 ep 0x01 async fb 0x81 cap 2 ch alt 1" },
		{ "11-behringer-uv1", "UAC2 S32_LE 48000 Hz play 2 ch alt 1 ep 0x08 async fb 0x84 cap 2 ch alt 1" },
		{ "13-razer-1532-0526", "UAC1 S16_LE 48000 Hz play 2 ch alt 1 ep 0x01 adaptive cap 2 ch alt 1" },
		{ "17-maudio-micro", "UAC1 S16_LE 48000 Hz play 2 ch alt 2 ep 0x01 adaptive cap 2 ch alt 3" },
		{ "21-msi-realtek-alc1220-usb", "UAC2 S16_LE 48000 Hz play 2 ch alt 1 ep 0x04 adaptive cap 2 ch alt 1" },
		{ "24-arturia-1c75-af20", "UAC2 S32_LE 48000 Hz play 18 ch alt 2 ep 0x01 async implicit cap 18 ch alt 2" },
		{ "29-rode-ai1", "UAC1 S24_3LE 48000 Hz play 2 ch alt 1 ep 0x03 async fb 0x84 cap 1 ch alt 1" },
		{ "32-razer-seiren-mini", "UAC1 S16_LE 48000 Hz play 0 ch alt 0 ep 0x00 - cap 1 ch alt 1" },
		{ "34-sony-dualsense", "UAC1 S16_LE 48000 Hz play 4 ch alt 1 ep 0x01 adaptive cap 2 ch alt 1" },
	};
	unsigned k;

	for (k = 0; k < sizeof(devs) / sizeof(devs[0]); k++) {
		struct uacd_usb_probe p;
		struct fake_usb f;
		uint8_t *cfg;
		struct uacd_device *d = NULL;
		struct uacd_usb_info in;
		char err[512] = "", line[256];
		int ret;

		corpus_probe(&p, devs[k].name, &cfg);
		p.speed = UACD_USB_SPEED_UNKNOWN;	/* the transport guesses from the descriptors */
		memset(&f, 0, sizeof(f));
		f.rate = 48000;
		f.uac_version = 2;	/* answers UAC2 clock requests; UAC1 ones are not stalled */
		f.interval_us = 1000;
		f.out_frame_bytes = f.in_frame_bytes = 4;
		fake_usb_init(&f);
		ret = uacd_usb_create_io("usb", &p, &fake_usb_ops, &f, &d, err, sizeof(err));
		ck_assert_msg(ret == 0, "%s: %s", devs[k].name, err);
		uacd_usb_set_idle_ms(d, 0);	/* no client here: stream silence anyway */
		uacd_usb_get_info(d, &in);
		snprintf(line, sizeof(line), "UAC%d %s %u Hz play %u ch alt %u ep 0x%02x %s%s%.0s%s cap %u ch alt %u",
			 in.uac_version, uacd_format_name(d->format), d->rate, d->play_ch, in.play_alt, in.play_ep,
			 d->play_ch ? uacd_usbdesc_sync_name(in.play_sync) : "-",
			 in.implicit_fb ? " implicit" : in.fb_ep ? " fb 0x" : "", "",
			 in.fb_ep && !in.implicit_fb ? (char[3]){ "0123456789abcdef"[in.fb_ep >> 4],
							       "0123456789abcdef"[in.fb_ep & 15], 0 } : "",
			 d->cap_ch, in.cap_alt);
		printf("corpus %-28s %s speed, %u us packets: %s\n", devs[k].name,
		       uacd_usbdesc_speed_name(in.speed), in.interval_us, line);
		if (devs[k].expect)
			ck_assert_str_eq(line, devs[k].expect);
		/* the fake's frame sizes follow what was selected */
		f.interval_us = in.interval_us;
		f.high_speed = in.interval_us < 1000;
		f.out_frame_bytes = uacd_format_bytes(d->format) * (d->play_ch ? d->play_ch : 1);
		f.in_frame_bytes = uacd_format_bytes(d->format) * (d->cap_ch ? d->cap_ch : 1);
		fake_usb_free(&f);
		fake_usb_init(&f);
		while (f.now_us < 2000000)
			uacd_usb_iterate(d, 100);
		uacd_usb_get_info(d, &in);
		ck_assert_msg(in.errors == 0 && in.stalls == 0 && in.resubmit_failures == 0,
			      "%s: errors %llu stalls %llu failed submits %llu", devs[k].name,
			      (unsigned long long)in.errors, (unsigned long long)in.stalls,
			      (unsigned long long)in.resubmit_failures);
		ck_assert_uint_ge(in.out_packets + in.in_packets, 1000);
		ck_assert_uint_eq(f.bad, 0);
		finish(d, &f);
		free(cfg);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usbfake");
	TCase *tc = usbfake_tcase("corpus");
	int have_corpus = corpus_find() == 0;

	if (have_corpus) {
		tcase_add_test(tc, test_capture_only);
		tcase_add_test(tc, test_corpus);
	}
	suite_add_tcase(s, tc);
	return usbfake_run(s, have_corpus ? NULL : "the capture-only and corpus tests");
}
