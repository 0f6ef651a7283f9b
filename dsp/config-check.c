/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rate-dependent checks of a parsed filter (config-internal.h): the
 * config loader runs them at devices.samplerate, the chain builder again
 * at the rate it is given.  Nyquist and stability of the designed biquads,
 * the length of a delay.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#include "dsp/biquad.h"
#include "dsp/config-internal.h"

#define MAX_DELAY_S	10.0

int uacdsp_filter_sections(const struct uacdsp_filter_cfg *f, unsigned rate,
			   struct uacdsp_bq_coef *out, unsigned max)
{
	int err;

	if (f->kind == UACDSP_F_BIQUAD) {
		if (max < 1)
			return -E2BIG;
		err = uacdsp_biquad_design(&f->u.bq, rate, out);
		return err < 0 ? err : 1;
	}
	if (f->kind == UACDSP_F_BIQUADCOMBO)
		return uacdsp_combo_design(&f->u.combo, rate, out, max);
	return 0;
}

double uacdsp_delay_samples(const struct uacdsp_filter_cfg *f, unsigned rate)
{
	switch (f->u.delay.unit) {
	case UACDSP_DELAY_SAMPLES:
		return f->u.delay.delay;
	case UACDSP_DELAY_MM:
		/* speed of sound 343 m/s */
		return f->u.delay.delay / 1000.0 / 343.0 * rate;
	case UACDSP_DELAY_MS:
	default:
		return f->u.delay.delay / 1000.0 * rate;
	}
}

int uacdsp_filter_check(const struct uacdsp_config *cfg,
			const struct uacdsp_filter_cfg *f, unsigned rate,
			char *err, size_t errlen)
{
	struct uacdsp_bq_coef sec[UACDSP_MAX_COMBO];
	const char *kn = uacdsp_filter_kind_name(f->kind);
	int ret;

	switch (f->kind) {
	case UACDSP_F_BIQUAD:
	case UACDSP_F_BIQUADCOMBO:
		ret = uacdsp_filter_sections(f, rate, sec, UACDSP_MAX_COMBO);
		if (ret == -EDOM) {
			uacdsp_err_at(err, errlen, cfg->filename, f->fpos,
				      "filter '%s': %s: frequencies must be in (0, samplerate/2) = "
				      "(0, %g) Hz at %u Hz", f->name, kn, rate / 2.0, rate);
			return -EINVAL;
		}
		if (ret == -ERANGE) {
			uacdsp_err_at(err, errlen, cfg->filename, f->ppos,
				      "filter '%s': %s: unstable filter (a pole on or outside the "
				      "unit circle) at %u Hz", f->name, kn, rate);
			return -EINVAL;
		}
		if (ret == -E2BIG) {
			uacdsp_err_at(err, errlen, cfg->filename, f->ppos,
				      "filter '%s': %s: expands to more than %u sections",
				      f->name, kn, UACDSP_MAX_COMBO);
			return -EINVAL;
		}
		if (ret < 0) {
			uacdsp_err_at(err, errlen, cfg->filename, f->ppos,
				      "filter '%s': %s: invalid parameters", f->name, kn);
			return -EINVAL;
		}
		return 0;
	case UACDSP_F_DELAY:
		if (uacdsp_delay_samples(f, rate) > MAX_DELAY_S * rate) {
			uacdsp_err_at(err, errlen, cfg->filename, f->fpos,
				      "filter '%s': Delay: delay: longer than %g s", f->name,
				      MAX_DELAY_S);
			return -EINVAL;
		}
		return 0;
	case UACDSP_F_LOUDNESS:
		/* the shelves sit at 70 Hz and 3500 Hz */
		if (rate <= 7000) {
			uacdsp_err_at(err, errlen, cfg->filename, f->ppos,
				      "filter '%s': Loudness needs a samplerate above 7000 Hz",
				      f->name);
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}
