/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Limits: what one connection, one uid and all clients together may take
 * from the daemon, so that no local user can take it down for the others
 * (uacd.conf(5), "Limits").  Control thread only.
 *
 *   connections   max_connections in all, connections_per_uid.  Checked
 *                 at accept, before the daemon spends a pidfd or a wake
 *                 pipe on the connection: a refused client gets one
 *                 UACD_MSG_REFUSED naming the limit and is hung up on.
 *                 With the defaults (256 connections of at most 4 fds)
 *                 uacd stays below the unit's LimitNOFILE=2048, so one
 *                 uid cannot run it out of fds.
 *   streams       streams_per_client (a connection), streams_per_uid.
 *   ring memory   the exact size of a stream's shared memory
 *                 (uacd_stream_shm_bytes(), which the daemon mlocks) is
 *                 counted against the connection, its uid and the total
 *                 before the memfd exists.
 *   requests      a token bucket per connection (request_rate per second,
 *                 request_burst deep) and one per uid (request_rate_per_uid,
 *                 twice as deep; it outlives the uid's connections until it
 *                 is full again, so reconnecting buys nothing).  A
 *                 connection out of tokens is taken out of the epoll set,
 *                 not read, until the next timer tick refills it: a flood
 *                 costs the daemon nothing and never spins.  A connection
 *                 that stays over its rate for FLOOD_SECONDS, or leaves more
 *                 than REPLY_QUEUE_MAX bytes of replies unread, is closed.
 *
 * Counts are not kept: they are summed over the connection list when
 * needed (at most max_connections x 16 streams, on accept and stream open
 * only), so no close path can forget to give something back.
 *
 * Logging of what clients cause (refusals, policy denials, floods) goes
 * through srv_log_client(): at most one line of each kind (format string)
 * per uid per log_interval, the rest counted and reported as "(N more in
 * the last S s)" by the next line of that kind or the first timer tick
 * after the interval.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <time.h>
#include <unistd.h>

#include "engine/core/uacd-device.h"
#include "engine/core/log.h"
#include "engine/daemon/server-private.h"

#define FLOOD_SECONDS 5			/* over request_rate this long: disconnected */
#define REPLY_QUEUE_MAX (64 * 1024)	/* unread reply bytes before a disconnect */
#define UID_TABLE_MAX 4096		/* per-uid entries kept at most */
#define LOG_TEXT_MAX 320

#define LOG_KINDS 8		/* kinds of line (format strings) limited per uid */

/* One kind of line for one uid: the count is of lines like the last one printed. */
struct log_slot {
	const char *fmt;		/* the kind: srv_log_client()'s literal; NULL: free */
	int64_t logged_ns;		/* last line printed */
	unsigned suppressed;		/* lines not printed since */
	int level;			/* the most urgent of them */
	char text[LOG_TEXT_MAX];	/* the last of them */
};

struct uid_limits {
	uid_t uid;
	int64_t tokens;			/* x 1000, like conn_limits */
	int64_t refilled_ns;
	struct log_slot log[LOG_KINDS];
	struct uid_limits *next;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void srv_limits_init(struct uacd_server *srv)
{
	uacd_limits_defaults(&srv->limits);
}

void uacd_server_set_limits(struct uacd_server *srv, const struct uacd_limits *l)
{
	srv->limits = *l;
}

/* ---- per-uid state ------------------------------------------------------- */

static int64_t uid_burst(const struct uacd_server *srv)
{
	return 2 * (int64_t)srv->limits.request_rate_per_uid * 1000;
}

static struct uid_limits *uid_find(struct uacd_server *srv, uid_t uid, bool create)
{
	struct uid_limits *u;
	unsigned n = 0;

	for (u = srv->uids; u; u = u->next, n++)
		if (u->uid == uid)
			return u;
	if (!create || n >= UID_TABLE_MAX)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	u->tokens = uid_burst(srv);
	u->refilled_ns = now_ns();
	u->next = srv->uids;
	srv->uids = u;
	return u;
}

static void refill(int64_t *tokens, int64_t *refilled_ns, int64_t now, unsigned rate, int64_t burst)
{
	int64_t dt = now - *refilled_ns;

	if (dt <= 0)
		return;
	/* tokens x 1000 gained in dt ns at rate per second; dt capped, no overflow */
	if (dt > 1000000000ll * 3600)
		dt = 1000000000ll * 3600;
	*tokens += dt * (int64_t)rate / 1000000;
	if (*tokens > burst)
		*tokens = burst;
	*refilled_ns = now;
}

/* ---- rate-limited logging ------------------------------------------------ */

static int64_t interval_ns(const struct uacd_server *srv)
{
	return (int64_t)srv->limits.log_interval * 1000000000;
}

static void log_flush(struct uacd_server *srv, struct log_slot *l, int64_t now)
{
	if (!l->suppressed)
		return;
	if (l->suppressed == 1)
		uacd_log(l->level, "%s", l->text);
	else
		uacd_log(l->level, "%s (%u more in the last %u s)", l->text, l->suppressed - 1,
			 srv->limits.log_interval);
	l->suppressed = 0;
	l->logged_ns = now;
}

/* A slot that is not holding anything back and whose interval is over is free. */
static bool slot_idle(const struct uacd_server *srv, const struct log_slot *l, int64_t now)
{
	return !l->fmt || (!l->suppressed && now - l->logged_ns >= interval_ns(srv));
}

void srv_log_client(struct uacd_server *srv, uid_t uid, int level, const char *fmt, ...)
{
	struct log_slot *l = NULL;
	struct uid_limits *u;
	char text[LOG_TEXT_MAX];
	int64_t now = now_ns();
	va_list ap;
	unsigned i;

	if (level > uacd_log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	u = uid_find(srv, uid, true);
	if (u) {
		for (i = 0; i < LOG_KINDS && !l; i++)
			if (u->log[i].fmt == fmt)
				l = &u->log[i];
		for (i = 0; i < LOG_KINDS && !l; i++)
			if (slot_idle(srv, &u->log[i], now))
				l = &u->log[i];
	}
	if (!l) {
		/* No memory, a full table or every kind busy: say it, rather than say nothing. */
		uacd_log(level, "%s", text);
		return;
	}
	if (l->fmt != fmt) {
		memset(l, 0, sizeof(*l));
		l->fmt = fmt;
	}
	if (!l->logged_ns || now - l->logged_ns >= interval_ns(srv)) {
		if (l->suppressed)	/* the pending count goes with this line */
			uacd_log(level, "%s (%u more in the last %u s)", text, l->suppressed,
				 srv->limits.log_interval);
		else
			uacd_log(level, "%s", text);
		l->suppressed = 0;
		l->logged_ns = now;
		return;
	}
	if (!l->suppressed || level < l->level)
		l->level = level;
	l->suppressed++;
	snprintf(l->text, sizeof(l->text), "%s", text);
}

/* ---- connections --------------------------------------------------------- */

bool srv_limit_accept(struct uacd_server *srv, int fd, uid_t uid, pid_t pid)
{
	const struct uacd_limits *l = &srv->limits;
	struct uacd_text t;
	unsigned all = 0, mine = 0;
	struct conn *c;

	for (c = srv->conns; c; c = c->next) {
		all++;
		mine += c->uid == uid;
	}
	if (all < l->max_connections && mine < l->connections_per_uid)
		return false;
	memset(&t.hdr, 0, sizeof(t.hdr));
	t.hdr.type = UACD_MSG_REFUSED;
	t.hdr.result = -EUSERS;
	if (mine >= l->connections_per_uid)
		snprintf(t.text, sizeof(t.text),
			 "uacd: too many connections for uid %u (limit %u, connections_per_uid)",
			 (unsigned)uid, l->connections_per_uid);
	else
		snprintf(t.text, sizeof(t.text), "uacd: too many connections (limit %u, max_connections)",
			 l->max_connections);
	srv_send_reply(fd, &t, sizeof(t.hdr) + strlen(t.text) + 1, NULL, 0);
	srv_log_client(srv, uid, UACD_LOG_NOTICE, "refused a connection from pid %d: %s", (int)pid,
		       t.text + 6);
	return true;
}

void srv_limit_conn_init(struct conn *c)
{
	/* filled by the first srv_limit_request() (it knows the server's limits) */
	c->lim.tokens = -1;
}

/* ---- requests ------------------------------------------------------------ */

static void conn_throttle(struct uacd_server *srv, struct conn *c, int64_t now, bool by_uid)
{
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->lim.throttled = true;
	if (!c->lim.over_since_ns && !by_uid) {
		c->lim.over_since_ns = now;
		srv_log_client(srv, c->uid, UACD_LOG_NOTICE,
			       "throttling %s (pid %d, uid %d): more than %u requests/s (request_rate)",
			       c->name, (int)c->pid, (int)c->uid, srv->limits.request_rate);
	} else if (by_uid) {
		srv_log_client(srv, c->uid, UACD_LOG_NOTICE,
			       "throttling %s (pid %d, uid %d): uid over %u requests/s (request_rate_per_uid)",
			       c->name, (int)c->pid, (int)c->uid, srv->limits.request_rate_per_uid);
	}
}

/* Refill c and its uid; true when both can pay for one request. */
static bool conn_refill(struct uacd_server *srv, struct conn *c, struct uid_limits *u, int64_t now,
			bool *by_uid)
{
	int64_t burst = (int64_t)srv->limits.request_burst * 1000;

	if (c->lim.tokens < 0) {
		c->lim.tokens = burst;
		c->lim.refilled_ns = now;
	}
	refill(&c->lim.tokens, &c->lim.refilled_ns, now, srv->limits.request_rate, burst);
	/* Full again: the client was idle for a while, whatever it did before. */
	if (c->lim.tokens >= burst)
		c->lim.over_since_ns = 0;
	if (u)
		refill(&u->tokens, &u->refilled_ns, now, srv->limits.request_rate_per_uid, uid_burst(srv));
	*by_uid = c->lim.tokens >= 1000 && u && u->tokens < 1000;
	return c->lim.tokens >= 1000 && (!u || u->tokens >= 1000);
}

bool srv_limit_request(struct uacd_server *srv, struct conn *c)
{
	struct uid_limits *u = uid_find(srv, c->uid, true);
	int64_t now = now_ns();
	bool by_uid;
	int outq = 0;

	/* Replies it does not read pile up in our socket's send queue: bounded. */
	if (ioctl(c->fd, SIOCOUTQ, &outq) == 0 && outq > REPLY_QUEUE_MAX) {
		srv_log_client(srv, c->uid, UACD_LOG_NOTICE,
			       "disconnected %s (pid %d, uid %d): %d KiB of replies unread (limit %d KiB)",
			       c->name, (int)c->pid, (int)c->uid, outq / 1024, REPLY_QUEUE_MAX / 1024);
		srv_conn_close(srv, c);
		return false;
	}
	if (!conn_refill(srv, c, u, now, &by_uid)) {
		conn_throttle(srv, c, now, by_uid);
		return false;
	}
	c->lim.tokens -= 1000;
	if (u)
		u->tokens -= 1000;
	return true;
}

void srv_limits_tick(struct uacd_server *srv)
{
	struct uid_limits **pp, *u;
	int64_t now = now_ns();
	struct conn *c, *next;

	for (c = srv->conns; c; c = next) {
		bool by_uid;

		next = c->next;
		if (c->lim.over_since_ns && now - c->lim.over_since_ns > FLOOD_SECONDS * 1000000000ll) {
			srv_log_client(srv, c->uid, UACD_LOG_NOTICE,
				       "disconnected %s (pid %d, uid %d): over %u requests/s for %d s (request_rate)",
				       c->name, (int)c->pid, (int)c->uid, srv->limits.request_rate,
				       FLOOD_SECONDS);
			srv_conn_close(srv, c);
			continue;
		}
		if (!c->lim.throttled)
			continue;
		if (!conn_refill(srv, c, uid_find(srv, c->uid, true), now, &by_uid))
			continue;
		{
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

			if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, c->fd, &ev) == 0)
				c->lim.throttled = false;
		}
	}
	/* Log lines held back, and uids that are gone and owe nothing. */
	for (pp = &srv->uids; (u = *pp);) {
		bool busy = false;
		unsigned i;

		for (i = 0; i < LOG_KINDS; i++) {
			struct log_slot *l = &u->log[i];

			if (l->suppressed && now - l->logged_ns >= interval_ns(srv))
				log_flush(srv, l, now);
			busy |= !slot_idle(srv, l, now);
		}
		for (c = srv->conns; c && !busy; c = c->next)
			busy = c->uid == u->uid;
		refill(&u->tokens, &u->refilled_ns, now, srv->limits.request_rate_per_uid, uid_burst(srv));
		if (!busy && u->tokens >= uid_burst(srv)) {
			*pp = u->next;
			free(u);
		} else {
			pp = &u->next;
		}
	}
}

void srv_limits_free(struct uacd_server *srv)
{
	int64_t now = now_ns();

	while (srv->uids) {
		struct uid_limits *u = srv->uids;
		unsigned i;

		for (i = 0; i < LOG_KINDS; i++)
			log_flush(srv, &u->log[i], now);
		srv->uids = u->next;
		free(u);
	}
}

/* ---- streams and ring memory --------------------------------------------- */

static void mib(char *buf, size_t len, uint64_t bytes)
{
	if (bytes % (1u << 20) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes >> 20));
	else
		snprintf(buf, len, "%.1f MiB", (double)bytes / (1 << 20));
}

int srv_limit_stream(struct uacd_server *srv, struct conn *c, const struct uacd_stream_req *req,
		     char *text, size_t len)
{
	const struct uacd_limits *l = &srv->limits;
	uint64_t need = uacd_stream_shm_bytes(req), mine = 0, uid_bytes = 0, all = 0;
	unsigned uid_streams = 0, i;
	const char *key = NULL;
	char a[32], b[32];
	uint64_t have = 0, limit = 0;
	struct conn *o;
	int ret;

	for (o = srv->conns; o; o = o->next)
		for (i = 0; i < o->n_streams; i++) {
			uint64_t sz = o->streams[i]->shm_size;

			all += sz;
			if (o->uid == c->uid) {
				uid_bytes += sz;
				uid_streams++;
			}
			if (o == c)
				mine += sz;
		}
	if (c->n_streams >= l->streams_per_client) {
		snprintf(text, len, "uacd: too many streams for this client (limit %u, streams_per_client)",
			 l->streams_per_client);
		ret = -EMFILE;
		goto refused;
	}
	if (uid_streams >= l->streams_per_uid) {
		snprintf(text, len, "uacd: too many streams for uid %u (limit %u, streams_per_uid)",
			 (unsigned)c->uid, l->streams_per_uid);
		ret = -EMFILE;
		goto refused;
	}
	if (mine + need > l->ring_memory_per_client) {
		key = "ring_memory_per_client", have = mine, limit = l->ring_memory_per_client;
		snprintf(a, sizeof(a), "this client");
	} else if (uid_bytes + need > l->ring_memory_per_uid) {
		key = "ring_memory_per_uid", have = uid_bytes, limit = l->ring_memory_per_uid;
		snprintf(a, sizeof(a), "uid %u", (unsigned)c->uid);
	} else if (all + need > l->ring_memory_total) {
		key = "ring_memory_total", have = all, limit = l->ring_memory_total;
		snprintf(a, sizeof(a), "all clients");
	}
	if (!key)
		return 0;
	{
		char n[32], h[32];

		mib(n, sizeof(n), need);
		mib(h, sizeof(h), have);
		mib(b, sizeof(b), limit);
		snprintf(text, len, "uacd: too much ring memory for %s: %s more on %s (limit %s, %s)", a, n,
			 h, b, key);
	}
	ret = -ENOMEM;
refused:
	srv_log_client(srv, c->uid, UACD_LOG_NOTICE, "refused stream for %s (pid %d, uid %d): %s", c->name,
		       (int)c->pid, (int)c->uid, text + 6);
	return ret;
}
