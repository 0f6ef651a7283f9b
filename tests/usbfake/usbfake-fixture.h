/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the tests/usbfake programs share (test-usbfake-qemu.c,
 * -feedback.c, -corpus.c, -stream.c): the USB transport
 * (engine/usb/) against a fake device (fake-usb.c) in virtual time.
 *
 * A test client writes a ramp into a real uacd stream (frame k = the 32-bit
 * value k at the start of the frame) and keeps the ring full; the fake
 * device checks that what reaches its DAC is that ramp with nothing lost or
 * repeated, that its FIFO never underflows or overflows, and logs every
 * packet size.  A capture client checks the ramp the fake device records.
 */
#ifndef UACD_TESTS_USBFAKE_FIXTURE_H
#define UACD_TESTS_USBFAKE_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/core/device.h"
#include "engine/usb/transport-libusb.h"
#include "tests/usbfake/fake-usb.h"

struct client {
	struct uacd_stream *s;
	uint32_t next;		/* next ramp value to write */
	uint64_t wpos;
	bool stop_feeding;
};

void client_open(struct uacd_device *d, struct client *c);
/* Keep the ring full of ramp. */
void client_feed(struct client *c);
int32_t client_error(struct client *c);

/* A capture client that checks the ramp the fake device records. */
struct cap_client {
	struct uacd_stream *s;
	uint64_t rpos;
	uint32_t next;
	uint64_t good, bad;
};

void cap_open(struct uacd_device *d, struct cap_client *c);
/* Read everything captured; the first frame sets the ramp's phase. */
void cap_drain(struct cap_client *c);

/* A transport on fake device f: QEMU's probe of cfg, or probe_in. */
struct uacd_device *make_dev(struct fake_usb *f, const char *spec, const uint8_t *cfg,
			     size_t len, const struct uacd_usb_probe *probe_in);
/* f models QEMU's usb-audio at rate, its clock ppm off. */
void qemu_model(struct fake_usb *f, uint32_t rate, int ppm);
/* Run until virtual time t_us, feeding the client (if any). */
void run_until(struct uacd_device *d, struct fake_usb *f, struct client *c, uint64_t t_us);
/* Drain and free the transport; the fake must have been closed. */
void finish(struct uacd_device *d, struct fake_usb *f);

/*
 * The descriptor corpus ($UACD_TEST_FIXTURES/descriptors): corpus_find()
 * sets corpus_path (left empty when the variable is unset) and returns 0
 * when the corpus is there (a negative errno otherwise); corpus_probe() reads
 * device `base` from it as a high-speed probe, *cfg_out to be freed.
 */
extern char corpus_path[512];
int corpus_find(void);
void corpus_probe(struct uacd_usb_probe *p, const char *base, uint8_t **cfg_out);

/* A test case with the usbfake timeout (300 s). */
TCase *usbfake_tcase(const char *name);
/*
 * Run a suite as tests/usbfake always has: in this process (CK_NOFORK), as
 * an RCU reader.  without_corpus, if not NULL, names the tests left out
 * because corpus_find() failed: a pass is then a FAIL (1) naming the path,
 * or a SKIP (77) when UACD_TEST_FIXTURES is unset.
 */
int usbfake_run(Suite *s, const char *without_corpus);

#endif
