/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PCM plugin's insides, shared by pcm_uac.c (the ioplug callbacks and
 * open) and pcm-uac-link.c (requests, the liveness check, the state
 * handshake and the errors uacd ends a stream with).
 */
#ifndef UACD_PCM_UAC_H
#define UACD_PCM_UAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>

#include <uacd/protocol.h>

#include "engine/client/uacd-client.h"

/* How long the RT thread gets to acknowledge a stop, pause or prepare. */
#define ACK_TIMEOUT_MS 500
/* A running stream whose position stands still this many periods past the timeout: stalled. */
#define STALL_PERIODS 4
/* Byte limits as snd-usb-audio declares them; uacd's ring takes any of these. */
#define MIN_PERIOD_BYTES 64
#define MAX_PERIOD_BYTES (512u * 1024u)
#define MAX_BUFFER_BYTES (1024u * 1024u)

struct uac_pcm {
	snd_pcm_ioplug_t io;	/* must be first */
	struct uacd_client client;
	int wake_fd;
	int timer_fd;		/* the liveness check's ticks while running; -1 without */
	char device[UACD_NAME_MAX];
	struct uacd_device_info info;
	struct uacd_shm *shm;
	size_t shm_size;
	uint8_t *data;
	uint32_t cmd_seq;
	uint64_t pos;		/* the position we published (never moves back) */
	uint64_t base;		/* daemon position at prepare */
	snd_pcm_uframes_t appl_seen;	/* io.appl_ptr when last looked at */
	int64_t appl_total;	/* io.appl_ptr unwrapped, since prepare */
	snd_pcm_uframes_t boundary;	/* where io.appl_ptr wraps (sw_params) */
	uint32_t frame_bytes;
	uint64_t ring_mask;
	bool open_stream;
	bool error_reported;
	bool running;		/* started (not stopped, paused or draining): positions must move */
	bool unresponsive;	/* uacd did not answer (said once): ask it nothing more */
	uint64_t seen_pos;	/* daemon position at seen_ms */
	int64_t seen_ms;
	int stall_ms;		/* how long a running position may stand still */
};

const char *uac_dev_name(const struct uac_pcm *u);
int64_t uac_now_ms(void);
/* One request and its reply: the reply's result, or the exchange's -errno. */
int uac_call(struct uac_pcm *u, void *req, size_t req_size, void *rep, size_t rep_size, int *fd);
/* Liveness ticks on (started) or off. */
void uac_watch(struct uac_pcm *u, bool on);
void uac_check_alive(struct uac_pcm *u);
void uac_set_state(struct uac_pcm *u, uint32_t state);
int uac_wait_ack(struct uac_pcm *u);
int32_t uac_stream_error(struct uac_pcm *u);

#endif /* UACD_PCM_UAC_H */
