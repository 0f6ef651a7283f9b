/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conv: FIR filtering by uniformly partitioned FFT convolution (fftw3f).
 *
 * The impulse response is cut into M partitions of P taps (P =
 * devices.chunksize, the same latency/CPU trade CamillaDSP makes); each is
 * transformed once, zero-padded to 2P, at build time.  At run time the input
 * is transformed block by block (overlap-save, 2P points) into a frequency
 * domain delay line, and block i's output is
 *
 *	y_i = IFFT( X_i H_0 + sum_{j=1}^{M-1} X_{i-j} H_j )   (last P samples)
 *
 * The sum over j >= 1 only involves complete past blocks, so it is computed
 * once when block i starts ("tail").  The X_i H_0 term is recomputed from
 * the partly filled block on every call, which is what makes the filter
 * latency-free for callers whose blocks are not multiples of P (the daemon
 * hands us whatever the USB scheduler produced): a call with n frames
 * costs one forward and one inverse FFT of 2P points, plus the tail MACs
 * once per P frames.  Spectra are stored split (real and imaginary arrays)
 * so the complex multiply-accumulate over M x (P+1) bins vectorises.
 *
 * FFTW plans are made on the control thread under a mutex (the planner is
 * not thread safe); the RT thread only calls fftwf_execute_split_dft_*()
 * on preallocated fftwf_malloc() arrays, which does not allocate.  Split
 * arrays have one more rule for new-array execution than alignment: the
 * distance between the real and imaginary arrays must be the one the plan
 * was made with.  So every split transform reads or writes exactly the
 * x/y scratch pairs of its plan, and results are copied from there into
 * the partition and delay-line rows.
 *
 * Reload: the delay line holds input spectra only, which do not depend on
 * the filter, so a new Conv with the same partition size takes over the
 * old one's input history (as many partitions as both have) and its output
 * is immediately what it would have been had it always run.  When the taps
 * changed, a private copy of the old filter keeps running for
 * UACDSP_FADE_MS on a copy of the input and the output crossfades from it.
 */
#include "config.h"

#include <errno.h>
#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/chain.h"
#include "dsp/config-internal.h"

#define MIN_PART	16u
#define MAX_PART	65536u

static pthread_mutex_t planner_lock = PTHREAD_MUTEX_INITIALIZER;

struct conv_ch {
	float *fdl_re, *fdl_im;		/* [M][nb] past block spectra */
	float *tail_re, *tail_im;	/* [nb] */
	float *in;			/* [2P]: previous block, current block */
	unsigned head;			/* fdl slot of the newest complete block */
};

struct conv_op {
	struct uacdsp_op op;
	unsigned P, M, nb, ntaps;
	unsigned ns;			/* row stride of h/fdl: nb rounded up to 8 (alignment) */
	unsigned fill;			/* frames in the current block */
	bool tail_valid;
	float *h_re, *h_im;		/* [M][nb] */
	float *x_re, *x_im, *y_re, *y_im, *time;	/* scratch */
	struct conv_ch ch[UACDSP_MAX_CHANNELS];
	fftwf_plan fwd, inv;
	bool shared_plans;		/* a fade clone: its owner's plans and scratch */
	/* reload crossfade: the replaced filter keeps running on a copy */
	struct {
		struct conv_op *old;	/* clone of the replaced op, or NULL */
		float *dry;		/* [nch][max_frames] input copy for it */
		unsigned len, pos;
	} fade;
};

/* rt */
__attribute__((target_clones("arch=x86-64-v3", "default")))
static void cmac(float *restrict ar, float *restrict ai, const float *restrict xr,
		 const float *restrict xi, const float *restrict hr,
		 const float *restrict hi, unsigned n)
{
	unsigned k;

	for (k = 0; k < n; k++) {
		ar[k] += xr[k] * hr[k] - xi[k] * hi[k];
		ai[k] += xr[k] * hi[k] + xi[k] * hr[k];
	}
}

/*
 * rt: the tails of all channels for the block that starts now.  Partition
 * outer, channel inner, so H_j is fetched from memory once for all
 * channels: at 65,536 taps the spectra are megabytes and this loop is
 * bound by memory bandwidth, not arithmetic.
 */
static void conv_tails(struct conv_op *v)
{
	unsigned j, c, nb = v->nb, ns = v->ns;

	for (c = 0; c < v->op.nch; c++) {
		memset(v->ch[c].tail_re, 0, nb * sizeof(float));
		memset(v->ch[c].tail_im, 0, nb * sizeof(float));
	}
	for (j = 1; j < v->M; j++) {
		for (c = 0; c < v->op.nch; c++) {
			struct conv_ch *ch = &v->ch[c];
			unsigned slot = (ch->head + v->M - (j - 1)) % v->M;

			cmac(ch->tail_re, ch->tail_im, ch->fdl_re + (size_t)slot * ns,
			     ch->fdl_im + (size_t)slot * ns, v->h_re + (size_t)j * ns,
			     v->h_im + (size_t)j * ns, nb);
		}
	}
}

/* rt: the convolution proper, in place on bufs[ch[c]] */
static void conv_run(struct conv_op *v, float *const *bufs, unsigned frames)
{
	struct uacdsp_op *op = &v->op;
	unsigned P = v->P, nb = v->nb, done = 0, c, k;
	const float norm = 1.0f / (2.0f * (float)P);

	while (done < frames) {
		unsigned take = frames - done;
		bool full;

		if (take > P - v->fill)
			take = P - v->fill;
		full = v->fill + take == P;
		if (!v->tail_valid)
			conv_tails(v);
		for (c = 0; c < op->nch; c++) {
			struct conv_ch *ch = &v->ch[c];
			float *b = bufs[op->ch[c]] + done;

			memcpy(ch->in + P + v->fill, b, take * sizeof(float));
			fftwf_execute_split_dft_r2c(v->fwd, ch->in, v->x_re, v->x_im);
			memcpy(v->y_re, ch->tail_re, nb * sizeof(float));
			memcpy(v->y_im, ch->tail_im, nb * sizeof(float));
			cmac(v->y_re, v->y_im, v->x_re, v->x_im, v->h_re, v->h_im, nb);
			fftwf_execute_split_dft_c2r(v->inv, v->y_re, v->y_im, v->time);
			for (k = 0; k < take; k++)
				b[k] = v->time[P + v->fill + k] * norm;
			if (full) {
				unsigned slot = (ch->head + 1) % v->M;

				memcpy(ch->fdl_re + (size_t)slot * v->ns, v->x_re, nb * sizeof(float));
				memcpy(ch->fdl_im + (size_t)slot * v->ns, v->x_im, nb * sizeof(float));
				ch->head = slot;
				memcpy(ch->in, ch->in + P, P * sizeof(float));
				memset(ch->in + P, 0, P * sizeof(float));
			}
		}
		v->tail_valid = !full;
		v->fill = full ? 0 : v->fill + take;
		done += take;
	}
}

/*
 * rt: during a reload crossfade the replaced filter (a private clone) runs
 * on a copy of the input, and the output moves linearly from its result to
 * the new filter's over UACDSP_FADE_MS.
 */
static void conv_process(struct uacdsp_op *op, float *const *bufs, unsigned frames)
{
	struct conv_op *v = (struct conv_op *)op;
	unsigned mf = op->chain->max_frames, c, i;
	float *dry[UACDSP_MAX_CHANNELS];

	if (v->fade.pos >= v->fade.len) {
		conv_run(v, bufs, frames);
		return;
	}
	for (c = 0; c < op->nch; c++) {
		dry[c] = v->fade.dry + (size_t)c * mf;
		memcpy(dry[c], bufs[op->ch[c]], frames * sizeof(float));
	}
	conv_run(v->fade.old, dry, frames);
	conv_run(v, bufs, frames);
	for (c = 0; c < op->nch; c++) {
		float *b = bufs[op->ch[c]];

		for (i = 0; i < frames; i++) {
			unsigned pos = v->fade.pos + i;
			float g = pos >= v->fade.len ? 1.0f : (float)pos / (float)v->fade.len;

			b[i] = dry[c][i] + g * (b[i] - dry[c][i]);
		}
	}
	v->fade.pos += frames;
}

/*
 * Copy the input history (the past block spectra, which do not depend on
 * the filter, and the current partial block) from o into v, so that v's
 * output is at once what it would be had it always been running.  Works
 * for any two partition counts with the same partition size.
 */
static void conv_copy_history(struct conv_op *v, const struct conv_op *o)
{
	unsigned keep = v->M < o->M ? v->M : o->M, c, j;
	size_t row = v->nb * sizeof(float);

	for (c = 0; c < v->op.nch; c++) {
		struct conv_ch *nc = &v->ch[c];
		const struct conv_ch *oc = &o->ch[c];

		nc->head = keep - 1;
		for (j = 0; j < keep; j++) {
			unsigned ns = (nc->head + v->M - j) % v->M;
			unsigned os = (oc->head + o->M - j) % o->M;

			memcpy(nc->fdl_re + (size_t)ns * v->ns, oc->fdl_re + (size_t)os * o->ns, row);
			memcpy(nc->fdl_im + (size_t)ns * v->ns, oc->fdl_im + (size_t)os * o->ns, row);
		}
		memcpy(nc->in, oc->in, 2 * (size_t)v->P * sizeof(float));
	}
	v->fill = o->fill;
	v->tail_valid = false;
}

static void conv_inherit(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct conv_op *v = (struct conv_op *)op;
	const struct conv_op *o = (const struct conv_op *)oldop;

	if (o->P == v->P && o->op.nch == op->nch)
		conv_copy_history(v, o);
}

static struct conv_op *conv_clone(const struct conv_op *o, struct conv_op *owner);
static void conv_free(struct uacdsp_op *op);

/* a changed Conv in the same place: crossfade from a running copy of it */
static void conv_transition(struct uacdsp_op *op, const struct uacdsp_op *oldop)
{
	struct conv_op *v = (struct conv_op *)op;
	const struct conv_op *o = (const struct conv_op *)oldop;

	if (o->P != v->P || o->op.nch != op->nch ||
	    memcmp(o->op.ch, op->ch, op->nch * sizeof(unsigned)))
		return;
	conv_copy_history(v, o);
	v->fade.dry = fftwf_malloc((size_t)op->nch * op->chain->max_frames * sizeof(float));
	v->fade.old = v->fade.dry ? conv_clone(o, v) : NULL;
	if (!v->fade.old)
		return;		/* no memory: no fade, the history copy still helps */
	v->fade.len = (unsigned)(op->chain->rate * UACDSP_FADE_MS / 1000.0);
	v->fade.pos = 0;
}

static void conv_free(struct uacdsp_op *op)
{
	struct conv_op *v = (struct conv_op *)op;
	unsigned c;

	if (v->fade.old)
		conv_free(&v->fade.old->op);
	fftwf_free(v->fade.dry);
	if (!v->shared_plans) {
		pthread_mutex_lock(&planner_lock);
		if (v->fwd)
			fftwf_destroy_plan(v->fwd);
		if (v->inv)
			fftwf_destroy_plan(v->inv);
		pthread_mutex_unlock(&planner_lock);
	}
	for (c = 0; c < UACDSP_MAX_CHANNELS; c++) {
		fftwf_free(v->ch[c].fdl_re);
		fftwf_free(v->ch[c].fdl_im);
		fftwf_free(v->ch[c].tail_re);
		fftwf_free(v->ch[c].tail_im);
		fftwf_free(v->ch[c].in);
	}
	fftwf_free(v->h_re);
	fftwf_free(v->h_im);
	if (!v->shared_plans) {
		fftwf_free(v->x_re);
		fftwf_free(v->x_im);
		fftwf_free(v->y_re);
		fftwf_free(v->y_im);
		fftwf_free(v->time);
	}
	uacdsp_op_free_common(op);
	free(v);
}

static const struct uacdsp_op_ops conv_ops = {
	.name = "Conv",
	.process = conv_process,
	.inherit = conv_inherit,
	.transition = conv_transition,
	.free = conv_free,
};

/*
 * Control thread: a private copy of o (taps and state) that runs on owner's
 * FFTW plans (same sizes, all arrays from fftwf_malloc, so new-array
 * execution is valid) and on channels 0..nch-1 of the buffers it is given.
 */
static struct conv_op *conv_clone(const struct conv_op *o, struct conv_op *owner)
{
	size_t spec = (size_t)o->M * o->ns * sizeof(float), nb = o->nb;
	struct conv_op *v = calloc(1, sizeof(*v));
	unsigned c;

	if (!v)
		return NULL;
	v->op.ops = &conv_ops;
	v->op.chain = owner->op.chain;
	v->op.nch = o->op.nch;
	for (c = 0; c < v->op.nch; c++)
		v->op.ch[c] = c;
	v->P = o->P;
	v->M = o->M;
	v->nb = o->nb;
	v->ns = o->ns;
	v->ntaps = o->ntaps;
	v->fill = o->fill;
	v->fwd = owner->fwd;
	v->inv = owner->inv;
	v->shared_plans = true;
	/* the spectra scratch is the owner's: the plans only run on the split
	 * arrays they were made with, and the two never run at the same time */
	v->x_re = owner->x_re;
	v->x_im = owner->x_im;
	v->y_re = owner->y_re;
	v->y_im = owner->y_im;
	v->time = owner->time;
	v->h_re = fftwf_malloc(spec);
	v->h_im = fftwf_malloc(spec);
	if (!v->h_re || !v->h_im)
		goto err_free;
	memcpy(v->h_re, o->h_re, spec);
	memcpy(v->h_im, o->h_im, spec);
	for (c = 0; c < v->op.nch; c++) {
		struct conv_ch *cc = &v->ch[c];

		cc->fdl_re = fftwf_malloc(spec);
		cc->fdl_im = fftwf_malloc(spec);
		cc->tail_re = fftwf_malloc(nb * sizeof(float));
		cc->tail_im = fftwf_malloc(nb * sizeof(float));
		cc->in = fftwf_malloc(2 * (size_t)v->P * sizeof(float));
		if (!cc->fdl_re || !cc->fdl_im || !cc->tail_re || !cc->tail_im || !cc->in)
			goto err_free;
		memcpy(cc->fdl_re, o->ch[c].fdl_re, spec);
		memcpy(cc->fdl_im, o->ch[c].fdl_im, spec);
		memcpy(cc->in, o->ch[c].in, 2 * (size_t)v->P * sizeof(float));
		cc->head = o->ch[c].head;
	}
	v->tail_valid = false;
	return v;

err_free:
	conv_free(&v->op);
	return NULL;
}

/* ---- coefficient files -------------------------------------------------- */

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static char *subst(const char *name, unsigned rate, unsigned channels)
{
	char out[4096];
	size_t o = 0;

	while (*name && o < sizeof(out) - 16) {
		if (!strncmp(name, "$samplerate$", 12)) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%u", rate);
			name += 12;
		} else if (!strncmp(name, "$channels$", 10)) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%u", channels);
			name += 10;
		} else {
			out[o++] = *name++;
		}
	}
	out[o] = '\0';
	return strdup(out);
}

/* Appends one tap to v (grown by doubling), at most UACDSP_MAX_TAPS * 2. */
static int push_tap(float **v, size_t *cap, size_t *cnt, double d, const char *path,
		    char *msg, size_t msglen)
{
	if (*cnt == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4096;
		float *nv;

		if (ncap > UACDSP_MAX_TAPS * 2UL) {
			snprintf(msg, msglen, "'%s': more than %u taps", path, UACDSP_MAX_TAPS);
			return -E2BIG;
		}
		nv = realloc(*v, ncap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*cnt)++] = (float)d;
	return 0;
}

/* One little-endian sample of a binary raw format, as a double. */
static double raw_sample(enum uacdsp_raw_format fmt, const unsigned char *buf)
{
	double d;

	switch (fmt) {
	case UACDSP_RAW_S16LE:
		d = (int16_t)(buf[0] | buf[1] << 8) / 32768.0;
		break;
	case UACDSP_RAW_S24LE:
		d = ((int32_t)((uint32_t)le32(buf) << 8) >> 8) / 8388608.0;
		break;
	case UACDSP_RAW_S24LE3: {
		unsigned char b4[4] = { buf[0], buf[1], buf[2], 0 };

		d = ((int32_t)((uint32_t)le32(b4) << 8) >> 8) / 8388608.0;
		break;
	}
	case UACDSP_RAW_S32LE:
		d = le32(buf) / 2147483648.0;
		break;
	case UACDSP_RAW_S24_4_LJ_LE:
		d = (le32(buf) / 256) / 8388608.0;
		break;
	case UACDSP_RAW_FLOAT32LE: {
		uint32_t u = (uint32_t)le32(buf);
		float fl;

		memcpy(&fl, &u, 4);
		d = fl;
		break;
	}
	default: {
		uint64_t u = (uint64_t)(uint32_t)le32(buf) |
			     (uint64_t)(uint32_t)le32(buf + 4) << 32;

		memcpy(&d, &u, 8);
		break;
	}
	}
	return d;
}

static int load_raw(const struct uacdsp_filter_cfg *f, const char *path, float **out,
		    size_t *n, char *msg, size_t msglen)
{
	static const unsigned width[] = { 0, 2, 4, 3, 4, 4, 8, 0, 0, 0, 0, 0, 0, 4 };
	enum uacdsp_raw_format fmt = f->u.conv.format;
	size_t cap = 0, cnt = 0;
	float *v = NULL;
	FILE *fp;
	int ret = 0;

	switch (fmt) {	/* newer CamillaDSP names for the same formats */
	case UACDSP_RAW_S16_LE: fmt = UACDSP_RAW_S16LE; break;
	case UACDSP_RAW_S24_4_RJ_LE: fmt = UACDSP_RAW_S24LE; break;
	case UACDSP_RAW_S24_3_LE: fmt = UACDSP_RAW_S24LE3; break;
	case UACDSP_RAW_S32_LE: fmt = UACDSP_RAW_S32LE; break;
	case UACDSP_RAW_F32_LE: fmt = UACDSP_RAW_FLOAT32LE; break;
	case UACDSP_RAW_F64_LE: fmt = UACDSP_RAW_FLOAT64LE; break;
	default: break;
	}
	fp = fopen(path, fmt == UACDSP_RAW_TEXT ? "re" : "rbe");
	if (!fp) {
		ret = -errno;
		snprintf(msg, msglen, "cannot open '%s': %s", path, strerror(-ret));
		return ret;
	}
	if (fmt == UACDSP_RAW_TEXT) {
		char line[256];
		unsigned long lineno = 0;

		while (fgets(line, sizeof(line), fp)) {
			char *end;
			double d;

			lineno++;
			if (lineno <= f->u.conv.skip)
				continue;
			if (f->u.conv.read && cnt >= f->u.conv.read)
				break;
			d = strtod(line, &end);
			while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
				end++;
			if (end == line || *end || !isfinite(d)) {
				snprintf(msg, msglen, "'%s' line %lu: not a number", path, lineno);
				ret = -EINVAL;
				goto out;
			}
			ret = push_tap(&v, &cap, &cnt, d, path, msg, msglen);
			if (ret < 0)
				goto out;
		}
	} else {
		unsigned w = width[fmt];
		unsigned char buf[8];

		if (fseek(fp, (long)f->u.conv.skip, SEEK_SET) < 0) {
			ret = -errno;
			snprintf(msg, msglen, "'%s': cannot skip %lu bytes", path, f->u.conv.skip);
			goto out;
		}
		while (fread(buf, w, 1, fp) == 1) {
			double d;

			if (f->u.conv.read && (cnt + 1) * w > f->u.conv.read)
				break;
			d = raw_sample(fmt, buf);
			if (!isfinite(d)) {
				snprintf(msg, msglen, "'%s': tap %zu is not finite", path, cnt);
				ret = -EINVAL;
				goto out;
			}
			ret = push_tap(&v, &cap, &cnt, d, path, msg, msglen);
			if (ret < 0)
				goto out;
		}
	}
	if (!cnt) {
		snprintf(msg, msglen, "'%s': no coefficients", path);
		ret = -EINVAL;
	}
out:
	fclose(fp);
	if (ret < 0) {
		free(v);
		return ret;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static int load_wav(const struct uacdsp_filter_cfg *f, const char *path, float **out,
		    size_t *n, char *msg, size_t msglen)
{
	SF_INFO info = { 0 };
	float *all = NULL, *v = NULL;
	SNDFILE *sf;
	size_t i;
	int ret = 0;

	sf = sf_open(path, SFM_READ, &info);
	if (!sf) {
		snprintf(msg, msglen, "cannot open '%s': %s", path, sf_strerror(NULL));
		return -ENOENT;
	}
	if ((unsigned)info.channels <= f->u.conv.channel) {
		snprintf(msg, msglen, "'%s' has %d channels, channel %u requested", path,
			 info.channels, f->u.conv.channel);
		ret = -EINVAL;
		goto out;
	}
	if (info.frames <= 0 || info.frames > (sf_count_t)UACDSP_MAX_TAPS) {
		snprintf(msg, msglen, "'%s': %lld frames (1..%u allowed)", path,
			 (long long)info.frames, UACDSP_MAX_TAPS);
		ret = -EINVAL;
		goto out;
	}
	all = malloc((size_t)info.frames * (size_t)info.channels * sizeof(float));
	v = malloc((size_t)info.frames * sizeof(float));
	if (!all || !v) {
		ret = -ENOMEM;
		goto out;
	}
	if (sf_readf_float(sf, all, info.frames) != info.frames) {
		snprintf(msg, msglen, "'%s': short read", path);
		ret = -EIO;
		goto out;
	}
	for (i = 0; i < (size_t)info.frames; i++)
		v[i] = all[i * (size_t)info.channels + f->u.conv.channel];
	*out = v;
	*n = (size_t)info.frames;
	v = NULL;
out:
	free(all);
	free(v);
	sf_close(sf);
	return ret;
}

/* ---- constructor -------------------------------------------------------- */

/* FNV-1a of the taps: part of a Conv op's identity */
static uint64_t taps_hash(const float *taps, size_t ntaps)
{
	const unsigned char *pb = (const unsigned char *)taps;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t k;

	for (k = 0; k < ntaps * sizeof(float); k++)
		h = (h ^ pb[k]) * 0x100000001b3ULL;
	return h;
}

/* The taps of a Conv filter: its values, or read from its file (*path). */
static int conv_taps(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
		     const struct uacdsp_filter_cfg *f, float **taps, size_t *ntaps,
		     char **path, char *err, size_t errlen)
{
	char msg[600];
	int ret;

	msg[0] = '\0';
	if (f->u.conv.type == UACDSP_CONV_VALUES) {
		*taps = malloc(f->u.conv.nvalues * sizeof(float));
		if (!*taps)
			return -ENOMEM;
		memcpy(*taps, f->u.conv.values, f->u.conv.nvalues * sizeof(float));
		*ntaps = f->u.conv.nvalues;
	} else {
		*path = subst(f->u.conv.filename, c->rate, cfg->capture_channels);
		if (!*path)
			return -ENOMEM;
		ret = f->u.conv.type == UACDSP_CONV_RAW ?
		      load_raw(f, *path, taps, ntaps, msg, sizeof(msg)) :
		      load_wav(f, *path, taps, ntaps, msg, sizeof(msg));
		if (ret < 0) {
			uacdsp_err_at(err, errlen, cfg->filename, f->ppos,
				      "filter '%s': Conv: %s", f->name, msg[0] ? msg : strerror(-ret));
			free(*path);
			*path = NULL;
			return ret == -ENOMEM ? ret : -EINVAL;
		}
	}
	return 0;
}

int uacdsp_op_conv_new(struct uacdsp_chain *c, const struct uacdsp_config *cfg,
		       const struct uacdsp_filter_cfg *f, const unsigned *ch,
		       unsigned nch, const char *slot, char *err, size_t errlen)
{
	fftwf_iodim dim;
	struct conv_op *v;
	float *taps = NULL, *tmp = NULL;
	size_t ntaps = 0, nb, j, k;
	char chs[400], *path = NULL;
	unsigned P;
	int ret;

	ret = conv_taps(c, cfg, f, &taps, &ntaps, &path, err, errlen);
	if (ret < 0)
		return ret;

	P = cfg->chunksize;
	if (P < MIN_PART)
		P = MIN_PART;
	if (P > MAX_PART)
		P = MAX_PART;
	v = calloc(1, sizeof(*v));
	if (!v) {
		free(taps);
		free(path);
		return -ENOMEM;
	}
	v->op.ops = &conv_ops;
	v->op.chain = c;
	memcpy(v->op.ch, ch, nch * sizeof(*ch));
	v->op.nch = nch;
	v->P = P;
	v->M = (unsigned)((ntaps + P - 1) / P);
	v->nb = P + 1;
	v->ns = (P + 1 + 7) / 8 * 8;
	v->ntaps = (unsigned)ntaps;
	nb = v->nb;
	ret = -ENOMEM;
	v->h_re = fftwf_malloc((size_t)v->M * v->ns * sizeof(float));
	v->h_im = fftwf_malloc((size_t)v->M * v->ns * sizeof(float));
	v->x_re = fftwf_malloc(nb * sizeof(float));
	v->x_im = fftwf_malloc(nb * sizeof(float));
	v->y_re = fftwf_malloc(nb * sizeof(float));
	v->y_im = fftwf_malloc(nb * sizeof(float));
	v->time = fftwf_malloc(2 * (size_t)P * sizeof(float));
	tmp = fftwf_malloc(2 * (size_t)P * sizeof(float));
	if (!v->h_re || !v->h_im || !v->x_re || !v->x_im || !v->y_re || !v->y_im ||
	    !v->time || !tmp)
		goto err_free;
	for (k = 0; k < nch; k++) {
		struct conv_ch *cc = &v->ch[k];

		cc->fdl_re = fftwf_malloc((size_t)v->M * v->ns * sizeof(float));
		cc->fdl_im = fftwf_malloc((size_t)v->M * v->ns * sizeof(float));
		cc->tail_re = fftwf_malloc(nb * sizeof(float));
		cc->tail_im = fftwf_malloc(nb * sizeof(float));
		cc->in = fftwf_malloc(2 * (size_t)P * sizeof(float));
		if (!cc->fdl_re || !cc->fdl_im || !cc->tail_re || !cc->tail_im || !cc->in)
			goto err_free;
		memset(cc->fdl_re, 0, (size_t)v->M * v->ns * sizeof(float));
		memset(cc->fdl_im, 0, (size_t)v->M * v->ns * sizeof(float));
		memset(cc->in, 0, 2 * (size_t)P * sizeof(float));
	}

	dim.n = (int)(2 * P);
	dim.is = 1;
	dim.os = 1;
	pthread_mutex_lock(&planner_lock);
	v->fwd = fftwf_plan_guru_split_dft_r2c(1, &dim, 0, NULL, tmp, v->x_re, v->x_im,
					       FFTW_MEASURE);
	v->inv = fftwf_plan_guru_split_dft_c2r(1, &dim, 0, NULL, v->y_re, v->y_im, v->time,
					       FFTW_MEASURE | FFTW_DESTROY_INPUT);
	pthread_mutex_unlock(&planner_lock);
	if (!v->fwd || !v->inv)
		goto err_free;

	/* H_j = FFT(taps[jP, (j+1)P) zero-padded to 2P) */
	for (j = 0; j < v->M; j++) {
		size_t n = ntaps - j * P < P ? ntaps - j * P : P;

		memset(tmp, 0, 2 * (size_t)P * sizeof(float));
		memcpy(tmp, taps + j * P, n * sizeof(float));
		/* into the planned output arrays: see the note on split arrays */
		fftwf_execute_split_dft_r2c(v->fwd, tmp, v->x_re, v->x_im);
		memcpy(v->h_re + j * v->ns, v->x_re, nb * sizeof(float));
		memcpy(v->h_im + j * v->ns, v->x_im, nb * sizeof(float));
	}
	fftwf_free(tmp);
	tmp = NULL;

	uacdsp_fmt_channels(chs, sizeof(chs), ch, nch);
	v->op.desc = uacdsp_strdupf("Conv '%s': %zu taps (%s) on channels %s, %u partitions "
				    "of %u frames (FFT %u, fftw3f)", f->name, ntaps,
				    f->u.conv.type == UACDSP_CONV_VALUES ? "values" : path,
				    chs, v->M, P, 2 * P);
	/* identity: the taps themselves and the geometry */
	v->op.key = uacdsp_strdupf("Conv|%s|%zu|%u|%016llx", chs, ntaps, P,
				   (unsigned long long)taps_hash(taps, ntaps));
	v->op.slot = strdup(slot);
	free(taps);
	free(path);
	return uacdsp_chain_add(c, &v->op);

err_free:
	fftwf_free(tmp);
	free(taps);
	free(path);
	conv_free(&v->op);
	return ret;
}
