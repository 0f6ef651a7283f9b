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
#include <sys/types.h>
#include <sys/un.h>

#include <uacd/protocol.h>

#include "engine/daemon/server.h"
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

/* One message from c (server-requests.c). */
void srv_handle_msg(struct uacd_server *srv, struct conn *c, uint8_t *buf, ssize_t n);

#endif /* UACD_SERVER_PRIVATE_H */
