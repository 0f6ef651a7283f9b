/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The validated, in-memory form of a dsp.yml.  Only config.c builds it; the
 * chain compiler (chain.c) reads it.  Every element remembers where it came
 * from (line/column) so that errors found later, e.g. a frequency above the
 * Nyquist limit of a rate given at chain build time, still point at the file.
 */
#ifndef UACDSP_CONFIG_H
#define UACDSP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "dsp/biquad.h"

#define UACDSP_MAX_CHANNELS	64u
#define UACDSP_MAX_RATE		768000u
#define UACDSP_MAX_CHUNK	65536u
#define UACDSP_MAX_COMBO	64u	/* biquads one BiquadCombo may expand to */
#define UACDSP_MAX_TAPS		(1u << 22)

struct uacdsp_pos {
	unsigned line;		/* 1-based */
	unsigned col;		/* 1-based */
};

enum uacdsp_filter_kind {
	UACDSP_F_BIQUAD,
	UACDSP_F_BIQUADCOMBO,
	UACDSP_F_GAIN,
	UACDSP_F_VOLUME,
	UACDSP_F_LOUDNESS,
	UACDSP_F_DELAY,
	UACDSP_F_CONV,
	UACDSP_F_LIMITER,
	UACDSP_F_DIFFEQ,
	UACDSP_F_DITHER,
};

enum uacdsp_delay_unit { UACDSP_DELAY_MS, UACDSP_DELAY_SAMPLES, UACDSP_DELAY_MM };

enum uacdsp_conv_type { UACDSP_CONV_RAW, UACDSP_CONV_WAV, UACDSP_CONV_VALUES };

enum uacdsp_raw_format {
	UACDSP_RAW_TEXT,
	UACDSP_RAW_S16LE,
	UACDSP_RAW_S24LE,	/* 24 bits in 4 bytes, low aligned */
	UACDSP_RAW_S24LE3,	/* 24 bits in 3 bytes */
	UACDSP_RAW_S32LE,
	UACDSP_RAW_FLOAT32LE,
	UACDSP_RAW_FLOAT64LE,
	/* the same formats under newer CamillaDSP names */
	UACDSP_RAW_S16_LE,
	UACDSP_RAW_S24_4_RJ_LE,
	UACDSP_RAW_S24_3_LE,
	UACDSP_RAW_S32_LE,
	UACDSP_RAW_F32_LE,
	UACDSP_RAW_F64_LE,
	UACDSP_RAW_S24_4_LJ_LE,	/* 24 bits in the upper 3 of 4 bytes */
};

enum uacdsp_dither_type {
	UACDSP_DITHER_NONE,
	UACDSP_DITHER_FLAT,
	UACDSP_DITHER_HIGHPASS,
	UACDSP_DITHER_FWEIGHTED441,
	UACDSP_DITHER_FWEIGHTEDLONG441,
	UACDSP_DITHER_FWEIGHTEDSHORT441,
	UACDSP_DITHER_GESEMANN441,
	UACDSP_DITHER_GESEMANN48,
	UACDSP_DITHER_LIPSHITZ441,
	UACDSP_DITHER_LIPSHITZLONG441,
	UACDSP_DITHER_SHIBATA441,
	UACDSP_DITHER_SHIBATAHIGH441,
	UACDSP_DITHER_SHIBATALOW441,
	UACDSP_DITHER_SHIBATA48,
	UACDSP_DITHER_SHIBATAHIGH48,
	UACDSP_DITHER_SHIBATALOW48,
	UACDSP_DITHER_SHIBATA882,
	UACDSP_DITHER_SHIBATALOW882,
	UACDSP_DITHER_SHIBATA96,
	UACDSP_DITHER_SHIBATALOW96,
	UACDSP_DITHER_SHIBATA192,
	UACDSP_DITHER_SHIBATALOW192,
};

enum uacdsp_fader { UACDSP_FADER_MAIN, UACDSP_FADER_AUX1, UACDSP_FADER_AUX2,
		    UACDSP_FADER_AUX3, UACDSP_FADER_AUX4 };

struct uacdsp_filter_cfg {
	char *name;
	enum uacdsp_filter_kind kind;
	struct uacdsp_pos pos;		/* the filter's name */
	struct uacdsp_pos ppos;		/* its parameters mapping */
	struct uacdsp_pos fpos;		/* rate-dependent field (freq...) */
	union {
		struct uacdsp_biquad_params bq;
		struct uacdsp_combo_params combo;
		struct {
			double gain;	/* dB or linear, see linear */
			bool linear, inverted, mute;
		} gain;
		struct {
			double delay;
			enum uacdsp_delay_unit unit;
			bool subsample;
		} delay;
		struct {
			enum uacdsp_conv_type type;
			char *filename;		/* resolved against the config dir */
			enum uacdsp_raw_format format;
			unsigned long skip;	/* skip_bytes_lines */
			unsigned long read;	/* read_bytes_lines, 0 = all */
			unsigned channel;	/* Wav */
			float *values;		/* Values */
			size_t nvalues;
		} conv;
		struct {
			double ramp_time;	/* ms */
			double limit;		/* dB */
			enum uacdsp_fader fader;
		} volume;
		struct {
			double ramp_time;	/* ms */
			double reference_level, high_boost, low_boost;
			bool attenuate_mid;
			enum uacdsp_fader fader;
		} loudness;
		struct {
			double clip_limit;	/* dB */
			bool soft_clip;
		} limiter;
		struct {
			double *a, *b;
			unsigned na, nb;
		} diffeq;
		struct {
			enum uacdsp_dither_type type;
			unsigned bits;
			double amplitude;	/* Flat: LSBs */
		} dither;
	} u;
};

struct uacdsp_mixer_src {
	unsigned channel;
	double gain;		/* linear, sign and mute folded in */
};

struct uacdsp_mixer_map {
	unsigned dest;
	struct uacdsp_mixer_src *src;
	unsigned nsrc;
};

struct uacdsp_mixer_cfg {
	char *name;
	struct uacdsp_pos pos;
	unsigned in, out;
	struct uacdsp_mixer_map *map;
	unsigned nmap;
};

struct uacdsp_processor_cfg {
	char *name;
	struct uacdsp_pos pos;
	/* Compressor, the only processor type */
	unsigned channels;
	double attack, release;		/* s */
	double threshold, factor, makeup_gain, clip_limit;	/* dB */
	bool soft_clip, has_clip;
	unsigned monitor[UACDSP_MAX_CHANNELS], nmonitor;
	unsigned process[UACDSP_MAX_CHANNELS], nprocess;
};

enum uacdsp_step_type { UACDSP_STEP_FILTER, UACDSP_STEP_MIXER, UACDSP_STEP_PROCESSOR };

struct uacdsp_step_cfg {
	enum uacdsp_step_type type;
	struct uacdsp_pos pos;
	bool bypassed;
	/* Filter: channels (all when nchannels == 0 and !explicit) and names */
	unsigned channels[UACDSP_MAX_CHANNELS], nchannels;
	unsigned *filters;	/* indexes into cfg->filters */
	unsigned nfilters;
	unsigned index;		/* Mixer/Processor: index into mixers/processors */
	unsigned in, out;	/* channel count before and after */
};

struct uacdsp_config {
	char *filename;		/* for messages */
	char *dir;		/* where relative coefficient files are */
	unsigned samplerate, chunksize;
	unsigned capture_channels, playback_channels;
	struct uacdsp_pos rate_pos;
	struct uacdsp_filter_cfg *filters;
	unsigned nfilters;
	struct uacdsp_mixer_cfg *mixers;
	unsigned nmixers;
	struct uacdsp_processor_cfg *processors;
	unsigned nprocessors;
	struct uacdsp_step_cfg *steps;
	unsigned nsteps;
	char *notes;
	size_t notes_len;
};

/* "file:line:col: " + formatted message into err (when err != NULL). */
__attribute__((format(printf, 5, 6)))
void uacdsp_err_at(char *err, size_t errlen, const char *file,
		   struct uacdsp_pos pos, const char *fmt, ...);

#endif /* UACDSP_CONFIG_H */
