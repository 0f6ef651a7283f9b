/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A hostile uacd client, for tests.  Speaks the protocol directly (no
 * alsa-lib) and misbehaves on purpose:
 *
 *   badclient SOCKET positions   open a playback stream, start it, write an
 *                                impossible ring position; expect uacd to end
 *                                the stream with -EPROTO
 *   badclient SOCKET messages    send malformed messages (short, unknown type,
 *                                truncated body, oversized, stray fds, stream
 *                                before hello, a second hello) and check each
 *                                reply
 *   badclient SOCKET fill N      connect and say HELLO up to N times, until
 *                                uacd stops answering (out of fds); keep every
 *                                connection open for 60 s (or until killed)
 *   badclient SOCKET evilname    HELLO with a name holding a newline, ESC and
 *                                BEL, open a playback stream, hold it 60 s
 *
 * Attacks on the limits (issue 13, items 2 and 3):
 *   badclient SOCKET streams N FRAMES CH
 *                                N times: open a FLOAT_LE stream of FRAMES
 *                                frames x CH channels at 48 kHz (playback and
 *                                capture in turn), on new connections as the
 *                                old ones fill up; print what opened and each
 *                                distinct refusal; hold them 60 s
 *   badclient SOCKET conns N     N connections with HELLO; print how many were
 *                                answered and each distinct refusal; hold 60 s
 *   badclient SOCKET flood N [S] N connections sending STATUS as fast as the
 *                                socket takes them, never reading a reply,
 *                                reconnecting when uacd hangs up, for S
 *                                seconds (default 10); print the counts
 *   badclient SOCKET denied N    N times: connect, HELLO, STATUS on "sim"
 *                                (which the policy must deny), close; print
 *                                how many were denied
 *
 * Prints "ok: ..." lines and exits 0 when uacd answered every case right.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <uacd/protocol.h>

static int sock_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("badclient: connect");
		exit(2);
	}
	return fd;
}

static ssize_t xfer(int fd, const void *req, size_t len, void *rep, size_t replen, int *fd_out)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = rep, .iov_len = replen };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	if (send(fd, req, len, 0) < 0)
		return -errno;
	n = recvmsg(fd, &mh, 0);
	if (fd_out) {
		*fd_out = -1;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_type == SCM_RIGHTS)
				memcpy(fd_out, CMSG_DATA(cm), sizeof(int));
	}
	return n;
}

/* The request every mode starts from: playback, S16_LE, 2 ch, 48 kHz, 4800/1200 frames. */
static void playback_req(struct uacd_stream_req *req)
{
	req->direction = UACD_DIR_PLAYBACK;
	req->format = UACD_FMT_S16_LE;
	req->channels = 2;
	req->rate = 48000;
	req->buffer_frames = 4800;
	req->period_frames = 1200;
}

static int hello(int fd)
{
	struct uacd_hello h = { .hdr = { .type = UACD_MSG_HELLO, .size = sizeof(h), .seq = 1 },
				.version = UACD_PROTO_VERSION, .name = "badclient" };
	struct uacd_hello r;
	int wfd;

	if (xfer(fd, &h, sizeof(h), &r, sizeof(r), &wfd) < (ssize_t)sizeof(r.hdr) || r.hdr.result)
		return -1;
	return wfd;
}

static int positions(const char *path)
{
	struct uacd_stream_req req = { .hdr = { .type = UACD_MSG_STREAM_OPEN, .size = sizeof(req), .seq = 2 } };
	struct uacd_stream_reply rep;
	struct uacd_shm *shm;
	int fd = sock_connect(path), memfd, i;

	if (hello(fd) < 0) {
		printf("FAIL: hello refused\n");
		return 1;
	}
	playback_req(&req);
	if (xfer(fd, &req, sizeof(req), &rep, sizeof(rep), &memfd) < (ssize_t)sizeof(rep.hdr) ||
	    rep.hdr.result || memfd < 0) {
		printf("FAIL: stream open: %s\n", rep.text);
		return 1;
	}
	shm = mmap(NULL, rep.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (shm == MAP_FAILED)
		return 2;
	/* The seals must hold: we cannot shrink the daemon's memory under it. */
	if (ftruncate(memfd, 0) == 0) {
		printf("FAIL: shared memory could be truncated\n");
		return 1;
	}
	printf("ok: ftruncate on the stream memory refused (%s)\n", strerror(errno));
	/* Scribble over the daemon's own fields too: it must not read them back. */
	shm->daemon.pos = 0xdeadbeefdeadbeefull;
	shm->client.pos = shm->daemon.pos + 1000000000ull;
	__atomic_store_n(&shm->client.state, UACD_CS_RUNNING, __ATOMIC_RELEASE);
	__atomic_store_n(&shm->client.cmd_seq, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 200; i++) {
		struct timespec ts = { 0, 5000000 };

		if (__atomic_load_n(&shm->daemon.error, __ATOMIC_ACQUIRE))
			break;
		nanosleep(&ts, NULL);
	}
	if (shm->daemon.error != -EPROTO) {
		printf("FAIL: daemon.error is %d, expected %d (-EPROTO)\n", shm->daemon.error, -EPROTO);
		return 1;
	}
	printf("ok: absurd ring position ended the stream with -EPROTO (%s)\n", strerror(EPROTO));
	close(fd);
	return 0;
}

static int expect(int fd, const void *req, size_t len, int want, const char *what)
{
	struct uacd_text rep;
	ssize_t n = xfer(fd, req, len, &rep, sizeof(rep), NULL);

	if (n < (ssize_t)sizeof(rep.hdr) || rep.hdr.result != want) {
		printf("FAIL: %s: got %zd bytes, result %d, expected %d\n", what, n,
		       n >= (ssize_t)sizeof(rep.hdr) ? rep.hdr.result : 0, want);
		return 1;
	}
	printf("ok: %s -> %s (%s)\n", what, strerror(-want), n > (ssize_t)sizeof(rep.hdr) ? rep.text : "");
	return 0;
}

static int messages(const char *path)
{
	int fd = sock_connect(path), bad = 0;
	struct uacd_stream_req sreq = { .hdr = { .type = UACD_MSG_STREAM_OPEN, .size = sizeof(sreq) } };
	struct uacd_msg_hdr unk = { .type = 999, .size = sizeof(unk) };
	struct uacd_msg_hdr trunc = { .type = UACD_MSG_STREAM_OPEN, .size = sizeof(trunc) };
	struct uacd_device_req dreq = { .hdr = { .type = UACD_MSG_DEVICE_INFO, .size = sizeof(dreq) } };
	static char big[8192];
	struct uacd_text rep;

	bad |= expect(fd, &unk, sizeof(unk), -ENOSYS, "unknown message type 999");
	bad |= expect(fd, &trunc, sizeof(trunc), -EBADMSG, "STREAM_OPEN cut to its header");
	playback_req(&sreq);
	bad |= expect(fd, &sreq, sizeof(sreq), -EPROTO, "STREAM_OPEN before HELLO");
	memset(dreq.device, 'x', sizeof(dreq.device));	/* no terminating NUL */
	bad |= expect(fd, &dreq, sizeof(dreq), -ENODEV, "unterminated device name");
	memcpy(big, &unk, sizeof(unk));
	((struct uacd_msg_hdr *)big)->type = UACD_MSG_LIST;
	bad |= expect(fd, big, sizeof(big), -EMSGSIZE, "8 KiB message");
	if (hello(fd) < 0) {
		printf("FAIL: hello after garbage refused\n");
		return 1;
	}
	{
		struct uacd_hello h2 = { .hdr = { .type = UACD_MSG_HELLO, .size = sizeof(h2), .seq = 7 },
					 .version = UACD_PROTO_VERSION, .name = "again" };
		struct timeval tv = { 2, 0 }, none = { 0, 0 };

		/* A second HELLO used to get no reply at all: do not wait forever for it. */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		bad |= expect(fd, &h2, sizeof(h2), -EPROTO, "second HELLO on one connection");
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
	}
	sreq.channels = 0;
	bad |= expect(fd, &sreq, sizeof(sreq), -EINVAL, "0 channels");
	sreq.channels = 2;
	sreq.format = 77;
	bad |= expect(fd, &sreq, sizeof(sreq), -EINVAL, "format 77");
	sreq.format = UACD_FMT_S16_LE;
	sreq.buffer_frames = 1u << 30;
	bad |= expect(fd, &sreq, sizeof(sreq), -EINVAL, "1 Gi-frame buffer");
	/* Still serving? */
	{
		struct uacd_msg_hdr list = { .type = UACD_MSG_LIST, .size = sizeof(list) };

		if (xfer(fd, &list, sizeof(list), &rep, sizeof(rep), NULL) <= 0 || rep.hdr.result) {
			printf("FAIL: uacd stopped answering\n");
			return 1;
		}
		printf("ok: uacd still answers after %s\n", "every malformed message");
	}
	/* A message that is shorter than a header closes the connection. */
	if (send(fd, "x", 1, 0) == 1 && recv(fd, &rep, sizeof(rep), 0) == 0)
		printf("ok: 1-byte message: connection closed\n");
	else {
		printf("FAIL: 1-byte message did not close the connection\n");
		bad = 1;
	}
	close(fd);
	return bad;
}

/* The device's rate as DEVICE_INFO reports it, or 0. */
static uint32_t device_rate(int fd)
{
	struct uacd_device_req q = { .hdr = { .type = UACD_MSG_DEVICE_INFO, .size = sizeof(q) } };
	struct uacd_device_info r;

	if (xfer(fd, &q, sizeof(q), &r, sizeof(r), NULL) < (ssize_t)sizeof(r) || r.hdr.result)
		return 0;
	return r.rate;
}

/*
 * A STREAM_OPEN that asks for another rate and an impossible channel
 * count is refused, and the device keeps its rate: nothing is switched
 * for a request that is not served (issue 12).
 */
static int rate(const char *path)
{
	struct uacd_stream_req req = { .hdr = { .type = UACD_MSG_STREAM_OPEN, .size = sizeof(req), .seq = 2 } };
	int fd = sock_connect(path), bad = 0;
	uint32_t before, after;

	if (hello(fd) < 0) {
		printf("FAIL: hello refused\n");
		return 1;
	}
	before = device_rate(fd);
	playback_req(&req);
	req.channels = 999;
	req.rate = before == 44100 ? 48000 : 44100;
	bad |= expect(fd, &req, sizeof(req), -EINVAL, "STREAM_OPEN at another rate with 999 channels");
	req.channels = 2;
	req.buffer_frames = 10;
	bad |= expect(fd, &req, sizeof(req), -EINVAL, "STREAM_OPEN at another rate with a 10-frame buffer");
	after = device_rate(fd);
	if (!before || after != before) {
		printf("FAIL: the device ran at %u Hz before the refused requests and at %u Hz after\n",
		       before, after);
		return 1;
	}
	printf("ok: the device still runs at %u Hz\n", after);
	close(fd);
	return bad;
}

/* A HELLO named name on fd: 1 answered (ok or not), 0 no answer within 1 s. */
static int hello_named(int fd, const char *name, int *wfd)
{
	struct uacd_hello h = { .hdr = { .type = UACD_MSG_HELLO, .size = sizeof(h), .seq = 1 },
				.version = UACD_PROTO_VERSION };
	struct uacd_text r;
	struct timeval tv = { 1, 0 };

	snprintf(h.name, sizeof(h.name), "%s", name);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return xfer(fd, &h, sizeof(h), &r, sizeof(r), wfd) >= (ssize_t)sizeof(r.hdr);
}

static void hold(void)
{
	fflush(stdout);
	sleep(60);
}

/*
 * Connections until the daemon runs out of fds: each costs it the socket,
 * a pidfd and a wake pipe.  The last one waits in the listen backlog.
 */
static int fill(const char *path, int max)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int i, answered = 0, waiting = 0;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (i = 0; i < max && !waiting; i++) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0), wfd = -1;

		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			printf("connect %d: %s\n", i, strerror(errno));
			break;
		}
		if (hello_named(fd, "filler", &wfd))
			answered++;
		else
			waiting++;
	}
	printf("filled: %d answered, %d waiting\n", answered, waiting);
	hold();
	return 0;
}

static int evilname(const char *path)
{
	struct uacd_stream_req req = { .hdr = { .type = UACD_MSG_STREAM_OPEN, .size = sizeof(req), .seq = 2 } };
	struct uacd_stream_reply rep;
	int fd = sock_connect(path), wfd = -1, memfd = -1;

	if (!hello_named(fd, "evil\nuacd: sim: hook x.so loaded by root\x1b[2J\a", &wfd) || wfd < 0) {
		printf("FAIL: hello refused\n");
		return 1;
	}
	playback_req(&req);
	if (xfer(fd, &req, sizeof(req), &rep, sizeof(rep), &memfd) < (ssize_t)sizeof(rep.hdr) ||
	    rep.hdr.result || memfd < 0) {
		printf("FAIL: stream open: %s\n", rep.text);
		return 1;
	}
	printf("ready: stream %u open\n", rep.stream_id);
	hold();
	return 0;
}

/* Connect without exiting on failure: -1 when uacd is not there. */
static int try_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Print each distinct refusal text once. */
static void refusal(char seen[][256], int *n_seen, const char *text)
{
	int i;

	for (i = 0; i < *n_seen; i++)
		if (!strcmp(seen[i], text))
			return;
	if (*n_seen < 16)
		snprintf(seen[(*n_seen)++], 256, "%s", text);
	printf("refused: %s\n", text);
}

/* HELLO on a new connection: the fd, or -1 with the refusal in text. */
static int hello_conn(const char *path, char *text, size_t len)
{
	struct uacd_hello h = { .hdr = { .type = UACD_MSG_HELLO, .size = sizeof(h), .seq = 1 },
				.version = UACD_PROTO_VERSION, .name = "badclient" };
	struct uacd_text r;
	struct timeval tv = { 5, 0 };
	int fd = try_connect(path), wfd = -1;
	ssize_t n;

	snprintf(text, len, "cannot connect");
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&r, 0, sizeof(r));
	n = xfer(fd, &h, sizeof(h), &r, sizeof(r) - 1, &wfd);
	/* hung up on before HELLO went out, or reset before the refusal: read it */
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
		n = recv(fd, &r, sizeof(r) - 1, MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, &r, sizeof(r) - 1, MSG_DONTWAIT);
	if (wfd >= 0)
		close(wfd);
	if (n >= (ssize_t)sizeof(r.hdr) && r.hdr.type == UACD_MSG_HELLO && r.hdr.result == 0)
		return fd;
	if (n >= (ssize_t)sizeof(r.hdr) && r.hdr.type == UACD_MSG_REFUSED)
		snprintf(text, len, "%.255s", r.text);
	else
		snprintf(text, len, "no answer to HELLO (%zd)", n);
	close(fd);
	return -1;
}

static int streams(const char *path, int n, unsigned frames, unsigned ch)
{
	char seen[16][256], text[256];
	int i, n_seen = 0, fd = -1, opened = 0, refused_n = 0, conns = 0;
	unsigned long long bytes = 0;

	for (i = 0; i < n; i++) {
		struct uacd_stream_req req = { .hdr = { .type = UACD_MSG_STREAM_OPEN, .size = sizeof(req),
							.seq = 2 } };
		struct uacd_stream_reply rep;
		int tries, memfd = -1;

		req.direction = i % 2 ? UACD_DIR_CAPTURE : UACD_DIR_PLAYBACK;
		req.format = UACD_FMT_FLOAT_LE;
		req.channels = ch;
		req.rate = 48000;
		req.buffer_frames = frames;
		req.period_frames = frames / 4 ? frames / 4 : 1;
		for (tries = 0; tries < 2; tries++) {
			if (fd < 0) {
				fd = hello_conn(path, text, sizeof(text));
				if (fd < 0)
					break;
				conns++;
			}
			memset(&rep, 0, sizeof(rep));
			if (xfer(fd, &req, sizeof(req), &rep, sizeof(rep), &memfd) < (ssize_t)sizeof(rep.hdr)) {
				snprintf(text, sizeof(text), "no answer to STREAM_OPEN");
				break;
			}
			rep.text[sizeof(rep.text) - 1] = '\0';
			snprintf(text, sizeof(text), "%s", rep.text);
			if (rep.hdr.result == 0 ||
			    (!strstr(rep.text, "per_client") && !strstr(rep.text, "on one connection")))
				break;
			/* this connection is full: the next one */
			fd = -1;
		}
		if (memfd >= 0 && rep.hdr.result == 0) {
			opened++;
			bytes += rep.shm_size;
			/* the client side of the memory: map it as a player would */
			if (mmap(NULL, rep.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0) == MAP_FAILED)
				perror("badclient: mmap");
			close(memfd);
		} else {
			refused_n++;
			refusal(seen, &n_seen, text);
		}
	}
	printf("streams: %d opened (%llu bytes) on %d connections, %d refused\n", opened, bytes, conns,
	       refused_n);
	hold();
	return 0;
}

static int conns(const char *path, int n)
{
	char seen[16][256], text[256];
	int i, n_seen = 0, ok = 0, refused_n = 0;

	for (i = 0; i < n; i++) {
		if (hello_conn(path, text, sizeof(text)) >= 0) {
			ok++;
		} else {
			refused_n++;
			refusal(seen, &n_seen, text);
		}
	}
	printf("conns: %d answered, %d refused\n", ok, refused_n);
	hold();
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int flood(const char *path, int n, int seconds)
{
	struct uacd_device_req req = { .hdr = { .type = UACD_MSG_STATUS, .size = sizeof(req) } };
	unsigned long long sent = 0;
	unsigned hangups = 0;
	double end = now_s() + seconds;
	int fds[256], i;

	if (n > 256)
		n = 256;
	for (i = 0; i < n; i++)
		fds[i] = -1;
	while (now_s() < end) {
		bool any = false;

		for (i = 0; i < n; i++) {
			int k;

			if (fds[i] < 0) {
				fds[i] = try_connect(path);
				if (fds[i] < 0)
					continue;
			}
			/* a burst per connection, then the next one */
			for (k = 0; k < 64; k++) {
				req.hdr.seq++;
				if (send(fds[i], &req, sizeof(req), MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(req)) {
					sent++;
					any = true;
					continue;
				}
				if (errno != EAGAIN) {
					close(fds[i]);
					fds[i] = -1;
					hangups++;
				}
				break;
			}
		}
		if (!any) {
			struct timespec ts = { 0, 1000000 };

			nanosleep(&ts, NULL);	/* every socket full: do not spin ourselves */
		}
	}
	printf("flood: %llu requests sent on %d connections in %d s, %u hang-ups\n", sent, n, seconds,
	       hangups);
	return 0;
}

static int denied(const char *path, int n)
{
	int i, ok = 0, other = 0;
	char text[256];

	for (i = 0; i < n; i++) {
		struct uacd_device_req req = { .hdr = { .type = UACD_MSG_STATUS, .size = sizeof(req), .seq = 2 },
					       .device = "sim" };
		struct uacd_text r;
		int fd = hello_conn(path, text, sizeof(text));

		if (fd < 0) {
			other++;
			continue;
		}
		memset(&r, 0, sizeof(r));
		if (xfer(fd, &req, sizeof(req), &r, sizeof(r) - 1, NULL) >= (ssize_t)sizeof(r.hdr) &&
		    r.hdr.result == -EACCES)
			ok++;
		else
			other++;
		close(fd);
	}
	printf("denied: %d of %d (%d otherwise)\n", ok, n, other);
	return ok == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[2], "streams"))
		return streams(argv[1], atoi(argv[3]), (unsigned)atoi(argv[4]), (unsigned)atoi(argv[5]));
	if (argc == 4 && !strcmp(argv[2], "conns"))
		return conns(argv[1], atoi(argv[3]));
	if ((argc == 4 || argc == 5) && !strcmp(argv[2], "flood"))
		return flood(argv[1], atoi(argv[3]), argc == 5 ? atoi(argv[4]) : 10);
	if (argc == 4 && !strcmp(argv[2], "denied"))
		return denied(argv[1], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[2], "fill"))
		return fill(argv[1], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[2], "evilname"))
		return evilname(argv[1]);
	if (argc == 3 && !strcmp(argv[2], "rate"))
		return rate(argv[1]);
	if (argc == 3 && !strcmp(argv[2], "positions"))
		return positions(argv[1]);
	if (argc == 3 && !strcmp(argv[2], "messages"))
		return messages(argv[1]);
	fprintf(stderr, "usage: badclient SOCKET positions|messages|rate|evilname, badclient SOCKET fill N,\n"
			"       badclient SOCKET streams N FRAMES CH|conns N|flood N [SECONDS]|denied N\n");
	return 2;
}
