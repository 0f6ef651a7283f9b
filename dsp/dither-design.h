/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Noise-shaping filters for the Dither filter: every CamillaDSP Dither type
 * mapped to an error-feedback noise transfer function (NTF) designed by
 * uacd itself at chain-build time.  Control thread only; the RT side (the
 * Dither op in chain-basic.c) only runs the FIR the design returns.
 */
#ifndef UACDSP_DITHER_DESIGN_H
#define UACDSP_DITHER_DESIGN_H

#include "dsp/dsp-config.h"

/* The longest NTF any type designs (order, i.e. taps after the leading 1). */
#define UACDSP_DITHER_MAX_ORDER	64u

/*
 * Design the noise transfer function of dither type `type` for sample rate
 * `rate` (Hz, 1..UACDSP_MAX_RATE): writes ntf[0..order] with ntf[0] == 1,
 * so that output - input = NTF(z) * e for the white total quantisation error
 * e.  ntf must hold UACDSP_DITHER_MAX_ORDER + 1 values.
 *
 * \returns the order (0 for the unshaped types None, Flat, Highpass, with
 *          ntf[0] = 1), -EINVAL for an unknown type or a rate out of range,
 *          -ENOMEM.
 */
int uacdsp_dither_design(enum uacdsp_dither_type type, unsigned rate, double *ntf);

/*
 * The target noise curve of a shaped type at frequency f (Hz), in dB: the
 * hearing threshold (or its flattened variant) the design follows, before
 * the zero-mean normalisation.  Perceptual weighting of a noise spectrum is
 * 10^(-target/10).  Lipshitz441 (published coefficients) reports the
 * curve LipshitzLong441 is designed to.
 *
 * \returns the level in dB, or NAN for the unshaped types.
 */
double uacdsp_dither_target_db(enum uacdsp_dither_type type, double f);

/* The name CamillaDSP uses for a type ("Shibata441"); "?" if unknown. */
const char *uacdsp_dither_type_name(enum uacdsp_dither_type type);

#endif /* UACDSP_DITHER_DESIGN_H */
