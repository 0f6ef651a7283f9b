/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A uacd device: the engine between a transport (sim, libusb) and client
 * streams.  See device.c for how the RT cycle works.
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

#define UACD_CLIENT_MAX_CHANNELS 8u	/* what the plugin offers */
#define UACD_MAX_STREAMS 64u		/* per device and direction */
#define UACD_MAX_HOOKS 24u	/* the DSP stage, configured hooks, run-time hooks */
#define UACD_RING_MAX_FRAMES (1u << 19)	/* 1 MiB of mono S16: the plugin's byte limit */

struct uacd_device;
struct uacd_dsp_stage;

/* One client stream (one ALSA PCM). */
struct uacd_stream {
	struct uacd_device *dev;
	uint32_t id;
	uint32_t direction;
	uint32_t format;
	uint32_t channels;
	uint32_t frame_bytes;
	uint32_t buffer_frames;
	uint32_t period_frames;
	uint64_t ring_frames;
	struct uacd_shm *shm;
	size_t shm_size;
	uint8_t *data;
	int memfd;
	int wake_fd;		/* write end of the connection's wake pipe (not owned) */
	pid_t pid;
	char client[UACD_NAME_MAX];

	/* RT thread only (after publication). */
	struct {
		uint64_t pos;		/* our position: the truth, never read back */
		uint64_t client_pos;	/* last validated client position */
		uint64_t woke_client_pos;
		uint32_t ack;
		uint32_t state;
		uint32_t xruns;
		int32_t error;
		bool xrun;
		bool woke_error;
	} rt;

	struct rcu_head rcu;
};

/* Immutable snapshot, replaced as a whole (RCU). */
struct uacd_stream_set {
	unsigned n;
	struct uacd_stream *s[UACD_MAX_STREAMS];
	struct rcu_head rcu;
};

/* A processing stage: a user hook or a built-in (the DSP chain). */
struct uacd_hook {
	char name[UACD_NAME_MAX];
	char path[256];
	char args[256];
	void *dl;				/* dlopen handle, NULL for built-ins */
	const struct uacd_io_hook_v1 *ops;
	void *state;
	uint64_t errors;			/* RT increments (relaxed) */
	uint64_t calls;
	/*
	 * Built-ins only, optional, rt: does the hook touch `op` now?  An idle
	 * stage (a DSP stage with no chain) must not cost a stream its
	 * bit-perfect path.  NULL = always active.
	 */
	bool (*active)(void *state, enum uacd_io_operation op);
};

struct uacd_hook_set {
	unsigned n;
	struct uacd_hook *h[UACD_MAX_HOOKS];
	struct rcu_head rcu;
};

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
/* Control thread: start/stop the transport (and its RT thread). */
int uacd_dev_start(struct uacd_device *d);
void uacd_dev_stop(struct uacd_device *d);
void uacd_dev_free(struct uacd_device *d);

/*
 * Control thread: create a stream for a validated request.  On failure
 * returns -errno and writes why into err.
 */
/*
 * Control thread (device-ctl.c): would a stream for req be valid at
 * req->rate (the device's rate aside)?  0 or -errno with err.
 */
int uacd_dev_stream_check(const struct uacd_device *d, const struct uacd_stream_req *req,
			  char *err, size_t errlen);
/* Switch an idle device to rate (stop, set, start).  0 or -errno with err. */
int uacd_dev_switch_rate(struct uacd_device *d, uint32_t rate, char *err, size_t errlen);
/* End a stream for the client: error in its ring header (unless one is there), wake it, close. */
void uacd_dev_stream_end(struct uacd_stream *s, int error);
/*
 * Control thread: get or set control `name` of d (the one table of
 * controls is in device-ctl.c: the transport's own, software volume and
 * mute, the DSP faders, read-only numbers).  0; -ENOENT for a name no
 * owner knows, -EPERM for a read-only one, -EINVAL for a value out of range.
 */
int uacd_dev_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
		     int32_t *min, int32_t *max, int32_t *res);
int uacd_dev_stream_open(struct uacd_device *d, const struct uacd_stream_req *req,
			 int wake_fd, pid_t pid, const char *client,
			 struct uacd_stream **out, char *err, size_t errlen);
#define UACD_SW_VOLUME_MIN (-100 * 256)

/*
 * Control thread: the software "volume" (1/256 dB) and "mute" controls,
 * same contract as uacd_transport_ops.control.
 */
int uacd_dev_sw_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
			int32_t *min, int32_t *max, int32_t *res);
/* Any thread: the software volume in dB (mute: -150). */
float uacd_dev_sw_volume_db(const struct uacd_device *d);

/* The smallest client buffer, in frames, that the RT cycle can serve. */
uint32_t uacd_dev_min_buffer(const struct uacd_device *d);
/* Control thread: unpublish, wait for the RT thread, free. */
void uacd_dev_stream_close(struct uacd_stream *s);
unsigned uacd_dev_stream_count(struct uacd_device *d);

/* Control thread: hooks. */
int uacd_dev_hook_add(struct uacd_device *d, struct uacd_hook *h);
int uacd_dev_hook_load(struct uacd_device *d, const char *path, const char *args,
		       char *err, size_t errlen);
void uacd_dev_hooks_clear(struct uacd_device *d);
/* Control thread: load and init a hook without publishing it. */
int uacd_dev_hook_open(struct uacd_device *d, const char *path, const char *args,
		       struct uacd_hook **out, char *err, size_t errlen);
void uacd_dev_hook_close(struct uacd_hook *h);
/*
 * Control thread: publish exactly these hooks, in order, in one RCU swap
 * (no cycle runs with a partial set), then destroy the old set's hooks that
 * are not in the new one.
 */
int uacd_dev_hooks_set(struct uacd_device *d, struct uacd_hook *const *h, unsigned n);
/* The same with a set the caller allocated (calloc) and filled: never fails. */
void uacd_dev_hooks_publish(struct uacd_device *d, struct uacd_hook_set *set);
int uacd_dev_hooks_describe(struct uacd_device *d, char *buf, size_t len);

int uacd_dev_describe(struct uacd_device *d, char *buf, size_t len);

/*
 * Control thread: fill a STATS reply (everything after hdr) for d with at
 * most max_streams stream records after it; r must have room for them.
 * Reads only what the RT thread publishes (relaxed atomics) and the RT
 * thread's CPU clock: no work is added to the RT thread.  Returns the
 * reply's size in bytes.  Also moves d->cpu_seen on.
 */
struct uacd_stats_reply;
size_t uacd_dev_stats(struct uacd_device *d, struct uacd_stats_reply *r, unsigned max_streams);
/* Control thread: latency from the ring to the DAC (frames), for "latency". */
uint32_t uacd_dev_out_latency(struct uacd_device *d);
/* Control thread, d->lock held: a stream's latency in frames (see dev-stats.c). */
uint32_t uacd_dev_stream_latency(struct uacd_device *d, struct uacd_stream *s);
/*
 * Control thread: one status line about the RT thread: its priority, its
 * CPU share since it started, the latency to the DAC.  Like snprintf.
 */
int uacd_dev_describe_rt(struct uacd_device *d, char *buf, size_t len);

/* rt: fill `out` (device format, play_ch channels) with `frames` frames. */
void uacd_dev_play(struct uacd_device *d, void *out, uint32_t frames, uint64_t host_time);
/* rt: deliver `frames` captured frames (device format, cap_ch channels). */
void uacd_dev_capture(struct uacd_device *d, const void *in, uint32_t frames, uint64_t host_time);
/* rt: end of a cycle: report a quiescent state. */
void uacd_dev_cycle_end(struct uacd_device *d);
/* rt: the device disappeared: end every stream with -ENODEV. */
void uacd_dev_fail_streams(struct uacd_device *d, int32_t error);

/* Any thread. */
uint64_t uacd_now_ns(void);

/* RT thread: first and last calls of a transport's RT thread function. */
void uacd_dev_rt_enter(struct uacd_device *d);
void uacd_dev_rt_leave(struct uacd_device *d);

/* Start the RT thread running fn(d); falls back to SCHED_OTHER with one message. */
int uacd_dev_spawn_rt(struct uacd_device *d, void *(*fn)(void *));

#endif /* UACD_DEVICE_H */
