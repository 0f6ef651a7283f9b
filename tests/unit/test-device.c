/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the device and its streams (engine/core/device.c), driven
 * by the sim transport in fast virtual time (tests/unit/engine-fixture.h):
 * opening a stream and the header a client maps, format and channel
 * conversion and mixing bit for bit through loopback, closing streams while
 * others run, the transport ending every stream when its device goes, and
 * the software volume and mute.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "tests/unit/engine-fixture.h"

/* ---- stream open --------------------------------------------------------- */

static int try_open(struct uacd_device *d, uint32_t dir, uint32_t fmt, uint32_t ch, uint32_t rate,
		    uint32_t buffer, uint32_t period, char *err, size_t errlen)
{
	struct uacd_stream_req req;
	struct uacd_stream *s = NULL;

	memset(&req, 0, sizeof(req));
	req.direction = dir;
	req.format = fmt;
	req.channels = ch;
	req.rate = rate;
	req.buffer_frames = buffer;
	req.period_frames = period;
	err[0] = '\0';
	return uacd_dev_stream_open(d, &req, -1, 1, "t", &s, err, errlen);
}

START_TEST(test_stream_open)
{
	struct uacd_device *d = sim("sim:mode=loopback,format=S24_3LE,playback_channels=2,capture_channels=0");
	struct uacd_stream *s;
	char err[256];

	ck_assert_int_eq(try_open(d, 2, UACD_FMT_S16_LE, 2, RATE, 1024, 256, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "bad stream direction 2");
	ck_assert_int_eq(try_open(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, RATE, 1024, 256, err, sizeof(err)),
			 -ENODEV);
	ck_assert_str_eq(err, "device sim has no capture");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, 0, 2, RATE, 1024, 256, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "unknown sample format 0");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, 6, 2, RATE, 1024, 256, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "unknown sample format 6");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 33, RATE, 1024, 256, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "33 channels: uacd supports 1 to 32");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 0, RATE, 1024, 256, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "0 channels: uacd supports 1 to 32");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 44100, 1024, 256, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "rate 44100 Hz: device sim runs at 48000 Hz");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, RATE, 64, 128, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "bad geometry: buffer 64, period 128 frames");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, RATE, 64, 0, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "bad geometry: buffer 64, period 0 frames");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, RATE, (1u << 19) + 1, 256,
				  err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "bad geometry: buffer 524289, period 256 frames");
	/* a buffer that one 1 ms cycle could empty or fill would xrun every cycle */
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, RATE, 99, 32, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "buffer of 99 frames is shorter than two 1 ms cycles (100 frames at 48000 Hz)");
	ck_assert_uint_eq(uacd_dev_stream_count(d), 0);

	/* the header a client maps */
	s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 3, 1000, 250, -1);
	ck_assert_uint_eq(s->shm->geom.magic, UACD_SHM_MAGIC);
	ck_assert_uint_eq(s->shm->geom.version, UACD_SHM_VERSION);
	ck_assert_uint_eq(s->shm->geom.header_bytes, 4096);
	ck_assert_uint_eq(s->shm->geom.direction, UACD_DIR_PLAYBACK);
	ck_assert_uint_eq(s->shm->geom.format, UACD_FMT_S16_LE);
	ck_assert_uint_eq(s->shm->geom.channels, 3);
	ck_assert_uint_eq(s->shm->geom.rate, RATE);
	ck_assert_uint_eq(s->shm->geom.frame_bytes, 6);
	ck_assert_uint_eq(s->shm->geom.ring_frames, 1024);
	ck_assert_uint_eq(s->shm->geom.buffer_frames, 1000);
	ck_assert_uint_eq(s->shm->geom.period_frames, 250);
	ck_assert_uint_eq(s->shm->geom.stream_id, 1);
	ck_assert_uint_eq(s->shm->client.avail_min, 250);
	ck_assert_uint_eq(s->shm_size, 4096 + 8192);	/* 4096 + 1024 * 6, page-rounded */
	ck_assert_ptr_eq(s->data, (uint8_t *)s->shm + 4096);
	/* sealed: the client cannot grow or shrink it */
	ck_assert_int_eq(fcntl(s->memfd, F_GET_SEALS),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	ck_assert_int_eq(ftruncate(s->memfd, 4096), -1);
	ck_assert_int_eq(errno, EPERM);
	s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 1, 129, 1, -1);
	ck_assert_uint_eq(s->shm->geom.stream_id, 2);
	ck_assert_uint_eq(s->shm->geom.ring_frames, 256);
	ck_assert_uint_eq(s->shm->geom.period_frames, 1);
	ck_assert_uint_eq(s->shm_size, 4096 + 4096);
	ck_assert_uint_eq(uacd_dev_stream_count(d), 2);
	uacd_dev_free(d);
}
END_TEST

/* ---- loopback: bit for bit --------------------------------------------- */

START_TEST(test_loopback_s16)
{
	uint64_t silence, n = loopback_run("sim:mode=loopback,format=S16_LE", UACD_FMT_S16_LE, 500, &silence);

	/* the DAC starts once 2 ms are queued: the first cycle plays silence */
	ck_assert_uint_eq(silence, 48);
	ck_assert_uint_eq(n, 500 * 48 - 48);
}
END_TEST

START_TEST(test_loopback_s32_bit_perfect)
{
	/* S32 through float would lose the low 8 bits: this must be the copy path */
	uint64_t silence, n = loopback_run("sim:mode=loopback,format=S32_LE,channels=4", UACD_FMT_S32_LE,
					   300, &silence);

	ck_assert_uint_eq(silence, 48);
	ck_assert_uint_eq(n, 300 * 48 - 48);
}
END_TEST

START_TEST(test_loopback_float_44k1)
{
	/* 44.1 kHz: 44 and 45 frame cycles */
	uint64_t silence, n = loopback_run("sim:mode=loopback,format=FLOAT_LE,rate=44100", UACD_FMT_FLOAT_LE,
					   1000, &silence);

	ck_assert_uint_eq(silence, 44);
	ck_assert_uint_eq(n, 44100 - 44);
}
END_TEST

/* S24_3LE capture of an S16 pattern: every sample << 8. */
static void expect_s16_as_s24(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f)
{
	unsigned c;

	for (c = 0; c < r->s->channels; c++) {
		uint8_t s16[2];

		gen_sample(UACD_FMT_S16_LE, seed, i, c, s16);
		f[c * 3 + 0] = 0;
		f[c * 3 + 1] = s16[0];
		f[c * 3 + 2] = s16[1];
	}
}

static void expect_s16(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f)
{
	unsigned c;

	for (c = 0; c < r->s->channels; c++)
		gen_sample(UACD_FMT_S16_LE, seed, i, c, f + 2 * c);
}

START_TEST(test_s16_client_on_s24_device)
{
	struct uacd_device *d = sim("sim:mode=loopback,format=S24_3LE");
	struct player pl = { .seed = 11 };
	struct reader r24 = { 0 }, r16 = { 0 };
	uint64_t m24, m16, o24, o16;
	unsigned k;

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 2048, 512, -1);
	r24.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S24_3LE, 2, 2048, 512, -1);
	r16.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 2048, 512, -1);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(r24.s, UACD_CS_RUNNING);
	set_state(r16.s, UACD_CS_RUNNING);
	for (k = 0; k < 400; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&r24);
		cap_read(&r16);
	}
	/* the device got v << 8 exactly; an S16 reader gets v back */
	o24 = check_capture(&r24, pl.seed, expect_s16_as_s24, &m24);
	o16 = check_capture(&r16, pl.seed, expect_s16, &m16);
	ck_assert_uint_eq(o24, 48);
	ck_assert_uint_eq(o16, 48);
	ck_assert_uint_eq(m24, 400 * 48 - 48);
	ck_assert_uint_eq(m16, 400 * 48 - 48);
	free(r24.buf);
	free(r16.buf);
	uacd_dev_free(d);
}
END_TEST

/* A mono pattern read as stereo: both channels carry it. */
static void expect_mono_dup(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f)
{
	unsigned c;

	for (c = 0; c < r->s->channels; c++)
		gen_sample(UACD_FMT_S16_LE, seed, i, 0, f + 2 * c);
}

START_TEST(test_mono_on_stereo)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 3 };
	struct reader st = { 0 }, mono = { 0 };
	uint64_t m1, m2;
	unsigned k;

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 1, 1024, 256, -1);
	st.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	mono.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 1, 1024, 256, -1);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(st.s, UACD_CS_RUNNING);
	set_state(mono.s, UACD_CS_RUNNING);
	for (k = 0; k < 300; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&st);
		cap_read(&mono);
	}
	ck_assert_uint_eq(check_capture(&st, pl.seed, expect_mono_dup, &m1), 48);
	ck_assert_uint_eq(check_capture(&mono, pl.seed, expect_mono_dup, &m2), 48);
	ck_assert_uint_eq(m1, 300 * 48 - 48);
	ck_assert_uint_eq(m2, 300 * 48 - 48);
	free(st.buf);
	free(mono.buf);
	uacd_dev_free(d);
}
END_TEST

/* ---- closing while others run -------------------------------------------- */

START_TEST(test_close_while_running)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 21 }, other = { .seed = 22 };
	struct reader keep = { 0 }, gone = { 0 };
	uint64_t matched;
	unsigned k;

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	other.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	keep.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	gone.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	ck_assert_uint_eq(uacd_dev_stream_count(d), 4);
	play_fill(&pl);
	/* `other` is open and STOPPED: it takes no part in the mix */
	play_fill(&other);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(keep.s, UACD_CS_RUNNING);
	set_state(gone.s, UACD_CS_RUNNING);
	for (k = 0; k < 100; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&keep);
		cap_read(&gone);
		if (k == 30) {
			uacd_dev_stream_close(gone.s);
			gone.s = NULL;
			ck_assert_uint_eq(uacd_dev_stream_count(d), 3);
			break;
		}
	}
	for (k = 0; k < 100; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&keep);
		if (k == 50) {
			uacd_dev_stream_close(other.s);
			ck_assert_uint_eq(uacd_dev_stream_count(d), 2);
		}
	}
	ck_assert_uint_eq(check_capture(&keep, pl.seed, expect_same, &matched), 48);
	ck_assert_uint_eq(matched, 131 * 48 - 48);
	ck_assert_uint_eq(keep.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	/* the device keeps its remaining streams in order */
	ck_assert_ptr_eq(d->streams[UACD_DIR_PLAYBACK]->s[0], pl.s);
	ck_assert_ptr_eq(d->streams[UACD_DIR_CAPTURE]->s[0], keep.s);
	free(keep.buf);
	free(gone.buf);
	uacd_dev_free(d);
}
END_TEST

/* ---- device loss --------------------------------------------------------- */

START_TEST(test_device_gone)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 1 };
	struct reader rd = { 0 };
	int pp[2], cp[2];
	uint64_t p0, c0;

	wake_pipe(pp);
	wake_pipe(cp);
	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, pp[1]);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, cp[1]);
	pl.s->shm->client.avail_min = NO_WAKE;
	rd.s->shm->client.avail_min = NO_WAKE;
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	step(d, 5);
	cap_read(&rd);
	/* what the transport does on unplug: every stream ends with -ENODEV, once */
	uacd_dev_fail_streams(d, -ENODEV);
	ck_assert_int_eq(pl.s->shm->daemon.error, -ENODEV);
	ck_assert_int_eq(rd.s->shm->daemon.error, -ENODEV);
	ck_assert_int_eq(wakes(pp[0]), 1);
	ck_assert_int_eq(wakes(cp[0]), 1);
	uacd_dev_fail_streams(d, -EIO);
	ck_assert_int_eq(pl.s->shm->daemon.error, -ENODEV);
	ck_assert_int_eq(wakes(pp[0]), 0);
	p0 = dpos(pl.s);
	c0 = dpos(rd.s);
	step(d, 10);
	ck_assert_uint_eq(dpos(pl.s), p0);
	ck_assert_uint_eq(dpos(rd.s), c0);
	ck_assert_uint_eq(d->stats.bad_clients, 0);
	free(rd.buf);
	uacd_dev_free(d);
	close_pipe(pp);
	close_pipe(cp);
}
END_TEST

/* ---- software volume ---------------------------------------------------- */

/* Keep a playback ring full of one constant S16 stereo frame. */
static void const_fill(struct player *pl, int16_t v)
{
	struct uacd_stream *s = pl->s;
	uint64_t end = dpos(s) + s->buffer_frames;

	for (; pl->wpos < end; pl->wpos++) {
		int16_t *f = (int16_t *)(s->data + (pl->wpos & (s->ring_frames - 1)) * s->frame_bytes);

		f[0] = f[1] = v;
	}
	__atomic_store_n(&s->shm->client.pos, pl->wpos, __ATOMIC_RELEASE);
}

/* Run cycles with a constant player; append channel 0 (checking channel 1 equals it). */
static void const_run(struct uacd_device *d, struct player *pl, struct reader *rd, unsigned cycles, int16_t v)
{
	unsigned k;
	uint64_t i, from = rd->n;

	for (k = 0; k < cycles; k++) {
		step(d, 1);
		const_fill(pl, v);
		cap_read(rd);
	}
	for (i = from; i < rd->n; i++) {
		int16_t f[2];

		memcpy(f, rd->buf + i * 4, 4);
		if (f[0] != f[1])
			ck_abort_msg("frame %llu: channels differ (%d, %d)", (unsigned long long)i, f[0], f[1]);
	}
}

static int16_t cap_s16(const struct reader *rd, uint64_t i)
{
	int16_t v;

	memcpy(&v, rd->buf + i * 4, 2);
	return v;
}

START_TEST(test_sw_volume)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 0 };
	struct reader rd = { 0 };
	int32_t v, min, max, res;
	uint64_t i, mark, zero_at = 0;
	int16_t prev, want;
	float g;

	/* the control interface: 1/256 dB from -100 dB to 0, and mute */
	ck_assert_int_eq(uacd_dev_sw_control(d, "volume", false, &v, &min, &max, &res), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(min, -25600);
	ck_assert_int_eq(max, 0);
	ck_assert_int_eq(res, 1);
	ck_assert_int_eq(uacd_dev_sw_control(d, "mute", false, &v, &min, &max, &res), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(min, 0);
	ck_assert_int_eq(max, 1);
	v = 1;
	ck_assert_int_eq(uacd_dev_sw_control(d, "volume", true, &v, &min, &max, &res), -EINVAL);
	v = -25601;
	ck_assert_int_eq(uacd_dev_sw_control(d, "volume", true, &v, &min, &max, &res), -EINVAL);
	v = 2;
	ck_assert_int_eq(uacd_dev_sw_control(d, "mute", true, &v, &min, &max, &res), -EINVAL);
	ck_assert_int_eq(uacd_dev_sw_control(d, "treble", false, &v, &min, &max, &res), -ENOENT);
	ck_assert(uacd_dev_sw_volume_db(d) == 0.0f);

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 8192, 256, -1);
	const_fill(&pl, 16384);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	const_run(d, &pl, &rd, 10, 16384);
	ck_assert_int_eq(cap_s16(&rd, 47), 0);
	for (i = 48; i < rd.n; i++)
		ck_assert_int_eq(cap_s16(&rd, i), 16384);

	/* mute: a 10 ms ramp (480 frames at 48 kHz) down to exact silence, no step */
	mark = rd.n + 48;	/* the FIFO holds one cycle played at full volume */
	v = 1;
	ck_assert_int_eq(uacd_dev_sw_control(d, "mute", true, &v, &min, &max, &res), 0);
	ck_assert(uacd_dev_sw_volume_db(d) == -150.0f);
	const_run(d, &pl, &rd, 20, 16384);
	ck_assert_int_eq(cap_s16(&rd, mark - 1), 16384);
	prev = 16384;
	for (i = mark; i < rd.n; i++) {
		int16_t x = cap_s16(&rd, i);

		if (x > prev || prev - x > 35)
			ck_abort_msg("mute ramp: %d after %d at frame %llu", x, prev, (unsigned long long)(i - mark));
		if (x == 0 && !zero_at)
			zero_at = i - mark;
		prev = x;
	}
	ck_assert_int_eq(prev, 0);
	ck_assert_uint_ge(zero_at, 478);
	ck_assert_uint_le(zero_at, 481);

	/* -1541/256 dB while muted, then unmute: up to exactly that gain */
	v = -1541;
	ck_assert_int_eq(uacd_dev_sw_control(d, "volume", true, &v, &min, &max, &res), 0);
	ck_assert(uacd_dev_sw_volume_db(d) == -150.0f);
	v = 0;
	ck_assert_int_eq(uacd_dev_sw_control(d, "mute", true, &v, &min, &max, &res), 0);
	ck_assert(uacd_dev_sw_volume_db(d) == -1541.0f / 256.0f);
	mark = rd.n;
	const_run(d, &pl, &rd, 30, 16384);
	g = powf(10.0f, (float)-1541 / 256.0f / 20.0f);
	want = (int16_t)lrint((double)(0.5f * g) * 32768.0);
	ck_assert_int_eq(want, 8193);
	for (i = rd.n - 48 * 10; i < rd.n; i++)
		ck_assert_int_eq(cap_s16(&rd, i), want);
	prev = 0;
	for (i = mark; i < rd.n; i++) {
		int16_t x = cap_s16(&rd, i);

		if (x < prev || x > want)
			ck_abort_msg("unmute ramp: %d after %d", x, prev);
		prev = x;
	}

	/* back to 0 dB: the gain returns to exactly 1 and the copy path with it */
	v = 0;
	ck_assert_int_eq(uacd_dev_sw_control(d, "volume", true, &v, &min, &max, &res), 0);
	const_run(d, &pl, &rd, 30, 16384);
	ck_assert(d->rt.gain == 1.0f);
	for (i = rd.n - 48 * 10; i < rd.n; i++)
		ck_assert_int_eq(cap_s16(&rd, i), 16384);
	free(rd.buf);
	uacd_dev_free(d);
}
END_TEST

static Suite *device_suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc = engine_tcase("core");

	tcase_add_test(tc, test_stream_open);
	tcase_add_test(tc, test_loopback_s16);
	tcase_add_test(tc, test_loopback_s32_bit_perfect);
	tcase_add_test(tc, test_loopback_float_44k1);
	tcase_add_test(tc, test_s16_client_on_s24_device);
	tcase_add_test(tc, test_mono_on_stereo);
	tcase_add_test(tc, test_close_while_running);
	tcase_add_test(tc, test_device_gone);
	tcase_add_test(tc, test_sw_volume);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return engine_run(device_suite());
}
