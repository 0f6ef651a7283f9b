/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The engine as the daemon sees it: a device is opaque (its struct is
 * core's and the transports', device.h); the daemon opens and closes
 * streams, reads a device's identity and geometry, sets controls and
 * publishes hook sets through these calls.  Control thread unless marked.
 */
#ifndef UACD_UACD_DEVICE_H
#define UACD_UACD_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <urcu-qsbr.h>

#include <uacd/io_operation.h>
#include <uacd/protocol.h>

#define UACD_CLIENT_MAX_CHANNELS UACD_MAX_CHANNELS	/* a client stream's channels */
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
/*
 * Any thread: the exact size of the shared memory (header + ring, whole
 * pages) a stream for req gets, which it mlocks: what the server's
 * ring-memory limits count before the stream is created.
 */
size_t uacd_stream_shm_bytes(const struct uacd_stream_req *req);
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

/* The smallest client buffer, in frames, that the RT cycle can serve at rate. */
uint32_t uacd_min_buffer_frames(uint32_t rate);
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

/* ---- identity and geometry (any thread; fixed while streams exist) ---- */

const char *uacd_dev_name(const struct uacd_device *d);
/* Rename (a device that arrived under a name already taken).  Before serving it. */
void uacd_dev_set_name(struct uacd_device *d, const char *name);
/* "sim", "usb" */
const char *uacd_dev_kind(const struct uacd_device *d);
uint32_t uacd_dev_rate(const struct uacd_device *d);
uint32_t uacd_dev_format(const struct uacd_device *d);
/* Channels of direction dir (UACD_DIR_PLAYBACK, UACD_DIR_CAPTURE); 0 = none. */
uint32_t uacd_dev_channels(const struct uacd_device *d, uint32_t dir);
/* Its channels' positions (UAC2 bmChannelConfig bits, 0 = none declared). */
uint32_t uacd_dev_chmap(const struct uacd_device *d, uint32_t dir);
/* The rates the device can switch to (*rates), 0 when it cannot switch. */
unsigned uacd_dev_rates(const struct uacd_device *d, const uint32_t **rates);
uint32_t uacd_dev_max_frames(const struct uacd_device *d);
uint32_t uacd_dev_latency_frames(const struct uacd_device *d);
/* SCHED_FIFO priority of its RT thread from the next start; 0 = SCHED_OTHER. */
void uacd_dev_set_rt_priority(struct uacd_device *d, int priority);

/* What the entitlement policy matches a device on (USB fields unknown: -1, 0, NULL). */
struct uacd_dev_identity {
	const char *name, *kind;
	int usb_class, usb_subclass;
	uint16_t vid, pid;
	const char *serial;	/* NULL unknown */
	const char *bus_path;	/* NULL unknown */
};
void uacd_dev_identity(const struct uacd_device *d, struct uacd_dev_identity *id);

/* The hook set in force (the control thread is its only writer). */
const struct uacd_hook_set *uacd_dev_hooks(const struct uacd_device *d);
/* The DSP stage whose Aux faders are d's controls (uacd_dsp_stage_new sets it); NULL = none. */
void uacd_dev_set_dsp(struct uacd_device *d, struct uacd_dsp_stage *st);

/* Any thread: CLOCK_MONOTONIC in ns. */
uint64_t uacd_now_ns(void);

#endif /* UACD_UACD_DEVICE_H */
