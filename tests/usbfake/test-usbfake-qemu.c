/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport (engine/usb/) against QEMU's device, faked
 * (tests/usbfake/usbfake-fixture.h): spec parsing and matching
 * (usb-spec.c), and binding (usb-bind.c, usb-control.c).  Measured and
 * asserted:
 *
 *  - spec parsing and matching, with the exact error texts;
 *  - QEMU's device: alt 1, 48 x 4-byte packets every 1 ms, SAMPLING_FREQ
 *    stalled and harmless, volume at the top of the range on channels 1 and
 *    2 (the only ones QEMU has), mute on the master, the control op's
 *    values and errors; with multi=on 6 and 8 channels select alts 2 and 3
 *    with 576- and 768-byte packets; transfers/packets options;
 *  - no alt setting matching what was asked: a refusal that leaves the
 *    device unclaimed and owned by the caller.
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

/* ---- specs ---------------------------------------------------------------- */

START_TEST(test_spec_parse)
{
	struct uacd_usb_spec s;
	struct uacd_usb_probe p;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, false, false, (const uint32_t[]){ 48000 }, 1);
	char err[256];

	ck_assert_int_eq(uacd_usb_spec_parse("usb", &s, err, sizeof(err)), 0);
	ck_assert(s.any);
	ck_assert_int_eq(uacd_usb_spec_parse("usb:46f4:0002", &s, err, sizeof(err)), 0);
	ck_assert(s.has_id && s.vid == 0x46f4 && s.pid == 0x0002 && !s.serial[0]);
	ck_assert_int_eq(uacd_usb_spec_parse("usb:46f4:0002:1-0000:00:04.0-1", &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.serial, "1-0000:00:04.0-1");
	ck_assert_int_eq(uacd_usb_spec_parse("usb:path=1-2.3", &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.path, "1-2.3");
	ck_assert_int_eq(uacd_usb_spec_parse(
		"usb:46f4:0002,rate=44100,channels=6,format=S24_3LE,transfers=6,packets=4,priority=5,name=dac",
		&s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.rate, 44100);
	ck_assert_uint_eq(s.channels, 6);
	ck_assert_uint_eq(s.format, UACD_FMT_S24_3LE);
	ck_assert_uint_eq(s.transfers, 6);
	ck_assert_uint_eq(s.packets, 4);
	ck_assert_int_eq(s.priority, 5);
	ck_assert_str_eq(s.name, "dac");
	ck_assert_int_eq(uacd_usb_spec_parse("usb,rate=48000", &s, err, sizeof(err)), 0);
	ck_assert(s.any && s.rate == 48000);

	ck_assert_int_eq(uacd_usb_spec_parse("usb:zz:1", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "usb: vendor=zz: expected a hexadecimal number from 0 to 65535");
	ck_assert_int_eq(uacd_usb_spec_parse("usb,bogus=1", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "usb: unknown option 'bogus' (known: rate, channels, format, transfers, packets, priority, name)");
	ck_assert_int_eq(uacd_usb_spec_parse("usb:path=x", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "usb: path=x: expected BUS-PORT[.PORT...], e.g. 1-2.3");
	ck_assert_int_eq(uacd_usb_spec_parse("usb,transfers=1", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "usb: transfers=1: expected an integer from 2 to 32");
	ck_assert_int_eq(uacd_usb_spec_parse("usbx", &s, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(uacd_usb_spec_parse("usb:46f4", &s, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "usb:46f4: expected usb, usb:VID:PID[:SERIAL] or usb:path=BUS-PORT");

	fake_qemu_probe(&p, cfg, len);
	uacd_usb_spec_parse("usb", &s, err, sizeof(err));
	ck_assert(uacd_usb_spec_match(&s, &p));
	uacd_usb_spec_parse("usb:46f4:0002", &s, err, sizeof(err));
	ck_assert(uacd_usb_spec_match(&s, &p));
	uacd_usb_spec_parse("usb:46f4:0003", &s, err, sizeof(err));
	ck_assert(!uacd_usb_spec_match(&s, &p));
	uacd_usb_spec_parse("usb:46f4:0002:other", &s, err, sizeof(err));
	ck_assert(!uacd_usb_spec_match(&s, &p));
	uacd_usb_spec_parse("usb:path=1-1", &s, err, sizeof(err));
	ck_assert(uacd_usb_spec_match(&s, &p));
	uacd_usb_spec_parse("usb:path=1-2", &s, err, sizeof(err));
	ck_assert(!uacd_usb_spec_match(&s, &p));
}
END_TEST

/* ---- QEMU's device ----------------------------------------------------------- */

START_TEST(test_qemu_sync)
{
	struct fake_usb f;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, false, false, (const uint32_t[]){ 48000 }, 1);
	struct uacd_device *d;
	struct uacd_usb_info in;
	struct client c;
	int32_t v, mn, mx, res;
	size_t i;

	qemu_model(&f, 48000, 0);
	d = make_dev(&f, "usb:46f4:0002", cfg, len, NULL);
	ck_assert_str_eq(d->name, "usb-46f4-0002");
	ck_assert_str_eq(d->ops->kind, "usb");
	ck_assert_uint_eq(d->format, UACD_FMT_S16_LE);
	ck_assert_uint_eq(d->rate, 48000);
	ck_assert_uint_eq(d->play_ch, 2);
	ck_assert_uint_eq(d->cap_ch, 0);
	ck_assert_uint_eq(d->n_rates, 1);
	ck_assert_int_eq(d->usb.cls, 1);
	ck_assert_uint_eq(d->usb.vid, 0x46f4);
	ck_assert_str_eq(d->usb.bus_path, "1-1");
	ck_assert_str_eq(d->usb.serial, "1-0000:00:04.0-1");
	/* claimed AC and AS; SAMPLING_FREQ asked once, stalled, harmless */
	ck_assert(f.claimed[0] && f.claimed[1]);
	ck_assert_int_eq(f.rate_requests, 1);
	ck_assert_int_eq(f.rate_stalls, 1);
	/* unity: top of the range on both channels (QEMU has no master volume), unmuted */
	ck_assert_int_eq(f.vol[1], 0x0800);
	ck_assert_int_eq(f.vol[2], 0x0800);
	ck_assert_int_eq(f.mute[0], 0);
	uacd_usb_get_info(d, &in);
	ck_assert_uint_eq(in.play_alt, 1);
	ck_assert_uint_eq(in.play_ep, 0x01);
	ck_assert_uint_eq(in.fb_ep, 0);
	ck_assert_uint_eq(in.transfers, 4);
	ck_assert_uint_eq(in.packets, 8);
	ck_assert_uint_eq(in.fu_id, 2);

	/* controls */
	ck_assert_int_eq(d->ops->control(d, "volume", false, &v, &mn, &mx, &res), 0);
	ck_assert_int_eq(v, 2048);
	ck_assert_int_eq(mn, -32767);
	ck_assert_int_eq(mx, 2048);
	ck_assert_int_eq(res, 136);
	v = 512;
	ck_assert_int_eq(d->ops->control(d, "volume", true, &v, &mn, &mx, &res), 0);
	ck_assert_int_eq(v, 512);
	ck_assert_int_eq(f.vol[1], 512);
	ck_assert_int_eq(f.vol[2], 512);
	v = 3000;
	ck_assert_int_eq(d->ops->control(d, "volume", true, &v, &mn, &mx, &res), -EINVAL);
	v = 1;
	ck_assert_int_eq(d->ops->control(d, "mute", true, &v, &mn, &mx, &res), 0);
	ck_assert_int_eq(f.mute[0], 1);
	ck_assert_int_eq(v, 1);
	v = 2;
	ck_assert_int_eq(d->ops->control(d, "mute", true, &v, &mn, &mx, &res), -EINVAL);
	ck_assert_int_eq(d->ops->control(d, "bass", false, &v, &mn, &mx, &res), -ENOENT);

	/* 10 s: synchronous endpoint, every packet 48 frames, ramp exact */
	client_open(d, &c);
	run_until(d, &f, &c, 10000000);
	ck_assert_uint_eq(f.alt[1], 1);
	ck_assert_uint_ge(f.n_out_sizes, 9990);
	for (i = 0; i < f.n_out_sizes; i++)
		ck_assert_uint_eq(f.out_sizes[i], 48);
	ck_assert_uint_eq(f.max_out_inflight, 4);
	ck_assert(f.started);
	ck_assert_uint_eq(f.bad, 0);
	ck_assert_uint_eq(f.gaps, 0);
	ck_assert_uint_eq(f.silence_after_start, 0);
	ck_assert_uint_eq(f.underflow, 0);
	ck_assert_uint_eq(f.overflow, 0);
	ck_assert_uint_ge(f.good, 470000);
	ck_assert_int_eq(client_error(&c), 0);
	/* delay: the frames in flight are what 4 transfers of 8 ms hold, or less */
	ck_assert_uint_le(d->rt.queued, 4 * 8 * 48);
	uacd_dev_stream_close(c.s);
	finish(d, &f);
	/* interfaces released (AS before AC), back at alt 0 */
	ck_assert(!f.claimed[0] && !f.claimed[1]);
	ck_assert_int_eq(f.alt[1], 0);
}
END_TEST

START_TEST(test_qemu_multi_and_options)
{
	static const struct {
		const char *spec;
		uint8_t alt;
		uint32_t ch, bytes, transfers, packets;
	} cases[] = {
		{ "usb:46f4:0002", 1, 2, 192, 4, 8 },
		{ "usb:46f4:0002,channels=6", 2, 6, 576, 4, 8 },
		{ "usb:46f4:0002,channels=8", 3, 8, 768, 4, 8 },
		{ "usb:46f4:0002,channels=8,transfers=6,packets=4", 3, 8, 768, 6, 4 },
	};
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, false, true, (const uint32_t[]){ 48000 }, 1);
	unsigned k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct fake_usb f;
		struct uacd_device *d;
		struct uacd_usb_info in;
		struct client c;
		size_t i;

		qemu_model(&f, 48000, 0);
		f.out_frame_bytes = cases[k].ch * 2;
		d = make_dev(&f, cases[k].spec, cfg, len, NULL);
		uacd_usb_get_info(d, &in);
		ck_assert_uint_eq(in.play_alt, cases[k].alt);
		ck_assert_uint_eq(d->play_ch, cases[k].ch);
		ck_assert_uint_eq(in.transfers, cases[k].transfers);
		ck_assert_uint_eq(in.packets, cases[k].packets);
		client_open(d, &c);
		run_until(d, &f, &c, 1000000);
		ck_assert_uint_eq(f.alt[1], cases[k].alt);
		ck_assert_uint_eq(f.max_out_inflight, cases[k].transfers);
		for (i = 0; i < f.n_out_sizes; i++)
			ck_assert_uint_eq(f.out_sizes[i] * f.out_frame_bytes, cases[k].bytes);
		ck_assert_uint_eq(f.bad + f.gaps + f.underflow + f.overflow, 0);
		uacd_dev_stream_close(c.s);
		finish(d, &f);
	}
}
END_TEST

START_TEST(test_no_matching_alt)
{
	struct fake_usb f;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, false, false, (const uint32_t[]){ 48000 }, 1);
	struct uacd_usb_probe p;
	struct uacd_device *d = NULL;
	char err[512];

	qemu_model(&f, 48000, 0);
	fake_qemu_probe(&p, cfg, len);
	ck_assert_int_eq(uacd_usb_create_io("usb,channels=6", &p, &fake_usb_ops, &f, &d, err, sizeof(err)),
			 -ENODEV);
	ck_assert_str_eq(err, "usb 46f4:0002: no streaming alt setting matches (channels/rate as asked)");
	ck_assert_int_eq(uacd_usb_create_io("usb,rate=44100", &p, &fake_usb_ops, &f, &d, err, sizeof(err)),
			 -ENODEV);
	ck_assert(!f.claimed[0] && !f.claimed[1]);
	ck_assert(!f.closed);	/* the caller still owns io on failure */
	fake_usb_free(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usbfake");
	TCase *tc = usbfake_tcase("bind");

	tcase_add_test(tc, test_spec_parse);
	tcase_add_test(tc, test_qemu_sync);
	tcase_add_test(tc, test_qemu_multi_and_options);
	tcase_add_test(tc, test_no_matching_alt);
	suite_add_tcase(s, tc);
	return usbfake_run(s, NULL);
}
