/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef UACD_DSP_STAGE_H
#define UACD_DSP_STAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uacd_device;
struct uacd_dsp_stage;

struct uacd_hook;

/* Control thread: a DSP stage for device d, with no chain yet; d->dsp points to it. */
int uacd_dsp_stage_new(struct uacd_device *d, struct uacd_dsp_stage **out);
/*
 * The stage's hook, to publish first in d's hook set (uacd_dev_hooks_set).
 * The device frees it with its hooks; free the stage after the device.
 */
struct uacd_hook *uacd_dsp_stage_hook(struct uacd_dsp_stage *st);
/*
 * Control thread: load `path` (NULL or "" = no chain) for direction dir
 * (0 playback, 1 capture) and swap it in glitch-free.  On error the
 * running chain stays and err says why (file:line:column).
 */
int uacd_dsp_stage_load(struct uacd_dsp_stage *st, int dir, const char *path, char *err, size_t errlen);
/*
 * The same in two steps, for a reload that must change all or nothing:
 * build compiles `path` for direction dir without touching what runs
 * (*out = NULL for no chain); commit swaps it in (never fails; the
 * running chain's filter state carries over to unchanged filters,
 * changed ones crossfade); a build not committed is freed.
 */
struct uacd_dsp_build;
int uacd_dsp_stage_build(struct uacd_dsp_stage *st, int dir, const char *path,
			 struct uacd_dsp_build **out, char *err, size_t errlen);
void uacd_dsp_stage_commit(struct uacd_dsp_stage *st, int dir, struct uacd_dsp_build *b);
void uacd_dsp_build_free(struct uacd_dsp_build *b);
void uacd_dsp_stage_set_volume(struct uacd_dsp_stage *st, float db);
/*
 * Control thread: the DSP Aux faders as controls "aux1".."aux4", same
 * contract as uacd_transport_ops.control (1/256 dB, -100..0 dB).
 * -ENOENT for another name, or when no loaded chain follows that fader;
 * -EINVAL for a value out of range.  st may be NULL (-ENOENT).
 */
int uacd_dsp_stage_control(struct uacd_dsp_stage *st, const char *name, bool set, int32_t *value,
			   int32_t *min, int32_t *max, int32_t *res);
int uacd_dsp_stage_describe(struct uacd_dsp_stage *st, int dir, char *buf, size_t len);
void uacd_dsp_stage_free(struct uacd_dsp_stage *st);

#endif /* UACD_DSP_STAGE_H */
