/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Engine bugs found while writing the unit tests, one Check test each,
 * asserting the behaviour the headers promise.  All three are fixed (RT log
 * folding compares the values, a config read error is an error, sub-cycle
 * buffers are refused): the tests stay as regression tests.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#include "engine/device.h"
#include "engine/dsp-stage.h"
#include "engine/log.h"
#include "engine/transport-sim.h"
#include "engine/uacd-conf.h"

/*
 * log.h: "identical messages repeated within a second are folded".
 * log.c folds records that share only the format and the device: the
 * second stream's warning below is lost, replaced by "last message
 * repeated 1 times", and an error after a warning of the same format too.
 */
START_TEST(bug_log_folds_different_arguments)
{
	static const char *const fmt = "stream %lld: client wrote an impossible ring position";
	FILE *cap = tmpfile();
	int saved = dup(2);
	char out[1024] = "";
	size_t n;

	unsetenv("JOURNAL_STREAM");
	uacd_log_set_level(UACD_LOG_DEBUG);
	uacd_rtlog(UACD_LOG_WARNING, "sim", fmt, 1, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, "sim", fmt, 2, 0, 0);
	uacd_rtlog(UACD_LOG_ERR, "sim", fmt, 3, 0, 0);
	fflush(stderr);
	dup2(fileno(cap), 2);
	uacd_log_drain();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	fclose(cap);
	ck_assert_str_eq(out,
			 "uacd: warning: sim: stream 1: client wrote an impossible ring position\n"
			 "uacd: warning: sim: stream 2: client wrote an impossible ring position\n"
			 "uacd: error: sim: stream 3: client wrote an impossible ring position\n");
}
END_TEST

/*
 * uacd-conf.c: a read error ends the fgets() loop like EOF, so a directory
 * (uacd -c /etc/uacd) "loads" as an empty file and uacd runs on defaults.
 */
START_TEST(bug_conf_read_error_ignored)
{
	struct uacd_config c;
	char err[256] = "";

	uacd_config_defaults(&c);
	ck_assert_int_lt(uacd_config_load(&c, "/", err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
}
END_TEST

/*
 * device.c: uacd_dev_stream_open() accepts a buffer smaller than what one
 * RT cycle moves (192 frames at 192 kHz), so such a stream overruns (or
 * underruns) every cycle however fast the client is.  The plugin allows
 * buffers down to 128 bytes (64 frames of S16 mono) at every rate.  The
 * engine should refuse the geometry (or serve it).
 */
START_TEST(bug_buffer_smaller_than_a_cycle)
{
	struct uacd_device *d = NULL;
	struct uacd_stream_req req;
	struct uacd_stream *s = NULL;
	uint64_t t = 0, rpos = 0;
	char err[256];
	int ret, k;

	rcu_register_thread();
	ck_assert_int_eq(uacd_sim_create("sim:rate=192000,channels=1", &d, err, sizeof(err)), 0);
	memset(&req, 0, sizeof(req));
	req.direction = UACD_DIR_CAPTURE;
	req.format = UACD_FMT_S16_LE;
	req.channels = 1;
	req.rate = 192000;
	req.buffer_frames = 64;
	req.period_frames = 32;
	ret = uacd_dev_stream_open(d, &req, -1, 1, "t", &s, err, sizeof(err));
	if (ret == 0) {
		__atomic_store_n(&s->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
		__atomic_store_n(&s->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
		for (k = 0; k < 10; k++) {
			uacd_sim_step(d, 1, &t);
			/* the client reads everything, every cycle */
			rpos = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_ACQUIRE);
			__atomic_store_n(&s->shm->client.pos, rpos, __ATOMIC_RELEASE);
		}
		ck_assert_uint_eq(s->shm->daemon.xruns, 0);
	} else {
		ck_assert_int_eq(ret, -EINVAL);
	}
	uacd_dev_free(d);
	rcu_unregister_thread();
	rcu_barrier();
}
END_TEST

/*
 * device.c promises a bit-perfect copy when one stream runs in the device's
 * format and no hook is loaded; main.c (07c3fed) always installs the DSP
 * stage as the first hook, even when no DSP chain is configured, so every
 * stream of the daemon goes through float: S32 loses its low 8 bits.  Here
 * the daemon's set-up (DSP stage, no chain) with an S32 stream in loopback.
 */
START_TEST(bug_dsp_stage_without_chain_breaks_bit_perfect)
{
	struct uacd_device *d = NULL;
	struct uacd_dsp_stage *st = NULL;
	struct uacd_hook *h;
	struct uacd_stream_req req;
	struct uacd_stream *p = NULL, *c = NULL;
	uint64_t t = 0, wpos = 0, rpos = 0, k, i, first = 0, bad = 0, seen = 0;
	char err[256];

	rcu_register_thread();
	ck_assert_int_eq(uacd_sim_create("sim:mode=loopback,format=S32_LE,channels=1", &d, err, sizeof(err)), 0);
	ck_assert_int_eq(uacd_dsp_stage_new(d, &st), 0);
	h = uacd_dsp_stage_hook(st);
	ck_assert_int_eq(uacd_dev_hooks_set(d, &h, 1), 0);
	memset(&req, 0, sizeof(req));
	req.format = UACD_FMT_S32_LE;
	req.channels = 1;
	req.rate = 48000;
	req.buffer_frames = 1024;
	req.period_frames = 256;
	req.direction = UACD_DIR_PLAYBACK;
	ck_assert_int_eq(uacd_dev_stream_open(d, &req, -1, 1, "t", &p, err, sizeof(err)), 0);
	req.direction = UACD_DIR_CAPTURE;
	ck_assert_int_eq(uacd_dev_stream_open(d, &req, -1, 1, "t", &c, err, sizeof(err)), 0);
	/* 0x12345601, 0x12345602, ...: low bytes a float cannot carry */
	for (; wpos < 1024; wpos++)
		((int32_t *)p->data)[wpos & 1023] = (int32_t)(0x12345600 + (wpos & 0xff) + 1);
	__atomic_store_n(&p->shm->client.pos, wpos, __ATOMIC_RELEASE);
	__atomic_store_n(&p->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&p->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&c->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&c->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
	for (k = 0; k < 10; k++) {
		uint64_t dp;

		uacd_sim_step(d, 1, &t);
		dp = __atomic_load_n(&c->shm->daemon.pos, __ATOMIC_ACQUIRE);
		for (; rpos < dp; rpos++) {
			int32_t v = ((int32_t *)c->data)[rpos & 1023];

			if (!v)
				continue;	/* start-up silence */
			if (v != (int32_t)(0x12345600 + (first & 0xff) + 1))
				bad++;
			first++;
			seen++;
		}
		__atomic_store_n(&c->shm->client.pos, rpos, __ATOMIC_RELEASE);
		for (i = __atomic_load_n(&p->shm->daemon.pos, __ATOMIC_ACQUIRE) + 1024; wpos < i; wpos++)
			((int32_t *)p->data)[wpos & 1023] = (int32_t)(0x12345600 + (wpos & 0xff) + 1);
		__atomic_store_n(&p->shm->client.pos, wpos, __ATOMIC_RELEASE);
	}
	ck_assert_uint_gt(seen, 400);
	ck_assert_msg(bad == 0, "%llu of %llu S32 frames changed", (unsigned long long)bad,
		      (unsigned long long)seen);
	uacd_dev_free(d);
	uacd_dsp_stage_free(st);
	rcu_unregister_thread();
	rcu_barrier();
}
END_TEST

static Suite *bugs_suite(void)
{
	Suite *s = suite_create("known-bugs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, bug_log_folds_different_arguments);
	tcase_add_test(tc, bug_conf_read_error_ignored);
	tcase_add_test(tc, bug_buffer_smaller_than_a_cycle);
	tcase_add_test(tc, bug_dsp_stage_without_chain_breaks_bit_perfect);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bugs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
