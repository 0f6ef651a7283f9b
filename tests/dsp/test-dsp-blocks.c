/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The non-biquad blocks, asserted on output values: Limiter (hard and
 * soft), Dither (quantisation grid and error bounds), Delay with
 * subsample (allpass magnitude, phase delay), Mixer (gains, inversion,
 * silent outputs), Compressor (steady-state gain), Loudness (boost at DC
 * and Nyquist at full compensation, flat above the reference level),
 * faders (Volume on Main follows the volume, on Aux3 its own fader; a
 * fader change on the running chain ramps to the exact gain).
 */
#include "config.h"

#include <complex.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/uacdsp.h"
#include "tests/dsp/check.h"

#define N 4096u

static float buf[8][N];

/* run text over buf[0..in) for frames, in blocks of 256, at 48 kHz */
static int run(const char *filters, const char *extra, unsigned in, unsigned out,
	       const char *pipeline, unsigned frames, float volume)
{
	char text[4096], err[512];
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c;
	float *b[8];
	unsigned done, k;

	snprintf(text, sizeof(text),
		 "devices: {samplerate: 48000, chunksize: 256, capture: {channels: %u}, "
		 "playback: {channels: %u}}\nfilters:\n%s%s\npipeline:\n%s", in, out, filters,
		 extra, pipeline);
	if (uacdsp_config_parse(text, strlen(text), "b.yml", &cfg, err, sizeof(err)) < 0) {
		printf("parse: %s\n", err);
		fails++;
		return -1;
	}
	if (uacdsp_chain_new(cfg, 0, 256, &c, err, sizeof(err)) < 0) {
		printf("chain: %s\n", err);
		fails++;
		uacdsp_config_free(cfg);
		return -1;
	}
	uacdsp_config_free(cfg);
	uacdsp_chain_set_volume(c, volume);
	for (done = 0; done < frames; done += 256) {
		for (k = 0; k < 8; k++)
			b[k] = buf[k] + done;
		uacdsp_chain_process(c, b, frames - done < 256 ? frames - done : 256);
	}
	uacdsp_chain_free(c);
	return 0;
}

static void test_limiter(void)
{
	static const float x[] = { -2.0f, -0.5f, 0.25f, 0.5f, 2.0f };
	static const float hard[] = { -0.5f, -0.5f, 0.25f, 0.5f, 0.5f };
	unsigned i;

	memcpy(buf[0], x, sizeof(x));
	if (run("  l: {type: Limiter, parameters: {clip_limit: -6.020599913}}\n", "", 1, 1,
		"  - {type: Filter, names: [l]}\n", 5, 0) < 0)
		return;
	for (i = 0; i < 5; i++)
		CHECK(fabsf(buf[0][i] - hard[i]) < 1e-6f, "hard %u: %g", i, buf[0][i]);
	memcpy(buf[0], x, sizeof(x));
	if (run("  l: {type: Limiter, parameters: {clip_limit: -6.020599913, soft_clip: true}}\n",
		"", 1, 1, "  - {type: Filter, names: [l]}\n", 5, 0) < 0)
		return;
	/* limit 0.5: u = x / 0.5, y = 0.5 (u - 4/27 u^3), |u| >= 1.5 -> 0.5 */
	CHECK(fabsf(buf[0][0] + 0.5f) < 1e-6f, "soft -2: %g", buf[0][0]);
	CHECK(fabsf(buf[0][1] + 0.5f * (1.0f - 4.0f / 27.0f)) < 1e-6f, "soft -0.5: %g", buf[0][1]);
	CHECK(fabsf(buf[0][2] - 0.5f * (0.5f - 4.0f / 27.0f * 0.125f)) < 1e-6f, "soft 0.25: %g",
	      buf[0][2]);
	CHECK(fabsf(buf[0][4] - 0.5f) < 1e-6f, "soft 2: %g", buf[0][4]);
}

static void test_dither(void)
{
	static const char *const kinds[] = {
		"{type: None, bits: 8}", "{type: Flat, bits: 16, amplitude: 2.0}",
		"{type: Highpass, bits: 16}", "{type: Lipshitz441, bits: 16}",
	};
	char f[256];
	unsigned k, i;

	for (k = 0; k < 4; k++) {
		double lsb = k == 0 ? 1.0 / 128 : 1.0 / 32768, maxerr = 0, mean = 0;

		for (i = 0; i < N; i++)
			buf[0][i] = 0.3f * (float)sin(i * 0.01);
		snprintf(f, sizeof(f), "  d: {type: Dither, parameters: %s}\n", kinds[k]);
		if (run(f, "", 1, 1, "  - {type: Filter, names: [d]}\n", N, 0) < 0)
			return;
		for (i = 0; i < N; i++) {
			double q = buf[0][i] / lsb, e = buf[0][i] - 0.3 * sin(i * 0.01);

			if (fabs(q - nearbyint(q)) > 1e-6) {
				CHECK(0, "%s: sample %u (%g) is not on the %g grid", kinds[k], i,
				      buf[0][i], lsb);
				break;
			}
			if (fabs(e) > maxerr)
				maxerr = fabs(e);
			mean += e;
		}
		mean /= N;
		/* None: rounding, half an LSB; TPDF: < 1.5 LSB; shaped: bounded */
		CHECK(maxerr <= (k == 0 ? 0.5 : k == 3 ? 12.0 : 1.5) * lsb + 1e-9,
		      "%s: max error %g LSB", kinds[k], maxerr / lsb);
		CHECK(fabs(mean) < 0.1 * lsb + (k == 0 ? 0.5 * lsb : 0),
		      "%s: mean error %g LSB", kinds[k], mean / lsb);
		printf("dither %-40s max error %.2f LSB, mean %.3f LSB\n", kinds[k], maxerr / lsb,
		       mean / lsb);
	}
}

static void test_delay(void)
{
	double complex h = 0;
	double w = 2 * M_PI * 100.0 / 48000.0, mag_dev = 0;
	unsigned i, b;

	memset(buf[0], 0, sizeof(buf[0]));
	buf[0][0] = 1.0f;
	if (run("  d: {type: Delay, parameters: {delay: 2.5, unit: samples, subsample: true}}\n",
		"", 1, 1, "  - {type: Filter, names: [d]}\n", N, 0) < 0)
		return;
	for (i = 0; i < N; i++)
		h += buf[0][i] * cexp(-I * w * i);
	/* phase delay at 100 Hz: 2.5 samples */
	CHECK(fabs(-carg(h) / w - 2.5) < 1e-3, "phase delay %g samples", -carg(h) / w);
	for (b = 1; b < 200; b++) {	/* allpass: |H| == 1 up to 0.45 fs */
		double wb = M_PI * 0.9 * b / 200;
		double complex hb = 0;

		for (i = 0; i < 512; i++)
			hb += buf[0][i] * cexp(-I * wb * i);
		if (fabs(cabs(hb) - 1) > mag_dev)
			mag_dev = fabs(cabs(hb) - 1);
	}
	CHECK(mag_dev < 1e-5, "subsample delay magnitude deviates by %g", mag_dev);
	printf("delay 2.5 samples: phase delay at 100 Hz %.5f, |H| deviation %.2g\n",
	       -carg(h) / w, mag_dev);
}

static void test_mixer(void)
{
	static const char mixers[] =
		"mixers:\n  m:\n    channels: {in: 2, out: 3}\n    mapping:\n"
		"      - {dest: 0, sources: [{channel: 0, gain: -6.020599913}]}\n"
		"      - {dest: 2, sources: [{channel: 1, gain: 0.25, scale: linear, inverted: true},"
		" {channel: 0}, {channel: 1, mute: true}]}\n";
	unsigned i;

	for (i = 0; i < 16; i++) {
		buf[0][i] = (float)i;
		buf[1][i] = 100.0f + i;
		buf[2][i] = 7.0f;
	}
	if (run("  g: {type: Gain, parameters: {gain: 0}}\n", mixers, 2, 3,
		"  - {type: Mixer, name: m}\n", 16, 0) < 0)
		return;
	for (i = 0; i < 16; i++) {
		CHECK(fabsf(buf[0][i] - 0.5f * i) < 1e-5f, "out0[%u] = %g", i, buf[0][i]);
		CHECK(buf[1][i] == 0.0f, "out1[%u] = %g (no mapping: silent)", i, buf[1][i]);
		CHECK(fabsf(buf[2][i] - (i - 0.25f * (100.0f + i))) < 1e-4f, "out2[%u] = %g", i,
		      buf[2][i]);
	}
}

static void test_compressor(void)
{
	static const char proc[] =
		"processors:\n  c:\n    type: Compressor\n    parameters: {channels: 1, attack: 0.001, "
		"release: 0.1, threshold: -20, factor: 4, makeup_gain: 2}\n";
	unsigned i;

	for (i = 0; i < N; i++)
		buf[0][i] = 1.0f;
	if (run("  g: {type: Gain, parameters: {gain: 0}}\n", proc, 1, 1,
		"  - {type: Processor, name: c}\n", N, 0) < 0)
		return;
	/* level 0 dB: 20 dB over, ratio 4 -> -15 dB, +2 makeup -> -13 dB */
	CHECK(fabsf(buf[0][N - 1] - powf(10.0f, -13.0f / 20.0f)) < 1e-3f,
	      "compressed level %g, want %g", buf[0][N - 1], powf(10.0f, -13.0f / 20.0f));
	printf("compressor: 0 dBFS in -> %.3f dB out (want -13)\n", 20 * log10(buf[0][N - 1]));
}

static void test_loudness(void)
{
	static const char f[] =
		"  l: {type: Loudness, parameters: {reference_level: -15, low_boost: 8, "
		"high_boost: 4, ramp_time: 0}}\n";
	double dc = 0, nyq = 0;
	unsigned i;

	memset(buf[0], 0, sizeof(buf[0]));
	buf[0][0] = 1.0f;
	if (run(f, "", 1, 1, "  - {type: Filter, names: [l]}\n", N, -35.0f) < 0)
		return;
	for (i = 0; i < N; i++) {
		dc += buf[0][i];
		nyq += i % 2 ? -buf[0][i] : buf[0][i];
	}
	/* 20 dB below the reference: full boost */
	CHECK(fabs(20 * log10(dc) - 8.0) < 0.01, "DC boost %g dB", 20 * log10(dc));
	CHECK(fabs(20 * log10(fabs(nyq)) - 4.0) < 0.01, "Nyquist boost %g dB", 20 * log10(fabs(nyq)));
	printf("loudness at -35 dB (reference -15): DC %+.3f dB, Nyquist %+.3f dB\n",
	       20 * log10(dc), 20 * log10(fabs(nyq)));

	memset(buf[0], 0, sizeof(buf[0]));
	buf[0][0] = 1.0f;
	if (run(f, "", 1, 1, "  - {type: Filter, names: [l]}\n", N, -5.0f) < 0)
		return;
	CHECK(fabsf(buf[0][0] - 1.0f) < 1e-6f && fabsf(buf[0][1]) < 1e-6f,
	      "above reference: not flat (%g %g)", buf[0][0], buf[0][1]);
}

/* Volume on Main and on Aux3: each follows its own fader, exactly. */
static void test_faders(void)
{
	static const char text[] =
		"devices: {samplerate: 48000, chunksize: 256, capture: {channels: 2}, "
		"playback: {channels: 2}}\nfilters:\n"
		"  m: {type: Volume, parameters: {ramp_time: 0}}\n"
		"  a: {type: Volume, parameters: {ramp_time: 1, fader: Aux3}}\n"
		"pipeline:\n"
		"  - {type: Filter, channels: [0], names: [m]}\n"
		"  - {type: Filter, channels: [1], names: [a]}\n";
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c;
	char err[512];
	float *b[8];
	unsigned i, k;

	if (uacdsp_config_parse(text, strlen(text), "f.yml", &cfg, err, sizeof(err)) < 0 ||
	    uacdsp_chain_new(cfg, 0, 256, &c, err, sizeof(err)) < 0) {
		printf("faders: %s\n", err);
		fails++;
		return;
	}
	uacdsp_config_free(cfg);
	CHECK(uacdsp_chain_faders_used(c) == ((1u << 0) | (1u << 3)), "faders used 0x%x",
	      uacdsp_chain_faders_used(c));
	CHECK(uacdsp_chain_set_fader(c, UACDSP_FADERS, -6.0f) == -EINVAL, "fader 5 accepted");
	CHECK(uacdsp_chain_get_fader(c, 3) == 0.0f, "Aux3 does not start at 0 dB");
	uacdsp_chain_set_volume(c, -6.0f);
	CHECK(uacdsp_chain_set_fader(c, 3, -20.0f) == 0, "set Aux3");
	CHECK(uacdsp_chain_get_fader(c, 3) == -20.0f, "get Aux3 %g", uacdsp_chain_get_fader(c, 3));
	/* 1 ms ramp = 48 frames; 4 blocks of 256 leave the last ones settled */
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 256; i++)
			buf[0][i] = buf[1][i] = 1.0f;
		for (i = 0; i < 8; i++)
			b[i] = buf[i];
		uacdsp_chain_process(c, b, 256);
	}
	CHECK(fabsf(buf[0][255] - (float)pow(10.0, -6.0 / 20)) < 1e-6f, "Main: %g", buf[0][255]);
	CHECK(fabsf(buf[1][255] - (float)pow(10.0, -20.0 / 20)) < 1e-6f, "Aux3: %g", buf[1][255]);
	uacdsp_chain_free(c);
	printf("faders: Main -6 dB -> %.6f, Aux3 -20 dB -> %.6f\n", buf[0][255], buf[1][255]);
}

int main(void)
{
	test_faders();
	test_limiter();
	test_dither();
	test_delay();
	test_mixer();
	test_compressor();
	test_loudness();
	if (fails)
		printf("%d failures\n", fails);
	else
		printf("all block tests passed\n");
	return fails ? 1 : 0;
}
