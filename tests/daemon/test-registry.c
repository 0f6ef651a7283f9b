/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for the device registry (engine/daemon/registry.c) and its
 * reload transaction (registry-reload.c), on sim devices that are
 * prepared and not started: the test thread runs each device's DSP stage
 * itself on a DC buffer and measures the gain it applies, so "nothing
 * changed" is a statement about audio levels, not about return codes.
 *
 * Regressions of issue 12: a reload that fails at any step (the capture
 * chain, a later device, a hook) leaves every device's playback and
 * capture level and hook set as they were; the RT log is drained while
 * the devices' names still live.
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
#include "engine/core/log.h"
#include "engine/daemon/registry.h"

static char tmpdir[64];

static void setup(void)
{
	rcu_register_thread();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-registry-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];

	rcu_unregister_thread();
	rcu_barrier();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* dir/name, written with a 2-channel Gain chain of `db` (NAN: a broken file). */
static const char *chain(const char *name, double db)
{
	static char paths[8][128];
	static unsigned next;
	char *p = paths[next++ % 8];
	FILE *f;

	snprintf(p, 128, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "devices: {samplerate: 48000, chunksize: 256, capture: {channels: 2}, "
		"playback: {channels: 2}}\nfilters:\n");
	if (isnan(db))
		fprintf(f, "  g: {type: Gain, parameters: {gain: loud}}\n");
	else
		fprintf(f, "  g: {type: Gain, parameters: {gain: %g}}\n", db);
	fprintf(f, "pipeline:\n  - {type: Filter, channels: [0, 1], names: [g]}\n");
	fclose(f);
	return p;
}

static struct uacd_profile profile(const char *play, const char *cap)
{
	struct uacd_profile p;

	memset(&p, 0, sizeof(p));
	snprintf(p.dsp[0], sizeof(p.dsp[0]), "%s", play);
	snprintf(p.dsp[1], sizeof(p.dsp[1]), "%s", cap);
	return p;
}

static struct uacd_registry *registry(const struct uacd_profile *p, const char *const *specs, int n)
{
	struct uacd_registry *r = NULL;
	char err[512] = "";
	int i;

	ck_assert_int_eq(uacd_registry_new(p, &r), 0);
	for (i = 0; i < n; i++)
		ck_assert_msg(uacd_registry_create(r, specs[i], false, err, sizeof(err)) == 0,
			      "%s: %s", specs[i], err);
	return r;
}

static struct uacd_device *dev(struct uacd_registry *r, unsigned k)
{
	struct uacd_device *d[UACD_REGISTRY_MAX];

	ck_assert_uint_gt(uacd_registry_all(r, d, UACD_REGISTRY_MAX), k);
	return d[k];
}

/*
 * The gain in dB that direction dir (0 playback, 1 capture) of d applies:
 * 300 cycles of a 0.5 DC signal through the device's first hook (its DSP
 * stage), long enough for any ramp, then the last sample.
 */
static double level_db(struct uacd_device *d, int dir)
{
	struct uacd_hook *h = d->hooks->h[0];
	unsigned n = d->max_frames, c, i, k;
	unsigned nch = dir ? d->cap_ch : d->play_ch;
	float *buf = calloc((size_t)n * nch, sizeof(float));
	float *ch[UACD_MAX_CHANNELS];
	struct uacd_io_buffer b = { .channels = ch, .n_channels = nch, .n_frames = n, .rate = d->rate };
	double v;

	ck_assert_ptr_nonnull(buf);
	ck_assert_str_eq(h->name, "dsp");
	for (c = 0; c < nch; c++)
		ch[c] = buf + (size_t)c * n;
	for (k = 0; k < 300; k++) {
		for (i = 0; i < n * nch; i++)
			buf[i] = 0.5f;
		if (!h->active || h->active(h->state, dir ? UACD_IO_BEGIN_READ : UACD_IO_WRITE_END))
			h->ops->process(h->state, dir ? UACD_IO_BEGIN_READ : UACD_IO_WRITE_END, &b);
	}
	v = 20.0 * log10(buf[n - 1] / 0.5);
	free(buf);
	return v;
}

#define ck_assert_level(d, dir, db) do { \
	double got_ = level_db(d, dir); \
	ck_assert_msg(fabs(got_ - (db)) < 0.05, "%s %s: %.2f dB, expected %.2f dB", (d)->name, \
		      (dir) ? "capture" : "playback", got_, (double)(db)); \
} while (0)

static const char *const two_sims[] = { "sim:name=a,mode=silence", "sim:name=b,mode=silence" };

START_TEST(reload_commits_everything)
{
	struct uacd_profile p = profile(chain("p6.yml", -6), chain("c3.yml", -3)), q;
	struct uacd_registry *r = registry(&p, two_sims, 2);
	struct uacd_reload *t = NULL;
	char err[512] = "";
	unsigned k;

	for (k = 0; k < 2; k++) {
		ck_assert_level(dev(r, k), 0, -6);
		ck_assert_level(dev(r, k), 1, -3);
	}
	q = profile(chain("p12.yml", -12), chain("c9.yml", -9));
	ck_assert_msg(uacd_registry_reload_build(r, &q, &t, err, sizeof(err)) == 0, "%s", err);
	/* built, not committed: still the old levels */
	ck_assert_level(dev(r, 0), 0, -6);
	ck_assert_level(dev(r, 1), 1, -3);
	uacd_registry_reload_commit(r, t);
	for (k = 0; k < 2; k++) {
		ck_assert_level(dev(r, k), 0, -12);
		ck_assert_level(dev(r, k), 1, -9);
	}
	ck_assert_str_eq(uacd_registry_profile(r)->dsp[0], q.dsp[0]);
	uacd_registry_free(r);
}
END_TEST

/* The case: playback -6 -> -12 dB and a broken capture chain. */
START_TEST(reload_broken_capture_changes_nothing)
{
	struct uacd_profile p = profile(chain("p6.yml", -6), chain("c3.yml", -3)), q;
	struct uacd_registry *r = registry(&p, two_sims, 2);
	struct uacd_reload *t = (struct uacd_reload *)1;
	char err[512] = "", want[160];
	unsigned k;

	q = profile(chain("p12.yml", -12), chain("bad.yml", NAN));
	ck_assert_int_ne(uacd_registry_reload_build(r, &q, &t, err, sizeof(err)), 0);
	ck_assert_ptr_null(t);
	snprintf(want, sizeof(want), "%s/bad.yml:3:", tmpdir);
	ck_assert_msg(strstr(err, want) != NULL, "error '%s' does not name %s", err, want);
	for (k = 0; k < 2; k++) {
		ck_assert_level(dev(r, k), 0, -6);
		ck_assert_level(dev(r, k), 1, -3);
	}
	ck_assert_str_eq(uacd_registry_profile(r)->dsp[0], p.dsp[0]);
	uacd_registry_free(r);
}
END_TEST

/* A chain that device a takes and device b (4 channels) does not: a keeps its own. */
START_TEST(reload_failing_on_second_device_changes_first)
{
	static const char *const specs[] = { "sim:name=a,mode=silence", "sim:name=b,channels=4,mode=silence" };
	struct uacd_profile p = profile("", ""), q;
	struct uacd_registry *r = registry(&p, specs, 2);
	struct uacd_reload *t = NULL;
	char err[512] = "";

	ck_assert_level(dev(r, 0), 0, 0);
	q = profile(chain("p6.yml", -6), "");
	ck_assert_int_eq(uacd_registry_reload_build(r, &q, &t, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "device b playback has 4") != NULL, "%s", err);
	ck_assert_level(dev(r, 0), 0, 0);
	ck_assert_level(dev(r, 1), 0, 0);
	uacd_registry_free(r);
}
END_TEST

/* A hook that does not load: chains and hook sets stay as they were. */
START_TEST(reload_failing_hook_changes_nothing)
{
	struct uacd_profile p = profile(chain("p6.yml", -6), chain("c3.yml", -3)), q;
	struct uacd_registry *r = registry(&p, two_sims, 2);
	struct uacd_reload *t = NULL;
	struct uacd_hook_set *before = dev(r, 0)->hooks;
	char err[512] = "";

	q = profile(chain("p12.yml", -12), chain("c9.yml", -9));
	snprintf(q.hooks[q.n_hooks++], sizeof(q.hooks[0]), "%s/no-such-hook.so", tmpdir);
	ck_assert_int_ne(uacd_registry_reload_build(r, &q, &t, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "no-such-hook.so") != NULL, "%s", err);
	ck_assert_ptr_eq(dev(r, 0)->hooks, before);
	ck_assert_uint_eq(dev(r, 0)->hooks->n, 1);
	ck_assert_level(dev(r, 0), 0, -6);
	ck_assert_level(dev(r, 1), 1, -3);
	ck_assert_int_eq(uacd_registry_profile(r)->n_hooks, 0);
	uacd_registry_free(r);
}
END_TEST

/* Startup refuses a device whose chain does not load, naming it; nothing is added. */
START_TEST(create_refuses_bad_chain)
{
	struct uacd_profile p = profile(chain("bad.yml", NAN), "");
	struct uacd_registry *r = NULL;
	struct uacd_device *d[UACD_REGISTRY_MAX];
	char err[512] = "";

	ck_assert_int_eq(uacd_registry_new(&p, &r), 0);
	ck_assert_int_ne(uacd_registry_create(r, "sim:mode=silence", false, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, "bad.yml:3:") != NULL, "%s", err);
	ck_assert_uint_eq(uacd_registry_all(r, d, UACD_REGISTRY_MAX), 0);
	ck_assert_int_eq(uacd_registry_create(r, "sim:name=x", false, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(uacd_registry_create(r, "nonsense", false, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "device spec 'nonsense': expected sim") != NULL, "%s", err);
	uacd_registry_free(r);
}
END_TEST

START_TEST(create_refuses_duplicate_names)
{
	static const char *const specs[] = { "sim:name=a,mode=silence" };
	struct uacd_profile p = profile("", "");
	struct uacd_registry *r = registry(&p, specs, 1);
	char err[512] = "";

	ck_assert_int_eq(uacd_registry_create(r, "sim:name=a", false, err, sizeof(err)), -EEXIST);
	ck_assert_str_eq(err, "two devices named 'a' (use name=)");
	/* not served before start: clients see nothing yet */
	ck_assert_ptr_null(uacd_registry_find(r, ""));
	uacd_registry_free(r);
}
END_TEST

/*
 * Shutdown: an RT log record that names a device is printed while the
 * name lives (it was read from freed memory when the daemon freed its
 * devices before the last drain).
 */
START_TEST(free_drains_log_while_names_live)
{
	static const char *const specs[] = { "sim:name=uafcheck,mode=silence" };
	struct uacd_profile p = profile(chain("p6.yml", -6), "");
	struct uacd_registry *r = registry(&p, specs, 1);
	char path[128], buf[4096];
	int saved, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	uacd_rtlog(UACD_LOG_WARNING, dev(r, 0)->name, "pending record %lld", 42, 0, 0);
	uacd_registry_free(r);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	fd = open(path, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "uafcheck: pending record 42") != NULL, "log: %s", buf);
}
END_TEST

/* A refused stream request is refused before any rate switch (issue 12). */
START_TEST(stream_check_before_rate_switch)
{
	static const char *const specs[] = { "sim:name=a,rate=48000,mode=silence" };
	struct uacd_profile p = profile("", "");
	struct uacd_registry *r = registry(&p, specs, 1);
	struct uacd_stream_req req;
	char err[256] = "";

	memset(&req, 0, sizeof(req));
	req.direction = UACD_DIR_PLAYBACK;
	req.format = UACD_FMT_S16_LE;
	req.channels = 999;
	req.rate = 44100;
	req.buffer_frames = 4800;
	req.period_frames = 1200;
	ck_assert_int_eq(uacd_dev_stream_check(dev(r, 0), &req, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "999 channels: uacd supports 1 to 32");
	req.channels = 2;
	req.buffer_frames = 90;
	req.period_frames = 10;
	ck_assert_int_eq(uacd_dev_stream_check(dev(r, 0), &req, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "buffer of 90 frames is shorter than two 1 ms cycles (92 frames at 44100 Hz)");
	ck_assert_uint_eq(dev(r, 0)->rate, 48000);
	req.buffer_frames = 4800;
	ck_assert_int_eq(uacd_dev_stream_check(dev(r, 0), &req, err, sizeof(err)), 0);
	uacd_registry_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("registry");
	TCase *tc = tcase_create("registry");
	SRunner *sr;
	int failed;

	uacd_log_set_level(UACD_LOG_INFO);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, reload_commits_everything);
	tcase_add_test(tc, reload_broken_capture_changes_nothing);
	tcase_add_test(tc, reload_failing_on_second_device_changes_first);
	tcase_add_test(tc, reload_failing_hook_changes_nothing);
	tcase_add_test(tc, create_refuses_bad_chain);
	tcase_add_test(tc, create_refuses_duplicate_names);
	tcase_add_test(tc, free_drains_log_while_names_live);
	tcase_add_test(tc, stream_check_before_rate_switch);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
