/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Volume, Loudness and the Compressor: ops whose gain moves at run time. */
#ifndef UACDSP_CHAIN_LEVEL_H
#define UACDSP_CHAIN_LEVEL_H

#include "dsp/chain.h"

int uacdsp_op_level_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			const struct uacdsp_filter_cfg *f, const unsigned *ch,
			unsigned nch, const char *slot, char *err, size_t errlen);

/* rt: cubic soft clipper, unity slope at 0, reaches limit at 1.5 * limit */
static inline float uacdsp_soft_clip(float x, float limit)
{
	float u = x / limit;

	if (u >= 1.5f)
		return limit;
	if (u <= -1.5f)
		return -limit;
	return limit * (u - (4.0f / 27.0f) * u * u * u);
}

#endif /* UACDSP_CHAIN_LEVEL_H */
