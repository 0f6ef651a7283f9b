/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One handler per client message.  Every message was size-checked against
 * its type (srv_handle_msg), every string field is bounded (srv_field),
 * and every request is authorized (server-auth.c) before it acts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/uacd-device.h"
#include "engine/core/format.h"
#include "engine/core/log.h"
#include "engine/daemon/registry.h"
#include "engine/daemon/server-private.h"

static void handle_hello(struct uacd_server *srv, struct conn *c, struct uacd_hello *m)
{
	struct uacd_hello r = { .hdr = m->hdr };
	int pfd[2];
	int fds[1];

	(void)srv;
	/*
	 * One HELLO per connection: the wake pipe's read end went to the
	 * client with the first and is not ours to send again, and a fresh
	 * pipe would orphan the streams already waking through the first.
	 * A second one is a protocol error, answered (never left hanging)
	 * and changing nothing, not even the name.
	 */
	if (c->hello_done) {
		srv_reply_text(c, &m->hdr, -EPROTO, "HELLO twice on one connection");
		return;
	}
	srv_field(m->name, m->name, sizeof(m->name));
	snprintf(c->name, sizeof(c->name), "%s", m->name[0] ? m->name : "client");
	/* The name goes into logs and `uacctl status`: no newline, ESC or BEL. */
	srv_clean(c->name);
	r.version = UACD_PROTO_VERSION;
	if (m->version != UACD_PROTO_VERSION) {
		r.hdr.result = -EPROTONOSUPPORT;
		srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
		return;
	}
	if (c->wake_w < 0) {
		if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
			r.hdr.result = -errno;
			srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
			return;
		}
		c->wake_r = pfd[0];
		c->wake_w = pfd[1];
	}
	r.hdr.result = 0;
	fds[0] = c->wake_r;
	c->hello_done = true;
	srv_send_reply(c->fd, &r, sizeof(r), fds, 1);
	/* The client has its copy; ours of the read end is not needed. */
	close(c->wake_r);
	c->wake_r = -1;
	uacd_dbg("client %s (pid %d, uid %d) connected", c->name, (int)c->pid, (int)c->uid);
}

static void handle_device_info(struct uacd_server *srv, struct conn *c, struct uacd_device_req *m)
{
	struct uacd_device_info r;
	struct uacd_device *d;
	char name[UACD_NAME_MAX];

	memset(&r, 0, sizeof(r));
	r.hdr = m->hdr;
	srv_field(name, m->device, sizeof(name));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		r.hdr.result = -ENODEV;
		srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
		return;
	}
	if (m->access == UACD_ACCESS_PLAYBACK || m->access == UACD_ACCESS_CAPTURE ||
	    m->access == UACD_ACCESS_CONTROL) {
		char why[UACD_ERRTEXT_MAX];
		enum uacpol_action a = m->access == UACD_ACCESS_PLAYBACK ? UACPOL_PLAY :
				       m->access == UACD_ACCESS_CAPTURE ? UACPOL_RECORD : UACPOL_CONTROL;

		if (srv_authorize(srv, c, d, a, why, sizeof(why))) {
			srv_reply_text(c, &m->hdr, -EACCES, "%s", why);
			return;
		}
	}
	snprintf(r.device, sizeof(r.device), "%s", uacd_dev_name(d));
	r.format = uacd_dev_format(d);
	r.rate = uacd_dev_rate(d);
	r.rate_locked = 1;	/* rate switching happens only through STREAM_OPEN on an idle device */
	r.n_rates = 1;
	r.rates[0] = uacd_dev_rate(d);
	if (uacd_dev_stream_count(d) == 0) {
		const uint32_t *rates;
		unsigned n = uacd_dev_rates(d, &rates);

		if (n) {
			r.rate_locked = 0;
			r.n_rates = n;
			memcpy(r.rates, rates, sizeof(r.rates[0]) * n);
		}
	}
	r.playback_channels = uacd_dev_channels(d, UACD_DIR_PLAYBACK);
	r.capture_channels = uacd_dev_channels(d, UACD_DIR_CAPTURE);
	r.playback_chmap = uacd_dev_chmap(d, UACD_DIR_PLAYBACK);
	r.capture_chmap = uacd_dev_chmap(d, UACD_DIR_CAPTURE);
	r.packet_frames_max = uacd_dev_max_frames(d);
	r.latency_frames = uacd_dev_latency_frames(d);
	r.hdr.result = 0;
	srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
}

static void handle_stream_open(struct uacd_server *srv, struct conn *c, struct uacd_stream_req *m)
{
	struct uacd_stream_reply r;
	struct uacd_device *d;
	struct uacd_stream *s = NULL;
	char name[UACD_NAME_MAX];
	int ret, fds[1];

	memset(&r, 0, sizeof(r));
	r.hdr = m->hdr;
	srv_field(name, m->device, sizeof(name));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		r.hdr.result = -ENODEV;
		snprintf(r.text, sizeof(r.text), "no device named '%s'", name);
		goto reply;
	}
	if (c->wake_w < 0) {
		r.hdr.result = -EPROTO;
		snprintf(r.text, sizeof(r.text), "STREAM_OPEN before HELLO");
		goto reply;
	}
	ret = srv_authorize(srv, c, d, m->direction == UACD_DIR_CAPTURE ? UACPOL_RECORD : UACPOL_PLAY,
			r.text, sizeof(r.text));
	if (ret) {
		r.hdr.result = ret;
		goto reply;
	}
	if (c->n_streams >= MAX_CONN_STREAMS) {
		r.hdr.result = -EMFILE;
		snprintf(r.text, sizeof(r.text), "too many streams on one connection");
		goto reply;
	}
	/* Everything checked before the rate changes: a refused stream changes nothing. */
	ret = uacd_dev_stream_check(d, m, r.text, sizeof(r.text));
	/* Stream and ring-memory limits (logged there, rate-limited). */
	if (!ret && (ret = srv_limit_stream(srv, c, m, r.text, sizeof(r.text)))) {
		r.hdr.result = ret;
		srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
		return;
	}
	if (!ret)
		ret = uacd_dev_switch_rate(d, m->rate, r.text, sizeof(r.text));
	if (ret) {
		r.hdr.result = ret;
		goto reply;
	}
	ret = uacd_dev_stream_open(d, m, c->wake_w, c->pid, c->name, &s, r.text, sizeof(r.text));
	if (ret) {
		r.hdr.result = ret;
		goto reply;
	}
	c->streams[c->n_streams++] = s;
	r.hdr.result = 0;
	r.shm_size = (uint32_t)s->shm_size;
	r.stream_id = s->id;
	fds[0] = s->memfd;
	uacd_info("%s: stream %u opened by %s (pid %d): %s %s %u ch %u Hz, buffer %u, period %u",
		  uacd_dev_name(d), s->id, c->name, (int)c->pid, m->direction ? "capture" : "playback",
		  uacd_format_name(s->format), s->channels, uacd_dev_rate(d), s->buffer_frames, s->period_frames);
	srv_send_reply(c->fd, &r, sizeof(r), fds, 1);
	return;
reply:
	/* r.text may quote the client's device name */
	srv_clean(r.text);
	srv_log_client(srv, c->uid, UACD_LOG_INFO, "refused stream for %s (pid %d): %s", c->name,
		       (int)c->pid, r.text);
	srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
}

static void handle_stream_close(struct conn *c, struct uacd_msg_hdr *h)
{
	struct uacd_msg_hdr r = *h;
	unsigned i;

	/* Closes every stream of the connection (one PCM = one connection). */
	for (i = 0; i < c->n_streams; i++)
		uacd_dev_stream_close(c->streams[i]);
	c->n_streams = 0;
	r.result = 0;
	srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
}

static void handle_status(struct uacd_server *srv, struct conn *c, struct uacd_msg_hdr *h,
			  const char *devname, bool hooks)
{
	struct uacd_device *devs[UACD_REGISTRY_MAX], *named = NULL;
	unsigned n = uacd_registry_served(srv->reg, devs, UACD_REGISTRY_MAX), i;
	char why[UACD_ERRTEXT_MAX];
	size_t off = 0;
	char *buf;

	if (devname[0]) {
		named = uacd_server_find_device(srv, devname);
		if (!named) {
			srv_reply_text(c, h, -ENODEV, "no device named '%s'", devname);
			return;
		}
		if (srv_authorize_read(srv, c, named, false, why, sizeof(why))) {
			srv_reply_text(c, h, -EACCES, "%s", why);
			return;
		}
	}
	buf = calloc(1, UACD_MSG_MAX);
	if (!buf) {
		srv_reply_text(c, h, -ENOMEM, "out of memory");
		return;
	}
	for (i = 0; i < n && off < UACD_MSG_MAX - 64; i++) {
		struct uacd_device *d = devs[i];

		if (named ? d != named : srv_authorize_read(srv, c, d, true, NULL, 0) != 0)
			continue;
		if (hooks)
			off += (size_t)uacd_dev_hooks_describe(d, buf + off, UACD_MSG_MAX - 64 - off);
		else
			off += (size_t)uacd_dev_describe(d, buf + off, UACD_MSG_MAX - 64 - off);
	}
	srv_reply_text(c, h, 0, "%s", buf);
	free(buf);
}

static void handle_list(struct uacd_server *srv, struct conn *c, struct uacd_msg_hdr *h)
{
	struct uacd_device *devs[UACD_REGISTRY_MAX];
	unsigned n = uacd_registry_served(srv->reg, devs, UACD_REGISTRY_MAX), i;
	char buf[UACD_MSG_MAX - 64];
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < sizeof(buf); i++) {
		struct uacd_device *d = devs[i];

		/* Only the devices this client may see. */
		if (srv_authorize_read(srv, c, d, true, NULL, 0))
			continue;

		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s\t%s\t%s\t%u Hz\tplayback %u ch\tcapture %u ch\tstreams %u\n",
					uacd_dev_name(d), uacd_dev_kind(d), uacd_format_name(uacd_dev_format(d)), uacd_dev_rate(d),
					uacd_dev_channels(d, UACD_DIR_PLAYBACK), uacd_dev_channels(d, UACD_DIR_CAPTURE), uacd_dev_stream_count(d));
	}
	srv_reply_text(c, h, 0, "%s", buf);
}

static void handle_stats(struct uacd_server *srv, struct conn *c, struct uacd_device_req *m)
{
	struct uacd_stats_reply *r;
	struct uacd_device *d;
	char name[UACD_NAME_MAX], why[UACD_ERRTEXT_MAX];
	size_t size;

	srv_field(name, m->device, sizeof(name));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		srv_reply_text(c, &m->hdr, -ENODEV, "no device named '%s'", name);
		return;
	}
	if (srv_authorize_read(srv, c, d, false, why, sizeof(why))) {
		srv_reply_text(c, &m->hdr, -EACCES, "%s", why);
		return;
	}
	r = calloc(1, UACD_STATS_REPLY_MAX);
	if (!r) {
		srv_reply_text(c, &m->hdr, -ENOMEM, "out of memory");
		return;
	}
	r->hdr = m->hdr;
	r->hdr.result = 0;
	size = uacd_dev_stats(d, r, UACD_STATS_MAX_STREAMS);
	srv_send_reply(c->fd, r, size, NULL, 0);
	free(r);
}

static void handle_control(struct uacd_server *srv, struct conn *c, struct uacd_control_req *m)
{
	struct uacd_control_reply r;
	struct uacd_device *d;
	char name[UACD_NAME_MAX], ctl[UACD_NAME_MAX];
	int ret;

	memset(&r, 0, sizeof(r));
	r.hdr = m->hdr;
	srv_field(name, m->device, sizeof(name));
	srv_field(ctl, m->control, sizeof(ctl));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		r.hdr.result = -ENODEV;
		snprintf(r.text, sizeof(r.text), "no device named '%s'", name);
	} else if (m->op == UACD_CTL_SET &&
		   srv_authorize(srv, c, d, UACPOL_CONTROL, r.text, sizeof(r.text))) {
		r.hdr.result = -EACCES;
	} else {
		r.value = m->value;
		ret = uacd_dev_control(d, ctl, m->op == UACD_CTL_SET, &r.value, &r.min, &r.max, &r.res);
		r.hdr.result = ret;
		if (ret == -ENOENT)
			snprintf(r.text, sizeof(r.text), "device %s has no control '%s'", uacd_dev_name(d), ctl);
		else if (ret == -EPERM)
			snprintf(r.text, sizeof(r.text), "%s: control '%s' is read-only", uacd_dev_name(d), ctl);
		else if (ret < 0)
			snprintf(r.text, sizeof(r.text), "%s %s: %s", uacd_dev_name(d), ctl, strerror(-ret));
		else if (m->op == UACD_CTL_SET)
			uacd_info("%s: %s set to %d by %s (pid %d)", uacd_dev_name(d), ctl, r.value, c->name, (int)c->pid);
	}
	srv_send_reply(c->fd, &r, sizeof(r), NULL, 0);
}

static void handle_hook(struct uacd_server *srv, struct conn *c, struct uacd_hook_req *m)
{
	char name[UACD_NAME_MAX], path[256], args[256], msg[UACD_ERRTEXT_MAX] = "";
	struct uacd_device *d;
	bool load = m->hdr.type == UACD_MSG_HOOK_LOAD;
	int ret;

	srv_field(name, m->device, sizeof(name));
	srv_field(path, m->path, sizeof(path));
	srv_field(args, m->args, sizeof(args));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		srv_reply_text(c, &m->hdr, -ENODEV, "no device named '%s'", name);
		return;
	}
	/* Running code inside the driver is the "hook" right, nothing less. */
	if (srv_authorize(srv, c, d, UACPOL_HOOK, msg, sizeof(msg))) {
		srv_reply_text(c, &m->hdr, -EACCES, "%s", msg);
		return;
	}
	ret = uacd_registry_hook(srv->reg, d, load, path, args, msg, sizeof(msg));
	srv_clean(path);	/* for the log only: the file was found by its real name */
	if (!ret)
		uacd_notice("%s: hook %s %s by %s (pid %d, uid %d)", uacd_dev_name(d), path,
			    load ? "loaded" : "unloaded", c->name, (int)c->pid, (int)c->uid);
	srv_reply_text(c, &m->hdr, ret, "%s", msg);
}

void srv_handle_msg(struct uacd_server *srv, struct conn *c, uint8_t *buf, ssize_t n)
{
	struct uacd_msg_hdr *h = (struct uacd_msg_hdr *)buf;
	static const size_t need[] = {
		[UACD_MSG_HELLO] = sizeof(struct uacd_hello),
		[UACD_MSG_DEVICE_INFO] = sizeof(struct uacd_device_req),
		[UACD_MSG_STREAM_OPEN] = sizeof(struct uacd_stream_req),
		[UACD_MSG_STREAM_CLOSE] = sizeof(struct uacd_msg_hdr),
		[UACD_MSG_STATUS] = sizeof(struct uacd_device_req),
		[UACD_MSG_RELOAD] = sizeof(struct uacd_msg_hdr),
		[UACD_MSG_LIST] = sizeof(struct uacd_msg_hdr),
		[UACD_MSG_CONTROL] = sizeof(struct uacd_control_req),
		[UACD_MSG_HOOKS] = sizeof(struct uacd_device_req),
		[UACD_MSG_HOOK_LOAD] = sizeof(struct uacd_hook_req),
		[UACD_MSG_HOOK_UNLOAD] = sizeof(struct uacd_hook_req),
		[UACD_MSG_STATS] = sizeof(struct uacd_device_req),
	};
	char name[UACD_NAME_MAX];

	if ((size_t)n < sizeof(*h)) {
		srv_log_client(srv, c->uid, UACD_LOG_INFO,
			       "client %s (pid %d): %zd-byte message, shorter than a header; closing",
			       c->name, (int)c->pid, n);
		srv_conn_close(srv, c);
		return;
	}
	if (h->type == 0 || h->type >= sizeof(need) / sizeof(need[0]) || (size_t)n < need[h->type]) {
		srv_reply_text(c, h, h->type && h->type < sizeof(need) / sizeof(need[0]) ? -EBADMSG : -ENOSYS,
			   "message type %u of %zd bytes not understood", h->type, n);
		return;
	}
	switch (h->type) {
	case UACD_MSG_HELLO:
		handle_hello(srv, c, (struct uacd_hello *)buf);
		break;
	case UACD_MSG_DEVICE_INFO:
		handle_device_info(srv, c, (struct uacd_device_req *)buf);
		break;
	case UACD_MSG_STREAM_OPEN:
		handle_stream_open(srv, c, (struct uacd_stream_req *)buf);
		break;
	case UACD_MSG_STREAM_CLOSE:
		handle_stream_close(c, h);
		break;
	case UACD_MSG_STATUS:
	case UACD_MSG_HOOKS:
		srv_field(name, ((struct uacd_device_req *)buf)->device, sizeof(name));
		handle_status(srv, c, h, name, h->type == UACD_MSG_HOOKS);
		break;
	case UACD_MSG_LIST:
		handle_list(srv, c, h);
		break;
	case UACD_MSG_RELOAD: {
		char msg[UACD_ERRTEXT_MAX] = "nothing to reload";
		int ret = srv_authorize_reload(srv, c, msg, sizeof(msg));

		if (!ret && srv->reload)
			ret = srv->reload(srv->reload_data, msg, sizeof(msg));
		srv_reply_text(c, h, ret, "%s", msg);
		break;
	}
	case UACD_MSG_CONTROL:
		handle_control(srv, c, (struct uacd_control_req *)buf);
		break;
	case UACD_MSG_HOOK_LOAD:
	case UACD_MSG_HOOK_UNLOAD:
		handle_hook(srv, c, (struct uacd_hook_req *)buf);
		break;
	case UACD_MSG_STATS:
		handle_stats(srv, c, (struct uacd_device_req *)buf);
		break;
	}
}
