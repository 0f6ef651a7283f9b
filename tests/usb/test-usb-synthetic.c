/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Descriptor model tests on hand-built descriptors: malformed input, with
 * the exact error text, and the features the recorded corpus lacks (high
 * bandwidth and SuperSpeed companions, UAC3 BADD, two functions in one
 * device), and the small helpers.  Needs no fixtures; the corpus is
 * tests/usb/test-usb-descriptors.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-descriptors.h"

/* ---- malformed input ---- */

static void expect_error(const uint8_t *b, size_t len, const char *msg)
{
	struct uacd_usbdesc *d = (struct uacd_usbdesc *)1;
	char err[160];
	int ret = uacd_usbdesc_parse(b, len, &d, err, sizeof(err));

	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(err, msg);
}

#define CFG(total, nif) 9, 2, (total) & 0xff, (total) >> 8, nif, 1, 0, 0x80, 50
#define IF(n, alt, neps, cls, sub, proto) 9, 4, n, alt, neps, cls, sub, proto, 0

START_TEST(test_malformed_basic)
{
	static const uint8_t zero_len[] = { CFG(20, 1), IF(0, 0, 0, 1, 1, 0), 0, 0 };
	static const uint8_t one_len[] = { CFG(20, 1), IF(0, 0, 0, 1, 1, 0), 1, 0 };
	static const uint8_t past_end[] = { CFG(21, 1), IF(0, 0, 0, 1, 1, 0), 7, 5, 1 };
	static const uint8_t short_if[] = { CFG(14, 1), 5, 4, 0, 0, 0 };
	static const uint8_t short_ep[] = { CFG(23, 1), IF(1, 1, 1, 1, 2, 0), 5, 5, 1, 5, 0 };
	static const uint8_t not_cfg[] = { 9, 1, 9, 0, 0, 0, 0, 0, 0 };
	static const uint8_t tail[] = { CFG(10, 0), 2 };
	static const uint8_t ok_empty[] = { CFG(9, 0) };
	struct uacd_usbdesc *d = NULL;
	char err[160];

	expect_error(zero_len, sizeof(zero_len), "offset 18: descriptor bLength 0");
	expect_error(one_len, sizeof(one_len), "offset 18: descriptor bLength 1");
	expect_error(past_end, sizeof(past_end),
		     "offset 18: descriptor bLength 7 runs past the end (3 bytes left)");
	expect_error(past_end, 20, "offset 2: wTotalLength 21 but only 20 bytes given");
	expect_error(short_if, sizeof(short_if),
		     "offset 9: interface descriptor bLength 5 too short (min 9)");
	expect_error(short_ep, sizeof(short_ep),
		     "offset 18: endpoint descriptor bLength 5 too short (min 7)");
	expect_error(not_cfg, sizeof(not_cfg),
		     "offset 0: bDescriptorType 1 is not a configuration descriptor");
	expect_error(not_cfg, 5, "offset 0: configuration descriptor truncated (5 bytes, need 9)");
	expect_error(tail, sizeof(tail), "offset 9: truncated descriptor header (1 byte left)");

	ck_assert_int_eq(uacd_usbdesc_parse(ok_empty, sizeof(ok_empty), &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d->nr_functions, 0);
	uacd_usbdesc_free(d);
	/* a buffer shorter than wTotalLength is refused, longer is cut */
	ck_assert_int_eq(uacd_usbdesc_parse(tail, 9, &d, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(uacd_usbdesc_parse(zero_len, 9, &d, err, sizeof(err)), -EINVAL);
}
END_TEST

/* A UAC2 function whose clock selector 40 and selector 41 select each other. */
START_TEST(test_malformed_clock_loop)
{
	static const uint8_t b[] = {
		CFG(52, 1),
		IF(0, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 43, 0, 0,		/* header, offset 18 */
		8, 0x24, 11, 40, 1, 41, 3, 0,			/* clock selector 40 <- 41, offset 27 */
		8, 0x24, 11, 41, 1, 40, 3, 0,			/* clock selector 41 <- 40, offset 35 */
		9, 0x24, 0x0a, 42, 3, 7, 0, 0, 0,		/* unrelated clock source, offset 43 */
	};

	expect_error(b, sizeof(b), "offset 27: loop in the clock graph through clock selector 40");
}
END_TEST

/* UAC1 units feeding each other: feature 5 <- selector 6 <- feature 5. */
START_TEST(test_malformed_unit_loop)
{
	static const uint8_t b[] = {
		CFG(48, 1),
		IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 28, 0, 1, 1,		/* header, offset 18 */
		9, 0x24, 6, 5, 6, 1, 3, 0, 0,			/* feature 5 <- 6, offset 27 */
		7, 0x24, 5, 6, 1, 5, 0,				/* selector 6 <- 5, offset 36 */
		5, 0x24, 0x99, 0, 0,				/* unknown subtype: skipped */
	};

	expect_error(b, sizeof(b), "offset 27: loop in the unit graph through feature unit 5");
}
END_TEST

START_TEST(test_malformed_counts)
{
	/* selector unit claiming 200 input pins in 7 bytes */
	static const uint8_t pins[] = {
		CFG(34, 1), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 16, 0, 0, 0,
		7, 0x24, 5, 6, 200, 5, 0,
	};
	/* UAC1 header bInCollection 9 with one interface number present */
	static const uint8_t coll[] = {
		CFG(27, 1), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 9, 0, 9, 1,
	};
	/* feature unit with bControlSize 0 */
	static const uint8_t csize[] = {
		CFG(34, 1), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 16, 0, 0, 0,
		7, 0x24, 6, 3, 1, 0, 0,
	};
	/* UAC1 format type I with bSamFreqType 200 in 14 bytes */
	static const uint8_t rates[] = {
		CFG(61, 2), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 9, 0, 1, 1,
		IF(1, 1, 1, 1, 2, 0),
		7, 0x24, 1, 1, 0, 1, 0,				/* AS general, offset 36 */
		11, 0x24, 2, 1, 2, 2, 16, 200, 0x80, 0xbb, 0,	/* format type, offset 43 */
		7, 5, 1, 9, 192, 0, 1,
	};
	/* UAC2 AS_GENERAL cut short */
	static const uint8_t gen[] = {
		CFG(45, 2), IF(0, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 9, 0, 0,
		IF(1, 1, 0, 1, 2, 0x20),
		9, 0x24, 1, 1, 0, 1, 1, 0, 0,			/* offset 36 */
	};

	expect_error(pins, sizeof(pins),
		     "offset 27: selector unit 6: bNrInPins 200 needs bLength >= 205, got 7");
	expect_error(coll, sizeof(coll),
		     "offset 18: AudioControl header bInCollection 9 needs bLength >= 17, got 9");
	expect_error(csize, sizeof(csize), "offset 27: feature unit 3 bControlSize 0");
	expect_error(rates, sizeof(rates),
		     "offset 43: bSamFreqType 200 needs bLength >= 608, got 11");
	expect_error(gen, sizeof(gen), "offset 36: AS_GENERAL bLength 9 too short (min 16)");
}
END_TEST

/* Built by hand: things the corpus lacks. */
START_TEST(test_synthetic_features)
{
	/* UAC2 HS: playback with a high-bandwidth endpoint and SS companion,
	 * capture async; no feedback endpoint -> implicit from capture 0x82;
	 * plus a UAC3 BADD function and a HID interface that are skipped */
	static const uint8_t b[] = {
		CFG(197, 4),
		8, 11, 0, 3, 1, 0, 0x20, 0,
		IF(0, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 63, 0, 0,		/* header */
		8, 0x24, 10, 9, 1, 7, 0, 0,			/* clock source 9 */
		8, 0x24, 12, 8, 9, 0, 0, 0,			/* clock multiplier 8 <- 9 */
		17, 0x24, 2, 1, 0x01, 0x01, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0,
		12, 0x24, 3, 2, 0x01, 0x03, 0, 1, 8, 0, 0, 0,
		IF(1, 0, 0, 1, 2, 0x20),
		IF(1, 1, 1, 1, 2, 0x20),
		16, 0x24, 1, 1, 0, 1, 4, 0, 0, 0, 2, 0, 0, 0, 0, 0,	/* general: FLOAT */
		6, 0x24, 2, 1, 4, 32,				/* 4-byte float */
		7, 5, 0x01, 0x05, 0x00, 0x14, 1,		/* OUT async, 3x 1024 */
		6, 0x30, 2, 1, 0x00, 0x0c,			/* SS companion: burst 3, 3072 */
		8, 0x25, 1, 0, 0, 2, 8, 0,
		IF(2, 0, 0, 1, 2, 0x20),
		IF(2, 1, 1, 1, 2, 0x20),
		16, 0x24, 1, 2, 0, 1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0,	/* general: PCM8 */
		6, 0x24, 2, 1, 1, 8,
		7, 5, 0x82, 0x05, 0x40, 0x00, 1,		/* IN async */
		IF(3, 0, 0, 3, 0, 0),				/* HID */
	};
	static const uint8_t badd[] = {
		CFG(35, 2),
		8, 11, 0, 2, 1, 0x22, 0x30, 0,			/* IAD: BADD profile 0x22 */
		IF(0, 0, 0, 1, 1, 0x30),
		IF(1, 0, 0, 1, 2, 0x30),
	};
	struct uacd_usbdesc *d = NULL;
	const struct uacd_usbdesc_function *fn;
	const struct uacd_usbdesc_alt *a;
	const struct uacd_usbdesc_endpoint *ep;
	char err[160];
	int ret;

	ret = uacd_usbdesc_parse(b, sizeof(b), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->nr_functions, 1);
	fn = &d->functions[0];
	ck_assert_int_eq(fn->uac_version, 2);
	ck_assert_uint_eq(fn->nr_streams, 2);
	ck_assert_uint_eq(d->nr_skipped, 1);
	ck_assert(d->has_ss_companions);
	a = &fn->streams[0].alts[1];
	ck_assert_str_eq(a->alsa_format, "FLOAT_LE");
	ck_assert_uint_eq(a->clock_id, 8);
	ck_assert_uint_eq(a->clock_source_id, 9);
	ep = &a->eps[a->data_ep];
	ck_assert_uint_eq(ep->max_packet, 1024);
	ck_assert_uint_eq(ep->mult, 3);
	ck_assert(ep->has_ss);
	ck_assert_uint_eq(ep->ss_max_burst, 2);
	ck_assert_uint_eq(uacd_usbdesc_ep_bytes_per_interval(ep), 3072);
	ck_assert(ep->has_cs);
	ck_assert_uint_eq(ep->lock_delay_units, 2);
	ck_assert_uint_eq(ep->lock_delay, 8);
	ck_assert_uint_eq(a->fb_address, 0);
	ck_assert(a->implicit_fb);
	ck_assert_uint_eq(a->implicit_fb_address, 0x82);
	ck_assert_uint_eq(a->implicit_fb_iface, 2);
	ck_assert_uint_eq(a->implicit_fb_alt, 1);
	ck_assert_str_eq(fn->streams[1].alts[1].alsa_format, "U8");
	ck_assert_int_eq(fn->streams[1].dir, UACD_USBDESC_DIR_CAPTURE);
	ck_assert_int_eq(uacd_usbdesc_infer_speed(NULL, d), UACD_USB_SPEED_SUPER);
	uacd_usbdesc_free(d);

	ret = uacd_usbdesc_parse(badd, sizeof(badd), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->nr_functions, 1);
	ck_assert_int_eq(d->functions[0].uac_version, 3);
	ck_assert(!d->functions[0].supported);
	ck_assert_str_eq(d->functions[0].note, "UAC3 BADD function (profile 0x22): not supported");
	uacd_usbdesc_free(d);
}
END_TEST

/*
 * Two functions in one device, as some real ones have: a UAC1 function whose
 * header lists a MIDI interface and whose AC header wTotalLength is wrong,
 * with a vendor alt setting inside its streaming interface and a
 * "synchronous" playback endpoint that has a feedback endpoint anyway; and a
 * UAC2 function (IAD) with an adaptive capture endpoint and its OUT
 * feedback endpoint.
 */
START_TEST(test_synthetic_two_functions)
{
	static const uint8_t b[] = {
		CFG(260, 5),
		IF(0, 0, 0, 1, 1, 0),
		10, 0x24, 1, 0x00, 0x01, 200, 0, 2, 1, 2,	/* wTotalLength 200: wrong */
		12, 0x24, 2, 1, 0x01, 0x01, 0, 2, 3, 0, 0, 0,	/* IT 1 USB streaming */
		9, 0x24, 3, 2, 0x01, 0x03, 0, 1, 0,		/* OT 2 speaker <- 1 */
		IF(1, 0, 0, 1, 2, 0),
		IF(1, 1, 2, 1, 2, 0),
		7, 0x24, 1, 1, 1, 1, 0,				/* PCM */
		11, 0x24, 2, 1, 2, 2, 16, 1, 0x80, 0xbb, 0,	/* 48000 */
		9, 5, 0x01, 0x0d, 192, 0, 1, 0, 0x81,		/* OUT synchronous, bSynchAddress 0x81 */
		7, 0x25, 1, 1, 0, 0, 0,
		9, 5, 0x81, 0x01, 3, 0, 1, 2, 0,		/* its feedback endpoint */
		IF(1, 2, 1, 255, 0, 0),				/* vendor alt setting */
		7, 5, 0x01, 0x01, 0, 2, 1,
		IF(2, 0, 0, 1, 3, 0),				/* MIDI streaming */
		8, 11, 3, 2, 1, 0, 0x20, 0,			/* IAD 3..4 */
		IF(3, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 30, 0, 0,
		8, 0x24, 10, 5, 1, 7, 0, 0,			/* clock source 5 */
		12, 0x24, 3, 6, 0x01, 0x01, 0, 7, 5, 0, 0, 0,	/* OT 6 USB streaming <- 7 */
		17, 0x24, 2, 7, 0x01, 0x02, 0, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0,	/* IT 7 mic */
		IF(4, 0, 0, 1, 2, 0x20),
		IF(4, 1, 2, 1, 2, 0x20),
		16, 0x24, 1, 6, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0,
		6, 0x24, 2, 1, 3, 24,
		7, 5, 0x82, 0x09, 0x90, 0x01, 1,		/* IN adaptive, 400 bytes */
		8, 0x25, 1, 0, 0, 0, 0, 0,
		7, 5, 0x02, 0x11, 4, 0, 4,			/* OUT feedback */
	};
	struct uacd_usbdesc *d = NULL;
	const struct uacd_usbdesc_function *f;
	const struct uacd_usbdesc_alt *a;
	char err[160];
	int ret;

	ret = uacd_usbdesc_parse(b, sizeof(b), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->nr_functions, 2);
	ck_assert_uint_eq(d->nr_skipped, 2);

	f = &d->functions[0];
	ck_assert_int_eq(f->uac_version, 1);
	ck_assert_uint_eq(f->nr_as_ifaces, 2);
	ck_assert_uint_eq(f->nr_streams, 1);
	ck_assert_uint_eq(f->streams[0].iface, 1);
	ck_assert_int_eq(f->streams[0].dir, UACD_USBDESC_DIR_PLAYBACK);
	ck_assert_uint_eq(f->streams[0].nr_alts, 2);
	a = &f->streams[0].alts[1];
	ck_assert_str_eq(a->alsa_format, "S16_LE");
	ck_assert_uint_eq(a->nr_rates, 1);
	ck_assert_uint_eq(a->rates[0], 48000);
	ck_assert_int_eq(a->eps[a->data_ep].sync, UACD_USBDESC_SYNC_SYNC);
	ck_assert(a->eps[a->data_ep].freq_control);
	ck_assert_int_eq(a->fb_ep, 1);		/* present ... */
	ck_assert_uint_eq(a->fb_address, 0);	/* ... but a synchronous endpoint does not use it */
	ck_assert(!a->implicit_fb);

	f = &d->functions[1];
	ck_assert_int_eq(f->uac_version, 2);
	ck_assert_uint_eq(f->ac_iface, 3);
	ck_assert_uint_eq(f->nr_streams, 1);
	ck_assert_int_eq(f->streams[0].dir, UACD_USBDESC_DIR_CAPTURE);
	a = &f->streams[0].alts[1];
	ck_assert_str_eq(a->alsa_format, "S24_3LE");
	ck_assert_uint_eq(a->channels, 1);
	ck_assert_uint_eq(a->clock_id, 5);
	ck_assert_uint_eq(a->clock_source_id, 5);
	ck_assert_uint_eq(a->eps[a->data_ep].max_packet, 400);
	ck_assert_uint_eq(a->fb_address, 0x02);	/* adaptive capture: host sends feedback */
	ck_assert(!a->implicit_fb);
	uacd_usbdesc_free(d);
}
END_TEST

START_TEST(test_helpers)
{
	static const uint8_t devd[18] = { 18, 1, 0x00, 0x02, 0xef, 2, 1, 64,
					  0x97, 0x13, 0x10, 0x05, 0, 1, 1, 2, 3, 1 };
	struct uacd_usbdesc_device dev;
	char err[160];

	ck_assert_int_eq(uacd_usbdesc_parse_device(devd, sizeof(devd), &dev, err, sizeof(err)), 0);
	ck_assert_uint_eq(dev.vendor_id, 0x1397);
	ck_assert_uint_eq(dev.product_id, 0x0510);
	ck_assert_uint_eq(dev.bcd_usb, 0x0200);
	ck_assert_int_eq(uacd_usbdesc_parse_device(devd, 17, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "offset 0: device descriptor truncated (17 bytes, need 18)");
	ck_assert_uint_eq(uacd_usbdesc_interval_us(1, UACD_USB_SPEED_FULL), 1000);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(4, UACD_USB_SPEED_HIGH), 1000);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(1, UACD_USB_SPEED_HIGH), 125);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(0, UACD_USB_SPEED_HIGH), 0);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(17, UACD_USB_SPEED_HIGH), 0);
	dev.bcd_usb = 0x0110;
	ck_assert_int_eq(uacd_usbdesc_infer_speed(&dev, NULL), UACD_USB_SPEED_FULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usb-descriptors");
	TCase *tc = tcase_create("malformed");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_malformed_basic);
	tcase_add_test(tc, test_malformed_clock_loop);
	tcase_add_test(tc, test_malformed_unit_loop);
	tcase_add_test(tc, test_malformed_counts);
	tcase_add_test(tc, test_synthetic_features);
	tcase_add_test(tc, test_synthetic_two_functions);
	tcase_add_test(tc, test_helpers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
