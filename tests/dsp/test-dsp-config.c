/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Config loader: a CamillaDSP-style config loads unchanged (with nulls,
 * v2 `channel:` steps, device fields noted and ignored); each kind of
 * mistake gives exactly the expected "file:line:col: message"; the
 * compiled pipeline reads as expected; Volume follows the run-time volume
 * with a ramp and no zipper steps; reload keeps the state of unchanged
 * filters (output identical to never reloading) and crossfades changed
 * ones without a discontinuity.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/uacdsp.h"
#include "tests/dsp/check.h"

static const char head[] =
	"devices:\n"			/* 1 */
	"  samplerate: 48000\n"		/* 2 */
	"  chunksize: 256\n"		/* 3 */
	"  capture: {channels: 2}\n"	/* 4 */
	"  playback: {channels: 2}\n";	/* 5 */

struct bad {
	const char *body;	/* appended after head (line 6 on) */
	const char *msg;
};

static const struct bad bad[] = {
	{ "filters:\n  lp:\n    type: Biquad\n    parameters: {type: Lowpass, freq: 30000, q: 0.7}\n",
	  "t.yml:9:39: filter 'lp': Biquad: frequencies must be in (0, samplerate/2) = (0, 24000) Hz at 48000 Hz" },
	{ "filters:\n  lp:\n    type: Biquad\n    parameters: {type: Lowpass, freq: 300, qq: 0.7}\n",
	  "t.yml:9:44: filter 'lp': unknown field 'qq' (expected: freq, q)" },
	{ "filters:\n  lp:\n    type: Biquad\n    parameters: {type: Lowpass, freq: 300}\n",
	  "t.yml:9:17: filter 'lp': missing field 'q'" },
	{ "filters:\n  lp:\n    type: Biquad\n    parameters: {type: Lowpass, freq: '300', q: 1}\n",
	  "t.yml:9:39: filter 'lp': freq: expected a number" },
	{ "filters:\n  lp:\n    type: Biquad\n    parameters: {type: Bandstop, freq: 300}\n",
	  "t.yml:9:24: filter 'lp': type: unknown value 'Bandstop' (expected one of: Free, Lowpass, "
	  "Highpass, LowpassFO, HighpassFO, Lowshelf, Highshelf, LowshelfFO, HighshelfFO, Peaking, "
	  "Notch, GeneralNotch, Bandpass, Allpass, AllpassFO, LinkwitzTransform)" },
	{ "filters:\n  pk:\n    type: Biquad\n    parameters: {type: Peaking, freq: 300, gain: 3, q: 1, bandwidth: 1}\n",
	  "t.yml:9:17: filter 'pk': Peaking needs exactly one of 'q' or 'bandwidth'" },
	{ "filters:\n  f:\n    type: Biquad\n    parameters: {type: Free, a1: -2.1, a2: 1.2, b0: 1, b1: 0, b2: 0}\n",
	  "t.yml:9:17: filter 'f': Biquad: unstable filter (a pole on or outside the unit circle) at 48000 Hz" },
	{ "filters:\n  lr:\n    type: BiquadCombo\n    parameters: {type: LinkwitzRileyLowpass, freq: 300, order: 3}\n",
	  "t.yml:9:64: filter 'lr': order: Linkwitz-Riley order must be even, 2..32, got 3" },
	{ "filters:\n  n:\n    type: NoiseGate\n    parameters: {}\n",
	  "t.yml:8:11: filter 'n': type: unknown value 'NoiseGate' (expected one of: Biquad, "
	  "BiquadCombo, Gain, Volume, Loudness, Delay, Conv, Limiter, DiffEq, Dither)" },
	{ "filters:\n  d:\n    type: Dither\n    parameters: {type: Shibata441, bits: 40}\n",
	  "t.yml:9:42: filter 'd': bits: must be 2..32, got 40" },
	{ "filters:\n  d:\n    type: Dither\n    parameters: {type: Foo, bits: 16}\n",
	  "t.yml:9:24: filter 'd': type: unknown value 'Foo' (expected one of: None, Flat, "
	  "Highpass, Fweighted441, FweightedLong441, FweightedShort441, Gesemann441, Gesemann48, "
	  "Lipshitz441, LipshitzLong441, Shibata441, ShibataHigh441, ShibataLow441, Shibata48, "
	  "ShibataHigh48, ShibataLow48, Shibata882, ShibataLow882, Shibata96, ShibataLow96, "
	  "Shibata192, ShibataLow192)" },
	{ "filters:\n  d:\n    type: Dither\n    parameters: {type: Gesemann48, bits: 16, amplitude: 2}\n",
	  "t.yml:9:46: filter 'd': unknown field 'amplitude' (expected: bits)" },
	{ "pipeline:\n  - type: Filter\n    channels: [0, 2]\n    names: []\n",
	  "t.yml:8:15: channel 2 does not exist here (the pipeline has 2 channels at this step)" },
	{ "pipeline:\n  - type: Filter\n    names: [nope]\n",
	  "t.yml:8:13: no filter named 'nope' in filters" },
	{ "mixers:\n  up:\n    channels: {in: 2, out: 3}\n    mapping:\n      - {dest: 2, sources: [{channel: 0}]}\n"
	  "pipeline:\n  - {type: Mixer, name: up}\n",
	  "t.yml:12:3: pipeline ends with 3 channels but devices.playback.channels is 2" },
	{ "mixers:\n  up:\n    channels: {in: 3, out: 2}\n    mapping: []\n"
	  "pipeline:\n  - {type: Mixer, name: up}\n",
	  "t.yml:11:25: mixer 'up' takes 3 channels but the pipeline has 2 here" },
	{ "mixers:\n  m:\n    channels: {in: 2, out: 2}\n    mapping:\n      - {dest: 0, sources: [{channel: 5}]}\n",
	  "t.yml:10:29: mixer 'm': channel: 5 does not exist (mixer has 2 inputs)" },
	{ "filterz: {}\n",
	  "t.yml:6:1: unknown top-level field 'filterz' (expected: devices, filters, mixers, "
	  "processors, pipeline, title, description)" },
	{ "filters:\n  g:\n    type: Gain\n    parameters: {gain: [1]}\n",
	  "t.yml:9:24: filter 'g': gain: expected a number" },
	{ "filters: {a: b: c}\n",
	  "t.yml:6:15: YAML: did not find expected ',' or '}' while parsing a flow mapping" },
};

static const char good[] =
	"title: a CamillaDSP v3 config\n"
	"description: null\n"
	"devices:\n"
	"  samplerate: 44100\n"
	"  chunksize: 1024\n"
	"  enable_rate_adjust: true\n"
	"  capture:\n    type: Alsa\n    channels: 2\n    device: \"hw:Loopback,1\"\n    format: S32LE\n"
	"  playback:\n    type: Alsa\n    channels: 2\n    device: \"hw:Generic\"\n    format: S24LE3\n"
	"filters:\n"
	"  bass:\n    type: Biquad\n    description: null\n"
	"    parameters:\n      type: Lowshelf\n      freq: 85\n      slope: 6\n      gain: 4\n"
	"  vol:\n    type: Volume\n    parameters:\n      ramp_time: 100\n      fader: Main\n"
	"  lim:\n    type: Limiter\n    parameters:\n      clip_limit: -1.0\n      soft_clip: true\n"
	"mixers:\n"
	"  swap:\n    description: null\n    channels:\n      in: 2\n      out: 2\n    mapping:\n"
	"      - dest: 0\n        mute: false\n        sources:\n          - channel: 1\n            gain: 0\n"
	"            inverted: false\n            scale: dB\n"
	"      - dest: 1\n        sources:\n          - {channel: 0, gain: 1.0, scale: linear}\n"
	"pipeline:\n"
	"  - type: Mixer\n    name: swap\n    description: null\n    bypassed: null\n"
	"  - type: Filter\n    channel: 0\n    names:\n      - bass\n"
	"  - type: Filter\n    channels: null\n    names: [vol, lim]\n    bypassed: false\n"
	"  - type: Filter\n    channels: [1]\n    names: [bass]\n    bypassed: true\n";

static const char good_desc[] =
	"pipeline: 44100 Hz, 2 -> 2 channels (2 max), blocks up to 1024 frames, 4 ops\n"
	"  1  Mixer 'swap': 2 -> 2 channels, 2 terms\n"
	"  2  Biquad cascade [bass]: 1 section on channel 0 (double, 4-lane vectors)\n"
	"  3  Volume 'vol' on channels 0,1: follows fader Main, limit 50 dB, ramp 100 ms\n"
	"  4  Limiter soft at -1 dB 'lim' on channels 0,1\n";

static const char good_notes[] =
	"t.yml:6:3: note: devices.enable_rate_adjust ignored: uacd owns the devices\n"
	"t.yml:8:5: note: devices.capture.type ignored: uacd owns the devices\n"
	"t.yml:10:5: note: devices.capture.device ignored: uacd owns the devices\n"
	"t.yml:11:5: note: devices.capture.format ignored: uacd owns the devices\n"
	"t.yml:13:5: note: devices.playback.type ignored: uacd owns the devices\n"
	"t.yml:15:5: note: devices.playback.device ignored: uacd owns the devices\n"
	"t.yml:16:5: note: devices.playback.format ignored: uacd owns the devices\n";

static struct uacdsp_chain *chain_of(const char *text, unsigned frames)
{
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c = NULL;
	char err[512];

	if (uacdsp_config_parse(text, strlen(text), "t.yml", &cfg, err, sizeof(err)) < 0) {
		printf("parse: %s\n", err);
		return NULL;
	}
	if (uacdsp_chain_new(cfg, 0, frames, &c, err, sizeof(err)) < 0)
		printf("chain: %s\n", err);
	uacdsp_config_free(cfg);
	return c;
}

static void test_errors(void)
{
	char text[4096], err[1024];
	struct uacdsp_config *cfg;
	unsigned i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, bad[i].body);
		err[0] = '\0';
		ret = uacdsp_config_parse(text, strlen(text), "t.yml", &cfg, err, sizeof(err));
		CHECK(ret == -EINVAL, "case %u: ret %d", i, ret);
		CHECK(!strcmp(err, bad[i].msg), "case %u:\n  got  %s\n  want %s", i, err, bad[i].msg);
		if (ret == 0)
			uacdsp_config_free(cfg);
	}
	ret = uacdsp_config_load("/nonexistent/dsp.yml", &cfg, err, sizeof(err));
	CHECK(ret == -ENOENT, "load nonexistent: %d", ret);
	CHECK(!strcmp(err, "/nonexistent/dsp.yml: No such file or directory"), "got %s", err);
}

static void test_good(void)
{
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c;
	char err[512], desc[2048];
	int ret;

	ret = uacdsp_config_parse(good, strlen(good), "t.yml", &cfg, err, sizeof(err));
	CHECK(ret == 0, "good config: %s", err);
	if (ret < 0)
		return;
	CHECK(!strcmp(uacdsp_config_notes(cfg), good_notes), "notes:\n%s", uacdsp_config_notes(cfg));
	ret = uacdsp_chain_new(cfg, 0, 1024, &c, err, sizeof(err));
	CHECK(ret == 0, "chain: %s", err);
	if (ret == 0) {
		ret = uacdsp_chain_describe(c, desc, sizeof(desc));
		CHECK(ret == (int)strlen(good_desc) && !strcmp(desc, good_desc), "describe:\n%s", desc);
		CHECK(uacdsp_chain_in_channels(c) == 2 && uacdsp_chain_out_channels(c) == 2 &&
		      uacdsp_chain_max_channels(c) == 2, "channels");
		uacdsp_chain_free(c);
	}
	/* the same config at a rate where 85 Hz is fine but chunk 0 is not */
	ret = uacdsp_chain_new(cfg, 96000, 0, &c, err, sizeof(err));
	CHECK(ret == -EINVAL, "max_frames 0: %d", ret);
	uacdsp_config_free(cfg);
}

/* Volume: ramps to the new volume over ramp_time, every step tiny */
static void test_volume(void)
{
	static const char text[] =
		"devices: {samplerate: 48000, chunksize: 480, capture: {channels: 1}, playback: {channels: 1}}\n"
		"filters:\n  v: {type: Volume, parameters: {ramp_time: 50}}\n"
		"pipeline:\n  - {type: Filter, names: [v]}\n";
	struct uacdsp_chain *c = chain_of(text, 480);
	float buf[480], *b = buf, prev = 1.0f, maxstep = 0;
	unsigned blk, i;

	if (!c) {
		fails++;
		return;
	}
	for (i = 0; i < 480; i++)
		buf[i] = 1.0f;
	uacdsp_chain_process(c, &b, 480);
	CHECK(buf[479] == 1.0f, "0 dB gives %g", buf[479]);
	uacdsp_chain_set_volume(c, -20.0f);
	for (blk = 0; blk < 10; blk++) {	/* 100 ms */
		for (i = 0; i < 480; i++)
			buf[i] = 1.0f;
		uacdsp_chain_process(c, &b, 480);
		for (i = 0; i < 480; i++) {
			if (fabsf(buf[i] - prev) > maxstep)
				maxstep = fabsf(buf[i] - prev);
			prev = buf[i];
		}
		if (blk == 2)	/* 30 of 50 ms: 60 % of the way */
			CHECK(fabsf(buf[479] - (1.0f - 0.6f * 0.9f)) < 1e-3f, "mid ramp %g", buf[479]);
	}
	CHECK(fabsf(buf[479] - 0.1f) < 1e-6f, "-20 dB gives %g", buf[479]);
	/* 0.9 over 2400 samples: 3.75e-4 per sample */
	CHECK(maxstep < 4e-4f, "largest gain step %g", maxstep);
	printf("volume ramp 0 -> -20 dB over 50 ms: largest per-sample step %.3g\n", maxstep);
	uacdsp_chain_free(c);
}

/* reload: unchanged filters continue exactly; a changed one crossfades */
static void test_inherit(void)
{
	static const char a[] =
		"devices: {samplerate: 48000, chunksize: 256, capture: {channels: 2}, playback: {channels: 2}}\n"
		"filters:\n"
		"  lp: {type: Biquad, parameters: {type: Lowpass, freq: 200, q: 2}}\n"
		"  pk: {type: Biquad, parameters: {type: Peaking, freq: 1000, q: 1, gain: %s}}\n"
		"  d: {type: Delay, parameters: {delay: 100, unit: samples}}\n"
		"pipeline:\n  - {type: Filter, channels: [0], names: [lp, d]}\n"
		"  - {type: Filter, channels: [1], names: [pk]}\n";
	char t1[1024], t2[1024];
	struct uacdsp_chain *ref, *c1, *c2;
	float x[2][2048], y[2][2048];
	float *rb[2], *cb[2];
	double maxjump = 0;
	unsigned i, k;

	snprintf(t1, sizeof(t1), a, "6");
	snprintf(t2, sizeof(t2), a, "-6");
	ref = chain_of(t1, 256);
	c1 = chain_of(t1, 256);
	c2 = chain_of(t2, 256);
	if (!ref || !c1 || !c2) {
		fails++;
		goto out;
	}
	for (i = 0; i < 2048; i++) {
		x[0][i] = y[0][i] = (float)sin(i * 0.05);
		x[1][i] = y[1][i] = (float)sin(i * 0.13);
	}
	for (k = 0; k < 2048; k += 256) {
		rb[0] = x[0] + k;
		rb[1] = x[1] + k;
		cb[0] = y[0] + k;
		cb[1] = y[1] + k;
		uacdsp_chain_process(ref, rb, 256);
		if (k == 1024)
			uacdsp_chain_inherit(c2, c1);
		uacdsp_chain_process(k < 1024 ? c1 : c2, cb, 256);
	}
	/* channel 0 (lp, d unchanged) must be bit-identical to never reloading */
	CHECK(!memcmp(x[0], y[0], sizeof(x[0])), "unchanged channel differs after reload");
	for (i = 1; i < 2048; i++) {
		double j = fabs((double)y[1][i] - y[1][i - 1]);

		if (j > maxjump)
			maxjump = j;
	}
	/* a 0.13 rad/sample sine at <= 2x gain moves at most 0.26 per sample */
	CHECK(maxjump < 0.27, "changed filter jumps by %g", maxjump);
	printf("reload: unchanged channel bit-identical, changed channel max step %.3g\n", maxjump);
out:
	uacdsp_chain_free(ref);
	uacdsp_chain_free(c1);
	uacdsp_chain_free(c2);
}

int main(void)
{
	test_errors();
	test_good();
	test_volume();
	test_inherit();
	if (fails)
		printf("%d failures\n", fails);
	else
		printf("all config tests passed\n");
	return fails ? 1 : 0;
}
