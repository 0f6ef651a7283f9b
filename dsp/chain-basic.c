/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The small filters: Gain, Delay, Limiter, DiffEq, Dither, and the Mixer.
 *
 * Each is a few lines of per-sample arithmetic over the op's channels.
 * Gain ramps (UACDSP_FADE_MS) when a reload changes it so a changed gain
 * never clicks; Delay keeps one power-of-two ring per channel and, with
 * `subsample: true`, realises the fractional part with a first-order
 * Thiran allpass (exactly flat magnitude, group delay = the fraction at low
 * frequencies).  Dither quantises to `bits` with TPDF noise, shaped by
 * error feedback through a noise transfer function designed at build time
 * (dsp/dither-design.c); the noise generator is a xorshift per op, so the
 * RT thread never calls rand().
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/chain.h"
#include "dsp/config-internal.h"
#include "dsp/chain-level.h"
#include "dsp/dither-design.h"

/* ---- Gain --------------------------------------------------------------- */

struct gain_op {
	struct uacdsp_op op;
	float gain, cur, step;
	unsigned ramp_left;
};

/* rt */
static void gain_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct gain_op *g = (struct gain_op *)op;
	unsigned c, i;

	if (g->ramp_left) {
		unsigned n = frames < g->ramp_left ? frames : g->ramp_left;
		float start = g->cur;

		for (c = 0; c < op->nch; c++) {
			float *b = bufs[op->ch[c]], v = start;

			for (i = 0; i < n; i++) {
				v += g->step;
				b[i] *= v;
			}
			for (; i < frames; i++)
				b[i] *= g->gain;
		}
		g->ramp_left -= n;
		g->cur = g->ramp_left ? start + g->step * n : g->gain;
		return;
	}
	for (c = 0; c < op->nch; c++) {
		float *b = bufs[op->ch[c]];

		for (i = 0; i < frames; i++)
			b[i] *= g->gain;
	}
}

static void gain_transition(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct gain_op *g = (struct gain_op *)op;
	const struct gain_op *o = (const struct gain_op *)oldop;
	unsigned n = (unsigned)(op->chain->rate * UACDSP_FADE_MS / 1000.0);

	if (memcmp(o->op.ch, op->ch, op->nch * sizeof(unsigned)) || !n)
		return;
	g->cur = o->cur;
	g->step = (g->gain - g->cur) / n;
	g->ramp_left = n;
}

static void plain_free(struct uacdsp_op *op)
{
	uacdsp_op_free_common(op);
	free(op);
}

static const struct uacdsp_op_ops gain_ops = {
	.name = "Gain",
	.process = gain_process,
	.transition = gain_transition,
	.free = plain_free,
};

/* ---- Delay -------------------------------------------------------------- */

struct delay_op {
	struct uacdsp_op op;
	unsigned n;		/* integer part */
	double a;		/* Thiran coefficient, 0 when integer only */
	bool frac;
	size_t mask;
	size_t w;
	float *ring;		/* [nch][mask + 1] */
	double *ap;		/* [nch][2]: x1, y1 */
};

/* rt */
static void delay_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct delay_op *d = (struct delay_op *)op;
	size_t len = d->mask + 1;
	unsigned c, i;

	for (c = 0; c < op->nch; c++) {
		float *b = bufs[op->ch[c]];
		float *r = d->ring + c * len;
		size_t w = d->w;

		for (i = 0; i < frames; i++, w++) {
			r[w & d->mask] = b[i];
			b[i] = r[(w - d->n) & d->mask];
		}
		if (d->frac) {
			double x1 = d->ap[2 * c], y1 = d->ap[2 * c + 1], a = d->a;

			for (i = 0; i < frames; i++) {
				double x = b[i];
				double y = a * x + x1 - a * y1;

				x1 = x;
				y1 = y;
				b[i] = (float)y;
			}
			d->ap[2 * c] = x1;
			d->ap[2 * c + 1] = fabs(y1) < 1e-250 ? 0.0 : y1;
		}
	}
	d->w += frames;
}

static void delay_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct delay_op *d = (struct delay_op *)op;
	const struct delay_op *o = (const struct delay_op *)oldop;

	if (o->mask != d->mask)
		return;
	memcpy(d->ring, o->ring, (d->mask + 1) * op->nch * sizeof(float));
	if (d->frac)
		memcpy(d->ap, o->ap, 2 * op->nch * sizeof(double));
	d->w = o->w;
}

static void delay_free(struct uacdsp_op *op)
{
	struct delay_op *d = (struct delay_op *)op;

	free(d->ring);
	free(d->ap);
	plain_free(op);
}

static const struct uacdsp_op_ops delay_ops = {
	.name = "Delay",
	.process = delay_process,
	.inherit = delay_inherit,
	.free = delay_free,
};

static struct uacdsp_op *delay_new(struct uacdsp_chain *c, const struct uacdsp_filter_cfg *f,
				   unsigned nch, char **what)
{
	double samples = uacdsp_delay_samples(f, c->rate);
	struct delay_op *d = calloc(1, sizeof(*d));
	size_t len = 1;

	if (!d)
		return NULL;
	d->op.ops = &delay_ops;
	if (f->u.delay.subsample && samples - floor(samples) > 1e-9 && samples >= 0.5) {
		double D;

		d->n = (unsigned)floor(samples - 0.5);
		D = samples - d->n;		/* in [0.5, 1.5): Thiran is well behaved */
		d->a = (1.0 - D) / (1.0 + D);
		d->frac = true;
	} else {
		d->n = (unsigned)llround(samples);
	}
	while (len < (size_t)d->n + c->max_frames + 1)
		len <<= 1;
	d->mask = len - 1;
	d->ring = calloc(len * nch, sizeof(float));
	d->ap = calloc(2 * (size_t)nch, sizeof(double));
	if (!d->ring || !d->ap) {
		free(d->ring);
		free(d->ap);
		free(d);
		return NULL;
	}
	if (d->frac)
		*what = uacdsp_strdupf("Delay %.6g samples (%u + Thiran allpass a=%.6f)",
				       samples, d->n, d->a);
	else
		*what = uacdsp_strdupf("Delay %u samples", d->n);
	return &d->op;
}

/* ---- Limiter ------------------------------------------------------------ */

struct limiter_op {
	struct uacdsp_op op;
	float limit;
	bool soft;
};

/* rt */
static void limiter_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct limiter_op *l = (struct limiter_op *)op;
	unsigned c, i;

	for (c = 0; c < op->nch; c++) {
		float *b = bufs[op->ch[c]];

		for (i = 0; i < frames; i++)
			b[i] = l->soft ? uacdsp_soft_clip(b[i], l->limit) :
			       fminf(fmaxf(b[i], -l->limit), l->limit);
	}
}

static const struct uacdsp_op_ops limiter_ops = {
	.name = "Limiter",
	.process = limiter_process,
	.free = plain_free,
};

/* ---- DiffEq ------------------------------------------------------------- */

struct diffeq_op {
	struct uacdsp_op op;
	unsigned na, nb;
	double a[64], b[64];
	double *hist;		/* [nch][2][64]: x then y history, newest first */
};

/* rt */
static void diffeq_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct diffeq_op *d = (struct diffeq_op *)op;
	unsigned c, i, k;

	for (c = 0; c < op->nch; c++) {
		float *buf = bufs[op->ch[c]];
		double *xh = d->hist + (size_t)c * 128, *yh = xh + 64;

		for (i = 0; i < frames; i++) {
			double acc;

			memmove(xh + 1, xh, 63 * sizeof(double));
			xh[0] = buf[i];
			acc = 0.0;
			for (k = 0; k < d->nb; k++)
				acc += d->b[k] * xh[k];
			for (k = 1; k < d->na; k++)
				acc -= d->a[k] * yh[k - 1];
			memmove(yh + 1, yh, 63 * sizeof(double));
			yh[0] = fabs(acc) < 1e-250 ? 0.0 : acc;
			buf[i] = (float)acc;
		}
	}
}

static void diffeq_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	memcpy(((struct diffeq_op *)op)->hist, ((const struct diffeq_op *)oldop)->hist,
	       (size_t)op->nch * 128 * sizeof(double));
}

static void diffeq_free(struct uacdsp_op *op)
{
	free(((struct diffeq_op *)op)->hist);
	plain_free(op);
}

static const struct uacdsp_op_ops diffeq_ops = {
	.name = "DiffEq",
	.process = diffeq_process,
	.inherit = diffeq_inherit,
	.free = diffeq_free,
};

/* ---- Dither ------------------------------------------------------------- */

/*
 * Error feedback: v = x + sum ntf[k] e[n-k] (k >= 1), q = round(v + tpdf),
 * e[n] = q - v, so output - input = NTF(z) e (dsp/dither-design.c explains
 * the design).  Without clipping |e| < 1.5 LSB (1 LSB of TPDF plus half an
 * LSB of rounding); when the output clips, e is the clipped excess, and
 * feeding that back would push the next samples further out, a loop that
 * can run away at full scale.  The fed-back error is therefore clamped to
 * the range it has without clipping, which bounds |output - input| by
 * DITHER_ERR_MAX (1 + 2 sum_k>=1 |ntf[k]|) LSB for any input within full
 * scale, clipped or not.
 */
#define DITHER_ERR_MAX	1.5	/* LSB */
#define DITHER_HIST	64u	/* >= UACDSP_DITHER_MAX_ORDER, power of two */

struct dither_op {
	struct uacdsp_op op;
	enum uacdsp_dither_type type;
	double scale, amplitude;
	uint64_t rng;
	unsigned order;
	double ntf[UACDSP_DITHER_MAX_ORDER + 1];
	/*
	 * per channel: the error history twice over ([2 * DITHER_HIST], newest
	 * at pos, so hist[pos .. pos + order) is contiguous), and the previous
	 * random value of Highpass
	 */
	double *hist;
	unsigned pos[UACDSP_MAX_CHANNELS];
	double prev[UACDSP_MAX_CHANNELS];
};

/* rt: uniform in [0, 1) */
static inline double rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

/* rt */
static void dither_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct dither_op *d = (struct dither_op *)op;
	double top = d->scale - 1.0, bot = -d->scale;
	unsigned c, i, k;

	for (c = 0; c < op->nch; c++) {
		float *b = bufs[op->ch[c]];
		double *h = d->hist + (size_t)c * 2 * DITHER_HIST;
		unsigned pos = d->pos[c];

		for (i = 0; i < frames; i++) {
			double x = b[i] * d->scale, noise = 0.0, q, e;

			switch (d->type) {
			case UACDSP_DITHER_NONE:
				break;
			case UACDSP_DITHER_FLAT:
				/* amplitude: LSB peak to peak, as in CamillaDSP (2 = standard TPDF) */
				noise = 0.5 * d->amplitude * (rnd(&d->rng) - rnd(&d->rng));
				break;
			case UACDSP_DITHER_HIGHPASS: {
				double r = rnd(&d->rng);

				noise = r - d->prev[c];
				d->prev[c] = r;
				break;
			}
			default:	/* error feedback */
				for (k = 0; k < d->order; k++)
					x += d->ntf[k + 1] * h[pos + k];
				noise = rnd(&d->rng) - rnd(&d->rng);
				break;
			}
			q = nearbyint(x + noise);
			if (q > top)
				q = top;
			if (q < bot)
				q = bot;
			if (d->order) {
				e = q - x;
				if (e > DITHER_ERR_MAX)
					e = DITHER_ERR_MAX;
				if (e < -DITHER_ERR_MAX)
					e = -DITHER_ERR_MAX;
				pos = (pos - 1) & (DITHER_HIST - 1);
				h[pos] = h[pos + DITHER_HIST] = e;
			}
			b[i] = (float)(q / d->scale);
		}
		d->pos[c] = pos;
	}
}

static void dither_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct dither_op *d = (struct dither_op *)op;
	const struct dither_op *o = (const struct dither_op *)oldop;

	memcpy(d->hist, o->hist, (size_t)op->nch * 2 * DITHER_HIST * sizeof(double));
	memcpy(d->pos, o->pos, sizeof(d->pos));
	memcpy(d->prev, o->prev, sizeof(d->prev));
	d->rng = o->rng;
}

static void dither_free(struct uacdsp_op *op)
{
	free(((struct dither_op *)op)->hist);
	plain_free(op);
}

static const struct uacdsp_op_ops dither_ops = {
	.name = "Dither",
	.process = dither_process,
	.inherit = dither_inherit,
	.free = dither_free,
};

static struct uacdsp_op *dither_new(struct uacdsp_chain *c, const struct uacdsp_filter_cfg *f,
				    unsigned nch, char **what)
{
	struct dither_op *d = calloc(1, sizeof(*d));
	int order;

	if (!d)
		return NULL;
	d->op.ops = &dither_ops;
	d->type = f->u.dither.type;
	d->scale = ldexp(1.0, (int)(f->u.dither.bits ? f->u.dither.bits : 24) - 1);
	d->amplitude = f->u.dither.amplitude;
	d->rng = 0x9E3779B97F4A7C15ULL;
	order = uacdsp_dither_design(d->type, c->rate, d->ntf);
	if (order < 0)
		goto err_free_op;
	d->order = (unsigned)order;
	d->hist = calloc((size_t)nch * 2 * DITHER_HIST, sizeof(double));
	if (!d->hist)
		goto err_free_op;
	if (d->order)
		*what = uacdsp_strdupf("Dither %s to %u bits (%u-tap noise shaping)",
				       uacdsp_dither_type_name(d->type), f->u.dither.bits, d->order);
	else
		*what = uacdsp_strdupf("Dither %s to %u bits",
				       uacdsp_dither_type_name(d->type), f->u.dither.bits);
	return &d->op;

err_free_op:
	free(d);
	return NULL;
}

/* ---- dispatch ----------------------------------------------------------- */

/* FNV-1a over the parameters that the description does not spell out */
static uint64_t params_hash(const struct uacdsp_filter_cfg *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;
	size_t n = 0, i;

	if (f->kind == UACDSP_F_DIFFEQ) {
		for (i = 0; i < 2; i++) {
			p = (const unsigned char *)(i ? f->u.diffeq.b : f->u.diffeq.a);
			n = (i ? f->u.diffeq.nb : f->u.diffeq.na) * sizeof(double);
			for (; n; n--, p++)
				h = (h ^ *p) * 0x100000001b3ULL;
		}
	} else if (f->kind == UACDSP_F_DITHER) {
		h ^= (uint64_t)f->u.dither.type << 32 ^ (uint64_t)llround(f->u.dither.amplitude * 1e6);
	}
	return h;
}

int uacdsp_op_filter_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			 const struct uacdsp_filter_cfg *f, const unsigned *ch,
			 unsigned nch, const char *slot, char *err, size_t errlen)
{
	struct uacdsp_op *op = NULL;
	char *what = NULL, chs[400];
	unsigned k;

	switch (f->kind) {
	case UACDSP_F_GAIN: {
		struct gain_op *g = calloc(1, sizeof(*g));
		double v;

		if (!g)
			return -ENOMEM;
		g->op.ops = &gain_ops;
		v = f->u.gain.linear ? f->u.gain.gain : pow(10.0, f->u.gain.gain / 20.0);
		if (f->u.gain.inverted)
			v = -v;
		if (f->u.gain.mute)
			v = 0.0;
		g->gain = g->cur = (float)v;
		what = uacdsp_strdupf("Gain %.9g (x%.9g)", f->u.gain.gain, v);
		op = &g->op;
		break;
	}
	case UACDSP_F_DELAY:
		op = delay_new(c, f, nch, &what);
		break;
	case UACDSP_F_LIMITER: {
		struct limiter_op *l = calloc(1, sizeof(*l));

		if (!l)
			return -ENOMEM;
		l->op.ops = &limiter_ops;
		l->limit = (float)pow(10.0, f->u.limiter.clip_limit / 20.0);
		l->soft = f->u.limiter.soft_clip;
		what = uacdsp_strdupf("Limiter %s at %.6g dB", l->soft ? "soft" : "hard",
				      f->u.limiter.clip_limit);
		op = &l->op;
		break;
	}
	case UACDSP_F_DIFFEQ: {
		struct diffeq_op *d = calloc(1, sizeof(*d));

		if (!d)
			return -ENOMEM;
		d->op.ops = &diffeq_ops;
		d->na = f->u.diffeq.na ? f->u.diffeq.na : 1;
		d->nb = f->u.diffeq.nb ? f->u.diffeq.nb : 1;
		d->a[0] = d->b[0] = 1.0;
		for (k = 0; k < f->u.diffeq.na; k++)
			d->a[k] = f->u.diffeq.a[k];
		for (k = 0; k < f->u.diffeq.nb; k++)
			d->b[k] = f->u.diffeq.b[k];
		for (k = 0; k < d->nb; k++)	/* normalise by a[0] */
			d->b[k] /= d->a[0];
		for (k = d->na; k-- > 0;)
			d->a[k] /= d->a[0];
		d->hist = calloc((size_t)nch * 128, sizeof(double));
		if (!d->hist) {
			free(d);
			return -ENOMEM;
		}
		what = uacdsp_strdupf("DiffEq %u a, %u b coefficients", d->na, d->nb);
		op = &d->op;
		break;
	}
	case UACDSP_F_DITHER:
		op = dither_new(c, f, nch, &what);
		break;
	case UACDSP_F_VOLUME:
	case UACDSP_F_LOUDNESS:
		return uacdsp_op_level_new(c, cfg, f, ch, nch, slot, err, errlen);
	default:
		uacdsp_err_at(err, errlen, cfg->filename, f->pos, "filter '%s': internal error",
			      f->name);
		return -EINVAL;
	}
	if (!op) {
		free(what);
		return -ENOMEM;
	}
	memcpy(op->ch, ch, nch * sizeof(*ch));
	op->nch = nch;
	op->chain = c;
	uacdsp_fmt_channels(chs, sizeof(chs), ch, nch);
	op->slot = strdup(slot);
	op->desc = what ? uacdsp_strdupf("%s '%s' on channels %s", what, f->name, chs) : NULL;
	/* the key: kind + description at full precision + channels */
	op->key = what ? uacdsp_strdupf("%s|%s|%s|%016llx", uacdsp_filter_kind_name(f->kind),
					what, chs, (unsigned long long)params_hash(f)) : NULL;
	free(what);
	return uacdsp_chain_add(c, op);
}

/* ---- Mixer -------------------------------------------------------------- */

struct mixer_op {
	struct uacdsp_op op;
	const struct uacdsp_mixer_cfg *m;	/* copied below; cfg may go away */
	unsigned in, out, nterm;
	struct { unsigned dest, src; float gain; } *term;
};

/* rt */
static void mixer_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct mixer_op *m = (struct mixer_op *)op;
	unsigned mf = op->chain->max_frames, t, i, d;
	float *s = op->chain->scratch;

	memset(s, 0, (size_t)m->out * mf * sizeof(float));
	for (t = 0; t < m->nterm; t++) {
		const float *in = bufs[m->term[t].src];
		float *o = s + (size_t)m->term[t].dest * mf, g = m->term[t].gain;

		for (i = 0; i < frames; i++)
			o[i] += g * in[i];
	}
	for (d = 0; d < m->out; d++)
		memcpy(bufs[d], s + (size_t)d * mf, frames * sizeof(float));
}

static void mixer_free(struct uacdsp_op *op)
{
	free(((struct mixer_op *)op)->term);
	plain_free(op);
}

static const struct uacdsp_op_ops mixer_ops = {
	.name = "Mixer",
	.process = mixer_process,
	.free = mixer_free,
};

int uacdsp_op_mixer_new(struct uacdsp_chain *c, const struct uacdsp_mixer_cfg *mc,
			const char *slot)
{
	struct mixer_op *m = calloc(1, sizeof(*m));
	unsigned i, j, n = 0;
	size_t used = 0, klen;
	char *key;

	if (!m)
		return -ENOMEM;
	m->op.ops = &mixer_ops;
	m->op.chain = c;
	m->in = mc->in;
	m->out = mc->out;
	for (i = 0; i < mc->nmap; i++)
		n += mc->map[i].nsrc;
	m->term = calloc(n ? n : 1, sizeof(*m->term));
	klen = 64 + (size_t)n * 48;
	key = malloc(klen);
	if (!m->term || !key) {
		free(key);
		mixer_free(&m->op);
		return -ENOMEM;
	}
	used = (size_t)snprintf(key, klen, "Mixer %u %u", mc->in, mc->out);
	for (i = 0; i < mc->nmap; i++) {
		for (j = 0; j < mc->map[i].nsrc; j++) {
			if (mc->map[i].src[j].gain == 0.0)
				continue;	/* muted */
			m->term[m->nterm].dest = mc->map[i].dest;
			m->term[m->nterm].src = mc->map[i].src[j].channel;
			m->term[m->nterm].gain = (float)mc->map[i].src[j].gain;
			if (used < klen)
				used += (size_t)snprintf(key + used, klen - used, " %u<%u*%a",
							 mc->map[i].dest, mc->map[i].src[j].channel,
							 mc->map[i].src[j].gain);
			m->nterm++;
		}
	}
	m->op.key = key;
	m->op.slot = strdup(slot);
	m->op.desc = uacdsp_strdupf("Mixer '%s': %u -> %u channels, %u terms", mc->name,
				    mc->in, mc->out, m->nterm);
	return uacdsp_chain_add(c, &m->op);
}
