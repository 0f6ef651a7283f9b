/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Between config.c, config-filters.c and the chain builder. */
#ifndef UACDSP_CONFIG_INTERNAL_H
#define UACDSP_CONFIG_INTERNAL_H

#include "dsp/dsp-config.h"
#include "dsp/config-fields.h"

/* One entry of `filters:`; k is the name key, n its value. */
int uacdsp_parse_filter(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
			struct uacdsp_filter_cfg *f);

/* config-pipeline.c: one mixer, one processor, one pipeline step (nch in/out) */
int uacdsp_parse_mixer(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
		       struct uacdsp_mixer_cfg *m);
int uacdsp_parse_processor(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
			   struct uacdsp_processor_cfg *pc);
int uacdsp_parse_step(struct cfg_parser *p, yaml_node_t *n, struct uacdsp_step_cfg *st,
		      unsigned *nch);

/*
 * Rate-dependent validation of one filter (Nyquist, stability, delay
 * length).  Error text names the filter and field, at f->fpos.
 */
int uacdsp_filter_check(const struct uacdsp_config *cfg,
			const struct uacdsp_filter_cfg *f, unsigned rate,
			char *err, size_t errlen);

/*
 * The biquad sections a Biquad/BiquadCombo filter expands to at rate;
 * returns the count or a negative errno (see uacdsp_biquad_design()).
 */
int uacdsp_filter_sections(const struct uacdsp_filter_cfg *f, unsigned rate,
			   struct uacdsp_bq_coef *out, unsigned max);

/* A Delay filter's delay in samples at rate. */
double uacdsp_delay_samples(const struct uacdsp_filter_cfg *f, unsigned rate);

void uacdsp_filter_cfg_release(struct uacdsp_filter_cfg *f);

/* Names for messages and describe(). */
const char *uacdsp_filter_kind_name(enum uacdsp_filter_kind k);

#endif /* UACDSP_CONFIG_INTERNAL_H */
