/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frequency response of every Biquad / BiquadCombo type (and Gain, Delay,
 * DiffEq, Conv Values), at 44.1, 48, 96 and 192 kHz.
 *
 * An impulse goes through the real chain (uacdsp_chain_process, float32
 * buffers, blocks of 1024 like the RT thread); the response is transformed
 * with a double-precision FFT written here, and compared bin by bin up to
 * 0.45 fs with the analytic response.  The reference is computed
 * independently of dsp/biquad.c: not from digital coefficients, but from
 * the analog prototypes of the RBJ Audio EQ Cookbook, evaluated at the
 * bilinear-transform frequency s = j tan(pi f / fs) / tan(pi f0 / fs), and
 * from the pole positions that define Butterworth filters (Linkwitz-Riley =
 * Butterworth squared).  Limits: 0.01 dB and 0.1 degree.  Bins where the
 * reference is below -80 dB (the bottom of a notch) carry no information
 * about the filter at float32 output precision and are not compared; the
 * log says how many there were.
 */
#include "config.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/uacdsp.h"

#define MAX_DB		0.01
#define MAX_DEG		0.1
#define FLOOR_DB	-80.0
#define BLOCK		1024u

typedef double complex cplx;

struct ref {
	const char *name;
	const char *yaml;		/* the filter's parameters; %s never used */
	const char *combo_type;		/* "Biquad" or "BiquadCombo" etc. */
	cplx (*h)(const struct ref *r, double f, double fs);
	double p[8];
};

/* ---- reference responses ------------------------------------------------ */

static cplx sK(double f, double f0, double fs)
{
	return I * tan(M_PI * f / fs) / tan(M_PI * f0 / fs);
}

static double q_from_bw(double bw, double f0, double fs)
{
	double w0 = 2 * M_PI * f0 / fs;

	return 1.0 / (2.0 * sinh(log(2.0) / 2.0 * bw * w0 / sin(w0)));
}

static double q_from_slope(double slope_db, double gain)
{
	double A = pow(10.0, gain / 40.0), S = slope_db / 12.0;

	return 1.0 / sqrt((A + 1.0 / A) * (1.0 / S - 1.0) + 2.0);
}

/* p[0] = f0, p[1] = Q (or bandwidth / slope by variant), p[2] = gain dB */
static cplx lp(double f, double fs, double f0, double Q)
{
	cplx s = sK(f, f0, fs);

	return 1.0 / (s * s + s / Q + 1.0);
}

static cplx hp(double f, double fs, double f0, double Q)
{
	cplx s = sK(f, f0, fs);

	return s * s / (s * s + s / Q + 1.0);
}

static cplx peak(double f, double fs, double f0, double Q, double g)
{
	cplx s = sK(f, f0, fs);
	double A = pow(10.0, g / 40.0);

	return (s * s + s * A / Q + 1.0) / (s * s + s / (A * Q) + 1.0);
}

static cplx lshelf(double f, double fs, double f0, double Q, double g)
{
	cplx s = sK(f, f0, fs);
	double A = pow(10.0, g / 40.0), r = sqrt(A) / Q;

	return A * (s * s + r * s + A) / (A * s * s + r * s + 1.0);
}

static cplx hshelf(double f, double fs, double f0, double Q, double g)
{
	cplx s = sK(f, f0, fs);
	double A = pow(10.0, g / 40.0), r = sqrt(A) / Q;

	return A * (A * s * s + r * s + 1.0) / (s * s + r * s + A);
}

static cplx r_lp(const struct ref *r, double f, double fs) { return lp(f, fs, r->p[0], r->p[1]); }
static cplx r_hp(const struct ref *r, double f, double fs) { return hp(f, fs, r->p[0], r->p[1]); }

static cplx r_lpfo(const struct ref *r, double f, double fs)
{
	return 1.0 / (sK(f, r->p[0], fs) + 1.0);
}

static cplx r_hpfo(const struct ref *r, double f, double fs)
{
	cplx s = sK(f, r->p[0], fs);

	return s / (s + 1.0);
}

static cplx r_apfo(const struct ref *r, double f, double fs)
{
	cplx s = sK(f, r->p[0], fs);

	return (1.0 - s) / (1.0 + s);
}

static cplx r_lsfo(const struct ref *r, double f, double fs)
{
	cplx s = sK(f, r->p[0], fs);
	double G = sqrt(pow(10.0, r->p[2] / 20.0));

	return (s + G) / (s + 1.0 / G);
}

static cplx r_hsfo(const struct ref *r, double f, double fs)
{
	cplx s = sK(f, r->p[0], fs);
	double G = pow(10.0, r->p[2] / 20.0), sg = sqrt(G);

	return G * (s + 1.0 / sg) / (s + sg);
}

static cplx r_peak(const struct ref *r, double f, double fs)
{
	return peak(f, fs, r->p[0], r->p[1], r->p[2]);
}

static cplx r_peak_bw(const struct ref *r, double f, double fs)
{
	return peak(f, fs, r->p[0], q_from_bw(r->p[1], r->p[0], fs), r->p[2]);
}

static cplx r_ls(const struct ref *r, double f, double fs)
{
	return lshelf(f, fs, r->p[0], r->p[1], r->p[2]);
}

static cplx r_hs(const struct ref *r, double f, double fs)
{
	return hshelf(f, fs, r->p[0], r->p[1], r->p[2]);
}

static cplx r_ls_slope(const struct ref *r, double f, double fs)
{
	return lshelf(f, fs, r->p[0], q_from_slope(r->p[1], r->p[2]), r->p[2]);
}

static cplx r_hs_slope(const struct ref *r, double f, double fs)
{
	return hshelf(f, fs, r->p[0], q_from_slope(r->p[1], r->p[2]), r->p[2]);
}

static cplx notch(double f, double fs, double f0, double Q)
{
	cplx s = sK(f, f0, fs);

	return (s * s + 1.0) / (s * s + s / Q + 1.0);
}

static cplx bandpass(double f, double fs, double f0, double Q)
{
	cplx s = sK(f, f0, fs);

	return (s / Q) / (s * s + s / Q + 1.0);
}

static cplx allpass(double f, double fs, double f0, double Q)
{
	cplx s = sK(f, f0, fs);

	return (s * s - s / Q + 1.0) / (s * s + s / Q + 1.0);
}

static cplx r_notch(const struct ref *r, double f, double fs) { return notch(f, fs, r->p[0], r->p[1]); }
static cplx r_bp(const struct ref *r, double f, double fs) { return bandpass(f, fs, r->p[0], r->p[1]); }
static cplx r_ap(const struct ref *r, double f, double fs) { return allpass(f, fs, r->p[0], r->p[1]); }

static cplx r_notch_bw(const struct ref *r, double f, double fs)
{
	return notch(f, fs, r->p[0], q_from_bw(r->p[1], r->p[0], fs));
}

static cplx r_bp_bw(const struct ref *r, double f, double fs)
{
	return bandpass(f, fs, r->p[0], q_from_bw(r->p[1], r->p[0], fs));
}

static cplx r_ap_bw(const struct ref *r, double f, double fs)
{
	return allpass(f, fs, r->p[0], q_from_bw(r->p[1], r->p[0], fs));
}

/* p: freq_p, freq_z, q_p, normalize_at_dc; analog prototype with both
 * frequencies pre-warped: (s^2 + wz^2) / (s^2 + wp/Q s + wp^2) */
static cplx r_gnotch(const struct ref *r, double f, double fs)
{
	cplx s = I * tan(M_PI * f / fs);
	double wp = tan(M_PI * r->p[0] / fs), wz = tan(M_PI * r->p[1] / fs);
	double g = r->p[3] ? wp * wp / (wz * wz) : 1.0;

	return g * (s * s + wz * wz) / (s * s + wp / r->p[2] * s + wp * wp);
}

/* p: freq_act, q_act, freq_target, q_target; bilinear pre-warped at the
 * mean frequency */
static cplx r_lt(const struct ref *r, double f, double fs)
{
	double fc = (r->p[0] + r->p[2]) / 2.0;
	cplx s = I * tan(M_PI * f / fs) * 2.0 * M_PI * fc / tan(M_PI * fc / fs);
	double wa = 2 * M_PI * r->p[0], wt = 2 * M_PI * r->p[2];

	return (s * s + wa / r->p[1] * s + wa * wa) / (s * s + wt / r->p[3] * s + wt * wt);
}

/* p: b0, b1, b2, a1, a2: the definition of a free biquad */
static cplx r_free(const struct ref *r, double f, double fs)
{
	cplx z1 = cexp(-I * 2 * M_PI * f / fs);

	return (r->p[0] + r->p[1] * z1 + r->p[2] * z1 * z1) /
	       (1.0 + r->p[3] * z1 + r->p[4] * z1 * z1);
}

/* Butterworth of order n from its poles p_k = exp(j pi (2k + n + 1) / 2n) */
static cplx butter(double f, double fs, double f0, unsigned n, int high)
{
	cplx s = sK(f, f0, fs), h = 1.0;
	unsigned k;

	if (high)
		s = 1.0 / s;
	for (k = 0; k < n; k++)
		h /= s - cexp(I * M_PI * (2.0 * k + n + 1.0) / (2.0 * n));
	return h;
}

/* p: freq, order, high */
static cplx r_bw(const struct ref *r, double f, double fs)
{
	return butter(f, fs, r->p[0], (unsigned)r->p[1], (int)r->p[2]);
}

static cplx r_lr(const struct ref *r, double f, double fs)
{
	cplx b = butter(f, fs, r->p[0], (unsigned)r->p[1] / 2, (int)r->p[2]);

	return b * b;
}

static cplx r_tilt(const struct ref *r, double f, double fs)
{
	return lshelf(f, fs, 110.0, 0.35, -r->p[0] / 2) * hshelf(f, fs, 3500.0, 0.35, r->p[0] / 2);
}

static cplx r_peq5(const struct ref *r, double f, double fs)
{
	(void)r;
	return lshelf(f, fs, 80, 0.7, 4) * peak(f, fs, 300, 2, -3) * peak(f, fs, 1000, 1.5, 2) *
	       peak(f, fs, 4000, 3, -5) * hshelf(f, fs, 9000, 0.7, 3);
}

static cplx r_geq(const struct ref *r, double f, double fs)
{
	static const double gains[] = { 3, 0, -2, 4, 1, -6, 2, 0, 5, -1 };
	double lmin = log2(25.0), lmax = log2(16000.0), bw = (lmax - lmin) / 10;
	cplx h = 1.0;
	unsigned i;

	(void)r;
	for (i = 0; i < 10; i++)
		if (gains[i] != 0.0) {
			double fc = exp2(lmin + (i + 0.5) * bw);

			h *= peak(f, fs, fc, q_from_bw(bw, fc, fs), gains[i]);
		}
	return h;
}

static cplx r_gain(const struct ref *r, double f, double fs)
{
	(void)f;
	(void)fs;
	return pow(10.0, r->p[0] / 20.0) * (r->p[1] ? -1.0 : 1.0);
}

static cplx r_delay(const struct ref *r, double f, double fs)
{
	return cexp(-I * 2 * M_PI * f / fs * r->p[0]);
}

static cplx r_fir(const struct ref *r, double f, double fs)
{
	static const double taps[] = { 0.5, 0.25, -0.125, 0.0625 };
	cplx z1 = cexp(-I * 2 * M_PI * f / fs), h = 0, zk = 1;
	unsigned k;

	(void)r;
	for (k = 0; k < 4; k++, zk *= z1)
		h += taps[k] * zk;
	return h;
}

/* DiffEq a = [1, -0.9], b = [0.1]: one-pole lowpass y = 0.1 x + 0.9 y1 */
static cplx r_diffeq(const struct ref *r, double f, double fs)
{
	cplx z1 = cexp(-I * 2 * M_PI * f / fs);

	(void)r;
	return 0.1 / (1.0 - 0.9 * z1);
}

#define BQ "Biquad"
#define CB "BiquadCombo"

static const struct ref refs[] = {
	{ "Lowpass 1k Q0.707", "{type: Lowpass, freq: 1000, q: 0.707}", BQ, r_lp, { 1000, 0.707 } },
	{ "Lowpass 30 Q4", "{type: Lowpass, freq: 30, q: 4}", BQ, r_lp, { 30, 4 } },
	{ "Highpass 80 Q0.5", "{type: Highpass, freq: 80, q: 0.5}", BQ, r_hp, { 80, 0.5 } },
	{ "Highpass 5k Q2", "{type: Highpass, freq: 5000, q: 2}", BQ, r_hp, { 5000, 2 } },
	{ "LowpassFO 500", "{type: LowpassFO, freq: 500}", BQ, r_lpfo, { 500 } },
	{ "HighpassFO 20", "{type: HighpassFO, freq: 20}", BQ, r_hpfo, { 20 } },
	{ "Lowshelf q", "{type: Lowshelf, freq: 100, q: 0.9, gain: 6}", BQ, r_ls, { 100, 0.9, 6 } },
	{ "Lowshelf slope", "{type: Lowshelf, freq: 200, slope: 6, gain: -8}", BQ, r_ls_slope, { 200, 6, -8 } },
	{ "Highshelf q", "{type: Highshelf, freq: 8000, q: 0.7, gain: -4}", BQ, r_hs, { 8000, 0.7, -4 } },
	{ "Highshelf slope", "{type: Highshelf, freq: 3000, slope: 12, gain: 5}", BQ, r_hs_slope, { 3000, 12, 5 } },
	{ "LowshelfFO", "{type: LowshelfFO, freq: 150, gain: 7}", BQ, r_lsfo, { 150, 0, 7 } },
	{ "HighshelfFO", "{type: HighshelfFO, freq: 6000, gain: -5}", BQ, r_hsfo, { 6000, 0, -5 } },
	{ "Peaking q", "{type: Peaking, freq: 1000, q: 1.4, gain: 9}", BQ, r_peak, { 1000, 1.4, 9 } },
	{ "Peaking 15k", "{type: Peaking, freq: 15000, q: 0.9, gain: 4}", BQ, r_peak, { 15000, 0.9, 4 } },
	{ "Peaking 20Hz Q10", "{type: Peaking, freq: 20, q: 10, gain: -6}", BQ, r_peak, { 20, 10, -6 } },
	{ "Peaking bandwidth", "{type: Peaking, freq: 2500, bandwidth: 0.5, gain: -10}", BQ, r_peak_bw, { 2500, 0.5, -10 } },
	{ "Notch q", "{type: Notch, freq: 60, q: 5}", BQ, r_notch, { 60, 5 } },
	{ "Notch bandwidth", "{type: Notch, freq: 7000, bandwidth: 1}", BQ, r_notch_bw, { 7000, 1 } },
	{ "GeneralNotch", "{type: GeneralNotch, freq_p: 900, freq_z: 1200, q_p: 0.8, normalize_at_dc: true}", BQ, r_gnotch, { 900, 1200, 0.8, 1 } },
	{ "GeneralNotch hf", "{type: GeneralNotch, freq_p: 1500, freq_z: 1000, q_p: 1.5}", BQ, r_gnotch, { 1500, 1000, 1.5, 0 } },
	{ "Bandpass q", "{type: Bandpass, freq: 400, q: 3}", BQ, r_bp, { 400, 3 } },
	{ "Bandpass bandwidth", "{type: Bandpass, freq: 4000, bandwidth: 2}", BQ, r_bp_bw, { 4000, 2 } },
	{ "Allpass q", "{type: Allpass, freq: 700, q: 0.6}", BQ, r_ap, { 700, 0.6 } },
	{ "Allpass bandwidth", "{type: Allpass, freq: 3000, bandwidth: 1.5}", BQ, r_ap_bw, { 3000, 1.5 } },
	{ "AllpassFO", "{type: AllpassFO, freq: 1200}", BQ, r_apfo, { 1200 } },
	{ "LinkwitzTransform", "{type: LinkwitzTransform, freq_act: 50, q_act: 0.9, freq_target: 25, q_target: 0.6}", BQ, r_lt, { 50, 0.9, 25, 0.6 } },
	{ "Free", "{type: Free, b0: 0.2, b1: 0.3, b2: 0.1, a1: -0.6, a2: 0.2}", BQ, r_free, { 0.2, 0.3, 0.1, -0.6, 0.2 } },
	{ "ButterworthLowpass 5", "{type: ButterworthLowpass, freq: 2000, order: 5}", CB, r_bw, { 2000, 5, 0 } },
	{ "ButterworthHighpass 4", "{type: ButterworthHighpass, freq: 100, order: 4}", CB, r_bw, { 100, 4, 1 } },
	{ "LinkwitzRileyLowpass 4", "{type: LinkwitzRileyLowpass, freq: 2500, order: 4}", CB, r_lr, { 2500, 4, 0 } },
	{ "LinkwitzRileyHighpass 2", "{type: LinkwitzRileyHighpass, freq: 300, order: 2}", CB, r_lr, { 300, 2, 1 } },
	{ "LinkwitzRileyHighpass 8", "{type: LinkwitzRileyHighpass, freq: 1000, order: 8}", CB, r_lr, { 1000, 8, 1 } },
	{ "Tilt", "{type: Tilt, gain: 6}", CB, r_tilt, { 6 } },
	{ "FivePointPeq", "{type: FivePointPeq, fls: 80, gls: 4, qls: 0.7, fp1: 300, gp1: -3, qp1: 2, "
	  "fp2: 1000, gp2: 2, qp2: 1.5, fp3: 4000, gp3: -5, qp3: 3, fhs: 9000, ghs: 3, qhs: 0.7}", CB, r_peq5, { 0 } },
	{ "NPointPeq", "{type: NPointPeq, bands: [{freq: 80, q: 0.7, gain: 4}, {freq: 300, q: 2, gain: -3}, "
	  "{freq: 1000, q: 1.5, gain: 2}, {freq: 4000, q: 3, gain: -5}, {freq: 9000, q: 0.7, gain: 3}]}", CB, r_peq5, { 0 } },
	{ "GraphicEqualizer", "{type: GraphicEqualizer, freq_min: 25, freq_max: 16000, "
	  "gains: [3, 0, -2, 4, 1, -6, 2, 0, 5, -1]}", CB, r_geq, { 0 } },
	{ "Gain", "{gain: -4.5, inverted: true}", "Gain", r_gain, { -4.5, 1 } },
	{ "Delay samples", "{delay: 7, unit: samples}", "Delay", r_delay, { 7 } },
	{ "Delay mm", "{delay: 343, unit: mm}", "Delay", r_delay, { -1 } },	/* 1 ms */
	{ "Conv Values", "{type: Values, values: [0.5, 0.25, -0.125, 0.0625]}", "Conv", r_fir, { 0 } },
	{ "DiffEq", "{a: [1.0, -0.9], b: [0.1]}", "DiffEq", r_diffeq, { 0 } },
};

/* ---- FFT ---------------------------------------------------------------- */

static void fft(cplx *x, size_t n)
{
	static cplx *tw;
	static size_t tw_n;
	size_t i, j, len;

	if (tw_n != n) {	/* twiddles exp(-2 pi i k / n), k < n/2, computed directly */
		free(tw);
		tw = malloc(n / 2 * sizeof(*tw));
		if (!tw)
			abort();
		for (i = 0; i < n / 2; i++)
			tw[i] = cexp(-2 * M_PI * I * (double)i / (double)n);
		tw_n = n;
	}
	for (i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			cplx t = x[i];

			x[i] = x[j];
			x[j] = t;
		}
	}
	for (len = 2; len <= n; len <<= 1) {
		size_t step = n / len;

		for (i = 0; i < n; i += len) {
			for (j = 0; j < len / 2; j++) {
				cplx u = x[i + j], v = x[i + j + len / 2] * tw[j * step];

				x[i + j] = u + v;
				x[i + j + len / 2] = u - v;
			}
		}
	}
}

/* ---- driver ------------------------------------------------------------- */

static int impulse_response(const struct ref *r, unsigned rate, float *h, size_t n)
{
	struct uacdsp_config *cfg;
	struct uacdsp_chain *chain;
	char text[2048], err[512];
	size_t done;
	int ret;

	snprintf(text, sizeof(text),
		 "devices:\n  samplerate: %u\n  chunksize: %u\n"
		 "  capture: {channels: 1}\n  playback: {channels: 1}\n"
		 "filters:\n  f:\n    type: %s\n    parameters: %s\n"
		 "pipeline:\n  - type: Filter\n    channels: [0]\n    names: [f]\n",
		 rate, BLOCK, r->combo_type, r->yaml);
	ret = uacdsp_config_parse(text, strlen(text), "response.yml", &cfg, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", r->name, err);
		return ret;
	}
	ret = uacdsp_chain_new(cfg, rate, BLOCK, &chain, err, sizeof(err));
	uacdsp_config_free(cfg);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", r->name, err);
		return ret;
	}
	memset(h, 0, n * sizeof(float));
	h[0] = 1.0f;
	for (done = 0; done < n; done += BLOCK) {
		float *b = h + done;

		uacdsp_chain_process(chain, &b, BLOCK);
	}
	uacdsp_chain_free(chain);
	return 0;
}

int main(void)
{
	static const unsigned rates[] = { 44100, 48000, 96000, 192000 };
	double worst_db = 0, worst_deg = 0;
	unsigned ri, k, failures = 0;

	printf("%-26s %7s %12s %12s %8s\n", "filter", "rate", "max dB err", "max deg err",
	       "skipped");
	for (ri = 0; ri < sizeof(rates) / sizeof(rates[0]); ri++) {
		unsigned rate = rates[ri];
		size_t n = 1;
		float *h;
		cplx *x;

		while (n < 2.5 * rate)
			n <<= 1;
		h = malloc(n * sizeof(float));
		x = malloc(n * sizeof(cplx));
		if (!h || !x)
			return 99;
		for (k = 0; k < sizeof(refs) / sizeof(refs[0]); k++) {
			struct ref r = refs[k];
			double mdb = 0, mdeg = 0;
			unsigned skipped = 0;
			size_t b;

			if (r.h == r_delay && r.p[0] < 0)
				r.p[0] = round(rate / 1000.0);	/* no subsample: rounded */
			if (impulse_response(&r, rate, h, n) < 0) {
				failures++;
				continue;
			}
			for (b = 0; b < n; b++)
				x[b] = h[b];
			fft(x, n);
			for (b = 1; (double)b / n <= 0.45; b++) {
				double f = (double)b * rate / n;
				cplx ref = r.h(&r, f, rate);
				double db, deg;

				if (20 * log10(cabs(ref)) < FLOOR_DB) {
					skipped++;
					continue;
				}
				db = fabs(20 * log10(cabs(x[b]) / cabs(ref)));
				deg = fabs(carg(x[b] / ref)) * 180 / M_PI;
				if (db > mdb)
					mdb = db;
				if (deg > mdeg)
					mdeg = deg;
			}
			printf("%-26s %7u %12.3e %12.3e %8u%s\n", r.name, rate, mdb, mdeg, skipped,
			       mdb > MAX_DB || mdeg > MAX_DEG ? "  FAIL" : "");
			if (mdb > MAX_DB || mdeg > MAX_DEG)
				failures++;
			if (mdb > worst_db)
				worst_db = mdb;
			if (mdeg > worst_deg)
				worst_deg = mdeg;
		}
		free(h);
		free(x);
	}
	printf("worst: %.3e dB, %.3e degrees (limits %g dB, %g degrees)\n", worst_db, worst_deg,
	       MAX_DB, MAX_DEG);
	if (failures) {
		printf("%u failures\n", failures);
		return 1;
	}
	return 0;
}
