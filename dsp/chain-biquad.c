/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Biquad cascades, vectorised across channels.
 *
 * A Filter step applies the same filters to each of its channels, so the
 * recursion of channel 0 and channel 1 are independent copies of the same
 * arithmetic with the same coefficients.  We transpose the block into a
 * frame-major double buffer whose rows are padded to a multiple of 4
 * channels, then run each section over the whole block with 4 channels per
 * vector (GCC vector extensions; an AVX2+FMA clone is picked at load time
 * where the CPU has it, plain SSE2 otherwise).  Two 4-channel groups are
 * run in the same loop when there are 8 or more channels, so the two
 * dependency chains overlap.  The single-sample recursion is latency bound
 * (y depends on s1, which depends on the previous y), which is why the
 * parallelism has to come from channels and not from samples.
 *
 * Precision: state and coefficients are double; the block is converted
 * from float once on the way in and once on the way out.  That keeps a
 * 20 Hz, Q 10 peaking filter at 192 kHz exact to far better than 0.01 dB,
 * which a float transposed direct form II would not be.
 *
 * Form: transposed direct form II,
 *	y  = b0 x + s1
 *	s1 = b1 x - a1 y + s2
 *	s2 = b2 x - a2 y
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/chain.h"
#include "dsp/config-internal.h"

typedef double v4d __attribute__((vector_size(32)));

struct bq_op {
	struct uacdsp_op op;
	unsigned nsec;
	unsigned np;			/* channels rounded up to 4 */
	struct uacdsp_bq_coef *coef;
	double *state;			/* [nsec][2][np] */
	double *work;			/* [max_frames][np], 32-byte aligned */
	/* crossfade from the cascade this one replaced (reload) */
	struct {
		struct uacdsp_bq_coef *coef;
		unsigned nsec;
		double *state;
		double *work;
		unsigned len, pos;
	} fade;
};

#define splat(d) ((v4d){ (d), (d), (d), (d) })

/* rt */
__attribute__((target_clones("arch=x86-64-v3", "default")))
static void run_cascade(double *work, unsigned frames, unsigned np,
			const struct uacdsp_bq_coef *coef, unsigned nsec, double *state)
{
	unsigned s, g, i;

	for (s = 0; s < nsec; s++) {
		const v4d b0 = splat(coef[s].b0), b1 = splat(coef[s].b1), b2 = splat(coef[s].b2);
		const v4d a1 = splat(coef[s].a1), a2 = splat(coef[s].a2);
		double *st = state + (size_t)s * 2 * np;

		for (g = 0; g + 8 <= np; g += 8) {
			v4d s1a, s2a, s1b, s2b;

			memcpy(&s1a, st + g, sizeof(v4d));
			memcpy(&s2a, st + np + g, sizeof(v4d));
			memcpy(&s1b, st + g + 4, sizeof(v4d));
			memcpy(&s2b, st + np + g + 4, sizeof(v4d));
			for (i = 0; i < frames; i++) {
				v4d *px = (v4d *)(work + (size_t)i * np + g);
				v4d xa = px[0], xb = px[1];
				v4d ya = b0 * xa + s1a;
				v4d yb = b0 * xb + s1b;

				s1a = b1 * xa - a1 * ya + s2a;
				s1b = b1 * xb - a1 * yb + s2b;
				s2a = b2 * xa - a2 * ya;
				s2b = b2 * xb - a2 * yb;
				px[0] = ya;
				px[1] = yb;
			}
			memcpy(st + g, &s1a, sizeof(v4d));
			memcpy(st + np + g, &s2a, sizeof(v4d));
			memcpy(st + g + 4, &s1b, sizeof(v4d));
			memcpy(st + np + g + 4, &s2b, sizeof(v4d));
		}
		for (; g < np; g += 4) {
			v4d s1, s2;

			memcpy(&s1, st + g, sizeof(v4d));
			memcpy(&s2, st + np + g, sizeof(v4d));
			for (i = 0; i < frames; i++) {
				v4d *px = (v4d *)(work + (size_t)i * np + g);
				v4d x = *px;
				v4d y = b0 * x + s1;

				s1 = b1 * x - a1 * y + s2;
				s2 = b2 * x - a2 * y;
				*px = y;
			}
			memcpy(st + g, &s1, sizeof(v4d));
			memcpy(st + np + g, &s2, sizeof(v4d));
		}
	}
}

/* rt: keep decaying state out of the (slow) subnormal range */
static void flush_state(double *state, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fabs(state[i]) < 1e-250)
			state[i] = 0.0;
}

/* rt */
static void bq_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct bq_op *b = (struct bq_op *)op;
	unsigned np = b->np, c, i;

	for (c = 0; c < op->nch; c++) {
		const float *in = bufs[op->ch[c]];

		for (i = 0; i < frames; i++)
			b->work[(size_t)i * np + c] = in[i];
	}
	if (b->fade.pos < b->fade.len)
		memcpy(b->fade.work, b->work, (size_t)frames * np * sizeof(double));
	run_cascade(b->work, frames, np, b->coef, b->nsec, b->state);
	flush_state(b->state, (size_t)b->nsec * 2 * np);

	if (b->fade.pos < b->fade.len) {
		run_cascade(b->fade.work, frames, np, b->fade.coef, b->fade.nsec, b->fade.state);
		for (i = 0; i < frames; i++) {
			unsigned pos = b->fade.pos + i;
			double g = pos >= b->fade.len ? 1.0 : (double)pos / b->fade.len;

			for (c = 0; c < np; c++) {
				size_t k = (size_t)i * np + c;

				b->work[k] = b->fade.work[k] + g * (b->work[k] - b->fade.work[k]);
			}
		}
		b->fade.pos += frames;
	}

	for (c = 0; c < op->nch; c++) {
		float *out = bufs[op->ch[c]];

		for (i = 0; i < frames; i++)
			out[i] = (float)b->work[(size_t)i * np + c];
	}
}

static void bq_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct bq_op *b = (struct bq_op *)op;
	const struct bq_op *o = (const struct bq_op *)oldop;

	if (o->nsec == b->nsec && o->np == b->np)
		memcpy(b->state, o->state, (size_t)b->nsec * 2 * b->np * sizeof(double));
}

static void bq_transition(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct bq_op *b = (struct bq_op *)op;
	const struct bq_op *o = (const struct bq_op *)oldop;
	size_t sn = (size_t)o->nsec * 2 * b->np;

	if (o->np != b->np || memcmp(o->op.ch, b->op.ch, b->op.nch * sizeof(unsigned)))
		return;
	b->fade.coef = malloc(o->nsec * sizeof(*b->fade.coef));
	b->fade.state = malloc(sn * sizeof(double));
	b->fade.work = aligned_alloc(32, (size_t)op->chain->max_frames * b->np * sizeof(double));
	if (!b->fade.coef || !b->fade.state || !b->fade.work)
		return;		/* no fade: freed with the op */
	memcpy(b->fade.coef, o->coef, o->nsec * sizeof(*b->fade.coef));
	memcpy(b->fade.state, o->state, sn * sizeof(double));
	b->fade.nsec = o->nsec;
	/* the new cascade starts from the old state too when it has the same shape */
	if (o->nsec == b->nsec)
		memcpy(b->state, o->state, sn * sizeof(double));
	b->fade.len = (unsigned)(op->chain->rate * UACDSP_FADE_MS / 1000.0);
	b->fade.pos = 0;
}

static void bq_free(struct uacdsp_op *op)
{
	struct bq_op *b = (struct bq_op *)op;

	uacdsp_op_free_common(op);
	free(b->coef);
	free(b->state);
	free(b->work);
	free(b->fade.coef);
	free(b->fade.state);
	free(b->fade.work);
	free(b);
}

static const struct uacdsp_op_ops bq_ops = {
	.name = "Biquad",
	.process = bq_process,
	.inherit = bq_inherit,
	.transition = bq_transition,
	.free = bq_free,
};

int uacdsp_op_biquad_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			 const struct uacdsp_filter_cfg *const *f, unsigned nf,
			 const unsigned *ch, unsigned nch, const char *slot,
			 char *err, size_t errlen)
{
	char chs[400], names[400], *key = NULL;
	size_t used = 0, klen;
	unsigned i, total = 0;
	struct bq_op *b;
	int n;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->op.ops = &bq_ops;
	b->op.chain = c;
	memcpy(b->op.ch, ch, nch * sizeof(*ch));
	b->op.nch = nch;
	b->np = (nch + 3) / 4 * 4;
	b->coef = calloc((size_t)nf * UACDSP_MAX_COMBO, sizeof(*b->coef));
	if (!b->coef)
		goto err_free;
	names[0] = '\0';
	for (i = 0; i < nf; i++) {
		n = uacdsp_filter_sections(f[i], c->rate, b->coef + total,
					   (unsigned)(nf * UACDSP_MAX_COMBO - total));
		if (n < 0) {
			/* uacdsp_filter_check() passed, so this is memory or a bug */
			uacdsp_err_at(err, errlen, cfg->filename, f[i]->fpos,
				      "filter '%s': cannot design at %u Hz", f[i]->name, c->rate);
			bq_free(&b->op);
			return -EINVAL;
		}
		total += (unsigned)n;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 i ? ", " : "", f[i]->name);
	}
	b->nsec = total;
	b->state = calloc((size_t)(total ? total : 1) * 2 * b->np, sizeof(double));
	b->work = aligned_alloc(32, (size_t)c->max_frames * b->np * sizeof(double));
	if (!b->state || !b->work)
		goto err_free;
	memset(b->work, 0, (size_t)c->max_frames * b->np * sizeof(double));

	uacdsp_fmt_channels(chs, sizeof(chs), ch, nch);
	klen = 64 + strlen(chs) + (size_t)total * 5 * 26;
	key = malloc(klen);
	if (!key)
		goto err_free;
	used = (size_t)snprintf(key, klen, "Biquad ch=%s", chs);
	for (i = 0; i < total && used < klen; i++)
		used += (size_t)snprintf(key + used, klen - used, " %a %a %a %a %a",
					 b->coef[i].b0, b->coef[i].b1, b->coef[i].b2,
					 b->coef[i].a1, b->coef[i].a2);
	b->op.key = key;
	b->op.slot = strdup(slot);
	b->op.desc = uacdsp_strdupf("Biquad cascade [%s]: %u section%s on channel%s %s "
				    "(double, %u-lane vectors)", names, total,
				    total == 1 ? "" : "s", nch == 1 ? "" : "s", chs, b->np);
	return uacdsp_chain_add(c, &b->op);

err_free:
	bq_free(&b->op);
	return -ENOMEM;
}
