/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libuacdsp: the DSP chain that uacd runs in its WRITE_END / BEGIN_READ hooks
 * and that uacd-dsp(1) runs over WAV files.
 *
 * Life cycle (control thread unless marked otherwise):
 *
 *   uacdsp_config_load()        YAML (CamillaDSP vocabulary) -> validated config
 *   uacdsp_chain_new()          config + rate + max_frames -> preallocated chain
 *   uacdsp_chain_inherit()      carry state over from the running chain
 *   ... publish the chain to the RT thread (RCU) ...
 *   uacdsp_chain_process()      rt: no allocation, no locks, no syscalls
 *   uacdsp_chain_set_volume()   any thread, lock-free
 *   uacdsp_chain_free()         after the grace period
 *
 * Every function that can fail returns 0 or a negative errno and, when err is
 * not NULL, writes "file:line:column: message" naming the filter and field.
 */
#ifndef UACDSP_H
#define UACDSP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uacdsp_config;
struct uacdsp_chain;

/*
 * Parse and validate a config file.  On success *out owns the config; free it
 * with uacdsp_config_free().  -ENOENT/-EACCES for an unreadable file, -EINVAL
 * for a bad config, -ENOMEM.
 */
int uacdsp_config_load(const char *path, struct uacdsp_config **out,
		       char *err, size_t errlen);

/*
 * Same, from memory; filename is used for messages and to resolve relative
 * coefficient file names (may be NULL: "<memory>", relative to the cwd).
 * text need not be NUL-terminated.
 */
int uacdsp_config_parse(const char *text, size_t len, const char *filename,
			struct uacdsp_config **out, char *err, size_t errlen);

/* Accepts NULL. */
void uacdsp_config_free(struct uacdsp_config *cfg);

/*
 * Notes collected while parsing (ignored device names and settings that uacd
 * owns), one per line; "" when there are none.  Valid while cfg lives.
 */
const char *uacdsp_config_notes(const struct uacdsp_config *cfg);

/* devices.samplerate and devices.chunksize of the config. */
unsigned uacdsp_config_samplerate(const struct uacdsp_config *cfg);
unsigned uacdsp_config_chunksize(const struct uacdsp_config *cfg);

/*
 * Override devices.chunksize for chains built from cfg afterwards; it is
 * also the partition size of Conv filters.  -EINVAL unless 1..65536.
 */
int uacdsp_config_set_chunksize(struct uacdsp_config *cfg, unsigned frames);

/*
 * Build a chain.  rate overrides devices.samplerate when nonzero; max_frames
 * is the largest block uacdsp_chain_process() will be given (nonzero).
 * Loads coefficient files, designs filters at that rate (errors such as a
 * frequency above Nyquist name the field), allocates every buffer.
 */
int uacdsp_chain_new(const struct uacdsp_config *cfg, unsigned rate,
		     unsigned max_frames, struct uacdsp_chain **out,
		     char *err, size_t errlen);

unsigned uacdsp_chain_in_channels(const struct uacdsp_chain *c);
unsigned uacdsp_chain_out_channels(const struct uacdsp_chain *c);
unsigned uacdsp_chain_max_channels(const struct uacdsp_chain *c);

/*
 * rt: process frames (<= max_frames) in place.  bufs has max_channels
 * pointers of max_frames floats each; the input is in the first in_channels,
 * the output is left in the first out_channels.
 */
void uacdsp_chain_process(struct uacdsp_chain *c, float *const *bufs,
			  unsigned frames);

/*
 * Control thread, before newc is published: ops that are identical in both
 * chains (same kind, parameters at full precision and channels) take over
 * old's state; an op in the same pipeline place whose parameters changed
 * gets a click-free transition (biquad cascades and Conv crossfade from a
 * copy of the old filter over 10 ms, gains ramp, Volume/Loudness continue
 * their ramp; Conv keeps its input history).
 * The current volume is carried over.  old is only read (it may be running).
 */
void uacdsp_chain_inherit(struct uacdsp_chain *newc,
			  const struct uacdsp_chain *old);

/* Any thread, lock-free: the volume Volume/Loudness filters follow, in dB. */
void uacdsp_chain_set_volume(struct uacdsp_chain *c, float db);

/*
 * CamillaDSP's faders: 0 = Main (the volume above), 1..4 = Aux1..Aux4.
 * Volume/Loudness filters follow the fader their config names; every
 * fader starts at 0 dB.  set: any thread, lock-free; -EINVAL for a fader
 * out of range.  used: bit f set when some filter follows fader f.
 */
#define UACDSP_FADERS 5u
int uacdsp_chain_set_fader(struct uacdsp_chain *c, unsigned fader, float db);
float uacdsp_chain_get_fader(const struct uacdsp_chain *c, unsigned fader);
unsigned uacdsp_chain_faders_used(const struct uacdsp_chain *c);

/*
 * Text of the compiled pipeline, one step per line.  Returns the length that
 * the full text needs (like snprintf) or a negative errno.
 */
int uacdsp_chain_describe(const struct uacdsp_chain *c, char *buf, size_t len);

/* Accepts NULL. */
void uacdsp_chain_free(struct uacdsp_chain *c);

#ifdef __cplusplus
}
#endif

#endif /* UACDSP_H */
