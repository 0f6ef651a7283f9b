/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB hotplug.
 *
 * Two things happen on the bus: a device arrives, or one leaves.
 *
 * Leaving is noticed first by the device itself: its RT thread sees
 * LIBUSB_TRANSFER_NO_DEVICE, ends the streams with -ENODEV and writes to
 * its "gone" pipe (transport-libusb.c), which the control thread watches
 * here.  The control thread then removes the device from the server,
 * stops its RT thread and closes its USB side.  The struct stays, dormant,
 * with its name, spec and volume, so that the same device coming back is
 * the same uacd device to clients.
 *
 * Arrivals are announced by an event thread at normal priority that owns a
 * libusb context of its own and runs its hotplug callbacks
 * (LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED/LEFT).  libusb's Linux backend learns
 * about devices from udev, so where no udev daemon runs (containers, the
 * test VM) those events never come; the thread therefore also listens to
 * the kernel's own uevents (NETLINK_KOBJECT_UEVENT) for usb_device add and
 * remove.  Either source only wakes the control thread through a pipe
 * (after a short pause that lets the kernel finish enumerating and
 * coalesces bursts); the control thread rescans the bus with a fresh libusb
 * context, and for each audio device it does not hold:
 *   - a dormant device whose spec matches is re-opened in place;
 *   - else, a configured spec that matches creates a new device (owned
 *     here), if the policy allows claiming it (uacd_server_check_device).
 * A device we hold open that the rescan no longer sees is handled as gone.
 *
 * Without libusb hotplug support, netlink, or any USB at all, the parts
 * that cannot work are skipped with one log line; a daemon with only `sim`
 * devices starts nothing here.
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

#include "engine/core/device.h"
#include "engine/daemon/hotplug.h"
#include "engine/core/log.h"
#include "engine/daemon/server.h"
#include "engine/usb/transport-libusb.h"

#define HP_MAX_SPECS		16
#define HP_MAX_DEVICES		UACD_SERVER_MAX_DEVICES
#define HP_SETTLE_MS		300	/* after an event, before rescanning */
#define HP_POLL_MS		200

struct hp_dev {
	struct uacd_device *d;
	bool owned;		/* created here: freed here */
	bool watching;
	bool dormant;
	struct uacd_hotplug *hp;
};

struct uacd_hotplug {
	struct uacd_server *srv;
	struct uacd_hotplug_ops ops;
	char specs[HP_MAX_SPECS][512];
	struct uacd_usb_spec parsed[HP_MAX_SPECS];
	int n_specs;
	struct hp_dev devs[HP_MAX_DEVICES];
	unsigned n_devs;

	int pipe[2];		/* event thread -> control thread */
	bool watching_pipe;

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
	struct uacd_hotplug *hp = data;

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

static void drain_netlink(struct uacd_hotplug *hp)
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
	struct uacd_hotplug *hp = arg;
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

static void on_gone(void *data);

static struct hp_dev *track(struct uacd_hotplug *hp, struct uacd_device *d, bool owned)
{
	struct hp_dev *t;

	if (hp->n_devs >= HP_MAX_DEVICES)
		return NULL;
	t = &hp->devs[hp->n_devs++];
	t->d = d;
	t->owned = owned;
	t->hp = hp;
	t->dormant = !uacd_usb_is_open(d);
	return t;
}

static void watch(struct hp_dev *t)
{
	int ret;

	if (t->watching)
		return;
	ret = uacd_server_watch(t->hp->srv, uacd_usb_gone_fd(t->d), on_gone, t);
	if (ret)
		uacd_warn("%s: cannot watch for unplug: %s", t->d->name, strerror(-ret));
	else
		t->watching = true;
}

static void unwatch(struct hp_dev *t)
{
	if (!t->watching)
		return;
	uacd_server_unwatch(t->hp->srv, uacd_usb_gone_fd(t->d));
	t->watching = false;
}

/* Free a device created on arrival, through the daemon when it adopted it. */
static void dispose(struct uacd_hotplug *hp, struct uacd_device *d)
{
	if (hp->ops.adopt && hp->ops.release)
		hp->ops.release(d, hp->ops.data);
	else
		uacd_dev_free(d);
}

static bool in_server(struct uacd_server *srv, struct uacd_device *d)
{
	struct uacd_device **devs;
	unsigned n, i;

	n = uacd_server_devices(srv, &devs);
	for (i = 0; i < n; i++)
		if (devs[i] == d)
			return true;
	return false;
}

/* The device left: end its streams, take it out of the server, close its USB side. */
static void retire(struct hp_dev *t)
{
	struct uacd_device *d = t->d;

	if (t->dormant)
		return;
	uacd_usb_gone_ack(d);
	unwatch(t);
	if (in_server(t->hp->srv, d))
		uacd_server_remove_device(t->hp->srv, d);
	uacd_dev_stop(d);
	uacd_usb_close(d, true);
	t->dormant = true;
	uacd_notice("%s: device disconnected; streams ended, waiting for it to come back", d->name);
}

static void on_gone(void *data)
{
	retire(data);
}

/* Bring a reopened or new device into service.  0 or -errno. */
static int enlist(struct hp_dev *t)
{
	struct uacd_device *d = t->d;
	char why[256];
	int ret;

	ret = uacd_server_check_device(t->hp->srv, d, why, sizeof(why));
	if (ret) {
		uacd_notice("%s: the policy does not allow claiming it: %s", d->name, why);
		return ret;
	}
	ret = uacd_dev_start(d);
	if (ret) {
		uacd_err("%s: cannot start: %s", d->name, strerror(-ret));
		return ret;
	}
	ret = uacd_server_add_device(t->hp->srv, d);
	if (ret) {
		uacd_err("%s: cannot serve it: %s", d->name, strerror(-ret));
		uacd_dev_stop(d);
		return ret;
	}
	t->dormant = false;
	watch(t);
	return 0;
}

struct seen {
	uint8_t bus[64], addr[64];
	unsigned n;
};

struct scan_ctx {
	struct uacd_hotplug *hp;
	struct seen seen;
	struct {
		uint8_t bus, addr;
		struct uacd_usb_probe p;	/* cfg not kept */
	} fresh[16];
	unsigned n_fresh;
};

static bool held(struct uacd_hotplug *hp, uint8_t bus, uint8_t addr)
{
	unsigned i;

	for (i = 0; i < hp->n_devs; i++) {
		uint8_t b, a;

		if (hp->devs[i].dormant)
			continue;
		uacd_usb_location(hp->devs[i].d, &b, &a);
		if (b == bus && a == addr)
			return true;
	}
	return false;
}

static int scan_cb(const struct uacd_usb_probe *p, void *data)
{
	struct scan_ctx *s = data;

	if (s->seen.n < 64) {
		s->seen.bus[s->seen.n] = p->bus;
		s->seen.addr[s->seen.n++] = p->address;
	}
	if (!held(s->hp, p->bus, p->address) && s->n_fresh < 16) {
		s->fresh[s->n_fresh].bus = p->bus;
		s->fresh[s->n_fresh].addr = p->address;
		s->fresh[s->n_fresh].p = *p;
		s->fresh[s->n_fresh].p.cfg = NULL;
		s->fresh[s->n_fresh].p.cfg_len = 0;
		s->n_fresh++;
	}
	return 0;
}

static bool name_taken(struct uacd_hotplug *hp, const char *name, struct uacd_device *self)
{
	unsigned i;

	for (i = 0; i < hp->n_devs; i++)
		if (hp->devs[i].d != self && !strcmp(hp->devs[i].d->name, name))
			return true;
	return false;
}

static void arrive(struct uacd_hotplug *hp, uint8_t bus, uint8_t addr, const struct uacd_usb_probe *p)
{
	char err[512];
	unsigned i;
	int k, ret;

	/* A dormant device that this is (again)? */
	for (i = 0; i < hp->n_devs; i++) {
		struct hp_dev *t = &hp->devs[i];
		struct uacd_usb_spec s;

		if (!t->dormant ||
		    uacd_usb_spec_parse(uacd_usb_spec_string(t->d), &s, err, sizeof(err)) ||
		    !uacd_usb_spec_match(&s, p))
			continue;
		ret = uacd_usb_reopen(t->d, bus, addr, err, sizeof(err));
		if (ret) {
			uacd_notice("%s: cannot take the re-plugged device: %s", t->d->name, err);
			continue;
		}
		if (enlist(t) == 0) {
			uacd_notice("%s: device back at %s", t->d->name, t->d->usb.bus_path);
			return;
		}
		uacd_usb_close(t->d, false);
		return;
	}
	/* A configured spec that wants it? */
	for (k = 0; k < hp->n_specs; k++) {
		struct uacd_device *d = NULL;
		struct hp_dev *t;

		if (!uacd_usb_spec_match(&hp->parsed[k], p))
			continue;
		ret = uacd_usb_create_at(hp->specs[k], bus, addr, &d, err, sizeof(err));
		if (ret) {
			uacd_notice("usb %04x:%04x at %s: %s", p->dev.vendor_id, p->dev.product_id,
				    p->bus_path, err);
			continue;
		}
		for (i = 2; name_taken(hp, d->name, d) && i < 100; i++) {
			char base[UACD_NAME_MAX - 4];

			memcpy(base, d->name, sizeof(base) - 1);
			base[sizeof(base) - 1] = '\0';
			snprintf(d->name, sizeof(d->name), "%s-%u", base, i % 100);
		}
		d->rt_priority = hp->parsed[k].priority >= 0 ? hp->parsed[k].priority : 0;
		t = track(hp, d, true);
		if (!t) {
			uacd_notice("%s: not served: uacd follows at most %u USB devices", d->name,
				    HP_MAX_DEVICES);
			uacd_dev_free(d);
			return;
		}
		if (hp->ops.adopt && hp->ops.adopt(d, hp->ops.data)) {
			hp->n_devs--;
			uacd_dev_free(d);
			return;
		}
		t->dormant = true;
		if (enlist(t)) {
			hp->n_devs--;
			dispose(hp, d);
			return;
		}
		uacd_notice("%s: new device at %s", d->name, d->usb.bus_path);
		return;
	}
}

static void rescan(struct uacd_hotplug *hp)
{
	struct scan_ctx *s = calloc(1, sizeof(*s));
	unsigned i, k;
	int ret;

	if (!s)
		return;
	s->hp = hp;
	ret = uacd_usb_scan(scan_cb, s);
	if (ret) {
		uacd_info("hotplug: cannot scan the bus: %s", strerror(-ret));
		free(s);
		return;
	}
	/* held but no longer on the bus: gone (its RT thread may not know yet) */
	for (i = 0; i < hp->n_devs; i++) {
		struct hp_dev *t = &hp->devs[i];
		uint8_t b, a;
		bool found = false;

		if (t->dormant)
			continue;
		uacd_usb_location(t->d, &b, &a);
		for (k = 0; k < s->seen.n; k++)
			if (s->seen.bus[k] == b && s->seen.addr[k] == a)
				found = true;
		if (!found)
			retire(t);
	}
	for (i = 0; i < s->n_fresh; i++)
		arrive(hp, s->fresh[i].bus, s->fresh[i].addr, &s->fresh[i].p);
	free(s);
}

static void on_event(void *data)
{
	struct uacd_hotplug *hp = data;
	char buf[64];

	while (read(hp->pipe[0], buf, sizeof(buf)) > 0)
		;
	rescan(hp);
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

int uacd_hotplug_start(struct uacd_server *srv, const char (*specs)[512], int n,
		       const struct uacd_hotplug_ops *ops, struct uacd_hotplug **out)
{
	struct uacd_hotplug *hp;
	struct uacd_device **devs;
	unsigned nd, i;
	char err[256];
	int k, ret;

	*out = NULL;
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return -ENOMEM;
	hp->srv = srv;
	if (ops)
		hp->ops = *ops;
	hp->pipe[0] = hp->pipe[1] = hp->nl = -1;
	for (k = 0; k < n && hp->n_specs < HP_MAX_SPECS; k++) {
		if (strncmp(specs[k], "usb", 3))
			continue;
		if (uacd_usb_spec_parse(specs[k], &hp->parsed[hp->n_specs], err, sizeof(err)))
			continue;	/* main already refused it */
		snprintf(hp->specs[hp->n_specs], sizeof(hp->specs[0]), "%s", specs[k]);
		hp->n_specs++;
	}
	if (!hp->n_specs) {
		free(hp);
		return 0;
	}
	nd = uacd_server_devices(srv, &devs);
	for (i = 0; i < nd; i++)
		if (uacd_usb_is_usb(devs[i])) {
			struct hp_dev *t = track(hp, devs[i], false);

			if (t)
				watch(t);
		}
	if (pipe2(hp->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		uacd_warn("hotplug: pipe: %s; devices will not come back after an unplug", strerror(errno));
		*out = hp;
		return 0;
	}
	ret = uacd_server_watch(srv, hp->pipe[0], on_event, hp);
	if (ret) {
		uacd_warn("hotplug: cannot watch: %s", strerror(-ret));
		*out = hp;
		return 0;
	}
	hp->watching_pipe = true;

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
	if (!hp->have_cb && hp->nl < 0) {
		uacd_warn("hotplug: no source of USB events: devices will not come back after an unplug");
		*out = hp;
		return 0;
	}
	ret = pthread_create(&hp->thread, NULL, event_main, hp);
	if (ret)
		uacd_warn("hotplug: cannot start the event thread: %s", strerror(ret));
	else
		hp->thread_running = true;
	uacd_info("hotplug: following USB arrivals for %d spec(s) (%s%s%s)", hp->n_specs,
		  hp->have_cb ? "libusb hotplug" : "", hp->have_cb && hp->nl >= 0 ? " + " : "",
		  hp->nl >= 0 ? "kernel uevents" : "");
	*out = hp;
	return 0;
}

bool uacd_hotplug_following(const struct uacd_hotplug *hp)
{
	return hp && hp->thread_running;
}

void uacd_hotplug_rescan(struct uacd_hotplug *hp)
{
	if (hp)
		rescan(hp);
}

void uacd_hotplug_stop(struct uacd_hotplug *hp)
{
	unsigned i;

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
	if (hp->watching_pipe)
		uacd_server_unwatch(hp->srv, hp->pipe[0]);
	for (i = 0; i < hp->n_devs; i++) {
		struct hp_dev *t = &hp->devs[i];

		unwatch(t);
		if (!t->owned)
			continue;
		if (in_server(hp->srv, t->d))
			uacd_server_remove_device(hp->srv, t->d);
		dispose(hp, t->d);
	}
	if (hp->nl >= 0)
		close(hp->nl);
	if (hp->pipe[0] >= 0)
		close(hp->pipe[0]);
	if (hp->pipe[1] >= 0)
		close(hp->pipe[1]);
	free(hp);
}
