/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client side of uacd's socket: see uacd-client.h.
 *
 * The socket is SOCK_SEQPACKET: one send is one request, one receive one
 * reply, whole.  The timeout covers connect and send through SO_SNDTIMEO
 * and the wait for the reply through poll().  A reply to an earlier request
 * of this connection (one whose wait timed out) arrives late, before the
 * one we wait for: it is dropped, with any descriptor it carries.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <uacd/protocol.h>

#include "engine/client/uacd-client.h"

#define MAX_FDS 4	/* descriptors taken from one reply; more are closed by the kernel */

const char *uacd_client_socket_path(const char *conf_sock)
{
	const char *env = getenv(UACD_SOCKET_ENV);

	if (env && *env)
		return env;
	return conf_sock && *conf_sock ? conf_sock : UACD_DEFAULT_SOCKET;
}

int uacd_client_connect(struct uacd_client *c, const char *path, char *err, size_t errlen)
{
	return uacd_client_connect_timeout(c, path, UACD_CLIENT_TIMEOUT_MS, err, errlen);
}

int uacd_client_connect_timeout(struct uacd_client *c, const char *path, int timeout_ms,
				char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv;
	int ret;

	if (timeout_ms <= 0)
		timeout_ms = UACD_CLIENT_TIMEOUT_MS;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = timeout_ms % 1000 * 1000;
	memset(c, 0, sizeof(*c));
	c->timeout_ms = timeout_ms;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->sock < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a socket for uacd: %s", strerror(-ret));
		return ret;
	}
	/* connect() and send() wait at most this long for a daemon that does not read. */
	setsockopt(c->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(c->sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char why[128];

		ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
		snprintf(err, errlen, "cannot connect to uacd at %s: %s", c->path,
			 uacd_client_strerror(c, ret, why, sizeof(why)));
		uacd_client_close(c);
		return ret;
	}
	return 0;
}

const char *uacd_client_strerror(const struct uacd_client *c, int err, char *buf, size_t len)
{
	if (err == -ETIMEDOUT)
		snprintf(buf, len, "uacd did not answer within %d ms", c->timeout_ms);
	else if (err == -EUSERS && c->refused[0])
		snprintf(buf, len, "%s", c->refused);
	else
		snprintf(buf, len, "%s", strerror(err < 0 ? -err : err));
	return buf;
}

void uacd_client_close(struct uacd_client *c)
{
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
}

void uacd_client_comm(char *buf, size_t len, const char *fallback)
{
	char comm[64];
	FILE *f = fopen("/proc/self/comm", "re");

	snprintf(buf, len, "%s", fallback);
	if (!f)
		return;
	if (fgets(comm, sizeof(comm), f)) {
		comm[strcspn(comm, "\n")] = '\0';
		snprintf(buf, len, "%s", comm);
	}
	fclose(f);
}

int uacd_client_hello(struct uacd_client *c, const char *name, int *wake_fd)
{
	struct uacd_hello hello, rep;

	memset(&hello, 0, sizeof(hello));
	hello.hdr.type = UACD_MSG_HELLO;
	hello.version = UACD_PROTO_VERSION;
	snprintf(hello.name, sizeof(hello.name), "%s", name);
	return uacd_client_call(c, &hello, sizeof(hello), &rep, sizeof(rep), wake_fd);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until a reply can be read: 0, or -ETIMEDOUT / -errno. */
static int wait_readable(const struct uacd_client *c, int64_t deadline)
{
	struct pollfd pfd = { .fd = c->sock, .events = POLLIN };
	int left, n;

	for (;;) {
		left = c->timeout_ms < 0 ? -1 : (int)(deadline > now_ms() ? deadline - now_ms() : 0);
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;	/* readable, or hung up: recvmsg says which */
		if (n == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/*
 * Receive one message into rep; its first descriptor to *fd (-1 for none),
 * any others closed.  The length, 0 when the daemon hung up, or -errno.
 */
static ssize_t receive(struct uacd_client *c, void *rep, size_t rep_size, int *fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { .iov_base = rep, .iov_len = rep_size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
			     .msg_controllen = sizeof(cb.b) };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	do {
		n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	/*
	 * A daemon that hangs up with our request unread resets the
	 * connection, and the error comes before what it sent last (a
	 * limit's refusal): look once more.
	 */
	if (n < 0 && errno == ECONNRESET)
		n = recvmsg(c->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return n < 0 && errno == EAGAIN ? -ECONNRESET : -errno;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		int fds[MAX_FDS];
		size_t k, nf;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nf = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nf > MAX_FDS)
			nf = MAX_FDS;
		memcpy(fds, CMSG_DATA(cm), nf * sizeof(int));
		for (k = 0; k < nf; k++) {
			if (*fd < 0)
				*fd = fds[k];
			else
				close(fds[k]);
		}
	}
	return n;
}

/*
 * Is the message in rep (just received) a limit's UACD_MSG_REFUSED?  Then
 * keep its text in c->refused and make rep the answer to req with that
 * result and text (as much as rep holds).
 */
static bool refused(struct uacd_client *c, const struct uacd_msg_hdr *req, void *rep, size_t rep_size,
		    int fd)
{
	struct uacd_msg_hdr *rh = rep;
	size_t max = rep_size - sizeof(*rh);
	char *text = (char *)rep + sizeof(*rh);

	if (rep_size < sizeof(*rh) || rh->type != UACD_MSG_REFUSED)
		return false;
	if (fd >= 0)
		close(fd);
	if (max)
		text[max - 1] = '\0';
	snprintf(c->refused, sizeof(c->refused), "%s",
		 max && text[0] ? text : "uacd refused the connection (a limit)");
	rh->type = req->type;
	rh->seq = req->seq;
	if (rh->result >= 0)
		rh->result = -EUSERS;
	return true;
}

ssize_t uacd_client_exchange(struct uacd_client *c, void *req, size_t req_size, void *rep,
			     size_t rep_size, int *fd_out)
{
	struct uacd_msg_hdr *h = req, *rh = rep;
	int64_t deadline = now_ms() + (c->timeout_ms > 0 ? c->timeout_ms : 0);
	ssize_t n;
	int fd = -1, ret;

	if (fd_out)
		*fd_out = -1;
	h->seq = ++c->seq;
	h->size = (uint32_t)req_size;
	h->result = 0;
	if (send(c->sock, req, req_size, MSG_NOSIGNAL) != (ssize_t)req_size) {
		ret = errno == EAGAIN ? -ETIMEDOUT : errno ? -errno : -EIO;
		/* Hung up on at once: a limit's refusal may be waiting to be read. */
		if (ret == -EPIPE || ret == -ECONNRESET) {
			struct pollfd pfd = { .fd = c->sock, .events = POLLIN };

			if (poll(&pfd, 1, 0) == 1 && (n = receive(c, rep, rep_size, &fd)) > 0 &&
			    refused(c, h, rep, rep_size, fd))
				return n;
		}
		memset(rep, 0, rep_size);
		return ret;
	}
	for (;;) {
		bool stale;

		ret = wait_readable(c, deadline);
		n = ret ? ret : receive(c, rep, rep_size, &fd);
		if (n <= 0) {
			memset(rep, 0, rep_size);
			return n == 0 ? -ECONNRESET : n;
		}
		if (refused(c, h, rep, rep_size, fd))
			return n;
		/* The late answer to a request whose wait timed out is not ours: drop it. */
		stale = (size_t)n >= sizeof(*rh) && (int32_t)(h->seq - rh->seq) > 0;
		if (!stale && (size_t)n >= sizeof(*rh) && rh->type == h->type && rh->seq == h->seq)
			break;
		if (fd >= 0)
			close(fd);
		memset(rep, 0, rep_size);
		if (!stale)
			return -EPROTO;
	}
	if ((size_t)n < rep_size)
		memset((char *)rep + n, 0, rep_size - (size_t)n);
	if (fd_out)
		*fd_out = fd;
	else if (fd >= 0)
		close(fd);
	return n;
}

int uacd_client_call(struct uacd_client *c, void *req, size_t req_size, void *rep, size_t rep_size,
		     int *fd_out)
{
	ssize_t n = uacd_client_exchange(c, req, req_size, rep, rep_size, fd_out);

	return n < 0 ? (int)n : ((struct uacd_msg_hdr *)rep)->result;
}
