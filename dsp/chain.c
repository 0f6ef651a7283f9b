/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The chain compiler and the RT entry point.
 *
 * A validated config is compiled, at one sample rate and one maximum block
 * size, into a flat array of ops.  Consecutive Biquad/BiquadCombo filters of
 * a Filter step become one op that runs the whole cascade over all the
 * step's channels at once (chain-biquad.c vectorises across channels); every
 * other filter, mixer and processor is one op.  Bypassed steps compile to
 * nothing.  Everything is allocated here, so uacdsp_chain_process() is a
 * loop over function pointers that touches only preallocated memory.
 *
 * Reload: uacdsp_chain_inherit() is given the running chain.  An op whose key
 * (kind, every parameter at full precision, channel list) matches an op of
 * the old chain takes over its state, so an unchanged filter continues as
 * if nothing happened.  An op that sits in the same place (same step, same
 * filter names) but changed parameters gets the chance to arrange a
 * transition: biquad cascades crossfade from a private copy of the old
 * cascade over UACDSP_FADE_MS, gains ramp from the old value.  The old chain
 * is only read; it may be running concurrently on the RT thread, so what we
 * copy is a snapshot a block or two old, which for filter state is
 * inaudible.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/chain.h"
#include "dsp/config-internal.h"

#define MAX_FRAMES	(1u << 20)

char *uacdsp_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

void uacdsp_fmt_channels(char *buf, size_t len, const unsigned *ch, unsigned n)
{
	size_t used = 0;
	unsigned i;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%u", i ? "," : "", ch[i]);

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

void uacdsp_op_free_common(struct uacdsp_op *op)
{
	free(op->key);
	free(op->slot);
	free(op->desc);
}

int uacdsp_chain_add(struct uacdsp_chain *c, struct uacdsp_op *op)
{
	if (!op->key || !op->slot || !op->desc) {
		op->ops->free(op);
		return -ENOMEM;
	}
	if (c->nops == c->capops) {
		unsigned ncap = c->capops ? c->capops * 2 : 16;
		struct uacdsp_op **n = realloc(c->ops, ncap * sizeof(*n));

		if (!n) {
			op->ops->free(op);
			return -ENOMEM;
		}
		c->ops = n;
		c->capops = ncap;
	}
	op->chain = c;
	c->ops[c->nops++] = op;
	return 0;
}

static bool is_biquad(const struct uacdsp_filter_cfg *f)
{
	return f->kind == UACDSP_F_BIQUAD || f->kind == UACDSP_F_BIQUADCOMBO;
}

static int compile_filter_step(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			       const struct uacdsp_step_cfg *st, unsigned stepno,
			       char *err, size_t errlen)
{
	const struct uacdsp_filter_cfg *run[256];
	char slot[512];
	unsigned i = 0, n;
	int ret;

	if (st->nchannels == 0)
		return 0;
	while (i < st->nfilters) {
		const struct uacdsp_filter_cfg *f = &cfg->filters[st->filters[i]];

		if (is_biquad(f)) {
			size_t used;

			n = 0;
			used = (size_t)snprintf(slot, sizeof(slot), "step %u:", stepno);
			while (i < st->nfilters && n < 256 &&
			       is_biquad(&cfg->filters[st->filters[i]])) {
				run[n] = &cfg->filters[st->filters[i]];
				if (used < sizeof(slot))
					used += (size_t)snprintf(slot + used, sizeof(slot) - used,
								 " %s", run[n]->name);
				n++;
				i++;
			}
			ret = uacdsp_op_biquad_new(c, cfg, run, n, st->channels, st->nchannels,
						   slot, err, errlen);
		} else {
			snprintf(slot, sizeof(slot), "step %u: %s #%u", stepno, f->name, i);
			if (f->kind == UACDSP_F_CONV)
				ret = uacdsp_op_conv_new(c, cfg, f, st->channels, st->nchannels,
							 slot, err, errlen);
			else
				ret = uacdsp_op_filter_new(c, cfg, f, st->channels, st->nchannels,
							   slot, err, errlen);
			i++;
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

int uacdsp_chain_new(const struct uacdsp_config *cfg, unsigned rate,
		     unsigned max_frames, struct uacdsp_chain **out,
		     char *err, size_t errlen)
{
	struct uacdsp_chain *c;
	unsigned i, maxch;
	char slot[64];
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (!rate)
		rate = cfg->samplerate;
	if (rate < 1000 || rate > UACDSP_MAX_RATE || max_frames == 0 || max_frames > MAX_FRAMES) {
		uacdsp_err_at(err, errlen, cfg->filename, cfg->rate_pos,
			      "cannot build a chain for %u Hz and %u frames (limits 1000..%u Hz, "
			      "1..%u frames)", rate, max_frames, UACDSP_MAX_RATE, MAX_FRAMES);
		return -EINVAL;
	}
	for (i = 0; i < cfg->nfilters; i++) {
		ret = uacdsp_filter_check(cfg, &cfg->filters[i], rate, err, errlen);
		if (ret < 0)
			return ret;
	}

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->rate = rate;
	c->max_frames = max_frames;
	c->in = cfg->capture_channels;
	c->out = cfg->playback_channels;
	maxch = c->in > c->out ? c->in : c->out;
	for (i = 0; i < cfg->nsteps; i++)
		if (cfg->steps[i].out > maxch)
			maxch = cfg->steps[i].out;
	c->maxch = maxch;
	c->scratch = calloc((size_t)maxch * max_frames, sizeof(float));
	if (!c->scratch) {
		ret = -ENOMEM;
		goto err_free_chain;
	}

	for (i = 0; i < cfg->nsteps; i++) {
		const struct uacdsp_step_cfg *st = &cfg->steps[i];

		if (st->bypassed)
			continue;
		switch (st->type) {
		case UACDSP_STEP_FILTER:
			ret = compile_filter_step(c, cfg, st, i + 1, err, errlen);
			break;
		case UACDSP_STEP_MIXER:
			snprintf(slot, sizeof(slot), "step %u: mixer", i + 1);
			ret = uacdsp_op_mixer_new(c, &cfg->mixers[st->index], slot);
			break;
		case UACDSP_STEP_PROCESSOR:
			snprintf(slot, sizeof(slot), "step %u: processor", i + 1);
			ret = uacdsp_op_compressor_new(c, &cfg->processors[st->index], slot);
			break;
		default:
			ret = -EINVAL;
			break;
		}
		if (ret < 0)
			goto err_free_chain;
	}
	c->header = uacdsp_strdupf("pipeline: %u Hz, %u -> %u channels (%u max), "
				   "blocks up to %u frames, %u ops",
				   rate, c->in, c->out, c->maxch, max_frames, c->nops);
	if (!c->header) {
		ret = -ENOMEM;
		goto err_free_chain;
	}
	*out = c;
	return 0;

err_free_chain:
	if (ret == -ENOMEM && err && errlen && !err[0])
		uacdsp_err_at(err, errlen, cfg->filename, (struct uacdsp_pos){ 1, 1 },
			      "out of memory building the chain");
	uacdsp_chain_free(c);
	return ret;
}

unsigned uacdsp_chain_in_channels(const struct uacdsp_chain *c)
{
	return c->in;
}

unsigned uacdsp_chain_out_channels(const struct uacdsp_chain *c)
{
	return c->out;
}

unsigned uacdsp_chain_max_channels(const struct uacdsp_chain *c)
{
	return c->maxch;
}

/* rt */
void uacdsp_chain_process(struct uacdsp_chain *c, float *const *bufs, unsigned frames)
{
	unsigned i;

	if (frames > c->max_frames)
		frames = c->max_frames;	/* contract violation; never overrun */
	for (i = 0; i < c->nops; i++)
		c->ops[i]->ops->process(c->ops[i], bufs, frames);
}

void uacdsp_chain_inherit(struct uacdsp_chain *newc, const struct uacdsp_chain *old)
{
	bool used[4096] = { false };
	unsigned i, j;

	if (!old)
		return;
	for (i = 0; i < UACDSP_FADERS; i++)
		uacdsp_chain_set_fader(newc, i, uacdsp_chain_fader(old, i));
	for (i = 0; i < newc->nops; i++) {
		struct uacdsp_op *op = newc->ops[i];
		const struct uacdsp_op *match = NULL;

		for (j = 0; j < old->nops && j < 4096; j++) {
			if (!used[j] && old->ops[j]->ops == op->ops &&
			    !strcmp(old->ops[j]->key, op->key)) {
				match = old->ops[j];
				used[j] = true;
				break;
			}
		}
		if (match) {
			if (op->ops->inherit)
				op->ops->inherit(op, match);
			continue;
		}
		for (j = 0; j < old->nops && j < 4096; j++) {
			if (!used[j] && old->ops[j]->ops == op->ops &&
			    !strcmp(old->ops[j]->slot, op->slot)) {
				match = old->ops[j];
				used[j] = true;
				break;
			}
		}
		if (match && op->ops->transition)
			op->ops->transition(op, match);
	}
}

void uacdsp_chain_set_volume(struct uacdsp_chain *c, float db)
{
	__atomic_store(&c->fader_db[0], &db, __ATOMIC_RELAXED);
}

int uacdsp_chain_set_fader(struct uacdsp_chain *c, unsigned fader, float db)
{
	if (fader >= UACDSP_FADERS)
		return -EINVAL;
	__atomic_store(&c->fader_db[fader], &db, __ATOMIC_RELAXED);
	return 0;
}

float uacdsp_chain_get_fader(const struct uacdsp_chain *c, unsigned fader)
{
	return fader < UACDSP_FADERS ? uacdsp_chain_fader(c, fader) : 0.0f;
}

unsigned uacdsp_chain_faders_used(const struct uacdsp_chain *c)
{
	return c->faders_used;
}

int uacdsp_chain_describe(const struct uacdsp_chain *c, char *buf, size_t len)
{
	size_t used = 0;
	unsigned i;
	int w;

	if (!buf && len)
		return -EINVAL;
	w = snprintf(buf, len, "%s\n", c->header);
	if (w < 0)
		return -EIO;
	used = (size_t)w;
	for (i = 0; i < c->nops; i++) {
		w = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,
			     "%3u  %s\n", i + 1, c->ops[i]->desc);
		if (w < 0)
			return -EIO;
		used += (size_t)w;
	}
	return (int)used;
}

void uacdsp_chain_free(struct uacdsp_chain *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->nops; i++)
		c->ops[i]->ops->free(c->ops[i]);
	free(c->ops);
	free(c->scratch);
	free(c->header);
	free(c);
}
