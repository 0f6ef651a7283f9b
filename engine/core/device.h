/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A uacd device: the engine between a transport (sim, libusb) and client
 * streams.  See device.c for how the RT cycle works.  This header is the
 * engine's own and the transports' (the struct, the transport ops, the RT
 * calls); the daemon sees the device through uacd-device.h only, where it
 * is opaque.
 */
#ifndef UACD_DEVICE_H
#define UACD_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <urcu-qsbr.h>
#include <urcu/rculist.h>

#include <uacd/io_operation.h>
#include <uacd/protocol.h>

#include "engine/core/uacd-device.h"

struct uacd_transport_ops {
	const char *kind;			/* "sim", "usb" */
	/* Control thread: start streaming and the RT thread; 0 or -errno. */
	int (*start)(struct uacd_device *d);
	/* Control thread: stop the RT thread and streaming. */
	void (*stop)(struct uacd_device *d);
	/* Control thread: change the rate while no stream exists. */
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

struct uacd_device_stats {
	uint64_t cycles;
	uint64_t play_frames;
	uint64_t cap_frames;
	uint64_t xruns;
	uint64_t bad_clients;
	uint64_t cycle_ns_max;
	uint64_t cycle_ns_sum;
	/*
	 * Scheduling, for transports that pace themselves (sim, time=real):
	 * how late the RT thread woke for its cycle, and how many cycles began
	 * more than a whole cycle late.  Tells a platform stall (VM steal, a
	 * higher-priority thread) from our own work, which is cycle_ns_max.
	 */
	/* d->rt.queued as of the last cycle end, for readers off the RT thread */
	uint64_t queued_frames;
	bool wake_measured;
	uint64_t wake_late_ns_max;
	uint64_t late_cycles;
};

struct uacd_device {
	char name[UACD_NAME_MAX];
	uint32_t format;		/* device sample format */
	uint32_t rate;
	uint32_t rates[UACD_MAX_RATES];
	uint32_t n_rates;
	uint32_t play_ch;		/* 0 = no playback */
	uint32_t cap_ch;		/* 0 = no capture */
	uint32_t max_frames;		/* largest buffer per RT cycle and direction */
	uint32_t latency_frames;	/* device-side fixed latency */
	int rt_priority;		/* 0 = SCHED_OTHER */

	const struct uacd_transport_ops *ops;
	void *tp;			/* transport private */

	/* What the entitlement policy matches on (USB transports fill it in). */
	struct {
		int cls, subcls;	/* interface class/subclass, -1 unknown */
		uint16_t vid, pid;	/* 0:0 unknown */
		char serial[128];	/* "" unknown */
		char bus_path[32];	/* "1-2.3", "" unknown */
	} usb;

	pthread_t thread;
	bool thread_running;
	bool rt_ok;			/* the thread got SCHED_FIFO */
	uint64_t thread_start_ns;	/* control thread: when `thread` was created */
	struct {
		uint64_t cpu_ns, wall_ns;	/* previous STATS sample of the thread */
	} cpu_seen;			/* control thread only */
	struct uacd_dsp_stage *dsp;	/* control thread: its DSP stage, NULL = none */
	int stop;			/* atomic: ask the RT thread to leave */

	struct uacd_stream_set *streams[2];	/* RCU, by direction */
	struct uacd_hook_set *hooks;		/* RCU */
	struct uacd_io_device io_info;		/* what hooks see */

	/* RT scratch, preallocated. */
	float *mix[UACD_MAX_CHANNELS];
	float *cap[UACD_MAX_CHANNELS];
	uint8_t *raw;			/* one buffer of device frames */

	struct {
		uint64_t play_time;	/* sample_time of the next WRITE_END */
		uint64_t cap_time;	/* sample_time of the next BEGIN_READ */
		uint64_t queued;	/* playback frames between us and the DAC */
		bool capture_running;	/* some capture client is RUNNING */
		bool playback_active;	/* some playback client is open */
		bool volume_in_dsp;	/* this cycle a DSP chain applied the volume */
		float gain;		/* software volume now (ramps to sw.gain_bits) */
		uint64_t cycle_start_ns;
	} rt;

	/*
	 * Software volume/mute, for devices without a feature unit: set on the
	 * control thread, read by the RT thread.  It is applied after the
	 * hooks, ramped over 10 ms, unless a DSP chain took the volume (its
	 * Volume/Loudness filters follow it instead).
	 */
	struct {
		int32_t volume;		/* 1/256 dB, UACD_SW_VOLUME_MIN..0 */
		int32_t mute;
		uint32_t gain_bits;	/* float: the linear gain they make */
	} sw;

	struct uacd_device_stats stats;	/* RT writes (relaxed), anyone reads */
	uint32_t next_stream_id;	/* control thread */
	pthread_mutex_t lock;		/* control thread writers of RCU pointers */
};

/* Control thread: allocate scratch for the format/channels/max_frames set by the transport. */
int uacd_dev_init(struct uacd_device *d);
/* rt: fill `out` (device format, play_ch channels) with `frames` frames. */
void uacd_dev_play(struct uacd_device *d, void *out, uint32_t frames, uint64_t host_time);
/* rt: deliver `frames` captured frames (device format, cap_ch channels). */
void uacd_dev_capture(struct uacd_device *d, const void *in, uint32_t frames, uint64_t host_time);
/* rt: end of a cycle: report a quiescent state. */
void uacd_dev_cycle_end(struct uacd_device *d);
/* rt: the device disappeared: end every stream with -ENODEV. */
void uacd_dev_fail_streams(struct uacd_device *d, int32_t error);

/* RT thread: first and last calls of a transport's RT thread function. */
void uacd_dev_rt_enter(struct uacd_device *d);
void uacd_dev_rt_leave(struct uacd_device *d);

/* Start the RT thread running fn(d); falls back to SCHED_OTHER with one message. */
int uacd_dev_spawn_rt(struct uacd_device *d, void *(*fn)(void *));

#endif /* UACD_DEVICE_H */
