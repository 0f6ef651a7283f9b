/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Control-thread operations on a device that the server used to do with
 * its fields: checking a stream request, switching the rate, ending a
 * stream with an error.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/format.h"
#include "engine/core/log.h"

int uacd_dev_stream_check(const struct uacd_device *d, const struct uacd_stream_req *req,
			  char *err, size_t errlen)
{
	uint32_t dir_ch, min_buffer;

	dir_ch = req->direction == UACD_DIR_PLAYBACK ? d->play_ch :
		 req->direction == UACD_DIR_CAPTURE ? d->cap_ch : 0;
	if (req->direction > UACD_DIR_CAPTURE) {
		snprintf(err, errlen, "bad stream direction %u", req->direction);
		return -EINVAL;
	}
	if (!dir_ch) {
		snprintf(err, errlen, "device %s has no %s", d->name,
			 req->direction == UACD_DIR_PLAYBACK ? "playback" : "capture");
		return -ENODEV;
	}
	if (!uacd_format_bytes(req->format)) {
		snprintf(err, errlen, "unknown sample format %u", req->format);
		return -EINVAL;
	}
	if (req->channels < 1 || req->channels > UACD_CLIENT_MAX_CHANNELS) {
		snprintf(err, errlen, "%u channels: uacd supports 1 to %u", req->channels,
			 UACD_CLIENT_MAX_CHANNELS);
		return -EINVAL;
	}
	if (req->period_frames < 1 || req->buffer_frames < req->period_frames ||
	    req->buffer_frames > UACD_RING_MAX_FRAMES) {
		snprintf(err, errlen, "bad geometry: buffer %u, period %u frames",
			 req->buffer_frames, req->period_frames);
		return -EINVAL;
	}
	/* A ring that one RT cycle (1 ms) can empty or fill xruns every cycle. */
	min_buffer = uacd_min_buffer_frames(req->rate);
	if (req->buffer_frames < min_buffer) {
		snprintf(err, errlen, "buffer of %u frames is shorter than two 1 ms cycles (%u frames at %u Hz)",
			 req->buffer_frames, min_buffer, req->rate);
		return -EINVAL;
	}
	return 0;
}

int uacd_dev_switch_rate(struct uacd_device *d, uint32_t rate, char *err, size_t errlen)
{
	unsigned i;
	int ret;

	if (rate == d->rate)
		return 0;
	for (i = 0; i < d->n_rates && d->rates[i] != rate; i++)
		;
	if (i == d->n_rates || !d->ops->set_rate) {
		snprintf(err, errlen, "rate %u Hz: device %s does not support it", rate, d->name);
		return -EINVAL;
	}
	if (uacd_dev_stream_count(d) != 0) {
		snprintf(err, errlen, "rate %u Hz: device %s runs at %u Hz for other streams",
			 rate, d->name, d->rate);
		return -EBUSY;
	}
	uacd_dev_stop(d);
	ret = d->ops->set_rate(d, rate);
	if (!ret)
		ret = uacd_dev_start(d);
	if (ret) {
		snprintf(err, errlen, "cannot switch %s to %u Hz: %s", d->name, rate, strerror(-ret));
		return ret;
	}
	uacd_notice("%s: rate switched to %u Hz", d->name, rate);
	return 0;
}

void uacd_dev_stream_end(struct uacd_stream *s, int error)
{
	/* An error the RT thread set first (e.g. -ENODEV) is the one the client sees. */
	if (!__atomic_load_n(&s->shm->daemon.error, __ATOMIC_ACQUIRE))
		__atomic_store_n(&s->shm->daemon.error, error, __ATOMIC_RELEASE);
	if (s->wake_fd >= 0 && write(s->wake_fd, "", 1) < 0)
		(void)0;	/* full: the client has wake-ups pending */
	uacd_dev_stream_close(s);
}

/* ---- controls ------------------------------------------------------------- */

static int transport_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
			     int32_t *min, int32_t *max, int32_t *res)
{
	return d->ops->control ? d->ops->control(d, name, set, value, min, max, res) : -ENOENT;
}

static int dsp_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
		       int32_t *min, int32_t *max, int32_t *res)
{
	return uacd_dsp_stage_control(d->dsp, name, set, value, min, max, res);
}

/* "latency" (µs from the ring to the DAC) and "xruns": numbers, not settings. */
static int readonly_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
			    int32_t *min, int32_t *max, int32_t *res)
{
	uint64_t v;

	if (!strcmp(name, "latency"))
		v = d->rate ? (uint64_t)uacd_dev_out_latency(d) * 1000000u / d->rate : 0;
	else if (!strcmp(name, "xruns"))
		v = __atomic_load_n(&d->stats.xruns, __ATOMIC_RELAXED);
	else
		return -ENOENT;
	if (set)
		return -EPERM;
	*value = v > INT32_MAX ? INT32_MAX : (int32_t)v;
	*min = 0;
	*max = INT32_MAX;
	*res = 1;
	return 0;
}

/*
 * The controls of a device, by owner, in the order a name is looked up:
 * the first owner that knows the name answers.  The device's own controls
 * (a USB feature unit's volume and mute) come first, so that software
 * volume and mute exist only where the device has none.
 */
static const struct {
	const char *owner;
	int (*fn)(struct uacd_device *d, const char *name, bool set, int32_t *value,
		  int32_t *min, int32_t *max, int32_t *res);
} controls[] = {
	{ "transport", transport_control },	/* device-specific: feature units */
	{ "software", uacd_dev_sw_control },	/* "volume", "mute" */
	{ "dsp", dsp_control },			/* "aux1".."aux4" faders of the chain */
	{ "engine", readonly_control },		/* "latency", "xruns" */
};

int uacd_dev_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
		     int32_t *min, int32_t *max, int32_t *res)
{
	size_t i;
	int ret = -ENOENT;

	for (i = 0; i < sizeof(controls) / sizeof(controls[0]) && ret == -ENOENT; i++)
		ret = controls[i].fn(d, name, set, value, min, max, res);
	return ret;
}

/* ---- identity and geometry --------------------------------------------------- */

const char *uacd_dev_name(const struct uacd_device *d)
{
	return d->name;
}

void uacd_dev_set_name(struct uacd_device *d, const char *name)
{
	snprintf(d->name, sizeof(d->name), "%s", name);
}

const char *uacd_dev_kind(const struct uacd_device *d)
{
	return d->ops->kind;
}

uint32_t uacd_dev_rate(const struct uacd_device *d)
{
	return d->rate;
}

uint32_t uacd_dev_format(const struct uacd_device *d)
{
	return d->format;
}

uint32_t uacd_dev_channels(const struct uacd_device *d, uint32_t dir)
{
	return dir == UACD_DIR_PLAYBACK ? d->play_ch : dir == UACD_DIR_CAPTURE ? d->cap_ch : 0;
}

uint32_t uacd_dev_chmap(const struct uacd_device *d, uint32_t dir)
{
	return dir == UACD_DIR_PLAYBACK ? d->play_map : dir == UACD_DIR_CAPTURE ? d->cap_map : 0;
}

unsigned uacd_dev_rates(const struct uacd_device *d, const uint32_t **rates)
{
	*rates = d->rates;
	return d->ops->set_rate ? d->n_rates : 0;
}

uint32_t uacd_dev_max_frames(const struct uacd_device *d)
{
	return d->max_frames;
}

uint32_t uacd_dev_latency_frames(const struct uacd_device *d)
{
	return d->latency_frames;
}

void uacd_dev_set_rt_priority(struct uacd_device *d, int priority)
{
	d->rt_priority = priority;
}

void uacd_dev_identity(const struct uacd_device *d, struct uacd_dev_identity *id)
{
	id->name = d->name;
	id->kind = d->ops->kind;
	id->usb_class = d->usb.cls;
	id->usb_subclass = d->usb.subcls;
	id->vid = d->usb.vid;
	id->pid = d->usb.pid;
	id->serial = d->usb.serial[0] ? d->usb.serial : NULL;
	id->bus_path = d->usb.bus_path[0] ? d->usb.bus_path : NULL;
}

const struct uacd_hook_set *uacd_dev_hooks(const struct uacd_device *d)
{
	return d->hooks;
}

void uacd_dev_set_dsp(struct uacd_device *d, struct uacd_dsp_stage *st)
{
	d->dsp = st;
}
