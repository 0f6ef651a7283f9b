/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the sim transport: its state (struct sim), shared by
 * transport-sim.c (the model, files, ops) and sim-spec.c (the device spec).
 * Not for use outside engine/sim.
 */
#ifndef UACD_SIM_PRIVATE_H
#define UACD_SIM_PRIVATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sndfile.h>

#include "engine/core/packet.h"
#include "engine/core/transport.h"

struct uacd_device;

#define SIM_FIFO_FRAMES 8192u		/* power of two */
#define SIM_FIFO_TARGET_MS 2u		/* DAC starts once this much is queued */
#define SIM_MAX_DRIFT_PPM 5000
#define SIM_OUT_RING_SECONDS 4u
#define SIM_BEHIND_RESYNC_NS 200000000ull

enum sim_mode { SIM_LOOPBACK, SIM_WAV, SIM_SILENCE };

/* the rates the sim offers (sim-spec.c checks rate= against them) */
static const uint32_t sim_rates[] = { 44100, 48000, 88200, 96000, 176400, 192000 };

struct sim {
	/* configuration */
	enum sim_mode mode;
	int drift_ppm;
	bool high_speed;
	bool fast;
	double speedup;
	char out_path[512];
	char in_path[512];
	bool in_loop;

	/* derived */
	uint32_t pps;			/* packets per second */
	uint32_t ppc;			/* packets per RT cycle (1 ms) */
	uint32_t frame_bytes_play, frame_bytes_cap;

	/* RT-only state */
	struct uacd_pktsched sched;
	struct uacd_fb_decoder fbdec;
	uint64_t clk_step_q32;		/* device frames per interval, Q32.32 */
	uint64_t clk_acc_q32;
	uint64_t fb_carry;
	uint8_t *fifo;			/* SIM_FIFO_FRAMES playback frames */
	uint64_t fifo_w, fifo_r;
	bool dac_running;
	uint8_t *dac;			/* one cycle of DAC output */
	uint8_t *adc;			/* one cycle of capture */
	uint64_t in_pos;		/* frames of in= consumed */
	bool in_started;

	/* statistics (RT writes relaxed) */
	uint64_t underflow_frames;
	uint64_t overflow_frames;
	uint64_t dac_frames;
	uint32_t last_fb_q16;
	uint32_t fifo_level_max;

	/* in= */
	uint8_t *in_data;
	uint64_t in_frames;

	/* out= : SPSC byte ring RT -> writer thread */
	uint8_t *out_ring;
	uint64_t out_size;		/* power of two */
	uint64_t out_w, out_r;
	uint64_t out_dropped;
	bool out_active;
	uint64_t out_idle_frames;
	pthread_t writer;
	bool writer_running;
	int writer_stop;
	SNDFILE *sf;
	FILE *raw;
};

/* sim-spec.c, control thread: is `rate` one of sim_rates? */
bool sim_rate_supported(uint32_t rate);
/*
 * sim-spec.c, control thread: "sim[:key=value,...]" into d (rate,
 * channels, format, name, priority) and s (mode, drift, bus, time, files).
 * 0 or -EINVAL with err.
 */
/* What the spec says of the device itself (the engine gets it with uacd_dev_set_geometry). */
struct sim_params {
	char name[UACD_NAME_MAX];
	struct uacd_dev_geometry g;
	int rt_priority;
	bool chmap_set;		/* chmap= given */
};

uint32_t sim_standard_chmap(unsigned ch);

int sim_parse_spec(struct sim_params *d, struct sim *s, const char *spec, char *err, size_t errlen);

#endif /* UACD_SIM_PRIVATE_H */
