/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB transport: a USB Audio Class 1 or 2 device, streamed with
 * isochronous transfers from the device's RT thread.
 *
 * Selection (control thread).  The configuration descriptor is parsed into
 * the model of usb-descriptors.h; in the first supported audio function the
 * playback alt setting is the one that matches the spec's format, channels
 * and rate (by default the first PCM alt with 2 channels that offers
 * 48 kHz, else the first PCM alt); capture takes an alt with the same
 * format (the engine has one device format).  An implicit-feedback
 * playback endpoint forces the capture interface and alt it names, even
 * when its samples are not wanted: its packet sizes are what pace playback.
 * The rate is set with UAC1 endpoint SAMPLING_FREQ SET_CUR (a stall is
 * harmless: devices with one rate, QEMU's among them, stall it and the
 * kernel ignores that too) or with UAC2 clock source CUR through the clock
 * selectors on the way, then the clock's validity is checked.
 *
 * Streaming (RT thread).  The thread owns the libusb event loop of the
 * device's own libusb context: it blocks in handle_events (RCU-offline),
 * and every completion only marks its transfer done (an atomic flag: a
 * synchronous control request on the control thread may run libusb's event
 * loop, and with it our callbacks, for a moment).  After each wake-up the
 * thread processes what completed, IN before OUT so the freshest feedback
 * and capture sizes size the next playback packets:
 *
 *   capture IN     packets -> contiguous frames -> uacd_dev_capture();
 *                  each packet's frame count also feeds the implicit
 *                  feedback queue when playback is paced by it;
 *   feedback IN    uacd_fb_decode() -> uacd_pktsched_set_feedback();
 *   playback OUT   packet sizes from the scheduler (nominal for adaptive
 *                  and synchronous endpoints, the feedback value for async
 *                  ones, the capture packet sizes for implicit feedback),
 *                  one uacd_dev_play() for the whole transfer (iso packets
 *                  are contiguous in the transfer buffer), resubmit;
 *
 * then uacd_dev_cycle_end() reports the quiescent state.  d->rt.queued
 * counts the playback frames in flight.
 *
 * Idle.  The alt settings are selected at start and kept, but transfers
 * run only while client streams exist, and IDLE_STOP_MS longer (silence
 * between two songs does not stop and restart the device, which makes some
 * DACs click): an idle device costs no bus bandwidth, no wake-ups and no
 * CPU.  A stopped RT thread looks for a new stream every IDLE_POLL_MS; the
 * first transfers then go out at once.  While stopped, an unplug is seen
 * by the hotplug code (the device leaves the bus) rather than by a
 * transfer.
 *
 * Unplug.  A transfer that completes with LIBUSB_TRANSFER_NO_DEVICE (or a
 * submit that fails with -ENODEV) ends every stream with -ENODEV, once;
 * nothing is resubmitted after it, and a byte on the "gone" pipe tells the
 * control thread, which removes the device from the server and closes its
 * USB side (hotplug.c).  Other errors are counted and the transfer is
 * resubmitted: a stall (-EPIPE) or a failed packet costs those frames,
 * never the stream.
 *
 * I/O goes through struct uacd_usb_io_ops: usb-io-libusb.c implements it
 * with libusb, tests/usbfake with a scripted device.  usb-bind.c selects
 * and claims (transport-libusb-private.h is what the two share),
 * usb-spec.c parses device specs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libusb.h>

#include "engine/core/transport.h"
#include "engine/core/format.h"
#include "engine/core/log.h"
#include "engine/core/packet.h"
#include "engine/usb/transport-libusb-private.h"

static const struct uacd_transport_ops usb_ops;

/* ---- the RT loop --------------------------------------------------------- */

/* rt */
static void mark_gone(struct usbt *u)
{
	static const uint8_t one = 1;
	ssize_t r;

	if (__atomic_load_n(&u->gone, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&u->gone, 1, __ATOMIC_RELEASE);
	u->info.gone = true;
	uacd_dev_fail_streams(u->d, -ENODEV);
	uacd_rtlog(UACD_LOG_WARNING, uacd_dev_name(u->d), "device disconnected; streams ended", 0, 0, 0);
	r = write(u->gone_fd[1], &one, 1);
	(void)r;
}

/* rt: sizes and data of an OUT transfer. */
static void fill_out(struct usbt *u, struct xfer *x, uint64_t now)
{
	struct libusb_transfer *t = x->t;
	uint32_t total = 0;
	int p;

	for (p = 0; p < t->num_iso_packets; p++) {
		uint32_t n;

		if (u->implicit && u->imp_w != u->imp_r)
			n = u->imp[u->imp_r++ & (IMPLICIT_QUEUE - 1)];
		else
			n = uacd_pktsched_next(&u->sched);
		if (n * u->fb_play > u->max_pkt_play)
			n = u->max_pkt_play / u->fb_play;
		t->iso_packet_desc[p].length = n * u->fb_play;
		total += n;
	}
	uacd_dev_play(u->d, x->buf, total, now);
	t->length = (int)(total * u->fb_play);
	x->frames = total;
}

/* rt: submit; -ENODEV marks the device gone. */
static void submit(struct usbt *u, struct xfer *x)
{
	int ret;

	if (x->kind == XFER_OUT)
		uacd_dev_add_queue_depth(u->d, (int64_t)x->frames);
	ret = u->ops->submit(u->io, x->t);
	if (ret == 0) {
		x->inflight = true;
		return;
	}
	if (x->kind == XFER_OUT)
		uacd_dev_add_queue_depth(u->d, -(int64_t)x->frames);
	if (ret == -ENODEV) {
		mark_gone(u);
		return;
	}
	__atomic_fetch_add(&u->info.resubmit_failures, 1, __ATOMIC_RELAXED);
	uacd_rtlog(UACD_LOG_WARNING, uacd_dev_name(u->d), "cannot submit a transfer (errno %lld); retrying",
		   -ret, 0, 0);
}

/* rt: submit every idle transfer (start, and retries of failed submits). */
static void submit_idle(struct usbt *u, uint64_t now)
{
	unsigned i;
	int k;

	for (k = 0; k < 3; k++)	/* IN and feedback first: they pace OUT */
		for (i = 0; i < u->nx; i++) {
			struct xfer *x = &u->x[i];
			struct libusb_transfer *t = x->t;
			int p;

			if (x->inflight || __atomic_load_n(&x->done, __ATOMIC_ACQUIRE) ||
			    (k == 0 && x->kind != XFER_IN) || (k == 1 && x->kind != XFER_FB) ||
			    (k == 2 && x->kind != XFER_OUT))
				continue;
			if (__atomic_load_n(&u->gone, __ATOMIC_RELAXED) || u->rt_stopping || u->paused)
				return;
			if (x->kind == XFER_OUT) {
				fill_out(u, x, now);
			} else {
				for (p = 0; p < t->num_iso_packets; p++)
					t->iso_packet_desc[p].length = x->kind == XFER_IN ? u->max_pkt_cap : u->max_pkt_fb;
				t->length = (int)x->buf_len;
			}
			submit(u, x);
		}
}

/* rt: a completed capture transfer. */
static void complete_in(struct usbt *u, struct xfer *x, uint64_t now)
{
	struct libusb_transfer *t = x->t;
	uint32_t total = 0, off = 0;
	int p;

	for (p = 0; p < t->num_iso_packets; p++) {
		const struct libusb_iso_packet_descriptor *pd = &t->iso_packet_desc[p];
		uint32_t n = 0;

		if (pd->status == LIBUSB_TRANSFER_COMPLETED && pd->actual_length <= u->max_pkt_cap) {
			n = pd->actual_length / u->fb_cap;
			if (u->cap_deliver)
				memcpy(u->cap_buf + (size_t)total * u->fb_cap, x->buf + off,
				       (size_t)n * u->fb_cap);
			total += n;
		} else {
			__atomic_fetch_add(&u->info.errors, 1, __ATOMIC_RELAXED);
			/* a lost packet still took an interval: pace playback nominally */
			n = (uint32_t)(((uint64_t)uacd_dev_rate(u->d) * u->interval_us + 500000u) / 1000000u);
		}
		if (u->implicit) {
			/* drop the oldest when playback does not keep up */
			if (u->imp_w - u->imp_r >= IMPLICIT_QUEUE)
				u->imp_r++;
			u->imp[u->imp_w++ & (IMPLICIT_QUEUE - 1)] = n;
		}
		off += pd->length;
	}
	__atomic_fetch_add(&u->info.in_packets, (uint64_t)t->num_iso_packets, __ATOMIC_RELAXED);
	if (u->cap_deliver && total)
		uacd_dev_capture(u->d, u->cap_buf, total, now);
}

/* rt: a completed feedback transfer: the last value that decodes wins. */
static void complete_fb(struct usbt *u, struct xfer *x)
{
	struct libusb_transfer *t = x->t;
	uint32_t off = 0, q16;
	int p;

	for (p = 0; p < t->num_iso_packets; p++) {
		const struct libusb_iso_packet_descriptor *pd = &t->iso_packet_desc[p];

		if (pd->status == LIBUSB_TRANSFER_COMPLETED && pd->actual_length &&
		    uacd_fb_decode(&u->fbdec, x->buf + off, (int)pd->actual_length, &q16) == 0) {
			uacd_pktsched_set_feedback(&u->sched, q16);
			__atomic_store_n(&u->info.fb_q16, q16, __ATOMIC_RELAXED);
		}
		off += pd->length;
	}
	__atomic_fetch_add(&u->info.fb_packets, (uint64_t)t->num_iso_packets, __ATOMIC_RELAXED);
}

/* rt: handle one completed transfer; true when it should be resubmitted. */
static bool complete(struct usbt *u, struct xfer *x, uint64_t now)
{
	struct libusb_transfer *t = x->t;

	x->inflight = false;
	if (x->kind == XFER_OUT) {
		uacd_dev_add_queue_depth(u->d, -(int64_t)x->frames);
		__atomic_fetch_add(&u->info.out_packets, (uint64_t)t->num_iso_packets, __ATOMIC_RELAXED);
	}
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		/* unplugged: end the streams once, resubmit nothing */
		mark_gone(u);
		return false;
	case LIBUSB_TRANSFER_CANCELLED:
		/* we are stopping */
		return false;
	case LIBUSB_TRANSFER_STALL:
		/* -EPIPE: the frames in it are lost, the stream is not */
		__atomic_fetch_add(&u->info.stalls, 1, __ATOMIC_RELAXED);
		return true;
	default:
		/* ERROR, TIMED_OUT, OVERFLOW: count, carry on */
		__atomic_fetch_add(&u->info.errors, 1, __ATOMIC_RELAXED);
		return true;
	}
	if (x->kind == XFER_IN)
		complete_in(u, x, now);
	else if (x->kind == XFER_FB)
		complete_fb(u, x);
	return true;
}

/* rt: stop when idle long enough, start again when a stream appears. */
static void follow_clients(struct usbt *u)
{
	if (uacd_dev_has_streams(u->d)) {
		u->idle_us = 0;
		if (u->paused) {
			u->paused = false;
			u->imp_w = u->imp_r = 0;	/* capture sizes from before are stale */
		}
	} else if (!u->paused && u->idle_ms && u->idle_us >= u->idle_ms * 1000ull) {
		/* what is in flight completes and is not resubmitted */
		u->paused = true;
	}
}

/* rt: bus time a completed transfer covered, counted while no client is there. */
static void count_idle(struct usbt *u, struct xfer *x)
{
	bool pacing = u->play_alt ? x->kind == XFER_OUT : x->kind == XFER_IN;

	if (pacing && !uacd_dev_has_streams(u->d))
		u->idle_us += (uint64_t)x->t->num_iso_packets * u->interval_us;
}

/* rt: one wait for completions and everything that follows from them. */
static int rt_iterate(struct usbt *u, int timeout_ms)
{
	struct uacd_device *d = u->d;
	uint64_t now;
	unsigned i;
	int k;

	follow_clients(u);
	now = uacd_now_ns();
	submit_idle(u, now);
	rcu_thread_offline();
	u->ops->handle_events(u->io, u->paused && timeout_ms > IDLE_POLL_MS ? IDLE_POLL_MS : timeout_ms);
	rcu_thread_online();
	now = uacd_now_ns();
	uacd_dev_cycle_begin(d, now, 0, false);
	for (k = 0; k < 2; k++)	/* IN and feedback first, then OUT */
		for (i = 0; i < u->nx; i++) {
			struct xfer *x = &u->x[i];

			if ((k == 0) != (x->kind != XFER_OUT))
				continue;
			if (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE))
				continue;
			__atomic_store_n(&x->done, 0, __ATOMIC_RELAXED);
			count_idle(u, x);
			if (!complete(u, x, now) || __atomic_load_n(&u->gone, __ATOMIC_RELAXED) ||
			    u->rt_stopping || u->paused)
				continue;
			if (x->kind == XFER_OUT) {
				fill_out(u, x, now);
			} else {
				int p;

				for (p = 0; p < x->t->num_iso_packets; p++)
					x->t->iso_packet_desc[p].length =
						x->kind == XFER_IN ? u->max_pkt_cap : u->max_pkt_fb;
				x->t->length = (int)x->buf_len;
			}
			submit(u, x);
		}
	uacd_dev_cycle_end(d);
	return __atomic_load_n(&u->gone, __ATOMIC_RELAXED) ? -ENODEV : 0;
}

static unsigned inflight(struct usbt *u)
{
	unsigned i, n = 0;

	for (i = 0; i < u->nx; i++)
		if (u->x[i].inflight)
			n++;
	return n;
}

/* rt (or a test thread): cancel everything and collect the completions. */
static void rt_drain(struct usbt *u)
{
	uint64_t until = uacd_now_ns() + STOP_DRAIN_MS * 1000000ull;
	unsigned i;

	u->rt_stopping = true;
	for (i = 0; i < u->nx; i++)
		if (u->x[i].inflight)
			u->ops->cancel(u->io, u->x[i].t);
	while (inflight(u) && uacd_now_ns() < until) {
		rcu_thread_offline();
		u->ops->handle_events(u->io, 50);
		rcu_thread_online();
		for (i = 0; i < u->nx; i++)
			if (__atomic_load_n(&u->x[i].done, __ATOMIC_ACQUIRE)) {
				__atomic_store_n(&u->x[i].done, 0, __ATOMIC_RELAXED);
				u->x[i].inflight = false;
				if (u->x[i].kind == XFER_OUT)
					uacd_dev_add_queue_depth(u->d, -(int64_t)u->x[i].frames);
			}
		uacd_dev_cycle_end(u->d);
	}
	if (inflight(u))
		uacd_rtlog(UACD_LOG_WARNING, uacd_dev_name(u->d), "%lld transfers did not come back at stop",
			   inflight(u), 0, 0);
}

static void *usb_rt_main(void *arg)
{
	struct uacd_device *d = arg;
	struct usbt *u = uacd_dev_transport(d);

	uacd_dev_rt_enter(d);
	while (!uacd_dev_should_stop(d))
		rt_iterate(u, EVENT_TIMEOUT_MS);
	rt_drain(u);
	uacd_dev_rt_leave(d);
	return NULL;
}

/* ---- transport ops (control thread) ------------------------------------- */

static int prepare_stream(struct usbt *u)
{
	struct uacd_device *d = u->d;
	uint32_t max_pkt_frames = u->fb_play ? u->max_pkt_play / u->fb_play : 0;
	bool hs = u->speed >= UACD_USB_SPEED_HIGH;
	unsigned i;
	int ret;

	ret = uacd_pktsched_init(&u->sched, uacd_dev_rate(d), u->interval_us, max_pkt_frames);
	if (ret)
		return ret;
	ret = uacd_fb_decoder_init(&u->fbdec, uacd_dev_rate(d), u->interval_us, hs);
	if (ret && u->use_fb)
		return ret;
	u->imp_w = u->imp_r = 0;
	u->rt_stopping = false;
	/* nothing streams until a client does (unless pausing is off) */
	u->paused = u->idle_ms != 0;
	u->idle_us = 0;
	uacd_dev_set_queue_depth(d, 0);
	for (i = 0; i < u->nx; i++) {
		u->x[i].inflight = false;
		u->x[i].done = 0;
		u->x[i].frames = 0;
	}
	if (u->play_alt) {
		ret = u->ops->set_alt(u->io, u->play_iface, u->play_alt->alt);
		if (ret)
			return ret;
	}
	if (u->cap_alt) {
		ret = u->ops->set_alt(u->io, u->cap_iface, u->cap_alt->alt);
		if (ret)
			return ret;
	}
	return 0;
}

static int usb_start(struct uacd_device *d)
{
	struct usbt *u = uacd_dev_transport(d);
	int ret;

	if (!u->ops)
		return -ENODEV;
	ret = prepare_stream(u);
	if (ret) {
		uacd_err("%s: cannot select the streaming alt settings: %s", uacd_dev_name(d), strerror(-ret));
		return ret;
	}
	return uacd_dev_spawn_rt(d, usb_rt_main);
}

static void usb_stop(struct uacd_device *d)
{
	struct usbt *u = uacd_dev_transport(d);

	if (uacd_dev_rt_running(d)) {
		uacd_dev_request_stop(d);
		if (u->ops)
			u->ops->interrupt(u->io);
		uacd_dev_join_rt(d);
	}
	if (u->ops && !__atomic_load_n(&u->gone, __ATOMIC_ACQUIRE)) {
		if (u->play_alt)
			u->ops->set_alt(u->io, u->play_iface, 0);
		if (u->cap_alt)
			u->ops->set_alt(u->io, u->cap_iface, 0);
	}
}

static int usb_set_rate(struct uacd_device *d, uint32_t rate)
{
	struct usbt *u = uacd_dev_transport(d);
	bool running = uacd_dev_rt_running(d);
	char err[256];
	unsigned i;
	int ret;

	if (!u->ops)
		return -ENODEV;
	{
		const uint32_t *rates;
		unsigned n = uacd_dev_rates(d, &rates);

		for (i = 0; i < n && rates[i] != rate; i++)
			;
		if (i == n)
			return -EINVAL;
	}
	if (u->play_alt && !uacd_usbt_alt_has_rate(u->fn, u->play_alt, rate))
		return -EINVAL;
	if (running)
		usb_stop(d);
	ret = uacd_usbt_set_rate_hw(u, rate, err, sizeof(err));
	if (ret)
		uacd_err("%s: %s", uacd_dev_name(d), err);
	else
		uacd_dev_rate_changed(d, rate);
	uacd_dev_set_latency(d, uacd_dev_rate(d) / 1000u);
	if (running)
		usb_start(d);
	return ret;
}

static int usb_status(struct uacd_device *d, char *buf, size_t len)
{
	struct usbt *u = uacd_dev_transport(d);
	struct uacd_dev_identity id;
	struct uacd_usb_info in;

	uacd_usb_get_info(d, &in);
	uacd_dev_identity(d, &id);
	if (!u->ops)
		return snprintf(buf, len, "  usb: %s: not connected (waiting for re-plug)\n", u->spec_str);
	return snprintf(buf, len,
			"  usb: %04x:%04x at %s, %s speed, UAC%d; playback alt %u ep 0x%02x %s%s, capture alt %u ep 0x%02x; "
			"%u transfers x %u packets of %u us; feedback %.4f frames/packet; packets out %llu in %llu fb %llu; "
			"errors %llu, stalls %llu, failed submits %llu%s\n",
			id.vid, id.pid, id.bus_path ? id.bus_path : "?",
			uacd_usbdesc_speed_name(u->speed), in.uac_version, in.play_alt, in.play_ep,
			u->play_alt ? uacd_usbdesc_sync_name(in.play_sync) : "-",
			in.implicit_fb ? " implicit-fb" : in.fb_ep ? " explicit-fb" : "",
			in.cap_alt, in.cap_ep, in.transfers, in.packets, in.interval_us, in.fb_q16 / 65536.0,
			(unsigned long long)in.out_packets, (unsigned long long)in.in_packets,
			(unsigned long long)in.fb_packets, (unsigned long long)in.errors,
			(unsigned long long)in.stalls, (unsigned long long)in.resubmit_failures,
			in.gone ? "; DISCONNECTED" : "");
}

static int usb_feedback(struct uacd_device *d, uint32_t *q16, uint32_t *packet_us)
{
	struct uacd_usb_info in;

	uacd_usb_get_info(d, &in);
	if (!in.fb_ep || !in.fb_q16)
		return -ENOENT;
	*q16 = in.fb_q16;
	*packet_us = in.interval_us;
	return 0;
}

static void usb_free(struct uacd_device *d)
{
	struct usbt *u = uacd_dev_transport(d);

	if (!u)
		return;
	uacd_usbt_unbind(u);
	if (u->gone_fd[0] >= 0)
		close(u->gone_fd[0]);
	if (u->gone_fd[1] >= 0)
		close(u->gone_fd[1]);
	free(u);
	uacd_dev_set_transport(d, NULL);
}

static const struct uacd_transport_ops usb_ops = {
	.kind = "usb",
	.start = usb_start,
	.stop = usb_stop,
	.set_rate = usb_set_rate,
	.status = usb_status,
	.control = uacd_usbt_control,
	.feedback = usb_feedback,
	.free = usb_free,
};

/* ---- public (control thread) -------------------------------------------- */

int uacd_usb_create_io(const char *spec, const struct uacd_usb_probe *p,
		       const struct uacd_usb_io_ops *ops, void *io,
		       struct uacd_device **out, char *err, size_t errlen)
{
	struct uacd_device *d;
	struct usbt *u;
	int ret;

	u = calloc(1, sizeof(*u));
	d = u ? uacd_dev_alloc(&usb_ops, u) : NULL;
	if (!d) {
		free(u);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	u->gone_fd[0] = u->gone_fd[1] = -1;
	u->idle_ms = IDLE_STOP_MS;
	u->d = d;
	snprintf(u->spec_str, sizeof(u->spec_str), "%s", spec);
	ret = uacd_usb_spec_parse(spec, &u->spec, err, errlen);
	if (ret)
		goto err_free;
	if (pipe2(u->gone_fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		snprintf(err, errlen, "usb: pipe: %s", strerror(errno));
		goto err_free;
	}
	if (u->spec.name[0]) {
		uacd_dev_set_name(d, u->spec.name);
	} else {
		char name[UACD_NAME_MAX];

		snprintf(name, sizeof(name), "usb-%04x-%04x", p->dev.vendor_id, p->dev.product_id);
		uacd_dev_set_name(d, name);
	}
	uacd_dev_set_rt_priority(d, u->spec.priority > 0 ? u->spec.priority : 0);
	ret = uacd_usbt_bind(u, p, ops, io, false, err, errlen);
	if (ret)
		goto err_free;
	ret = uacd_dev_init(d);
	if (ret) {
		snprintf(err, errlen, "usb: cannot allocate buffers: %s", strerror(-ret));
		goto err_unbind;
	}
	uacd_usbt_apply_volume(u);
	*out = d;
	return 0;

err_unbind:
	/* the caller keeps io on failure: give it back without closing it */
	uacd_usbt_release_all(u);
	uacd_usbt_free_transfers(u);
	uacd_usbdesc_free(u->desc);
	u->desc = NULL;
	u->ops = NULL;
err_free:
	usb_free(d);
	free(d);
	return ret;
}

bool uacd_usb_is_usb(const struct uacd_device *d)
{
	return d && uacd_dev_ops(d) == &usb_ops;
}

int uacd_usb_gone_fd(const struct uacd_device *d)
{
	const struct usbt *u = uacd_dev_transport(d);

	return u->gone_fd[0];
}

bool uacd_usb_gone(const struct uacd_device *d)
{
	const struct usbt *u = uacd_dev_transport(d);

	return __atomic_load_n(&u->gone, __ATOMIC_ACQUIRE);
}

void uacd_usb_gone_ack(struct uacd_device *d)
{
	struct usbt *u = uacd_dev_transport(d);
	uint8_t b[16];

	while (read(u->gone_fd[0], b, sizeof(b)) > 0)
		;
}

void uacd_usb_close(struct uacd_device *d, bool vanished)
{
	struct usbt *u = uacd_dev_transport(d);

	if (vanished) {
		__atomic_store_n(&u->gone, 1, __ATOMIC_RELEASE);
		u->info.gone = true;
	}
	uacd_usbt_unbind(u);
}

bool uacd_usb_is_open(const struct uacd_device *d)
{
	const struct usbt *u = uacd_dev_transport(d);

	return u->ops != NULL;
}

const char *uacd_usb_spec_string(const struct uacd_device *d)
{
	const struct usbt *u = uacd_dev_transport(d);

	return u->spec_str;
}

void uacd_usb_location(const struct uacd_device *d, uint8_t *bus, uint8_t *address)
{
	const struct usbt *u = uacd_dev_transport(d);

	*bus = u->bus;
	*address = u->address;
}

int uacd_usb_rebind(struct uacd_device *d, const struct uacd_usb_probe *p,
		    const struct uacd_usb_io_ops *ops, void *io, char *err, size_t errlen)
{
	struct usbt *u = uacd_dev_transport(d);
	int ret;

	if (u->ops)
		return -EBUSY;
	if (!uacd_usb_spec_match(&u->spec, p)) {
		snprintf(err, errlen, "usb: device %04x:%04x does not match %s", p->dev.vendor_id,
			 p->dev.product_id, u->spec_str);
		return -ENODEV;
	}
	ret = uacd_usbt_bind(u, p, ops, io, true, err, errlen);
	if (ret)
		return ret;
	uacd_usb_gone_ack(d);
	uacd_usbt_apply_volume(u);
	return 0;
}

void uacd_usb_get_info(const struct uacd_device *d, struct uacd_usb_info *info)
{
	const struct usbt *u = uacd_dev_transport(d);

	*info = u->info;
	info->out_packets = __atomic_load_n(&u->info.out_packets, __ATOMIC_RELAXED);
	info->in_packets = __atomic_load_n(&u->info.in_packets, __ATOMIC_RELAXED);
	info->fb_packets = __atomic_load_n(&u->info.fb_packets, __ATOMIC_RELAXED);
	info->errors = __atomic_load_n(&u->info.errors, __ATOMIC_RELAXED);
	info->stalls = __atomic_load_n(&u->info.stalls, __ATOMIC_RELAXED);
	info->resubmit_failures = __atomic_load_n(&u->info.resubmit_failures, __ATOMIC_RELAXED);
	info->fb_q16 = __atomic_load_n(&u->info.fb_q16, __ATOMIC_RELAXED);
	info->gone = __atomic_load_n(&u->gone, __ATOMIC_ACQUIRE);
}

int uacd_usb_iterate(struct uacd_device *d, int timeout_ms)
{
	struct usbt *u = uacd_dev_transport(d);

	if (!u->ops)
		return -ENODEV;
	if (!u->rt_stopping && u->nx && !u->sched.rate) {
		int ret = prepare_stream(u);

		if (ret)
			return ret;
	}
	return rt_iterate(u, timeout_ms);
}

void uacd_usb_drain(struct uacd_device *d)
{
	struct usbt *u = uacd_dev_transport(d);

	if (u->ops)
		rt_drain(u);
}

void uacd_usb_set_idle_ms(struct uacd_device *d, uint32_t ms)
{
	struct usbt *u = uacd_dev_transport(d);

	u->idle_ms = ms;
}
