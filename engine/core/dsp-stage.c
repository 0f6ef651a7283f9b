/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The DSP chain as a processing stage of a device.
 *
 * A device gets one built-in hook ("dsp") whose state holds two RCU
 * pointers: the playback chain (run at WRITE_END over the device's playback
 * channels) and the capture chain (BEGIN_READ).  The RT thread only does
 * rcu_dereference() and uacdsp_chain_process(); a chain never allocates
 * while processing.
 *
 * Reload (SIGHUP, `uacctl reload`): the new config is parsed, validated and
 * compiled on the control thread; uacdsp_chain_inherit() carries the state
 * of unchanged filters over and sets up a crossfade for changed ones; the
 * pointer is swapped with rcu_xchg_pointer(); the old chain is freed after
 * synchronize_rcu().  If anything fails before the swap, the running chain
 * is untouched and the error goes to the log and to the caller.
 *
 * Faders: the chain's Volume/Loudness filters follow CamillaDSP's faders.
 * Main is the device's volume (software or not: the stage reads it every
 * block); Aux1..Aux4 are the stage's own "aux1".."aux4" controls, kept here
 * (control thread) so that a reload, or a chain loaded later, starts at
 * the level the user set.  An Aux control exists while a loaded chain has
 * a filter on that fader.
 *
 * Channels: a chain reads its input from the first in_channels planes and
 * writes its output to the first out_channels, in place.  Its output must
 * have exactly the device's channel count; its input may have fewer (a
 * 2-in/4-out crossover on a 4-channel device: clients' stereo lands in
 * channels 0-1).  Planes beyond the device's come from scratch memory owned
 * by the stage, allocated with the chain.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/uacdsp.h"
#include "engine/core/device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/log.h"

/* A compiled chain plus the planes it needs beyond the device's. */
struct stage_chain {
	struct uacdsp_chain *chain;
	unsigned n_planes;
	float *scratch[UACD_MAX_CHANNELS];
	float *planes[UACD_MAX_CHANNELS];	/* built per call: device planes then scratch */
	char path[256];
};

struct uacd_dsp_stage {
	struct uacd_device *dev;
	float volume_db;		/* RT: what the playback chain was last told */
	struct stage_chain *chain[2];	/* RCU: [0] playback, [1] capture */
	struct uacd_hook *hook;		/* owned by the device's hook set once published */
	uint64_t reloads;
	int32_t aux[UACDSP_FADERS];	/* control thread: Aux levels, 1/256 dB ([0] unused) */
};

static void stage_chain_free(struct stage_chain *sc)
{
	unsigned i;

	if (!sc)
		return;
	uacdsp_chain_free(sc->chain);
	for (i = 0; i < UACD_MAX_CHANNELS; i++)
		free(sc->scratch[i]);
	free(sc);
}

/* rt */
static int stage_process(void *state, enum uacd_io_operation op, struct uacd_io_buffer *b)
{
	struct uacd_dsp_stage *st = state;
	struct stage_chain *sc = rcu_dereference(st->chain[op == UACD_IO_WRITE_END ? 0 : 1]);
	unsigned i;

	if (!sc)
		return 0;
	if (op == UACD_IO_WRITE_END) {
		/* The chain's Volume/Loudness filters follow the software volume. */
		float db = uacd_dev_sw_volume_db(st->dev);

		if (db != st->volume_db) {
			uacdsp_chain_set_volume(sc->chain, db);
			st->volume_db = db;
		}
		st->dev->rt.volume_in_dsp = true;
	}
	for (i = 0; i < sc->n_planes; i++)
		sc->planes[i] = i < b->n_channels ? b->channels[i] : sc->scratch[i];
	uacdsp_chain_process(sc->chain, sc->planes, b->n_frames);
	return 0;
}

/* rt: idle without a chain for op, so streams keep their bit-perfect path. */
static bool stage_active(void *state, enum uacd_io_operation op)
{
	struct uacd_dsp_stage *st = state;

	return rcu_dereference(st->chain[op == UACD_IO_WRITE_END ? 0 : 1]) != NULL;
}

static int stage_status(void *state, char *buf, uint32_t len)
{
	struct uacd_dsp_stage *st = state;

	return snprintf(buf, len, "playback: %s; capture: %s; reloads %llu",
			st->chain[0] ? st->chain[0]->path : "none",
			st->chain[1] ? st->chain[1]->path : "none", (unsigned long long)st->reloads);
}

static const struct uacd_io_hook_v1 stage_ops = {
	.abi_version = UACD_IO_HOOK_ABI_VERSION,
	.name = "dsp",
	.process = stage_process,
	.status = stage_status,
};

/* Control thread: load and compile `path` for one direction of d. */
static int build(struct uacd_device *d, int dir, const char *path, struct stage_chain **out,
		 char *err, size_t errlen)
{
	struct uacdsp_config *cfg = NULL;
	struct stage_chain *sc;
	unsigned dev_ch = dir ? d->cap_ch : d->play_ch, i;
	int ret;

	ret = uacdsp_config_load(path, &cfg, err, errlen);
	if (ret)
		return ret;
	if (uacdsp_config_notes(cfg) && uacdsp_config_notes(cfg)[0])
		uacd_info("%s: %s", path, uacdsp_config_notes(cfg));
	sc = calloc(1, sizeof(*sc));
	if (!sc) {
		uacdsp_config_free(cfg);
		return -ENOMEM;
	}
	snprintf(sc->path, sizeof(sc->path), "%s", path);
	ret = uacdsp_chain_new(cfg, d->rate, d->max_frames, &sc->chain, err, errlen);
	uacdsp_config_free(cfg);
	if (ret)
		goto err_free;
	if (uacdsp_chain_out_channels(sc->chain) != dev_ch ||
	    uacdsp_chain_in_channels(sc->chain) > dev_ch) {
		snprintf(err, errlen,
			 "%s: the pipeline takes %u and gives %u channels; device %s %s has %u",
			 path, uacdsp_chain_in_channels(sc->chain), uacdsp_chain_out_channels(sc->chain),
			 d->name, dir ? "capture" : "playback", dev_ch);
		ret = -EINVAL;
		goto err_free;
	}
	sc->n_planes = uacdsp_chain_max_channels(sc->chain);
	if (sc->n_planes > UACD_MAX_CHANNELS) {
		snprintf(err, errlen, "%s: the pipeline needs %u channels; uacd handles %u", path,
			 sc->n_planes, UACD_MAX_CHANNELS);
		ret = -EINVAL;
		goto err_free;
	}
	for (i = dev_ch; i < sc->n_planes; i++) {
		sc->scratch[i] = calloc(d->max_frames, sizeof(float));
		if (!sc->scratch[i]) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	*out = sc;
	return 0;

err_free:
	stage_chain_free(sc);
	return ret;
}

int uacd_dsp_stage_new(struct uacd_device *d, struct uacd_dsp_stage **out)
{
	struct uacd_dsp_stage *st = calloc(1, sizeof(*st));
	struct uacd_hook *h = calloc(1, sizeof(*h));

	if (!st || !h) {
		free(st);
		free(h);
		return -ENOMEM;
	}
	st->dev = d;
	snprintf(h->name, sizeof(h->name), "dsp");
	snprintf(h->path, sizeof(h->path), "(built-in)");
	h->ops = &stage_ops;
	h->active = stage_active;
	h->state = st;
	st->hook = h;
	d->dsp = st;	/* its Aux faders are controls of d */
	*out = st;
	return 0;
}

struct uacd_hook *uacd_dsp_stage_hook(struct uacd_dsp_stage *st)
{
	return st->hook;
}

int uacd_dsp_stage_build(struct uacd_dsp_stage *st, int dir, const char *path,
			 struct uacd_dsp_build **out, char *err, size_t errlen)
{
	struct stage_chain *sc = NULL;
	int ret;

	*out = NULL;
	if (path && path[0]) {
		ret = build(st->dev, dir, path, &sc, err, errlen);
		if (ret)
			return ret;
	}
	*out = (struct uacd_dsp_build *)sc;
	return 0;
}

void uacd_dsp_stage_commit(struct uacd_dsp_stage *st, int dir, struct uacd_dsp_build *b)
{
	struct stage_chain *sc = (struct stage_chain *)b, *old;

	old = st->chain[dir];
	if (sc && dir == 0)
		uacdsp_chain_set_volume(sc->chain, uacd_dev_sw_volume_db(st->dev));
	if (sc) {
		unsigned f;

		for (f = 1; f < UACDSP_FADERS; f++)
			uacdsp_chain_set_fader(sc->chain, f, (float)st->aux[f] / 256.0f);
	}
	if (sc && old)
		uacdsp_chain_inherit(sc->chain, old->chain);
	old = rcu_xchg_pointer(&st->chain[dir], sc);
	if (old) {
		synchronize_rcu();
		stage_chain_free(old);
	}
	st->reloads++;
}

void uacd_dsp_build_free(struct uacd_dsp_build *b)
{
	stage_chain_free((struct stage_chain *)b);
}

int uacd_dsp_stage_load(struct uacd_dsp_stage *st, int dir, const char *path, char *err, size_t errlen)
{
	struct uacd_dsp_build *b;
	int ret;

	ret = uacd_dsp_stage_build(st, dir, path, &b, err, errlen);
	if (ret)
		return ret;	/* the running chain stays */
	uacd_dsp_stage_commit(st, dir, b);
	return 0;
}

void uacd_dsp_stage_set_volume(struct uacd_dsp_stage *st, float db)
{
	unsigned dir;

	/* Control thread: the chains cannot be freed under us (we free them). */
	for (dir = 0; dir < 2; dir++)
		if (st->chain[dir])
			uacdsp_chain_set_volume(st->chain[dir]->chain, db);
}

int uacd_dsp_stage_control(struct uacd_dsp_stage *st, const char *name, bool set, int32_t *value,
			   int32_t *min, int32_t *max, int32_t *res)
{
	unsigned f, used = 0, dir;

	if (!st || strncmp(name, "aux", 3) || name[3] < '1' || name[3] > '4' || name[4])
		return -ENOENT;
	f = (unsigned)(name[3] - '0');
	for (dir = 0; dir < 2; dir++)
		if (st->chain[dir])
			used |= uacdsp_chain_faders_used(st->chain[dir]->chain);
	if (!(used & (1u << f)))
		return -ENOENT;
	*min = UACD_SW_VOLUME_MIN;
	*max = 0;
	*res = 1;
	if (set) {
		if (*value < *min || *value > *max)
			return -EINVAL;
		st->aux[f] = *value;
		for (dir = 0; dir < 2; dir++)
			if (st->chain[dir])
				uacdsp_chain_set_fader(st->chain[dir]->chain, f, (float)*value / 256.0f);
	}
	*value = st->aux[f];
	return 0;
}

int uacd_dsp_stage_describe(struct uacd_dsp_stage *st, int dir, char *buf, size_t len)
{
	if (!st->chain[dir])
		return snprintf(buf, len, "no DSP chain\n");
	return uacdsp_chain_describe(st->chain[dir]->chain, buf, len);
}

void uacd_dsp_stage_free(struct uacd_dsp_stage *st)
{
	unsigned dir;

	if (!st)
		return;
	/* The hook is destroyed with the device's hooks; only the chains are ours. */
	for (dir = 0; dir < 2; dir++) {
		struct stage_chain *old = rcu_xchg_pointer(&st->chain[dir], NULL);

		if (old) {
			synchronize_rcu();
			stage_chain_free(old);
		}
	}
	free(st);
}
