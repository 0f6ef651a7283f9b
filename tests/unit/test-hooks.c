/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for I/O hooks (the hook chain of engine/core/device.c) and the
 * DSP stage as a hook (engine/core/dsp-stage.c), on a sim device stepped in
 * fast virtual time (tests/unit/engine-fixture.h): call order, timing and
 * shape of the buffers a hook sees, hooks changing playback and capture in
 * place, the hook limit, load errors, and an idle DSP stage keeping the
 * bit-perfect copy.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "tests/unit/engine-fixture.h"

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

/* ---- capture hooks and the DSP stage ------------------------------------- */

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

START_TEST(test_loopback_s32_idle_dsp_stage)
{
	/* the daemon's DSP stage without a chain keeps the bit-perfect copy */
	uint64_t silence, n = loopback_run_stage("sim:mode=loopback,format=S32_LE,channels=1", UACD_FMT_S32_LE,
						 300, &silence, true);

	ck_assert_uint_eq(silence, 48);
	ck_assert_uint_eq(n, 300 * 48 - 48);
}
END_TEST

static Suite *hooks_suite(void)
{
	Suite *s = suite_create("hooks");
	TCase *tc = engine_tcase("core");

	tcase_add_test(tc, test_loopback_s32_idle_dsp_stage);
	tcase_add_test(tc, test_hook);
	tcase_add_test(tc, test_hooks_limit_and_clear);
	tcase_add_test(tc, test_hook_load_errors);
	tcase_add_test(tc, test_capture_hook);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return engine_run(hooks_suite());
}
