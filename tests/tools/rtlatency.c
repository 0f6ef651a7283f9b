/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rtlatency: round-trip latency and xrun soak through an ALSA device pair.
 *
 *   rtlatency DEVICE PERIOD_FRAMES PERIODS SECONDS [RATE]
 *
 * Opens DEVICE for playback and capture (S16_LE stereo, blocking), keeps the
 * playback buffer full, and every half second writes a one-frame impulse.
 * The capture side looks for it.  The round trip of one impulse is the
 * number of capture frames between the moment the impulse was written and
 * the moment it was read: what an application doing live processing would
 * see.  Prints min/avg/max in frames and ms, and the xrun count; exits 1 on
 * any xrun or lost impulse.
 *
 * It also checks that snd_pcm_delay() tells the truth.  Just before the
 * impulse is written, the playback delay says how many frames will be heard
 * before it; just after the read that returns it, the capture delay says
 * how many frames were captured after the last one returned.  Together they
 * predict when, in CLOCK_MONOTONIC time, the impulse went from playback to
 * capture; the prediction must agree with the clock.  "delay error" is
 * measured minus predicted, in frames, per impulse (median and worst).
 */
#include <alsa/asoundlib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int setup(snd_pcm_t *pcm, unsigned rate, snd_pcm_uframes_t period, unsigned periods)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t buffer = period * periods;
	int err;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	snd_pcm_hw_params_any(pcm, hw);
	snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED);
	snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE);
	snd_pcm_hw_params_set_channels(pcm, hw, 2);
	snd_pcm_hw_params_set_rate(pcm, hw, rate, 0);
	snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, NULL);
	snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer);
	err = snd_pcm_hw_params(pcm, hw);
	if (err < 0)
		return err;
	snd_pcm_sw_params_current(pcm, sw);
	snd_pcm_sw_params_set_avail_min(pcm, sw, period);
	snd_pcm_sw_params_set_start_threshold(pcm, sw, buffer);
	return snd_pcm_sw_params(pcm, sw);
}

/* Open DEVICE both ways and set both up; 0, or -1 with the message printed. */
static int open_pair(const char *dev, unsigned rate, snd_pcm_uframes_t period, unsigned periods,
		     snd_pcm_t **play, snd_pcm_t **cap)
{
	int err;

	if (snd_pcm_open(play, dev, SND_PCM_STREAM_PLAYBACK, 0) < 0 ||
	    snd_pcm_open(cap, dev, SND_PCM_STREAM_CAPTURE, 0) < 0) {
		fprintf(stderr, "rtlatency: cannot open %s\n", dev);
		return -1;
	}
	err = setup(*play, rate, period, periods);
	if (err >= 0)
		err = setup(*cap, rate, period, periods);
	if (err < 0) {
		fprintf(stderr, "rtlatency: setup: %s\n", snd_strerror(err));
		return -1;
	}
	return 0;
}

/* The delay errors of n impulses: median, 90th percentile and worst by magnitude. */
static void report_delay_error(double *derr, unsigned n_derr)
{
	double med, worst = 0;
	unsigned a, b;

	/* insertion sort by magnitude is fine for a few thousand */
	for (a = 1; a < n_derr; a++)
		for (b = a; b > 0 && fabs(derr[b - 1]) > fabs(derr[b]); b--) {
			double tmp = derr[b];

			derr[b] = derr[b - 1];
			derr[b - 1] = tmp;
		}
	med = derr[n_derr / 2];
	worst = derr[n_derr - 1];
	printf("rtlatency: delay error (measured - predicted by snd_pcm_delay): median %+.0f frames, "
	       "90%% within %.0f, worst %+.0f frames over %u impulses\n", med,
	       fabs(derr[n_derr * 9 / 10]), worst, n_derr);
}

int main(int argc, char **argv)
{
	snd_pcm_t *play, *cap;
	snd_pcm_uframes_t period;
	unsigned periods, rate = 48000, i;
	double seconds;
	int16_t *pbuf, *cbuf;
	uint64_t written = 0, readf = 0, next_impulse, pending_at = 0, end;
	uint64_t lat_min = UINT64_MAX, lat_max = 0, lat_sum = 0, n_lat = 0, xruns = 0, lost = 0, pxruns = 0;
	uint64_t t_last = 0, gap_max = 0, gap, t, t_play = 0;
	snd_pcm_sframes_t d_play = 0, d_cap;
	static double derr[4096];
	unsigned n_derr = 0;
	int pending = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: rtlatency DEVICE PERIOD_FRAMES PERIODS SECONDS [RATE]\n");
		return 2;
	}
	period = strtoul(argv[2], NULL, 10);
	periods = (unsigned)atoi(argv[3]);
	seconds = atof(argv[4]);
	if (argc > 5)
		rate = (unsigned)atoi(argv[5]);
	if (open_pair(argv[1], rate, period, periods, &play, &cap))
		return 2;
	pbuf = calloc(period * 2, sizeof(int16_t));
	cbuf = calloc(period * 2, sizeof(int16_t));
	/* Prefill playback (this starts it), then start capture. */
	for (i = 0; i < periods; i++) {
		snd_pcm_writei(play, pbuf, period);
		written += period;
	}
	snd_pcm_start(cap);
	next_impulse = rate / 2;
	end = (uint64_t)(seconds * rate);
	while (readf < end) {
		snd_pcm_sframes_t n = snd_pcm_readi(cap, cbuf, period);
		snd_pcm_uframes_t k;

		/* how late this process ran: the longest time between two reads */
		t = now_ns();
		gap = t_last ? t - t_last : 0;
		if (gap > gap_max)
			gap_max = gap;
		t_last = t;

		if (n < 0) {
			xruns++;
			if (getenv("RTLATENCY_VERBOSE"))
				fprintf(stderr, "capture xrun at frame %llu (%.3f ms since the last read): %s\n",
					(unsigned long long)readf, (double)gap / 1e6, snd_strerror((int)n));
			snd_pcm_recover(cap, (int)n, 1);
			snd_pcm_start(cap);
			continue;
		}
		for (k = 0; k < (snd_pcm_uframes_t)n; k++)
			if (pending && cbuf[k * 2] > 16000) {
				/* the application has it once this read returns */
				uint64_t lat = readf + (uint64_t)n - pending_at;

				if (lat < lat_min)
					lat_min = lat;
				if (lat > lat_max)
					lat_max = lat;
				lat_sum += lat;
				n_lat++;
				pending = 0;
				if (snd_pcm_delay(cap, &d_cap) == 0 && n_derr < 4096)
					derr[n_derr++] = (double)(now_ns() - t_play) * rate / 1e9 -
							 (double)d_play - (double)((snd_pcm_uframes_t)n - 1 - k) -
							 (double)d_cap;
			}
		readf += (uint64_t)n;
		if (pending && readf - pending_at > rate) {
			lost++;
			pending = 0;
		}
		/* one period out for every period in: the buffer stays full */
		memset(pbuf, 0, period * 4);
		if (!pending && readf >= next_impulse) {
			pbuf[0] = pbuf[1] = 30000;
			pending = 1;
			pending_at = readf;
			if (snd_pcm_delay(play, &d_play) < 0)
				d_play = 0;
			t_play = now_ns();
			next_impulse = readf + rate / 2;
		}
		n = snd_pcm_writei(play, pbuf, period);
		if (n < 0) {
			xruns++;
			pxruns++;
			if (getenv("RTLATENCY_VERBOSE"))
				fprintf(stderr, "playback xrun at frame %llu: %s\n", (unsigned long long)readf, snd_strerror((int)n));
			snd_pcm_recover(play, (int)n, 1);
			pending = 0;
		} else {
			written += (uint64_t)n;
		}
	}
	if (!n_lat) {
		printf("rtlatency: no impulse came back (lost %llu, xruns %llu)\n",
		       (unsigned long long)lost, (unsigned long long)xruns);
		return 1;
	}
	printf("rtlatency: %s period %lu x %u at %u Hz, %.0f s: round trip min %llu avg %.0f max %llu frames "
	       "(%.2f / %.2f / %.2f ms), %llu impulses, %llu lost, %llu xruns (%llu playback), "
	       "longest gap between reads %.2f ms\n",
	       argv[1], period, periods, rate, seconds, (unsigned long long)lat_min,
	       (double)lat_sum / (double)n_lat, (unsigned long long)lat_max, lat_min * 1000.0 / rate,
	       (double)lat_sum / (double)n_lat * 1000.0 / rate, lat_max * 1000.0 / rate,
	       (unsigned long long)n_lat, (unsigned long long)lost, (unsigned long long)xruns,
	       (unsigned long long)pxruns, (double)gap_max / 1e6);
	if (n_derr)
		report_delay_error(derr, n_derr);
	snd_pcm_close(play);
	snd_pcm_close(cap);
	return xruns || lost ? 1 : 0;
}
