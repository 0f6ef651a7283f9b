/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The control thread: the client socket, signals and the RT log.
 *
 * One epoll loop serves the listening socket, every client connection, a
 * signalfd (SIGINT/SIGTERM stop, SIGHUP reloads) and a 100 ms timer that
 * drains the RT log queue.  Each connection is one SOCK_SEQPACKET peer,
 * usually one ALSA PCM.  At HELLO the daemon creates a wake pipe for the
 * connection, keeps the write end (O_NONBLOCK, on its own open file
 * description, so no client can make the RT thread block) and sends the
 * read end; every stream of that connection wakes the client through it.
 *
 * A connection that closes, however it died, takes its streams with it:
 * each is unpublished from the RT thread (RCU) before its memory goes.
 * Nothing a client sends can stop the loop: every message is size-checked
 * against its type, strings are bounded, and an unknown type gets -ENOSYS.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include <urcu-qsbr.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "engine/core/device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/format.h"
#include "engine/core/log.h"
#include "engine/daemon/registry.h"
#include "engine/daemon/server.h"
#include "entitlement-policy/uacpol.h"

#define MAX_CONN_STREAMS 16

/* Every epoll item that is a pointer starts with its kind. */
enum item_kind { ITEM_CONN = 0x636f6e6e, ITEM_WATCH = 0x77617463 };

struct watch {
	enum item_kind kind;
	int fd;
	void (*cb)(void *data);
	void *data;
	struct watch *next;
};

struct conn {
	enum item_kind kind;
	int fd;
	int wake_r, wake_w;
	pid_t pid;
	uid_t uid;
	gid_t gid;
	char name[UACD_NAME_MAX];
	struct uacd_stream *streams[MAX_CONN_STREAMS];
	unsigned n_streams;
	struct uacpol_client ident;	/* SO_PEERCRED + pidfd, taken at accept */
	bool ident_ok;
	unsigned denied_logged;		/* bit per action: log each denial once */
	struct conn *next;
};

struct uacd_server {
	int listen_fd;
	bool activated;			/* socket came from systemd */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int epfd;
	int sigfd;
	int timerfd;
	struct uacd_registry *reg;	/* the devices: the registry owns them */
	struct conn *conns;
	struct watch *watches;
	struct uacpol *policy;		/* RCU, owned; NULL = deny everything */
	uacd_reload_fn reload;
	void *reload_data;
	bool quit;
};

/* epoll tags: small integers for the fixed fds, pointers for connections. */
#define TAG_LISTEN ((void *)1)
#define TAG_SIGNAL ((void *)2)
#define TAG_TIMER ((void *)3)

static int ep_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int listen_socket(struct uacd_server *srv, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)], *slash;
	int fd, ret;

#ifdef HAVE_SYSTEMD
	if (sd_listen_fds(0) >= 1 && sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_SEQPACKET, 1, NULL, 0) > 0) {
		srv->activated = true;
		uacd_info("using the socket passed by systemd");
		return SD_LISTEN_FDS_START;
	}
#endif
	if (strlen(path) >= sizeof(sa.sun_path)) {
		uacd_err("socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(srv->path, sizeof(srv->path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			ret = -errno;
			uacd_err("cannot create %s: %s", dir, strerror(errno));
			return ret;
		}
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int probe;

		if (errno != EADDRINUSE)
			goto err_bind;
		/* A socket file is there: is someone serving it? */
		probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			close(fd);
			uacd_err("another uacd is already serving %s", path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			goto err_bind;
	}
	/* Who may do what is the policy's decision, not the file mode's. */
	chmod(path, 0666);
	if (listen(fd, 64) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;

err_bind:
	ret = -errno;
	uacd_err("cannot bind %s: %s", path, strerror(errno));
	close(fd);
	return ret;
}

int uacd_server_new(const char *socket_path, struct uacd_registry *reg, struct uacd_server **out)
{
	struct uacd_server *srv;
	struct itimerspec its = { .it_interval = { 0, 100000000 }, .it_value = { 0, 100000000 } };
	sigset_t mask;
	int ret;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return -ENOMEM;
	srv->listen_fd = srv->epfd = srv->sigfd = srv->timerfd = -1;
	srv->reg = reg;

	ret = listen_socket(srv, socket_path);
	if (ret < 0)
		goto err_free;
	srv->listen_fd = ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	srv->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	srv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->sigfd < 0 || srv->timerfd < 0 || srv->epfd < 0) {
		ret = -errno;
		goto err_free;
	}
	timerfd_settime(srv->timerfd, 0, &its, NULL);
	if (ep_add(srv->epfd, srv->listen_fd, TAG_LISTEN) || ep_add(srv->epfd, srv->sigfd, TAG_SIGNAL) ||
	    ep_add(srv->epfd, srv->timerfd, TAG_TIMER)) {
		ret = -errno;
		goto err_free;
	}
	*out = srv;
	return 0;

err_free:
	uacd_server_free(srv);
	return ret;
}

void uacd_server_set_reload(struct uacd_server *srv, uacd_reload_fn fn, void *data)
{
	srv->reload = fn;
	srv->reload_data = data;
}

static void conn_close(struct uacd_server *srv, struct conn *c)
{
	struct conn **pp;
	unsigned i;

	for (pp = &srv->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	/* uacd_dev_stream_close() waits for the RT thread: the wake fd is unused after. */
	for (i = 0; i < c->n_streams; i++) {
		uacd_dbg("%s: stream %u of %s (pid %d) closed", c->streams[i]->dev->name,
			 c->streams[i]->id, c->name, (int)c->pid);
		uacd_dev_stream_close(c->streams[i]);
	}
	if (c->wake_r >= 0)
		close(c->wake_r);
	if (c->wake_w >= 0)
		close(c->wake_w);
	if (c->ident_ok)
		uacpol_identity_release(&c->ident);
	close(c->fd);
	free(c);
}

void uacd_server_free(struct uacd_server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		conn_close(srv, srv->conns);
	while (srv->watches) {
		struct watch *w = srv->watches;

		srv->watches = w->next;
		free(w);
	}
	uacpol_free(srv->policy);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->sigfd >= 0)
		close(srv->sigfd);
	if (srv->timerfd >= 0)
		close(srv->timerfd);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		if (!srv->activated && srv->path[0])
			unlink(srv->path);
	}
	free(srv);
}

static void accept_conn(struct uacd_server *srv)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct conn *c;
	int fd;

	fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->kind = ITEM_CONN;
	c->fd = fd;
	c->wake_r = c->wake_w = -1;
	c->ident.pidfd = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
		c->pid = cred.pid;
		c->uid = cred.uid;
		c->gid = cred.gid;
	}
	/* Who this is, pinned now: a later exec cannot borrow these rights. */
	c->ident_ok = uacpol_identity_from_socket(fd, &c->ident) == 0;
	snprintf(c->name, sizeof(c->name), "pid %d", (int)c->pid);
	if (c->ident_ok && c->ident.exe[0]) {
		const char *base = strrchr(c->ident.exe, '/');

		snprintf(c->name, sizeof(c->name), "%.63s", base ? base + 1 : c->ident.exe);
	}
	if (ep_add(srv->epfd, fd, c)) {
		close(fd);
		free(c);
		return;
	}
	c->next = srv->conns;
	srv->conns = c;
}

static int send_reply(int fd, void *msg, size_t size, const int *fds, int n_fds)
{
	struct iovec iov = { .iov_base = msg, .iov_len = size };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	((struct uacd_msg_hdr *)msg)->size = (uint32_t)size;
	if (n_fds > 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n_fds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n_fds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)n_fds);
	}
	return sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -errno : 0;
}

static void reply_text(struct conn *c, const struct uacd_msg_hdr *req, int result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reply_text(struct conn *c, const struct uacd_msg_hdr *req, int result, const char *fmt, ...)
{
	struct uacd_text *t = calloc(1, sizeof(*t));
	va_list ap;

	if (!t)
		return;
	t->hdr.type = req->type;
	t->hdr.seq = req->seq;
	t->hdr.result = result;
	va_start(ap, fmt);
	vsnprintf(t->text, sizeof(t->text), fmt, ap);
	va_end(ap);
	send_reply(c->fd, t, sizeof(t->hdr) + strlen(t->text) + 1, NULL, 0);
	free(t);
}

struct uacd_device *uacd_server_find_device(struct uacd_server *srv, const char *name)
{
	return uacd_registry_find(srv->reg, name);
}

/* Copy a fixed-size string field from a client message, always terminated. */
static void field(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n - 1] = '\0';
}

static void policy_device(const struct uacd_device *d, struct uacpol_device *pd)
{
	pd->name = d->name;
	pd->kind = d->ops->kind;
	pd->usb_class = d->usb.cls;
	pd->usb_subclass = d->usb.subcls;
	pd->vid = d->usb.vid;
	pd->pid = d->usb.pid;
	pd->serial = d->usb.serial[0] ? d->usb.serial : NULL;
	pd->bus_path = d->usb.bus_path[0] ? d->usb.bus_path : NULL;
}

/*
 * May this connection do `a` on device d?  0, or -EACCES with a sentence
 * for the client in text.  Each denial is logged once per connection and
 * action, with who, what and which rule.
 */
/* The policy's answer for c doing a on d (NULL: the daemon itself, no device). */
static void decide(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
		   enum uacpol_action a, struct uacpol_decision *dec)
{
	struct uacpol_device pd;
	struct uacpol *pol;

	memset(dec, 0, sizeof(*dec));
	pol = rcu_dereference(srv->policy);
	if (!c->ident_ok) {
		snprintf(dec->rule, sizeof(dec->rule), "identity");
		snprintf(dec->reason, sizeof(dec->reason), "uacd could not identify the client");
	} else if (!pol) {
		snprintf(dec->rule, sizeof(dec->rule), "%s", UACPOL_DEFAULT_DENY);
		snprintf(dec->reason, sizeof(dec->reason), "no policy is loaded");
	} else if (!d) {
		uacpol_check_client(pol, &c->ident, "", a, dec);
	} else {
		policy_device(d, &pd);
		uacpol_check_client_device(pol, &c->ident, &pd, a, dec);
	}
}

/* A denial: the client's sentence in text, and one log line per connection and right. */
static int deny(struct conn *c, struct uacd_device *d, const char *what, unsigned bit,
		const struct uacpol_decision *dec, char *text, size_t len)
{
	const char *on = d ? d->name : "the daemon (no device)";

	snprintf(text, len, "permission denied: %s on %.40s (policy rule '%.48s': %.120s)",
		 what, on, dec->rule, dec->reason);
	if (!(c->denied_logged & (1u << bit))) {
		c->denied_logged |= 1u << bit;
		uacd_notice("denied %s on %s to %s (pid %d, uid %d, exe %s): rule '%s': %s",
			    what, on, c->name, (int)c->pid, (int)c->uid,
			    c->ident_ok && c->ident.exe[0] ? c->ident.exe : "?", dec->rule, dec->reason);
	}
	return -EACCES;
}

static int authorize(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
		     enum uacpol_action a, char *text, size_t len)
{
	struct uacpol_decision dec;

	decide(srv, c, d, a, &dec);
	if (dec.allow)
		return 0;
	return deny(c, d, uacpol_action_name(a), (unsigned)a, &dec, text, len);
}

/*
 * The read right (STATUS, LIST, STATS, HOOKS): whoever may play, record
 * or change controls on d may see it, its streams and its numbers.  See
 * uacd-policy.yml(5).  quiet: no text, no log (LIST skips what it may not
 * show).
 */
#define READ_BIT 31u
static int authorize_read(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
			  bool quiet, char *text, size_t len)
{
	static const enum uacpol_action rights[] = { UACPOL_PLAY, UACPOL_RECORD, UACPOL_CONTROL };
	struct uacpol_decision dec, first;
	size_t i;

	for (i = 0; i < sizeof(rights) / sizeof(rights[0]); i++) {
		decide(srv, c, d, rights[i], &dec);
		if (dec.allow)
			return 0;
		if (i == 0)
			first = dec;
	}
	if (quiet)
		return -EACCES;
	return deny(c, d, "read (play, record or control)", READ_BIT, &first, text, len);
}

/* Reload touches every device: the reload right on each, or admin when there is none. */
static int authorize_reload(struct uacd_server *srv, struct conn *c, char *text, size_t len)
{
	struct uacd_device *devs[UACD_REGISTRY_MAX];
	unsigned n = uacd_registry_all(srv->reg, devs, UACD_REGISTRY_MAX), i;
	int ret;

	if (!n)
		return authorize(srv, c, NULL, UACPOL_ADMIN, text, len);
	for (i = 0; i < n; i++) {
		ret = authorize(srv, c, devs[i], UACPOL_RELOAD, text, len);
		if (ret)
			return ret;
	}
	return 0;
}

static void handle_hello(struct uacd_server *srv, struct conn *c, struct uacd_hello *m)
{
	struct uacd_hello r = { .hdr = m->hdr };
	int pfd[2];
	int fds[1];

	(void)srv;
	field(m->name, m->name, sizeof(m->name));
	snprintf(c->name, sizeof(c->name), "%s", m->name[0] ? m->name : "client");
	r.version = UACD_PROTO_VERSION;
	if (m->version != UACD_PROTO_VERSION) {
		r.hdr.result = -EPROTONOSUPPORT;
		send_reply(c->fd, &r, sizeof(r), NULL, 0);
		return;
	}
	if (c->wake_w < 0) {
		if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
			r.hdr.result = -errno;
			send_reply(c->fd, &r, sizeof(r), NULL, 0);
			return;
		}
		c->wake_r = pfd[0];
		c->wake_w = pfd[1];
	}
	r.hdr.result = 0;
	fds[0] = c->wake_r;
	send_reply(c->fd, &r, sizeof(r), fds, 1);
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
	field(name, m->device, sizeof(name));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		r.hdr.result = -ENODEV;
		send_reply(c->fd, &r, sizeof(r), NULL, 0);
		return;
	}
	if (m->access == UACD_ACCESS_PLAYBACK || m->access == UACD_ACCESS_CAPTURE ||
	    m->access == UACD_ACCESS_CONTROL) {
		char why[UACD_ERRTEXT_MAX];
		enum uacpol_action a = m->access == UACD_ACCESS_PLAYBACK ? UACPOL_PLAY :
				       m->access == UACD_ACCESS_CAPTURE ? UACPOL_RECORD : UACPOL_CONTROL;

		if (authorize(srv, c, d, a, why, sizeof(why))) {
			reply_text(c, &m->hdr, -EACCES, "%s", why);
			return;
		}
	}
	snprintf(r.device, sizeof(r.device), "%s", d->name);
	r.format = d->format;
	r.rate = d->rate;
	r.rate_locked = 1;	/* rate switching happens only through STREAM_OPEN on an idle device */
	r.n_rates = 1;
	r.rates[0] = d->rate;
	if (uacd_dev_stream_count(d) == 0 && d->ops->set_rate) {
		r.rate_locked = 0;
		r.n_rates = d->n_rates;
		memcpy(r.rates, d->rates, sizeof(r.rates[0]) * d->n_rates);
	}
	r.playback_channels = d->play_ch;
	r.capture_channels = d->cap_ch;
	r.packet_frames_max = d->max_frames;
	r.latency_frames = d->latency_frames;
	r.hdr.result = 0;
	send_reply(c->fd, &r, sizeof(r), NULL, 0);
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
	field(name, m->device, sizeof(name));
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
	ret = authorize(srv, c, d, m->direction == UACD_DIR_CAPTURE ? UACPOL_RECORD : UACPOL_PLAY,
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
		  d->name, s->id, c->name, (int)c->pid, m->direction ? "capture" : "playback",
		  uacd_format_name(s->format), s->channels, d->rate, s->buffer_frames, s->period_frames);
	send_reply(c->fd, &r, sizeof(r), fds, 1);
	return;
reply:
	uacd_info("refused stream for %s (pid %d): %s", c->name, (int)c->pid, r.text);
	send_reply(c->fd, &r, sizeof(r), NULL, 0);
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
	send_reply(c->fd, &r, sizeof(r), NULL, 0);
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
			reply_text(c, h, -ENODEV, "no device named '%s'", devname);
			return;
		}
		if (authorize_read(srv, c, named, false, why, sizeof(why))) {
			reply_text(c, h, -EACCES, "%s", why);
			return;
		}
	}
	buf = calloc(1, UACD_MSG_MAX);
	if (!buf) {
		reply_text(c, h, -ENOMEM, "out of memory");
		return;
	}
	for (i = 0; i < n && off < UACD_MSG_MAX - 64; i++) {
		struct uacd_device *d = devs[i];

		if (named ? d != named : authorize_read(srv, c, d, true, NULL, 0) != 0)
			continue;
		if (hooks)
			off += (size_t)uacd_dev_hooks_describe(d, buf + off, UACD_MSG_MAX - 64 - off);
		else
			off += (size_t)uacd_dev_describe(d, buf + off, UACD_MSG_MAX - 64 - off);
	}
	reply_text(c, h, 0, "%s", buf);
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
		if (authorize_read(srv, c, d, true, NULL, 0))
			continue;

		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
					"%s\t%s\t%s\t%u Hz\tplayback %u ch\tcapture %u ch\tstreams %u\n",
					d->name, d->ops->kind, uacd_format_name(d->format), d->rate,
					d->play_ch, d->cap_ch, uacd_dev_stream_count(d));
	}
	reply_text(c, h, 0, "%s", buf);
}

/*
 * "latency" (µs from the ring to the DAC) and "xruns": numbers, not
 * settings.  0, -ENOENT for another name, -EPERM on SET.
 */
static int readonly_control(struct uacd_device *d, const char *ctl, bool set,
			    struct uacd_control_reply *r)
{
	uint64_t v;

	if (!strcmp(ctl, "latency"))
		v = d->rate ? (uint64_t)uacd_dev_out_latency(d) * 1000000u / d->rate : 0;
	else if (!strcmp(ctl, "xruns"))
		v = __atomic_load_n(&d->stats.xruns, __ATOMIC_RELAXED);
	else
		return -ENOENT;
	if (set)
		return -EPERM;
	r->value = v > INT32_MAX ? INT32_MAX : (int32_t)v;
	r->min = 0;
	r->max = INT32_MAX;
	r->res = 1;
	return 0;
}

static void handle_stats(struct uacd_server *srv, struct conn *c, struct uacd_device_req *m)
{
	struct uacd_stats_reply *r;
	struct uacd_device *d;
	char name[UACD_NAME_MAX], why[UACD_ERRTEXT_MAX];
	size_t size;

	field(name, m->device, sizeof(name));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		reply_text(c, &m->hdr, -ENODEV, "no device named '%s'", name);
		return;
	}
	if (authorize_read(srv, c, d, false, why, sizeof(why))) {
		reply_text(c, &m->hdr, -EACCES, "%s", why);
		return;
	}
	r = calloc(1, UACD_STATS_REPLY_MAX);
	if (!r) {
		reply_text(c, &m->hdr, -ENOMEM, "out of memory");
		return;
	}
	r->hdr = m->hdr;
	r->hdr.result = 0;
	size = uacd_dev_stats(d, r, UACD_STATS_MAX_STREAMS);
	send_reply(c->fd, r, size, NULL, 0);
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
	field(name, m->device, sizeof(name));
	field(ctl, m->control, sizeof(ctl));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		r.hdr.result = -ENODEV;
		snprintf(r.text, sizeof(r.text), "no device named '%s'", name);
	} else if (m->op == UACD_CTL_SET &&
		   authorize(srv, c, d, UACPOL_CONTROL, r.text, sizeof(r.text))) {
		r.hdr.result = -EACCES;
	} else {
		r.value = m->value;
		/* The device's own controls first; software volume/mute where it has none. */
		ret = d->ops->control ? d->ops->control(d, ctl, m->op == UACD_CTL_SET, &r.value, &r.min,
							 &r.max, &r.res) : -ENOENT;
		if (ret == -ENOENT)
			ret = uacd_dev_sw_control(d, ctl, m->op == UACD_CTL_SET, &r.value, &r.min,
						  &r.max, &r.res);
		if (ret == -ENOENT)
			ret = uacd_dsp_stage_control(d->dsp, ctl, m->op == UACD_CTL_SET, &r.value, &r.min,
						     &r.max, &r.res);
		if (ret == -ENOENT)
			ret = readonly_control(d, ctl, m->op == UACD_CTL_SET, &r);
		r.hdr.result = ret;
		if (ret == -ENOENT)
			snprintf(r.text, sizeof(r.text), "device %s has no control '%s'", d->name, ctl);
		else if (ret == -EPERM)
			snprintf(r.text, sizeof(r.text), "%s: control '%s' is read-only", d->name, ctl);
		else if (ret < 0)
			snprintf(r.text, sizeof(r.text), "%s %s: %s", d->name, ctl, strerror(-ret));
		else if (m->op == UACD_CTL_SET)
			uacd_info("%s: %s set to %d by %s (pid %d)", d->name, ctl, r.value, c->name, (int)c->pid);
	}
	send_reply(c->fd, &r, sizeof(r), NULL, 0);
}

static void handle_hook(struct uacd_server *srv, struct conn *c, struct uacd_hook_req *m)
{
	char name[UACD_NAME_MAX], path[256], args[256], msg[UACD_ERRTEXT_MAX] = "";
	struct uacd_device *d;
	bool load = m->hdr.type == UACD_MSG_HOOK_LOAD;
	int ret;

	field(name, m->device, sizeof(name));
	field(path, m->path, sizeof(path));
	field(args, m->args, sizeof(args));
	d = uacd_server_find_device(srv, name);
	if (!d) {
		reply_text(c, &m->hdr, -ENODEV, "no device named '%s'", name);
		return;
	}
	/* Running code inside the driver is the "hook" right, nothing less. */
	if (authorize(srv, c, d, UACPOL_HOOK, msg, sizeof(msg))) {
		reply_text(c, &m->hdr, -EACCES, "%s", msg);
		return;
	}
	ret = uacd_registry_hook(srv->reg, d, load, path, args, msg, sizeof(msg));
	if (!ret)
		uacd_notice("%s: hook %s %s by %s (pid %d, uid %d)", d->name, path,
			    load ? "loaded" : "unloaded", c->name, (int)c->pid, (int)c->uid);
	reply_text(c, &m->hdr, ret, "%s", msg);
}

static void handle_msg(struct uacd_server *srv, struct conn *c, uint8_t *buf, ssize_t n)
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
		uacd_info("client %s (pid %d): %zd-byte message, shorter than a header; closing",
			  c->name, (int)c->pid, n);
		conn_close(srv, c);
		return;
	}
	if (h->type == 0 || h->type >= sizeof(need) / sizeof(need[0]) || (size_t)n < need[h->type]) {
		reply_text(c, h, h->type && h->type < sizeof(need) / sizeof(need[0]) ? -EBADMSG : -ENOSYS,
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
		field(name, ((struct uacd_device_req *)buf)->device, sizeof(name));
		handle_status(srv, c, h, name, h->type == UACD_MSG_HOOKS);
		break;
	case UACD_MSG_LIST:
		handle_list(srv, c, h);
		break;
	case UACD_MSG_RELOAD: {
		char msg[UACD_ERRTEXT_MAX] = "nothing to reload";
		int ret = authorize_reload(srv, c, msg, sizeof(msg));

		if (!ret && srv->reload)
			ret = srv->reload(srv->reload_data, msg, sizeof(msg));
		reply_text(c, h, ret, "%s", msg);
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

static void conn_readable(struct uacd_server *srv, struct conn *c, uint32_t events)
{
	uint8_t buf[UACD_MSG_MAX] __attribute__((aligned(8)));
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	union {
		char b[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	/* Nobody sends us fds: close any, so a client cannot exhaust ours. */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)CMSG_DATA(cm);
			size_t k, nf = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (k = 0; k < nf; k++)
				close(fds[k]);
		}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || (events & (EPOLLHUP | EPOLLERR) && n <= 0)) {
		uacd_dbg("client %s (pid %d) disconnected", c->name, (int)c->pid);
		conn_close(srv, c);
		return;
	}
	if (mh.msg_flags & MSG_TRUNC) {
		struct uacd_msg_hdr *h = (struct uacd_msg_hdr *)buf;

		reply_text(c, h, -EMSGSIZE, "message larger than %u bytes", UACD_MSG_MAX);
		return;
	}
	handle_msg(srv, c, buf, n);
}

static void handle_signal(struct uacd_server *srv)
{
	struct signalfd_siginfo si;

	while (read(srv->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			char msg[UACD_ERRTEXT_MAX] = "";
			int ret = srv->reload ? srv->reload(srv->reload_data, msg, sizeof(msg)) : 0;

			if (ret)
				uacd_err("reload failed: %s", msg);
			else
				uacd_notice("reloaded%s%s", msg[0] ? ": " : "", msg);
		} else {
			uacd_notice("%s: shutting down", strsignal((int)si.ssi_signo));
			srv->quit = true;
		}
	}
}

int uacd_server_run(struct uacd_server *srv)
{
	struct epoll_event evs[32];

#ifdef HAVE_SYSTEMD
	{
		struct uacd_device *devs[UACD_REGISTRY_MAX];

		sd_notifyf(0, "READY=1\nSTATUS=serving %u device(s)",
			   uacd_registry_served(srv->reg, devs, UACD_REGISTRY_MAX));
	}
#endif
	while (!srv->quit) {
		int n = epoll_wait(srv->epfd, evs, 32, -1), i;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n && !srv->quit; i++) {
			void *tag = evs[i].data.ptr;

			if (tag == TAG_LISTEN) {
				accept_conn(srv);
			} else if (tag == TAG_SIGNAL) {
				handle_signal(srv);
			} else if (tag == TAG_TIMER) {
				uint64_t ticks;

				if (read(srv->timerfd, &ticks, sizeof(ticks)) < 0)
					(void)0;
				uacd_log_drain();
#ifdef HAVE_SYSTEMD
				sd_notify(0, "WATCHDOG=1");
#endif
			} else if (*(enum item_kind *)tag == ITEM_WATCH) {
				struct watch *w = tag;

				w->cb(w->data);
				/* the callback may have changed devices or watches */
				break;
			} else {
				conn_readable(srv, tag, evs[i].events);
				/* conn may be gone: the rest of this batch may name it too. */
				break;
			}
		}
	}
#ifdef HAVE_SYSTEMD
	sd_notify(0, "STOPPING=1");
#endif
	uacd_log_drain();
	return 0;
}

/* ---- policy, devices and watches (control thread) ------------------------ */

void uacd_server_set_policy(struct uacd_server *srv, struct uacpol *p)
{
	struct conn *c;

	struct uacpol *old;

	/* Readers (this thread) rcu_dereference() it: swap, wait, free. */
	old = rcu_xchg_pointer(&srv->policy, p);
	if (old) {
		synchronize_rcu();
		uacpol_free(old);
	}
	/* Streams whose client lost the right end now, with a clear error. */
	for (c = srv->conns; c; c = c->next) {
		unsigned i = 0;

		while (i < c->n_streams) {
			struct uacd_stream *st = c->streams[i];
			char why[UACD_ERRTEXT_MAX];

			if (!authorize(srv, c, st->dev,
				       st->direction == UACD_DIR_CAPTURE ? UACPOL_RECORD : UACPOL_PLAY,
				       why, sizeof(why))) {
				i++;
				continue;
			}
			uacd_notice("%s: stream %u of %s (pid %d) ended: %s", st->dev->name, st->id,
				    c->name, (int)c->pid, why);
			uacd_dev_stream_end(st, -EACCES);
			c->streams[i] = c->streams[--c->n_streams];
		}
	}
}

int uacd_server_check_device(struct uacd_server *srv, struct uacd_device *d, char *why, size_t len)
{
	struct uacpol_decision dec;
	struct uacpol_device pd;

	struct uacpol *pol = rcu_dereference(srv->policy);

	if (!pol) {
		snprintf(why, len, "no policy is loaded");
		return -EACCES;
	}
	policy_device(d, &pd);
	uacpol_check_device(pol, &pd, &dec);
	if (dec.allow)
		return 0;
	snprintf(why, len, "policy rule '%.48s': %.160s", dec.rule, dec.reason);
	return -EACCES;
}

void uacd_server_end_streams(struct uacd_server *srv, struct uacd_device *d, int error)
{
	struct conn *c;
	unsigned i;

	/* Clients of a device that left may have seen -ENODEV in their ring header already. */
	for (c = srv->conns; c; c = c->next) {
		i = 0;
		while (i < c->n_streams) {
			if (c->streams[i]->dev != d) {
				i++;
				continue;
			}
			uacd_dev_stream_end(c->streams[i], error);
			c->streams[i] = c->streams[--c->n_streams];
		}
	}
}

int uacd_server_watch(struct uacd_server *srv, int fd, void (*cb)(void *data), void *data)
{
	struct watch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return -ENOMEM;
	w->kind = ITEM_WATCH;
	w->fd = fd;
	w->cb = cb;
	w->data = data;
	ret = ep_add(srv->epfd, fd, w);
	if (ret) {
		free(w);
		return ret;
	}
	w->next = srv->watches;
	srv->watches = w;
	return 0;
}

void uacd_server_unwatch(struct uacd_server *srv, int fd)
{
	struct watch **pp;

	for (pp = &srv->watches; *pp; pp = &(*pp)->next)
		if ((*pp)->fd == fd) {
			struct watch *w = *pp;

			epoll_ctl(srv->epfd, EPOLL_CTL_DEL, fd, NULL);
			*pp = w->next;
			free(w);
			return;
		}
}
