/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Volume, Loudness and the Compressor processor.
 *
 * Volume and Loudness follow the chain volume that uacdsp_chain_set_volume()
 * stores atomically (any thread).  Once per block the RT thread reads it;
 * when it moved, a ramp of `ramp_time` ms starts from wherever the current
 * ramp is, and the gain (Volume) or the loudness boost (Loudness) changes
 * every sample (Volume) or every LOUDNESS_STEP samples with coefficients
 * recomputed in place (Loudness) - small enough steps that no zipper noise
 * is audible.  Each filter follows the fader its config names: `Main` is
 * uacd's volume; Aux1..Aux4 start at 0 dB and are set on their own
 * (uacd's "aux1".."aux4" controls, the ALSA ctl plugin's Aux faders).
 *
 * Loudness is compensation only, as in CamillaDSP: below reference_level the
 * relative boost r = (reference_level - volume) / 20, clamped to [0, 1],
 * raises a 70 Hz low shelf by r * low_boost and a 3500 Hz high shelf by
 * r * high_boost (12 dB/octave shelves); with attenuate_mid the boosts are
 * instead realised by lowering the mids by the larger of the two.  The
 * volume itself is applied by a Volume filter, not here.
 *
 * Compressor: the level is the peak of the monitor channels in dB, smoothed
 * with one-pole attack/release; above threshold the gain is
 * -(level - threshold) * (1 - 1/factor) dB, plus makeup_gain, applied to the
 * process channels and optionally clipped at clip_limit.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/biquad.h"
#include "dsp/chain-level.h"
#include "dsp/config-internal.h"

#define LOUDNESS_STEP	32u
#define LOW_FREQ	70.0
#define HIGH_FREQ	3500.0

static const char *const fader_names[] = { "Main", "Aux1", "Aux2", "Aux3", "Aux4" };

struct level_op {
	struct uacdsp_op op;
	bool loudness;
	unsigned fader;			/* enum uacdsp_fader */
	double limit_db;
	unsigned ramp_len;
	float seen_db;			/* volume the current ramp heads for */
	double cur, step;		/* gain (Volume) or relative boost */
	unsigned left;
	/* Loudness */
	double ref, low_boost, high_boost;
	bool att_mid;
	struct uacdsp_bq_coef sec[2];
	double gain;			/* flat gain with attenuate_mid */
	double *st;			/* [nch][2 sections][2] */
};

static double level_target(const struct level_op *l, float db)
{
	if (!l->loudness)
		return pow(10.0, fmin(db, l->limit_db) / 20.0);
	return fmin(fmax((l->ref - db) / 20.0, 0.0), 1.0);
}

/* rt: libm only, no allocation */
static void loudness_design(struct level_op *l, double rel)
{
	struct uacdsp_biquad_params p = { .width = UACDSP_W_SLOPE, .slope = 12.0 };
	double lo = rel * l->low_boost, hi = rel * l->high_boost;

	l->gain = 1.0;
	if (l->att_mid) {
		double m = fmax(lo, hi);

		l->gain = pow(10.0, -m / 20.0);
	}
	p.type = UACDSP_BQ_LOWSHELF;
	p.freq = LOW_FREQ;
	p.gain = lo;
	if (uacdsp_biquad_design(&p, l->op.chain->rate, &l->sec[0]) < 0)
		l->sec[0] = (struct uacdsp_bq_coef){ 1.0, 0.0, 0.0, 0.0, 0.0 };
	p.type = UACDSP_BQ_HIGHSHELF;
	p.freq = HIGH_FREQ;
	p.gain = hi;
	if (uacdsp_biquad_design(&p, l->op.chain->rate, &l->sec[1]) < 0)
		l->sec[1] = (struct uacdsp_bq_coef){ 1.0, 0.0, 0.0, 0.0, 0.0 };
}

/* rt */
static void loudness_run(struct level_op *l, float *const *bufs, unsigned from, unsigned n)
{
	unsigned c, i, s;

	for (c = 0; c < l->op.nch; c++) {
		float *b = bufs[l->op.ch[c]] + from;

		for (s = 0; s < 2; s++) {
			const struct uacdsp_bq_coef *k = &l->sec[s];
			double *st = l->st + (size_t)c * 4 + s * 2, s1 = st[0], s2 = st[1];

			for (i = 0; i < n; i++) {
				double x = b[i], y = k->b0 * x + s1;

				s1 = k->b1 * x - k->a1 * y + s2;
				s2 = k->b2 * x - k->a2 * y;
				b[i] = (float)(s == 1 ? y * l->gain : y);
			}
			st[0] = fabs(s1) < 1e-250 ? 0.0 : s1;
			st[1] = fabs(s2) < 1e-250 ? 0.0 : s2;
		}
	}
}

/* rt */
static void level_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct level_op *l = (struct level_op *)op;
	float db = uacdsp_chain_fader(op->chain, l->fader);
	unsigned c, i;

	if (db != l->seen_db) {
		double tgt = level_target(l, db);

		l->seen_db = db;
		if (l->ramp_len) {
			l->step = (tgt - l->cur) / l->ramp_len;
			l->left = l->ramp_len;
		} else {
			l->cur = tgt;
			l->left = 0;
			if (l->loudness)
				loudness_design(l, l->cur);
		}
	}

	if (!l->loudness) {
		double start = l->cur, step = l->step;
		unsigned n = frames < l->left ? frames : l->left;

		for (c = 0; c < op->nch; c++) {
			float *b = bufs[op->ch[c]];
			double g = start;

			for (i = 0; i < n; i++) {
				g += step;
				b[i] = (float)(b[i] * g);
			}
			g = n == l->left ? level_target(l, l->seen_db) : g;
			for (; i < frames; i++)
				b[i] = (float)(b[i] * g);
		}
		if (n) {
			l->left -= n;
			l->cur = l->left ? start + step * n : level_target(l, l->seen_db);
		}
		return;
	}

	for (i = 0; i < frames;) {
		unsigned n = frames - i;

		if (l->left) {
			if (n > LOUDNESS_STEP)
				n = LOUDNESS_STEP;
			if (n > l->left)
				n = l->left;
			l->left -= n;
			l->cur = l->left ? l->cur + l->step * n : level_target(l, l->seen_db);
			loudness_design(l, l->cur);
		}
		loudness_run(l, bufs, i, n);
		i += n;
	}
}

static void level_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct level_op *l = (struct level_op *)op;
	const struct level_op *o = (const struct level_op *)oldop;

	l->seen_db = o->seen_db;
	l->cur = o->cur;
	l->step = o->step;
	l->left = o->left;
	if (l->loudness) {
		memcpy(l->st, o->st, (size_t)op->nch * 4 * sizeof(double));
		loudness_design(l, l->cur);
	}
}

static void level_free(struct uacdsp_op *op)
{
	free(((struct level_op *)op)->st);
	uacdsp_op_free_common(op);
	free(op);
}

static const struct uacdsp_op_ops level_ops = {
	.name = "Level",
	.process = level_process,
	.inherit = level_inherit,
	.transition = level_inherit,	/* continue the ramp from where it is */
	.free = level_free,
};

int uacdsp_op_level_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			const struct uacdsp_filter_cfg *f, const unsigned *ch,
			unsigned nch, const char *slot, char *err, size_t errlen)
{
	struct level_op *l = calloc(1, sizeof(*l));
	enum uacdsp_fader fader;
	double ramp_ms;
	char chs[400];

	if (!l)
		return -ENOMEM;
	l->op.ops = &level_ops;
	l->op.chain = c;
	memcpy(l->op.ch, ch, nch * sizeof(*ch));
	l->op.nch = nch;
	l->loudness = f->kind == UACDSP_F_LOUDNESS;
	if (l->loudness) {
		ramp_ms = f->u.loudness.ramp_time;
		fader = f->u.loudness.fader;
		l->ref = f->u.loudness.reference_level;
		l->low_boost = f->u.loudness.low_boost;
		l->high_boost = f->u.loudness.high_boost;
		l->att_mid = f->u.loudness.attenuate_mid;
		l->st = calloc((size_t)nch * 4, sizeof(double));
		if (!l->st) {
			level_free(&l->op);
			return -ENOMEM;
		}
	} else {
		ramp_ms = f->u.volume.ramp_time;
		fader = f->u.volume.fader;
		l->limit_db = f->u.volume.limit;
	}
	l->fader = (unsigned)fader;
	c->faders_used |= 1u << fader;
	l->ramp_len = (unsigned)(ramp_ms / 1000.0 * c->rate);
	l->seen_db = uacdsp_chain_fader(c, l->fader);
	l->cur = level_target(l, l->seen_db);
	if (l->loudness)
		loudness_design(l, l->cur);

	uacdsp_fmt_channels(chs, sizeof(chs), ch, nch);
	if (l->loudness)
		l->op.desc = uacdsp_strdupf("Loudness '%s' on channels %s: reference %.6g dB, "
					    "boost low %.6g dB / high %.6g dB%s, fader %s, "
					    "ramp %.6g ms", f->name, chs, l->ref, l->low_boost,
					    l->high_boost, l->att_mid ? " (as mid cut)" : "",
					    fader_names[fader], ramp_ms);
	else
		l->op.desc = uacdsp_strdupf("Volume '%s' on channels %s: follows fader %s, "
					    "limit %.6g dB, ramp %.6g ms", f->name, chs,
					    fader_names[fader], l->limit_db, ramp_ms);
	l->op.key = uacdsp_strdupf("%s|%s", f->name, l->op.desc ? l->op.desc : "");
	l->op.slot = strdup(slot);
	(void)cfg;
	(void)err;
	(void)errlen;
	return uacdsp_chain_add(c, &l->op);
}

/* ---- Compressor --------------------------------------------------------- */

struct comp_op {
	struct uacdsp_op op;
	unsigned mon[UACDSP_MAX_CHANNELS], nmon;
	double ca, cr, threshold, ratio, makeup;
	float clip;
	bool soft, has_clip;
	double env;		/* dB */
};

/* rt */
static void comp_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct comp_op *k = (struct comp_op *)op;
	unsigned i, c;

	for (i = 0; i < frames; i++) {
		double peak = 0.0, db, g;

		for (c = 0; c < k->nmon; c++) {
			double v = fabs(bufs[k->mon[c]][i]);

			if (v > peak)
				peak = v;
		}
		db = 20.0 * log10(peak + 1e-30);
		if (db > k->env)
			k->env = k->ca * k->env + (1.0 - k->ca) * db;
		else
			k->env = k->cr * k->env + (1.0 - k->cr) * db;
		g = k->makeup;
		if (k->env > k->threshold)
			g -= (k->env - k->threshold) * k->ratio;
		g = pow(10.0, g / 20.0);
		for (c = 0; c < op->nch; c++) {
			float *b = &bufs[op->ch[c]][i];
			float v = (float)(*b * g);

			if (k->has_clip)
				v = k->soft ? uacdsp_soft_clip(v, k->clip) :
				    fminf(fmaxf(v, -k->clip), k->clip);
			*b = v;
		}
	}
}

static void comp_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	((struct comp_op *)op)->env = ((const struct comp_op *)oldop)->env;
}

static void comp_free(struct uacdsp_op *op)
{
	uacdsp_op_free_common(op);
	free(op);
}

static const struct uacdsp_op_ops comp_ops = {
	.name = "Compressor",
	.process = comp_process,
	.inherit = comp_inherit,
	.transition = comp_inherit,
	.free = comp_free,
};

int uacdsp_op_compressor_new(struct uacdsp_chain *c, const struct uacdsp_processor_cfg *pc,
			     const char *slot)
{
	struct comp_op *k = calloc(1, sizeof(*k));
	char chs[400], mons[400];

	if (!k)
		return -ENOMEM;
	k->op.ops = &comp_ops;
	k->op.chain = c;
	memcpy(k->op.ch, pc->process, pc->nprocess * sizeof(unsigned));
	k->op.nch = pc->nprocess;
	memcpy(k->mon, pc->monitor, pc->nmonitor * sizeof(unsigned));
	k->nmon = pc->nmonitor;
	k->ca = exp(-1.0 / (pc->attack * c->rate));
	k->cr = exp(-1.0 / (pc->release * c->rate));
	k->threshold = pc->threshold;
	k->ratio = 1.0 - 1.0 / pc->factor;
	k->makeup = pc->makeup_gain;
	k->has_clip = pc->has_clip;
	k->clip = (float)pow(10.0, pc->clip_limit / 20.0);
	k->soft = pc->soft_clip;
	k->env = -200.0;
	uacdsp_fmt_channels(chs, sizeof(chs), k->op.ch, k->op.nch);
	uacdsp_fmt_channels(mons, sizeof(mons), k->mon, k->nmon);
	k->op.desc = uacdsp_strdupf("Compressor '%s': monitor %s, process %s, threshold "
				    "%.6g dB, factor %.6g, attack %.6g s, release %.6g s, "
				    "makeup %.6g dB", pc->name, mons, chs, pc->threshold,
				    pc->factor, pc->attack, pc->release, pc->makeup_gain);
	k->op.key = uacdsp_strdupf("%s|%s|%a|%d", pc->name, k->op.desc ? k->op.desc : "",
				   pc->clip_limit, pc->soft_clip);
	k->op.slot = strdup(slot);
	return uacdsp_chain_add(c, &k->op);
}
