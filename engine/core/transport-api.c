/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The calls a transport makes on its device (transport.h): creating it
 * with its geometry and identity, running its RT thread, and the RT
 * thread's view of the cycle.  The struct stays core's.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/device.h"

struct uacd_device *uacd_dev_alloc(const struct uacd_transport_ops *ops, void *tp)
{
	struct uacd_device *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->ops = ops;
	d->tp = tp;
	d->usb.cls = d->usb.subcls = -1;
	return d;
}

void *uacd_dev_transport(const struct uacd_device *d)
{
	return d->tp;
}

const struct uacd_transport_ops *uacd_dev_ops(const struct uacd_device *d)
{
	return d->ops;
}

void uacd_dev_set_transport(struct uacd_device *d, void *tp)
{
	d->tp = tp;
}

void uacd_dev_set_geometry(struct uacd_device *d, const struct uacd_dev_geometry *g)
{
	unsigned n = g->n_rates < UACD_MAX_RATES ? g->n_rates : UACD_MAX_RATES;

	d->format = g->format;
	d->rate = d->io_info.rate = g->rate;
	memcpy(d->rates, g->rates, sizeof(d->rates[0]) * n);
	d->n_rates = n;
	d->play_ch = g->play_ch;
	d->cap_ch = g->cap_ch;
	d->play_map = g->play_map;
	d->cap_map = g->cap_map;
	d->max_frames = g->max_frames;
	d->latency_frames = g->latency_frames;
}

void uacd_dev_set_usb_identity(struct uacd_device *d, int cls, int subcls, uint16_t vid,
			       uint16_t pid, const char *serial, const char *bus_path)
{
	d->usb.cls = cls;
	d->usb.subcls = subcls;
	d->usb.vid = vid;
	d->usb.pid = pid;
	snprintf(d->usb.serial, sizeof(d->usb.serial), "%s", serial ? serial : "");
	snprintf(d->usb.bus_path, sizeof(d->usb.bus_path), "%s", bus_path ? bus_path : "");
}

void uacd_dev_rate_changed(struct uacd_device *d, uint32_t rate)
{
	d->rate = d->io_info.rate = rate;
}

void uacd_dev_set_latency(struct uacd_device *d, uint32_t frames)
{
	d->latency_frames = frames;
}

void uacd_dev_request_stop(struct uacd_device *d)
{
	if (d->thread_running)
		__atomic_store_n(&d->stop, 1, __ATOMIC_RELEASE);
}

void uacd_dev_join_rt(struct uacd_device *d)
{
	if (!d->thread_running)
		return;
	uacd_dev_request_stop(d);
	pthread_join(d->thread, NULL);
	d->thread_running = false;
}

bool uacd_dev_rt_running(const struct uacd_device *d)
{
	return d->thread_running;
}

void uacd_dev_set_wake_measured(struct uacd_device *d, bool measured)
{
	d->stats.wake_measured = measured;
}

/* ---- RT thread ------------------------------------------------------------ */

bool uacd_dev_should_stop(struct uacd_device *d)
{
	return __atomic_load_n(&d->stop, __ATOMIC_ACQUIRE) != 0;
}

void uacd_dev_cycle_begin(struct uacd_device *d, uint64_t now_ns, uint64_t late_ns, bool late_cycle)
{
	d->rt.cycle_start_ns = now_ns;
	if (late_ns > __atomic_load_n(&d->stats.wake_late_ns_max, __ATOMIC_RELAXED))
		__atomic_store_n(&d->stats.wake_late_ns_max, late_ns, __ATOMIC_RELAXED);
	if (late_cycle)
		__atomic_fetch_add(&d->stats.late_cycles, 1, __ATOMIC_RELAXED);
}

uint8_t *uacd_dev_scratch(struct uacd_device *d)
{
	return d->raw;
}

void uacd_dev_set_queue_depth(struct uacd_device *d, uint64_t frames)
{
	d->rt.queued = frames;
}

void uacd_dev_add_queue_depth(struct uacd_device *d, int64_t frames)
{
	d->rt.queued += (uint64_t)frames;
}

bool uacd_dev_playback_active(const struct uacd_device *d)
{
	return d->rt.playback_active;
}

bool uacd_dev_capture_running(const struct uacd_device *d)
{
	return d->rt.capture_running;
}

bool uacd_dev_has_streams(struct uacd_device *d)
{
	return rcu_dereference(d->streams[UACD_DIR_PLAYBACK])->n ||
	       rcu_dereference(d->streams[UACD_DIR_CAPTURE])->n;
}
