/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device engine, control side: creating and freeing a device, its
 * software volume, opening and closing streams and publishing the sets
 * with RCU, hooks, `uacctl status`, and starting the RT thread.
 *
 * What the RT thread does with all of it each cycle (uacd_dev_play,
 * uacd_dev_capture, uacd_dev_cycle_end), and what it may touch, is in
 * device-rt.c.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "engine/core/device.h"
#include "engine/core/format.h"
#include "engine/core/hook-file.h"
#include "engine/core/log.h"

#ifndef F_SEAL_SEAL
#include <linux/fcntl.h>
#endif

uint64_t uacd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int uacd_dev_init(struct uacd_device *d)
{
	unsigned c;

	if (!d->max_frames || d->play_ch > UACD_MAX_CHANNELS || d->cap_ch > UACD_MAX_CHANNELS)
		return -EINVAL;
	pthread_mutex_init(&d->lock, NULL);
	for (c = 0; c < d->play_ch; c++) {
		d->mix[c] = calloc(d->max_frames, sizeof(float));
		if (!d->mix[c])
			return -ENOMEM;
	}
	for (c = 0; c < d->cap_ch; c++) {
		d->cap[c] = calloc(d->max_frames, sizeof(float));
		if (!d->cap[c])
			return -ENOMEM;
	}
	d->raw = calloc(d->max_frames,
			(size_t)uacd_format_bytes(d->format) * (d->play_ch > d->cap_ch ? d->play_ch : d->cap_ch));
	if (!d->raw)
		return -ENOMEM;
	d->streams[0] = calloc(1, sizeof(struct uacd_stream_set));
	d->streams[1] = calloc(1, sizeof(struct uacd_stream_set));
	d->hooks = calloc(1, sizeof(struct uacd_hook_set));
	if (!d->streams[0] || !d->streams[1] || !d->hooks)
		return -ENOMEM;
	d->io_info.name = d->name;
	d->io_info.rate = d->rate;
	d->io_info.playback_channels = d->play_ch;
	d->io_info.capture_channels = d->cap_ch;
	d->io_info.max_frames = d->max_frames;
	d->rt.gain = 1.0f;
	{
		float one = 1.0f;

		memcpy(&d->sw.gain_bits, &one, sizeof(one));
	}
	return 0;
}

int uacd_dev_sw_control(struct uacd_device *d, const char *name, bool set, int32_t *value,
			int32_t *min, int32_t *max, int32_t *res)
{
	int32_t *field;
	float gain;
	uint32_t bits;

	if (!strcmp(name, "volume")) {
		field = &d->sw.volume;
		*min = UACD_SW_VOLUME_MIN;
		*max = 0;
		*res = 1;
	} else if (!strcmp(name, "mute")) {
		field = &d->sw.mute;
		*min = 0;
		*max = 1;
		*res = 1;
	} else {
		return -ENOENT;
	}
	if (set) {
		if (*value < *min || *value > *max)
			return -EINVAL;
		__atomic_store_n(field, *value, __ATOMIC_RELAXED);
		gain = __atomic_load_n(&d->sw.mute, __ATOMIC_RELAXED) ? 0.0f :
		       powf(10.0f, (float)__atomic_load_n(&d->sw.volume, __ATOMIC_RELAXED) / 256.0f / 20.0f);
		memcpy(&bits, &gain, sizeof(bits));
		__atomic_store_n(&d->sw.gain_bits, bits, __ATOMIC_RELEASE);
	}
	*value = __atomic_load_n(field, __ATOMIC_RELAXED);
	return 0;
}

float uacd_dev_sw_volume_db(const struct uacd_device *d)
{
	if (__atomic_load_n(&d->sw.mute, __ATOMIC_RELAXED))
		return -150.0f;
	return (float)__atomic_load_n(&d->sw.volume, __ATOMIC_RELAXED) / 256.0f;
}

int uacd_dev_start(struct uacd_device *d)
{
	return d->ops->start(d);
}

void uacd_dev_stop(struct uacd_device *d)
{
	if (d->ops && d->ops->stop)
		d->ops->stop(d);
}

static void hook_destroy(struct uacd_hook *h)
{
	if (!h)
		return;
	if (h->ops && h->ops->destroy)
		h->ops->destroy(h->state);
	if (h->dl)
		dlclose(h->dl);
	free(h);
}

void uacd_dev_free(struct uacd_device *d)
{
	unsigned c, i;

	if (!d)
		return;
	uacd_dev_stop(d);
	for (i = 0; i < 2; i++) {
		struct uacd_stream_set *set = d->streams[i];

		while (set && set->n)
			uacd_dev_stream_close(set->s[set->n - 1]), set = d->streams[i];
		free(d->streams[i]);
	}
	if (d->hooks) {
		for (i = 0; i < d->hooks->n; i++)
			hook_destroy(d->hooks->h[i]);
		free(d->hooks);
	}
	for (c = 0; c < UACD_MAX_CHANNELS; c++) {
		free(d->mix[c]);
		free(d->cap[c]);
	}
	free(d->raw);
	if (d->ops && d->ops->free)
		d->ops->free(d);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* ---- streams (control thread) -------------------------------------------- */

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

uint32_t uacd_min_buffer_frames(uint32_t rate)
{
	return 2 * (rate / 1000 + 2);
}

size_t uacd_stream_shm_bytes(const struct uacd_stream_req *req)
{
	uint64_t frame = (uint64_t)uacd_format_bytes(req->format) * req->channels;
	uint64_t size = UACD_SHM_HEADER_BYTES + pow2_at_least(req->buffer_frames) * frame;

	return (size_t)((size + 4095) & ~(uint64_t)4095);
}

static void stream_free(struct uacd_stream *s)
{
	if (!s)
		return;
	if (s->shm && s->shm != MAP_FAILED)
		munmap(s->shm, s->shm_size);
	if (s->memfd >= 0)
		close(s->memfd);
	free(s);
}

static void stream_set_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct uacd_stream_set, rcu));
}

int uacd_dev_stream_open(struct uacd_device *d, const struct uacd_stream_req *req,
			 int wake_fd, pid_t pid, const char *client,
			 struct uacd_stream **out, char *err, size_t errlen)
{
	struct uacd_stream *s;
	struct uacd_stream_set *old, *set;
	int ret;

	ret = uacd_dev_stream_check(d, req, err, errlen);
	if (ret)
		return ret;
	if (req->rate != d->rate) {
		snprintf(err, errlen, "rate %u Hz: device %s runs at %u Hz", req->rate, d->name, d->rate);
		return -EINVAL;
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->memfd = -1;
	s->wake_fd = wake_fd;
	s->dev = d;
	s->direction = req->direction;
	s->format = req->format;
	s->channels = req->channels;
	s->frame_bytes = uacd_format_bytes(req->format) * req->channels;
	s->buffer_frames = req->buffer_frames;
	s->period_frames = req->period_frames;
	s->ring_frames = pow2_at_least(req->buffer_frames);
	s->pid = pid;
	snprintf(s->client, sizeof(s->client), "%s", client);
	s->shm_size = uacd_stream_shm_bytes(req);

	s->memfd = memfd_create("uacd-stream", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (s->memfd < 0) {
		ret = -errno;
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		goto err_free;
	}
	if (ftruncate(s->memfd, (off_t)s->shm_size) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot size shared memory: %s", strerror(errno));
		goto err_free;
	}
	/* No client can shrink or grow it now: we can never fault on it. */
	if (fcntl(s->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot seal shared memory: %s", strerror(errno));
		goto err_free;
	}
	s->shm = mmap(NULL, s->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
	if (s->shm == MAP_FAILED) {
		ret = -errno;
		snprintf(err, errlen, "cannot map shared memory: %s", strerror(errno));
		goto err_free;
	}
	mlock(s->shm, s->shm_size);	/* best effort; mlockall covers it when allowed */
	s->data = (uint8_t *)s->shm + UACD_SHM_HEADER_BYTES;

	pthread_mutex_lock(&d->lock);
	s->id = ++d->next_stream_id;
	s->shm->geom.magic = UACD_SHM_MAGIC;
	s->shm->geom.version = UACD_SHM_VERSION;
	s->shm->geom.header_bytes = UACD_SHM_HEADER_BYTES;
	s->shm->geom.direction = s->direction;
	s->shm->geom.format = s->format;
	s->shm->geom.channels = s->channels;
	s->shm->geom.rate = d->rate;
	s->shm->geom.frame_bytes = s->frame_bytes;
	s->shm->geom.ring_frames = s->ring_frames;
	s->shm->geom.buffer_frames = s->buffer_frames;
	s->shm->geom.period_frames = s->period_frames;
	s->shm->geom.stream_id = s->id;
	s->shm->client.avail_min = s->period_frames;

	old = d->streams[s->direction];
	if (old->n >= UACD_MAX_STREAMS) {
		pthread_mutex_unlock(&d->lock);
		snprintf(err, errlen, "device %s: too many streams (%u)", d->name, UACD_MAX_STREAMS);
		ret = -EBUSY;
		goto err_free;
	}
	set = malloc(sizeof(*set));
	if (!set) {
		pthread_mutex_unlock(&d->lock);
		ret = -ENOMEM;
		goto err_free;
	}
	*set = *old;
	set->s[set->n++] = s;
	rcu_assign_pointer(d->streams[s->direction], set);
	pthread_mutex_unlock(&d->lock);
	call_rcu(&old->rcu, stream_set_free_rcu);
	*out = s;
	return 0;

err_free:
	stream_free(s);
	return ret;
}

void uacd_dev_stream_close(struct uacd_stream *s)
{
	struct uacd_device *d;
	struct uacd_stream_set *old, *set;
	unsigned i;

	if (!s)
		return;
	d = s->dev;
	pthread_mutex_lock(&d->lock);
	old = d->streams[s->direction];
	set = malloc(sizeof(*set));
	if (!set) {
		/* Cannot build a new set: fall back to waiting in place. */
		pthread_mutex_unlock(&d->lock);
		uacd_err("%s: out of memory closing stream %u", d->name, s->id);
		return;
	}
	set->n = 0;
	for (i = 0; i < old->n; i++)
		if (old->s[i] != s)
			set->s[set->n++] = old->s[i];
	rcu_assign_pointer(d->streams[s->direction], set);
	pthread_mutex_unlock(&d->lock);
	/* After this the RT thread can no longer hold s (or the old set). */
	synchronize_rcu();
	free(old);
	stream_free(s);
}

unsigned uacd_dev_stream_count(struct uacd_device *d)
{
	unsigned n;

	pthread_mutex_lock(&d->lock);
	n = d->streams[0]->n + d->streams[1]->n;
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* ---- hooks (control thread) ---------------------------------------------- */

static void hook_set_free_rcu(struct rcu_head *head)
{
	free(caa_container_of(head, struct uacd_hook_set, rcu));
}

int uacd_dev_hook_add(struct uacd_device *d, struct uacd_hook *h)
{
	struct uacd_hook_set *old, *set;

	pthread_mutex_lock(&d->lock);
	old = d->hooks;
	if (old->n >= UACD_MAX_HOOKS) {
		pthread_mutex_unlock(&d->lock);
		return -ENOSPC;
	}
	set = malloc(sizeof(*set));
	if (!set) {
		pthread_mutex_unlock(&d->lock);
		return -ENOMEM;
	}
	*set = *old;
	set->h[set->n++] = h;
	rcu_assign_pointer(d->hooks, set);
	pthread_mutex_unlock(&d->lock);
	call_rcu(&old->rcu, hook_set_free_rcu);
	return 0;
}

int uacd_dev_hook_load(struct uacd_device *d, const char *path, const char *args,
		       char *err, size_t errlen)
{
	struct uacd_hook *h;
	int ret;

	ret = uacd_dev_hook_open(d, path, args, &h, err, errlen);
	if (ret)
		return ret;
	ret = uacd_dev_hook_add(d, h);
	if (ret) {
		snprintf(err, errlen, "hook %s: cannot add: %s", path, strerror(-ret));
		hook_destroy(h);
	}
	return ret;
}

int uacd_dev_hooks_set(struct uacd_device *d, struct uacd_hook *const *h, unsigned n)
{
	struct uacd_hook_set *set;
	unsigned i;

	if (n > UACD_MAX_HOOKS)
		return -ENOSPC;
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		set->h[i] = h[i];
	set->n = n;
	uacd_dev_hooks_publish(d, set);
	return 0;
}

void uacd_dev_hooks_publish(struct uacd_device *d, struct uacd_hook_set *set)
{
	struct uacd_hook_set *old;
	struct uacd_hook *const *h = set->h;
	unsigned i, j, n = set->n;

	pthread_mutex_lock(&d->lock);
	old = d->hooks;
	rcu_assign_pointer(d->hooks, set);
	pthread_mutex_unlock(&d->lock);
	synchronize_rcu();
	/* Destroy what the new set no longer holds. */
	for (i = 0; i < old->n; i++) {
		for (j = 0; j < n && h[j] != old->h[i]; j++)
			;
		if (j == n)
			hook_destroy(old->h[i]);
	}
	free(old);
}

int uacd_dev_hook_open(struct uacd_device *d, const char *path, const char *args,
		       struct uacd_hook **out, char *err, size_t errlen)
{
	char fdpath[32];
	struct uacd_hook *h;
	int fd, ret;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	snprintf(h->path, sizeof(h->path), "%s", path);
	snprintf(h->args, sizeof(h->args), "%s", args ? args : "");
	/* Checked and loaded through the same fd: no stat-then-dlopen race. */
	fd = uacd_hook_file_open(path, err, errlen);
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	h->dl = dlopen(fdpath, RTLD_NOW | RTLD_LOCAL);
	close(fd);
	if (!h->dl) {
		snprintf(err, errlen, "hook %s: %s", path, dlerror());
		ret = -ENOENT;
		goto err_free;
	}
	h->ops = dlsym(h->dl, UACD_IO_HOOK_SYMBOL);
	if (!h->ops) {
		snprintf(err, errlen, "hook %s: no symbol %s (not a uacd hook?)", path,
			 UACD_IO_HOOK_SYMBOL);
		ret = -ENOEXEC;
		goto err_close;
	}
	if (h->ops->abi_version != UACD_IO_HOOK_ABI_VERSION || !h->ops->process) {
		snprintf(err, errlen, "hook %s: ABI version %u, this uacd speaks %u", path,
			 h->ops->abi_version, UACD_IO_HOOK_ABI_VERSION);
		ret = -ENOEXEC;
		goto err_close;
	}
	snprintf(h->name, sizeof(h->name), "%s", h->ops->name ? h->ops->name : path);
	if (h->ops->init) {
		ret = h->ops->init(&d->io_info, h->args, &h->state);
		if (ret < 0) {
			snprintf(err, errlen, "hook %s: init failed: %s", path, strerror(-ret));
			goto err_close;
		}
	}
	*out = h;
	return 0;

err_close:
	dlclose(h->dl);
err_free:
	free(h);
	return ret;
}

void uacd_dev_hook_close(struct uacd_hook *h)
{
	hook_destroy(h);
}

void uacd_dev_hooks_clear(struct uacd_device *d)
{
	struct uacd_hook_set *old, *set;
	unsigned i;

	set = calloc(1, sizeof(*set));
	if (!set)
		return;
	pthread_mutex_lock(&d->lock);
	old = d->hooks;
	rcu_assign_pointer(d->hooks, set);
	pthread_mutex_unlock(&d->lock);
	synchronize_rcu();
	for (i = 0; i < old->n; i++)
		hook_destroy(old->h[i]);
	free(old);
}

int uacd_dev_hooks_describe(struct uacd_device *d, char *buf, size_t len)
{
	struct uacd_hook_set *set;
	size_t off = 0;
	unsigned i;

	pthread_mutex_lock(&d->lock);
	set = d->hooks;
	for (i = 0; i < set->n && off < len; i++) {
		struct uacd_hook *h = set->h[i];
		char st[256] = "";

		if (h->ops->status)
			h->ops->status(h->state, st, sizeof(st));
		off += (size_t)snprintf(buf + off, len - off, "%s\t%s\tcalls=%llu errors=%llu\t%s\n",
					d->name, h->name,
					(unsigned long long)__atomic_load_n(&h->calls, __ATOMIC_RELAXED),
					(unsigned long long)__atomic_load_n(&h->errors, __ATOMIC_RELAXED),
					st);
	}
	pthread_mutex_unlock(&d->lock);
	return off < len ? (int)off : (int)len;
}

int uacd_dev_describe(struct uacd_device *d, char *buf, size_t len)
{
	size_t off;
	unsigned i;

	off = (size_t)snprintf(buf, len,
			       "%s (%s): %s %u Hz, playback %u ch, capture %u ch, rt %s\n",
			       d->name, d->ops->kind, uacd_format_name(d->format), d->rate,
			       d->play_ch, d->cap_ch,
			       d->rt_ok ? "SCHED_FIFO" : "SCHED_OTHER");
	if (off < len)
		off += (size_t)uacd_dev_describe_rt(d, buf + off, len - off);
	if (off >= len)
		return (int)len;
	pthread_mutex_lock(&d->lock);
	for (i = 0; i < 2; i++) {
		struct uacd_stream_set *set = d->streams[i];
		unsigned j;

		for (j = 0; j < set->n && off < len; j++) {
			struct uacd_stream *s = set->s[j];

			off += (size_t)snprintf(buf + off, len - off,
				"  stream %u: %s %s %u ch, buffer %u period %u, pos %llu, latency %u frames, xruns %u, client %s (pid %d)\n",
				s->id, i ? "capture" : "playback", uacd_format_name(s->format),
				s->channels, s->buffer_frames, s->period_frames,
				(unsigned long long)__atomic_load_n(&s->shm->daemon.pos, __ATOMIC_RELAXED),
				uacd_dev_stream_latency(d, s),
				__atomic_load_n(&s->shm->daemon.xruns, __ATOMIC_RELAXED),
				s->client, (int)s->pid);
		}
	}
	pthread_mutex_unlock(&d->lock);
	if (off < len && d->ops->status)
		off += (size_t)d->ops->status(d, buf + off, len - off);
	if (off < len)
		off += (size_t)snprintf(buf + off, len - off,
			"  cycles %llu, max cycle %llu us, xruns %llu, rejected clients %llu\n",
			(unsigned long long)__atomic_load_n(&d->stats.cycles, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&d->stats.cycle_ns_max, __ATOMIC_RELAXED) / 1000,
			(unsigned long long)__atomic_load_n(&d->stats.xruns, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&d->stats.bad_clients, __ATOMIC_RELAXED));
	if (off < len && d->stats.wake_measured)
		off += (size_t)snprintf(buf + off, len - off,
			"  scheduling: max wake-up delay %llu us, %llu cycles began over 1 ms late\n",
			(unsigned long long)__atomic_load_n(&d->stats.wake_late_ns_max, __ATOMIC_RELAXED) / 1000,
			(unsigned long long)__atomic_load_n(&d->stats.late_cycles, __ATOMIC_RELAXED));
	return off < len ? (int)off : (int)len;
}

/* ---- the RT thread ------------------------------------------------------- */

void uacd_dev_rt_enter(struct uacd_device *d)
{
	char name[16] = "uacd-rt-";

	/* "uacd-rt-*" is how tests (and people in top -H) recognise RT threads. */
	memcpy(name + 8, d->name, strnlen(d->name, sizeof(name) - 9));
	pthread_setname_np(pthread_self(), name);
	rcu_register_thread();
}

void uacd_dev_rt_leave(struct uacd_device *d)
{
	(void)d;
	rcu_thread_offline();
	rcu_unregister_thread();
}

int uacd_dev_spawn_rt(struct uacd_device *d, void *(*fn)(void *))
{
	pthread_attr_t attr;
	struct sched_param sp = { .sched_priority = d->rt_priority };
	int ret;

	__atomic_store_n(&d->stop, 0, __ATOMIC_RELEASE);
	if (d->rt_priority > 0) {
		pthread_attr_init(&attr);
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
		ret = pthread_create(&d->thread, &attr, fn, d);
		pthread_attr_destroy(&attr);
		if (ret == 0) {
			d->rt_ok = true;
			d->thread_running = true;
			d->thread_start_ns = uacd_now_ns();
			d->cpu_seen.cpu_ns = d->cpu_seen.wall_ns = 0;
			uacd_info("%s: RT thread at SCHED_FIFO priority %d", d->name, d->rt_priority);
			return 0;
		}
		if (ret != EPERM) {
			uacd_err("%s: cannot start RT thread: %s", d->name, strerror(ret));
			return -ret;
		}
		uacd_warn("%s: SCHED_FIFO priority %d not permitted (%s); running at normal priority",
			  d->name, d->rt_priority, strerror(ret));
	}
	d->rt_ok = false;
	ret = pthread_create(&d->thread, NULL, fn, d);
	if (ret) {
		uacd_err("%s: cannot start device thread: %s", d->name, strerror(ret));
		return -ret;
	}
	d->thread_running = true;
	d->thread_start_ns = uacd_now_ns();
	d->cpu_seen.cpu_ns = d->cpu_seen.wall_ns = 0;
	return 0;
}
