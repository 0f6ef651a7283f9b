/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the tests/usbfake programs share: the ramp-writing playback client,
 * the ramp-checking capture client, a transport bound to a fake device,
 * the shared descriptor corpus, and the runner (see usbfake-fixture.h).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libusb.h>
#include <urcu-qsbr.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/usb/transport-libusb.h"
#include "tests/usbfake/fake-usb.h"
#include "tests/usbfake/usbfake-fixture.h"

void client_open(struct uacd_device *d, struct client *c)
{
	struct uacd_stream_req req;
	char err[256] = "";
	int ret;

	memset(&req, 0, sizeof(req));
	req.direction = UACD_DIR_PLAYBACK;
	req.format = d->format;
	req.channels = d->play_ch;
	req.rate = d->rate;
	req.buffer_frames = 4096;
	req.period_frames = 512;
	memset(c, 0, sizeof(*c));
	ret = uacd_dev_stream_open(d, &req, -1, getpid(), "test", &c->s, err, sizeof(err));
	ck_assert_msg(ret == 0, "stream open: %s", err);
	c->next = 1;
	__atomic_store_n(&c->s->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&c->s->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
}

/* Keep the ring full of ramp. */
void client_feed(struct client *c)
{
	struct uacd_stream *s = c->s;
	uint64_t rpos = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_ACQUIRE);

	if (c->stop_feeding)
		return;
	while (c->wpos - rpos < s->buffer_frames) {
		uint8_t *f = s->data + (c->wpos & (s->ring_frames - 1)) * s->frame_bytes;

		memset(f, 0, s->frame_bytes);
		memcpy(f, &c->next, 4);
		c->next++;
		c->wpos++;
	}
	__atomic_store_n(&s->shm->client.pos, c->wpos, __ATOMIC_RELEASE);
}

int32_t client_error(struct client *c)
{
	return __atomic_load_n(&c->s->shm->daemon.error, __ATOMIC_ACQUIRE);
}

void cap_open(struct uacd_device *d, struct cap_client *c)
{
	struct uacd_stream_req req;
	char err[256] = "";
	int ret;

	memset(&req, 0, sizeof(req));
	req.direction = UACD_DIR_CAPTURE;
	req.format = d->format;
	req.channels = d->cap_ch;
	req.rate = d->rate;
	req.buffer_frames = 4096;
	req.period_frames = 512;
	memset(c, 0, sizeof(*c));
	ret = uacd_dev_stream_open(d, &req, -1, getpid(), "test-cap", &c->s, err, sizeof(err));
	ck_assert_msg(ret == 0, "capture stream open: %s", err);
	__atomic_store_n(&c->s->shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&c->s->shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
}

/* Read everything captured; the first frame sets the ramp's phase. */
void cap_drain(struct cap_client *c)
{
	struct uacd_stream *s = c->s;
	uint64_t wpos = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_ACQUIRE);

	uint32_t mask = s->frame_bytes >= 4 ? 0xffffffffu : 0xffffu;

	for (; c->rpos < wpos; c->rpos++) {
		uint32_t v = 0;

		memcpy(&v, s->data + (c->rpos & (s->ring_frames - 1)) * s->frame_bytes,
		       s->frame_bytes < 4 ? s->frame_bytes : 4);
		if (c->good + c->bad && v != (c->next & mask))
			c->bad++;
		else
			c->good++;
		c->next = v + 1;
	}
	__atomic_store_n(&s->shm->client.pos, c->rpos, __ATOMIC_RELEASE);
}

struct uacd_device *make_dev(struct fake_usb *f, const char *spec, const uint8_t *cfg,
			     size_t len, const struct uacd_usb_probe *probe_in)
{
	struct uacd_usb_probe p;
	struct uacd_device *d = NULL;
	char err[512] = "";
	int ret;

	if (probe_in) {
		p = *probe_in;
	} else {
		fake_qemu_probe(&p, cfg, len);
		p.speed = f->high_speed ? UACD_USB_SPEED_HIGH : UACD_USB_SPEED_FULL;
	}
	ret = uacd_usb_create_io(spec, &p, &fake_usb_ops, f, &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "create %s: %s (%d)", spec, err, ret);
	return d;
}

void qemu_model(struct fake_usb *f, uint32_t rate, int ppm)
{
	memset(f, 0, sizeof(*f));
	f->rate = rate;
	f->interval_us = 1000;
	f->ppm = ppm;
	f->out_frame_bytes = 4;
	f->in_frame_bytes = 4;
	f->uac_version = 1;
	f->stall_uac1_rate = true;
	fake_usb_init(f);
}

/* Run until virtual time t_us, feeding the client. */
void run_until(struct uacd_device *d, struct fake_usb *f, struct client *c, uint64_t t_us)
{
	while (f->now_us < t_us) {
		if (c)
			client_feed(c);
		if (uacd_usb_iterate(d, 100) == -ENODEV)
			return;
	}
}

void finish(struct uacd_device *d, struct fake_usb *f)
{
	uacd_usb_drain(d);
	uacd_dev_free(d);
	ck_assert(f->closed);
	fake_usb_free(f);
}

/*
 * The descriptor corpus ($UACD_TEST_FIXTURES/descriptors, the repository's
 * tests/fixtures/descriptors, also in the release tarball): without it the
 * tests that bind corpus devices are not registered (see the tests' main())
 * and usbfake_run() reports a FAIL, or a SKIP when the variable is unset.
 */
char corpus_path[512];

int corpus_find(void)
{
	const char *dir = getenv("UACD_TEST_FIXTURES");
	char probe[600];

	if (!dir || !*dir)
		return -ENOENT;
	snprintf(corpus_path, sizeof(corpus_path), "%s/descriptors", dir);
	snprintf(probe, sizeof(probe), "%s/11-behringer-uv1.bin", corpus_path);
	if (access(probe, R_OK) != 0)
		return -errno;
	return 0;
}

static uint8_t *read_all(const char *name, size_t *len)
{
	char path[1024];
	uint8_t *buf;
	FILE *fp;
	long n;

	snprintf(path, sizeof(path), "%s/%s", corpus_path, name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n);
	ck_assert(buf && fread(buf, 1, (size_t)n, fp) == (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

void corpus_probe(struct uacd_usb_probe *p, const char *base, uint8_t **cfg_out)
{
	char name[128];
	size_t len, dlen;
	uint8_t *cfg, *dev;
	char err[256];

	snprintf(name, sizeof(name), "%s.bin", base);
	cfg = read_all(name, &len);
	snprintf(name, sizeof(name), "%s.dev.bin", base);
	dev = read_all(name, &dlen);
	memset(p, 0, sizeof(*p));
	ck_assert_int_eq(uacd_usbdesc_parse_device(dev, dlen, &p->dev, err, sizeof(err)), 0);
	free(dev);
	p->cfg = cfg;
	p->cfg_len = len;
	p->speed = UACD_USB_SPEED_HIGH;
	p->bus = 1;
	p->address = 5;
	snprintf(p->bus_path, sizeof(p->bus_path), "1-4");
	*cfg_out = cfg;
}

TCase *usbfake_tcase(const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_set_timeout(tc, 300);
	return tc;
}

int usbfake_run(Suite *s, const char *without_corpus)
{
	SRunner *sr;
	int failed;

	rcu_register_thread();
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rcu_unregister_thread();
	if (failed)
		return 1;
	if (!without_corpus)
		return 0;
	/*
	 * The rest passed, but a whole part was not run.  make check sets
	 * UACD_TEST_FIXTURES and the corpus is in the tree: missing is a FAIL.
	 * Unset (a program run by hand), a SKIP.
	 */
	if (corpus_path[0]) {
		printf("FAIL: no descriptor corpus in '%s' (UACD_TEST_FIXTURES is set): %s did not run\n",
		       corpus_path, without_corpus);
		return 1;
	}
	printf("SKIP: UACD_TEST_FIXTURES is not set (make check sets it to the source tree's "
	       "tests/fixtures): %s did not run\n", without_corpus);
	return 77;
}
