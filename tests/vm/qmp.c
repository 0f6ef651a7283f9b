/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmqmp: send one QMP command to a QEMU started with -qmp unix:SOCK,server,nowait.
 *
 *   vmqmp SOCK 'JSON' [--wait-event NAME] [--timeout SECONDS]
 *   e.g. vmqmp /tmp/q.sock '{"execute":"device_del","arguments":{"id":"ua"}}' \
 *		--wait-event DEVICE_DELETED
 *
 * QMP speaks one JSON object per line: a greeting, then the reply to each
 * command ("return" or "error"), with asynchronous "event" lines anywhere in
 * between.  This does the capabilities handshake, sends the command, prints
 * its reply line and, with --wait-event, waits until an event of that name
 * arrives (device_del only REQUESTS removal; the guest must let go first,
 * and DEVICE_DELETED says it has).  An event that arrives before the reply
 * counts too.
 *
 * Why C and not socat or python3: QMP replies must be read line by line with
 * events filtered out; a shell pipe into socat cannot tell when the reply has
 * come, and python3 is not part of a minimal Debian.  This needs only libc.
 *
 * Exit 0 when QEMU answered "return" (and the event came), 1 on an "error"
 * reply or timeout, 2 on usage or connection errors.
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

#define LINE_MAX_LEN	65536

struct conn {
	int fd;
	char buf[LINE_MAX_LEN];
	size_t len;
	double deadline;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Next line (without "\r\n") into line; 0, -ETIMEDOUT, -EPIPE or -errno. */
static int read_line(struct conn *c, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		double left;
		ssize_t n;
		int r;

		if (nl) {
			size_t l = (size_t)(nl - c->buf);

			if (l && c->buf[l - 1] == '\r')
				l--;
			if (l >= size)
				l = size - 1;
			memcpy(line, c->buf, l);
			line[l] = '\0';
			c->len -= (size_t)(nl + 1 - c->buf);
			memmove(c->buf, nl + 1, c->len);
			return 0;
		}
		if (c->len == sizeof(c->buf))
			return -E2BIG;
		left = c->deadline - now();
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (n > 0)
			c->len += (size_t)n;
	}
}

static int send_str(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static bool is_event(const char *line, const char *name)
{
	char pat[256];

	snprintf(pat, sizeof(pat), "\"event\": \"%s\"", name);
	if (strstr(line, pat))
		return true;
	snprintf(pat, sizeof(pat), "\"event\":\"%s\"", name);
	return strstr(line, pat) != NULL;
}

/* wait for the reply to the last command; events seen on the way are checked */
static int wait_reply(struct conn *c, const char *event, bool *event_seen, bool print)
{
	char line[LINE_MAX_LEN];
	int err;

	for (;;) {
		err = read_line(c, line, sizeof(line));
		if (err)
			return err;
		if (strstr(line, "\"event\"")) {
			if (event && is_event(line, event))
				*event_seen = true;
			continue;
		}
		if (print)
			printf("%s\n", line);
		if (!strncmp(line, "{\"return\"", 9))
			return 0;
		if (!strncmp(line, "{\"error\"", 8))
			return 1;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *event = NULL;
	char line[LINE_MAX_LEN];
	double timeout = 10.0;
	bool event_seen = false;
	struct conn *c;
	int err, rc = 2, k;

	if (argc < 3) {
		fprintf(stderr, "usage: vmqmp SOCK JSON [--wait-event NAME] [--timeout SECONDS]\n");
		return 2;
	}
	for (k = 3; k < argc; k++) {
		if (!strcmp(argv[k], "--wait-event") && k + 1 < argc) {
			event = argv[++k];
		} else if (!strcmp(argv[k], "--timeout") && k + 1 < argc) {
			timeout = strtod(argv[++k], NULL);
		} else {
			fprintf(stderr, "vmqmp: unknown argument %s\n", argv[k]);
			return 2;
		}
	}
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "vmqmp: socket path too long: %s\n", argv[1]);
		return 2;
	}
	strncpy(addr.sun_path, argv[1], sizeof(addr.sun_path) - 1);

	c = calloc(1, sizeof(*c));
	if (!c)
		return 2;
	c->deadline = now() + timeout;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		goto out_free;
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "vmqmp: connect %s: %s\n", argv[1], strerror(errno));
		goto out_close;
	}
	err = read_line(c, line, sizeof(line));
	if (err || !strstr(line, "\"QMP\"")) {
		fprintf(stderr, "vmqmp: no QMP greeting: %s\n", err ? strerror(-err) : line);
		goto out_close;
	}
	err = send_str(c->fd, "{\"execute\":\"qmp_capabilities\"}\n");
	if (!err)
		err = wait_reply(c, event, &event_seen, false);
	if (err) {
		fprintf(stderr, "vmqmp: qmp_capabilities failed (%d)\n", err);
		goto out_close;
	}
	err = send_str(c->fd, argv[2]);
	if (!err)
		err = send_str(c->fd, "\n");
	if (!err)
		err = wait_reply(c, event, &event_seen, true);
	if (err < 0) {
		fprintf(stderr, "vmqmp: no reply: %s\n", strerror(-err));
		rc = 1;
		goto out_close;
	}
	if (err > 0) {
		rc = 1;
		goto out_close;
	}
	while (event && !event_seen) {
		err = read_line(c, line, sizeof(line));
		if (err) {
			fprintf(stderr, "vmqmp: no %s event: %s\n", event, strerror(-err));
			rc = 1;
			goto out_close;
		}
		if (is_event(line, event)) {
			printf("%s\n", line);
			event_seen = true;
		}
	}
	rc = 0;
out_close:
	close(c->fd);
out_free:
	free(c);
	return rc;
}
