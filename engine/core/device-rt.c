/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device engine, RT side: what happens to audio between client rings
 * and a transport, once per RT cycle.  The control side (device creation,
 * streams, hooks, the RT thread) is in device.c.
 *
 * A transport (sim/transport-sim.c, usb/transport-libusb.c) owns the device's
 * RT thread.  Each cycle it asks for playback frames and hands over capture
 * frames, in the device's format:
 *
 *   uacd_dev_play(d, out, n, t)      mix every RUNNING/DRAINING playback
 *                                    stream into float planes, run the
 *                                    WRITE_END hooks, convert to the device
 *                                    format with saturation;
 *   uacd_dev_capture(d, in, m, t)    convert to float, run BEGIN_READ hooks,
 *                                    give every RUNNING capture stream a copy
 *                                    in its own format;
 *   uacd_dev_cycle_end(d)            report a QSBR quiescent state.
 *
 * Bit-perfect path: when exactly one playback stream runs, no hook is loaded
 * and the stream's format and channel count are the device's, its frames
 * are copied untouched (likewise per capture stream).  S32 would otherwise
 * lose its low 8 bits in float.
 *
 * What the RT thread may touch: the stream and hook sets it reads through
 * rcu_dereference() (QSBR: the control thread frees old sets only after
 * the RT thread has passed a quiescent state), the preallocated scratch in
 * struct uacd_device, and the shared rings.  It never calls malloc/free,
 * takes no lock, and makes exactly one kind of syscall: a 1-byte
 * non-blocking write() to a client's wake pipe, whose write end is the
 * daemon's own open file description (a client cannot make it blocking, as
 * it could with a shared eventfd).
 *
 * Client positions are untrusted: each cycle the client's position is
 * loaded once (acquire), checked against ours and the buffer size, and a
 * stream whose position is impossible is ended with -EPROTO.  Daemon-owned
 * fields are only ever written.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/core/log.h"

/* rt: software volume on the mix, ramped so that a change never clicks. */
static void apply_sw_gain(struct uacd_device *d, uint32_t frames)
{
	uint32_t bits = __atomic_load_n(&d->sw.gain_bits, __ATOMIC_ACQUIRE), c, i;
	float target, g, step;

	memcpy(&target, &bits, sizeof(target));
	if (d->rt.volume_in_dsp || (target == 1.0f && d->rt.gain == 1.0f))
		return;
	/* 10 ms from full scale to silence; any change takes at most that. */
	step = 100.0f / (float)d->rate;
	g = d->rt.gain;
	for (i = 0; i < frames; i++) {
		if (g < target)
			g = g + step < target ? g + step : target;
		else if (g > target)
			g = g - step > target ? g - step : target;
		for (c = 0; c < d->play_ch; c++)
			d->mix[c][i] *= g;
	}
	d->rt.gain = g;
}

/* ---- the RT cycle --------------------------------------------------------- */

/* rt: poke a client; never blocks (O_NONBLOCK on our own file description). */
static void wake(struct uacd_stream *s)
{
	static const char one = 1;
	ssize_t r;

	if (s->wake_fd < 0)
		return;
	r = write(s->wake_fd, &one, 1);
	(void)r;	/* EAGAIN: the client has wake-ups pending already */
}

/* rt: end a stream because of what the client did, or the device did. */
static void stream_fail(struct uacd_stream *s, int32_t error)
{
	if (s->rt.error)
		return;
	s->rt.error = error;
	__atomic_store_n(&s->shm->daemon.error, error, __ATOMIC_RELEASE);
	if (error == -EPROTO) {
		__atomic_fetch_add(&s->dev->stats.bad_clients, 1, __ATOMIC_RELAXED);
		uacd_rtlog(UACD_LOG_WARNING, s->dev->name,
			   "stream %lld: client wrote an impossible ring position (%lld vs %lld); stream ended",
			   s->id, (int64_t)s->rt.client_pos, (int64_t)s->rt.pos);
	}
	wake(s);
}

/*
 * rt: take the client's commands.  Returns the state to act on.  The ack is
 * published before we touch the ring, so a client that waits for it knows we
 * will not use the old state any more.
 */
static uint32_t stream_sync_state(struct uacd_stream *s)
{
	uint32_t seq = __atomic_load_n(&s->shm->client.cmd_seq, __ATOMIC_ACQUIRE);
	uint32_t state = __atomic_load_n(&s->shm->client.state, __ATOMIC_ACQUIRE);

	if (state > UACD_CS_PAUSED)
		state = UACD_CS_STOPPED;
	if (seq != s->rt.ack) {
		s->rt.ack = seq;
		if (state == UACD_CS_STOPPED && s->rt.xrun) {
			s->rt.xrun = false;
			__atomic_store_n(&s->shm->daemon.xrun_active, 0, __ATOMIC_RELEASE);
		}
		__atomic_store_n(&s->shm->daemon.ack_seq, seq, __ATOMIC_RELEASE);
	}
	s->rt.state = state;
	return state;
}

static void stream_xrun(struct uacd_stream *s)
{
	s->rt.xrun = true;
	s->rt.xruns++;
	__atomic_store_n(&s->shm->daemon.xruns, s->rt.xruns, __ATOMIC_RELEASE);
	__atomic_store_n(&s->shm->daemon.xrun_active, 1, __ATOMIC_RELEASE);
	__atomic_fetch_add(&s->dev->stats.xruns, 1, __ATOMIC_RELAXED);
	wake(s);
}

/* rt: publish our position and wake the client when it can act. */
static void stream_publish(struct uacd_stream *s, uint64_t host_time)
{
	uint64_t avail;

	__atomic_store_n(&s->shm->daemon.queued_frames, s->dev->rt.queued, __ATOMIC_RELAXED);
	__atomic_store_n(&s->shm->daemon.host_time, host_time, __ATOMIC_RELAXED);
	__atomic_store_n(&s->shm->daemon.pos, s->rt.pos, __ATOMIC_RELEASE);
	if (s->direction == UACD_DIR_PLAYBACK)
		avail = s->buffer_frames - (s->rt.client_pos - s->rt.pos);
	else
		avail = s->rt.pos - s->rt.client_pos;
	/*
	 * One wake-up per client action: once avail reaches avail_min we poke
	 * the client and stay quiet until it has moved its position.
	 */
	if (avail >= __atomic_load_n(&s->shm->client.avail_min, __ATOMIC_RELAXED) &&
	    s->rt.woke_client_pos != s->rt.client_pos + 1) {
		s->rt.woke_client_pos = s->rt.client_pos + 1;
		wake(s);
	} else if (s->direction == UACD_DIR_PLAYBACK && s->rt.state == UACD_CS_DRAINING &&
		   s->rt.client_pos == s->rt.pos) {
		wake(s);
	}
}

/* rt: copy ring frames [pos, pos + n) of s to dst (raw). */
static void ring_read_raw(struct uacd_stream *s, uint64_t pos, uint32_t n, uint8_t *dst)
{
	uint64_t mask = s->ring_frames - 1, off = pos & mask;
	uint64_t first = s->ring_frames - off < n ? s->ring_frames - off : n;

	memcpy(dst, s->data + off * s->frame_bytes, first * s->frame_bytes);
	if (first < n)
		memcpy(dst + first * s->frame_bytes, s->data, (n - first) * s->frame_bytes);
}

static void ring_write_raw(struct uacd_stream *s, uint64_t pos, uint32_t n, const uint8_t *src)
{
	uint64_t mask = s->ring_frames - 1, off = pos & mask;
	uint64_t first = s->ring_frames - off < n ? s->ring_frames - off : n;

	memcpy(s->data + off * s->frame_bytes, src, first * s->frame_bytes);
	if (first < n)
		memcpy(s->data, src + first * s->frame_bytes, (n - first) * s->frame_bytes);
}

/*
 * rt: how many frames a playback stream can give this cycle, after
 * validating its write position.  -1 = not taking part.
 */
static int64_t play_avail(struct uacd_stream *s)
{
	uint32_t state;
	uint64_t wpos, fill;

	if (s->rt.error)
		return -1;
	state = stream_sync_state(s);
	if (state != UACD_CS_RUNNING && state != UACD_CS_DRAINING) {
		/* Stopped: follow the client's position silently (prepare resets it). */
		wpos = __atomic_load_n(&s->shm->client.pos, __ATOMIC_ACQUIRE);
		fill = wpos - s->rt.pos;
		if (fill > s->buffer_frames) {
			s->rt.client_pos = wpos;
			stream_fail(s, -EPROTO);
		} else {
			s->rt.client_pos = wpos;
		}
		return -1;
	}
	if (s->rt.xrun)
		return -1;
	wpos = __atomic_load_n(&s->shm->client.pos, __ATOMIC_ACQUIRE);
	fill = wpos - s->rt.pos;	/* unsigned: a position behind ours is huge */
	if (fill > s->buffer_frames) {
		s->rt.client_pos = wpos;
		stream_fail(s, -EPROTO);
		return -1;
	}
	s->rt.client_pos = wpos;
	return (int64_t)fill;
}

/* rt: how many hooks will process `op` this cycle. */
static unsigned hooks_active(const struct uacd_hook_set *hs, enum uacd_io_operation op)
{
	unsigned i, n = 0;

	for (i = 0; i < hs->n; i++)
		n += !hs->h[i]->active || hs->h[i]->active(hs->h[i]->state, op);
	return n;
}

/* rt */
static void run_hooks(struct uacd_device *d, enum uacd_io_operation op, float *const *planes,
		      uint32_t ch, uint32_t frames, uint64_t sample_time, uint64_t host_time)
{
	struct uacd_hook_set *hs = rcu_dereference(d->hooks);
	struct uacd_io_buffer buf = {
		.channels = planes, .n_channels = ch, .n_frames = frames, .rate = d->rate,
		.sample_time = sample_time, .host_time = host_time,
	};
	unsigned i;

	for (i = 0; i < hs->n; i++) {
		struct uacd_hook *h = hs->h[i];

		if (h->active && !h->active(h->state, op))
			continue;
		__atomic_fetch_add(&h->calls, 1, __ATOMIC_RELAXED);
		if (h->ops->process(h->state, op, &buf) < 0)
			__atomic_fetch_add(&h->errors, 1, __ATOMIC_RELAXED);
	}
}

/* rt */
void uacd_dev_play(struct uacd_device *d, void *out, uint32_t frames, uint64_t host_time)
{
	struct uacd_stream_set *set = rcu_dereference(d->streams[UACD_DIR_PLAYBACK]);
	struct uacd_hook_set *hs = rcu_dereference(d->hooks);
	int64_t avail[UACD_MAX_STREAMS];
	unsigned i, c, active = 0, last = 0, hooks = hooks_active(hs, UACD_IO_WRITE_END);
	uint32_t unity_bits;
	bool unity;
	float one = 1.0f;

	if (frames > d->max_frames)
		frames = d->max_frames;
	for (i = 0; i < set->n; i++) {
		avail[i] = play_avail(set->s[i]);
		if (avail[i] >= 0) {
			active++;
			last = i;
		}
	}
	d->rt.playback_active = set->n > 0;
	memcpy(&unity_bits, &one, sizeof(one));
	unity = d->rt.gain == 1.0f &&
		__atomic_load_n(&d->sw.gain_bits, __ATOMIC_RELAXED) == unity_bits;

	if (active == 1 && hooks == 0 && unity && set->s[last]->format == d->format &&
	    set->s[last]->channels == d->play_ch) {
		/* Bit-perfect: one stream in the device's own format, nothing to process. */
		struct uacd_stream *s = set->s[last];
		uint32_t take = avail[last] < frames ? (uint32_t)avail[last] : frames;

		ring_read_raw(s, s->rt.pos, take, out);
		if (take < frames)
			uacd_fmt_silence(d->format, d->play_ch, frames - take,
					 (uint8_t *)out + (size_t)take * s->frame_bytes);
		s->rt.pos += take;
		if (take < frames && s->rt.state == UACD_CS_RUNNING)
			stream_xrun(s);
	} else {
		for (c = 0; c < d->play_ch; c++)
			memset(d->mix[c], 0, frames * sizeof(float));
		for (i = 0; i < set->n; i++) {
			struct uacd_stream *s = set->s[i];
			uint32_t take, done = 0;

			if (avail[i] < 0)
				continue;
			take = avail[i] < frames ? (uint32_t)avail[i] : frames;
			while (done < take) {
				uint64_t off = (s->rt.pos + done) & (s->ring_frames - 1);
				uint32_t n = take - done;

				if (off + n > s->ring_frames)
					n = (uint32_t)(s->ring_frames - off);
				uacd_fmt_mix_to_float(s->format, s->data + off * s->frame_bytes,
						      s->channels, n, d->mix, d->play_ch, done);
				done += n;
			}
			s->rt.pos += take;
			if (take < frames && s->rt.state == UACD_CS_RUNNING)
				stream_xrun(s);
		}
		d->rt.volume_in_dsp = false;
		if (hooks)
			run_hooks(d, UACD_IO_WRITE_END, d->mix, d->play_ch, frames, d->rt.play_time,
				  host_time);
		apply_sw_gain(d, frames);
		uacd_fmt_from_float(d->format, d->mix, d->play_ch, 0, frames, out, d->play_ch);
	}
	d->rt.play_time += frames;
	__atomic_fetch_add(&d->stats.play_frames, frames, __ATOMIC_RELAXED);
	for (i = 0; i < set->n; i++)
		if (!set->s[i]->rt.error)
			stream_publish(set->s[i], host_time);
}

/* rt */
void uacd_dev_capture(struct uacd_device *d, const void *in, uint32_t frames, uint64_t host_time)
{
	struct uacd_stream_set *set = rcu_dereference(d->streams[UACD_DIR_CAPTURE]);
	struct uacd_hook_set *hs = rcu_dereference(d->hooks);
	bool have_float = false, running = false;
	unsigned i, hooks = hooks_active(hs, UACD_IO_BEGIN_READ);

	if (frames > d->max_frames)
		frames = d->max_frames;
	if (hooks) {
		uacd_fmt_to_float(d->format, in, d->cap_ch, frames, d->cap, d->cap_ch, 0);
		run_hooks(d, UACD_IO_BEGIN_READ, d->cap, d->cap_ch, frames, d->rt.cap_time, host_time);
		have_float = true;
	}
	for (i = 0; i < set->n; i++) {
		struct uacd_stream *s = set->s[i];
		uint64_t rpos, fill;
		uint32_t state, done = 0;

		if (s->rt.error)
			continue;
		state = stream_sync_state(s);
		rpos = __atomic_load_n(&s->shm->client.pos, __ATOMIC_ACQUIRE);
		fill = s->rt.pos - rpos;	/* unsigned: a read position ahead of ours is huge */
		s->rt.client_pos = rpos;
		if (fill > s->buffer_frames) {
			stream_fail(s, -EPROTO);
			continue;
		}
		if (state != UACD_CS_RUNNING || s->rt.xrun) {
			stream_publish(s, host_time);
			continue;
		}
		running = true;
		if (fill + frames > s->buffer_frames) {
			stream_xrun(s);	/* overrun: the client did not read in time */
			continue;
		}
		if (!hooks && s->format == d->format && s->channels == d->cap_ch) {
			ring_write_raw(s, s->rt.pos, frames, in);
		} else {
			if (!have_float) {
				uacd_fmt_to_float(d->format, in, d->cap_ch, frames, d->cap, d->cap_ch, 0);
				have_float = true;
			}
			while (done < frames) {
				uint64_t off = (s->rt.pos + done) & (s->ring_frames - 1);
				uint32_t n = frames - done;

				if (off + n > s->ring_frames)
					n = (uint32_t)(s->ring_frames - off);
				uacd_fmt_from_float(s->format, d->cap, d->cap_ch, done, n,
						    s->data + off * s->frame_bytes, s->channels);
				done += n;
			}
		}
		s->rt.pos += frames;
		stream_publish(s, host_time);
	}
	d->rt.capture_running = running;
	d->rt.cap_time += frames;
	__atomic_fetch_add(&d->stats.cap_frames, frames, __ATOMIC_RELAXED);
}

/* rt */
void uacd_dev_fail_streams(struct uacd_device *d, int32_t error)
{
	unsigned i, k;

	for (k = 0; k < 2; k++) {
		struct uacd_stream_set *set = rcu_dereference(d->streams[k]);

		for (i = 0; i < set->n; i++)
			stream_fail(set->s[i], error);
	}
}

/* rt */
void uacd_dev_cycle_end(struct uacd_device *d)
{
	uint64_t ns = uacd_now_ns() - d->rt.cycle_start_ns;

	__atomic_fetch_add(&d->stats.cycles, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->stats.queued_frames, d->rt.queued, __ATOMIC_RELAXED);
	__atomic_fetch_add(&d->stats.cycle_ns_sum, ns, __ATOMIC_RELAXED);
	if (ns > __atomic_load_n(&d->stats.cycle_ns_max, __ATOMIC_RELAXED))
		__atomic_store_n(&d->stats.cycle_ns_max, ns, __ATOMIC_RELAXED);
	rcu_quiescent_state();
}
