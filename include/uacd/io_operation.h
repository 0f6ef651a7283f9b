/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uacd processing hooks: the IO-operation handler, in C.
 *
 * Every buffer that crosses a uacd device passes the hooks of that device,
 * as AudioDriverKit's IOOperationHandler sees every IO operation:
 *
 *   UACD_IO_WRITE_END   playback: the mix of everything clients wrote, in
 *                       float, before it is converted to the device format
 *                       and queued for USB.  A hook may change it in place.
 *   UACD_IO_BEGIN_READ  capture: what the device delivered, in float, before
 *                       any client sees it.  A hook may change it in place.
 *
 * A hook is a shared object that exports one symbol, `uacd_io_hook_v1`, of
 * type `const struct uacd_io_hook_v1`.  The daemon dlopen()s it on the
 * control thread, calls init() there, process() on the device's real-time
 * thread, destroy() on the control thread after the RT thread can no longer
 * see it (RCU grace period).
 *
 * process() runs with SCHED_FIFO priority once per buffer.  It must not
 * allocate, free, lock a mutex, sleep, do file or socket I/O, or log.  It
 * must return within a small fraction of the buffer duration.  Allocate in
 * init().
 *
 * Buffers are non-interleaved float32, nominal full scale [-1, 1).  Values
 * outside it are saturated when converted to an integer device format.
 *
 * sample_time counts device frames since the device's stream started, per
 * direction; it grows by exactly n_frames from one call to the next of the
 * same operation (no gaps, no overlap).  host_time is CLOCK_MONOTONIC in ns
 * of the buffer's first frame at the device.
 */
#ifndef UACD_IO_OPERATION_H
#define UACD_IO_OPERATION_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UACD_IO_HOOK_ABI_VERSION 1u
#define UACD_IO_HOOK_SYMBOL "uacd_io_hook_v1"

enum uacd_io_operation {
	UACD_IO_WRITE_END = 1,	/* playback, after mixing */
	UACD_IO_BEGIN_READ = 2,	/* capture, before clients */
};

/* What the hook learns about the device at init(); valid until destroy(). */
struct uacd_io_device {
	const char *name;		/* uacd device name, e.g. "sim" */
	uint32_t rate;			/* frames per second */
	uint32_t playback_channels;	/* 0 when the device has no playback */
	uint32_t capture_channels;	/* 0 when the device has no capture */
	uint32_t max_frames;		/* largest n_frames process() will see */
};

struct uacd_io_buffer {
	float *const *channels;		/* n_channels pointers to n_frames floats */
	uint32_t n_channels;
	uint32_t n_frames;
	uint32_t rate;
	uint32_t reserved;
	uint64_t sample_time;		/* device frames since stream start */
	uint64_t host_time;		/* CLOCK_MONOTONIC ns of frame 0 */
};

struct uacd_io_hook_v1 {
	uint32_t abi_version;		/* UACD_IO_HOOK_ABI_VERSION */
	const char *name;		/* short name for logs and `uacctl hook list` */
	/*
	 * Control thread.  `args` is the hook's argument string from the
	 * config (never NULL, may be empty).  Return 0 and set *state, or a
	 * negative errno; a failing init() keeps the hook from loading.
	 */
	int (*init)(const struct uacd_io_device *dev, const char *args, void **state);
	/* RT thread.  Return 0; a negative value is counted as a hook error. */
	int (*process)(void *state, enum uacd_io_operation op, struct uacd_io_buffer *buf);
	/* Control thread, after the last process() call has returned. */
	void (*destroy)(void *state);
	/*
	 * Optional, control thread: write a one-line, human-readable status
	 * (e.g. meter values) into buf; return its length or a negative errno.
	 * May run while process() runs: read state with relaxed atomics.
	 */
	int (*status)(void *state, char *buf, uint32_t len);
};

#ifdef __cplusplus
}
#endif

#endif /* UACD_IO_OPERATION_H */
