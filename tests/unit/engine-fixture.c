/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine tests' shared fixture: a sim device stepped by hand, and the
 * playing and recording clients (see engine-fixture.h).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#include "engine/core/device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/format.h"
#include "engine/sim/transport-sim.h"
#include "tests/unit/engine-fixture.h"

uint64_t host_time;

void setup(void)
{
	rcu_register_thread();
	host_time = 1000000000ull;
}

void teardown(void)
{
	rcu_unregister_thread();
	rcu_barrier();
}

struct uacd_device *sim(const char *spec)
{
	struct uacd_device *d = NULL;
	char err[512] = "";
	int ret = uacd_sim_create(spec, &d, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s: %d %s", spec, ret, err);
	return d;
}

void step(struct uacd_device *d, unsigned cycles)
{
	uacd_sim_step(d, cycles, &host_time);
}

/* A wake pipe like the server's: the daemon's end never blocks. */
void wake_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
}

/* Bytes waiting in a wake pipe (and consume them). */
int wakes(int rfd)
{
	char buf[256];
	ssize_t n;
	int total = 0;

	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		total += (int)n;
	return total;
}

struct uacd_stream *open_stream(struct uacd_device *d, uint32_t dir, uint32_t fmt,
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
void set_state(struct uacd_stream *s, uint32_t state)
{
	uint32_t seq = __atomic_load_n(&s->shm->client.cmd_seq, __ATOMIC_RELAXED) + 1;

	__atomic_store_n(&s->shm->client.state, state, __ATOMIC_RELEASE);
	__atomic_store_n(&s->shm->client.cmd_seq, seq, __ATOMIC_RELEASE);
}

uint64_t dpos(struct uacd_stream *s)
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
void gen_sample(uint32_t fmt, uint64_t seed, uint64_t i, unsigned c, uint8_t *p)
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

void play_write(struct player *pl, uint64_t frames)
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

void play_fill(struct player *pl)
{
	uint64_t fill = pl->wpos - dpos(pl->s);

	play_write(pl, pl->s->buffer_frames - fill);
}

void cap_read(struct reader *r)
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

/* Same format and channels as the player: the pattern itself. */
void expect_same(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f)
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
uint64_t check_capture(const struct reader *r, uint64_t seed, expect_fn expect, uint64_t *matched)
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

void close_pipe(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* ---- loopback: bit for bit (test-device.c, test-hooks.c) ------------------ */

/*
 * One player and one reader of the same format, both RUNNING from the first
 * cycle, `cycles` cycles.  Returns the number of pattern frames matched.
 */
uint64_t loopback_run_stage(const char *spec, uint32_t fmt, unsigned cycles, uint64_t *silence,
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

uint64_t loopback_run(const char *spec, uint32_t fmt, unsigned cycles, uint64_t *silence)
{
	return loopback_run_stage(spec, fmt, cycles, silence, false);
}

TCase *engine_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	return tc;
}

int engine_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
