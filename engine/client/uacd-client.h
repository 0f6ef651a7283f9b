/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The client side of uacd's socket (include/uacd/protocol.h), shared by the
 * ALSA plugins (pcm_uac.c, ctl_uac.c) and uacctl: where the socket is,
 * connect, HELLO, and one request/reply exchange with the descriptors the
 * daemon passes (SCM_RIGHTS) and a timeout.
 *
 * Nothing here prints: failures are -errno, with a sentence in err where
 * the caller has something to tell its user, so that each program keeps
 * its own way of saying it ("uacctl: ..." on stderr, SNDERR in a plugin).
 * The plugins link this into their shared objects: it depends on nothing
 * but libc and its symbols stay hidden (engine/client/local.mk).
 */
#ifndef UACD_CLIENT_H
#define UACD_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * How long connect, send and the wait for a reply may take by default: a
 * daemon that does not answer in this time (stopped, hung) is reported as
 * "uacd did not answer within N ms" (uacd_client_strerror()).  uacctl's
 * --timeout and the plugins' `timeout` field override it.
 */
#define UACD_CLIENT_TIMEOUT_MS 5000

struct uacd_client {
	int sock;		/* -1 when not connected */
	uint32_t seq;		/* of the last request */
	int timeout_ms;		/* as given to connect (> 0); < 0 waits forever */
	char path[108];		/* the socket's path, for messages */
	char refused[256];	/* a limit's UACD_MSG_REFUSED text; "" when none */
};

/*
 * The socket to use: $UACD_SOCKET when set, else conf_sock when set (a
 * plugin's `socket` field; NULL for none), else UACD_DEFAULT_SOCKET.
 */
const char *uacd_client_socket_path(const char *conf_sock);

/*
 * Connect c to the daemon at path.  0, or -errno with "cannot connect to
 * uacd at PATH: REASON" in err.  c->sock is -1 on failure.
 */
int uacd_client_connect(struct uacd_client *c, const char *path, char *err, size_t errlen);

/*
 * The same with a timeout of timeout_ms (> 0) instead of
 * UACD_CLIENT_TIMEOUT_MS, for connect, send and every reply's wait.
 */
int uacd_client_connect_timeout(struct uacd_client *c, const char *path, int timeout_ms,
				char *err, size_t errlen);

/*
 * A sentence for an exchange's -errno: "uacd did not answer within N ms"
 * for -ETIMEDOUT (N being c's timeout), the daemon's text for a connection
 * a limit refused (-EUSERS, e.g. "uacd: too many connections for uid 1000
 * (limit 32, connections_per_uid)"), strerror() otherwise.  Returns buf.
 */
const char *uacd_client_strerror(const struct uacd_client *c, int err, char *buf, size_t len);

/* Close the connection (a no-op when not connected). */
void uacd_client_close(struct uacd_client *c);

/*
 * This process's name (/proc/self/comm) for HELLO, or `fallback` when it
 * cannot be read.
 */
void uacd_client_comm(char *buf, size_t len, const char *fallback);

/*
 * HELLO as `name`: the reply's result (0, or the daemon's or the
 * exchange's -errno).  *wake_fd (when not NULL) receives the connection's
 * wake-up descriptor, -1 when the daemon sent none; otherwise it is closed.
 */
int uacd_client_hello(struct uacd_client *c, const char *name, int *wake_fd);

/*
 * One request and its reply.  Fills the request header's seq, size and
 * result, sends req, and waits (up to c->timeout_ms) for a reply of the
 * same type and seq into rep (rep_size bytes; the rest after a shorter
 * reply is zeroed; all of it when the exchange fails).  The first
 * descriptor passed with the reply goes to *fd_out (-1 for none; when
 * fd_out is NULL, and for any further ones, they are closed).
 *
 * Returns the reply's length in bytes (>= its header), or -errno of the
 * exchange: -ETIMEDOUT, -ECONNRESET when the daemon hung up, -EPROTO for a
 * reply that is not the answer to req.  A connection refused by one of the
 * daemon's limits (UACD_MSG_REFUSED) comes back as a reply to req with
 * result -EUSERS and the daemon's text (also in c->refused) as far as rep
 * holds it, as a text reply would.
 */
ssize_t uacd_client_exchange(struct uacd_client *c, void *req, size_t req_size, void *rep,
			     size_t rep_size, int *fd_out);

/* uacd_client_exchange(), then the reply's result: 0 or -errno from either. */
int uacd_client_call(struct uacd_client *c, void *req, size_t req_size, void *rep, size_t rep_size,
		     int *fd_out);

#endif /* UACD_CLIENT_H */
