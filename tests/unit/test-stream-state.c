/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the streams' state machine in the engine's cycle
 * (engine/core/device.c), driven by the sim transport in fast virtual time
 * (tests/unit/engine-fixture.h): underruns, draining and capture overruns,
 * the client's untrusted ring positions, wake-ups, and pause.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/device.h"
#include "engine/core/log.h"
#include "tests/unit/engine-fixture.h"

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

/* ---- pause -------------------------------------------------------------- */

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

static Suite *stream_state_suite(void)
{
	Suite *s = suite_create("stream-state");
	TCase *tc = engine_tcase("core");

	tcase_add_test(tc, test_underrun);
	tcase_add_test(tc, test_draining);
	tcase_add_test(tc, test_capture_overrun);
	tcase_add_test(tc, test_bad_positions);
	tcase_add_test(tc, test_bad_position_while_stopped);
	tcase_add_test(tc, test_wakeups);
	tcase_add_test(tc, test_pause);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return engine_run(stream_state_suite());
}
