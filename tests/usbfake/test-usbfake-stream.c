/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport's streaming life (engine/usb/transport-libusb.c)
 * against QEMU's device, faked, in virtual time
 * (tests/usbfake/usbfake-fixture.h).  Measured and asserted:
 *
 *  - idle: nothing streams without a client stream, streaming stops 2 s
 *    after the last one closes and restarts exactly for the next;
 *  - a stalled OUT transfer (-EPIPE) costs exactly its frames, counted as a
 *    stall, the stream goes on;
 *  - a device that vanishes mid-stream ends its stream with -ENODEV, its
 *    gone fd becomes readable, nothing is resubmitted, and a second device
 *    streaming at the same time carries on exactly.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/usb/transport-libusb.h"
#include "tests/usbfake/fake-usb.h"
#include "tests/usbfake/usbfake-fixture.h"

/*
 * Idle: nothing streams before the first client, streaming goes on 2 s
 * after the last stream closed and then stops (no submit, no wake-up
 * beyond the 10 ms look for new streams), and a new client starts it again
 * at once, exact.
 */
START_TEST(test_idle)
{
	struct fake_usb f;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, true, false, (const uint32_t[]){ 48000 }, 1);
	struct uacd_device *d;
	struct client c;
	uint64_t t_close, submits, t_open;

	qemu_model(&f, 48000, 400);
	d = make_dev(&f, "usb", cfg, len, NULL);
	run_until(d, &f, NULL, 1000000);
	ck_assert_uint_eq(f.submits, 0);
	ck_assert_int_eq(f.alt[1], 1);	/* selected at start, kept */

	client_open(d, &c);
	t_open = f.now_us;
	run_until(d, &f, &c, 4000000);
	/* started within one look (10 ms) and one transfer (8 ms) */
	ck_assert_uint_ge(f.good, (uint64_t)((f.now_us - t_open - 30000) * 48.0192 / 1000));
	ck_assert_uint_eq(f.bad + f.gaps + f.silence_after_start + f.underflow, 0);

	uacd_dev_stream_close(c.s);
	t_close = f.now_us;
	run_until(d, &f, NULL, t_close + 1500000);
	ck_assert_uint_gt(f.silence_after_start, 48000);	/* still streaming, silence */
	run_until(d, &f, NULL, t_close + 2200000);
	submits = f.submits;
	ck_assert_uint_eq(f.nq, 0);	/* everything came back */
	run_until(d, &f, NULL, t_close + 10000000);
	ck_assert_uint_eq(f.submits, submits);
	ck_assert_uint_eq(d->rt.queued, 0);

	/* a new client: the same exactness from its first frame */
	f.started = false;
	f.next = 1;
	f.good = f.bad = f.gaps = f.silence_after_start = 0;
	client_open(d, &c);
	t_open = f.now_us;
	run_until(d, &f, &c, t_open + 3000000);
	ck_assert_uint_ge(f.good, (uint64_t)((f.now_us - t_open - 30000) * 48.0192 / 1000));
	ck_assert_uint_eq(f.bad + f.gaps + f.silence_after_start, 0);
	uacd_dev_stream_close(c.s);
	finish(d, &f);
}
END_TEST

/* ---- errors --------------------------------------------------------------------- */

START_TEST(test_stall)
{
	struct fake_usb f;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, false, false, (const uint32_t[]){ 48000 }, 1);
	struct uacd_device *d;
	struct uacd_usb_info in;
	struct client c;

	qemu_model(&f, 48000, 0);
	f.stall_out_nth = 100;
	d = make_dev(&f, "usb", cfg, len, NULL);
	client_open(d, &c);
	run_until(d, &f, &c, 5000000);
	uacd_usb_get_info(d, &in);
	ck_assert_uint_eq(in.stalls, 1);
	ck_assert_uint_eq(in.errors, 0);
	/* exactly the stalled transfer's frames are missing, once */
	ck_assert_uint_eq(f.gaps, 1);
	ck_assert_uint_eq(f.gap_frames, f.stalled_frames);
	ck_assert_uint_eq(f.stalled_frames, 8 * 48);
	ck_assert_uint_eq(f.bad, 0);
	ck_assert_int_eq(client_error(&c), 0);
	ck_assert_uint_ge(f.good, 48000 * 4);
	uacd_dev_stream_close(c.s);
	finish(d, &f);
}
END_TEST

START_TEST(test_disconnect)
{
	struct fake_usb f1, f2;
	uint8_t cfg[512];
	size_t len = fake_qemu_config(cfg, true, false, (const uint32_t[]){ 48000 }, 1);
	struct uacd_device *d1, *d2;
	struct client c1, c2;
	struct pollfd pfd;
	uint64_t good_at_cut;
	int ret1 = 0;

	qemu_model(&f1, 48000, 300);
	qemu_model(&f2, 48000, -300);
	f1.nodev_at_us = 2000000;
	d1 = make_dev(&f1, "usb,name=one", cfg, len, NULL);
	d2 = make_dev(&f2, "usb,name=two", cfg, len, NULL);
	client_open(d1, &c1);
	client_open(d2, &c2);
	pfd.fd = uacd_usb_gone_fd(d1);
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	while (f2.now_us < 4000000) {
		client_feed(&c1);
		client_feed(&c2);
		if (ret1 != -ENODEV)
			ret1 = uacd_usb_iterate(d1, 100);
		uacd_usb_iterate(d2, 100);
	}
	ck_assert_int_eq(ret1, -ENODEV);
	ck_assert(uacd_usb_gone(d1));
	ck_assert_int_eq(client_error(&c1), -ENODEV);
	ck_assert_int_eq(poll(&pfd, 1, 0), 1);
	ck_assert_uint_eq(f1.submits_after_gone, 0);
	ck_assert_int_eq(d1->ops->control(d1, "volume", false, &(int32_t){ 0 }, &(int32_t){ 0 },
					  &(int32_t){ 0 }, &(int32_t){ 0 }), -ENODEV);
	good_at_cut = f1.good;
	ck_assert_uint_ge(good_at_cut, 48000 * 19 / 10);
	ck_assert_uint_eq(f1.bad + f1.gaps, 0);
	/* the other device carried on, exactly */
	ck_assert_int_eq(client_error(&c2), 0);
	ck_assert_uint_eq(f2.bad + f2.gaps + f2.silence_after_start + f2.underflow + f2.overflow, 0);
	ck_assert_uint_ge(f2.good, 48000 * 39 / 10);
	uacd_usb_gone_ack(d1);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	uacd_dev_stream_close(c1.s);
	uacd_dev_stream_close(c2.s);
	finish(d1, &f1);
	finish(d2, &f2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("usbfake");
	TCase *tc = usbfake_tcase("stream");

	tcase_add_test(tc, test_idle);
	tcase_add_test(tc, test_stall);
	tcase_add_test(tc, test_disconnect);
	suite_add_tcase(s, tc);
	return usbfake_run(s, NULL);
}
