/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Biquad design: CamillaDSP's Biquad and BiquadCombo parameter sets turned
 * into normalised second-order sections (a0 == 1), always in double.
 * Control thread only; nothing here runs on the RT thread.
 */
#ifndef UACDSP_BIQUAD_H
#define UACDSP_BIQUAD_H

#include <stdbool.h>

enum uacdsp_bq_type {
	UACDSP_BQ_FREE,
	UACDSP_BQ_LOWPASS,
	UACDSP_BQ_HIGHPASS,
	UACDSP_BQ_LOWPASS_FO,
	UACDSP_BQ_HIGHPASS_FO,
	UACDSP_BQ_LOWSHELF,
	UACDSP_BQ_HIGHSHELF,
	UACDSP_BQ_LOWSHELF_FO,
	UACDSP_BQ_HIGHSHELF_FO,
	UACDSP_BQ_PEAKING,
	UACDSP_BQ_NOTCH,
	UACDSP_BQ_GENERAL_NOTCH,
	UACDSP_BQ_BANDPASS,
	UACDSP_BQ_ALLPASS,
	UACDSP_BQ_ALLPASS_FO,
	UACDSP_BQ_LINKWITZ_TRANSFORM,
};

/* How the width of a section is given. */
enum uacdsp_bq_width { UACDSP_W_Q, UACDSP_W_BANDWIDTH, UACDSP_W_SLOPE };

struct uacdsp_biquad_params {
	enum uacdsp_bq_type type;
	enum uacdsp_bq_width width;
	double freq, q, bandwidth, slope, gain;
	double freq_p, freq_z, q_p;
	bool normalize_at_dc;
	double freq_act, q_act, freq_target, q_target;
	double a1, a2, b0, b1, b2;
};

enum uacdsp_combo_type {
	UACDSP_COMBO_BUTTERWORTH_LOWPASS,
	UACDSP_COMBO_BUTTERWORTH_HIGHPASS,
	UACDSP_COMBO_LR_LOWPASS,
	UACDSP_COMBO_LR_HIGHPASS,
	UACDSP_COMBO_TILT,
	UACDSP_COMBO_FIVE_POINT_PEQ,
	UACDSP_COMBO_GRAPHIC_EQ,
	UACDSP_COMBO_N_POINT_PEQ,	/* newer CamillaDSP: bands [{freq, q, gain}] */
};

#define UACDSP_MAX_ORDER	16u
#define UACDSP_MAX_BANDS	64u

struct uacdsp_combo_params {
	enum uacdsp_combo_type type;
	double freq;
	unsigned order;
	double gain;				/* Tilt */
	/* FivePointPeq / NPointPeq: low shelf, peaks..., high shelf */
	double f[UACDSP_MAX_BANDS], g[UACDSP_MAX_BANDS], q[UACDSP_MAX_BANDS];
	unsigned nbands;
	double freq_min, freq_max;		/* GraphicEqualizer */
	double gains[UACDSP_MAX_BANDS];
	unsigned ngains;
};

/* Normalised section: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
struct uacdsp_bq_coef {
	double b0, b1, b2, a1, a2;
};

/*
 * Design one section at fs.  -EDOM when a frequency is not in (0, fs/2),
 * -ERANGE when the result is unstable, -EINVAL for nonsense parameters.
 */
int uacdsp_biquad_design(const struct uacdsp_biquad_params *p, double fs,
			 struct uacdsp_bq_coef *out);

/* Stable: both poles strictly inside the unit circle. */
bool uacdsp_biquad_stable(const struct uacdsp_bq_coef *c);

/*
 * Expand a BiquadCombo into at most max sections; returns the number of
 * sections or a negative errno like uacdsp_biquad_design().
 */
int uacdsp_combo_design(const struct uacdsp_combo_params *p, double fs,
			struct uacdsp_bq_coef *out, unsigned max);

#endif /* UACDSP_BIQUAD_H */
