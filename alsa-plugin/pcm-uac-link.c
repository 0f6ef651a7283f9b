/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PCM plugin's link to uacd: requests with a timeout, the check that a
 * running stream's position moves, the state handshake through the shared
 * header, and the error texts for the ways uacd ends a stream.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>

#include "alsa-plugin/pcm-uac.h"

const char *uac_dev_name(const struct uac_pcm *u)
{
	return u->info.device[0] ? u->info.device : u->device[0] ? u->device : "default device";
}

int64_t uac_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One request and its reply: the reply's result, or the exchange's -errno.
 * A daemon that does not answer is said once, and not asked again (a
 * later request of this PCM fails with -EIO at once, silently).
 */
int uac_call(struct uac_pcm *u, void *req, size_t req_size, void *rep, size_t rep_size,
		int *fd)
{
	ssize_t n;

	if (fd)
		*fd = -1;
	if (u->unresponsive) {
		memset(rep, 0, rep_size);
		return -EIO;
	}
	n = uacd_client_exchange(&u->client, req, req_size, rep, rep_size, fd);
	if (n == -ETIMEDOUT) {
		u->unresponsive = true;
		SNDERR("uac: uacd at %s did not answer within %d ms", u->client.path,
		       u->client.timeout_ms);
	}
	return n < 0 ? (int)n : ((struct uacd_msg_hdr *)rep)->result;
}

/* ---- liveness ------------------------------------------------------------ */

/* Tick every quarter of the stall time while running; never when `on` is false. */
void uac_watch(struct uac_pcm *u, bool on)
{
	struct itimerspec its;
	int tick_ms = u->stall_ms / 4 > 10 ? u->stall_ms / 4 : 10;

	u->running = on;
	u->seen_ms = uac_now_ms();
	u->seen_pos = u->shm ? __atomic_load_n(&u->shm->daemon.pos, __ATOMIC_ACQUIRE) : 0;
	if (u->timer_fd < 0)
		return;
	memset(&its, 0, sizeof(its));
	if (on) {
		its.it_interval.tv_sec = tick_ms / 1000;
		its.it_interval.tv_nsec = (long)(tick_ms % 1000) * 1000000;
		its.it_value = its.it_interval;
	}
	timerfd_settime(u->timer_fd, 0, &its, NULL);
}

/*
 * A running stream whose daemon position stands still for stall_ms, with
 * no xrun or error to explain it: uacd (or the device) stopped.  Said
 * once; uac_stream_error() reports -EIO from then on.
 */
void uac_check_alive(struct uac_pcm *u)
{
	uint64_t pos;
	int64_t now;

	if (!u->running || u->unresponsive || !u->shm)
		return;
	now = uac_now_ms();
	pos = __atomic_load_n(&u->shm->daemon.pos, __ATOMIC_ACQUIRE);
	if (pos != u->seen_pos || __atomic_load_n(&u->shm->daemon.error, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&u->shm->daemon.xrun_active, __ATOMIC_ACQUIRE)) {
		u->seen_pos = pos;
		u->seen_ms = now;
		return;
	}
	if (now - u->seen_ms <= u->stall_ms)
		return;
	u->unresponsive = true;
	u->error_reported = true;
	SNDERR("uac: %s: uacd did not answer within %d ms (the stream's position stopped)",
	       uac_dev_name(u), u->stall_ms);
}

/* ---- state handshake ----------------------------------------------------- */

void uac_set_state(struct uac_pcm *u, uint32_t state)
{
	__atomic_store_n(&u->shm->client.state, state, __ATOMIC_RELEASE);
	__atomic_store_n(&u->shm->client.cmd_seq, ++u->cmd_seq, __ATOMIC_RELEASE);
}

/* Wait until the RT thread has seen our last command. */
int uac_wait_ack(struct uac_pcm *u)
{
	struct timespec ts = { 0, 200000 };
	int i;

	if (u->unresponsive)
		return -EIO;	/* said already */
	for (i = 0; i < ACK_TIMEOUT_MS * 5; i++) {
		if (__atomic_load_n(&u->shm->daemon.ack_seq, __ATOMIC_ACQUIRE) == u->cmd_seq)
			return 0;
		if (__atomic_load_n(&u->shm->daemon.error, __ATOMIC_ACQUIRE))
			return 0;
		nanosleep(&ts, NULL);
	}
	SNDERR("uac: %s: uacd did not answer within %d ms (is uacd stopped, or the device stalled?)",
	       uac_dev_name(u), ACK_TIMEOUT_MS);
	return -EIO;
}

/*
 * The error uacd ended the stream with, if any; says why once.  A device
 * that went away makes the PCM DISCONNECTED, which alsa-lib reports as
 * -ENODEV; other errors surface as an xrun whose prepare() fails with them.
 * A daemon that stopped answering is -EIO (uac_check_alive() said so).
 */
int32_t uac_stream_error(struct uac_pcm *u)
{
	int32_t err = u->shm ? __atomic_load_n(&u->shm->daemon.error, __ATOMIC_ACQUIRE) : 0;
	const char *dev = u->info.device[0] ? u->info.device : "device";

	if (!err && u->unresponsive)
		return -EIO;
	if (!err)
		return 0;
	if (!u->error_reported) {
		u->error_reported = true;
		if (err == -ENODEV)
			SNDERR("uac: %s: device disconnected", dev);
		else if (err == -EACCES)
			SNDERR("uac: %s: stream ended: permission withdrawn by the uacd policy", dev);
		else if (err == -EPROTO)
			SNDERR("uac: %s: stream ended: uacd found an impossible ring position", dev);
		else if (err == -ESHUTDOWN)
			SNDERR("uac: %s: stream ended: uacd stopped", dev);
		else
			SNDERR("uac: %s: stream ended by uacd: %s", dev, strerror(-err));
	}
	if (err == -ENODEV)
		snd_pcm_ioplug_set_state(&u->io, SND_PCM_STATE_DISCONNECTED);
	return err;
}
