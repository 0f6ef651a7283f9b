/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The socket server's insides, shared by server.c (socket, connections,
 * the loop), server-auth.c (who may do what) and server-requests.c (one
 * handler per message type).  Control thread only.
 */
#ifndef UACD_SERVER_PRIVATE_H
#define UACD_SERVER_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include <uacd/protocol.h>

#include "engine/daemon/server.h"
#include "engine/daemon/uacd-conf.h"
#include "entitlement-policy/uacpol.h"

struct uacd_stream;

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

/* A connection's request budget (server-limits.c). */
struct conn_limits {
	int64_t tokens;			/* request tokens x 1000 */
	int64_t refilled_ns;		/* CLOCK_MONOTONIC of the last refill */
	int64_t over_since_ns;		/* ran dry and has not been idle since; 0: not */
	bool throttled;			/* out of the epoll set until tokens refill */
};

struct uid_limits;

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
	bool hello_done;		/* HELLO answered: its wake pipe is the client's */
	unsigned denied_logged;		/* bit per action: log each denial once */
	struct conn_limits lim;
	struct conn *next;
};

struct uacd_server {
	int listen_fd;
	bool activated;			/* socket came from systemd */
	/*
	 * accept4() ran out of fds (or memory): the listener is out of the
	 * epoll set until a connection closes or the next timer tick, so a
	 * pending connection cannot make the loop spin; warned: said so once.
	 */
	bool listen_paused;
	bool listen_warned;
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
	struct uacd_limits limits;	/* uacd.conf's; enforced by server-limits.c */
	struct uid_limits *uids;	/* per-uid budgets and log state */
};

/* epoll tags: small integers for the fixed fds, pointers for connections. */
#define TAG_LISTEN ((void *)1)
#define TAG_SIGNAL ((void *)2)
#define TAG_TIMER ((void *)3)

void srv_conn_close(struct uacd_server *srv, struct conn *c);
int srv_send_reply(int fd, void *msg, size_t size, const int *fds, int n_fds);
void srv_reply_text(struct conn *c, const struct uacd_msg_hdr *req, int result, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Copy a fixed-size string field from a client message, always terminated. */
void srv_field(char *dst, const char *src, size_t n);
/*
 * Make a client-supplied string safe to store, log and print: every byte
 * that is not printable ASCII (control characters, DEL, bytes >= 0x80)
 * becomes '?', so a name cannot forge a log line or drive a terminal.
 */
void srv_clean(char *s);

/*
 * May connection c do a on d (NULL: the daemon, no device)?  0, or -EACCES
 * with a sentence for the client in text naming the rule; each denial is
 * logged once per connection and right (server-auth.c).
 */
int srv_authorize(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
		  enum uacpol_action a, char *text, size_t len);
/* The read right: play, record or control on d.  quiet: no text, no log. */
int srv_authorize_read(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
		       bool quiet, char *text, size_t len);
/* The reload right on every device, or admin when there is none. */
int srv_authorize_reload(struct uacd_server *srv, struct conn *c, char *text, size_t len);

/* ---- limits (server-limits.c) ---------------------------------------------
 * What one connection, one uid and everyone may take: connections, streams,
 * ring memory, requests per second (uacd.conf(5), "Limits").  Refusals name
 * the limit to the client and are logged through srv_log_client().
 */
void srv_limits_init(struct uacd_server *srv);
/* Print what the log limiter still holds, free the per-uid state. */
void srv_limits_free(struct uacd_server *srv);
/*
 * A new connection fd from uid/pid: true when a connection limit refuses
 * it (the client got a UACD_MSG_REFUSED with the text; the caller closes fd).
 */
bool srv_limit_accept(struct uacd_server *srv, int fd, uid_t uid, pid_t pid);
/* A new connection: its request bucket starts full. */
void srv_limit_conn_init(struct conn *c);
/*
 * c is readable: may one request be read now?  false when c is throttled
 * (out of the epoll set until its tokens refill) or was closed (a flood
 * or a reply queue it does not read): do not touch c then.
 */
bool srv_limit_request(struct uacd_server *srv, struct conn *c);
/* A stream for req on c within the stream and ring-memory limits?  0 or -errno with text. */
int srv_limit_stream(struct uacd_server *srv, struct conn *c, const struct uacd_stream_req *req,
		     char *text, size_t len);
/* Every timer tick: refill, resume, end sustained floods, flush the log limiter. */
void srv_limits_tick(struct uacd_server *srv);
/*
 * Log a line caused by a client of uid: at most one of each kind (fmt,
 * which must be a string literal) per uid per log_interval; the others are
 * counted and the next line of that kind says "(N more in the last S s)".
 */
void srv_log_client(struct uacd_server *srv, uid_t uid, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One message from c (server-requests.c). */
void srv_handle_msg(struct uacd_server *srv, struct conn *c, uint8_t *buf, ssize_t n);

#endif /* UACD_SERVER_PRIVATE_H */
