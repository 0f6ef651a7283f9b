/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Isochronous packet sizing and feedback decoding.
 *
 * A USB audio stream moves a whole number of frames per packet while the
 * sample rate is rarely a whole number of frames per packet interval
 * (44.1 kHz at 1 ms is 44.1 frames).  Two accumulators make the long-run
 * average exact:
 *
 *  - nominal (synchronous/adaptive endpoints, and async before the first
 *    feedback): an exact rational accumulator, acc += rate; n = acc / pps;
 *    acc %= pps, where pps is packets per second.  44.1 kHz at full speed
 *    gives nine 44s then a 45, forever, with no rounding error;
 *  - feedback (async endpoints): the device tells how many frames it
 *    consumes per interval as a fixed-point number; it is normalised to
 *    Q16.16 frames per packet interval and accumulated in Q16.16.
 *
 * Feedback formats: full speed sends 10.14 in 3 bytes, high speed 16.16 in
 * 4 bytes, both in frames per (micro)frame.  Real devices get this wrong
 * (full-speed devices sending 16.16, high-speed ones sending 10.14 or
 * values per packet instead of per microframe); uacd_fb_decode() finds the
 * binary shift that puts the first sane value within 1/8 of nominal, as a
 * careful host has to, and keeps it.
 *
 * All functions here are RT-safe: no allocation, no syscalls.
 */
#ifndef UACD_PACKET_H
#define UACD_PACKET_H

#include <stdbool.h>
#include <stdint.h>

struct uacd_pktsched {
	uint32_t rate;		/* nominal frames per second */
	uint32_t pps;		/* packets per second (1000, 8000, 4000, ...) */
	uint32_t max_frames;	/* never return more than this */
	uint32_t nom_acc;	/* nominal accumulator, in 1/pps frames (< pps) */
	uint32_t fb_acc;	/* feedback accumulator, Q16 fraction of a frame */
	uint32_t fb_q16;	/* frames per packet, Q16.16; 0 = no feedback yet */
	uint32_t nominal_q16;	/* rate / pps in Q16.16, rounded */
};

/*
 * interval_us: packet interval (1000 full speed; 125 << (bInterval-1) high
 * speed).  Returns 0, or -EINVAL for a zero rate/interval or an interval
 * that does not divide one second.
 */
int uacd_pktsched_init(struct uacd_pktsched *ps, uint32_t rate,
		       uint32_t interval_us, uint32_t max_frames);

/* rt: frames in the next packet. */
uint32_t uacd_pktsched_next(struct uacd_pktsched *ps);

/* rt: follow a device's feedback (Q16.16 frames per packet interval); 0 = back to nominal. */
void uacd_pktsched_set_feedback(struct uacd_pktsched *ps, uint32_t fb_q16);

struct uacd_fb_decoder {
	uint32_t nominal_q16;	/* frames per packet interval, Q16.16 */
	uint32_t fb_per_packet;	/* feedback is per (micro)frame; packets span this many */
	int shift;		/* detected left shift to Q16.16 */
	bool detected;
	bool high_speed;
	uint32_t rejected;	/* values outside +-25 % of nominal, ignored */
};

/*
 * high_speed: feedback arrives as 16.16 (else 10.14); packet_interval_us as
 * for uacd_pktsched_init.  Returns 0 or -EINVAL.
 */
int uacd_fb_decoder_init(struct uacd_fb_decoder *d, uint32_t rate,
			 uint32_t packet_interval_us, bool high_speed);

/*
 * rt: decode one feedback packet of `len` bytes.  Returns 0 and sets *q16
 * (frames per packet interval, Q16.16), -EAGAIN for a value that cannot be
 * trusted (too short, zero, or out of range), -EINVAL for bad arguments.
 */
int uacd_fb_decode(struct uacd_fb_decoder *d, const uint8_t *buf, int len, uint32_t *q16);

/*
 * Encode a feedback value the way a well-behaved device sends it (used by
 * the sim device and tests).  Returns the number of bytes written (3 or 4).
 */
int uacd_fb_encode(uint32_t q16_per_uframe, bool high_speed, uint8_t out[4]);

#endif /* UACD_PACKET_H */
