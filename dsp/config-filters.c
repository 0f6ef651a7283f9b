/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `filters:` section: one field table per CamillaDSP filter type and
 * parameter set (the rate-dependent checks are in config-check.c).
 *
 * A filter is `{type: X, parameters: {...}, description: ...}`.  For the
 * types whose parameters carry their own `type` (Biquad, BiquadCombo, Conv,
 * Dither) the inner type selects the field table; unknown fields, missing
 * required ones and mutually exclusive width fields (q / bandwidth / slope)
 * are errors at the offending node.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/config-internal.h"

#define MAX_DIFFEQ	64u

static const char *const kind_names[] = {
	"Biquad", "BiquadCombo", "Gain", "Volume", "Loudness", "Delay", "Conv",
	"Limiter", "DiffEq", "Dither", NULL
};

const char *uacdsp_filter_kind_name(enum uacdsp_filter_kind k)
{
	return kind_names[k];
}

static const char *const bq_names[] = {
	"Free", "Lowpass", "Highpass", "LowpassFO", "HighpassFO", "Lowshelf",
	"Highshelf", "LowshelfFO", "HighshelfFO", "Peaking", "Notch",
	"GeneralNotch", "Bandpass", "Allpass", "AllpassFO", "LinkwitzTransform", NULL
};

static const char *const combo_names[] = {
	"ButterworthLowpass", "ButterworthHighpass", "LinkwitzRileyLowpass",
	"LinkwitzRileyHighpass", "Tilt", "FivePointPeq", "GraphicEqualizer", "NPointPeq", NULL
};

static const char *const conv_names[] = { "Raw", "Wav", "Values", NULL };

/* CamillaDSP 2/3 names, then the newer ones (same order as the enum) */
static const char *const raw_names[] = {
	"TEXT", "S16LE", "S24LE", "S24LE3", "S32LE", "FLOAT32LE", "FLOAT64LE",
	"S16_LE", "S24_4_RJ_LE", "S24_3_LE", "S32_LE", "F32_LE", "F64_LE", "S24_4_LJ_LE", NULL
};

static const char *const dither_names[] = {
	"None", "Flat", "Highpass", "Fweighted441", "FweightedLong441",
	"FweightedShort441", "Gesemann441", "Gesemann48", "Lipshitz441",
	"LipshitzLong441", "Shibata441", "ShibataHigh441", "ShibataLow441",
	"Shibata48", "ShibataHigh48", "ShibataLow48", "Shibata882", "ShibataLow882",
	"Shibata96", "ShibataLow96", "Shibata192", "ShibataLow192", NULL
};

static const char *const unit_names[] = { "ms", "samples", "mm", NULL };
static const char *const fader_names[] = { "Main", "Aux1", "Aux2", "Aux3", "Aux4", NULL };
static const char *const scale_names[] = { "dB", "linear", NULL };
static const char *const type_skip[] = { "type", NULL };

/* ---- Biquad ------------------------------------------------------------- */

#define BQ(k, m, req) { k, FD_DOUBLE, offsetof(struct uacdsp_biquad_params, m), req, NULL, 0 }

static const struct field bq_free[] = {
	BQ("a1", a1, true), BQ("a2", a2, true), BQ("b0", b0, true),
	BQ("b1", b1, true), BQ("b2", b2, true), FIELD_END
};
static const struct field bq_freq_q[] = { BQ("freq", freq, true), BQ("q", q, true), FIELD_END };
static const struct field bq_freq[] = { BQ("freq", freq, true), FIELD_END };
static const struct field bq_freq_gain[] = {
	BQ("freq", freq, true), BQ("gain", gain, true), FIELD_END
};
static const struct field bq_shelf[] = {
	BQ("freq", freq, true), BQ("gain", gain, true), BQ("q", q, false),
	BQ("slope", slope, false), FIELD_END
};
static const struct field bq_peak[] = {
	BQ("freq", freq, true), BQ("gain", gain, true), BQ("q", q, false),
	BQ("bandwidth", bandwidth, false), FIELD_END
};
static const struct field bq_notch[] = {
	BQ("freq", freq, true), BQ("q", q, false), BQ("bandwidth", bandwidth, false),
	FIELD_END
};
static const struct field bq_gnotch[] = {
	BQ("freq_p", freq_p, true), BQ("freq_z", freq_z, true), BQ("q_p", q_p, true),
	{ "normalize_at_dc", FD_BOOL, offsetof(struct uacdsp_biquad_params, normalize_at_dc),
	  false, NULL, 0 },
	FIELD_END
};
static const struct field bq_lt[] = {
	BQ("freq_act", freq_act, true), BQ("q_act", q_act, true),
	BQ("freq_target", freq_target, true), BQ("q_target", q_target, true), FIELD_END
};

static const struct field *const bq_tables[] = {
	[UACDSP_BQ_FREE] = bq_free,
	[UACDSP_BQ_LOWPASS] = bq_freq_q,
	[UACDSP_BQ_HIGHPASS] = bq_freq_q,
	[UACDSP_BQ_LOWPASS_FO] = bq_freq,
	[UACDSP_BQ_HIGHPASS_FO] = bq_freq,
	[UACDSP_BQ_LOWSHELF] = bq_shelf,
	[UACDSP_BQ_HIGHSHELF] = bq_shelf,
	[UACDSP_BQ_LOWSHELF_FO] = bq_freq_gain,
	[UACDSP_BQ_HIGHSHELF_FO] = bq_freq_gain,
	[UACDSP_BQ_PEAKING] = bq_peak,
	[UACDSP_BQ_NOTCH] = bq_notch,
	[UACDSP_BQ_GENERAL_NOTCH] = bq_gnotch,
	[UACDSP_BQ_BANDPASS] = bq_notch,
	[UACDSP_BQ_ALLPASS] = bq_notch,
	[UACDSP_BQ_ALLPASS_FO] = bq_freq,
	[UACDSP_BQ_LINKWITZ_TRANSFORM] = bq_lt,
};

static int parse_biquad(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct uacdsp_biquad_params *bq = &f->u.bq;
	const struct field *tab;
	yaml_node_t *t, *q, *bw, *sl;
	int type, err, n;

	t = syaml_get(&p->y, par, "type");
	if (!t)
		return syaml_fail(&p->y, par, "parameters: missing field 'type'");
	err = cfgy_enum(p, t, "type", bq_names, &type);
	if (err < 0)
		return err;
	bq->type = (enum uacdsp_bq_type)type;
	tab = bq_tables[type];
	err = cfgy_fields(p, par, tab, bq, type_skip, NULL);
	if (err < 0)
		return err;
	if (tab == bq_shelf || tab == bq_peak || tab == bq_notch) {
		q = syaml_get(&p->y, par, "q");
		bw = syaml_get(&p->y, par, "bandwidth");
		sl = syaml_get(&p->y, par, "slope");
		n = !!q + !!bw + !!sl;
		if (n != 1)
			return syaml_fail(&p->y, par, "%s needs exactly one of %s", bq_names[type],
					  tab == bq_shelf ? "'q' or 'slope'" : "'q' or 'bandwidth'");
		bq->width = q ? UACDSP_W_Q : bw ? UACDSP_W_BANDWIDTH : UACDSP_W_SLOPE;
		if (q && !(bq->q > 0.0))
			return syaml_fail(&p->y, q, "q: must be > 0, got %g", bq->q);
		if (bw && !(bq->bandwidth > 0.0))
			return syaml_fail(&p->y, bw, "bandwidth: must be > 0 octaves, got %g",
					  bq->bandwidth);
		if (sl && !(bq->slope > 0.0 && bq->slope <= 12.0))
			return syaml_fail(&p->y, sl, "slope: must be in (0, 12] dB/octave, got %g",
					  bq->slope);
	} else {
		bq->width = UACDSP_W_Q;
		if (tab == bq_freq_q && !(bq->q > 0.0))
			return syaml_fail(&p->y, syaml_get(&p->y, par, "q"), "q: must be > 0, got %g", bq->q);
	}
	if (fabs(bq->gain) > 100.0)
		return syaml_fail(&p->y, syaml_get(&p->y, par, "gain"), "gain: must be within +-100 dB, got %g",
				  bq->gain);
	return 0;
}

/* ---- BiquadCombo -------------------------------------------------------- */

#define CB(k, m, req) { k, FD_DOUBLE, offsetof(struct combo_tmp, c.m), req, NULL, 0 }

struct combo_tmp {
	struct uacdsp_combo_params c;
	double *gains;
	unsigned ngains;
};

static const struct field combo_pass[] = {
	CB("freq", freq, true),
	{ "order", FD_UINT, offsetof(struct combo_tmp, c.order), true, NULL, 0 },
	FIELD_END
};
static const struct field combo_tilt[] = { CB("gain", gain, true), FIELD_END };
static const struct field combo_peq[] = {
	CB("fls", f[0], true), CB("gls", g[0], true), CB("qls", q[0], true),
	CB("fp1", f[1], true), CB("gp1", g[1], true), CB("qp1", q[1], true),
	CB("fp2", f[2], true), CB("gp2", g[2], true), CB("qp2", q[2], true),
	CB("fp3", f[3], true), CB("gp3", g[3], true), CB("qp3", q[3], true),
	CB("fhs", f[4], true), CB("ghs", g[4], true), CB("qhs", q[4], true),
	FIELD_END
};
static const struct field combo_npeq[] = {
	{ "bands", FD_IGNORE, 0, false, NULL, 0 },	/* parse_bands() */
	FIELD_END
};
static const struct field combo_geq[] = {
	CB("freq_min", freq_min, false), CB("freq_max", freq_max, false),
	{ "gains", FD_DLIST, offsetof(struct combo_tmp, gains), true, NULL,
	  offsetof(struct combo_tmp, ngains) },
	FIELD_END
};

struct band_tmp {
	double freq, q, gain;
};

static const struct field band_fields[] = {
	{ "freq", FD_DOUBLE, offsetof(struct band_tmp, freq), true, NULL, 0 },
	{ "q", FD_DOUBLE, offsetof(struct band_tmp, q), true, NULL, 0 },
	{ "gain", FD_DOUBLE, offsetof(struct band_tmp, gain), true, NULL, 0 },
	FIELD_END
};

/* NPointPeq bands: [{freq, q, gain}, ...]; first low shelf, last high shelf */
static int parse_bands(struct cfg_parser *p, yaml_node_t *n, struct uacdsp_combo_params *c)
{
	yaml_node_item_t *it;
	int err;

	if (!n || n->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&p->y, n, "bands: expected a list of {freq, q, gain}");
	c->nbands = 0;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *b = syaml_node(&p->y, *it);
		struct band_tmp t = { 0 };

		if (c->nbands >= UACDSP_MAX_BANDS)
			return syaml_fail(&p->y, b, "bands: more than %u bands", UACDSP_MAX_BANDS);
		err = cfgy_fields(p, b, band_fields, &t, NULL, NULL);
		if (err < 0)
			return err;
		if (!(t.q > 0.0) || !(fabs(t.gain) <= 100.0))
			return syaml_fail(&p->y, b, "bands: q must be > 0 and gain within +-100 dB");
		c->f[c->nbands] = t.freq;
		c->q[c->nbands] = t.q;
		c->g[c->nbands] = t.gain;
		c->nbands++;
	}
	if (!c->nbands)
		return syaml_fail(&p->y, n, "bands: empty");
	return 0;
}

static int parse_combo(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct combo_tmp t = { .c = { .freq_min = 20.0, .freq_max = 20000.0 } };
	const struct field *tab;
	yaml_node_t *tn;
	unsigned i;
	int type, err;

	tn = syaml_get(&p->y, par, "type");
	if (!tn)
		return syaml_fail(&p->y, par, "parameters: missing field 'type'");
	err = cfgy_enum(p, tn, "type", combo_names, &type);
	if (err < 0)
		return err;
	t.c.type = (enum uacdsp_combo_type)type;
	switch (t.c.type) {
	case UACDSP_COMBO_TILT:
		tab = combo_tilt;
		break;
	case UACDSP_COMBO_FIVE_POINT_PEQ:
		tab = combo_peq;
		break;
	case UACDSP_COMBO_GRAPHIC_EQ:
		tab = combo_geq;
		break;
	case UACDSP_COMBO_N_POINT_PEQ:
		tab = combo_npeq;
		break;
	default:
		tab = combo_pass;
		break;
	}
	err = cfgy_fields(p, par, tab, &t, type_skip, NULL);
	if (err < 0)
		goto out;
	err = -EINVAL;
	switch (t.c.type) {
	case UACDSP_COMBO_BUTTERWORTH_LOWPASS:
	case UACDSP_COMBO_BUTTERWORTH_HIGHPASS:
		if (t.c.order == 0 || t.c.order > UACDSP_MAX_ORDER) {
			syaml_fail(&p->y, syaml_get(&p->y, par, "order"), "order: must be 1..%u, got %u",
				   UACDSP_MAX_ORDER, t.c.order);
			goto out;
		}
		break;
	case UACDSP_COMBO_LR_LOWPASS:
	case UACDSP_COMBO_LR_HIGHPASS:
		if (t.c.order == 0 || t.c.order % 2 || t.c.order > 2 * UACDSP_MAX_ORDER) {
			syaml_fail(&p->y, syaml_get(&p->y, par, "order"),
				   "order: Linkwitz-Riley order must be even, 2..%u, got %u",
				   2 * UACDSP_MAX_ORDER, t.c.order);
			goto out;
		}
		break;
	case UACDSP_COMBO_TILT:
		if (!(fabs(t.c.gain) < 100.0)) {
			syaml_fail(&p->y, par, "gain: must be within +-100 dB, got %g", t.c.gain);
			goto out;
		}
		break;
	case UACDSP_COMBO_FIVE_POINT_PEQ:
		t.c.nbands = 5;
		for (i = 0; i < 5; i++) {
			if (!(t.c.q[i] > 0.0)) {
				syaml_fail(&p->y, par, "all q values must be > 0");
				goto out;
			}
		}
		break;
	case UACDSP_COMBO_N_POINT_PEQ:
		err = parse_bands(p, syaml_get(&p->y, par, "bands"), &t.c);
		if (err < 0)
			goto out;
		err = -EINVAL;
		break;
	case UACDSP_COMBO_GRAPHIC_EQ:
		if (t.ngains == 0 || t.ngains > UACDSP_MAX_BANDS) {
			syaml_fail(&p->y, syaml_get(&p->y, par, "gains"), "gains: must have 1..%u bands",
				   UACDSP_MAX_BANDS);
			goto out;
		}
		if (!(t.c.freq_min > 0.0) || !(t.c.freq_max > t.c.freq_min)) {
			syaml_fail(&p->y, par, "need 0 < freq_min < freq_max");
			goto out;
		}
		for (i = 0; i < t.ngains; i++) {
			if (fabs(t.gains[i]) > 40.0) {
				syaml_fail(&p->y, syaml_get(&p->y, par, "gains"),
					   "gains: band %u: must be within +-40 dB, got %g", i,
					   t.gains[i]);
				goto out;
			}
			t.c.gains[i] = t.gains[i];
		}
		t.c.ngains = t.ngains;
		break;
	}
	f->u.combo = t.c;
	err = 0;
out:
	free(t.gains);
	return err;
}

/* ---- the simple ones ---------------------------------------------------- */

struct gain_tmp {
	double gain;
	int scale;
	bool inverted, mute;
};

static const struct field gain_fields[] = {
	{ "gain", FD_DOUBLE, offsetof(struct gain_tmp, gain), true, NULL, 0 },
	{ "scale", FD_ENUM, offsetof(struct gain_tmp, scale), false, scale_names, 0 },
	{ "inverted", FD_BOOL, offsetof(struct gain_tmp, inverted), false, NULL, 0 },
	{ "mute", FD_BOOL, offsetof(struct gain_tmp, mute), false, NULL, 0 },
	FIELD_END
};

struct vol_tmp {
	double ramp_time, limit, reference_level, high_boost, low_boost;
	int fader;
	bool attenuate_mid;
};

static const struct field volume_fields[] = {
	{ "ramp_time", FD_DOUBLE, offsetof(struct vol_tmp, ramp_time), false, NULL, 0 },
	{ "ramp_time_ms", FD_DOUBLE, offsetof(struct vol_tmp, ramp_time), false, NULL, 0 },
	{ "limit", FD_DOUBLE, offsetof(struct vol_tmp, limit), false, NULL, 0 },
	{ "fader", FD_ENUM, offsetof(struct vol_tmp, fader), false, fader_names, 0 },
	FIELD_END
};

static const struct field loudness_fields[] = {
	{ "ramp_time", FD_DOUBLE, offsetof(struct vol_tmp, ramp_time), false, NULL, 0 },
	{ "ramp_time_ms", FD_DOUBLE, offsetof(struct vol_tmp, ramp_time), false, NULL, 0 },
	{ "fader", FD_ENUM, offsetof(struct vol_tmp, fader), false, fader_names, 0 },
	{ "reference_level", FD_DOUBLE, offsetof(struct vol_tmp, reference_level), true, NULL, 0 },
	{ "high_boost", FD_DOUBLE, offsetof(struct vol_tmp, high_boost), false, NULL, 0 },
	{ "low_boost", FD_DOUBLE, offsetof(struct vol_tmp, low_boost), false, NULL, 0 },
	{ "attenuate_mid", FD_BOOL, offsetof(struct vol_tmp, attenuate_mid), false, NULL, 0 },
	FIELD_END
};

struct delay_tmp {
	double delay;
	int unit;
	bool subsample;
};

static const struct field delay_fields[] = {
	{ "delay", FD_DOUBLE, offsetof(struct delay_tmp, delay), true, NULL, 0 },
	{ "unit", FD_ENUM, offsetof(struct delay_tmp, unit), false, unit_names, 0 },
	{ "subsample", FD_BOOL, offsetof(struct delay_tmp, subsample), false, NULL, 0 },
	FIELD_END
};

struct limiter_tmp {
	double clip_limit;
	bool soft_clip;
};

static const struct field limiter_fields[] = {
	{ "clip_limit", FD_DOUBLE, offsetof(struct limiter_tmp, clip_limit), true, NULL, 0 },
	{ "soft_clip", FD_BOOL, offsetof(struct limiter_tmp, soft_clip), false, NULL, 0 },
	FIELD_END
};

static const struct field diffeq_fields[] = {
	{ "a", FD_DLIST, offsetof(struct uacdsp_filter_cfg, u.diffeq.a), false, NULL,
	  offsetof(struct uacdsp_filter_cfg, u.diffeq.na) },
	{ "b", FD_DLIST, offsetof(struct uacdsp_filter_cfg, u.diffeq.b), false, NULL,
	  offsetof(struct uacdsp_filter_cfg, u.diffeq.nb) },
	FIELD_END
};

struct conv_tmp {
	char *filename;
	int format;
	unsigned skip, read, channel;
	double *values;
	unsigned nvalues;
};

static const struct field conv_raw[] = {
	{ "filename", FD_STRING, offsetof(struct conv_tmp, filename), true, NULL, 0 },
	{ "format", FD_ENUM, offsetof(struct conv_tmp, format), false, raw_names, 0 },
	{ "skip_bytes_lines", FD_UINT, offsetof(struct conv_tmp, skip), false, NULL, 0 },
	{ "read_bytes_lines", FD_UINT, offsetof(struct conv_tmp, read), false, NULL, 0 },
	FIELD_END
};
static const struct field conv_wav[] = {
	{ "filename", FD_STRING, offsetof(struct conv_tmp, filename), true, NULL, 0 },
	{ "channel", FD_UINT, offsetof(struct conv_tmp, channel), false, NULL, 0 },
	FIELD_END
};
static const struct field conv_values[] = {
	{ "values", FD_DLIST, offsetof(struct conv_tmp, values), true, NULL,
	  offsetof(struct conv_tmp, nvalues) },
	FIELD_END
};

static int parse_conv(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct conv_tmp t = { 0 };
	const struct field *tab;
	yaml_node_t *tn;
	unsigned i;
	int type, err;

	tn = syaml_get(&p->y, par, "type");
	if (!tn)
		return syaml_fail(&p->y, par, "parameters: missing field 'type'");
	err = cfgy_enum(p, tn, "type", conv_names, &type);
	if (err < 0)
		return err;
	tab = type == UACDSP_CONV_RAW ? conv_raw : type == UACDSP_CONV_WAV ? conv_wav : conv_values;
	err = cfgy_fields(p, par, tab, &t, type_skip, NULL);
	if (err < 0)
		goto out;
	f->u.conv.type = (enum uacdsp_conv_type)type;
	f->u.conv.format = (enum uacdsp_raw_format)t.format;
	f->u.conv.skip = t.skip;
	f->u.conv.read = t.read;
	f->u.conv.channel = t.channel;
	if (t.filename) {
		const char *dir = p->cfg->dir;

		if (!*t.filename) {
			err = syaml_fail(&p->y, syaml_get(&p->y, par, "filename"), "filename: empty");
			goto out;
		}
		if (t.filename[0] == '/' || !dir || !strcmp(dir, ".")) {
			f->u.conv.filename = t.filename;
			t.filename = NULL;
		} else {
			size_t len = strlen(dir) + strlen(t.filename) + 2;

			f->u.conv.filename = malloc(len);
			if (!f->u.conv.filename) {
				err = -ENOMEM;
				goto out;
			}
			snprintf(f->u.conv.filename, len, "%s/%s", dir, t.filename);
		}
	}
	if (type == UACDSP_CONV_VALUES) {
		if (t.nvalues == 0) {
			err = syaml_fail(&p->y, syaml_get(&p->y, par, "values"), "values: empty");
			goto out;
		}
		f->u.conv.values = malloc(t.nvalues * sizeof(float));
		if (!f->u.conv.values) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < t.nvalues; i++)
			f->u.conv.values[i] = (float)t.values[i];
		f->u.conv.nvalues = t.nvalues;
	}
	err = 0;
out:
	free(t.filename);
	free(t.values);
	return err;
}

struct dither_tmp {
	unsigned bits;
	double amplitude;
};

static const struct field dither_bits[] = {
	{ "bits", FD_UINT, offsetof(struct dither_tmp, bits), true, NULL, 0 },
	FIELD_END
};
static const struct field dither_flat[] = {
	{ "bits", FD_UINT, offsetof(struct dither_tmp, bits), true, NULL, 0 },
	{ "amplitude", FD_DOUBLE, offsetof(struct dither_tmp, amplitude), true, NULL, 0 },
	FIELD_END
};

static int parse_dither(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct dither_tmp t = { 0 };
	const struct field *tab;
	yaml_node_t *tn;
	int type, err;

	tn = syaml_get(&p->y, par, "type");
	if (!tn)
		return syaml_fail(&p->y, par, "parameters: missing field 'type'");
	err = cfgy_enum(p, tn, "type", dither_names, &type);
	if (err < 0)
		return err;
	tab = type == UACDSP_DITHER_FLAT ? dither_flat : dither_bits;
	err = cfgy_fields(p, par, tab, &t, type_skip, NULL);
	if (err < 0)
		return err;
	if (t.bits < 2 || t.bits > 32)
		return syaml_fail(&p->y, syaml_get(&p->y, par, "bits"), "bits: must be 2..32, got %u",
				  t.bits);
	if (type == UACDSP_DITHER_FLAT && !(t.amplitude >= 0.0 && t.amplitude <= 100.0))
		return syaml_fail(&p->y, syaml_get(&p->y, par, "amplitude"),
				  "amplitude: must be 0..100 LSB, got %g", t.amplitude);
	f->u.dither.type = (enum uacdsp_dither_type)type;
	f->u.dither.bits = t.bits;
	f->u.dither.amplitude = t.amplitude;
	return 0;
}

static int parse_gain(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct gain_tmp g = { 0 };
	int err;

	err = cfgy_fields(p, par, gain_fields, &g, NULL, NULL);
	if (err < 0)
		return err;
	if (g.scale == 1 ? !(fabs(g.gain) <= 1e6) : !(fabs(g.gain) <= 150.0))
		return syaml_fail(&p->y, syaml_get(&p->y, par, "gain"), "gain: out of range (%g)",
				  g.gain);
	f->u.gain.gain = g.gain;
	f->u.gain.linear = g.scale == 1;
	f->u.gain.inverted = g.inverted;
	f->u.gain.mute = g.mute;
	return 0;
}

static int parse_level(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct vol_tmp v = { .ramp_time = 400.0, .limit = 50.0,
			     .high_boost = 10.0, .low_boost = 10.0 };
	int err;

	err = cfgy_fields(p, par, f->kind == UACDSP_F_VOLUME ? volume_fields :
			  loudness_fields, &v, NULL, NULL);
	if (err < 0)
		return err;
	if (!(v.ramp_time >= 0.0 && v.ramp_time <= 100000.0))
		return syaml_fail(&p->y, par, "ramp_time: must be 0..100000 ms, got %g",
				  v.ramp_time);
	if (f->kind == UACDSP_F_VOLUME) {
		if (!(v.limit >= -150.0 && v.limit <= 50.0))
			return syaml_fail(&p->y, par, "limit: must be -150..50 dB, got %g", v.limit);
		f->u.volume.ramp_time = v.ramp_time;
		f->u.volume.limit = v.limit;
		f->u.volume.fader = (enum uacdsp_fader)v.fader;
		return 0;
	}
	if (!(v.reference_level >= -100.0 && v.reference_level <= 20.0))
		return syaml_fail(&p->y, par, "reference_level: must be -100..20 dB, got %g",
				  v.reference_level);
	if (!(v.high_boost >= 0.0 && v.high_boost <= 20.0) ||
	    !(v.low_boost >= 0.0 && v.low_boost <= 20.0))
		return syaml_fail(&p->y, par, "high_boost and low_boost must be 0..20 dB");
	f->u.loudness.ramp_time = v.ramp_time;
	f->u.loudness.reference_level = v.reference_level;
	f->u.loudness.high_boost = v.high_boost;
	f->u.loudness.low_boost = v.low_boost;
	f->u.loudness.attenuate_mid = v.attenuate_mid;
	f->u.loudness.fader = (enum uacdsp_fader)v.fader;
	return 0;
}

static int parse_delay(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct delay_tmp d = { 0 };
	int err;

	err = cfgy_fields(p, par, delay_fields, &d, NULL, NULL);
	if (err < 0)
		return err;
	if (!(d.delay >= 0.0))
		return syaml_fail(&p->y, syaml_get(&p->y, par, "delay"), "delay: must be >= 0, got %g",
				  d.delay);
	f->u.delay.delay = d.delay;
	f->u.delay.unit = (enum uacdsp_delay_unit)d.unit;
	f->u.delay.subsample = d.subsample;
	return 0;
}

static int parse_limiter(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	struct limiter_tmp l = { 0 };
	int err;

	err = cfgy_fields(p, par, limiter_fields, &l, NULL, NULL);
	if (err < 0)
		return err;
	if (!(l.clip_limit >= -100.0 && l.clip_limit <= 20.0))
		return syaml_fail(&p->y, par, "clip_limit: must be -100..20 dB, got %g",
				  l.clip_limit);
	f->u.limiter.clip_limit = l.clip_limit;
	f->u.limiter.soft_clip = l.soft_clip;
	return 0;
}

static int parse_diffeq(struct cfg_parser *p, yaml_node_t *par, struct uacdsp_filter_cfg *f)
{
	int err;

	err = cfgy_fields(p, par, diffeq_fields, f, NULL, NULL);
	if (err < 0)
		return err;
	if (f->u.diffeq.na > MAX_DIFFEQ || f->u.diffeq.nb > MAX_DIFFEQ)
		return syaml_fail(&p->y, par, "a and b may have at most %u coefficients",
				  MAX_DIFFEQ);
	if (f->u.diffeq.na && f->u.diffeq.a[0] == 0.0)
		return syaml_fail(&p->y, syaml_get(&p->y, par, "a"), "a: a[0] must not be 0");
	return 0;
}

/* the position used for rate-dependent errors: the frequency field */
static struct uacdsp_pos freq_pos(struct cfg_parser *p, yaml_node_t *par)
{
	static const char *const keys[] = {
		"freq", "freq_p", "freq_act", "freq_min", "fls", "delay", NULL
	};
	unsigned i;

	for (i = 0; keys[i]; i++) {
		yaml_node_t *v = syaml_get(&p->y, par, keys[i]);

		if (v)
			return cfgy_pos(v);
	}
	return cfgy_pos(par);
}

int uacdsp_parse_filter(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
			struct uacdsp_filter_cfg *f)
{
	yaml_node_t *t, *par;
	yaml_node_pair_t *pr;
	int kind, err;

	f->pos = cfgy_pos(k);
	err = cfgy_expect_map(p, n, "filter");
	if (err < 0)
		return err;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kk = syaml_node(&p->y, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? syaml_str(kk) : "";

		if (strcmp(key, "type") && strcmp(key, "parameters") && strcmp(key, "description"))
			return syaml_fail(&p->y, kk, "unknown field '%s' (expected: type, parameters, "
					  "description)", key);
	}
	t = syaml_get(&p->y, n, "type");
	if (!t)
		return syaml_fail(&p->y, n, "missing field 'type'");
	err = cfgy_enum(p, t, "type", kind_names, &kind);
	if (err < 0)
		return err;
	f->kind = (enum uacdsp_filter_kind)kind;
	par = syaml_get(&p->y, n, "parameters");
	if (!par)
		return syaml_fail(&p->y, n, "missing field 'parameters'");
	err = cfgy_expect_map(p, par, "parameters");
	if (err < 0)
		return err;
	f->ppos = cfgy_pos(par);
	f->fpos = freq_pos(p, par);

	switch (f->kind) {
	case UACDSP_F_BIQUAD:
		return parse_biquad(p, par, f);
	case UACDSP_F_BIQUADCOMBO:
		return parse_combo(p, par, f);
	case UACDSP_F_GAIN:
		return parse_gain(p, par, f);
	case UACDSP_F_VOLUME:
	case UACDSP_F_LOUDNESS:
		return parse_level(p, par, f);
	case UACDSP_F_DELAY:
		return parse_delay(p, par, f);
	case UACDSP_F_CONV:
		return parse_conv(p, par, f);
	case UACDSP_F_LIMITER:
		return parse_limiter(p, par, f);
	case UACDSP_F_DIFFEQ:
		return parse_diffeq(p, par, f);
	case UACDSP_F_DITHER:
		return parse_dither(p, par, f);
	}
	return -EINVAL;
}

void uacdsp_filter_cfg_release(struct uacdsp_filter_cfg *f)
{
	free(f->name);
	if (f->kind == UACDSP_F_CONV) {
		free(f->u.conv.filename);
		free(f->u.conv.values);
	} else if (f->kind == UACDSP_F_DIFFEQ) {
		free(f->u.diffeq.a);
		free(f->u.diffeq.b);
	}
}
