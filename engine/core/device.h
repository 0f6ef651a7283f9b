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

#include "engine/core/transport.h"
#include "engine/core/uacd-device.h"


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
	uint32_t play_map, cap_map;	/* positions (UAC2 bmChannelConfig bits), 0 = none */
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

/* The calls a transport makes are in transport.h; the daemon's in uacd-device.h. */

#endif /* UACD_DEVICE_H */
