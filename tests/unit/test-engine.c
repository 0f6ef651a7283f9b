/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the device engine (engine/device.c) driven by the sim
 * transport (engine/transport-sim.c) in fast virtual time.
 *
 * No RT thread runs: the test thread registers as an RCU (QSBR) reader and
 * advances the model with uacd_sim_step(), one 1 ms cycle at a time, so
 * every assertion is about an exact cycle.  The test plays the client
 * itself: it writes the client-owned fields of the daemon's own mapping
 * (s->shm->client) and the ring (s->data) directly, as the ALSA plugin
 * does through its own mapping, and reads the daemon-owned fields back.
 *
 * In loopback mode the capture side returns what the DAC played, so a
 * pattern written into a playback ring must come out of a capture ring bit
 * for bit (after the DAC's start-up silence), and anything that drops,
 * repeats or converts a frame wrongly shows up as a mismatch.
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

#include <urcu-qsbr.h>

#include "engine/core/device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/format.h"
#include "engine/core/log.h"
#include "engine/sim/transport-sim.h"

#define RATE 48000u
#define NO_WAKE UINT64_MAX	/* avail_min that never triggers a wake-up */

/* ---- helpers -------------------------------------------------------------- */

static uint64_t host_time;

static void setup(void)
{
	rcu_register_thread();
	host_time = 1000000000ull;
}

static void teardown(void)
{
	rcu_unregister_thread();
	rcu_barrier();
}

static struct uacd_device *sim(const char *spec)
{
	struct uacd_device *d = NULL;
	char err[512] = "";
	int ret = uacd_sim_create(spec, &d, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s: %d %s", spec, ret, err);
	return d;
}

static void step(struct uacd_device *d, unsigned cycles)
{
	uacd_sim_step(d, cycles, &host_time);
}

/* A wake pipe like the server's: the daemon's end never blocks. */
static void wake_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
}

/* Bytes waiting in a wake pipe (and consume them). */
static int wakes(int rfd)
{
	char buf[256];
	ssize_t n;
	int total = 0;

	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		total += (int)n;
	return total;
}

static struct uacd_stream *open_stream(struct uacd_device *d, uint32_t dir, uint32_t fmt,
				       uint32_t ch, uint32_t buffer, uint32_t period, int wake_fd)
{
	struct uacd_stream_req req;
	struct uacd_stream *s = NULL;
	char err[256] = "";
	int ret;

	memset(&req, 0, sizeof(req));
	req.direction = dir;
	req.format = fmt;
	req.channels = ch;
	req.rate = d->rate;
	req.buffer_frames = buffer;
	req.period_frames = period;
	ret = uacd_dev_stream_open(d, &req, wake_fd, getpid(), "test-engine", &s, err, sizeof(err));
	ck_assert_msg(ret == 0, "stream open: %d %s", ret, err);
	return s;
}

/* Client side of the state handshake: new state, new cmd_seq. */
static void set_state(struct uacd_stream *s, uint32_t state)
{
	uint32_t seq = __atomic_load_n(&s->shm->client.cmd_seq, __ATOMIC_RELAXED) + 1;

	__atomic_store_n(&s->shm->client.state, state, __ATOMIC_RELEASE);
	__atomic_store_n(&s->shm->client.cmd_seq, seq, __ATOMIC_RELEASE);
}

static uint64_t dpos(struct uacd_stream *s)
{
	return __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_ACQUIRE);
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Test sample of frame i, channel c: never -full scale, channel 0 never 0. */
static void gen_sample(uint32_t fmt, uint64_t seed, uint64_t i, unsigned c, uint8_t *p)
{
	uint64_t h = mix64(seed * 1000003u + i * 64 + c);
	unsigned bps = uacd_format_bytes(fmt), b;

	for (b = 0; b < bps; b++)
		p[b] = (uint8_t)(h >> (8 * b));
	if (fmt == UACD_FMT_S16_LE && p[0] == 0 && p[1] == 0x80)
		p[0] = 1;	/* -32768 -> -32767 */
	if (c == 0)
		p[0] |= 1;
}

/* The playing client: keeps its ring full of the pattern. */
struct player {
	struct uacd_stream *s;
	uint64_t seed;
	uint64_t wpos;		/* = frames written */
};

static void play_write(struct player *pl, uint64_t frames)
{
	struct uacd_stream *s = pl->s;
	unsigned bps = uacd_format_bytes(s->format), c;
	uint64_t k;

	for (k = 0; k < frames; k++, pl->wpos++) {
		uint8_t *f = s->data + (pl->wpos & (s->ring_frames - 1)) * s->frame_bytes;

		for (c = 0; c < s->channels; c++)
			gen_sample(s->format, pl->seed, pl->wpos, c, f + c * bps);
	}
	__atomic_store_n(&s->shm->client.pos, pl->wpos, __ATOMIC_RELEASE);
}

static void play_fill(struct player *pl)
{
	uint64_t fill = pl->wpos - dpos(pl->s);

	play_write(pl, pl->s->buffer_frames - fill);
}

/* The recording client: reads everything available into a growing buffer. */
struct reader {
	struct uacd_stream *s;
	uint64_t rpos;
	uint8_t *buf;
	uint64_t n, cap;	/* frames */
};

static void cap_read(struct reader *r)
{
	struct uacd_stream *s = r->s;
	uint64_t avail = dpos(s) - r->rpos, k;

	ck_assert_uint_le(avail, s->buffer_frames);
	if (r->n + avail > r->cap) {
		r->cap = (r->n + avail) * 2 + 4096;
		r->buf = realloc(r->buf, r->cap * s->frame_bytes);
		ck_assert_ptr_nonnull(r->buf);
	}
	for (k = 0; k < avail; k++, r->rpos++, r->n++)
		memcpy(r->buf + r->n * s->frame_bytes,
		       s->data + (r->rpos & (s->ring_frames - 1)) * s->frame_bytes, s->frame_bytes);
	__atomic_store_n(&s->shm->client.pos, r->rpos, __ATOMIC_RELEASE);
}

/* Expected capture frame for playback frame i. */
typedef void (*expect_fn)(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *frame);

/* Same format and channels as the player: the pattern itself. */
static void expect_same(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f)
{
	unsigned bps = uacd_format_bytes(r->s->format), c;

	for (c = 0; c < r->s->channels; c++)
		gen_sample(r->s->format, seed, i, c, f + c * bps);
}

/*
 * Check a capture: zero frames (the DAC's start-up silence), then the
 * pattern from frame 0 on, bit for bit, to the end.  Returns the number of
 * silent frames before the pattern; *matched gets the pattern frames.
 */
static uint64_t check_capture(const struct reader *r, uint64_t seed, expect_fn expect,
			      uint64_t *matched)
{
	uint32_t fb = r->s->frame_bytes;
	uint8_t want[UACD_CLIENT_MAX_CHANNELS * 4], zero[UACD_CLIENT_MAX_CHANNELS * 4] = { 0 };
	uint64_t off = 0, i;

	while (off < r->n && !memcmp(r->buf + off * fb, zero, fb))
		off++;
	for (i = 0; off + i < r->n; i++) {
		expect(r, seed, i, want);
		if (memcmp(r->buf + (off + i) * fb, want, fb))
			ck_abort_msg("capture frame %llu (pattern frame %llu) differs",
				     (unsigned long long)(off + i), (unsigned long long)i);
	}
	*matched = i;
	return off;
}

static void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

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
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 9, RATE, 1024, 256, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "9 channels: uacd supports 1 to 8");
	ck_assert_int_eq(try_open(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 0, RATE, 1024, 256, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "0 channels: uacd supports 1 to 8");
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
		  "sim: unknown option 'volume' (known: rate, channels, playback_channels, capture_channels, format, mode, drift_ppm, usb, time, speedup, in, out, loop, name, priority)" },
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

/* ---- loopback: bit for bit --------------------------------------------- */

/*
 * One player and one reader of the same format, both RUNNING from the first
 * cycle, `cycles` cycles.  Returns the number of pattern frames matched.
 */
static uint64_t loopback_run_stage(const char *spec, uint32_t fmt, unsigned cycles, uint64_t *silence,
				   bool idle_dsp_stage)
{
	struct uacd_device *d = sim(spec);
	struct uacd_dsp_stage *st = NULL;
	int pp[2], cp[2];
	struct player pl = { .seed = 7 };
	struct reader rd = { 0 };
	uint64_t matched;
	unsigned k;

	if (idle_dsp_stage) {
		/* what uacd installs on every device: its DSP stage, here with no chain */
		struct uacd_hook *h;

		ck_assert_int_eq(uacd_dsp_stage_new(d, &st), 0);
		h = uacd_dsp_stage_hook(st);
		ck_assert_int_eq(uacd_dev_hooks_set(d, &h, 1), 0);
	}
	wake_pipe(pp);
	wake_pipe(cp);
	pl.s = open_stream(d, UACD_DIR_PLAYBACK, fmt, d->play_ch, 1024, 256, pp[1]);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, fmt, d->cap_ch, 1024, 256, cp[1]);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	for (k = 0; k < cycles; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&rd);
	}
	*silence = check_capture(&rd, pl.seed, expect_same, &matched);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(rd.s->shm->daemon.xruns, 0);
	ck_assert_int_eq(pl.s->shm->daemon.error, 0);
	ck_assert_int_eq(rd.s->shm->daemon.error, 0);
	/* every frame the device played was a pattern frame or the start-up silence */
	ck_assert_uint_eq(rd.n, (uint64_t)cycles * d->rate / 1000);
	/* an idle stage is never called */
	if (st)
		ck_assert_uint_eq(uacd_dsp_stage_hook(st)->calls, 0);
	free(rd.buf);
	uacd_dev_free(d);
	uacd_dsp_stage_free(st);
	close_pipe(pp);
	close_pipe(cp);
	return matched;
}

static uint64_t loopback_run(const char *spec, uint32_t fmt, unsigned cycles, uint64_t *silence)
{
	return loopback_run_stage(spec, fmt, cycles, silence, false);
}

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

START_TEST(test_loopback_s32_idle_dsp_stage)
{
	/* the daemon's DSP stage without a chain keeps the bit-perfect copy */
	uint64_t silence, n = loopback_run_stage("sim:mode=loopback,format=S32_LE,channels=1", UACD_FMT_S32_LE,
						 300, &silence, true);

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

/* ---- xruns and states ---------------------------------------------------- */

START_TEST(test_underrun)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 5 };
	int p[2];

	wake_pipe(p);
	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, p[1]);
	pl.s->shm->client.avail_min = NO_WAKE;
	play_write(&pl, 100);
	set_state(pl.s, UACD_CS_RUNNING);
	step(d, 2);
	ck_assert_uint_eq(dpos(pl.s), 96);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.ack_seq, 1);
	ck_assert_int_eq(wakes(p[0]), 0);

	/* 4 frames left for a 48-frame cycle: underrun */
	step(d, 1);
	ck_assert_uint_eq(dpos(pl.s), 100);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 1);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 1);
	ck_assert_int_eq(wakes(p[0]), 1);
	ck_assert_uint_eq(d->stats.xruns, 1);

	/* nothing more is taken, and it is counted once, until the client prepares */
	play_write(&pl, 500);
	step(d, 5);
	ck_assert_uint_eq(dpos(pl.s), 100);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 1);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 1);

	/* prepare: STOPPED with a new cmd_seq clears it, and is acknowledged */
	set_state(pl.s, UACD_CS_STOPPED);
	ck_assert_uint_eq(pl.s->shm->client.cmd_seq, 2);
	step(d, 1);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.ack_seq, 2);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 1);
	ck_assert_uint_eq(dpos(pl.s), 100);

	/* restart from the daemon's position */
	pl.wpos = dpos(pl.s);
	play_write(&pl, 480);
	set_state(pl.s, UACD_CS_RUNNING);
	step(d, 10);
	ck_assert_uint_eq(dpos(pl.s), 580);
	ck_assert_uint_eq(pl.s->shm->daemon.ack_seq, 3);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 1);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 0);
	ck_assert_uint_eq(d->stats.xruns, 1);
	uacd_dev_free(d);
	close_pipe(p);
}
END_TEST

START_TEST(test_draining)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 5 };
	int p[2];

	wake_pipe(p);
	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, p[1]);
	pl.s->shm->client.avail_min = NO_WAKE;
	play_write(&pl, 100);
	set_state(pl.s, UACD_CS_RUNNING);
	step(d, 1);
	set_state(pl.s, UACD_CS_DRAINING);
	step(d, 1);
	ck_assert_uint_eq(dpos(pl.s), 96);
	ck_assert_int_eq(wakes(p[0]), 0);
	/* the ring runs empty while draining: the end, not an xrun; the client is told */
	step(d, 1);
	ck_assert_uint_eq(dpos(pl.s), 100);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 0);
	ck_assert_int_ge(wakes(p[0]), 1);
	step(d, 20);
	ck_assert_uint_eq(dpos(pl.s), 100);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.ack_seq, 2);
	ck_assert_uint_eq(d->stats.xruns, 0);
	/* queued_frames: what the device still holds */
	ck_assert_uint_eq(pl.s->shm->daemon.queued_frames, d->rt.queued);
	uacd_dev_free(d);
	close_pipe(p);
}
END_TEST

START_TEST(test_capture_overrun)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct uacd_stream *s;
	int p[2];

	wake_pipe(p);
	s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 256, 64, p[1]);
	s->shm->client.avail_min = NO_WAKE;
	set_state(s, UACD_CS_RUNNING);
	step(d, 5);
	ck_assert_uint_eq(dpos(s), 240);
	ck_assert_uint_eq(s->shm->daemon.xruns, 0);
	ck_assert_int_eq(wakes(p[0]), 0);
	/* 240 + 48 > 256: the client did not read in time */
	step(d, 1);
	ck_assert_uint_eq(dpos(s), 240);
	ck_assert_uint_eq(s->shm->daemon.xruns, 1);
	ck_assert_uint_eq(s->shm->daemon.xrun_active, 1);
	ck_assert_int_eq(wakes(p[0]), 1);
	step(d, 10);
	ck_assert_uint_eq(dpos(s), 240);
	ck_assert_uint_eq(s->shm->daemon.xruns, 1);
	/* prepare and start again */
	set_state(s, UACD_CS_STOPPED);
	step(d, 1);
	ck_assert_uint_eq(s->shm->daemon.xrun_active, 0);
	ck_assert_uint_eq(s->shm->daemon.ack_seq, 2);
	__atomic_store_n(&s->shm->client.pos, dpos(s), __ATOMIC_RELEASE);
	set_state(s, UACD_CS_RUNNING);
	step(d, 3);
	ck_assert_uint_eq(dpos(s), 240 + 3 * 48);
	ck_assert_uint_eq(s->shm->daemon.xruns, 1);
	uacd_dev_free(d);
	close_pipe(p);
}
END_TEST

/* ---- untrusted positions ------------------------------------------------- */

START_TEST(test_bad_positions)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player good = { .seed = 9 }, ahead = { .seed = 1 }, behind = { .seed = 2 };
	struct reader rd = { 0 }, rbad = { 0 };
	int pa[2], pb[2], pg[2];
	uint64_t matched;
	unsigned k;
	char *line = NULL;
	FILE *cap;
	int saved;
	size_t len = 0;

	uacd_log_set_level(UACD_LOG_WARNING);
	unsetenv("JOURNAL_STREAM");
	wake_pipe(pa);
	wake_pipe(pb);
	wake_pipe(pg);
	good.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, pg[1]);
	ahead.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, pa[1]);
	behind.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, pb[1]);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	rbad.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	good.s->shm->client.avail_min = NO_WAKE;
	ahead.s->shm->client.avail_min = NO_WAKE;
	behind.s->shm->client.avail_min = NO_WAKE;

	play_fill(&good);
	/* `ahead` claims one frame more than its buffer holds */
	__atomic_store_n(&ahead.s->shm->client.pos, 1025, __ATOMIC_RELEASE);
	/* `behind` plays silence for now: it adds nothing to the mix */
	memset(behind.s->data, 0, behind.s->ring_frames * behind.s->frame_bytes);
	behind.wpos = 1024;
	__atomic_store_n(&behind.s->shm->client.pos, behind.wpos, __ATOMIC_RELEASE);
	set_state(good.s, UACD_CS_RUNNING);
	set_state(ahead.s, UACD_CS_RUNNING);
	set_state(behind.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	set_state(rbad.s, UACD_CS_RUNNING);

	step(d, 1);
	ck_assert_int_eq(ahead.s->shm->daemon.error, -EPROTO);
	ck_assert_uint_eq(dpos(ahead.s), 0);
	ck_assert_int_eq(wakes(pa[0]), 1);
	ck_assert_int_eq(good.s->shm->daemon.error, 0);
	ck_assert_int_eq(behind.s->shm->daemon.error, 0);
	ck_assert_uint_eq(dpos(good.s), 48);
	ck_assert_uint_eq(dpos(behind.s), 48);
	ck_assert_uint_eq(d->stats.bad_clients, 1);

	/* the warning names the stream and both positions */
	fflush(stderr);
	cap = tmpfile();
	saved = dup(2);
	dup2(fileno(cap), 2);
	uacd_log_drain();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(cap);
	ck_assert_int_gt(getline(&line, &len, cap), 0);
	ck_assert_str_eq(line,
			 "uacd: warning: sim: stream 2: client wrote an impossible ring position (1025 vs 0); stream ended\n");
	fclose(cap);
	free(line);

	for (k = 0; k < 50; k++) {
		step(d, 1);
		play_fill(&good);
		/* `behind` keeps a full ring of silence, so it never underruns */
		behind.wpos = dpos(behind.s) + 1024;
		__atomic_store_n(&behind.s->shm->client.pos, behind.wpos, __ATOMIC_RELEASE);
		cap_read(&rd);
		cap_read(&rbad);
	}
	/* `behind` moves its write position back, behind what we consumed */
	__atomic_store_n(&behind.s->shm->client.pos, dpos(behind.s) - 1, __ATOMIC_RELEASE);
	/* the bad reader claims to have read a frame that was never written */
	__atomic_store_n(&rbad.s->shm->client.pos, dpos(rbad.s) + 1, __ATOMIC_RELEASE);
	step(d, 1);
	ck_assert_int_eq(behind.s->shm->daemon.error, -EPROTO);
	ck_assert_int_eq(rbad.s->shm->daemon.error, -EPROTO);
	ck_assert_int_eq(wakes(pb[0]), 1);
	ck_assert_uint_eq(d->stats.bad_clients, 3);
	{
		uint64_t frozen = dpos(behind.s), frozen_cap = dpos(rbad.s);

		for (k = 0; k < 200; k++) {
			step(d, 1);
			play_fill(&good);
			cap_read(&rd);
		}
		/* the ended streams are left alone, the others play on */
		ck_assert_uint_eq(dpos(behind.s), frozen);
		ck_assert_uint_eq(dpos(rbad.s), frozen_cap);
		ck_assert_uint_eq(dpos(ahead.s), 0);
	}
	ck_assert_int_eq(good.s->shm->daemon.error, 0);
	ck_assert_int_eq(rd.s->shm->daemon.error, 0);
	ck_assert_uint_eq(good.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(rd.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(dpos(good.s), 252 * 48);
	/* and what `good` played came out bit for bit, mixed with nothing */
	ck_assert_uint_eq(check_capture(&rd, good.seed, expect_same, &matched), 48);
	ck_assert_uint_eq(matched, 252 * 48 - 48);
	ck_assert_uint_eq(d->stats.bad_clients, 3);
	free(rd.buf);
	free(rbad.buf);
	uacd_dev_free(d);
	close_pipe(pa);
	close_pipe(pb);
	close_pipe(pg);
}
END_TEST

START_TEST(test_bad_position_while_stopped)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct uacd_stream *s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 512, 128, -1);

	/* a stopped stream follows the client's position, but not an absurd one */
	__atomic_store_n(&s->shm->client.pos, 512, __ATOMIC_RELEASE);
	step(d, 3);
	ck_assert_int_eq(s->shm->daemon.error, 0);
	ck_assert_uint_eq(dpos(s), 0);
	__atomic_store_n(&s->shm->client.pos, 513, __ATOMIC_RELEASE);
	step(d, 1);
	ck_assert_int_eq(s->shm->daemon.error, -EPROTO);
	ck_assert_uint_eq(d->stats.bad_clients, 1);
	uacd_dev_free(d);
}
END_TEST

/* ---- wake-ups ------------------------------------------------------------ */

START_TEST(test_wakeups)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 4 };
	struct reader rd = { 0 };
	int pp[2], cp[2], k;

	wake_pipe(pp);
	wake_pipe(cp);
	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, pp[1]);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 96, cp[1]);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);

	/* capture, avail_min 96: one byte when 96 frames are there, then quiet */
	step(d, 1);
	ck_assert_int_eq(wakes(cp[0]), 0);
	step(d, 1);
	ck_assert_int_eq(wakes(cp[0]), 1);
	step(d, 1);
	ck_assert_int_eq(wakes(cp[0]), 0);
	cap_read(&rd);		/* takes 144 */
	step(d, 1);
	ck_assert_int_eq(wakes(cp[0]), 0);	/* 48 < 96 */
	step(d, 1);
	ck_assert_int_eq(wakes(cp[0]), 1);

	/* playback, avail_min 256: room for 256 after 6 cycles (5 done) */
	ck_assert_int_eq(wakes(pp[0]), 0);
	step(d, 1);
	ck_assert_int_eq(wakes(pp[0]), 1);
	step(d, 1);
	ck_assert_int_eq(wakes(pp[0]), 0);
	play_fill(&pl);
	for (k = 1; k <= 5; k++) {
		step(d, 1);
		ck_assert_msg(wakes(pp[0]) == 0, "woke %d cycles after a refill", k);
	}
	step(d, 1);
	ck_assert_int_eq(wakes(pp[0]), 1);
	/* a client lowering avail_min is woken by the next cycle */
	play_fill(&pl);
	pl.s->shm->client.avail_min = 48;
	step(d, 1);
	ck_assert_int_eq(wakes(pp[0]), 1);
	free(rd.buf);
	uacd_dev_free(d);
	close_pipe(pp);
	close_pipe(cp);
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
	fprintf(stderr, "test-engine: %s: %llu frames in, %llu out + %llu in the FIFO (max %u)\n",
		drift_cases[_i].spec, (unsigned long long)dpos(pl.s), (unsigned long long)matched, fifo,
		fifo_max);
	free(rd.buf);
	uacd_dev_free(d);
}
END_TEST

/* ---- hooks --------------------------------------------------------------- */

static struct {
	uint64_t calls[3];
	uint64_t next_time[3];
	uint64_t gaps, order_errors, host_errors, shape_errors;
	int last_op;
	int destroyed;
	uint64_t host0;
} rec;

/* rt */
static int rec_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	uint32_t c, i;

	(void)state;
	if (op != UACD_IO_WRITE_END && op != UACD_IO_BEGIN_READ) {
		rec.order_errors++;
		return -EINVAL;
	}
	/* each cycle: WRITE_END (playback), then BEGIN_READ (capture) */
	if ((int)op == rec.last_op || (rec.last_op == 0 && op != UACD_IO_WRITE_END))
		rec.order_errors++;
	rec.last_op = (int)op;
	if (b->sample_time != rec.next_time[op])
		rec.gaps++;
	rec.next_time[op] = b->sample_time + b->n_frames;
	if (b->host_time != rec.host0 + rec.calls[op] * 1000000ull)
		rec.host_errors++;
	if (b->n_channels != 2 || b->rate != RATE || b->n_frames < 40 || b->n_frames > 56)
		rec.shape_errors++;
	if (op == UACD_IO_WRITE_END)
		for (c = 0; c < b->n_channels; c++)
			for (i = 0; i < b->n_frames; i++)
				b->channels[c][i] = -b->channels[c][i];
	rec.calls[op]++;
	/* every tenth capture buffer reports an error, to be counted */
	return op == UACD_IO_BEGIN_READ && rec.calls[op] % 10 == 0 ? -EIO : 0;
}

static int rec_status(void *state, char *buf, uint32_t len)
{
	(void)state;
	return snprintf(buf, len, "w=%llu r=%llu", (unsigned long long)rec.calls[UACD_IO_WRITE_END],
			(unsigned long long)rec.calls[UACD_IO_BEGIN_READ]);
}

static void rec_destroy(void *state)
{
	(void)state;
	rec.destroyed++;
}

static const struct uacd_io_hook_v1 rec_ops = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "recorder",
	.process = rec_process,
	.destroy = rec_destroy,
	.status = rec_status,
};

/* The negated pattern (no sample is -32768, so none saturates). */
static void expect_negated(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f)
{
	unsigned c;

	for (c = 0; c < r->s->channels; c++) {
		uint8_t s16[2];
		int16_t v;

		gen_sample(UACD_FMT_S16_LE, seed, i, c, s16);
		v = (int16_t)(uint16_t)(s16[0] | s16[1] << 8);
		v = (int16_t)-v;
		f[2 * c] = (uint8_t)v;
		f[2 * c + 1] = (uint8_t)((uint16_t)v >> 8);
	}
}

START_TEST(test_hook)
{
	/* high speed with drift: cycles of 47, 48 or 49 frames */
	struct uacd_device *d = sim("sim:mode=loopback,usb=high,drift_ppm=700");
	struct uacd_hook *h = calloc(1, sizeof(*h));
	struct player pl = { .seed = 77 };
	struct reader rd = { 0 };
	const unsigned cycles = 2000;
	uint64_t matched;
	char desc[512];
	unsigned k;

	ck_assert_ptr_nonnull(h);
	snprintf(h->name, sizeof(h->name), "%s", rec_ops.name);
	h->ops = &rec_ops;
	memset(&rec, 0, sizeof(rec));
	rec.host0 = host_time;
	ck_assert_int_eq(uacd_dev_hook_add(d, h), 0);

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	for (k = 0; k < cycles; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&rd);
	}
	ck_assert_uint_eq(rec.calls[UACD_IO_WRITE_END], cycles);
	ck_assert_uint_eq(rec.calls[UACD_IO_BEGIN_READ], cycles);
	ck_assert_uint_eq(rec.gaps, 0);
	ck_assert_uint_eq(rec.order_errors, 0);
	ck_assert_uint_eq(rec.host_errors, 0);
	ck_assert_uint_eq(rec.shape_errors, 0);
	/* sample_time counts exactly the frames each direction moved */
	ck_assert_uint_eq(rec.next_time[UACD_IO_WRITE_END], d->stats.play_frames);
	ck_assert_uint_eq(rec.next_time[UACD_IO_BEGIN_READ], d->stats.cap_frames);
	ck_assert_uint_eq(rec.next_time[UACD_IO_BEGIN_READ], rd.n);
	ck_assert_uint_eq(__atomic_load_n(&h->calls, __ATOMIC_RELAXED), 2 * cycles);
	ck_assert_uint_eq(__atomic_load_n(&h->errors, __ATOMIC_RELAXED), cycles / 10);
	/* the hook changed the playback mix in place: the capture is the negation */
	ck_assert_uint_le(check_capture(&rd, pl.seed, expect_negated, &matched), 96);
	ck_assert_uint_ge(matched, cycles * 48 - 200);
	ck_assert_int_eq(uacd_dev_hooks_describe(d, desc, sizeof(desc)), (int)strlen(desc));
	ck_assert_str_eq(desc, "sim\trecorder\tcalls=4000 errors=200\tw=2000 r=2000\n");
	free(rd.buf);
	uacd_dev_free(d);
	ck_assert_int_eq(rec.destroyed, 1);
}
END_TEST

START_TEST(test_hooks_limit_and_clear)
{
	struct uacd_device *d = sim("sim:mode=silence");
	struct uacd_hook *h;
	unsigned i;
	char desc[1024];

	memset(&rec, 0, sizeof(rec));
	for (i = 0; i < UACD_MAX_HOOKS; i++) {
		h = calloc(1, sizeof(*h));
		snprintf(h->name, sizeof(h->name), "h%u", i);
		h->ops = &rec_ops;
		ck_assert_int_eq(uacd_dev_hook_add(d, h), 0);
	}
	h = calloc(1, sizeof(*h));
	h->ops = &rec_ops;
	ck_assert_int_eq(uacd_dev_hook_add(d, h), -ENOSPC);
	free(h);
	/* no stream at all: hooks still see every cycle, in the order added */
	step(d, 3);
	ck_assert_uint_eq(d->hooks->h[7]->calls, 6);
	uacd_dev_hooks_describe(d, desc, sizeof(desc));
	ck_assert_ptr_nonnull(strstr(desc, "sim\th0\tcalls=6 errors=0\t"));
	ck_assert_ptr_nonnull(strstr(desc, "sim\th7\tcalls=6 errors=0\t"));
	uacd_dev_hooks_clear(d);
	ck_assert_int_eq(rec.destroyed, (int)UACD_MAX_HOOKS);
	ck_assert_uint_eq(d->hooks->n, 0);
	ck_assert_int_eq(uacd_dev_hooks_describe(d, desc, sizeof(desc)), 0);
	uacd_dev_free(d);
	ck_assert_int_eq(rec.destroyed, (int)UACD_MAX_HOOKS);
}
END_TEST

START_TEST(test_hook_load_errors)
{
	struct uacd_device *d = sim("sim");
	char err[512];

	ck_assert_int_eq(uacd_dev_hook_load(d, "/nonexistent/hook.so", "", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "hook /nonexistent/hook.so: /nonexistent/hook.so: cannot open shared object file: No such file or directory");
	ck_assert_uint_eq(d->hooks->n, 0);
	uacd_dev_free(d);
}
END_TEST

/* ---- pause, device loss, status text, rate, capture hooks, wav input ----- */

START_TEST(test_pause)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct player pl = { .seed = 31 };
	struct reader rd = { 0 };
	uint64_t matched, before;
	unsigned k;

	pl.s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	rd.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 4096, 256, -1);
	play_fill(&pl);
	set_state(pl.s, UACD_CS_RUNNING);
	set_state(rd.s, UACD_CS_RUNNING);
	for (k = 0; k < 20; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&rd);
	}
	/* paused: the ring is left alone, positions kept, no xrun */
	set_state(pl.s, UACD_CS_PAUSED);
	before = dpos(pl.s);
	step(d, 1);
	ck_assert_uint_eq(pl.s->shm->daemon.ack_seq, 2);
	ck_assert_uint_eq(dpos(pl.s), before);
	step(d, 30);
	ck_assert_uint_eq(dpos(pl.s), before);
	ck_assert_uint_eq(pl.s->shm->daemon.xruns, 0);
	ck_assert_uint_eq(pl.s->shm->daemon.xrun_active, 0);
	cap_read(&rd);
	/* resumed: the pattern goes on where it stopped */
	set_state(pl.s, UACD_CS_RUNNING);
	for (k = 0; k < 20; k++) {
		step(d, 1);
		play_fill(&pl);
		cap_read(&rd);
	}
	ck_assert_uint_eq(dpos(pl.s), before + 20 * 48);
	/* what was captured: silence, pattern, silence while paused, the rest of the pattern */
	{
		struct reader a = rd, b = rd;
		uint64_t gap = 0, m2, i;
		uint8_t want[4];

		a.n = 48 + before;	/* up to the last frame taken before the pause */
		ck_assert_uint_eq(check_capture(&a, pl.seed, expect_same, &matched), 48);
		ck_assert_uint_eq(matched, a.n - 48);
		/* then silence, then the pattern from frame `matched` on */
		while (a.n + gap < rd.n && !memcmp(rd.buf + (a.n + gap) * 4, "\0\0\0\0", 4))
			gap++;
		/* 31 cycles: the paused ones, and the one that plays the FIFO's silence */
		ck_assert_uint_eq(gap, 31 * 48);
		for (i = 0; a.n + gap + i < rd.n; i++) {
			expect_same(&b, pl.seed, matched + i, want);
			if (memcmp(rd.buf + (a.n + gap + i) * 4, want, 4))
				ck_abort_msg("after the pause, frame %llu differs", (unsigned long long)i);
		}
		m2 = i;
		/* every frame taken from the ring was played once, but the 48 in the FIFO */
		ck_assert_uint_eq(m2, 19 * 48);
		ck_assert_uint_eq(matched + m2 + 48, dpos(pl.s));
	}
	free(rd.buf);
	uacd_dev_free(d);
}
END_TEST

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

START_TEST(test_describe)
{
	struct uacd_device *d = sim("sim:mode=loopback,name=box,format=S24_3LE,drift_ppm=-25");
	struct uacd_stream *s;
	char buf[2048], want[1024];
	unsigned long long cycles, maxus, xr, rej;

	s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_FLOAT_LE, 1, 512, 128, -1);
	snprintf(want, sizeof(want),
		 "box (sim): S24_3LE 48000 Hz, playback 2 ch, capture 2 ch, rt SCHED_OTHER\n"
		 "  rt thread: not running; latency to the DAC 0 frames\n"
		 "  stream 1: playback S16_LE 2 ch, buffer 1024 period 256, pos 0, latency 0 frames, xruns 0, client test-engine (pid %d)\n"
		 "  stream 2: capture FLOAT_LE 1 ch, buffer 512 period 128, pos 0, latency 0 frames, xruns 0, client test-engine (pid %d)\n"
		 "  sim: loopback, usb full speed, drift -25 ppm, time real; feedback 0.0000 frames/packet; "
		 "fifo 0 frames (max 0); dac 0 frames; underflow 0, overflow 0 frames\n"
		 "  cycles 0, max cycle 0 us, xruns 0, rejected clients 0\n",
		 (int)getpid(), (int)getpid());
	ck_assert_int_eq(uacd_dev_describe(d, buf, sizeof(buf)), (int)strlen(want));
	ck_assert_str_eq(buf, want);

	__atomic_store_n(&s->shm->client.pos, 1024, __ATOMIC_RELEASE);
	set_state(s, UACD_CS_RUNNING);
	step(d, 100);
	uacd_dev_describe(d, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "  stream 1: playback S16_LE 2 ch, buffer 1024 period 256, pos 1024, latency "));
	ck_assert_ptr_nonnull(strstr(buf, " frames, xruns 1, client test-engine"));
	/* 48 kHz - 25 ppm = 47.9988 frames a packet */
	ck_assert_ptr_nonnull(strstr(buf, "; feedback 47.9988 frames/packet; "));
	ck_assert_ptr_nonnull(strstr(buf, "dac 4799 frames; underflow "));
	ck_assert_int_eq(sscanf(strstr(buf, "  cycles "), "  cycles %llu, max cycle %llu us, xruns %llu, rejected clients %llu",
				&cycles, &maxus, &xr, &rej), 4);
	ck_assert_uint_eq(cycles, 100);
	ck_assert_uint_eq(xr, 1);
	ck_assert_uint_eq(rej, 0);
	/* truncation: never more than asked for, always terminated */
	ck_assert_int_eq(uacd_dev_describe(d, buf, 20), 20);
	ck_assert_uint_eq(strlen(buf), 19);
	uacd_dev_free(d);
}
END_TEST

/* STATS: what uacctl status --json and stats show, exactly. */
START_TEST(test_stats)
{
	struct uacd_device *d = sim("sim:mode=loopback");
	struct uacd_stats_reply *r = calloc(1, UACD_STATS_REPLY_MAX);
	const struct uacd_stats_stream *sr;
	struct uacd_stream *s;
	uint64_t queued;

	ck_assert_ptr_nonnull(r);
	s = open_stream(d, UACD_DIR_PLAYBACK, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	__atomic_store_n(&s->shm->client.pos, 1024, __ATOMIC_RELEASE);
	set_state(s, UACD_CS_RUNNING);
	step(d, 10);
	ck_assert_uint_eq(uacd_dev_stats(d, r, UACD_STATS_MAX_STREAMS), sizeof(*r) + sizeof(*sr));
	ck_assert_uint_eq(r->size, sizeof(*r));
	ck_assert_uint_eq(r->stream_size, sizeof(*sr));
	ck_assert_uint_eq(r->state, UACD_DEV_IDLE);	/* stepped by hand: no RT thread */
	ck_assert_str_eq(r->device, "sim");
	ck_assert_str_eq(r->kind, "sim");
	ck_assert_uint_eq(r->format, d->format);
	ck_assert_uint_eq(r->rate, 48000);
	ck_assert_uint_eq(r->playback_channels, 2);
	ck_assert_uint_eq(r->capture_channels, 2);
	ck_assert_int_eq(r->rt_priority, 0);
	ck_assert_uint_eq(r->feedback_q16, 48u << 16);	/* 48 frames a 1 ms packet, no drift */
	ck_assert_uint_eq(r->packet_us, 1000);
	ck_assert_uint_eq(r->cycles, 10);
	ck_assert_uint_eq(r->playback_frames, 480);
	ck_assert_uint_eq(r->xruns, 0);
	ck_assert_uint_eq(r->cpu_ns, 0);
	ck_assert_uint_eq(r->cpu_permille, 0);
	queued = s->shm->daemon.queued_frames;
	ck_assert_uint_eq(r->latency_frames, queued);
	ck_assert_uint_eq(uacd_dev_out_latency(d), queued);
	ck_assert_uint_eq(r->n_streams, 1);
	ck_assert_uint_eq(r->n_streams_total, 1);
	sr = (const struct uacd_stats_stream *)(r + 1);
	ck_assert_uint_eq(sr->size, sizeof(*sr));
	ck_assert_uint_eq(sr->id, s->id);
	ck_assert_uint_eq(sr->direction, UACD_DIR_PLAYBACK);
	ck_assert_uint_eq(sr->format, UACD_FMT_S16_LE);
	ck_assert_uint_eq(sr->channels, 2);
	ck_assert_uint_eq(sr->buffer_frames, 1024);
	ck_assert_uint_eq(sr->period_frames, 256);
	ck_assert_uint_eq(sr->client_state, UACD_CS_RUNNING);
	ck_assert_uint_eq(sr->frames, 480);
	ck_assert_uint_eq(sr->xruns, 0);
	ck_assert_int_eq(sr->error, 0);
	ck_assert_int_eq(sr->pid, (int)getpid());
	ck_assert_str_eq(sr->client, "test-engine");
	/* ring fill (1024 written - 480 taken) + queued (the sim has no fixed latency) */
	ck_assert_uint_eq(sr->latency_frames, 1024 - 480 + queued);

	/* a position beyond the buffer is clamped, not believed */
	__atomic_store_n(&s->shm->client.pos, 1u << 30, __ATOMIC_RELEASE);
	uacd_dev_stats(d, r, UACD_STATS_MAX_STREAMS);
	ck_assert_uint_eq(sr->latency_frames, 1024 + queued);

	/* capped: no record, the total still counts it */
	ck_assert_uint_eq(uacd_dev_stats(d, r, 0), sizeof(*r));
	ck_assert_uint_eq(r->n_streams, 0);
	ck_assert_uint_eq(r->n_streams_total, 1);
	uacd_dev_free(d);
	free(r);
}
END_TEST

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

/* rt: a capture hook that adds 1/32768 to channel 0 and negates channel 1. */
static int cap_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	uint32_t i;

	(void)state;
	if (op != UACD_IO_BEGIN_READ)
		return 0;
	for (i = 0; i < b->n_frames; i++) {
		b->channels[0][i] += 1.0f / 32768.0f;
		b->channels[1][i] = -b->channels[1][i];
	}
	return 0;
}

static const struct uacd_io_hook_v1 cap_ops = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "cap",
	.process = cap_process,
};

START_TEST(test_capture_hook)
{
	/* silence mode: the device records zeros; the hook makes them 1 and -0 */
	struct uacd_device *d = sim("sim:mode=silence");
	struct uacd_hook *h = calloc(1, sizeof(*h));
	struct reader r16 = { 0 }, r32 = { 0 };
	uint64_t i;
	unsigned k;

	h->ops = &cap_ops;
	snprintf(h->name, sizeof(h->name), "cap");
	ck_assert_int_eq(uacd_dev_hook_add(d, h), 0);
	r16.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S16_LE, 2, 1024, 256, -1);
	r32.s = open_stream(d, UACD_DIR_CAPTURE, UACD_FMT_S32_LE, 1, 1024, 256, -1);
	set_state(r16.s, UACD_CS_RUNNING);
	set_state(r32.s, UACD_CS_RUNNING);
	for (k = 0; k < 10; k++) {
		step(d, 1);
		cap_read(&r16);
		cap_read(&r32);
	}
	ck_assert_uint_eq(r16.n, 480);
	ck_assert_uint_eq(r32.n, 480);
	for (i = 0; i < r16.n; i++) {
		int16_t v[2];
		int32_t w;

		memcpy(v, r16.buf + i * 4, 4);
		memcpy(&w, r32.buf + i * 4, 4);
		if (v[0] != 1 || v[1] != 0 || w != 65536)
			ck_abort_msg("frame %llu: %d %d / %d", (unsigned long long)i, v[0], v[1], w);
	}
	uacd_dev_free(d);
	free(r16.buf);
	free(r32.buf);
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

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_stream_open);
	tcase_add_test(tc, test_sim_spec);
	tcase_add_test(tc, test_loopback_s16);
	tcase_add_test(tc, test_loopback_s32_bit_perfect);
	tcase_add_test(tc, test_loopback_s32_idle_dsp_stage);
	tcase_add_test(tc, test_loopback_float_44k1);
	tcase_add_test(tc, test_s16_client_on_s24_device);
	tcase_add_test(tc, test_mono_on_stereo);
	tcase_add_test(tc, test_underrun);
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_draining);
	tcase_add_test(tc, test_capture_overrun);
	tcase_add_test(tc, test_bad_positions);
	tcase_add_test(tc, test_bad_position_while_stopped);
	tcase_add_test(tc, test_wakeups);
	tcase_add_test(tc, test_close_while_running);
	tcase_add_loop_test(tc, test_drift, 0, (int)(sizeof(drift_cases) / sizeof(drift_cases[0])));
	tcase_add_test(tc, test_hook);
	tcase_add_test(tc, test_hooks_limit_and_clear);
	tcase_add_test(tc, test_hook_load_errors);
	tcase_add_test(tc, test_pause);
	tcase_add_test(tc, test_device_gone);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_set_rate);
	tcase_add_test(tc, test_capture_hook);
	tcase_add_test(tc, test_wav_input);
	tcase_add_test(tc, test_sw_volume);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
