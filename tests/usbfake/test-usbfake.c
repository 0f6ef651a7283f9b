/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport (engine/transport-libusb.c) against a fake device
 * (tests/usbfake/fake-usb.c) in virtual time: everything above libusb --
 * alt selection, class requests, packet sizing, feedback, implicit
 * feedback, completion handling, errors and disconnects -- with the same
 * code the daemon runs; only struct uacd_usb_io_ops is replaced.
 *
 * A test client writes a ramp into a real uacd stream (frame k = the 32-bit
 * value k at the start of the frame) and keeps the ring full; the fake
 * device checks that what reaches its DAC is that ramp with nothing lost or
 * repeated, that its FIFO never underflows or overflows, and logs every
 * packet size.  Measured and asserted:
 *
 *  - spec parsing and matching, with the exact error texts;
 *  - QEMU's device: alt 1, 48 x 4-byte packets every 1 ms, SAMPLING_FREQ
 *    stalled and harmless, volume at the top of the range on channels 1 and
 *    2 (the only ones QEMU has), mute on the master, the control op's
 *    values and errors; with multi=on 6 and 8 channels select alts 2 and 3
 *    with 576- and 768-byte packets; transfers/packets options;
 *  - capture (UAC2 high speed, and a capture-only UAC1 microphone whose
 *    SAMPLING_FREQ request is answered): the device's ramp reaches a
 *    capture client complete, no xrun;
 *  - explicit feedback at full speed (10.14), a device sending 16.16
 *    instead, and one sending garbage every 7th report, each at -1000,
 *    0 and +1000 ppm, at 44.1 and 48 kHz: 60 s, no frame lost or
 *    repeated, no underflow/overflow, the decoded feedback within 1 ppm of
 *    the device's clock; and the same at high speed (UAC2, 16.16);
 *  - every device of the shared corpus binds: its selection is printed and
 *    asserted, and 2 s of streaming give no packet error;
 *  - idle: nothing streams without a client stream, streaming stops 2 s
 *    after the last one closes and restarts exactly for the next;
 *  - completion timing: one callback per handle_events, and bursts 20 ms
 *    late: still exact;
 *  - implicit feedback (UAC2, a real device's descriptors): every playback
 *    packet has the size of the capture packet it follows, 60 s at +500 ppm;
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
#include <unistd.h>

#include <libusb.h>
#include <urcu-qsbr.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/usb/transport-libusb.h"
#include "tests/usbfake/fake-usb.h"

struct client {
	struct uacd_stream *s;
	uint32_t next;		/* next ramp value to write */
	uint64_t wpos;
	bool stop_feeding;
};

static void client_open(struct uacd_device *d, struct client *c)
{
	struct uacd_stream_req req;
	char err[256] = "";
	int ret;

	memset(&req, 0, sizeof(req));
	req.direction = UACD_DIR_PLAYBACK;
	req.format = d->format;
	req.channels = d->play_ch;
	req.rate = d->rate;
	req.buffer_frames = 4096;
	req.period_frames = 512;
	memset(c, 0, sizeof(*c));
	ret = uacd_dev_stream_open(d, &req, -1, getpid(), "test", &c->s, err, sizeof(err));
	ck_assert_msg(ret == 0, "stream open: %s", err);
	c->next = 1;
	__atomic_store_n(&c->s->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&c->s->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
}

/* Keep the ring full of ramp. */
static void client_feed(struct client *c)
{
	struct uacd_stream *s = c->s;
	uint64_t rpos = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_ACQUIRE);

	if (c->stop_feeding)
		return;
	while (c->wpos - rpos < s->buffer_frames) {
		uint8_t *f = s->data + (c->wpos & (s->ring_frames - 1)) * s->frame_bytes;

		memset(f, 0, s->frame_bytes);
		memcpy(f, &c->next, 4);
		c->next++;
		c->wpos++;
	}
	__atomic_store_n(&s->shm->client.pos, c->wpos, __ATOMIC_RELEASE);
}

static int32_t client_error(struct client *c)
{
	return __atomic_load_n(&c->s->shm->daemon.error, __ATOMIC_ACQUIRE);
}

/* A capture client that checks the ramp the fake device records. */
struct cap_client {
	struct uacd_stream *s;
	uint64_t rpos;
	uint32_t next;
	uint64_t good, bad;
};

static void cap_open(struct uacd_device *d, struct cap_client *c)
{
	struct uacd_stream_req req;
	char err[256] = "";
	int ret;

	memset(&req, 0, sizeof(req));
	req.direction = UACD_DIR_CAPTURE;
	req.format = d->format;
	req.channels = d->cap_ch;
	req.rate = d->rate;
	req.buffer_frames = 4096;
	req.period_frames = 512;
	memset(c, 0, sizeof(*c));
	ret = uacd_dev_stream_open(d, &req, -1, getpid(), "test-cap", &c->s, err, sizeof(err));
	ck_assert_msg(ret == 0, "capture stream open: %s", err);
	__atomic_store_n(&c->s->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&c->s->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
}

/* Read everything captured; the first frame sets the ramp's phase. */
static void cap_drain(struct cap_client *c)
{
	struct uacd_stream *s = c->s;
	uint64_t wpos = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_ACQUIRE);

	uint32_t mask = s->frame_bytes >= 4 ? 0xffffffffu : 0xffffu;

	for (; c->rpos < wpos; c->rpos++) {
		uint32_t v = 0;

		memcpy(&v, s->data + (c->rpos & (s->ring_frames - 1)) * s->frame_bytes,
		       s->frame_bytes < 4 ? s->frame_bytes : 4);
		if (c->good + c->bad && v != (c->next & mask))
			c->bad++;
		else
			c->good++;
		c->next = v + 1;
	}
	__atomic_store_n(&s->shm->client.pos, c->rpos, __ATOMIC_RELEASE);
}

static struct uacd_device *make_dev(struct fake_usb *f, const char *spec, const uint8_t *cfg,
				    size_t len, const struct uacd_usb_probe *probe_in)
{
	struct uacd_usb_probe p;
	struct uacd_device *d = NULL;
	char err[512] = "";
	int ret;

	if (probe_in) {
		p = *probe_in;
	} else {
		fake_qemu_probe(&p, cfg, len);
		p.speed = f->high_speed ? UACD_USB_SPEED_HIGH : UACD_USB_SPEED_FULL;
	}
	ret = uacd_usb_create_io(spec, &p, &fake_usb_ops, f, &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "create %s: %s (%d)", spec, err, ret);
	return d;
}

static void qemu_model(struct fake_usb *f, uint32_t rate, int ppm)
{
	memset(f, 0, sizeof(*f));
	f->rate = rate;
	f->interval_us = 1000;
	f->ppm = ppm;
	f->out_frame_bytes = 4;
	f->in_frame_bytes = 4;
	f->uac_version = 1;
	f->stall_uac1_rate = true;
	fake_usb_init(f);
}

/* Run until virtual time t_us, feeding the client. */
static void run_until(struct uacd_device *d, struct fake_usb *f, struct client *c, uint64_t t_us)
{
	while (f->now_us < t_us) {
		if (c)
			client_feed(c);
		if (uacd_usb_iterate(d, 100) == -ENODEV)
			return;
	}
}

static void finish(struct uacd_device *d, struct fake_usb *f)
{
	uacd_usb_drain(d);
	uacd_dev_free(d);
	ck_assert(f->closed);
	fake_usb_free(f);
}

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

/*
 * The shared descriptor corpus ($UACD_TEST_SHARED/descriptors) lives next to
 * the source repository, not in the release tarball: without it the tests
 * that bind corpus devices are not registered (see main()).
 */
static char corpus_path[512];

static int corpus_find(void)
{
	const char *dir = getenv("UACD_TEST_SHARED");
	char probe[600];

	if (!dir || !*dir)
		return -ENOENT;
	snprintf(corpus_path, sizeof(corpus_path), "%s/descriptors", dir);
	snprintf(probe, sizeof(probe), "%s/11-behringer-uv1.bin", corpus_path);
	if (access(probe, R_OK) != 0)
		return -errno;
	return 0;
}

static uint8_t *read_all(const char *name, size_t *len)
{
	char path[1024];
	uint8_t *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", corpus_path, name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n);
	ck_assert(buf && fread(buf, 1, (size_t)n, fp) == (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void corpus_probe(struct uacd_usb_probe *p, const char *base, uint8_t **cfg_out)
{
	char name[128];
	size_t len, dlen;
	uint8_t *cfg, *dev;
	char err[256];

	snprintf(name, sizeof(name), "%s.bin", base);
	cfg = read_all(name, &len);
	snprintf(name, sizeof(name), "%s.dev.bin", base);
	dev = read_all(name, &dlen);
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(uacd_usbdesc_parse_device(dev, dlen, &p->dev, err, sizeof(err)), 0);
	free(dev);
	p->cfg = cfg;
	p->cfg_len = len;
	p->speed = UACD_USB_SPEED_HIGH;
	p->bus = 1;
	p->address = 5;
	snprintf(p->bus_path, sizeof(p->bus_path), "1-4");
	*cfg_out = cfg;
}

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
 * Every device of the shared corpus: what the transport selects (printed,
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
	TCase *tc = tcase_create("transport");
	SRunner *sr;
	int failed;
	int have_corpus = corpus_find() == 0;

	rcu_register_thread();
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_spec_parse);
	tcase_add_test(tc, test_qemu_sync);
	tcase_add_test(tc, test_qemu_multi_and_options);
	tcase_add_test(tc, test_no_matching_alt);
	tcase_add_loop_test(tc, test_feedback_drift_fs, 0, 18);
	if (have_corpus)
		tcase_add_loop_test(tc, test_feedback_drift_hs, 0, 3);
	tcase_add_loop_test(tc, test_completion_timing, 0, 2);
	if (have_corpus) {
		tcase_add_test(tc, test_implicit_feedback);
		tcase_add_test(tc, test_capture_only);
		tcase_add_test(tc, test_corpus);
	}
	tcase_add_test(tc, test_idle);
	tcase_add_test(tc, test_stall);
	tcase_add_test(tc, test_disconnect);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rcu_unregister_thread();
	if (failed)
		return 1;
	/* The rest passed, but a whole part was not run: say so, as a SKIP. */
	if (!have_corpus) {
		printf("SKIP: no descriptor corpus in '%s' (UACD_TEST_SHARED; not in the release tarball): "
		       "the feedback-hs, implicit-feedback, capture-only and corpus tests did not run\n",
		       corpus_path[0] ? corpus_path : "$UACD_TEST_SHARED/descriptors");
		return 77;
	}
	return 0;
}
