/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the dsp.yml loader: parse from memory, and when the
 * config is valid and cheap to instantiate (no Conv, which would read files
 * named by the input; bounded delays), compile a chain at a small block
 * size, run a block of noise through it, describe it and free it.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dsp/dsp-config.h"
#include "dsp/uacdsp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cheap(const struct uacdsp_config *cfg)
{
	unsigned i;

	if (cfg->nsteps > 64 || cfg->nfilters > 64)
		return 0;
	for (i = 0; i < cfg->nfilters; i++) {
		const struct uacdsp_filter_cfg *f = &cfg->filters[i];

		if (f->kind == UACDSP_F_CONV)
			return 0;
		if (f->kind == UACDSP_F_DELAY && f->u.delay.delay > 1000.0)
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uacdsp_config *cfg;
	struct uacdsp_chain *chain;
	static float planes[UACDSP_MAX_CHANNELS][64];
	float *bufs[UACDSP_MAX_CHANNELS];
	char err[512], desc[4096];
	unsigned c, i;

	if (uacdsp_config_parse((const char *)data, size, "fuzz.yml", &cfg, err, sizeof(err)) < 0)
		return 0;
	if (cheap(cfg) && uacdsp_chain_new(cfg, 48000, 64, &chain, err, sizeof(err)) == 0) {
		for (c = 0; c < uacdsp_chain_max_channels(chain); c++) {
			for (i = 0; i < 64; i++)
				planes[c][i] = (float)((int)(i * 7919 % 200) - 100) / 100.0f;
			bufs[c] = planes[c];
		}
		uacdsp_chain_set_volume(chain, -10.0f);
		uacdsp_chain_process(chain, bufs, 64);
		uacdsp_chain_process(chain, bufs, 17);
		uacdsp_chain_describe(chain, desc, sizeof(desc));
		uacdsp_chain_free(chain);
	}
	uacdsp_config_free(cfg);
	return 0;
}
