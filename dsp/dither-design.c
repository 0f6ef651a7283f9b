/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Noise-shaping filter design for the Dither filter.
 *
 * The Dither op quantises with error feedback: it adds the filtered past
 * quantisation errors to the input, adds TPDF dither and rounds, so that
 *
 *     output - input = NTF(z) e,    NTF(z) = 1 + ntf[1] z^-1 + ... + ntf[n] z^-n
 *
 * where e, the total error of a TPDF-dithered quantiser, is white with a
 * power of 1/4 LSB^2 whatever the signal.  Shaping the noise therefore means
 * choosing |NTF|.  Gerzon and Craven ("Optimal noise shaping and dither of
 * digital signals", AES preprint 2822, 1989) showed that a monic FIR has a
 * mean log-magnitude over frequency >= 0, with equality exactly when it is
 * minimum phase: noise can only be moved between frequencies, and a
 * minimum-phase NTF moves it at no extra cost.  Making the shaped noise
 * follow a curve T(f) (in dB) is then:
 *
 *   1. take the target log-magnitude L(f) = s (T(f) - mean T), zero mean
 *      over 0..fs/2 on an N-point grid (N = 8192);
 *   2. real cepstrum c = IDFT(L); with zero mean, c[0] = 0, which is what
 *      makes the result monic (ntf[0] = exp(c[0]) = 1);
 *   3. lifter: keep c[1..P] (P = 2 n, Hann-tapered) so the log-spectrum is
 *      smooth enough for an n-tap FIR to follow, fold it onto the causal
 *      side (2 c[k], k > 0): the cepstrum of the minimum-phase filter;
 *   4. exp(DFT) gives the minimum-phase spectrum, its IDFT the impulse
 *      response; its first n + 1 taps are the NTF.
 *
 * The curve T is the absolute threshold of hearing in Terhardt's closed
 * form (E. Terhardt, "Calculating virtual pitch", Hearing Research 1, 1979):
 *
 *     T(f) = 3.64 (f/kHz)^-0.8 - 6.5 exp(-0.6 (f/kHz - 3.3)^2) + 1e-3 (f/kHz)^4
 *
 * shaped per family by three numbers: below f_lo the curve is held at
 * T(f_lo) (real listening is well above threshold, where the loudness
 * contours flatten at low frequencies, and low-frequency noise energy costs
 * headroom); it is capped at `range` dB above its minimum (near 3.3 kHz) so
 * the noise does not grow without bound towards fs/2 where T explodes; and
 * the intensity s scales the log-curve (s < 1: gentler shaping, less total
 * noise).  Weighting a noise spectrum by 10^(-T/10) measures its
 * audibility; a design with s = 1 is the Gerzon-Craven optimum for that
 * weighting.
 *
 *   type               order  f_lo   range  s     intent (CamillaDSP docs)
 *   Fweighted441         9    300 Hz  30 dB 1.0   Wannamaker's F-weighting
 *   FweightedShort441    3    300     30    1.0   same curve, fewer taps
 *   FweightedLong441    24    300     30    1.0   same curve, more taps
 *   Gesemann441/48       8   1000     20    0.8   ATH with flattening, gentle
 *   Lipshitz441          5    (published, see below)
 *   LipshitzLong441      9    500     25    1.0   longer E-weighted shaper
 *   Shibata441/48/882/96/192  (24/16/20/31/54)
 *                            700     32    1.0   ATH, SSRC's "normal"
 *   ShibataHigh441/48  (20/28) 700    42    1.0   more aggressive: quieter
 *   ShibataLow*  (12/16/24/32/20) 700 32    0.6   less aggressive: louder
 *
 * F-weighting (Wannamaker, "Psychoacoustically optimal noise shaping",
 * JAES 40(7/8), 1992) is a pole-zero fit of the threshold of hearing; we
 * follow the same threshold through Terhardt's formula instead of its
 * pole-zero table.  Lipshitz441 keeps the 5-tap "improved E-weighted"
 * coefficients published in S. P. Lipshitz, J. Vanderkooy, R. A. Wannamaker,
 * "Minimally audible noise shaping", JAES 39(11), 1991.  Every other set of
 * coefficients is computed here, by the method above; none is copied from
 * CamillaDSP, SSRC or SoX, so our noise spectra differ from theirs in detail
 * while following the same intent (where the noise goes, how hard it is
 * pushed, how many taps it costs).
 *
 * Sample rates: a type named for a rate is designed for the rate the chain
 * actually runs at, with the curve in hertz.  The threshold of hearing is a
 * property of the ear, not of the rate, so Shibata441 on a 48 kHz device
 * still keeps its noise out of 2-5 kHz (CamillaDSP instead reuses the
 * 44.1 kHz coefficients, which shifts every design point by 48/44.1).  The
 * name's rate then only selects order and intensity: Gesemann441 and
 * Gesemann48 are the same filter at the same rate.  Nothing is logged: the
 * design never fails for a valid rate.
 */
#include "config.h"

#include <complex.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>	/* after complex.h: fftw_complex is then double complex */

#include "dsp/dither-design.h"

#define DESIGN_N	8192u	/* design grid: bins of fs / 8192 */

struct shape {
	const char *name;
	unsigned order;		/* 0: not an error-feedback type */
	double f_lo;		/* Hz: curve held below */
	double range;		/* dB above the curve's minimum */
	double intensity;	/* scale of the log-curve */
};

static const struct shape shapes[] = {
	[UACDSP_DITHER_NONE] = { "None", 0, 0, 0, 0 },
	[UACDSP_DITHER_FLAT] = { "Flat", 0, 0, 0, 0 },
	[UACDSP_DITHER_HIGHPASS] = { "Highpass", 0, 0, 0, 0 },
	[UACDSP_DITHER_FWEIGHTED441] = { "Fweighted441", 9, 300, 30, 1.0 },
	[UACDSP_DITHER_FWEIGHTEDLONG441] = { "FweightedLong441", 24, 300, 30, 1.0 },
	[UACDSP_DITHER_FWEIGHTEDSHORT441] = { "FweightedShort441", 3, 300, 30, 1.0 },
	[UACDSP_DITHER_GESEMANN441] = { "Gesemann441", 8, 1000, 20, 0.8 },
	[UACDSP_DITHER_GESEMANN48] = { "Gesemann48", 8, 1000, 20, 0.8 },
	/* published coefficients; the curve (for weighting) is LipshitzLong441's */
	[UACDSP_DITHER_LIPSHITZ441] = { "Lipshitz441", 5, 500, 25, 1.0 },
	[UACDSP_DITHER_LIPSHITZLONG441] = { "LipshitzLong441", 9, 500, 25, 1.0 },
	[UACDSP_DITHER_SHIBATA441] = { "Shibata441", 24, 700, 32, 1.0 },
	[UACDSP_DITHER_SHIBATAHIGH441] = { "ShibataHigh441", 20, 700, 42, 1.0 },
	[UACDSP_DITHER_SHIBATALOW441] = { "ShibataLow441", 12, 700, 32, 0.6 },
	[UACDSP_DITHER_SHIBATA48] = { "Shibata48", 16, 700, 32, 1.0 },
	[UACDSP_DITHER_SHIBATAHIGH48] = { "ShibataHigh48", 28, 700, 42, 1.0 },
	[UACDSP_DITHER_SHIBATALOW48] = { "ShibataLow48", 16, 700, 32, 0.6 },
	[UACDSP_DITHER_SHIBATA882] = { "Shibata882", 20, 700, 32, 1.0 },
	[UACDSP_DITHER_SHIBATALOW882] = { "ShibataLow882", 24, 700, 32, 0.6 },
	[UACDSP_DITHER_SHIBATA96] = { "Shibata96", 31, 700, 32, 1.0 },
	[UACDSP_DITHER_SHIBATALOW96] = { "ShibataLow96", 32, 700, 32, 0.6 },
	[UACDSP_DITHER_SHIBATA192] = { "Shibata192", 54, 700, 32, 1.0 },
	[UACDSP_DITHER_SHIBATALOW192] = { "ShibataLow192", 20, 700, 32, 0.6 },
};

#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

/*
 * Lipshitz, Vanderkooy, Wannamaker 1991, 5-tap improved E-weighted error
 * filter: NTF(z) = 1 - sum c[k] z^-(k+1).
 */
static const double lipshitz_e5[5] = { 2.033, -2.165, 1.959, -1.590, 0.6149 };

const char *uacdsp_dither_type_name(enum uacdsp_dither_type type)
{
	if ((unsigned)type >= NSHAPES)
		return "?";
	return shapes[type].name;
}

/* Terhardt's threshold of hearing, dB SPL; f > 0 */
static double terhardt(double f)
{
	double k = f / 1000.0;

	return 3.64 * pow(k, -0.8) - 6.5 * exp(-0.6 * (k - 3.3) * (k - 3.3)) + 1e-3 * k * k * k * k;
}

/* its minimum, near 3.3 kHz, found once by golden-section search */
static double terhardt_min(void)
{
	const double g = 0.5 * (sqrt(5.0) - 1.0);
	double a = 2000.0, b = 5000.0;
	unsigned i;

	for (i = 0; i < 80; i++) {
		double c = b - g * (b - a), d = a + g * (b - a);

		if (terhardt(c) < terhardt(d))
			b = d;
		else
			a = c;
	}
	return terhardt(0.5 * (a + b));
}

/* the curve of shape s at f; tmin = terhardt_min() */
static double shape_curve(const struct shape *s, double f, double tmin)
{
	double top = tmin + s->range, t;

	t = terhardt(f > s->f_lo ? f : s->f_lo);
	return t < top ? t : top;
}

double uacdsp_dither_target_db(enum uacdsp_dither_type type, double f)
{
	if ((unsigned)type >= NSHAPES || !shapes[type].order)
		return NAN;
	return shape_curve(&shapes[type], f, terhardt_min());
}

/*
 * In-place complex DFT through FFTW (double precision: the cepstrum and
 * its exponential need it), sign -1 forward, +1 inverse, unscaled.  A plan
 * per call with FFTW_ESTIMATE costs microseconds and keeps no state; the
 * planner is only ever entered from the control thread.
 */
static int dft(double complex *x, unsigned n, int sign)
{
	fftw_plan p = fftw_plan_dft_1d((int)n, (fftw_complex *)x, (fftw_complex *)x,
				       sign < 0 ? FFTW_FORWARD : FFTW_BACKWARD, FFTW_ESTIMATE);

	if (!p)
		return -ENOMEM;
	fftw_execute(p);
	fftw_destroy_plan(p);
	return 0;
}

/* steps 1-4 of the essay above */
static int design_cepstral(const struct shape *s, unsigned rate, double *ntf)
{
	const unsigned n = DESIGN_N, lift = 2 * s->order;
	double complex *x = fftw_malloc(n * sizeof(*x));
	double mean = 0.0, tmin = terhardt_min();
	unsigned k;
	int ret;

	if (!x)
		return -ENOMEM;
	for (k = 0; k <= n / 2; k++) {
		double f = (double)k * rate / n;

		/* dB -> natural log of the magnitude */
		x[k] = s->intensity * shape_curve(s, f > 0 ? f : 1e-3, tmin) * (M_LN10 / 20.0);
		if (k && k < n / 2)
			x[n - k] = x[k];
	}
	for (k = 0; k < n; k++)
		mean += creal(x[k]);
	mean /= n;
	for (k = 0; k < n; k++)
		x[k] -= mean;
	ret = dft(x, n, +1);	/* even real input: cepstrum, real */
	if (ret)
		goto out;
	x[0] = 0.0;
	for (k = 1; k < n; k++) {
		if (k <= lift) {
			double w = 0.5 * (1.0 + cos(M_PI * k / (lift + 1)));

			x[k] = 2.0 * creal(x[k]) / n * w;
		} else {
			x[k] = 0.0;
		}
	}
	ret = dft(x, n, -1);
	if (ret)
		goto out;
	for (k = 0; k < n; k++)
		x[k] = cexp(x[k]);
	ret = dft(x, n, +1);
	if (ret)
		goto out;
	for (k = 0; k <= s->order; k++)
		ntf[k] = creal(x[k]) / n;
	ntf[0] = 1.0;		/* exp(0); remove rounding */
	ret = (int)s->order;
out:
	fftw_free(x);
	return ret;
}

int uacdsp_dither_design(enum uacdsp_dither_type type, unsigned rate, double *ntf)
{
	unsigned k;

	if ((unsigned)type >= NSHAPES || !rate || rate > UACDSP_MAX_RATE)
		return -EINVAL;
	memset(ntf, 0, (UACDSP_DITHER_MAX_ORDER + 1) * sizeof(*ntf));
	ntf[0] = 1.0;
	if (!shapes[type].order)
		return 0;
	if (type == UACDSP_DITHER_LIPSHITZ441) {
		for (k = 0; k < 5; k++)
			ntf[k + 1] = -lipshitz_e5[k];
		return 5;
	}
	return design_cepstral(&shapes[type], rate, ntf);
}
