/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A scripted USB audio device behind struct uacd_usb_io_ops, in virtual
 * time, for tests/usbfake.  See fake-usb.c.
 */
#ifndef UACD_TESTS_FAKE_USB_H
#define UACD_TESTS_FAKE_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/usb/transport-libusb.h"

#define FAKE_MAX_PENDING 256u

enum fake_fb_mode {
	FAKE_FB_SPEC = 0,	/* 10.14 at full speed, 16.16 at high speed */
	FAKE_FB_1616_AT_FS,	/* a full-speed device sending 16.16 (common bug) */
	FAKE_FB_GARBAGE,	/* spec values, but every 7th report is 0 or twice nominal */
};

struct fake_pending {
	struct libusb_transfer *t;
	uint64_t due_us;
	uint64_t seq;
	bool cancelled;
};

struct fake_usb {
	/* the model, set by the test before creating the device */
	uint32_t rate;
	uint32_t interval_us;
	bool high_speed;
	int ppm;			/* device clock against the bus */
	enum fake_fb_mode fb_mode;
	uint32_t out_frame_bytes, in_frame_bytes;
	unsigned max_per_call;		/* completions per handle_events, 0 = all due */
	uint64_t burst_us;		/* handle_events waits this long past the first due */
	int uac_version;
	bool stall_uac1_rate;		/* SET_CUR SAMPLING_FREQ stalls (QEMU) */

	/* script */
	uint64_t stall_out_nth;		/* the Nth OUT completion stalls (1-based, 0 = never) */
	uint64_t nodev_at_us;		/* the device vanishes at this time (0 = never) */

	/* state */
	uint64_t now_us;
	bool gone;
	bool closed;
	struct fake_pending q[FAKE_MAX_PENDING];
	unsigned nq;
	uint64_t seq;
	uint64_t ep_busy[32];
	uint64_t clk_step_q32, acc_out, acc_in, fb_carry;
	uint64_t fb_reports;

	/* what the device saw */
	uint64_t submits, submits_after_gone, out_completions, max_out_inflight, out_inflight;
	uint64_t stalled_frames;
	uint64_t fifo, underflow, overflow, fifo_max;
	bool dac;
	bool started;			/* first non-zero frame seen */
	uint32_t next;			/* next ramp value expected */
	uint64_t good, bad, gaps, gap_frames, silence_after_start;
	uint32_t *out_sizes, *in_sizes;	/* frames per packet, in bus order */
	size_t n_out_sizes, n_in_sizes, cap_sizes;
	uint32_t cap_next;

	/* controls */
	int rate_requests, rate_stalls;
	uint32_t set_rate;
	int32_t vol[9];			/* per channel (0 = master) */
	int mute[9];
	int claimed[8];
	int alt[8];
};

extern const struct uacd_usb_io_ops fake_usb_ops;

/* Reset state, keep the model; derive the clock. */
void fake_usb_init(struct fake_usb *f);
void fake_usb_free(struct fake_usb *f);

/*
 * QEMU's usb-audio configuration descriptor (hw/usb/dev-audio.c: UAC1, full
 * speed, synchronous OUT 0x01, 48 kHz S16 stereo, feature unit 2 with master
 * mute and volume on channels 1 and 2).  async_fb: make the endpoint
 * asynchronous with a 10.14 feedback endpoint 0x81; multi: add 6- and
 * 8-channel alts 2 and 3 (as multi=on does); rates: the alt's rate table.
 * Returns the length written to out (<= 512).
 */
size_t fake_qemu_config(uint8_t *out, bool async_fb, bool multi, const uint32_t *rates, unsigned n);
void fake_qemu_probe(struct uacd_usb_probe *p, const uint8_t *cfg, size_t len);

#endif /* UACD_TESTS_FAKE_USB_H */
