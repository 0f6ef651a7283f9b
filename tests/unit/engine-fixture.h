/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the engine's unit tests share (tests/unit/test-device.c,
 * test-stream-state.c, test-dev-stats.c, test-hooks.c, test-sim.c): a sim
 * device stepped by hand in fast virtual time, and a test thread that
 * plays the client itself.
 *
 * No RT thread runs: the test thread registers as an RCU (QSBR) reader and
 * advances the model with uacd_sim_step(), one 1 ms cycle at a time, so
 * every assertion is about an exact cycle.  The test writes the
 * client-owned fields of the daemon's own mapping (s->shm->client) and the
 * ring (s->data) directly, as the ALSA plugin does through its own
 * mapping, and reads the daemon-owned fields back.
 *
 * In loopback mode the capture side returns what the DAC played, so a
 * pattern written into a playback ring must come out of a capture ring bit
 * for bit (after the DAC's start-up silence), and anything that drops,
 * repeats or converts a frame wrongly shows up as a mismatch.
 */
#ifndef UACD_TESTS_UNIT_ENGINE_FIXTURE_H
#define UACD_TESTS_UNIT_ENGINE_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/core/device.h"

#define RATE 48000u
#define NO_WAKE UINT64_MAX	/* avail_min that never triggers a wake-up */

/* Virtual host time in ns; setup() resets it for every test. */
extern uint64_t host_time;

/* The checked fixture: RCU reader registration and the clock. */
void setup(void);
void teardown(void);

struct uacd_device *sim(const char *spec);
void step(struct uacd_device *d, unsigned cycles);

/* A wake pipe like the server's: the daemon's end never blocks. */
void wake_pipe(int p[2]);
/* Bytes waiting in a wake pipe (and consume them). */
int wakes(int rfd);
void close_pipe(int p[2]);

struct uacd_stream *open_stream(struct uacd_device *d, uint32_t dir, uint32_t fmt,
				uint32_t ch, uint32_t buffer, uint32_t period, int wake_fd);
/* Client side of the state handshake: new state, new cmd_seq. */
void set_state(struct uacd_stream *s, uint32_t state);
uint64_t dpos(struct uacd_stream *s);

/* Test sample of frame i, channel c: never -full scale, channel 0 never 0. */
void gen_sample(uint32_t fmt, uint64_t seed, uint64_t i, unsigned c, uint8_t *p);

/* The playing client: keeps its ring full of the pattern. */
struct player {
	struct uacd_stream *s;
	uint64_t seed;
	uint64_t wpos;		/* = frames written */
};

void play_write(struct player *pl, uint64_t frames);
void play_fill(struct player *pl);

/* The recording client: reads everything available into a growing buffer. */
struct reader {
	struct uacd_stream *s;
	uint64_t rpos;
	uint8_t *buf;
	uint64_t n, cap;	/* frames */
};

void cap_read(struct reader *r);

/* Expected capture frame for playback frame i. */
typedef void (*expect_fn)(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *frame);

/* Same format and channels as the player: the pattern itself. */
void expect_same(const struct reader *r, uint64_t seed, uint64_t i, uint8_t *f);

/*
 * Check a capture: zero frames (the DAC's start-up silence), then the
 * pattern from frame 0 on, bit for bit, to the end.  Returns the number of
 * silent frames before the pattern; *matched gets the pattern frames.
 */
uint64_t check_capture(const struct reader *r, uint64_t seed, expect_fn expect, uint64_t *matched);

/*
 * One player and one reader of the same format, both RUNNING from the first
 * cycle, `cycles` cycles, optionally through an idle DSP stage.  Returns the
 * number of pattern frames matched; *silence gets the start-up silence.
 */
uint64_t loopback_run_stage(const char *spec, uint32_t fmt, unsigned cycles, uint64_t *silence,
			    bool idle_dsp_stage);
uint64_t loopback_run(const char *spec, uint32_t fmt, unsigned cycles, uint64_t *silence);

/* A test case with the fixture and timeout every engine test uses. */
TCase *engine_tcase(const char *name);
/* Run a suite (forking, as Check does by default); the exit status for make check. */
int engine_run(Suite *s);

#endif
