/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for engine/log.c: the RT log queue (uacd_rtlog) and its
 * control-thread printer (uacd_log_drain).
 *
 * stderr is redirected into a temporary file around each drain and the
 * lines are compared exactly: order, device prefix, level words, folding of
 * repeats, the drop counter, and that four concurrent producers lose
 * nothing that fitted in the queue.  Check runs every test in its own
 * process, so the logger's static state starts fresh each time.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/core/log.h"

#define QUEUE_SLOTS 256		/* RTLOG_SLOTS in log.c */
#define PRODUCERS 4
#define PER_PRODUCER 10000

static FILE *cap;
static int saved_fd = -1;

static void capture_start(void)
{
	fflush(stderr);
	cap = tmpfile();
	ck_assert_ptr_nonnull(cap);
	saved_fd = dup(STDERR_FILENO);
	ck_assert_int_ge(saved_fd, 0);
	ck_assert_int_ge(dup2(fileno(cap), STDERR_FILENO), 0);
}

/* Returns everything written to stderr since capture_start(); caller frees. */
static char *capture_end(void)
{
	long len;
	char *s;

	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	len = ftell(cap);
	ck_assert_int_ge(len, 0);
	s = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(s);
	rewind(cap);
	ck_assert_uint_eq(fread(s, 1, (size_t)len, cap), (size_t)len);
	s[len] = '\0';
	fclose(cap);
	return s;
}

static void setup(void)
{
	/* plain "uacd: ..." lines, not journal "<N>" prefixes */
	unsetenv("JOURNAL_STREAM");
	uacd_log_set_level(UACD_LOG_DEBUG);
}

/* Repeat folding compares with the wall clock second: start right after a tick. */
static void wait_second_tick(void)
{
	time_t t = time(NULL);

	while (time(NULL) == t)
		usleep(1000);
}

START_TEST(test_order_and_prefix)
{
	static const char dev[] = "sim";
	char *out;
	int n;

	uacd_rtlog(UACD_LOG_ERR, dev, "stream %lld: ended (%lld, %lld)", 1, -2, 3);
	uacd_rtlog(UACD_LOG_WARNING, dev, "xrun on stream %lld", 7, 0, 0);
	uacd_rtlog(UACD_LOG_NOTICE, "usb0", "rate %lld Hz", 48000, 0, 0);
	uacd_rtlog(UACD_LOG_INFO, dev, "info %lld", 9007199254740993LL, 0, 0);
	uacd_rtlog(UACD_LOG_DEBUG, dev, "debug %lld %lld %lld", -1, 0, 1);
	uacd_rtlog(UACD_LOG_WARNING, NULL, "no device", 0, 0, 0);
	capture_start();
	n = uacd_log_drain();
	out = capture_end();
	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(out,
			 "uacd: error: sim: stream 1: ended (-2, 3)\n"
			 "uacd: warning: sim: xrun on stream 7\n"
			 "uacd: usb0: rate 48000 Hz\n"
			 "uacd: sim: info 9007199254740993\n"
			 "uacd: debug: sim: debug -1 0 1\n"
			 "uacd: warning: uacd: no device\n");
	free(out);

	/* nothing queued: nothing printed */
	capture_start();
	n = uacd_log_drain();
	out = capture_end();
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

START_TEST(test_level_filter)
{
	char *out;

	uacd_log_set_level(UACD_LOG_WARNING);
	uacd_rtlog(UACD_LOG_INFO, "sim", "hidden %lld", 1, 0, 0);
	uacd_rtlog(UACD_LOG_DEBUG, "sim", "hidden %lld", 2, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, "sim", "shown %lld", 3, 0, 0);
	uacd_rtlog(UACD_LOG_ERR, "sim", "also shown %lld", 4, 0, 0);
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 2);
	uacd_info("info %d", 5);
	uacd_warn("warn %d", 6);
	uacd_err("err %d", 7);
	out = capture_end();
	ck_assert_str_eq(out,
			 "uacd: warning: sim: shown 3\n"
			 "uacd: error: sim: also shown 4\n"
			 "uacd: warning: warn 6\n"
			 "uacd: error: err 7\n");
	ck_assert_int_eq(uacd_log_get_level(), UACD_LOG_WARNING);
	free(out);
}
END_TEST

START_TEST(test_repeats_folded)
{
	static const char sim[] = "sim", usb[] = "usb";
	static const char *const fmt = "xrun on stream %lld", *const late = "late %lld";
	char *out;
	int i, n;

	wait_second_tick();
	for (i = 0; i < 5; i++)
		uacd_rtlog(UACD_LOG_WARNING, sim, fmt, 4, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, sim, "other %lld", 1, 0, 0);
	for (i = 0; i < 3; i++)
		uacd_rtlog(UACD_LOG_WARNING, sim, fmt, 4, 0, 0);
	/* the same text from another device is not a repeat */
	uacd_rtlog(UACD_LOG_WARNING, usb, fmt, 4, 0, 0);
	capture_start();
	n = uacd_log_drain();
	out = capture_end();
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(out,
			 "uacd: warning: sim: xrun on stream 4\n"
			 "uacd: warning: sim: last message repeated 4 times\n"
			 "uacd: warning: sim: other 1\n"
			 "uacd: warning: sim: xrun on stream 4\n"
			 "uacd: warning: sim: last message repeated 2 times\n"
			 "uacd: warning: usb: xrun on stream 4\n");
	free(out);

	/* repeats at the end of a drain are reported once a second has passed */
	wait_second_tick();
	uacd_rtlog(UACD_LOG_WARNING, usb, late, 1, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, usb, late, 1, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, usb, late, 1, 0, 0);
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 1);
	out = capture_end();
	ck_assert_str_eq(out, "uacd: warning: usb: late 1\n");
	free(out);
	sleep(1);
	wait_second_tick();
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 0);
	out = capture_end();
	ck_assert_str_eq(out, "uacd: warning: usb: last message repeated 2 times\n");
	free(out);
}
END_TEST

/* Only the very same message folds: same words, device, level and values. */
START_TEST(test_fold_only_identical)
{
	static const char *const fmt = "stream %lld: client wrote an impossible ring position";
	char *out;

	wait_second_tick();
	uacd_rtlog(UACD_LOG_WARNING, "sim", fmt, 1, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, "sim", fmt, 2, 0, 0);
	uacd_rtlog(UACD_LOG_ERR, "sim", fmt, 2, 0, 0);
	uacd_rtlog(UACD_LOG_ERR, "sim", fmt, 2, 0, 0);
	uacd_rtlog(UACD_LOG_ERR, "sim", fmt, 2, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, "sim", fmt, 3, 0, 0);
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 4);
	out = capture_end();
	ck_assert_str_eq(out,
			 "uacd: warning: sim: stream 1: client wrote an impossible ring position\n"
			 "uacd: warning: sim: stream 2: client wrote an impossible ring position\n"
			 "uacd: error: sim: stream 2: client wrote an impossible ring position\n"
			 "uacd: warning: sim: last message repeated 2 times\n"
			 "uacd: warning: sim: stream 3: client wrote an impossible ring position\n");
	free(out);
}
END_TEST

/*
 * A repeat still being counted names a device that may be freed before it
 * is flushed (shutdown): the name it prints is its own copy.
 */
START_TEST(test_repeat_outlives_device)
{
	static const char *const fmt = "fell %lld ms behind the bus clock; resynchronised";
	char *dev = strdup("gonedev"), *out;

	ck_assert_ptr_nonnull(dev);
	wait_second_tick();
	uacd_rtlog(UACD_LOG_WARNING, dev, fmt, 250, 0, 0);
	uacd_rtlog(UACD_LOG_WARNING, dev, fmt, 250, 0, 0);
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 1);
	out = capture_end();
	ck_assert_str_eq(out, "uacd: warning: gonedev: fell 250 ms behind the bus clock; resynchronised\n");
	free(out);
	memset(dev, 'x', strlen(dev));
	free(dev);	/* the device is gone; its repeat is not flushed yet */
	uacd_rtlog(UACD_LOG_WARNING, "sim", fmt, 1, 0, 0);
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 1);
	out = capture_end();
	ck_assert_str_eq(out, "uacd: warning: gonedev: last message repeated 1 times\n"
			      "uacd: warning: sim: fell 1 ms behind the bus clock; resynchronised\n");
	free(out);
}
END_TEST

START_TEST(test_queue_full)
{
	char *out, *line, *save = NULL;
	int i, n, lines = 0;

	/* alternate two messages so that nothing folds */
	for (i = 0; i < QUEUE_SLOTS + 44; i++) {
		if (i & 1)
			uacd_rtlog(UACD_LOG_NOTICE, "sim", "odd %lld", i, 0, 0);
		else
			uacd_rtlog(UACD_LOG_NOTICE, "sim", "even %lld", i, 0, 0);
	}
	capture_start();
	n = uacd_log_drain();
	out = capture_end();
	ck_assert_int_eq(n, QUEUE_SLOTS);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want[64];

		if (lines < QUEUE_SLOTS)
			snprintf(want, sizeof(want), "uacd: sim: %s %d", lines & 1 ? "odd" : "even", lines);
		else
			snprintf(want, sizeof(want), "uacd: warning: rt log queue full: 44 messages dropped");
		ck_assert_str_eq(line, want);
		lines++;
	}
	ck_assert_int_eq(lines, QUEUE_SLOTS + 1);
	free(out);

	/* the counter was reset, and the queue works again */
	uacd_rtlog(UACD_LOG_NOTICE, "sim", "again %lld", 1, 0, 0);
	capture_start();
	ck_assert_int_eq(uacd_log_drain(), 1);
	out = capture_end();
	ck_assert_str_eq(out, "uacd: sim: again 1\n");
	free(out);
}
END_TEST

static const char *const devs[PRODUCERS] = { "d0", "d1", "d2", "d3" };
static int producers_done;
static int throttle;		/* keep fewer records in flight than the queue holds */
static uint64_t produced, consumed;

static void *producer(void *arg)
{
	int t = (int)(intptr_t)arg, i;

	for (i = 0; i < PER_PRODUCER; i++) {
		/* at most 200 + PRODUCERS records queued: below QUEUE_SLOTS */
		while (throttle && __atomic_load_n(&produced, __ATOMIC_ACQUIRE) -
				   __atomic_load_n(&consumed, __ATOMIC_ACQUIRE) >= 200)
			sched_yield();
		/* alternating formats: consecutive records never fold */
		if (i & 1)
			uacd_rtlog(UACD_LOG_NOTICE, devs[t], "b %lld %lld", t, i, 0);
		else
			uacd_rtlog(UACD_LOG_NOTICE, devs[t], "a %lld %lld", t, i, 0);
		__atomic_fetch_add(&produced, 1, __ATOMIC_RELEASE);
		if (i % 64 == 63)
			sched_yield();
	}
	__atomic_fetch_add(&producers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * 4 producers x 10,000 records against a draining control thread.  Every
 * record is either printed (per producer in order, never twice), folded
 * into a "repeated" line, or counted as dropped.  Throttled so that the
 * queue never fills, every record must be printed, in order, none folded.
 */
static void run_producers(int throttled)
{
	pthread_t th[PRODUCERS];
	int last[PRODUCERS], got[PRODUCERS] = { 0 }, i, printed = 0, drained = 0;
	long long dropped = 0, folded = 0;
	char *out, *line, *save = NULL;

	throttle = throttled;
	for (i = 0; i < PRODUCERS; i++)
		last[i] = -1;
	capture_start();
	for (i = 0; i < PRODUCERS; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, producer, (void *)(intptr_t)i), 0);
	while (__atomic_load_n(&producers_done, __ATOMIC_ACQUIRE) < PRODUCERS) {
		int n = uacd_log_drain();

		drained += n;
		__atomic_fetch_add(&consumed, (uint64_t)n, __ATOMIC_RELEASE);
	}
	for (i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	drained += uacd_log_drain();
	/* records folded at the very end are reported a second later */
	sleep(1);
	wait_second_tick();
	drained += uacd_log_drain();
	out = capture_end();

	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char c, dn[8];
		int t, seq;
		unsigned long long k;

		if (sscanf(line, "uacd: warning: rt log queue full: %llu messages dropped", &k) == 1) {
			dropped += (long long)k;
			continue;
		}
		/*
		 * When the queue was full a producer's next record can follow its
		 * own record of the same format: folded as a repeat.
		 */
		if (sscanf(line, "uacd: warning: %7[^:]: last message repeated %llu times", dn, &k) == 2) {
			folded += (long long)k;
			continue;
		}
		ck_assert_msg(sscanf(line, "uacd: %7[^:]: %c %d %d", dn, &c, &t, &seq) == 4,
			      "unexpected line '%s'", line);
		ck_assert(t >= 0 && t < PRODUCERS);
		ck_assert_str_eq(dn, devs[t]);
		ck_assert_int_eq(c, seq & 1 ? 'b' : 'a');
		/* per producer, in the order produced, never twice */
		if (seq <= last[t] || (throttled && seq != last[t] + 1))
			ck_abort_msg("producer %d: %d after %d", t, seq, last[t]);
		last[t] = seq;
		got[t]++;
		printed++;
	}
	ck_assert_int_eq(printed, drained);
	ck_assert_int_eq(printed + folded + dropped, PRODUCERS * PER_PRODUCER);
	for (i = 0; i < PRODUCERS; i++)
		ck_assert_int_gt(got[i], 0);
	if (throttled) {
		ck_assert_int_eq(dropped, 0);
		ck_assert_int_eq(folded, 0);
		ck_assert_int_eq(printed, PRODUCERS * PER_PRODUCER);
		for (i = 0; i < PRODUCERS; i++)
			ck_assert_int_eq(last[i], PER_PRODUCER - 1);
	}
	fprintf(stderr, "test-log: %s: %d messages printed, %lld folded, %lld dropped (queue full)\n",
		throttled ? "throttled" : "flat out", printed, folded, dropped);
	free(out);
}

START_TEST(test_multithreaded_fit)
{
	run_producers(1);
}
END_TEST

START_TEST(test_multithreaded_overflow)
{
	run_producers(0);
}
END_TEST

static Suite *log_suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_order_and_prefix);
	tcase_add_test(tc, test_level_filter);
	tcase_add_test(tc, test_repeats_folded);
	tcase_add_test(tc, test_fold_only_identical);
	tcase_add_test(tc, test_repeat_outlives_device);
	tcase_add_test(tc, test_queue_full);
	tcase_add_test(tc, test_multithreaded_fit);
	tcase_add_test(tc, test_multithreaded_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(log_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
