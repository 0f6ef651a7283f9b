/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the sim transport (engine/sim/transport-sim.c) in fast
 * virtual time (tests/unit/engine-fixture.h): its device spec, the packet
 * sizes following the feedback endpoint under clock drift, rate switching,
 * and a raw file as capture input.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/sim/transport-sim.h"
#include "tests/unit/engine-fixture.h"

/* ---- device spec -------------------------------------------------------- */

START_TEST(test_sim_spec)
{
	static const struct { const char *spec, *err; } bad[] = {
		{ "usb", "not a sim device spec: usb" },
		{ "simx", "not a sim device spec: simx" },
		{ "sim:rate=44000", "sim: rate=44000: supported rates are 44100, 48000, 88200, 96000, 176400, 192000" },
		{ "sim:rate=abc", "sim: rate=abc: expected an integer from 1 to 768000" },
		{ "sim:channels=33", "sim: channels=33: expected an integer from 1 to 32" },
		{ "sim:format=U8", "sim: format=U8: expected S16_LE, S24_LE, S24_3LE, S32_LE or FLOAT_LE" },
		{ "sim:mode=file", "sim: mode=file: expected loopback, wav or silence" },
		{ "sim:drift_ppm=5001", "sim: drift_ppm=5001: expected an integer from -5000 to 5000" },
		{ "sim:usb=super", "sim: usb=super: expected full or high" },
		{ "sim:time=slow", "sim: time=slow: expected real or fast" },
		{ "sim:speedup=0", "sim: speedup=0: expected an integer from 1 to 1000" },
		{ "sim:loop=2", "sim: loop=2: expected an integer from 0 to 1" },
		{ "sim:name=a/b", "sim: name=a/b: 1 to 63 characters, no spaces, '/', ':' or ','" },
		{ "sim:priority=100", "sim: priority=100: expected an integer from 0 to 99" },
		{ "sim:rate", "sim: option 'rate' needs a value (key=value)" },
		{ "sim:out=/tmp/x.wav", "sim: in= and out= need mode=wav" },
		{ "sim:playback_channels=0,capture_channels=0", "sim: a device needs playback or capture channels" },
		{ "sim:volume=3",
		  "sim: unknown option 'volume' (known: rate, channels, playback_channels, capture_channels, chmap, format, mode, drift_ppm, usb, time, speedup, in, out, loop, name, priority)" },
	};
	struct uacd_device *d;
	char err[512];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = NULL;
		err[0] = '\0';
		ck_assert_int_eq(uacd_sim_create(bad[i].spec, &d, err, sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, bad[i].err);
		ck_assert_ptr_null(d);
	}
	/* defaults */
	d = sim("sim");
	ck_assert_str_eq(d->name, "sim");
	ck_assert_uint_eq(d->format, UACD_FMT_S16_LE);
	ck_assert_uint_eq(d->rate, 48000);
	ck_assert_uint_eq(d->play_ch, 2);
	ck_assert_uint_eq(d->cap_ch, 2);
	ck_assert_uint_eq(d->latency_frames, 0);
	ck_assert_int_eq(d->rt_priority, 0);
	ck_assert_uint_eq(d->n_rates, 6);
	uacd_dev_free(d);
	d = sim("sim:name=hs,rate=96000,channels=4,capture_channels=1,format=float,usb=high,drift_ppm=-5000,priority=5");
	ck_assert_str_eq(d->name, "hs");
	ck_assert_uint_eq(d->format, UACD_FMT_FLOAT_LE);
	ck_assert_uint_eq(d->rate, 96000);
	ck_assert_uint_eq(d->play_ch, 4);
	ck_assert_uint_eq(d->cap_ch, 1);
	ck_assert_uint_eq(d->latency_frames, 0);
	ck_assert_int_eq(d->rt_priority, 5);
	uacd_dev_free(d);
}
END_TEST

/* ---- clock drift --------------------------------------------------------- */

static const struct { const char *spec; int ppm; } drift_cases[] = {
	{ "sim:mode=loopback,usb=full,drift_ppm=1000", 1000 },
	{ "sim:mode=loopback,usb=full,drift_ppm=-1000", -1000 },
	{ "sim:mode=loopback,usb=high,drift_ppm=1000", 1000 },
	{ "sim:mode=loopback,usb=high,drift_ppm=-1000", -1000 },
};

/*
 * 60 s of virtual time with the device clock 1000 ppm off the bus: the
 * packet sizes must follow the feedback endpoint so that the device's FIFO
 * neither runs dry nor overflows, and every frame the client wrote comes
 * back exactly once, in order.
 */
START_TEST(test_drift)
{
	const unsigned cycles = 60000;
	struct uacd_device *d = sim(drift_cases[_i].spec);
	struct player pl = { .seed = 60 };
	struct reader rd = { 0 };
	unsigned long long fifo, dac, under, over;
	unsigned fifo_max;
	uint64_t matched, silence, expect_dac;
	char status[1024], *p;
	unsigned k;

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 2048, 512, -1);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 4096, 512, -1);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	for (k = 0; k < cycles; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&rd);
	}
	ck_assert_int_gt(d->ops->status(d, status, sizeof(status)), 0);
	ck_assert_msg(strstr(status, "underflow 0, overflow 0 frames") != NULL, "%s", status);
	p = strstr(status, "fifo ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "fifo %llu frames (max %u); dac %llu frames; underflow %llu, overflow %llu",
				&fifo, &fifo_max, &dac, &under, &over), 5);
	/* the device clock made rate * (1 + ppm / 1e6) frames a second */
	expect_dac = (uint64_t)RATE * 60 + (uint64_t)((int64_t)RATE * 60 * drift_cases[_i].ppm / 1000000);
	ck_assert_msg(dac + 1 >= expect_dac && dac <= expect_dac + 1, "dac %llu frames, expected %llu",
		      dac, (unsigned long long)expect_dac);
	/* the FIFO stayed near its 2 ms target */
	ck_assert_uint_le(fifo_max, 96 + 48 + 8);
	silence = check_capture(&rd, pl.seed, expect_same, &matched);
	/* every frame captured is one the DAC played, all of them */
	ck_assert_uint_eq(rd.n, dac);
	/* frames taken from the ring = frames played + frames still in the FIFO */
	ck_assert_uint_eq(dpos(pl.s), matched + fifo);
	ck_assert_uint_eq(d->stats.play_frames, dpos(pl.s));
	ck_assert_uint_eq(d->stats.cap_frames, rd.n);
	ck_assert_uint_le(silence, 96);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(rd.s->shm->daemon.xruns, 0);
	fprintf(stderr, "test-sim: %s: %llu frames in, %llu out + %llu in the FIFO (max %u)\n",
		drift_cases[_i].spec, (unsigned long long)dpos(pl.s), (unsigned long long)matched, fifo,
		fifo_max);
	free(rd.buf);
	uacd_dev_free(d);
}
END_TEST

/* ---- rate and wav input -------------------------------------------------- */

START_TEST(test_set_rate)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 44 };
	struct reader rd = { 0 };
	uint64_t matched;
	unsigned k;

	ck_assert_int_eq(d->ops->set_rate(d, 44000), -EINVAL);
	ck_assert_uint_eq(d->rate, 48000);
	ck_assert_int_eq(d->ops->set_rate(d, 88200), 0);
	ck_assert_uint_eq(d->rate, 88200);
	ck_assert_uint_eq(d->latency_frames, 0);
	ck_assert_uint_eq(d->io_info.rate, 88200);
	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 2048, 512, -1);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 2048, 512, -1);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	for (k = 0; k < 1001; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&rd);
	}
	/*
	 * 88.2 frames a cycle.  (Not 1000 cycles: the sim's Q32 clock step for
	 * 88.2 is 2^-33 frames short, so frame 88200 lands in cycle 1001.)
	 */
	ck_assert_uint_eq(rd.n, 88288);
	ck_assert_uint_eq(check_capture(&rd, pl.seed, expect_same, &matched), 88);
	ck_assert_uint_eq(matched, 88288 - 88);
	free(rd.buf);
	uacd_dev_free(d);
}
END_TEST

START_TEST(test_wav_input)
{
	char path[] = "/tmp/test-engine-XXXXXX.raw", spec[128];
	int16_t in[100];
	struct uacd_device *d;
	struct reader rd = { 0 };
	uint64_t i;
	int fd, k;

	for (k = 0; k < 100; k++)
		in[k] = (int16_t)(k * 300 - 15000);
	fd = mkstemps(path, 4);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, in, sizeof(in)), (ssize_t)sizeof(in));
	close(fd);
	/* 100 mono frames: capture starts them when the first client runs, then loops */
	snprintf(spec, sizeof(spec), "sim:mode=wav,channels=1,in=%s,loop=1", path);
	d = sim(spec);
	unlink(path);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 1, 1024, 256, -1);
	step(d, 3);	/* nobody records yet: the file does not move */
	set_state(rd.s, UACD_CS_RUNNING);
	for (k = 0; k < 10; k++) {
		step(d, 1);
		cap_read(&rd);
	}
	ck_assert_uint_eq(rd.n, 480);
	/* the first running cycle records silence (the model sees the client one cycle later) */
	for (i = 0; i < rd.n; i++) {
		int16_t v, want = i < 48 ? 0 : in[(i - 48) % 100];

		memcpy(&v, rd.buf + i * 2, 2);
		if (v != want)
			ck_abort_msg("frame %llu: %d, expected %d", (unsigned long long)i, v, want);
	}
	free(rd.buf);
	uacd_dev_free(d);
}
END_TEST

static Suite *sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *tc = engine_tcase("sim");

	tcase_add_test(tc, test_sim_spec);
	tcase_add_loop_test(tc, test_drift, 0, (int)(sizeof(drift_cases) / sizeof(drift_cases[0])));
	tcase_add_test(tc, test_set_rate);
	tcase_add_test(tc, test_wav_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return engine_run(sim_suite());
}
