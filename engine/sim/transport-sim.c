/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in simulated device, "sim": a UAC2 interface on a USB bus, with
 * playback and capture, an asynchronous playback endpoint with explicit
 * feedback, and a sample clock of its own that drifts against the bus.
 *
 * Model.  The bus ticks every packet interval (1 ms at full speed, 125 us
 * at high speed) on the host's clock.  The device's sample clock runs at
 * rate * (1 + drift_ppm / 1e6); an exact Q32 accumulator turns that into
 * how many frames it plays and records in each interval.  Playback packets
 * land in the device's FIFO; the DAC takes its own count out of it each
 * interval.  Nothing tells the host how fast the DAC really goes except the
 * feedback endpoint: every interval the device reports its rate (10.14 at
 * full speed, 16.16 at high speed, with the quantisation remainder carried
 * so the long-run average is exact, as a device measuring its clock against
 * SOF does).  The engine sizes packets from that value through the same
 * packet scheduler and feedback decoder the libusb transport uses, so a
 * host that did not follow feedback would under- or overflow the FIFO; the
 * sim counts every frame it had to invent (underflow) or drop (overflow)
 * and `uacctl status` shows them.
 *
 * Modes: loopback (capture returns what the DAC played, after the hooks),
 * wav (out= receives everything the DAC plays while playback streams are
 * open; in= is what the ADC records, starting when the first capture client
 * starts), silence.
 *
 * Time: time=real paces the bus with clock_nanosleep on CLOCK_MONOTONIC.
 * time=fast runs the same model `speedup` times faster than real time; the
 * host_time that hooks see stays the model's (virtual) bus time, so it is
 * consistent with the rate at any speed.
 *
 * Threads: the RT thread runs everything above.  File output cannot be
 * written from it, so the DAC's frames go through a lock-free byte ring to
 * a writer thread at normal priority; input files are read into memory
 * before the RT thread starts.
 *
 * The device spec ("sim:key=value,...") is parsed in sim-spec.c.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sndfile.h>

#include "engine/core/transport.h"
#include "engine/core/format.h"
#include "engine/core/log.h"
#include "engine/core/packet.h"
#include "engine/sim/sim-private.h"
#include "engine/sim/transport-sim.h"

/* ---- files (control thread / writer thread) ----------------------------- */

static bool is_raw_path(const char *p)
{
	size_t n = strlen(p);

	return n > 4 && !strcasecmp(p + n - 4, ".raw");
}

static int sf_subformat(uint32_t fmt)
{
	switch (fmt) {
	case UACD_FMT_S16_LE: return SF_FORMAT_PCM_16;
	case UACD_FMT_S24_LE:
	case UACD_FMT_S24_3LE: return SF_FORMAT_PCM_24;
	case UACD_FMT_S32_LE: return SF_FORMAT_PCM_32;
	case UACD_FMT_FLOAT_LE: return SF_FORMAT_FLOAT;
	default: return 0;
	}
}

/* Read in= into memory, converted to the device's capture format. */
static int load_input(struct uacd_device *d, struct sim *s, char *err, size_t errlen)
{
	uint32_t bps = uacd_format_bytes(uacd_dev_format(d));
	FILE *f;
	long len;

	if (!s->in_path[0])
		return 0;
	if (!uacd_dev_channels(d, UACD_DIR_CAPTURE)) {
		snprintf(err, errlen, "sim: in=%s but the device has no capture channels", s->in_path);
		return -EINVAL;
	}
	if (is_raw_path(s->in_path)) {
		f = fopen(s->in_path, "rb");
		if (!f) {
			snprintf(err, errlen, "sim: in=%s: %s", s->in_path, strerror(errno));
			return -errno;
		}
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fseek(f, 0, SEEK_SET);
		s->in_frames = (uint64_t)len / s->frame_bytes_cap;
		s->in_data = malloc(s->in_frames * s->frame_bytes_cap + 1);
		if (!s->in_data || fread(s->in_data, s->frame_bytes_cap, s->in_frames, f) != s->in_frames) {
			fclose(f);
			snprintf(err, errlen, "sim: in=%s: read error", s->in_path);
			return -EIO;
		}
		fclose(f);
	} else {
		SF_INFO info = { 0 };
		SNDFILE *sf = sf_open(s->in_path, SFM_READ, &info);
		int32_t *ibuf;
		float *fbuf;
		uint64_t i, n;
		unsigned c;

		if (!sf) {
			snprintf(err, errlen, "sim: in=%s: %s", s->in_path, sf_strerror(NULL));
			return -EINVAL;
		}
		if ((uint32_t)info.channels != uacd_dev_channels(d, UACD_DIR_CAPTURE)) {
			snprintf(err, errlen, "sim: in=%s has %d channels, the device captures %u",
				 s->in_path, info.channels, uacd_dev_channels(d, UACD_DIR_CAPTURE));
			sf_close(sf);
			return -EINVAL;
		}
		if ((uint32_t)info.samplerate != uacd_dev_rate(d))
			uacd_warn("sim: in=%s is %d Hz, the device runs at %u Hz: samples are used as they are",
				  s->in_path, info.samplerate, uacd_dev_rate(d));
		n = (uint64_t)info.frames;
		s->in_data = malloc(n * s->frame_bytes_cap + 1);
		ibuf = malloc(n * uacd_dev_channels(d, UACD_DIR_CAPTURE) * sizeof(int32_t) + 1);
		fbuf = malloc(n * uacd_dev_channels(d, UACD_DIR_CAPTURE) * sizeof(float) + 1);
		if (!s->in_data || !ibuf || !fbuf) {
			free(ibuf);
			free(fbuf);
			sf_close(sf);
			return -ENOMEM;
		}
		if (uacd_dev_format(d) == UACD_FMT_FLOAT_LE)
			n = (uint64_t)sf_readf_float(sf, fbuf, (sf_count_t)n);
		else
			n = (uint64_t)sf_readf_int(sf, ibuf, (sf_count_t)n);
		for (i = 0; i < n; i++)
			for (c = 0; c < uacd_dev_channels(d, UACD_DIR_CAPTURE); c++) {
				uint8_t *p = s->in_data + i * s->frame_bytes_cap + c * bps;
				int32_t v = ibuf[i * uacd_dev_channels(d, UACD_DIR_CAPTURE) + c];

				switch (uacd_dev_format(d)) {
				case UACD_FMT_S16_LE:
					v >>= 16;
					p[0] = (uint8_t)v;
					p[1] = (uint8_t)(v >> 8);
					break;
				case UACD_FMT_S24_3LE:
				case UACD_FMT_S24_LE:
					v >>= 8;
					p[0] = (uint8_t)v;
					p[1] = (uint8_t)(v >> 8);
					p[2] = (uint8_t)(v >> 16);
					if (uacd_dev_format(d) == UACD_FMT_S24_LE)
						p[3] = v < 0 ? 0xff : 0;
					break;
				case UACD_FMT_S32_LE:
					memcpy(p, &v, 4);
					break;
				case UACD_FMT_FLOAT_LE:
					memcpy(p, &fbuf[i * uacd_dev_channels(d, UACD_DIR_CAPTURE) + c], 4);
					break;
				}
			}
		s->in_frames = n;
		free(ibuf);
		free(fbuf);
		sf_close(sf);
	}
	uacd_info("sim: in=%s: %llu frames", s->in_path, (unsigned long long)s->in_frames);
	return 0;
}

static int open_output(struct uacd_device *d, struct sim *s, char *err, size_t errlen)
{
	if (!s->out_path[0])
		return 0;
	if (!uacd_dev_channels(d, UACD_DIR_PLAYBACK)) {
		snprintf(err, errlen, "sim: out=%s but the device has no playback channels", s->out_path);
		return -EINVAL;
	}
	if (is_raw_path(s->out_path)) {
		s->raw = fopen(s->out_path, "wb");
		if (!s->raw) {
			snprintf(err, errlen, "sim: out=%s: %s", s->out_path, strerror(errno));
			return -errno;
		}
	} else {
		SF_INFO info = {
			.samplerate = (int)uacd_dev_rate(d),
			.channels = (int)uacd_dev_channels(d, UACD_DIR_PLAYBACK),
			.format = SF_FORMAT_WAV | sf_subformat(uacd_dev_format(d)),
		};

		s->sf = sf_open(s->out_path, SFM_WRITE, &info);
		if (!s->sf) {
			snprintf(err, errlen, "sim: out=%s: %s", s->out_path, sf_strerror(NULL));
			return -EIO;
		}
	}
	return 0;
}

/* Writer thread: move DAC frames from the ring into the file. */
static void *writer_main(void *arg)
{
	struct uacd_device *d = arg;
	struct sim *s = uacd_dev_transport(d);
	uint32_t bps = uacd_format_bytes(uacd_dev_format(d));
	uint8_t *tmp = malloc(65536 + 16);

	for (;;) {
		uint64_t w = __atomic_load_n(&s->out_w, __ATOMIC_ACQUIRE);
		int stop = __atomic_load_n(&s->writer_stop, __ATOMIC_ACQUIRE);
		uint64_t avail = w - s->out_r;

		while (avail >= s->frame_bytes_play) {
			uint64_t off = s->out_r & (s->out_size - 1);
			uint64_t n = avail < 65536 ? avail : 65536, i;

			n -= n % s->frame_bytes_play;
			if (off + n > s->out_size)
				n = s->out_size - off;
			n -= n % s->frame_bytes_play;
			if (n == 0) {
				/* a frame straddles the wrap: copy it piecewise */
				uint64_t k;

				for (k = 0; k < s->frame_bytes_play; k++)
					tmp[k] = s->out_ring[(s->out_r + k) & (s->out_size - 1)];
				n = s->frame_bytes_play;
			} else {
				memcpy(tmp, s->out_ring + off, n);
			}
			if (s->raw) {
				fwrite(tmp, 1, n, s->raw);
			} else if (uacd_dev_format(d) == UACD_FMT_S24_LE) {
				/* WAV stores 24-bit PCM packed: drop the container byte. */
				for (i = 0; i < n / 4; i++)
					memmove(tmp + i * 3, tmp + i * 4, 3);
				sf_write_raw(s->sf, tmp, (sf_count_t)(n / 4 * 3));
			} else {
				sf_write_raw(s->sf, tmp, (sf_count_t)n);
			}
			__atomic_store_n(&s->out_r, s->out_r + n, __ATOMIC_RELEASE);
			avail -= n;
		}
		(void)bps;
		if (stop)
			break;
		usleep(10000);
	}
	free(tmp);
	if (s->raw)
		fflush(s->raw);
	if (s->sf)
		sf_write_sync(s->sf);
	return NULL;
}

/* ---- the model (RT) ------------------------------------------------------ */

/* rt: append DAC frames to the out= ring. */
static void out_push(struct sim *s, const uint8_t *src, uint64_t bytes)
{
	uint64_t r = __atomic_load_n(&s->out_r, __ATOMIC_ACQUIRE);
	uint64_t off, first;

	if (s->out_size - (s->out_w - r) < bytes) {
		s->out_dropped += bytes / s->frame_bytes_play;
		return;
	}
	off = s->out_w & (s->out_size - 1);
	first = s->out_size - off < bytes ? s->out_size - off : bytes;
	memcpy(s->out_ring + off, src, first);
	memcpy(s->out_ring, src + first, bytes - first);
	__atomic_store_n(&s->out_w, s->out_w + bytes, __ATOMIC_RELEASE);
}

/* rt: frames the device clock produces in the next interval. */
static uint32_t clock_tick(struct sim *s)
{
	s->clk_acc_q32 += s->clk_step_q32;
	{
		uint32_t n = (uint32_t)(s->clk_acc_q32 >> 32);

		s->clk_acc_q32 &= 0xffffffffull;
		return n;
	}
}

/* rt: the feedback packet a well-behaved device sends for its clock. */
static int feedback_packet(struct sim *s, uint8_t out[4])
{
	/* Q32 frames per interval -> per microframe in the wire's precision. */
	unsigned frac = s->high_speed ? 16 : 14;
	uint64_t per_uframe_q32 = s->clk_step_q32;	/* FS: interval = frame; HS: = microframe */
	uint64_t v = per_uframe_q32 + s->fb_carry;
	uint64_t q = v >> (32 - frac);

	s->fb_carry = v - (q << (32 - frac));
	return uacd_fb_encode(s->high_speed ? (uint32_t)q : (uint32_t)(q << 2), s->high_speed, out);
}

/* rt: the host's packets into the FIFO, the DAC out of it, out=, and feedback. */
static void sim_play(struct uacd_device *d, struct sim *s, uint32_t play, uint32_t made,
		     uint64_t host_time)
{
	uint32_t room, n, i;
	uint64_t fill;

	uacd_dev_play(d, uacd_dev_scratch(d), play, host_time);
	fill = s->fifo_w - s->fifo_r;
	room = SIM_FIFO_FRAMES - (uint32_t)fill;
	n = play < room ? play : room;
	if (n < play)
		s->overflow_frames += play - n;
	for (i = 0; i < n; i++)
		memcpy(s->fifo + ((s->fifo_w + i) & (SIM_FIFO_FRAMES - 1)) * s->frame_bytes_play,
		       uacd_dev_scratch(d) + (size_t)i * s->frame_bytes_play, s->frame_bytes_play);
	s->fifo_w += n;

	/* The DAC. */
	fill = s->fifo_w - s->fifo_r;
	/* The iso stream always runs, so the DAC starts once and keeps going. */
	if (!s->dac_running && fill >= (uint64_t)uacd_dev_rate(d) * SIM_FIFO_TARGET_MS / 1000)
		s->dac_running = true;
	if (s->dac_running) {
		uint32_t take = fill < made ? (uint32_t)fill : made;

		for (i = 0; i < take; i++)
			memcpy(s->dac + (size_t)i * s->frame_bytes_play,
			       s->fifo + ((s->fifo_r + i) & (SIM_FIFO_FRAMES - 1)) * s->frame_bytes_play,
			       s->frame_bytes_play);
		s->fifo_r += take;
		if (take < made) {
			/* Underflow: only a glitch while a stream is open. */
			if (uacd_dev_playback_active(d))
				s->underflow_frames += made - take;
			uacd_fmt_silence(uacd_dev_format(d), uacd_dev_channels(d, UACD_DIR_PLAYBACK), made - take,
					 s->dac + (size_t)take * s->frame_bytes_play);
		}
	} else {
		uacd_fmt_silence(uacd_dev_format(d), uacd_dev_channels(d, UACD_DIR_PLAYBACK), made, s->dac);
	}
	s->dac_frames += made;
	if ((uint32_t)(s->fifo_w - s->fifo_r) > s->fifo_level_max)
		s->fifo_level_max = (uint32_t)(s->fifo_w - s->fifo_r);
	uacd_dev_set_queue_depth(d, s->fifo_w - s->fifo_r);

	/* out=: everything the DAC plays while streams are open, plus a 1 s tail. */
	if (s->out_ring) {
		if (uacd_dev_playback_active(d)) {
			s->out_active = true;
			s->out_idle_frames = 0;
		} else if (s->out_active) {
			s->out_idle_frames += made;
			if (s->out_idle_frames > uacd_dev_rate(d))
				s->out_active = false;
		}
		if (s->out_active)
			out_push(s, s->dac, (uint64_t)made * s->frame_bytes_play);
	}

	/* Feedback for the next packets. */
	{
		uint8_t fb[4];
		uint32_t q16;
		int len = feedback_packet(s, fb);

		if (uacd_fb_decode(&s->fbdec, fb, len, &q16) == 0) {
			uacd_pktsched_set_feedback(&s->sched, q16);
			s->last_fb_q16 = q16;
		}
	}
}

/* rt: what the ADC records this cycle, by mode, to the engine. */
static void sim_capture(struct uacd_device *d, struct sim *s, uint32_t made, uint64_t host_time)
{
	uint32_t fbc = s->frame_bytes_cap, i;

	switch (s->mode) {
	case SIM_LOOPBACK:
		if (uacd_dev_channels(d, UACD_DIR_PLAYBACK) == uacd_dev_channels(d, UACD_DIR_CAPTURE)) {
			memcpy(uacd_dev_scratch(d), s->dac, (size_t)made * fbc);
		} else {
			uint32_t bps = uacd_format_bytes(uacd_dev_format(d)), c, n = uacd_dev_channels(d, UACD_DIR_CAPTURE) < uacd_dev_channels(d, UACD_DIR_PLAYBACK) ? uacd_dev_channels(d, UACD_DIR_CAPTURE) : uacd_dev_channels(d, UACD_DIR_PLAYBACK);

			uacd_fmt_silence(uacd_dev_format(d), uacd_dev_channels(d, UACD_DIR_CAPTURE), made, uacd_dev_scratch(d));
			for (i = 0; i < made; i++)
				for (c = 0; c < n; c++)
					memcpy(uacd_dev_scratch(d) + (size_t)i * fbc + c * bps,
					       s->dac + (size_t)i * s->frame_bytes_play + c * bps, bps);
		}
		break;
	case SIM_WAV:
		if (!s->in_started && uacd_dev_capture_running(d))
			s->in_started = true;
		for (i = 0; i < made; i++) {
			if (s->in_started && s->in_loop && s->in_frames && s->in_pos >= s->in_frames)
				s->in_pos = 0;
			if (s->in_started && s->in_pos < s->in_frames)
				memcpy(uacd_dev_scratch(d) + (size_t)i * fbc, s->in_data + s->in_pos++ * fbc, fbc);
			else
				memset(uacd_dev_scratch(d) + (size_t)i * fbc, 0, fbc);
		}
		break;
	case SIM_SILENCE:
		uacd_fmt_silence(uacd_dev_format(d), uacd_dev_channels(d, UACD_DIR_CAPTURE), made, uacd_dev_scratch(d));
		break;
	}
	uacd_dev_capture(d, uacd_dev_scratch(d), made, host_time);
}

/* rt: one 1 ms cycle of the whole device. */
static void sim_cycle(struct uacd_device *d, struct sim *s, uint64_t host_time)
{
	uint32_t play = 0, made = 0, i;

	/* How many frames the host sends (packet scheduler) and the clock makes. */
	for (i = 0; i < s->ppc; i++) {
		play += uacd_pktsched_next(&s->sched);
		made += clock_tick(s);
	}
	if (play > uacd_dev_max_frames(d))
		play = uacd_dev_max_frames(d);
	if (made > uacd_dev_max_frames(d))
		made = uacd_dev_max_frames(d);
	if (uacd_dev_channels(d, UACD_DIR_PLAYBACK))
		sim_play(d, s, play, made, host_time);
	if (uacd_dev_channels(d, UACD_DIR_CAPTURE))
		sim_capture(d, s, made, host_time);
}

/* Advance the model by `cycles` 1 ms cycles without sleeping (tests). */
void uacd_sim_step(struct uacd_device *d, unsigned cycles, uint64_t *host_time)
{
	struct sim *s = uacd_dev_transport(d);
	unsigned k;

	for (k = 0; k < cycles; k++) {
		uacd_dev_cycle_begin(d, uacd_now_ns(), 0, false);
		sim_cycle(d, s, *host_time);
		*host_time += 1000000ull;
		uacd_dev_cycle_end(d);
	}
}

static void *sim_rt_main(void *arg)
{
	struct uacd_device *d = arg;
	struct sim *s = uacd_dev_transport(d);
	uint64_t start = uacd_now_ns(), k = 0, late;
	double period = 1e6 / (s->fast ? s->speedup : 1.0);	/* real ns per 1 ms cycle */

	uacd_dev_rt_enter(d);
	while (!uacd_dev_should_stop(d)) {
		uint64_t due = start + (uint64_t)(period * (double)k);
		uint64_t now = uacd_now_ns();
		struct timespec ts;

		if (now < due) {
			ts.tv_sec = (time_t)(due / 1000000000ull);
			ts.tv_nsec = (long)(due % 1000000000ull);
			rcu_thread_offline();
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
			rcu_thread_online();
		} else if (now - due > SIM_BEHIND_RESYNC_NS) {
			/* Stalled (debugger, overloaded host): the bus does not wait. */
			uacd_rtlog(UACD_LOG_WARNING, uacd_dev_name(d), "fell %lld ms behind the bus clock; resynchronised",
				   (int64_t)((now - due) / 1000000), 0, 0);
			start = now - (uint64_t)(period * (double)k);
		}
		now = uacd_now_ns();
		/* wake-up lateness means something only in real time */
		late = !s->fast && now > due ? now - due : 0;
		uacd_dev_cycle_begin(d, now, late, late > 1000000);
		/* host_time: the bus time the model is at (virtual in time=fast). */
		sim_cycle(d, s, start + k * 1000000ull);
		uacd_dev_cycle_end(d);
		k++;
	}
	uacd_dev_rt_leave(d);
	return NULL;
}

/* ---- transport ops (control thread) ------------------------------------- */

static int sim_reset_clock(struct uacd_device *d, struct sim *s)
{
	uint32_t interval_us = s->high_speed ? 125u : 1000u;
	long double step;
	int ret;

	s->pps = 1000000u / interval_us;
	s->ppc = s->pps / 1000u;
	ret = uacd_pktsched_init(&s->sched, uacd_dev_rate(d), interval_us, 0);
	if (ret)
		return ret;
	ret = uacd_fb_decoder_init(&s->fbdec, uacd_dev_rate(d), interval_us, s->high_speed);
	if (ret)
		return ret;
	step = (long double)uacd_dev_rate(d) * (1.0L + (long double)s->drift_ppm / 1e6L) / (long double)s->pps;
	s->clk_step_q32 = (uint64_t)llroundl(step * 4294967296.0L);
	s->clk_acc_q32 = 0;
	s->fb_carry = 0;
	/*
	 * The model has no converter delay.  Each cycle accounts for the
	 * millisecond that just ended: the DAC played the oldest FIFO frames
	 * and the ADC's frames of that millisecond reach the capture ring.  So
	 * a playback frame is heard after the ring and the FIFO ahead of it
	 * (both already in snd_pcm_delay), a captured one is read after the
	 * ring behind it; within one cycle either way, and the two cycle
	 * phases cancel in a round trip.  rtlatency checks this: the round
	 * trip the clock measures equals the sum of the two delays.
	 */
	return 0;
}

static int sim_start(struct uacd_device *d)
{
	struct sim *s = uacd_dev_transport(d);
	char err[256];
	int ret;

	ret = open_output(d, s, err, sizeof(err));
	if (ret) {
		uacd_err("%s", err);
		return ret;
	}
	if (s->out_ring) {
		s->out_w = s->out_r = 0;
		__atomic_store_n(&s->writer_stop, 0, __ATOMIC_RELEASE);
		if (pthread_create(&s->writer, NULL, writer_main, d) == 0)
			s->writer_running = true;
	}
	/* sim_rt_main measures its wake-ups only in real time */
	uacd_dev_set_wake_measured(d, !s->fast);
	return uacd_dev_spawn_rt(d, sim_rt_main);
}

static void sim_stop(struct uacd_device *d)
{
	struct sim *s = uacd_dev_transport(d);

	uacd_dev_join_rt(d);
	if (s->writer_running) {
		__atomic_store_n(&s->writer_stop, 1, __ATOMIC_RELEASE);
		pthread_join(s->writer, NULL);
		s->writer_running = false;
	}
	if (s->sf) {
		sf_close(s->sf);
		s->sf = NULL;
	}
	if (s->raw) {
		fclose(s->raw);
		s->raw = NULL;
	}
}

static int sim_set_rate(struct uacd_device *d, uint32_t rate)
{
	if (!sim_rate_supported(rate))
		return -EINVAL;
	uacd_dev_rate_changed(d, rate);
	return sim_reset_clock(d, uacd_dev_transport(d));
}

static int sim_status(struct uacd_device *d, char *buf, size_t len)
{
	struct sim *s = uacd_dev_transport(d);

	return snprintf(buf, len,
			"  sim: %s, usb %s speed, drift %+d ppm, time %s; feedback %.4f frames/packet; "
			"fifo %llu frames (max %u); dac %llu frames; underflow %llu, overflow %llu frames%s%s\n",
			s->mode == SIM_LOOPBACK ? "loopback" : s->mode == SIM_WAV ? "wav" : "silence",
			s->high_speed ? "high" : "full", s->drift_ppm, s->fast ? "fast" : "real",
			__atomic_load_n(&s->last_fb_q16, __ATOMIC_RELAXED) / 65536.0,
			(unsigned long long)(__atomic_load_n(&s->fifo_w, __ATOMIC_RELAXED) -
					     __atomic_load_n(&s->fifo_r, __ATOMIC_RELAXED)),
			__atomic_load_n(&s->fifo_level_max, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&s->dac_frames, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&s->underflow_frames, __ATOMIC_RELAXED),
			(unsigned long long)__atomic_load_n(&s->overflow_frames, __ATOMIC_RELAXED),
			s->out_path[0] ? "; out=" : "", s->out_path);
}

static int sim_feedback(struct uacd_device *d, uint32_t *q16, uint32_t *packet_us)
{
	struct sim *s = uacd_dev_transport(d);

	*q16 = __atomic_load_n(&s->last_fb_q16, __ATOMIC_RELAXED);
	*packet_us = s->high_speed ? 125u : 1000u;
	return *q16 ? 0 : -ENOENT;
}

static void sim_free(struct uacd_device *d)
{
	struct sim *s = uacd_dev_transport(d);

	if (!s)
		return;
	free(s->fifo);
	free(s->dac);
	free(s->in_data);
	free(s->out_ring);
	free(s);
	uacd_dev_set_transport(d, NULL);
}

static const struct uacd_transport_ops sim_ops = {
	.kind = "sim",
	.start = sim_start,
	.stop = sim_stop,
	.set_rate = sim_set_rate,
	.status = sim_status,
	.feedback = sim_feedback,
	.free = sim_free,
};

int uacd_sim_create(const char *spec, struct uacd_device **out, char *err, size_t errlen)
{
	struct sim_params p = {
		.name = "sim",
		.g = { .format = UACD_FMT_S16_LE, .rate = 48000, .play_ch = 2, .cap_ch = 2,
		       .rates = sim_rates, .n_rates = sizeof(sim_rates) / sizeof(sim_rates[0]) },
	};
	struct uacd_device *d;
	struct sim *s;
	int ret;

	s = calloc(1, sizeof(*s));
	d = s ? uacd_dev_alloc(&sim_ops, s) : NULL;
	if (!d) {
		free(s);
		return -ENOMEM;
	}
	s->mode = SIM_LOOPBACK;
	s->speedup = 10.0;

	ret = sim_parse_spec(&p, s, spec, err, errlen);
	if (ret)
		goto err_free;
	/*
	 * Worst-case buffer over every supported rate (192 frames a cycle at
	 * 192 kHz, +25 % feedback range, drift, a frame per packet), so rate
	 * changes need no allocation.
	 */
	p.g.max_frames = 192000u / 1000u * 5u / 4u + 16u;
	uacd_dev_set_geometry(d, &p.g);
	uacd_dev_set_name(d, p.name);
	uacd_dev_set_rt_priority(d, p.rt_priority);
	s->frame_bytes_play = uacd_format_bytes(uacd_dev_format(d)) * uacd_dev_channels(d, UACD_DIR_PLAYBACK);
	s->frame_bytes_cap = uacd_format_bytes(uacd_dev_format(d)) * uacd_dev_channels(d, UACD_DIR_CAPTURE);
	ret = sim_reset_clock(d, s);
	if (ret) {
		snprintf(err, errlen, "sim: bad clock configuration");
		goto err_free;
	}
	ret = load_input(d, s, err, errlen);
	if (ret)
		goto err_free;
	if (s->frame_bytes_play) {
		s->fifo = calloc(SIM_FIFO_FRAMES, s->frame_bytes_play);
		s->dac = calloc(uacd_dev_max_frames(d), s->frame_bytes_play);
		if (!s->fifo || !s->dac) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	if (s->out_path[0]) {
		uint64_t want = (uint64_t)192000u * s->frame_bytes_play * SIM_OUT_RING_SECONDS;

		s->out_size = 1;
		while (s->out_size < want)
			s->out_size <<= 1;
		s->out_ring = malloc(s->out_size);
		if (!s->out_ring) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	ret = uacd_dev_init(d);
	if (ret) {
		snprintf(err, errlen, "sim: cannot allocate buffers: %s", strerror(-ret));
		goto err_free;
	}
	*out = d;
	return 0;

err_free:
	sim_free(d);
	free(d);
	return ret;
}
