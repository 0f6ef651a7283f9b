/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The contract between uacd and its clients (ALSA plugins, uacctl).
 *
 * Transport: a SOCK_SEQPACKET Unix socket (default /run/uacd/uacd.sock,
 * overridden by $UACD_SOCKET).  Every message is one packet that starts with
 * struct uacd_msg_hdr; every request gets exactly one reply with the same
 * `type` and `seq`, whose `result` is 0 or a negative errno.  Replies may
 * carry file descriptors (SCM_RIGHTS) and an error text.
 *
 * Streams: STREAM_OPEN returns a sealed memfd (F_SEAL_SHRINK|F_SEAL_GROW|
 * F_SEAL_SEAL, so a client cannot make the daemon fault by truncating it)
 * holding struct uacd_shm followed by the ring, and an eventfd that the
 * daemon signals whenever the client's available space/data crosses its
 * wake-up threshold, or its state changes (xrun, error).
 *
 * Ring: a single-producer single-consumer ring of `ring_frames` (a power of
 * two) interleaved frames in the stream's format.  Positions are 64-bit
 * frame counters that only grow; the frame at position p lives at
 * (p & (ring_frames - 1)).  Playback: the client produces, the daemon
 * consumes.  Capture: the daemon produces, the client consumes.  Each side
 * publishes its position with a release store after touching the data and
 * reads the peer's with an acquire load.
 *
 * Trust: the daemon keeps its own copy of everything it writes and never
 * reads a daemon-owned field back.  Client-owned fields are validated every
 * cycle: a position outside [peer, peer + buffer_frames] (playback) or
 * [peer - buffer_frames, peer] (capture) ends that stream with -EPROTO;
 * other clients notice nothing.
 */
#ifndef UACD_PROTOCOL_H
#define UACD_PROTOCOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UACD_PROTO_VERSION	1u
#define UACD_SHM_MAGIC		0x44434155u	/* "UACD" little-endian */
#define UACD_SHM_VERSION	1u
#define UACD_DEFAULT_SOCKET	"/run/uacd/uacd.sock"
#define UACD_SOCKET_ENV		"UACD_SOCKET"

#define UACD_NAME_MAX		64u		/* device/client names incl. NUL */
#define UACD_ERRTEXT_MAX	256u
#define UACD_MAX_CHANNELS	32u
#define UACD_MAX_RATES		16u
#define UACD_MSG_MAX		4096u

/* Sample formats; the numbering is part of the protocol. */
enum uacd_format {
	UACD_FMT_UNKNOWN = 0,
	UACD_FMT_S16_LE = 1,
	UACD_FMT_S24_LE = 2,	/* 24 bits in the low 3 bytes of 4 */
	UACD_FMT_S24_3LE = 3,	/* packed 3 bytes */
	UACD_FMT_S32_LE = 4,
	UACD_FMT_FLOAT_LE = 5,
	UACD_FMT_COUNT
};

enum uacd_direction {
	UACD_DIR_PLAYBACK = 0,
	UACD_DIR_CAPTURE = 1,
};

enum uacd_msg_type {
	UACD_MSG_HELLO = 1,		/* -> uacd_hello; <- uacd_hello (a second: -EPROTO text) */
	UACD_MSG_DEVICE_INFO = 2,	/* -> uacd_device_req; <- uacd_device_info */
	UACD_MSG_STREAM_OPEN = 3,	/* -> uacd_stream_req; <- uacd_stream_reply + [memfd, eventfd] */
	UACD_MSG_STREAM_CLOSE = 4,	/* -> (hdr); <- (hdr) */
	UACD_MSG_STATUS = 5,		/* -> uacd_device_req; <- text (uacd_text) */
	UACD_MSG_RELOAD = 6,		/* -> (hdr); <- text */
	UACD_MSG_LIST = 7,		/* -> (hdr); <- text */
	UACD_MSG_CONTROL = 8,		/* -> uacd_control_req; <- uacd_control_reply */
	UACD_MSG_HOOKS = 9,		/* -> uacd_device_req; <- text */
	UACD_MSG_HOOK_LOAD = 10,	/* -> uacd_hook_req; <- text (needs the "hook" right) */
	UACD_MSG_HOOK_UNLOAD = 11,	/* -> uacd_hook_req (path = hook name); <- text */
	UACD_MSG_STATS = 12,		/* -> uacd_device_req; <- uacd_stats_reply (or text on error) */
	/*
	 * <- uacd_text, unsolicited, seq 0, result -EUSERS: a limit refused
	 * the connection (text names it, e.g. "uacd: too many connections for
	 * uid 1000 (limit 32, connections_per_uid)"); uacd hangs up after it.
	 */
	UACD_MSG_REFUSED = 13,
};

struct uacd_msg_hdr {
	uint32_t type;		/* enum uacd_msg_type */
	uint32_t size;		/* whole message including this header */
	uint32_t seq;		/* echoed in the reply */
	int32_t result;		/* replies: 0 or -errno */
};

struct uacd_hello {
	struct uacd_msg_hdr hdr;
	uint32_t version;	/* UACD_PROTO_VERSION */
	uint32_t flags;
	char name[UACD_NAME_MAX];	/* client's own name, for logs (non-printable ASCII -> '?') */
};

struct uacd_device_req {
	struct uacd_msg_hdr hdr;
	char device[UACD_NAME_MAX];	/* "" = the default device */
	/*
	 * DEVICE_INFO: the right the client will need (UACD_ACCESS_*), checked
	 * now so that a denied client fails at open with -EACCES.
	 */
	uint32_t access;
	uint32_t reserved;
};

enum uacd_access {
	UACD_ACCESS_NONE = 0,
	UACD_ACCESS_PLAYBACK = 1,
	UACD_ACCESS_CAPTURE = 2,
	UACD_ACCESS_CONTROL = 3,
};

struct uacd_device_info {
	struct uacd_msg_hdr hdr;
	char device[UACD_NAME_MAX];
	uint32_t format;		/* device's sample format */
	uint32_t rate;			/* current rate */
	uint32_t rate_locked;		/* 1 when other streams pin the rate */
	uint32_t n_rates;
	uint32_t rates[UACD_MAX_RATES];
	uint32_t playback_channels;	/* 0 = no playback */
	uint32_t capture_channels;	/* 0 = no capture */
	uint32_t packet_frames_max;	/* largest device packet, frames */
	uint32_t latency_frames;	/* fixed device-side latency */
	/*
	 * Channel positions, one bit per position in UAC2 bmChannelConfig
	 * order (bit 0 FL, 1 FR, 2 FC, 3 LFE, 4 BL, 5 BR, 6 FLC, 7 FRC, 8 BC,
	 * 9 SL, 10 SR, 11 TC, 12 TFL, 13 TFC, 14 TFR, 15 TBL, 16 TBC, 17 TBR,
	 * 18 TFLC, 19 TFRC, 20 LLFE, 21 RLFE, 22 TSL, 23 TSR, 24 BOC, 25 BLC,
	 * 26 BRC); channel i has the i-th set bit, channels past the last set
	 * bit have none.  0: the device declares none.
	 */
	uint32_t playback_chmap;
	uint32_t capture_chmap;
};

struct uacd_stream_req {
	struct uacd_msg_hdr hdr;
	char device[UACD_NAME_MAX];
	uint32_t direction;		/* enum uacd_direction */
	uint32_t format;		/* enum uacd_format, client's */
	uint32_t channels;
	uint32_t rate;
	uint32_t buffer_frames;		/* ALSA buffer size */
	uint32_t period_frames;		/* ALSA period size (wake-up grain) */
};

struct uacd_stream_reply {
	struct uacd_msg_hdr hdr;
	uint32_t shm_size;		/* bytes to mmap from the memfd */
	uint32_t stream_id;
	char text[UACD_ERRTEXT_MAX];	/* why, when hdr.result < 0 */
};

/* Generic text reply (status, reload, list, hooks, errors). */
struct uacd_text {
	struct uacd_msg_hdr hdr;
	char text[UACD_MSG_MAX - sizeof(struct uacd_msg_hdr)];
};

enum uacd_control_op {
	UACD_CTL_GET = 0,
	UACD_CTL_SET = 1,
};

struct uacd_control_req {
	struct uacd_msg_hdr hdr;
	char device[UACD_NAME_MAX];
	/*
	 * "volume", "mute": the device's (or the software) volume and mute;
	 * "aux1".."aux4": the DSP faders Aux1..Aux4 (1/256 dB, -ENOENT unless
	 * the loaded DSP chain has a Volume/Loudness filter on that fader);
	 * "latency" (read-only, microseconds from the ring to the DAC: frames
	 * queued in transfers plus the device's own latency), "xruns"
	 * (read-only, the device's xrun count).  SET on a read-only control
	 * is -EPERM.
	 */
	char control[UACD_NAME_MAX];
	uint32_t op;
	int32_t value;			/* SET: volume in 1/256 dB, mute 0/1 */
};

struct uacd_hook_req {
	struct uacd_msg_hdr hdr;
	char device[UACD_NAME_MAX];
	char path[256];			/* LOAD: absolute path of the .so; UNLOAD: hook name */
	char args[256];
};

struct uacd_control_reply {
	struct uacd_msg_hdr hdr;
	int32_t value;
	int32_t min;
	int32_t max;
	int32_t res;
	char text[UACD_ERRTEXT_MAX];
};

/*
 * STATS: numbers for `uacctl status --json` and `uacctl stats`, one device
 * per request ("" = the default device).  The reply is uacd_stats_reply
 * followed by n_streams uacd_stats_stream records; `size` fields let both
 * grow at the end: a reader uses the fields it knows and steps by the
 * sizes the daemon sent.  Counters only grow while the device exists.
 */
#define UACD_STATS_MAX_STREAMS 32u

enum uacd_dev_state {
	UACD_DEV_IDLE = 0,		/* no RT thread (no clients, or not started) */
	UACD_DEV_RUNNING = 1,		/* the RT thread runs */
};

struct uacd_stats_stream {
	uint32_t size;			/* sizeof(struct uacd_stats_stream) of the daemon */
	uint32_t id;
	uint32_t direction;		/* enum uacd_direction */
	uint32_t format;		/* enum uacd_format, the client's */
	uint32_t channels;
	uint32_t buffer_frames;
	uint32_t period_frames;
	uint32_t client_state;		/* enum uacd_client_state, as the client said */
	uint32_t xruns;
	int32_t error;			/* 0 or -errno that ended the stream */
	int32_t pid;
	uint32_t latency_frames;	/* ring fill + queued + device latency */
	uint64_t frames;		/* daemon position: frames moved so far */
	char client[UACD_NAME_MAX];
};

struct uacd_stats_reply {
	struct uacd_msg_hdr hdr;
	uint32_t size;			/* sizeof(struct uacd_stats_reply) of the daemon */
	uint32_t state;			/* enum uacd_dev_state */
	char device[UACD_NAME_MAX];
	char kind[16];			/* "sim", "usb" */
	uint32_t format;		/* device format */
	uint32_t rate;
	uint32_t playback_channels;
	uint32_t capture_channels;
	int32_t rt_priority;		/* SCHED_FIFO priority, 0 = SCHED_OTHER */
	uint32_t latency_frames;	/* device side: queued in transfers + device */
	uint32_t feedback_q16;		/* frames per packet, Q16.16; 0 = no feedback */
	uint32_t packet_us;		/* packet interval the feedback refers to */
	uint64_t cycles;
	uint64_t playback_frames;
	uint64_t capture_frames;
	uint64_t xruns;
	uint64_t bad_clients;
	uint64_t cycle_ns_max;
	uint64_t cycle_ns_avg;
	uint64_t cpu_ns;		/* CPU time of the RT thread, this run */
	uint64_t wall_ns;		/* wall time since the RT thread started */
	uint32_t cpu_permille;		/* RT thread CPU since the previous STATS (or start) */
	uint32_t n_streams;		/* records that follow */
	uint32_t n_streams_total;	/* streams open (n_streams is capped) */
	uint32_t stream_size;		/* sizeof(struct uacd_stats_stream) of the daemon */
	/*
	 * Scheduling of a self-paced RT thread (sim in real time): how late it
	 * woke for a cycle at worst, and cycles that began over 1 ms late.  A
	 * machine that stalls the thread shows here, not in cycle_ns_max.
	 * wake_measured 0: not measured (USB, virtual time).
	 */
	uint32_t wake_measured;
	uint32_t reserved;
	uint64_t wake_late_ns_max;
	uint64_t late_cycles;
};

#define UACD_STATS_REPLY_MAX \
	(sizeof(struct uacd_stats_reply) + UACD_STATS_MAX_STREAMS * sizeof(struct uacd_stats_stream))

/* ---- shared memory ------------------------------------------------------ */

/* Client stream states, written by the client (untrusted hint). */
enum uacd_client_state {
	UACD_CS_STOPPED = 0,	/* prepared or set up: daemon does not touch the ring */
	UACD_CS_RUNNING = 1,	/* daemon consumes/produces; empty/full ring = xrun */
	UACD_CS_DRAINING = 2,	/* playback: consume until empty, empty is not an xrun */
	UACD_CS_PAUSED = 3,	/* like STOPPED, but positions are kept */
};

#define UACD_CACHELINE 64

struct uacd_shm {
	/* Geometry: written once by the daemon before the fd is sent. */
	struct {
		uint32_t magic;
		uint32_t version;
		uint32_t header_bytes;	/* offset of the ring data */
		uint32_t direction;
		uint32_t format;
		uint32_t channels;
		uint32_t rate;
		uint32_t frame_bytes;
		uint64_t ring_frames;	/* power of two, >= buffer_frames */
		uint32_t buffer_frames;
		uint32_t period_frames;
		uint32_t stream_id;
		uint32_t pad0[5];
	} geom;

	/* Client-owned. */
	struct {
		uint64_t pos;		/* playback: write position; capture: read position */
		uint32_t state;		/* enum uacd_client_state */
		uint32_t cmd_seq;	/* bumped after every state change */
		uint64_t avail_min;	/* wake-up threshold, frames */
		uint8_t pad[UACD_CACHELINE - 24];
	} __attribute__((aligned(UACD_CACHELINE))) client;

	/* Daemon-owned. */
	struct {
		uint64_t pos;		/* playback: read position; capture: write position */
		uint32_t ack_seq;	/* last client cmd_seq the RT thread acted on */
		int32_t error;		/* 0, or -errno ending the stream: see below */
		uint32_t xruns;		/* count; grows */
		uint32_t xrun_active;	/* 1 while an xrun awaits prepare() */
		uint64_t queued_frames;	/* consumed but not yet at the converter (playback) */
		uint64_t device_frames;	/* device time in frames (grows) */
		uint64_t host_time;	/* CLOCK_MONOTONIC ns when pos was published */
		uint8_t pad[UACD_CACHELINE - 48];
	} __attribute__((aligned(UACD_CACHELINE))) daemon;
} __attribute__((aligned(UACD_CACHELINE)));

/*
 * daemon.error, once set, stays and ends the stream (the client is woken):
 *   -ENODEV     the device went away
 *   -EPROTO     the client wrote an impossible ring position
 *   -EACCES     a reloaded policy withdrew the right
 *   -ESHUTDOWN  uacd is stopping (SIGTERM/SIGINT): every open stream gets it
 *               before the devices stop and the connections close
 * A client that sees none of these while the position stands still on a
 * running stream is talking to a daemon that stopped answering.
 */
#define UACD_SHM_HEADER_BYTES 4096u

/* Bytes per frame of a format, 0 when unknown. */
static inline uint32_t uacd_format_bytes(uint32_t format)
{
	switch (format) {
	case UACD_FMT_S16_LE: return 2;
	case UACD_FMT_S24_3LE: return 3;
	case UACD_FMT_S24_LE:
	case UACD_FMT_S32_LE:
	case UACD_FMT_FLOAT_LE: return 4;
	default: return 0;
	}
}

#ifdef __cplusplus
}
#endif

#endif /* UACD_PROTOCOL_H */
