/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ALSA PCM plugin "uac": any ALSA program talks to uacd through it.
 *
 * One PCM = one connection to uacd's socket.  At open we say HELLO (and get
 * the connection's wake pipe, which is our poll descriptor from then on) and
 * ask for the device's format, rates and channel counts, which become
 * hw_params constraints.  At hw_params the daemon creates the stream and
 * sends a sealed memfd: struct uacd_shm and the ring (see
 * include/uacd/protocol.h).
 *
 * Positions: alsa-lib's ioplug counts hw_ptr from 0 after every prepare.
 * We remember the daemon's position at prepare (`base`) and report
 * (daemon position - base) modulo the buffer size.  transfer() copies
 * between alsa-lib's areas and our ring at our own 64-bit position and
 * publishes it with a release store; the daemon reads it with acquire.
 *
 * State changes go through the shared header: we write the new state and
 * bump cmd_seq; for stop/prepare we wait until the RT thread has
 * acknowledged that sequence number, so it will not touch the ring with the
 * old state any more (ACK_TIMEOUT_MS at most).  start/drain/pause do not
 * need to wait.
 *
 * A daemon that stops answering (stopped, hung) must not hang the program:
 * every request waits at most the `timeout` field's milliseconds
 * (UACD_CLIENT_TIMEOUT_MS by default), and while the stream runs a timerfd,
 * polled beside the wake pipe, checks that the daemon's position moves.
 * When it has not moved for the timeout plus STALL_PERIODS periods (and no
 * xrun explains it), the stream fails with -EIO: "uacd did not answer
 * within N ms".  A daemon that shuts down ends every stream with
 * -ESHUTDOWN first: "uacd stopped".
 *
 * Timestamps (status, trigger) follow the application's tstamp_type, which
 * is gettimeofday unless it asks for another, as on a hw PCM: aplay and
 * arecord subtract the trigger time from gettimeofday() to say how long
 * an xrun lasted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#include <uacd/protocol.h>

#include "alsa-plugin/pcm-uac.h"
#include "alsa-plugin/plugin-conf.h"

static uint32_t fmt_from_alsa(snd_pcm_format_t f)
{
	switch (f) {
	case SND_PCM_FORMAT_S16_LE: return UACD_FMT_S16_LE;
	case SND_PCM_FORMAT_S24_LE: return UACD_FMT_S24_LE;
	case SND_PCM_FORMAT_S24_3LE: return UACD_FMT_S24_3LE;
	case SND_PCM_FORMAT_S32_LE: return UACD_FMT_S32_LE;
	case SND_PCM_FORMAT_FLOAT_LE: return UACD_FMT_FLOAT_LE;
	default: return UACD_FMT_UNKNOWN;
	}
}

/* ---- ioplug callbacks ---------------------------------------------------- */

static int uac_start(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;

	if (!u->shm)
		return -EBADFD;
	uac_set_state(u, UACD_CS_RUNNING);
	uac_watch(u, true);
	return 0;
}

static int uac_stop(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;

	if (!u->shm)
		return 0;
	uac_watch(u, false);
	uac_set_state(u, UACD_CS_STOPPED);
	return uac_wait_ack(u);
}

/*
 * The ring position of alsa-lib's application pointer.  alsa-lib moves
 * io.appl_ptr itself (commits, rewinds, forwards; it wraps at the
 * boundary), so this is the one source of truth for where the client is:
 * unwrap it, a step back of less than half the boundary being a rewind.
 */
static uint64_t appl_pos(struct uac_pcm *u)
{
	snd_pcm_uframes_t a = u->io.appl_ptr, b = u->boundary;
	int64_t d;

	if (b) {
		uint64_t step = (a + b - u->appl_seen % b) % b;

		d = step > b / 2 ? (int64_t)step - (int64_t)b : (int64_t)step;
	} else {
		d = (int64_t)(a - u->appl_seen);
	}
	u->appl_seen = a;
	u->appl_total += d;
	return u->base + (uint64_t)u->appl_total;
}

/*
 * Tell uacd how far we are: written up to (playback) or read up to
 * (capture) `p`.  Never backwards: frames rewound and written again are
 * still ahead of uacd's position or already played, and uacd takes a
 * position behind its own for a broken client.
 */
static void publish(struct uac_pcm *u, uint64_t p)
{
	if ((int64_t)(p - u->pos) <= 0)
		return;
	u->pos = p;
	__atomic_store_n(&u->shm->client.pos, p, __ATOMIC_RELEASE);
}

static snd_pcm_sframes_t uac_pointer(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;
	int32_t err;
	uint64_t dpos;

	if (!u->shm)
		return -EBADFD;
	uac_check_alive(u);
	err = uac_stream_error(u);
	if (err)
		return err;
	if (__atomic_load_n(&u->shm->daemon.xrun_active, __ATOMIC_ACQUIRE))
		return -EPIPE;
	if (io->stream == SND_PCM_STREAM_CAPTURE)
		publish(u, appl_pos(u));	/* mmap commits are not called back */
	dpos = __atomic_load_n(&u->shm->daemon.pos, __ATOMIC_ACQUIRE);
	return (snd_pcm_sframes_t)((dpos - u->base) % io->buffer_size);
}

/*
 * Copy between alsa-lib's areas and the ring, at the application
 * pointer's ring position.  Playback: called at commit, the frames are the
 * client's from now on.  Capture with read access: alsa-lib moves the
 * pointer past them after we return.  Capture with mmap access: called
 * from mmap_begin for everything available, before the client decides how
 * much of it to commit, maybe more than once for the same frames: copy,
 * but publish only what was committed before (the pointer as it stands).
 */
static snd_pcm_sframes_t uac_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
				      snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
	struct uac_pcm *u = io->private_data;
	const snd_pcm_channel_area_t *a = &areas[0];
	uint8_t *app = (uint8_t *)a->addr + (a->first + a->step * offset) / 8;
	snd_pcm_uframes_t done = 0;
	uint64_t at;
	bool peek;

	if (!u->shm)
		return -EBADFD;
	at = appl_pos(u);
	while (done < size) {
		uint64_t off = (at + done) & u->ring_mask;
		uint64_t n = size - done;

		if (off + n > u->ring_mask + 1)
			n = u->ring_mask + 1 - off;
		if (io->stream == SND_PCM_STREAM_PLAYBACK)
			memcpy(u->data + off * u->frame_bytes, app + done * u->frame_bytes,
			       n * u->frame_bytes);
		else
			memcpy(app + done * u->frame_bytes, u->data + off * u->frame_bytes,
			       n * u->frame_bytes);
		done += n;
	}
	peek = io->stream == SND_PCM_STREAM_CAPTURE && io->access != SND_PCM_ACCESS_RW_INTERLEAVED &&
	       io->access != SND_PCM_ACCESS_RW_NONINTERLEAVED;
	publish(u, peek ? at : at + size);
	return (snd_pcm_sframes_t)size;
}

static void stream_unmap(struct uac_pcm *u)
{
	if (u->shm) {
		munmap(u->shm, u->shm_size);
		u->shm = NULL;
	}
}

static int uac_hw_free(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;
	struct uacd_msg_hdr req = { .type = UACD_MSG_STREAM_CLOSE }, rep;

	if (u->open_stream) {
		uac_call(u, &req, sizeof(req), &rep, sizeof(rep), NULL);
		u->open_stream = false;
	}
	uac_watch(u, false);
	stream_unmap(u);
	return 0;
}

static int uac_hw_params(snd_pcm_ioplug_t *io, snd_pcm_hw_params_t *params)
{
	struct uac_pcm *u = io->private_data;
	struct uacd_stream_req req;
	struct uacd_stream_reply rep;
	int fd = -1, ret;
	void *p;

	(void)params;
	uac_hw_free(io);
	memset(&req, 0, sizeof(req));
	req.hdr.type = UACD_MSG_STREAM_OPEN;
	snprintf(req.device, sizeof(req.device), "%s", u->device);
	req.direction = io->stream == SND_PCM_STREAM_PLAYBACK ? UACD_DIR_PLAYBACK : UACD_DIR_CAPTURE;
	req.format = fmt_from_alsa(io->format);
	req.channels = io->channels;
	req.rate = io->rate;
	req.buffer_frames = (uint32_t)io->buffer_size;
	req.period_frames = (uint32_t)io->period_size;
	ret = uac_call(u, &req, sizeof(req), &rep, sizeof(rep), &fd);
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		rep.text[sizeof(rep.text) - 1] = '\0';
		if (!u->unresponsive)
			SNDERR("uac: %s: %s", u->device[0] ? u->device : "default device",
			       rep.text[0] ? rep.text : strerror(-ret));
		return ret;
	}
	if (fd < 0) {
		SNDERR("uac: uacd sent no shared memory");
		return -EPROTO;
	}
	p = mmap(NULL, rep.shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		ret = -errno;
		SNDERR("uac: cannot map the stream's shared memory: %s", strerror(errno));
		return ret;
	}
	u->shm = p;
	u->shm_size = rep.shm_size;
	u->open_stream = true;
	if (u->shm->geom.magic != UACD_SHM_MAGIC || u->shm->geom.version != UACD_SHM_VERSION ||
	    u->shm->geom.header_bytes < sizeof(struct uacd_shm) ||
	    (u->shm->geom.ring_frames & (u->shm->geom.ring_frames - 1)) ||
	    u->shm->geom.header_bytes + u->shm->geom.ring_frames * u->shm->geom.frame_bytes > rep.shm_size) {
		SNDERR("uac: stream header from uacd is not version %u", UACD_SHM_VERSION);
		uac_hw_free(io);
		return -EPROTO;
	}
	u->data = (uint8_t *)p + u->shm->geom.header_bytes;
	u->frame_bytes = u->shm->geom.frame_bytes;
	u->ring_mask = u->shm->geom.ring_frames - 1;
	u->cmd_seq = 0;
	u->error_reported = false;
	u->stall_ms = u->client.timeout_ms +
		      (int)((uint64_t)STALL_PERIODS * io->period_size * 1000 / (io->rate ? io->rate : 1));
	return 0;
}

static int uac_sw_params(snd_pcm_ioplug_t *io, snd_pcm_sw_params_t *params)
{
	struct uac_pcm *u = io->private_data;
	snd_pcm_uframes_t avail_min = io->period_size;

	snd_pcm_sw_params_get_avail_min(params, &avail_min);
	snd_pcm_sw_params_get_boundary(params, &u->boundary);
	if (u->shm)
		__atomic_store_n(&u->shm->client.avail_min, (uint64_t)(avail_min ? avail_min : 1),
				 __ATOMIC_RELAXED);
	return 0;
}

static int uac_prepare(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;
	int32_t err;
	int ret;

	if (!u->shm)
		return -EBADFD;
	uac_watch(u, false);
	uac_set_state(u, UACD_CS_STOPPED);
	ret = uac_wait_ack(u);
	if (ret)
		return ret;
	err = uac_stream_error(u);
	if (err)
		return err;
	/* The RT thread will not move its position until we start. */
	u->base = __atomic_load_n(&u->shm->daemon.pos, __ATOMIC_ACQUIRE);
	u->pos = u->base;
	u->appl_seen = io->appl_ptr;	/* 0: alsa-lib reset it */
	u->appl_total = 0;
	__atomic_store_n(&u->shm->client.pos, u->pos, __ATOMIC_RELEASE);
	/* The wake-ups of the previous run are stale. */
	{
		char buf[256];

		while (read(u->wake_fd, buf, sizeof(buf)) > 0)
			;
	}
	return 0;
}

/*
 * alsa-lib hands draining to us when we have a drain callback (and may call
 * it on a PREPARED stream that never started): tell uacd that an empty ring
 * is the end, not an underrun, then wait until uacd has taken every frame
 * and the device has played what it had queued.  alsa-lib drops the stream
 * when we return.
 */
static int uac_drain(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;
	uint64_t left, queued;
	struct pollfd pfd;
	int32_t err;
	int waited_ms = 0, limit_ms;
	char buf[256];

	if (!u->shm || io->stream != SND_PCM_STREAM_PLAYBACK)
		return 0;
	if (u->unresponsive)
		return -EIO;
	/* An empty ring stops the position now: the drain's own limit applies. */
	uac_watch(u, false);
	uac_set_state(u, UACD_CS_DRAINING);
	limit_ms = (int)((uint64_t)io->buffer_size * 1000 / io->rate) * 2 + 2000;
	pfd.fd = u->wake_fd;
	pfd.events = POLLIN;
	for (;;) {
		err = __atomic_load_n(&u->shm->daemon.error, __ATOMIC_ACQUIRE);
		if (err)
			return err;
		if (__atomic_load_n(&u->shm->daemon.xrun_active, __ATOMIC_ACQUIRE))
			return 0;	/* nothing more will be played */
		left = u->pos - __atomic_load_n(&u->shm->daemon.pos, __ATOMIC_ACQUIRE);
		if (!left)
			break;
		if (io->nonblock)
			return -EAGAIN;
		if (waited_ms > limit_ms) {
			SNDERR("uac: drain: uacd took no data for %d ms", waited_ms);
			return -EIO;
		}
		if (poll(&pfd, 1, 10) > 0)
			while (read(u->wake_fd, buf, sizeof(buf)) > 0)
				;
		waited_ms += 10;
	}
	/* The ring is empty; the device still holds `queued` frames. */
	queued = __atomic_load_n(&u->shm->daemon.queued_frames, __ATOMIC_RELAXED) + u->info.latency_frames;
	if (queued && io->rate) {
		struct timespec ts = {
			.tv_sec = (time_t)(queued / io->rate),
			.tv_nsec = (long)(queued % io->rate * 1000000000ull / io->rate),
		};

		nanosleep(&ts, NULL);
	}
	return 0;
}

static int uac_pause(snd_pcm_ioplug_t *io, int enable)
{
	struct uac_pcm *u = io->private_data;

	if (!u->shm)
		return -EBADFD;
	uac_watch(u, !enable);
	uac_set_state(u, enable ? UACD_CS_PAUSED : UACD_CS_RUNNING);
	return enable ? uac_wait_ack(u) : 0;
}

static int uac_poll_count(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;

	return u->timer_fd >= 0 ? 2 : 1;
}

/* The wake pipe, and the liveness check's timer beside it. */
static int uac_poll_descriptors(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int space)
{
	struct uac_pcm *u = io->private_data;
	unsigned int n = 0;

	if (space > n) {
		pfd[n].fd = u->wake_fd;
		pfd[n++].events = POLLIN;
	}
	if (u->timer_fd >= 0 && space > n) {
		pfd[n].fd = u->timer_fd;
		pfd[n++].events = POLLIN;
	}
	return (int)n;
}

static int uac_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds,
			    unsigned short *revents)
{
	struct uac_pcm *u = io->private_data;
	char buf[256];
	unsigned int i;

	*revents = 0;
	for (i = 1; i < nfds; i++)
		if (pfd[i].fd == u->timer_fd && (pfd[i].revents & POLLIN)) {
			uint64_t ticks;

			if (read(u->timer_fd, &ticks, sizeof(ticks)) < 0)
				(void)0;	/* nothing to read: another poll took it */
		}
	uac_check_alive(u);
	if (pfd[0].revents & POLLIN) {
		while (read(u->wake_fd, buf, sizeof(buf)) > 0)
			;
		*revents = io->stream == SND_PCM_STREAM_PLAYBACK ? POLLOUT : POLLIN;
	}
	if (pfd[0].revents & (POLLERR | POLLHUP))
		*revents |= POLLERR;
	/*
	 * An ended stream: wake the application so that alsa-lib asks
	 * pointer(), which reports the error in a way alsa-lib can name.
	 */
	if (uac_stream_error(u))
		*revents |= io->stream == SND_PCM_STREAM_PLAYBACK ? POLLOUT : POLLIN;
	if (io->state == SND_PCM_STATE_DISCONNECTED)
		*revents |= POLLERR;
	return 0;
}

static int uac_delay(snd_pcm_ioplug_t *io, snd_pcm_sframes_t *delayp)
{
	struct uac_pcm *u = io->private_data;
	uint64_t dpos;
	int32_t err;

	if (!u->shm)
		return -EBADFD;
	err = uac_stream_error(u);
	if (err)
		return err;
	dpos = __atomic_load_n(&u->shm->daemon.pos, __ATOMIC_ACQUIRE);
	if (io->stream == SND_PCM_STREAM_PLAYBACK)
		*delayp = (snd_pcm_sframes_t)(appl_pos(u) - dpos) +
			  (snd_pcm_sframes_t)__atomic_load_n(&u->shm->daemon.queued_frames, __ATOMIC_RELAXED) +
			  (snd_pcm_sframes_t)u->info.latency_frames;
	else
		*delayp = (snd_pcm_sframes_t)(dpos - appl_pos(u)) + (snd_pcm_sframes_t)u->info.latency_frames;
	return 0;
}

static void uac_free(struct uac_pcm *u)
{
	if (!u)
		return;
	stream_unmap(u);
	if (u->wake_fd >= 0)
		close(u->wake_fd);
	if (u->timer_fd >= 0)
		close(u->timer_fd);
	uacd_client_close(&u->client);
	free(u);
}

static int uac_close(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;

	uac_hw_free(io);
	uac_free(u);
	return 0;
}

static unsigned dev_channels(const struct uac_pcm *u);
static void fill_map(const struct uac_pcm *u, unsigned n, unsigned *pos);

static void uac_dump(snd_pcm_ioplug_t *io, snd_output_t *out)
{
	struct uac_pcm *u = io->private_data;

	snd_output_printf(out, "uacd PCM: device %s via %s\n", u->info.device, u->client.path);
	snd_output_printf(out, "  device format %u, %u Hz, playback %u ch, capture %u ch\n",
			  u->info.format, u->info.rate, u->info.playback_channels,
			  u->info.capture_channels);
	{
		unsigned pos[UACD_MAX_CHANNELS], i, n = dev_channels(u);

		fill_map(u, n, pos);
		snd_output_printf(out, "  channel map");
		for (i = 0; i < n; i++)
			snd_output_printf(out, " %s", snd_pcm_chmap_name(pos[i]));
		snd_output_printf(out, "\n");
	}
}

/* ---- channel maps -------------------------------------------------------------- */

/* ALSA positions of the UAC2 bmChannelConfig bits, in bit order. */
static const unsigned char uac_pos[] = {
	SND_CHMAP_FL, SND_CHMAP_FR, SND_CHMAP_FC, SND_CHMAP_LFE, SND_CHMAP_RL, SND_CHMAP_RR,
	SND_CHMAP_FLC, SND_CHMAP_FRC, SND_CHMAP_RC, SND_CHMAP_SL, SND_CHMAP_SR, SND_CHMAP_TC,
	SND_CHMAP_TFL, SND_CHMAP_TFC, SND_CHMAP_TFR, SND_CHMAP_TRL, SND_CHMAP_TRC, SND_CHMAP_TRR,
	SND_CHMAP_TFLC, SND_CHMAP_TFRC, SND_CHMAP_LLFE, SND_CHMAP_RLFE, SND_CHMAP_TSL,
	SND_CHMAP_TSR, SND_CHMAP_BC, SND_CHMAP_BLC, SND_CHMAP_BRC,
};

static unsigned dev_channels(const struct uac_pcm *u)
{
	return u->io.stream == SND_PCM_STREAM_PLAYBACK ? u->info.playback_channels :
							 u->info.capture_channels;
}

/*
 * The position of each of the first n device channels, as the engine
 * routes a client of n channels: channel i to device channel i; a mono
 * client to every channel, so it is MONO.  A device that declares no
 * positions is MONO when mono, FL FR when stereo (what such devices mean),
 * else every channel UNKNOWN.
 */
static void fill_map(const struct uac_pcm *u, unsigned n, unsigned *pos)
{
	uint32_t mask = u->io.stream == SND_PCM_STREAM_PLAYBACK ? u->info.playback_chmap :
								  u->info.capture_chmap;
	unsigned i, bit = 0;

	if (!mask && dev_channels(u) == 2)
		mask = 0x3;
	for (i = 0; i < n; i++) {
		while (bit < 32 && !(mask & (1u << bit)))
			bit++;
		pos[i] = bit < sizeof(uac_pos) ? uac_pos[bit] : SND_CHMAP_UNKNOWN;
		if (bit < 32)
			bit++;
	}
	if (n == 1)
		pos[0] = SND_CHMAP_MONO;
}

/* The device's own count first (what a client asking for the default gets), then fewer. */
static snd_pcm_chmap_query_t **uac_query_chmaps(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;
	unsigned ch = dev_channels(u), k, n;
	snd_pcm_chmap_query_t **maps;

	if (!ch)
		return NULL;
	maps = calloc(ch + 1, sizeof(*maps));
	if (!maps)
		return NULL;
	for (k = 0; k < ch; k++) {
		n = k == 0 ? ch : k;
		maps[k] = malloc(sizeof(*maps[k]) + n * sizeof(maps[k]->map.pos[0]));
		if (!maps[k]) {
			snd_pcm_free_chmaps(maps);
			return NULL;
		}
		maps[k]->type = SND_CHMAP_TYPE_FIXED;
		maps[k]->map.channels = n;
		fill_map(u, n, maps[k]->map.pos);
	}
	return maps;
}

static snd_pcm_chmap_t *uac_get_chmap(snd_pcm_ioplug_t *io)
{
	struct uac_pcm *u = io->private_data;
	unsigned n = io->channels ? io->channels : dev_channels(u);
	snd_pcm_chmap_t *map;

	if (!n)
		return NULL;
	map = malloc(sizeof(*map) + n * sizeof(map->pos[0]));
	if (!map)
		return NULL;
	map->channels = n;
	fill_map(u, n, map->pos);
	return map;
}

static const snd_pcm_ioplug_callback_t uac_callbacks = {
	.start = uac_start,
	.stop = uac_stop,
	.pointer = uac_pointer,
	.transfer = uac_transfer,
	.close = uac_close,
	.hw_params = uac_hw_params,
	.hw_free = uac_hw_free,
	.sw_params = uac_sw_params,
	.prepare = uac_prepare,
	.drain = uac_drain,
	.pause = uac_pause,
	.poll_descriptors_count = uac_poll_count,
	.poll_descriptors = uac_poll_descriptors,
	.poll_revents = uac_poll_revents,
	.delay = uac_delay,
	.dump = uac_dump,
	.query_chmaps = uac_query_chmaps,
	.get_chmap = uac_get_chmap,
};

/* ---- open ---------------------------------------------------------------- */

static int connect_daemon(struct uac_pcm *u, const char *path, int timeout_ms,
			  snd_pcm_stream_t stream)
{
	struct uacd_device_req dreq;
	char comm[64], err[256];
	int ret, fd = -1;

	ret = uacd_client_connect_timeout(&u->client, path, timeout_ms, err, sizeof(err));
	if (ret < 0) {
		SNDERR("uac: %s", err);
		return ret;
	}
	uacd_client_comm(comm, sizeof(comm), "alsa");
	ret = uacd_client_hello(&u->client, comm, &fd);
	if (ret == -ETIMEDOUT) {
		SNDERR("uac: uacd at %s did not answer within %d ms", u->client.path,
		       u->client.timeout_ms);
		return ret;
	}
	if (ret < 0 || fd < 0) {
		char why[256];

		if (fd >= 0)
			close(fd);
		/* a limit's refusal names the limit */
		SNDERR("uac: uacd at %s refused us: %s", u->client.path,
		       ret < 0 ? uacd_client_strerror(&u->client, ret, why, sizeof(why)) :
		       "no wake-up descriptor");
		return ret < 0 ? ret : -EPROTO;
	}
	u->wake_fd = fd;
	fcntl(fd, F_SETFL, O_NONBLOCK);

	memset(&dreq, 0, sizeof(dreq));
	dreq.hdr.type = UACD_MSG_DEVICE_INFO;
	dreq.access = stream == SND_PCM_STREAM_PLAYBACK ? UACD_ACCESS_PLAYBACK : UACD_ACCESS_CAPTURE;
	snprintf(dreq.device, sizeof(dreq.device), "%s", u->device);
	ret = uac_call(u, &dreq, sizeof(dreq), &u->info, sizeof(u->info), NULL);
	if (ret < 0 && u->unresponsive)
		return ret;
	if (ret < 0) {
		/* A refusal carries the daemon's reason (e.g. the policy rule) as text. */
		char *why = (char *)&u->info + sizeof(u->info.hdr);

		why[sizeof(u->info) - sizeof(u->info.hdr) - 1] = '\0';
		SNDERR("uac: %s: %s", u->device[0] ? u->device : "default device",
		       ret == -EACCES && why[0] ? why :
		       ret == -ENODEV ? "no such device in uacd" : strerror(-ret));
		return ret;
	}
	u->info.device[sizeof(u->info.device) - 1] = '\0';
	if ((stream == SND_PCM_STREAM_PLAYBACK && !u->info.playback_channels) ||
	    (stream == SND_PCM_STREAM_CAPTURE && !u->info.capture_channels)) {
		SNDERR("uac: device %s has no %s", u->info.device,
		       stream == SND_PCM_STREAM_PLAYBACK ? "playback" : "capture");
		return -ENODEV;
	}
	return 0;
}

static int set_constraints(struct uac_pcm *u)
{
	static const unsigned int access[] = {
		SND_PCM_ACCESS_RW_INTERLEAVED, SND_PCM_ACCESS_MMAP_INTERLEAVED,
	};
	static const unsigned int formats[] = {
		SND_PCM_FORMAT_S16_LE, SND_PCM_FORMAT_S24_LE, SND_PCM_FORMAT_S24_3LE,
		SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_FLOAT_LE,
	};
	unsigned int rates[UACD_MAX_RATES], max_ch = dev_channels(u);
	unsigned int n = u->info.n_rates < UACD_MAX_RATES ? u->info.n_rates : UACD_MAX_RATES, i;
	int ret;

	unsigned int max_rate = 0, min_buffer_bytes;

	for (i = 0; i < n; i++) {
		rates[i] = u->info.rates[i];
		if (rates[i] > max_rate)
			max_rate = rates[i];
	}
	if (!n) {
		rates[0] = max_rate = u->info.rate;
		n = 1;
	}
	/* uacd needs two 1 ms cycles of room (2 bytes: the smallest frame, S16 mono). */
	min_buffer_bytes = 2 * (max_rate / 1000 + 2) * 2;
	if (min_buffer_bytes < MIN_PERIOD_BYTES * 2)
		min_buffer_bytes = MIN_PERIOD_BYTES * 2;
	ret = snd_pcm_ioplug_set_param_list(&u->io, SND_PCM_IOPLUG_HW_ACCESS, 2, access);
	if (ret >= 0)
		ret = snd_pcm_ioplug_set_param_list(&u->io, SND_PCM_IOPLUG_HW_FORMAT, 5, formats);
	if (ret >= 0)
		ret = snd_pcm_ioplug_set_param_minmax(&u->io, SND_PCM_IOPLUG_HW_CHANNELS, 1,
						      max_ch < UACD_MAX_CHANNELS ? max_ch : UACD_MAX_CHANNELS);
	if (ret >= 0)
		ret = snd_pcm_ioplug_set_param_list(&u->io, SND_PCM_IOPLUG_HW_RATE, n, rates);
	if (ret >= 0)
		ret = snd_pcm_ioplug_set_param_minmax(&u->io, SND_PCM_IOPLUG_HW_PERIOD_BYTES,
						      MIN_PERIOD_BYTES, MAX_PERIOD_BYTES);
	if (ret >= 0)
		ret = snd_pcm_ioplug_set_param_minmax(&u->io, SND_PCM_IOPLUG_HW_PERIODS, 2, 1024);
	if (ret >= 0)
		ret = snd_pcm_ioplug_set_param_minmax(&u->io, SND_PCM_IOPLUG_HW_BUFFER_BYTES,
						      min_buffer_bytes, MAX_BUFFER_BYTES);
	return ret;
}

SND_PCM_PLUGIN_DEFINE_FUNC(uac)
{
	const char *device, *sock;
	struct uac_pcm *u;
	int ret, timeout_ms;

	(void)root;
	ret = uac_conf_parse(conf, &device, &sock, &timeout_ms);
	if (ret < 0)
		return ret;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->client.sock = -1;
	u->wake_fd = -1;
	/* Without a timer (no timerfd) a stalled daemon is noticed by pointer() only. */
	u->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	snprintf(u->device, sizeof(u->device), "%s", device);

	ret = connect_daemon(u, uacd_client_socket_path(sock), timeout_ms, stream);
	if (ret < 0)
		goto err_free;

	u->io.version = SND_PCM_IOPLUG_VERSION;
	u->io.name = "uacd user-space USB audio";
	u->io.mmap_rw = 0;
	u->io.callback = &uac_callbacks;
	u->io.private_data = u;
	u->io.poll_fd = u->wake_fd;
	u->io.poll_events = POLLIN;
	u->io.flags = 0;	/* timestamps: the application's tstamp_type (gettimeofday by default, as hw) */

	ret = snd_pcm_ioplug_create(&u->io, name, stream, mode);
	if (ret < 0)
		goto err_free;
	ret = set_constraints(u);
	if (ret < 0) {
		snd_pcm_ioplug_delete(&u->io);	/* calls uac_close, which frees u */
		return ret;
	}
	*pcmp = u->io.pcm;
	return 0;

err_free:
	uac_free(u);
	return ret;
}

SND_PCM_PLUGIN_SYMBOL(uac);
