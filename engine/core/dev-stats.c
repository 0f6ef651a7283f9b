/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live numbers of a device for STATS (`uacctl status --json`, `uacctl
 * stats`) and the read-only "latency"/"xruns" controls.
 *
 * Everything here runs on the control thread and only reads what the RT
 * thread already publishes: the device counters (relaxed atomics), each
 * stream's daemon-owned shm fields, and the RT thread's CPU clock.  The RT
 * thread does no extra work for any of it.
 *
 * CPU: pthread_getcpuclockid() gives the RT thread's CPU-time clock, which
 * the kernel keeps for every thread anyway; reading it from here costs the
 * RT thread nothing.  cpu_permille is the share of one CPU the thread used
 * between two STATS requests (the first one: since the thread started), so
 * `uacctl stats --watch` shows the load of each refresh interval.  The
 * thread is only read while d->thread_running, which the control thread
 * (our caller) alone changes, so it cannot be joined under us.
 *
 * Latency of a stream, in frames: what sits in its ring (clamped: the
 * client-written position is not trusted) plus, for playback, what the
 * RT thread has taken but the DAC has not played (queued_frames), plus the
 * device's fixed latency.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/core/device.h"

static uint64_t thread_cpu_ns(struct uacd_device *d)
{
	struct timespec ts;
	clockid_t cid;

	if (!d->thread_running || pthread_getcpuclockid(d->thread, &cid) != 0 ||
	    clock_gettime(cid, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Frames the RT thread took from playback rings (or sent as silence: the
 * iso stream always runs) that the DAC has not played, as of the last
 * cycle: published by uacd_dev_cycle_end whether or not a stream is open.
 */
static uint64_t queued_frames(struct uacd_device *d)
{
	return __atomic_load_n(&d->stats.queued_frames, __ATOMIC_RELAXED);
}

uint32_t uacd_dev_out_latency(struct uacd_device *d)
{
	uint64_t q = queued_frames(d) + d->latency_frames;

	return q > UINT32_MAX ? UINT32_MAX : (uint32_t)q;
}

static uint32_t stream_latency(struct uacd_device *d, struct uacd_stream *s, uint64_t queued);

uint32_t uacd_dev_stream_latency(struct uacd_device *d, struct uacd_stream *s)
{
	return stream_latency(d, s, queued_frames(d));
}

int uacd_dev_describe_rt(struct uacd_device *d, char *buf, size_t len)
{
	uint64_t cpu = thread_cpu_ns(d), wall = d->thread_running ? uacd_now_ns() - d->thread_start_ns : 0;
	uint32_t lat = uacd_dev_out_latency(d);

	if (!d->thread_running)
		return snprintf(buf, len, "  rt thread: not running; latency to the DAC %u frames\n", lat);
	return snprintf(buf, len, "  rt thread: %s priority %d, cpu %.1f%% since start; latency to the DAC %u frames (%.2f ms)\n",
			d->rt_ok ? "SCHED_FIFO" : "SCHED_OTHER", d->rt_ok ? d->rt_priority : 0,
			wall ? (double)cpu * 100.0 / (double)wall : 0.0, lat,
			d->rate ? lat * 1000.0 / d->rate : 0.0);
}

static uint32_t stream_latency(struct uacd_device *d, struct uacd_stream *s, uint64_t queued)
{
	uint64_t mine = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_RELAXED);
	uint64_t theirs = __atomic_load_n(&s->shm->client.pos, __ATOMIC_RELAXED);
	int64_t fill = s->direction == UACD_DIR_PLAYBACK ? (int64_t)(theirs - mine) :
			(int64_t)(mine - theirs);
	uint64_t lat;

	if (fill < 0)
		fill = 0;
	if (fill > (int64_t)s->buffer_frames)
		fill = s->buffer_frames;
	lat = (uint64_t)fill + d->latency_frames + (s->direction == UACD_DIR_PLAYBACK ? queued : 0);
	return lat > UINT32_MAX ? UINT32_MAX : (uint32_t)lat;
}

size_t uacd_dev_stats(struct uacd_device *d, struct uacd_stats_reply *r, unsigned max_streams)
{
	struct uacd_stats_stream *rec = (struct uacd_stats_stream *)(r + 1);
	uint64_t now = uacd_now_ns(), cpu, cycles, queued, dcpu, dwall;
	uint32_t q16 = 0, packet_us = 0;
	unsigned dir, j;

	memset((char *)r + sizeof(r->hdr), 0, sizeof(*r) - sizeof(r->hdr));
	r->size = sizeof(*r);
	r->stream_size = sizeof(*rec);
	r->state = d->thread_running ? UACD_DEV_RUNNING : UACD_DEV_IDLE;
	snprintf(r->device, sizeof(r->device), "%s", d->name);
	snprintf(r->kind, sizeof(r->kind), "%s", d->ops->kind);
	r->format = d->format;
	r->rate = d->rate;
	r->playback_channels = d->play_ch;
	r->capture_channels = d->cap_ch;
	r->rt_priority = d->thread_running && d->rt_ok ? d->rt_priority : 0;
	if (d->ops->feedback && d->ops->feedback(d, &q16, &packet_us) == 0) {
		r->feedback_q16 = q16;
		r->packet_us = packet_us;
	}
	cycles = __atomic_load_n(&d->stats.cycles, __ATOMIC_RELAXED);
	r->cycles = cycles;
	r->playback_frames = __atomic_load_n(&d->stats.play_frames, __ATOMIC_RELAXED);
	r->capture_frames = __atomic_load_n(&d->stats.cap_frames, __ATOMIC_RELAXED);
	r->xruns = __atomic_load_n(&d->stats.xruns, __ATOMIC_RELAXED);
	r->bad_clients = __atomic_load_n(&d->stats.bad_clients, __ATOMIC_RELAXED);
	r->cycle_ns_max = __atomic_load_n(&d->stats.cycle_ns_max, __ATOMIC_RELAXED);
	r->cycle_ns_avg = cycles ? __atomic_load_n(&d->stats.cycle_ns_sum, __ATOMIC_RELAXED) / cycles : 0;
	r->wake_measured = d->stats.wake_measured;
	r->wake_late_ns_max = __atomic_load_n(&d->stats.wake_late_ns_max, __ATOMIC_RELAXED);
	r->late_cycles = __atomic_load_n(&d->stats.late_cycles, __ATOMIC_RELAXED);

	if (d->thread_running) {
		cpu = thread_cpu_ns(d);
		r->cpu_ns = cpu;
		r->wall_ns = now - d->thread_start_ns;
		dcpu = cpu - d->cpu_seen.cpu_ns;
		dwall = r->wall_ns - d->cpu_seen.wall_ns;
		r->cpu_permille = dwall ? (uint32_t)(dcpu * 1000 / dwall) : 0;
		d->cpu_seen.cpu_ns = cpu;
		d->cpu_seen.wall_ns = r->wall_ns;
	}

	pthread_mutex_lock(&d->lock);
	queued = queued_frames(d);
	r->latency_frames = (uint32_t)(queued + d->latency_frames);
	for (dir = 0; dir < 2; dir++) {
		struct uacd_stream_set *set = d->streams[dir];

		for (j = 0; set && j < set->n; j++) {
			struct uacd_stream *s = set->s[j];

			r->n_streams_total++;
			if (r->n_streams >= max_streams)
				continue;
			memset(rec, 0, sizeof(*rec));
			rec->size = sizeof(*rec);
			rec->id = s->id;
			rec->direction = s->direction;
			rec->format = s->format;
			rec->channels = s->channels;
			rec->buffer_frames = s->buffer_frames;
			rec->period_frames = s->period_frames;
			rec->client_state = __atomic_load_n(&s->shm->client.state, __ATOMIC_RELAXED);
			rec->xruns = __atomic_load_n(&s->shm->daemon.xruns, __ATOMIC_RELAXED);
			rec->error = __atomic_load_n(&s->shm->daemon.error, __ATOMIC_RELAXED);
			rec->pid = (int32_t)s->pid;
			rec->latency_frames = stream_latency(d, s, queued);
			rec->frames = __atomic_load_n(&s->shm->daemon.pos, __ATOMIC_RELAXED);
			snprintf(rec->client, sizeof(rec->client), "%s", s->client);
			rec++;
			r->n_streams++;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return sizeof(*r) + r->n_streams * sizeof(*rec);
}
