/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conv: a 65,536-tap FIR (decaying noise, loaded from a Raw FLOAT32LE file)
 * run through the partitioned FFT convolution at partition sizes 256, 1024
 * and 4096, fed in irregular block sizes (so the partial-block path runs),
 * must equal a direct convolution computed here in double within
 * -120 dBFS (max absolute error, full scale 1.0).  Then every Raw sample
 * format and Wav are loaded and checked tap by tap.
 */
#include "config.h"

#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsp/uacdsp.h"

#define NTAPS	65536u
#define NIN	(3u * NTAPS)
#define LIMIT_DBFS	-120.0

static uint64_t rng = 0x243F6A8885A308D3ULL;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static char dir[] = "/tmp/test-dsp-conv-XXXXXX";

static int write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		return -1;
	}
	return fclose(f);
}

static struct uacdsp_chain *build(const char *params, unsigned chunk, unsigned maxf)
{
	struct uacdsp_config *cfg;
	struct uacdsp_chain *chain;
	char text[1024], path[256], err[1024];

	snprintf(path, sizeof(path), "%s/conv.yml", dir);
	snprintf(text, sizeof(text),
		 "devices:\n  samplerate: 48000\n  chunksize: %u\n"
		 "  capture: {channels: 1}\n  playback: {channels: 1}\n"
		 "filters:\n  fir:\n    type: Conv\n    parameters: %s\n"
		 "pipeline:\n  - {type: Filter, channels: [0], names: [fir]}\n", chunk, params);
	/* relative file names resolve against the config's directory */
	if (uacdsp_config_parse(text, strlen(text), path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "parse: %s\n", err);
		return NULL;
	}
	if (uacdsp_chain_new(cfg, 0, maxf, &chain, err, sizeof(err)) < 0) {
		fprintf(stderr, "chain: %s\n", err);
		chain = NULL;
	}
	uacdsp_config_free(cfg);
	return chain;
}

static int fir_test(const float *taps, const float *in, unsigned part)
{
	static const unsigned blocks[] = { 1024, 24, 1000, 1, 517, 1024, 333, 7, 1024 };
	struct uacdsp_chain *chain = build("{type: Raw, filename: taps.f32, format: FLOAT32LE}",
					   part, 1024);
	float *y = malloc(NIN * sizeof(float));
	double maxerr = 0;
	unsigned done = 0, bi = 0, n;
	char desc[512];

	if (!chain || !y)
		return 1;
	uacdsp_chain_describe(chain, desc, sizeof(desc));
	memcpy(y, in, NIN * sizeof(float));
	while (done < NIN) {
		float *b = y + done;

		n = blocks[bi++ % (sizeof(blocks) / sizeof(blocks[0]))];
		if (n > NIN - done)
			n = NIN - done;
		uacdsp_chain_process(chain, &b, n);
		done += n;
	}
	uacdsp_chain_free(chain);
	for (n = 0; n < NIN; n += 37) {
		double acc = 0;
		unsigned k, kmax = n < NTAPS - 1 ? n : NTAPS - 1;

		for (k = 0; k <= kmax; k++)
			acc += (double)taps[k] * in[n - k];
		if (fabs(acc - y[n]) > maxerr)
			maxerr = fabs(acc - y[n]);
	}
	free(y);
	printf("partition %4u: max error vs direct convolution %.3g = %.1f dBFS (limit %.0f)\n",
	       part, maxerr, 20 * log10(maxerr), LIMIT_DBFS);
	return 20 * log10(maxerr) < LIMIT_DBFS ? 0 : 1;
}

/* load `params` as a filter and read its taps back through an impulse */
static int taps_of(const char *params, float *out, unsigned n)
{
	struct uacdsp_chain *chain = build(params, 64, 64);
	float *b = out;

	if (!chain)
		return -1;
	memset(out, 0, n * sizeof(float));
	out[0] = 1.0f;
	uacdsp_chain_process(chain, &b, n);
	uacdsp_chain_free(chain);
	return 0;
}

static int formats_test(void)
{
	/* taps 0.5, -0.25, 0.125, -1 (where the format reaches it) */
	static const unsigned char s16[] = { 0x00, 0x40, 0x00, 0xe0, 0x00, 0x10, 0x00, 0x80 };
	static const unsigned char s24[] = { 0, 0, 0x40, 0, 0, 0, 0xe0, 0xff, 0, 0, 0x10, 0,
					     0, 0, 0x80, 0xff };
	static const unsigned char s24lj[] = { 0, 0, 0, 0x40, 0, 0, 0, 0xe0, 0, 0, 0, 0x10,
					       0, 0, 0, 0x80 };
	static const unsigned char s243[] = { 0, 0, 0x40, 0, 0, 0xe0, 0, 0, 0x10, 0, 0, 0x80 };
	static const unsigned char s32[] = { 0, 0, 0, 0x40, 0, 0, 0, 0xe0, 0, 0, 0, 0x10,
					     0, 0, 0, 0x80 };
	static const float f32[] = { 0.5f, -0.25f, 0.125f, -1.0f };
	static const double f64[] = { 0.5, -0.25, 0.125, -1.0 };
	static const char text[] = "# skipped header line\n0.5\n-0.25\n0.125\n-1.0\n";
	static const struct {
		const char *file, *params;
	} cases[] = {
		{ "t.s16", "{type: Raw, filename: t.s16, format: S16LE}" },
		{ "t.s16", "{type: Raw, filename: t.s16, format: S16_LE}" },
		{ "t.s24", "{type: Raw, filename: t.s24, format: S24_4_RJ_LE}" },
		{ "t.s24lj", "{type: Raw, filename: t.s24lj, format: S24_4_LJ_LE}" },
		{ "t.s243", "{type: Raw, filename: t.s243, format: S24_3_LE}" },
		{ "t.f64", "{type: Raw, filename: t.f64, format: F64_LE}" },
		{ "t.s24", "{type: Raw, filename: t.s24, format: S24LE}" },
		{ "t.s243", "{type: Raw, filename: t.s243, format: S24LE3}" },
		{ "t.s32", "{type: Raw, filename: t.s32, format: S32LE}" },
		{ "t.f32", "{type: Raw, filename: t.f32, format: FLOAT32LE}" },
		{ "t.f64", "{type: Raw, filename: t.f64, format: FLOAT64LE}" },
		{ "t.txt", "{type: Raw, filename: t.txt, skip_bytes_lines: 1}" },
		{ "t.wav", "{type: Wav, filename: t.wav, channel: 1}" },
		{ "-", "{type: Values, values: [0.5, -0.25, 0.125, -1.0]}" },
		{ "t.f64", "{type: Raw, filename: t.f64, format: FLOAT64LE, skip_bytes_lines: 8, read_bytes_lines: 16}" },
	};
	float got[64], wav[8] = { 9, 0.5f, 9, -0.25f, 9, 0.125f, 9, -1.0f };
	SF_INFO info = { .samplerate = 48000, .channels = 2,
			 .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	char path[256];
	SNDFILE *sf;
	unsigned i, k;
	int fails = 0;

	if (write_file("t.s16", s16, sizeof(s16)) || write_file("t.s24", s24, sizeof(s24)) ||
	    write_file("t.s243", s243, sizeof(s243)) || write_file("t.s24lj", s24lj, sizeof(s24lj)) || write_file("t.s32", s32, sizeof(s32)) ||
	    write_file("t.f32", f32, sizeof(f32)) || write_file("t.f64", f64, sizeof(f64)) ||
	    write_file("t.txt", text, strlen(text)))
		return 1;
	snprintf(path, sizeof(path), "%s/t.wav", dir);
	sf = sf_open(path, SFM_WRITE, &info);
	if (!sf || sf_writef_float(sf, wav, 4) != 4)
		return 1;
	sf_close(sf);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool last = i == sizeof(cases) / sizeof(cases[0]) - 1;
		float want[4] = { 0.5f, -0.25f, 0.125f, -1.0f };
		unsigned n = last ? 2 : 4;

		if (last) {	/* bytes 8..23 of the doubles: taps 1 and 2 */
			want[0] = -0.25f;
			want[1] = 0.125f;
		}
		if (taps_of(cases[i].params, got, 64) < 0) {
			fails++;
			continue;
		}
		for (k = 0; k < 64; k++) {
			float w = k < n ? want[k] : 0.0f;

			if (fabsf(got[k] - w) > 1e-6f) {
				printf("%s: tap %u is %g, want %g\n", cases[i].params, k, got[k], w);
				fails++;
				break;
			}
		}
		if (k == 64)
			printf("%s: taps ok\n", cases[i].params);
	}
	return fails;
}

/*
 * Reload: chain B (other taps, longer) inherits from chain A in the middle
 * of a block.  B's output must be the crossfade, over 10 ms (480 frames),
 * from A's convolution to B's, within -120 dBFS throughout.  B takes over
 * A's input history, which is as many partitions as A had (12 of 256
 * frames): partition j of B contributes to output block i once block i - j
 * is in that history, i.e. i - j >= SWITCH / 256 - 12.
 */
static void normalize(float *h, unsigned n)
{
	double e = 0;
	unsigned k;

	for (k = 0; k < n; k++)
		e += (double)h[k] * h[k];
	for (k = 0; k < n; k++)
		h[k] = (float)(h[k] / sqrt(e));
}

static int reload_test(void)
{
	enum { NA = 3000, NB = 5000, LEN = 20000, SWITCH = 7777, FADE = 480 };
	static float ha[NA], hb[NB], x[LEN], y[LEN];
	char pa[64], pb[64];
	struct uacdsp_chain *a, *b;
	double maxerr = 0;
	unsigned n, done = 0, k;
	FILE *f;

	for (k = 0; k < NA; k++)
		ha[k] = (float)((urand() - 0.5) * exp(-(double)k / 500.0));
	for (k = 0; k < NB; k++)
		hb[k] = (float)((urand() - 0.5) * exp(-(double)k / 800.0));
	for (k = 0; k < LEN; k++)
		x[k] = y[k] = (float)(urand() - 0.5);
	normalize(ha, NA);	/* ||h|| = 1: outputs stay within full scale */
	normalize(hb, NB);
	if (write_file("ha.f32", ha, sizeof(ha)) || write_file("hb.f32", hb, sizeof(hb)))
		return 1;
	snprintf(pa, sizeof(pa), "{type: Raw, filename: ha.f32, format: FLOAT32LE}");
	snprintf(pb, sizeof(pb), "{type: Raw, filename: hb.f32, format: F32_LE}");
	a = build(pa, 256, 256);
	b = build(pb, 256, 256);
	if (!a || !b)
		return 1;
	while (done < LEN) {
		float *p = y + done;

		n = done < SWITCH && SWITCH - done < 200 ? SWITCH - done : 200;
		if (n > LEN - done)
			n = LEN - done;
		if (done == SWITCH)
			uacdsp_chain_inherit(b, a);
		uacdsp_chain_process(done < SWITCH ? a : b, &p, n);
		done += n;
	}
	uacdsp_chain_free(a);
	uacdsp_chain_free(b);
	for (n = 0; n < LEN; n++) {
		double ya = 0, yb = 0, g, want;

		for (k = 0; k < NA && k <= n; k++)
			ya += (double)ha[k] * x[n - k];
		for (k = 0; k < NB && k <= n; k++)
			if ((int)(n / 256) - (int)(k / 256) >= SWITCH / 256 - (NA + 255) / 256)
				yb += (double)hb[k] * x[n - k];
		g = n < SWITCH ? 0.0 : n - SWITCH >= FADE ? 1.0 : (double)(n - SWITCH) / FADE;
		want = ya + g * (yb - ya);
		if (fabs(want - y[n]) > maxerr)
			maxerr = fabs(want - y[n]);
	}
	f = stdout;
	fprintf(f, "reload Conv 3000 -> 5000 taps at frame %d: max error vs crossfaded direct "
		"convolutions %.3g = %.1f dBFS (limit %.0f)\n", SWITCH, maxerr, 20 * log10(maxerr),
		LIMIT_DBFS);
	return 20 * log10(maxerr) < LIMIT_DBFS ? 0 : 1;
}

int main(void)
{
	float *taps = malloc(NTAPS * sizeof(float)), *in = malloc(NIN * sizeof(float));
	double norm = 0;
	char cmd[300];
	unsigned k;
	int fails = 0;

	if (!taps || !in || !mkdtemp(dir))
		return 99;
	for (k = 0; k < NTAPS; k++) {
		taps[k] = (float)((urand() - 0.5) * exp(-(double)k / 4096.0));
		norm += (double)taps[k] * taps[k];
	}
	for (k = 0; k < NTAPS; k++)	/* ||h|| = 1 */
		taps[k] = (float)(taps[k] / sqrt(norm));
	for (k = 0; k < NIN; k++)
		in[k] = (float)(urand() - 0.5);
	if (write_file("taps.f32", taps, NTAPS * sizeof(float)))
		return 99;

	fails += fir_test(taps, in, 256);
	fails += fir_test(taps, in, 1024);
	fails += fir_test(taps, in, 4096);
	fails += formats_test();
	fails += reload_test();

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(taps);
	free(in);
	return fails ? 1 : 0;
}
