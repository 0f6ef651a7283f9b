/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine as a transport (sim, usb) sees it: the transport creates a
 * device with its geometry, runs the device's RT thread and, every cycle,
 * asks the engine for playback frames, hands it capture frames and ends
 * the cycle.  struct uacd_device stays opaque: these calls are the whole
 * interface (the struct is core's, device.h).
 */
#ifndef UACD_TRANSPORT_H
#define UACD_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/core/uacd-device.h"

struct uacd_transport_ops {
	const char *kind;			/* "sim", "usb" */
	/* Control thread: start streaming and the RT thread; 0 or -errno. */
	int (*start)(struct uacd_device *d);
	/* Control thread: stop the RT thread and streaming. */
	void (*stop)(struct uacd_device *d);
	/* Control thread: change the rate while no stream exists (uacd_dev_rate_changed). */
	int (*set_rate)(struct uacd_device *d, uint32_t rate);
	/* Control thread: append a human-readable status. */
	int (*status)(struct uacd_device *d, char *buf, size_t len);
	/*
	 * Control thread, optional: get or set a control ("volume" in 1/256 dB,
	 * "mute" 0/1).  On GET and SET, fills value/min/max/res.  0, -ENOENT
	 * for a control the device does not have, -EINVAL for a bad value.
	 */
	int (*control)(struct uacd_device *d, const char *name, bool set, int32_t *value,
		       int32_t *min, int32_t *max, int32_t *res);
	/*
	 * Control thread, optional: the last explicit feedback value (frames
	 * per packet, Q16.16) and the packet interval in µs; 0, or -ENOENT
	 * when the playback endpoint has no feedback.
	 */
	int (*feedback)(struct uacd_device *d, uint32_t *q16, uint32_t *packet_us);
	void (*free)(struct uacd_device *d);
};

/* What a transport tells the engine about its device's stream format. */
struct uacd_dev_geometry {
	uint32_t format;		/* device sample format */
	uint32_t rate;
	const uint32_t *rates;		/* the rates set_rate accepts */
	unsigned n_rates;
	uint32_t play_ch, cap_ch;	/* 0 = none */
	uint32_t play_map, cap_map;	/* channel positions, UAC2 bmChannelConfig bits; 0 = none declared */
	uint32_t max_frames;		/* largest buffer per RT cycle and direction */
	uint32_t latency_frames;	/* device-side fixed latency */
};

/* ---- control thread ------------------------------------------------------- */

/* A device of this transport (tp: its private state), geometry still unset.  NULL: ENOMEM. */
struct uacd_device *uacd_dev_alloc(const struct uacd_transport_ops *ops, void *tp);
void *uacd_dev_transport(const struct uacd_device *d);
const struct uacd_transport_ops *uacd_dev_ops(const struct uacd_device *d);
void uacd_dev_set_transport(struct uacd_device *d, void *tp);
/* Set (or, on re-bind, replace) the geometry; before uacd_dev_init(). */
void uacd_dev_set_geometry(struct uacd_device *d, const struct uacd_dev_geometry *g);
/* What the policy matches on (USB): class/subclass -1, vid:pid 0:0, "" unknown. */
void uacd_dev_set_usb_identity(struct uacd_device *d, int cls, int subcls, uint16_t vid,
			       uint16_t pid, const char *serial, const char *bus_path);
/* Allocate the engine's scratch for the geometry.  0 or -errno. */
int uacd_dev_init(struct uacd_device *d);
/* set_rate succeeded: the device now runs at rate. */
void uacd_dev_rate_changed(struct uacd_device *d, uint32_t rate);
/* The device-side fixed latency changed (a re-bind, a new rate). */
void uacd_dev_set_latency(struct uacd_device *d, uint32_t frames);
/* Start the RT thread running fn(d); falls back to SCHED_OTHER with one message. */
int uacd_dev_spawn_rt(struct uacd_device *d, void *(*fn)(void *));
/* Ask the RT thread to leave (it sees uacd_dev_should_stop) ... */
void uacd_dev_request_stop(struct uacd_device *d);
/* ... and wait for it; join asks too (both no-ops when no thread runs). */
void uacd_dev_join_rt(struct uacd_device *d);
bool uacd_dev_rt_running(const struct uacd_device *d);
/* The transport paces itself (sim, time=real): its wake-up lateness is measured. */
void uacd_dev_set_wake_measured(struct uacd_device *d, bool measured);

/* ---- RT thread ---------------------------------------------------------------- */

/* First and last calls of a transport's RT thread function. */
void uacd_dev_rt_enter(struct uacd_device *d);
void uacd_dev_rt_leave(struct uacd_device *d);
/* Should the RT thread leave? */
bool uacd_dev_should_stop(struct uacd_device *d);
/* A cycle begins now (ns); late_ns: how late the thread woke for it (paced transports). */
void uacd_dev_cycle_begin(struct uacd_device *d, uint64_t now_ns, uint64_t late_ns, bool late_cycle);
/* One buffer of device frames (max_frames of the wider direction), preallocated. */
uint8_t *uacd_dev_scratch(struct uacd_device *d);
/* Fill `out` (device format, play_ch channels) with `frames` frames. */
void uacd_dev_play(struct uacd_device *d, void *out, uint32_t frames, uint64_t host_time);
/* Deliver `frames` captured frames (device format, cap_ch channels). */
void uacd_dev_capture(struct uacd_device *d, const void *in, uint32_t frames, uint64_t host_time);
/* End of a cycle: report a quiescent state, publish statistics. */
void uacd_dev_cycle_end(struct uacd_device *d);
/* Playback frames between the engine and the DAC (the transport's queue): set, add. */
void uacd_dev_set_queue_depth(struct uacd_device *d, uint64_t frames);
void uacd_dev_add_queue_depth(struct uacd_device *d, int64_t frames);
/* Some playback client is open / some capture client is RUNNING. */
bool uacd_dev_playback_active(const struct uacd_device *d);
bool uacd_dev_capture_running(const struct uacd_device *d);
/* Any stream at all (rt). */
bool uacd_dev_has_streams(struct uacd_device *d);
/* The device disappeared: end every stream with error. */
void uacd_dev_fail_streams(struct uacd_device *d, int32_t error);

#endif /* UACD_TRANSPORT_H */
