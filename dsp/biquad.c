/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Biquad design.
 *
 * Every type CamillaDSP's Biquad knows is designed here in double precision
 * from the RBJ Audio EQ Cookbook (second order types: analog prototype,
 * bilinear transform pre-warped at the filter frequency) or from the
 * first-order analogues of the same prototypes (the *FO types).  The result
 * is normalised so a0 == 1, the form the processing kernels in chain-biquad.c
 * expect.  Coefficients stay double: a 20 Hz section at 192 kHz has poles a
 * few 1e-4 from the unit circle, and float coefficients would move its
 * corner by whole hertz.
 *
 * Validation lives here too, because the rules depend on the sample rate:
 * every frequency must be in (0, fs/2), and the designed section must be
 * stable (poles strictly inside the unit circle; that is what catches a
 * "Free" section with bad coefficients, or a LinkwitzTransform with a
 * negative Q).
 *
 * BiquadCombo types expand to cascades of the same sections: Butterworth of
 * order N is N/2 sections with Q_k = 1 / (2 sin((k + 1/2) pi / N)) plus a
 * first-order section when N is odd; Linkwitz-Riley of order N is the
 * Butterworth of order N/2 applied twice.
 */
#include "config.h"

#include <errno.h>
#include <math.h>

#include "dsp/biquad.h"

static int normalize(struct uacdsp_bq_coef *out, double a0, double a1,
		     double a2, double b0, double b1, double b2)
{
	if (!isfinite(a0) || a0 == 0.0)
		return -ERANGE;
	out->a1 = a1 / a0;
	out->a2 = a2 / a0;
	out->b0 = b0 / a0;
	out->b1 = b1 / a0;
	out->b2 = b2 / a0;
	if (!isfinite(out->a1) || !isfinite(out->a2) || !isfinite(out->b0) ||
	    !isfinite(out->b1) || !isfinite(out->b2))
		return -ERANGE;
	return uacdsp_biquad_stable(out) ? 0 : -ERANGE;
}

bool uacdsp_biquad_stable(const struct uacdsp_bq_coef *c)
{
	/* Jury's conditions for z^2 + a1 z + a2 */
	return fabs(c->a2) < 1.0 && fabs(c->a1) < 1.0 + c->a2;
}

static bool freq_ok(double f, double fs)
{
	return isfinite(f) && f > 0.0 && f < fs / 2.0;
}

/* RBJ alpha for the three ways a width can be given. */
static int alpha_of(const struct uacdsp_biquad_params *p, double w0,
		    double amp, double *alpha)
{
	double sn = sin(w0);

	switch (p->width) {
	case UACDSP_W_Q:
		if (!(p->q > 0.0) || !isfinite(p->q))
			return -EINVAL;
		*alpha = sn / (2.0 * p->q);
		return 0;
	case UACDSP_W_BANDWIDTH:
		if (!(p->bandwidth > 0.0) || !isfinite(p->bandwidth))
			return -EINVAL;
		*alpha = sn * sinh(M_LN2 / 2.0 * p->bandwidth * w0 / sn);
		return 0;
	case UACDSP_W_SLOPE: {
		/* slope in dB/octave; the cookbook's S is slope / 12 */
		double s = p->slope / 12.0;
		double r;

		if (!(s > 0.0) || !isfinite(s))
			return -EINVAL;
		r = (amp + 1.0 / amp) * (1.0 / s - 1.0) + 2.0;
		if (!(r > 0.0))
			return -EINVAL;
		*alpha = sn / 2.0 * sqrt(r);
		return 0;
	}
	}
	return -EINVAL;
}

static int general_notch(const struct uacdsp_biquad_params *p, double fs,
			 struct uacdsp_bq_coef *out)
{
	double tz, tp, g, alpha;

	if (!freq_ok(p->freq_p, fs) || !freq_ok(p->freq_z, fs))
		return -EDOM;
	if (!(p->q_p > 0.0))
		return -EINVAL;
	tz = tan(M_PI * p->freq_z / fs);
	tp = tan(M_PI * p->freq_p / fs);
	g = p->normalize_at_dc ? tp * tp / (tz * tz) : 1.0;
	alpha = tp / p->q_p;
	return normalize(out, 1.0 + alpha + tp * tp, -2.0 + 2.0 * tp * tp,
			 1.0 - alpha + tp * tp, g * (1.0 + tz * tz),
			 -2.0 * g * (1.0 - tz * tz), g * (1.0 + tz * tz));
}

/* analog (s^2 + wa/qa s + wa^2) / (s^2 + wt/qt s + wt^2), bilinear
 * pre-warped at the mean of the two frequencies */
static int linkwitz_transform(const struct uacdsp_biquad_params *p, double fs,
			      struct uacdsp_bq_coef *out)
{
	double wa, wt, fc, k, k2, d;

	if (!freq_ok(p->freq_act, fs) || !freq_ok(p->freq_target, fs))
		return -EDOM;
	if (!(p->q_act > 0.0) || !(p->q_target > 0.0))
		return -EINVAL;
	wa = 2.0 * M_PI * p->freq_act;
	wt = 2.0 * M_PI * p->freq_target;
	fc = (p->freq_act + p->freq_target) / 2.0;
	k = 2.0 * M_PI * fc / tan(M_PI * fc / fs);
	k2 = k * k;
	d = wt * wt + k * wt / p->q_target + k2;
	return normalize(out, 1.0, 2.0 * (wt * wt - k2) / d,
			 (wt * wt - k * wt / p->q_target + k2) / d,
			 (wa * wa + k * wa / p->q_act + k2) / d,
			 2.0 * (wa * wa - k2) / d,
			 (wa * wa - k * wa / p->q_act + k2) / d);
}

int uacdsp_biquad_design(const struct uacdsp_biquad_params *p, double fs,
			 struct uacdsp_bq_coef *out)
{
	double w0, cs, alpha, amp, t;
	int err;

	if (!(fs > 0.0))
		return -EINVAL;

	switch (p->type) {
	case UACDSP_BQ_FREE:
		return normalize(out, 1.0, p->a1, p->a2, p->b0, p->b1, p->b2);
	case UACDSP_BQ_GENERAL_NOTCH:
		return general_notch(p, fs, out);
	case UACDSP_BQ_LINKWITZ_TRANSFORM:
		return linkwitz_transform(p, fs, out);
	default:
		break;
	}

	if (!freq_ok(p->freq, fs))
		return -EDOM;
	w0 = 2.0 * M_PI * p->freq / fs;
	cs = cos(w0);
	t = tan(w0 / 2.0);
	amp = pow(10.0, p->gain / 40.0);
	if (!isfinite(amp) || amp <= 0.0)
		return -EINVAL;

	switch (p->type) {
	case UACDSP_BQ_LOWPASS_FO:
		return normalize(out, 1.0 + t, t - 1.0, 0.0, t, t, 0.0);
	case UACDSP_BQ_HIGHPASS_FO:
		return normalize(out, 1.0 + t, t - 1.0, 0.0, 1.0, -1.0, 0.0);
	case UACDSP_BQ_ALLPASS_FO:
		/* (1 - s) / (1 + s) */
		return normalize(out, 1.0 + t, t - 1.0, 0.0, t - 1.0, t + 1.0, 0.0);
	case UACDSP_BQ_LOWSHELF_FO:
		/* A (s + A) / (A s + 1): DC gain A^2, unity at high frequency */
		return normalize(out, t + amp, t - amp, 0.0, amp * amp * t + amp,
				 amp * amp * t - amp, 0.0);
	case UACDSP_BQ_HIGHSHELF_FO:
		/* A (A s + 1) / (s + A) */
		return normalize(out, amp * t + 1.0, amp * t - 1.0, 0.0,
				 amp * t + amp * amp, amp * t - amp * amp, 0.0);
	default:
		break;
	}

	err = alpha_of(p, w0, amp, &alpha);
	if (err < 0)
		return err;

	switch (p->type) {
	case UACDSP_BQ_LOWPASS:
		return normalize(out, 1.0 + alpha, -2.0 * cs, 1.0 - alpha,
				 (1.0 - cs) / 2.0, 1.0 - cs, (1.0 - cs) / 2.0);
	case UACDSP_BQ_HIGHPASS:
		return normalize(out, 1.0 + alpha, -2.0 * cs, 1.0 - alpha,
				 (1.0 + cs) / 2.0, -(1.0 + cs), (1.0 + cs) / 2.0);
	case UACDSP_BQ_PEAKING:
		return normalize(out, 1.0 + alpha / amp, -2.0 * cs,
				 1.0 - alpha / amp, 1.0 + alpha * amp,
				 -2.0 * cs, 1.0 - alpha * amp);
	case UACDSP_BQ_NOTCH:
		return normalize(out, 1.0 + alpha, -2.0 * cs, 1.0 - alpha,
				 1.0, -2.0 * cs, 1.0);
	case UACDSP_BQ_BANDPASS:
		return normalize(out, 1.0 + alpha, -2.0 * cs, 1.0 - alpha,
				 alpha, 0.0, -alpha);
	case UACDSP_BQ_ALLPASS:
		return normalize(out, 1.0 + alpha, -2.0 * cs, 1.0 - alpha,
				 1.0 - alpha, -2.0 * cs, 1.0 + alpha);
	case UACDSP_BQ_LOWSHELF: {
		double beta = 2.0 * sqrt(amp) * alpha;

		return normalize(out, (amp + 1.0) + (amp - 1.0) * cs + beta,
				 -2.0 * ((amp - 1.0) + (amp + 1.0) * cs),
				 (amp + 1.0) + (amp - 1.0) * cs - beta,
				 amp * ((amp + 1.0) - (amp - 1.0) * cs + beta),
				 2.0 * amp * ((amp - 1.0) - (amp + 1.0) * cs),
				 amp * ((amp + 1.0) - (amp - 1.0) * cs - beta));
	}
	case UACDSP_BQ_HIGHSHELF: {
		double beta = 2.0 * sqrt(amp) * alpha;

		return normalize(out, (amp + 1.0) - (amp - 1.0) * cs + beta,
				 2.0 * ((amp - 1.0) - (amp + 1.0) * cs),
				 (amp + 1.0) - (amp - 1.0) * cs - beta,
				 amp * ((amp + 1.0) + (amp - 1.0) * cs + beta),
				 -2.0 * amp * ((amp - 1.0) + (amp + 1.0) * cs),
				 amp * ((amp + 1.0) + (amp - 1.0) * cs - beta));
	}
	default:
		return -EINVAL;
	}
}

static int pass_section(bool high, double freq, double q, double fs,
			struct uacdsp_bq_coef *out)
{
	struct uacdsp_biquad_params p = {
		.width = UACDSP_W_Q, .freq = freq, .q = q,
	};

	if (q < 0.0)
		p.type = high ? UACDSP_BQ_HIGHPASS_FO : UACDSP_BQ_LOWPASS_FO;
	else
		p.type = high ? UACDSP_BQ_HIGHPASS : UACDSP_BQ_LOWPASS;
	return uacdsp_biquad_design(&p, fs, out);
}

/* Butterworth cascade of order n; q < 0 marks the first-order section. */
static int butterworth(bool high, double freq, unsigned n, double fs,
		       struct uacdsp_bq_coef *out, unsigned max)
{
	unsigned k, cnt = 0;
	int err;

	if (n == 0 || n > UACDSP_MAX_ORDER)
		return -EINVAL;
	for (k = 0; k < n / 2; k++) {
		double q = 1.0 / (2.0 * sin(M_PI / n * (k + 0.5)));

		if (cnt >= max)
			return -E2BIG;
		err = pass_section(high, freq, q, fs, &out[cnt++]);
		if (err < 0)
			return err;
	}
	if (n % 2) {
		if (cnt >= max)
			return -E2BIG;
		err = pass_section(high, freq, -1.0, fs, &out[cnt++]);
		if (err < 0)
			return err;
	}
	return (int)cnt;
}

static int add_section(const struct uacdsp_biquad_params *p, double fs,
		       struct uacdsp_bq_coef *out, unsigned *cnt, unsigned max)
{
	if (*cnt >= max)
		return -E2BIG;
	return uacdsp_biquad_design(p, fs, &out[(*cnt)++]);
}

int uacdsp_combo_design(const struct uacdsp_combo_params *p, double fs,
			struct uacdsp_bq_coef *out, unsigned max)
{
	struct uacdsp_biquad_params bp = { .width = UACDSP_W_Q };
	unsigned cnt = 0, i;
	int n, m, err;
	bool high;

	switch (p->type) {
	case UACDSP_COMBO_BUTTERWORTH_LOWPASS:
	case UACDSP_COMBO_BUTTERWORTH_HIGHPASS:
		if (!freq_ok(p->freq, fs))
			return -EDOM;
		high = p->type == UACDSP_COMBO_BUTTERWORTH_HIGHPASS;
		return butterworth(high, p->freq, p->order, fs, out, max);
	case UACDSP_COMBO_LR_LOWPASS:
	case UACDSP_COMBO_LR_HIGHPASS:
		if (!freq_ok(p->freq, fs))
			return -EDOM;
		if (p->order == 0 || p->order % 2)
			return -EINVAL;
		high = p->type == UACDSP_COMBO_LR_HIGHPASS;
		n = butterworth(high, p->freq, p->order / 2, fs, out, max);
		if (n < 0)
			return n;
		m = butterworth(high, p->freq, p->order / 2, fs, out + n,
				max - (unsigned)n);
		if (m < 0)
			return m;
		return n + m;
	case UACDSP_COMBO_TILT:
		bp.q = 0.35;
		bp.type = UACDSP_BQ_LOWSHELF;
		bp.freq = 110.0;
		bp.gain = -p->gain / 2.0;
		err = add_section(&bp, fs, out, &cnt, max);
		if (err < 0)
			return err;
		bp.type = UACDSP_BQ_HIGHSHELF;
		bp.freq = 3500.0;
		bp.gain = p->gain / 2.0;
		err = add_section(&bp, fs, out, &cnt, max);
		if (err < 0)
			return err;
		return (int)cnt;
	case UACDSP_COMBO_FIVE_POINT_PEQ:
	case UACDSP_COMBO_N_POINT_PEQ:
		for (i = 0; i < p->nbands; i++) {
			bp.type = i == 0 ? UACDSP_BQ_LOWSHELF :
				  i == p->nbands - 1 ? UACDSP_BQ_HIGHSHELF : UACDSP_BQ_PEAKING;
			bp.freq = p->f[i];
			bp.gain = p->g[i];
			bp.q = p->q[i];
			err = add_section(&bp, fs, out, &cnt, max);
			if (err < 0)
				return err;
		}
		return (int)cnt;
	case UACDSP_COMBO_GRAPHIC_EQ: {
		double lmin = log2(p->freq_min), lmax = log2(p->freq_max);
		double bw = (lmax - lmin) / p->ngains;

		if (!freq_ok(p->freq_min, fs) || !freq_ok(p->freq_max, fs))
			return -EDOM;
		bp.type = UACDSP_BQ_PEAKING;
		bp.width = UACDSP_W_BANDWIDTH;
		bp.bandwidth = bw;
		for (i = 0; i < p->ngains; i++) {
			if (fabs(p->gains[i]) <= 0.001)
				continue;	/* a flat band is no band */
			bp.freq = exp2(lmin + (i + 0.5) * bw);
			bp.gain = p->gains[i];
			err = add_section(&bp, fs, out, &cnt, max);
			if (err < 0)
				return err;
		}
		return (int)cnt;
	}
	}
	return -EINVAL;
}
