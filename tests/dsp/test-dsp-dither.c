/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every Dither type, measured through a real chain (config text ->
 * uacdsp_chain_process) at the rate its name is meant for:
 *
 *   grid        every output sample is a multiple of 2^-(bits-1), for all
 *               22 types;
 *   level       Flat (amplitude 2, CamillaDSP's LSB peak to peak) adds TPDF +
 *               rounding error of exactly
 *               1/6 + 1/12 = 1/4 LSB^2;
 *   spectrum    for each error-feedback type, the spectrum of output - input
 *               (2^18 samples of a -40 dBFS sine, Welch: Hann, 1024 points,
 *               50 % overlap) equals the designed |NTF|^2 x 1/4 LSB^2 within
 *               +-1.5 dB in every 1/3-octave band from 4 bins up to 0.45 fs.
 *               The prediction is the exact expectation of the Welch
 *               estimate (window autocorrelation x noise autocorrelation),
 *               so the tolerance only has to cover the statistics;
 *   perception  the noise weighted by the type's target curve
 *               (10^(-T(f)/10), 0 above 20 kHz) is at least min_gain dB
 *               below that of Flat TPDF measured the same way;
 *   stability   a full-scale sine and a full-scale square wave (which
 *               clip) keep |output - clamp(input)| within the bound the
 *               error clamp guarantees, 1.5 (1 + 2 sum|ntf[k>0]|) LSB;
 *   off-rate    Shibata441 at 48 kHz is designed for 48 kHz: it follows the
 *               threshold curve (in hertz) as closely as at 44.1 kHz, which
 *               the 44.1 kHz coefficients reused at 48 kHz would not.
 */
#include "config.h"

#include <complex.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/dither-design.h"
#include "dsp/uacdsp.h"
#include "tests/dsp/check.h"

#define NRUN	(1u << 18)	/* samples per measurement */
#define SEG	1024u		/* Welch segment */
#define BLOCK	256u
#define TPDF_POWER 0.25		/* LSB^2: TPDF (1/6) + rounding (1/12) */
#define BAND_TOL 1.5		/* dB */

struct type_case {
	const char *name;
	unsigned rate;
	double min_gain;	/* dB, perceptual gain over Flat; 0: unshaped */
};

static const struct type_case cases[] = {
	{ "None", 48000, 0 },
	{ "Flat", 48000, 0 },
	{ "Highpass", 48000, 0 },
	{ "Fweighted441", 44100, 9.0 },
	{ "FweightedLong441", 44100, 9.5 },
	{ "FweightedShort441", 44100, 8.0 },
	{ "Gesemann441", 44100, 4.5 },
	{ "Gesemann48", 48000, 4.5 },
	{ "Lipshitz441", 44100, 4.0 },
	{ "LipshitzLong441", 44100, 7.0 },
	{ "Shibata441", 44100, 10.0 },
	{ "ShibataHigh441", 44100, 14.0 },
	{ "ShibataLow441", 44100, 7.5 },
	{ "Shibata48", 48000, 11.0 },
	{ "ShibataHigh48", 48000, 15.0 },
	{ "ShibataLow48", 48000, 8.0 },
	{ "Shibata882", 88200, 16.0 },
	{ "ShibataLow882", 88200, 11.0 },
	{ "Shibata96", 96000, 16.5 },
	{ "ShibataLow96", 96000, 11.0 },
	{ "Shibata192", 192000, 19.0 },
	{ "ShibataLow192", 192000, 12.0 },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static float in[NRUN], out[NRUN];

/* out = chain(in) for `Dither {type, bits}` at rate; 0 or -1 */
static int run(const char *type, unsigned bits, unsigned rate, unsigned n)
{
	char text[1024], err[512];
	struct uacdsp_config *cfg;
	struct uacdsp_chain *c;
	unsigned done;

	snprintf(text, sizeof(text),
		 "devices: {samplerate: %u, chunksize: %u, capture: {channels: 1}, "
		 "playback: {channels: 1}}\nfilters:\n  d:\n    type: Dither\n"
		 "    parameters: {type: %s, bits: %u%s}\npipeline:\n"
		 "  - {type: Filter, names: [d]}\n", rate, BLOCK, type, bits,
		 strcmp(type, "Flat") ? "" : ", amplitude: 2");
	if (uacdsp_config_parse(text, strlen(text), "dither.yml", &cfg, err, sizeof(err)) < 0) {
		CHECK(0, "%s: parse: %s", type, err);
		return -1;
	}
	if (uacdsp_chain_new(cfg, rate, BLOCK, &c, err, sizeof(err)) < 0) {
		CHECK(0, "%s: chain: %s", type, err);
		uacdsp_config_free(cfg);
		return -1;
	}
	uacdsp_config_free(cfg);
	memcpy(out, in, n * sizeof(float));
	for (done = 0; done < n; done += BLOCK) {
		float *b = out + done;

		uacdsp_chain_process(c, &b, n - done < BLOCK ? n - done : BLOCK);
	}
	uacdsp_chain_free(c);
	return 0;
}

static void fft(double complex *x, unsigned n)
{
	unsigned i, j, len;

	for (i = 1, j = 0; i < n; i++) {
		unsigned bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j |= bit;
		if (i < j) {
			double complex t = x[i];

			x[i] = x[j];
			x[j] = t;
		}
	}
	for (len = 2; len <= n; len <<= 1) {
		double complex w = cexp(-2.0 * M_PI * I / len);

		for (i = 0; i < n; i += len) {
			double complex wk = 1.0;

			for (j = 0; j < len / 2; j++) {
				double complex u = x[i + j], v = x[i + j + len / 2] * wk;

				x[i + j] = u + v;
				x[i + j + len / 2] = u - v;
				wk *= w;
			}
		}
	}
}

static double hann(unsigned i)
{
	return 0.5 - 0.5 * cos(2.0 * M_PI * i / SEG);
}

/*
 * Welch estimate of the error (out - in, in LSB) power per bin, scaled so
 * that white noise of power p reads p in every bin: psd[0..SEG/2].
 */
static void welch(double lsb, unsigned n, double *psd)
{
	double complex x[SEG];
	double wsum = 0.0;
	unsigned s, i, nseg = 0;

	memset(psd, 0, (SEG / 2 + 1) * sizeof(*psd));
	for (i = 0; i < SEG; i++)
		wsum += hann(i) * hann(i);
	for (s = 0; s + SEG <= n; s += SEG / 2, nseg++) {
		for (i = 0; i < SEG; i++)
			x[i] = hann(i) * ((double)out[s + i] - (double)in[s + i]) / lsb;
		fft(x, SEG);
		for (i = 0; i <= SEG / 2; i++)
			psd[i] += creal(x[i] * conj(x[i])) / wsum;
	}
	for (i = 0; i <= SEG / 2; i++)
		psd[i] /= nseg;
}

/*
 * The expectation of that estimate for noise NTF * e, e white of power
 * TPDF_POWER: sum over lags l of R(l) Rw(l) e^-jwl / sum w^2, with R the
 * noise autocorrelation and Rw the window's.
 */
static void predict(const double *ntf, unsigned order, double *psd)
{
	double r[UACDSP_DITHER_MAX_ORDER + 1], rw[UACDSP_DITHER_MAX_ORDER + 1], w0 = 0;
	unsigned l, k, i;

	for (l = 0; l <= order; l++) {
		r[l] = 0.0;
		for (k = 0; k + l <= order; k++)
			r[l] += ntf[k] * ntf[k + l];
		r[l] *= TPDF_POWER;
		rw[l] = 0.0;
		for (i = 0; i + l < SEG; i++)
			rw[l] += hann(i) * hann(i + l);
	}
	w0 = rw[0];
	for (i = 0; i <= SEG / 2; i++) {
		double w = 2.0 * M_PI * i / SEG, p = r[0] * rw[0];

		for (l = 1; l <= order; l++)
			p += 2.0 * r[l] * rw[l] * cos(w * l);
		psd[i] = p / w0;
	}
}

/* sum of W(f) psd(f) over bins up to min(20 kHz, fs/2) */
static double weighted(enum uacdsp_dither_type t, unsigned rate, const double *psd)
{
	double sum = 0.0;
	unsigned i;

	for (i = 1; i <= SEG / 2; i++) {
		double f = (double)i * rate / SEG;

		if (f > 20000.0)
			break;
		sum += pow(10.0, -uacdsp_dither_target_db(t, f) / 10.0) * psd[i];
	}
	return sum;
}

static void make_sine(double amp, double freq, unsigned rate)
{
	unsigned i;

	for (i = 0; i < NRUN; i++)
		in[i] = (float)(amp * sin(2.0 * M_PI * freq * i / rate));
}

static void test_grid(void)
{
	unsigned t, i, bits;

	for (t = 0; t < NCASES; t++) {
		double lsb, maxerr = 0.0;

		CHECK(!strcmp(uacdsp_dither_type_name((enum uacdsp_dither_type)t), cases[t].name),
		      "enum %u is %s, want %s", t, uacdsp_dither_type_name((enum uacdsp_dither_type)t),
		      cases[t].name);

		bits = t % 3 ? 16 : 6;	/* a coarse grid too */
		lsb = ldexp(1.0, 1 - (int)bits);
		make_sine(0.3, 1234.5, cases[t].rate);
		if (run(cases[t].name, bits, cases[t].rate, 1u << 14) < 0)
			continue;
		for (i = 0; i < 1u << 14; i++) {
			double q = out[i] / lsb, e = fabs((double)out[i] - in[i]) / lsb;

			if (fabs(q - nearbyint(q)) > 1e-9) {
				CHECK(0, "%s: sample %u (%.9g) is not on the 2^-%u grid",
				      cases[t].name, i, out[i], bits - 1);
				break;
			}
			if (e > maxerr)
				maxerr = e;
		}
		printf("grid %-18s %2u bits: on the grid, max |error| %.2f LSB\n", cases[t].name,
		       bits, maxerr);
	}
}

static double flat_psd[5][SEG / 2 + 1];
static const unsigned rates[5] = { 44100, 48000, 88200, 96000, 192000 };

static void test_flat_level(void)
{
	const double lsb = 1.0 / 32768;
	unsigned r, i;

	for (r = 0; r < 5; r++) {
		double p = 0.0;

		make_sine(0.01, 997.0, rates[r]);
		if (run("Flat", 16, rates[r], NRUN) < 0)
			return;
		for (i = 0; i < NRUN; i++) {
			double e = ((double)out[i] - in[i]) / lsb;

			p += e * e;
		}
		p /= NRUN;
		CHECK(fabs(p / TPDF_POWER - 1.0) < 0.01, "Flat at %u Hz: error power %.4f LSB^2, "
		      "want %.4f", rates[r], p, TPDF_POWER);
		if (r == 0)
			printf("Flat TPDF error power %.4f LSB^2 (want 0.25)\n", p);
		welch(lsb, NRUN, flat_psd[r]);
	}
}

static void test_spectrum(void)
{
	const double lsb = 1.0 / 32768;
	double ntf[UACDSP_DITHER_MAX_ORDER + 1];
	double meas[SEG / 2 + 1], pred[SEG / 2 + 1];
	unsigned t, r, i;

	for (t = 0; t < NCASES; t++) {
		unsigned rate = cases[t].rate, nbands = 0;
		double worst = 0.0, worst_f = 0.0, gain, gain_pred, fc;
		int order = uacdsp_dither_design((enum uacdsp_dither_type)t, rate, ntf);

		CHECK(order >= 0, "%s: design: %d", cases[t].name, order);
		if (order <= 0)
			continue;
		for (r = 0; rates[r] != rate; r++)
			;
		make_sine(0.01, 997.0, rate);
		if (run(cases[t].name, 16, rate, NRUN) < 0)
			continue;
		welch(lsb, NRUN, meas);
		predict(ntf, (unsigned)order, pred);
		/* 1/3-octave bands, centres 1 kHz * 2^(k/3) */
		for (fc = 1000.0 * pow(2.0, -15.0 / 3.0); fc * pow(2.0, 1.0 / 6.0) <= 0.45 * rate;
		     fc *= pow(2.0, 1.0 / 3.0)) {
			double lo = fc * pow(2.0, -1.0 / 6.0), hi = fc * pow(2.0, 1.0 / 6.0);
			double pm = 0.0, pp = 0.0, d;
			unsigned n = 0;

			if (lo < 4.0 * rate / SEG)
				continue;
			for (i = 1; i <= SEG / 2; i++) {
				double f = (double)i * rate / SEG;

				if (f >= lo && f < hi) {
					pm += meas[i];
					pp += pred[i];
					n++;
				}
			}
			if (!n)
				continue;
			d = 10.0 * log10(pm / pp);
			CHECK(fabs(d) <= BAND_TOL, "%s: band %.0f Hz: measured %+.2f dB from the "
			      "designed NTF (%.2f dB)", cases[t].name, fc, d, 10 * log10(pp));
			if (fabs(d) > fabs(worst)) {
				worst = d;
				worst_f = fc;
			}
			nbands++;
		}
		gain = 10.0 * log10(weighted((enum uacdsp_dither_type)t, rate, flat_psd[r]) /
				    weighted((enum uacdsp_dither_type)t, rate, meas));
		for (i = 0; i <= SEG / 2; i++)
			meas[i] = TPDF_POWER;
		gain_pred = 10.0 * log10(weighted((enum uacdsp_dither_type)t, rate, meas) /
					 weighted((enum uacdsp_dither_type)t, rate, pred));
		CHECK(gain >= cases[t].min_gain, "%s: perceptual gain %.2f dB < %.1f dB",
		      cases[t].name, gain, cases[t].min_gain);
		CHECK(fabs(gain - gain_pred) < 0.5, "%s: perceptual gain %.2f dB, design %.2f dB",
		      cases[t].name, gain, gain_pred);
		printf("%-18s %6u Hz %2d taps: %2u bands within %+.2f dB (at %.0f Hz) of the "
		       "design; weighted noise %.2f dB below Flat (design %.2f, need %.1f)\n",
		       cases[t].name, rate, order, nbands, worst, worst_f, gain, gain_pred,
		       cases[t].min_gain);
	}
}

static void test_stability(void)
{
	const double lsb = 1.0 / 32768, top = 32767.0 / 32768;
	double ntf[UACDSP_DITHER_MAX_ORDER + 1];
	unsigned t, i, w;

	for (t = 0; t < NCASES; t++) {
		int order = uacdsp_dither_design((enum uacdsp_dither_type)t, cases[t].rate, ntf);
		double bound, sum = 0.0;
		int k;

		if (order <= 0)
			continue;
		for (k = 1; k <= order; k++)
			sum += fabs(ntf[k]);
		bound = 1.5 * (1.0 + 2.0 * sum);
		for (w = 0; w < 2; w++) {
			double maxerr = 0.0;
			unsigned n = 1u << 16;

			for (i = 0; i < n; i++) {
				double s = sin(2.0 * M_PI * 1000.0 * i / cases[t].rate);

				in[i] = (float)(w ? (s >= 0 ? 1.0 : -1.0) : s);
			}
			if (run(cases[t].name, 16, cases[t].rate, n) < 0)
				break;
			for (i = 0; i < n; i++) {
				double x = in[i] > top ? top : in[i];
				double e = fabs((double)out[i] - x) / lsb;

				if (e > maxerr)
					maxerr = e;
			}
			CHECK(maxerr <= bound, "%s: full-scale %s: error %.1f LSB > bound %.1f",
			      cases[t].name, w ? "square" : "sine", maxerr, bound);
			if (w)
				printf("%-18s full scale: max |error| %.1f LSB (bound %.1f)\n",
				       cases[t].name, maxerr, bound);
		}
	}
}

/*
 * RMS distance in dB, 100 Hz .. 20 kHz, between |NTF| at rate and the
 * type's target curve at that rate made zero-mean over 0..fs/2 (as the
 * design does)
 */
static double fit_db(enum uacdsp_dither_type t, const double *ntf, int order, unsigned rate)
{
	double mean = 0.0, sum = 0.0, f;
	unsigned i, n = 0;
	int k;

	for (i = 0; i < 4096; i++)
		mean += uacdsp_dither_target_db(t, (i + 0.5) * rate / 8192.0);
	mean /= 4096;
	for (f = 100.0; f <= 20000.0; f += 10.0, n++) {
		double complex h = 0;
		double d;

		for (k = 0; k <= order; k++)
			h += ntf[k] * cexp(-I * 2.0 * M_PI * f / rate * k);
		d = 20.0 * log10(cabs(h)) - (uacdsp_dither_target_db(t, f) - mean);
		sum += d * d;
	}
	return sqrt(sum / n);
}

static void test_off_rate(void)
{
	double a[UACDSP_DITHER_MAX_ORDER + 1], b[UACDSP_DITHER_MAX_ORDER + 1];
	int na = uacdsp_dither_design(UACDSP_DITHER_SHIBATA441, 44100, a);
	int nb = uacdsp_dither_design(UACDSP_DITHER_SHIBATA441, 48000, b);
	double own = fit_db(UACDSP_DITHER_SHIBATA441, b, nb, 48000);
	double reused = fit_db(UACDSP_DITHER_SHIBATA441, a, na, 48000);
	double native = fit_db(UACDSP_DITHER_SHIBATA441, a, na, 44100);

	CHECK(na == 24 && nb == 24, "Shibata441 order %d at 44.1 kHz, %d at 48 kHz", na, nb);
	/*
	 * designed for 48 kHz it follows the curve as well as at 44.1 kHz;
	 * the 44.1 kHz coefficients reused at 48 kHz (CamillaDSP's way) would
	 * not
	 */
	CHECK(own < 1.0 && native < 1.0 && reused > 2.0 * own,
	      "Shibata441 fit to the curve: %.2f dB at 44.1 kHz, %.2f dB designed for 48 kHz, "
	      "%.2f dB if the 44.1 kHz filter ran at 48 kHz", native, own, reused);
	printf("Shibata441 fit to the threshold curve: %.2f dB RMS at 44.1 kHz, %.2f dB designed "
	       "for 48 kHz, %.2f dB if the 44.1 kHz filter were reused at 48 kHz\n", native, own,
	       reused);
	CHECK(uacdsp_dither_design(UACDSP_DITHER_SHIBATA441, 0, a) == -EINVAL, "rate 0 accepted");
	CHECK(uacdsp_dither_design((enum uacdsp_dither_type)99, 48000, a) == -EINVAL,
	      "type 99 accepted");
}

int main(void)
{
	test_grid();
	test_flat_level();
	test_spectrum();
	test_stability();
	test_off_rate();
	if (fails)
		printf("%d failures\n", fails);
	else
		printf("all dither tests passed\n");
	return fails ? 1 : 0;
}
