/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The USB hotplug monitor: it only tells its owner (the daemon's device
 * registry) that an audio device arrived at bus/address, or that one it
 * holds left.  What to do about it (re-open a dormant device, create one
 * for a configured spec, ask the policy) is the registry's business.
 *
 * Arrivals are announced by an event thread at normal priority that owns a
 * libusb context of its own and runs its hotplug callbacks
 * (LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED/LEFT).  libusb's Linux backend learns
 * about devices from udev, so where no udev daemon runs (containers, the
 * test VM) those events never come; the thread therefore also listens to
 * the kernel's own uevents (NETLINK_KOBJECT_UEVENT) for usb_device add and
 * remove.  Either source only wakes the control thread through a pipe
 * (after a short pause that lets the kernel finish enumerating and
 * coalesces bursts); the owner calls uacd_usb_monitor_dispatch() on its control thread, which
 * rescans the bus with a fresh libusb context and reports
 *   - leave for every location the owner holds that the bus no longer has
 *     (the device's RT thread may not have noticed yet), then
 *   - arrive for every audio device at a location the owner does not hold;
 *     an arrival the owner takes becomes held, one it refuses is offered
 *     again at the next rescan (it may be allowed by then).
 *
 * Without libusb hotplug support or netlink the parts that cannot work are
 * skipped with one log line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libusb.h>

#include "engine/core/transport.h"
#include "engine/core/log.h"
#include "engine/usb/hotplug.h"
#include "engine/usb/transport-libusb.h"

#define HP_SETTLE_MS		300	/* after an event, before rescanning */
#define HP_POLL_MS		200
#define HP_MAX_HELD		UACD_USB_MONITOR_MAX
#define HP_MAX_SEEN		64

struct uacd_usb_monitor {
	struct uacd_usb_monitor_ops ops;
	struct { uint8_t bus, addr; } held[HP_MAX_HELD];
	unsigned n_held;

	int pipe[2];		/* event thread -> control thread */

	/* event thread */
	pthread_t thread;
	bool thread_running;
	int stop;		/* atomic */
	libusb_context *ctx;
	libusb_hotplug_callback_handle cb;
	bool have_cb;
	int nl;			/* kernel uevent socket, -1 = none */
	int pending;		/* event thread only: an event awaits its settle time */
};

/* ---- event thread -------------------------------------------------------- */

static int LIBUSB_CALL on_libusb_event(libusb_context *ctx, libusb_device *dev,
				       libusb_hotplug_event ev, void *data)
{
	struct uacd_usb_monitor *hp = data;

	(void)ctx;
	(void)dev;
	(void)ev;
	hp->pending = 1;
	return 0;	/* stay registered */
}

/* Event thread: is this uevent a whole USB device being added or removed? */
static bool uevent_is_usb_device(const char *buf, size_t len)
{
	bool usb = false, device = false, action = false;
	size_t off = 0;

	while (off < len) {
		const char *kv = buf + off;
		size_t n = strnlen(kv, len - off);

		if (!strcmp(kv, "SUBSYSTEM=usb"))
			usb = true;
		else if (!strcmp(kv, "DEVTYPE=usb_device"))
			device = true;
		else if (!strcmp(kv, "ACTION=add") || !strcmp(kv, "ACTION=remove"))
			action = true;
		off += n + 1;
	}
	return usb && device && action;
}

static void drain_netlink(struct uacd_usb_monitor *hp)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(hp->nl, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			return;
		buf[n] = '\0';
		if (uevent_is_usb_device(buf, (size_t)n))
			hp->pending = 1;
	}
}

static void *event_main(void *arg)
{
	struct uacd_usb_monitor *hp = arg;
	uint64_t due = 0;

	pthread_setname_np(pthread_self(), "uacd-hotplug");

	while (!__atomic_load_n(&hp->stop, __ATOMIC_ACQUIRE)) {
		if (hp->ctx) {
			struct timeval tv = { .tv_sec = 0, .tv_usec = HP_POLL_MS * 1000 };

			libusb_handle_events_timeout_completed(hp->ctx, &tv, NULL);
		}
		if (hp->nl >= 0) {
			struct pollfd pfd = { .fd = hp->nl, .events = POLLIN };

			if (poll(&pfd, 1, hp->ctx ? 0 : HP_POLL_MS) > 0)
				drain_netlink(hp);
		}
		if (hp->pending && !due)
			due = uacd_now_ns() + HP_SETTLE_MS * 1000000ull;
		if (due && uacd_now_ns() >= due) {
			static const char c = 'e';

			hp->pending = 0;
			due = 0;
			if (write(hp->pipe[1], &c, 1) < 0)
				(void)0;	/* full: a rescan is pending anyway */
		}
	}
	return NULL;
}

/* ---- control thread ------------------------------------------------------ */

static int held_index(const struct uacd_usb_monitor *hp, uint8_t bus, uint8_t addr)
{
	unsigned i;

	for (i = 0; i < hp->n_held; i++)
		if (hp->held[i].bus == bus && hp->held[i].addr == addr)
			return (int)i;
	return -1;
}

void uacd_usb_monitor_hold(struct uacd_usb_monitor *hp, uint8_t bus, uint8_t addr)
{
	if (!hp || held_index(hp, bus, addr) >= 0 || hp->n_held >= HP_MAX_HELD)
		return;
	hp->held[hp->n_held].bus = bus;
	hp->held[hp->n_held].addr = addr;
	hp->n_held++;
}

void uacd_usb_monitor_forget(struct uacd_usb_monitor *hp, uint8_t bus, uint8_t addr)
{
	int i;

	if (!hp || (i = held_index(hp, bus, addr)) < 0)
		return;
	hp->held[i] = hp->held[--hp->n_held];
}

struct scan_ctx {
	struct uacd_usb_probe seen[HP_MAX_SEEN];	/* cfg not kept */
	unsigned n_seen;
};

static int scan_cb(const struct uacd_usb_probe *p, void *data)
{
	struct scan_ctx *s = data;

	if (s->n_seen < HP_MAX_SEEN) {
		s->seen[s->n_seen] = *p;
		s->seen[s->n_seen].cfg = NULL;
		s->seen[s->n_seen].cfg_len = 0;
		s->n_seen++;
	}
	return 0;
}

void uacd_usb_monitor_rescan(struct uacd_usb_monitor *hp)
{
	struct scan_ctx *s;
	unsigned i, k;
	int ret;

	if (!hp)
		return;
	s = calloc(1, sizeof(*s));
	if (!s)
		return;
	ret = uacd_usb_scan(scan_cb, s);
	if (ret) {
		uacd_info("hotplug: cannot scan the bus: %s", strerror(-ret));
		free(s);
		return;
	}
	/* held but no longer on the bus: gone */
	i = 0;
	while (i < hp->n_held) {
		uint8_t b = hp->held[i].bus, a = hp->held[i].addr;
		bool found = false;

		for (k = 0; k < s->n_seen; k++)
			found |= s->seen[k].bus == b && s->seen[k].address == a;
		if (found) {
			i++;
			continue;
		}
		hp->held[i] = hp->held[--hp->n_held];
		hp->ops.leave(hp->ops.data, b, a);
	}
	for (k = 0; k < s->n_seen; k++) {
		if (held_index(hp, s->seen[k].bus, s->seen[k].address) >= 0)
			continue;
		if (hp->ops.arrive(hp->ops.data, &s->seen[k]))
			uacd_usb_monitor_hold(hp, s->seen[k].bus, s->seen[k].address);
	}
	free(s);
}

int uacd_usb_monitor_fd(const struct uacd_usb_monitor *hp)
{
	return hp ? hp->pipe[0] : -1;
}

void uacd_usb_monitor_dispatch(struct uacd_usb_monitor *hp)
{
	char buf[64];

	while (read(hp->pipe[0], buf, sizeof(buf)) > 0)
		;
	uacd_usb_monitor_rescan(hp);
}

static int open_netlink(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 /* kernel events */ };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

/* The event sources: libusb's hotplug callbacks where it has them, kernel uevents. */
static void open_sources(struct uacd_usb_monitor *hp)
{
	int ret;

	ret = uacd_usb_errno(libusb_init(&hp->ctx));
	if (ret) {
		uacd_info("hotplug: no libusb (%s): using kernel events only", strerror(-ret));
		hp->ctx = NULL;
	} else if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		uacd_info("hotplug: this libusb has no hotplug support: using kernel events only");
	} else {
		ret = libusb_hotplug_register_callback(hp->ctx,
			LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
			LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
			on_libusb_event, hp, &hp->cb);
		if (ret == LIBUSB_SUCCESS)
			hp->have_cb = true;
		else
			uacd_info("hotplug: cannot register libusb hotplug callbacks: %s",
				  strerror(-uacd_usb_errno(ret)));
	}
	ret = open_netlink();
	if (ret < 0)
		uacd_info("hotplug: no kernel uevents (%s)", strerror(-ret));
	else
		hp->nl = ret;
}

int uacd_usb_monitor_start(const struct uacd_usb_monitor_ops *ops, struct uacd_usb_monitor **out)
{
	struct uacd_usb_monitor *hp;
	int ret;

	*out = NULL;
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	hp->ops = *ops;
	hp->pipe[0] = hp->pipe[1] = hp->nl = -1;
	if (pipe2(hp->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		free(hp);
		return ret;
	}
	*out = hp;
	open_sources(hp);
	if (!hp->have_cb && hp->nl < 0) {
		uacd_warn("hotplug: no source of USB events: devices will not come back after an unplug");
		return 0;
	}
	ret = pthread_create(&hp->thread, NULL, event_main, hp);
	if (ret) {
		uacd_warn("hotplug: cannot start the event thread: %s", strerror(ret));
		return 0;
	}
	hp->thread_running = true;
	uacd_info("hotplug: following USB arrivals (%s%s%s)",
		  hp->have_cb ? "libusb hotplug" : "", hp->have_cb && hp->nl >= 0 ? " + " : "",
		  hp->nl >= 0 ? "kernel uevents" : "");
	return 0;
}

bool uacd_usb_monitor_following(const struct uacd_usb_monitor *hp)
{
	return hp && hp->thread_running;
}

void uacd_usb_monitor_stop(struct uacd_usb_monitor *hp)
{
	if (!hp)
		return;
	if (hp->thread_running) {
		__atomic_store_n(&hp->stop, 1, __ATOMIC_RELEASE);
		if (hp->ctx)
			libusb_interrupt_event_handler(hp->ctx);
		pthread_join(hp->thread, NULL);
	}
	if (hp->have_cb)
		libusb_hotplug_deregister_callback(hp->ctx, hp->cb);
	if (hp->ctx)
		libusb_exit(hp->ctx);
	if (hp->nl >= 0)
		close(hp->nl);
	close(hp->pipe[0]);
	close(hp->pipe[1]);
	free(hp);
}
