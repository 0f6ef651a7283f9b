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

#include "engine/core/uacd-device.h"
#include "engine/core/log.h"
#include "engine/daemon/registry.h"
#include "engine/daemon/server-private.h"
#include "entitlement-policy/uacpol.h"


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
	srv_limits_init(srv);

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

/*
 * Out of fds (or memory) for a new connection: the listening socket stays
 * readable while one waits in the backlog, and level-triggered epoll
 * would wake us for it forever.  Take it out of the set; listen_resume()
 * puts it back when a connection closes or at the next timer tick.
 */
static void listen_pause(struct uacd_server *srv, int err)
{
	if (srv->listen_paused)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, srv->listen_fd, NULL);
	srv->listen_paused = true;
	if (!srv->listen_warned) {
		srv->listen_warned = true;
		uacd_warn("cannot accept connections: %s; new clients wait until one closes",
			  strerror(err));
	}
}

static void listen_resume(struct uacd_server *srv)
{
	if (!srv->listen_paused || srv->listen_fd < 0)
		return;
	if (ep_add(srv->epfd, srv->listen_fd, TAG_LISTEN) == 0)
		srv->listen_paused = false;
}

void srv_conn_close(struct uacd_server *srv, struct conn *c)
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
		uacd_dbg("%s: stream %u of %s (pid %d) closed", uacd_dev_name(c->streams[i]->dev),
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
	/* An fd is free again: a client waiting in the backlog may come in. */
	listen_resume(srv);
}

void uacd_server_free(struct uacd_server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		srv_conn_close(srv, srv->conns);
	while (srv->watches) {
		struct watch *w = srv->watches;

		srv->watches = w->next;
		free(w);
	}
	uacpol_free(srv->policy);
	srv_limits_free(srv);
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
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
			listen_pause(srv, errno);
		return;
	}
	if (srv->listen_warned) {
		srv->listen_warned = false;
		uacd_notice("accepting connections again");
	}
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
	} else {
		c->uid = (uid_t)-1;	/* unknown: counted together, the policy denies it */
	}
	/* Before a pidfd or a wake pipe is spent on it. */
	if (srv_limit_accept(srv, fd, c->uid, c->pid)) {
		close(fd);
		free(c);
		return;
	}
	srv_limit_conn_init(c);
	/* Who this is, pinned now: a later exec cannot borrow these rights. */
	c->ident_ok = uacpol_identity_from_socket(fd, &c->ident) == 0;
	snprintf(c->name, sizeof(c->name), "pid %d", (int)c->pid);
	if (c->ident_ok && c->ident.exe[0]) {
		const char *base = strrchr(c->ident.exe, '/');

		snprintf(c->name, sizeof(c->name), "%.63s", base ? base + 1 : c->ident.exe);
		/* Anyone can name a binary "x\nuacd: ...". */
		srv_clean(c->name);
	}
	if (ep_add(srv->epfd, fd, c)) {
		close(fd);
		free(c);
		return;
	}
	c->next = srv->conns;
	srv->conns = c;
}

int srv_send_reply(int fd, void *msg, size_t size, const int *fds, int n_fds)
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

void srv_reply_text(struct conn *c, const struct uacd_msg_hdr *req, int result, const char *fmt, ...)
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
	srv_send_reply(c->fd, t, sizeof(t->hdr) + strlen(t->text) + 1, NULL, 0);
	free(t);
}

struct uacd_device *uacd_server_find_device(struct uacd_server *srv, const char *name)
{
	return uacd_registry_find(srv->reg, name);
}

/* Copy a fixed-size string field from a client message, always terminated. */
void srv_field(char *dst, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n - 1] = '\0';
}

void srv_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
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

	/* Over its request rate: not read (nor spun on) until tokens refill. */
	if (!(events & (EPOLLHUP | EPOLLERR)) && !srv_limit_request(srv, c))
		return;
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
		srv_conn_close(srv, c);
		return;
	}
	if (mh.msg_flags & MSG_TRUNC) {
		struct uacd_msg_hdr *h = (struct uacd_msg_hdr *)buf;

		srv_reply_text(c, h, -EMSGSIZE, "message larger than %u bytes", UACD_MSG_MAX);
		return;
	}
	srv_handle_msg(srv, c, buf, n);
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
				srv_limits_tick(srv);
				/* fds may have freed elsewhere (a stream, a watch): try again */
				listen_resume(srv);
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



void uacd_server_end_streams(struct uacd_server *srv, struct uacd_device *d, int error)
{
	struct conn *c;
	unsigned i;

	if (!srv)
		return;
	/* Clients of a device that left may have seen -ENODEV in their ring header already. */
	for (c = srv->conns; c; c = c->next) {
		i = 0;
		while (i < c->n_streams) {
			if (d && c->streams[i]->dev != d) {
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
