/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the chain: a compiled chain is a flat array of ops.  Each op kind
 * implements struct uacdsp_op_ops; constructors run on the control thread
 * and allocate everything the op will ever need, process() runs on the RT
 * thread and allocates nothing.
 */
#ifndef UACDSP_CHAIN_H
#define UACDSP_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "dsp/dsp-config.h"
#include "dsp/uacdsp.h"

#define UACDSP_FADE_MS	10.0	/* crossfade for a changed filter on reload */

struct uacdsp_op;

struct uacdsp_op_ops {
	const char *name;
	/* rt */
	void (*process)(struct uacdsp_op *op, float *const *bufs, unsigned frames);
	/* control: take over the running state of an identical op (same key) */
	void (*inherit)(struct uacdsp_op *op, const struct uacdsp_op *old);
	/*
	 * control, optional: old has the same place in the pipeline but other
	 * parameters; arrange a click-free transition from it
	 */
	void (*transition)(struct uacdsp_op *op, const struct uacdsp_op *old);
	void (*free)(struct uacdsp_op *op);
};

struct uacdsp_op {
	const struct uacdsp_op_ops *ops;
	struct uacdsp_chain *chain;
	char *key;		/* identity for inherit: kind, parameters, channels */
	char *slot;		/* place in the pipeline: step and filter names */
	char *desc;		/* one line for describe() */
	unsigned ch[UACDSP_MAX_CHANNELS];
	unsigned nch;
};

struct uacdsp_chain {
	unsigned rate, max_frames;
	unsigned in, out, maxch;
	struct uacdsp_op **ops;
	unsigned nops, capops;
	float *scratch;		/* maxch * max_frames, for mixers */
	float fader_db[UACDSP_FADERS];	/* [0] Main = the volume; atomic access only */
	unsigned faders_used;	/* bit f: a Volume/Loudness filter follows fader f */
	char *header;
};

/* Append op to c; on failure op is freed. */
int uacdsp_chain_add(struct uacdsp_chain *c, struct uacdsp_op *op);

/* Helpers for op constructors: set key/slot/desc with printf formats. */
__attribute__((format(printf, 1, 2)))
char *uacdsp_strdupf(const char *fmt, ...);
void uacdsp_op_free_common(struct uacdsp_op *op);

/* Append channel list "0,1,2" to a string buffer. */
void uacdsp_fmt_channels(char *buf, size_t len, const unsigned *ch, unsigned n);

/* rt: the current level of a fader in dB (any thread may have set it). */
static inline float uacdsp_chain_fader(const struct uacdsp_chain *c, unsigned fader)
{
	float v;

	__atomic_load(&c->fader_db[fader], &v, __ATOMIC_RELAXED);
	return v;
}

/* rt: the current volume (fader Main) in dB. */
static inline float uacdsp_chain_volume(const struct uacdsp_chain *c)
{
	return uacdsp_chain_fader(c, 0);
}

/* Constructors (control thread).  ch/nch: the channels the op works on. */
int uacdsp_op_biquad_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			 const struct uacdsp_filter_cfg *const *f, unsigned nf,
			 const unsigned *ch, unsigned nch, const char *slot,
			 char *err, size_t errlen);
int uacdsp_op_filter_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
			 const struct uacdsp_filter_cfg *f, const unsigned *ch,
			 unsigned nch, const char *slot, char *err, size_t errlen);
int uacdsp_op_mixer_new(struct uacdsp_chain *c, const struct uacdsp_mixer_cfg *m,
			const char *slot);
int uacdsp_op_conv_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
		       const struct uacdsp_filter_cfg *f, const unsigned *ch,
		       unsigned nch, const char *slot, char *err, size_t errlen);
int uacdsp_op_compressor_new(struct uacdsp_chain *c, const struct uacdsp_processor_cfg *pc,
			     const char *slot);

#endif /* UACDSP_CHAIN_H */
