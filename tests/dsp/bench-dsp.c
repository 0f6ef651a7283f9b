/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * make bench: libuacdsp against sox, same chain, same file, same run.
 *
 *  1. 10 biquads (peaking EQs) on 8 channels at 48 kHz.  sox runs the exact
 *     same sections with its `biquad` effect (coefficients from our design).
 *  2. 2 x 65,536-tap FIR: sox `fir` (one large FFT block) against Conv with
 *     partitions of 256, 1024 and 4096 frames.
 *
 * sox's cost is its CPU time (user + sys, from wait4) minus the CPU time of
 * the same sox command without effects (reading the file), so both sides
 * count only the filtering; ours is the process CPU time spent in
 * uacdsp_chain_process() over the file already in memory, in blocks of the
 * chunk size, as the RT thread would call it.  Every result is printed as a
 * ratio (sox CPU / uacd CPU, higher is better for uacd) plus CPU per audio
 * second; the goals from the design are printed beside them.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dsp/biquad.h"
#include "dsp/uacdsp.h"

extern char **environ;

#define RATE	48000u
#define SECONDS	20u

static char dir[] = "/tmp/uacd-bench-XXXXXX";

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* CPU seconds sox needs for argv (best of 3 to damp noise from neighbours) */
static double sox_cpu(char *const *argv)
{
	double best = 1e9;
	int run;

	for (run = 0; run < 3; run++) {
		struct rusage ru;
		int status;
		pid_t pid;
		double t;

		if (posix_spawn(&pid, SOX_PATH, NULL, NULL, argv, environ) != 0)
			return -1;
		if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return -1;
		t = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
		    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
		if (t < best)
			best = t;
	}
	return best;
}

static int write_wav(const char *path, unsigned ch, float *data, size_t frames)
{
	SF_INFO info = { .samplerate = RATE, .channels = (int)ch,
			 .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);

	if (!sf)
		return -1;
	if (sf_writef_float(sf, data, (sf_count_t)frames) != (sf_count_t)frames) {
		sf_close(sf);
		return -1;
	}
	return sf_close(sf);
}

/* CPU seconds of the chain over planar data in blocks of chunk (best of 3) */
static double ours_cpu(const char *yml, unsigned ch, float *const *planes, size_t frames,
		       unsigned chunk)
{
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c;
	double best = 1e9;
	char err[1024];
	int run;

	if (uacdsp_config_parse(yml, strlen(yml), dir, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench config: %s\n", err);
		return -1;
	}
	for (run = 0; run < 3; run++) {
		float *bufs[8];
		size_t done;
		double t0;
		unsigned k;

		if (uacdsp_chain_new(cfg, RATE, chunk, &c, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench chain: %s\n", err);
			uacdsp_config_free(cfg);
			return -1;
		}
		t0 = cpu_now();
		for (done = 0; done + chunk <= frames; done += chunk) {
			for (k = 0; k < ch; k++)
				bufs[k] = planes[k] + done;
			uacdsp_chain_process(c, bufs, chunk);
		}
		t0 = cpu_now() - t0;
		if (t0 < best)
			best = t0;
		uacdsp_chain_free(c);
	}
	uacdsp_config_free(cfg);
	return best;
}

static uint64_t rng = 88172645463325252ULL;

static float noise(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (float)((double)(rng >> 11) / 9007199254740992.0 - 0.5) * 0.5f;
}

static int bench_biquads(void)
{
	const unsigned ch = 8, nbq = 10;
	size_t frames = (size_t)RATE * SECONDS, i;
	char wav[300], yml[8192], *argv[64 + 10 * 8];
	char coef[10][7][32];
	float *inter = malloc(frames * ch * sizeof(float));
	float *planes[8];
	double t_sox, t_null, t_ours, net;
	size_t used;
	unsigned k;
	int a = 0;

	if (!inter)
		return -1;
	for (k = 0; k < ch; k++) {
		planes[k] = malloc(frames * sizeof(float));
		if (!planes[k])
			return -1;
	}
	for (i = 0; i < frames; i++)
		for (k = 0; k < ch; k++)
			planes[k][i] = inter[i * ch + k] = noise();
	snprintf(wav, sizeof(wav), "%s/bq.wav", dir);
	if (write_wav(wav, ch, inter, frames) < 0)
		return -1;

	used = (size_t)snprintf(yml, sizeof(yml),
				"devices: {samplerate: %u, chunksize: 1024, capture: {channels: 8}, "
				"playback: {channels: 8}}\nfilters:\n", RATE);
	argv[a++] = "sox";
	argv[a++] = "-V1";
	argv[a++] = wav;
	argv[a++] = "-n";
	for (k = 0; k < nbq; k++) {
		struct uacdsp_biquad_params p = {
			.type = UACDSP_BQ_PEAKING, .width = UACDSP_W_Q,
			.freq = 50.0 * pow(1.9, k), .q = 1.5, .gain = (k % 2 ? -3.0 : 4.0),
		};
		struct uacdsp_bq_coef c;

		if (uacdsp_biquad_design(&p, RATE, &c) < 0)
			return -1;
		used += (size_t)snprintf(yml + used, sizeof(yml) - used,
					 "  b%u: {type: Biquad, parameters: {type: Peaking, freq: %.17g, "
					 "q: 1.5, gain: %g}}\n", k, p.freq, p.gain);
		snprintf(coef[k][0], 32, "%.17g", c.b0);
		snprintf(coef[k][1], 32, "%.17g", c.b1);
		snprintf(coef[k][2], 32, "%.17g", c.b2);
		snprintf(coef[k][3], 32, "1");
		snprintf(coef[k][4], 32, "%.17g", c.a1);
		snprintf(coef[k][5], 32, "%.17g", c.a2);
		argv[a++] = "biquad";
		argv[a++] = coef[k][0];
		argv[a++] = coef[k][1];
		argv[a++] = coef[k][2];
		argv[a++] = coef[k][3];
		argv[a++] = coef[k][4];
		argv[a++] = coef[k][5];
	}
	argv[a] = NULL;
	used += (size_t)snprintf(yml + used, sizeof(yml) - used,
				 "pipeline:\n  - {type: Filter, names: [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9]}\n");

	t_sox = sox_cpu(argv);
	argv[4] = NULL;
	t_null = sox_cpu(argv);
	t_ours = ours_cpu(yml, ch, planes, frames, 1024);
	free(inter);
	for (k = 0; k < ch; k++)
		free(planes[k]);
	if (t_sox < 0 || t_null < 0 || t_ours <= 0)
		return -1;
	net = t_sox - t_null;
	printf("10 biquads x 8 channels, 48 kHz, %u s of audio:\n", SECONDS);
	printf("  sox biquad x10: %.3f s CPU (%.3f s reading the file), %.2f ns per biquad-sample\n",
	       t_sox, t_null, net / (frames * 8.0 * nbq) * 1e9);
	printf("  uacd chain:     %.3f s CPU, %.3f ns per biquad-sample, %.2f ms CPU per audio second\n",
	       t_ours, t_ours / (frames * 8.0 * nbq) * 1e9, t_ours / SECONDS * 1e3);
	printf("  ratio sox/uacd: %.1fx (goal >= 8x)\n", net / t_ours);
	return 0;
}

static int bench_conv(void)
{
	const unsigned ch = 2, ntaps = 65536;
	static const unsigned parts[] = { 256, 1024, 4096 };
	size_t frames = (size_t)RATE * SECONDS, i;
	char wav[300], txt[300], yml[1024];
	float *inter = malloc(frames * ch * sizeof(float)), *planes[2];
	double t_sox, t_null;
	unsigned k;
	FILE *f;
	char *argv[] = { "sox", "-V1", wav, "-n", "fir", txt, NULL };

	if (!inter)
		return -1;
	for (k = 0; k < ch; k++) {
		planes[k] = malloc(frames * sizeof(float));
		if (!planes[k])
			return -1;
	}
	for (i = 0; i < frames; i++)
		for (k = 0; k < ch; k++)
			planes[k][i] = inter[i * ch + k] = noise();
	snprintf(wav, sizeof(wav), "%s/conv.wav", dir);
	snprintf(txt, sizeof(txt), "%s/taps.txt", dir);
	if (write_wav(wav, ch, inter, frames) < 0)
		return -1;
	free(inter);
	f = fopen(txt, "w");
	if (!f)
		return -1;
	for (k = 0; k < ntaps; k++)
		fprintf(f, "%.9g\n", noise() * exp(-(double)k / 8192.0) * 0.05);
	if (fclose(f) != 0)
		return -1;

	t_sox = sox_cpu(argv);
	argv[4] = NULL;
	t_null = sox_cpu(argv);
	if (t_sox < 0 || t_null < 0)
		return -1;
	printf("2 x 65,536-tap FIR, 48 kHz, %u s of audio:\n", SECONDS);
	printf("  sox fir:        %.3f s CPU (%.3f s reading the file), %.2f ms CPU per audio second\n",
	       t_sox, t_null, (t_sox - t_null) / SECONDS * 1e3);
	for (k = 0; k < 3; k++) {
		double t;

		snprintf(yml, sizeof(yml),
			 "devices: {samplerate: %u, chunksize: %u, capture: {channels: 2}, "
			 "playback: {channels: 2}}\nfilters:\n"
			 "  fir: {type: Conv, parameters: {type: Raw, filename: %s, format: TEXT}}\n"
			 "pipeline:\n  - {type: Filter, names: [fir]}\n", RATE, parts[k], txt);
		t = ours_cpu(yml, ch, planes, frames, parts[k]);
		if (t <= 0)
			return -1;
		printf("  uacd Conv, partition %4u (%.1f ms): %.3f s CPU, %.2f ms CPU per audio second, "
		       "ratio sox/uacd %.2fx%s\n", parts[k], parts[k] * 1e3 / RATE, t,
		       t / SECONDS * 1e3, (t_sox - t_null) / t,
		       parts[k] == 1024 ? " (goal >= 1.2x)" : "");
	}
	for (k = 0; k < ch; k++)
		free(planes[k]);
	return 0;
}

int main(void)
{
	char cmd[300];
	int ret = 0;

	if (access(SOX_PATH, X_OK) != 0) {
		printf("bench-dsp: sox not found (%s); no reference, nothing to compare\n", SOX_PATH);
		return 0;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (bench_biquads() < 0) {
		fprintf(stderr, "bench-dsp: biquad benchmark failed\n");
		ret = 1;
	}
	if (bench_conv() < 0) {
		fprintf(stderr, "bench-dsp: conv benchmark failed\n");
		ret = 1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench-dsp: cannot remove %s\n", dir);
	return ret;
}
