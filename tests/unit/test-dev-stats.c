/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for what the engine reports about a device
 * (engine/core/dev-stats.c and uacd_dev_describe()): the status text and
 * the STATS reply, exactly, on a sim device stepped in fast virtual time
 * (tests/unit/engine-fixture.h).
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
#include "tests/unit/engine-fixture.h"

/* ---- status text and STATS ---------------------------------------------- */

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

static Suite *dev_stats_suite(void)
{
	Suite *s = suite_create("dev-stats");
	TCase *tc = engine_tcase("core");

	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return engine_run(dev_stats_suite());
}
