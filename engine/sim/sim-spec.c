/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sim's device spec, "sim[:key=value,...]" (control thread): every
 * key, its range and its message.  The model that uses the values is in
 * transport-sim.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/transport.h"
#include "engine/core/format.h"
#include "engine/sim/sim-private.h"

/* ---- spec parsing (control thread) -------------------------------------- */

/*
 * The positions a sim with ch channels declares when chmap= is not given
 * (UAC2 bmChannelConfig bits): mono none, then stereo, 3.0, quad, 5.0,
 * 5.1, 6.1 and 7.1 in the usual orders; wider devices name the 7.1 eight
 * and leave the rest without a position, as many multichannel interfaces do.
 */
uint32_t sim_standard_chmap(unsigned ch)
{
	static const uint32_t m[] = { 0, 0, 0x3, 0x7, 0x33, 0x37, 0x3f, 0x13f, 0x63f };

	return ch < sizeof(m) / sizeof(m[0]) ? m[ch] : 0x63f;
}

static int parse_uint(const char *key, const char *v, long lo, long hi, long *out,
		      char *err, size_t errlen)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi) {
		snprintf(err, errlen, "sim: %s=%s: expected an integer from %ld to %ld", key, v, lo, hi);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

bool sim_rate_supported(uint32_t rate)
{
	unsigned i;

	for (i = 0; i < sizeof(sim_rates) / sizeof(sim_rates[0]); i++)
		if (sim_rates[i] == rate)
			return true;
	return false;
}

/*
 * A key of the device itself: rate, channels, format, name, priority.
 * 0, -EINVAL with err, or 1 when the key is not one of these.
 */
static int parse_device_key(struct sim_params *d, const char *key, const char *val,
			    char *err, size_t errlen)
{
	long v = 0;
	int ret = 0;

	if (!strcmp(key, "rate")) {
		ret = parse_uint(key, val, 1, 768000, &v, err, errlen);
		if (!ret && !sim_rate_supported((uint32_t)v)) {
			snprintf(err, errlen,
				 "sim: rate=%ld: supported rates are 44100, 48000, 88200, 96000, 176400, 192000", v);
			return -EINVAL;
		}
		d->g.rate = (uint32_t)v;
	} else if (!strcmp(key, "channels")) {
		ret = parse_uint(key, val, 1, UACD_MAX_CHANNELS, &v, err, errlen);
		d->g.play_ch = d->g.cap_ch = (uint32_t)v;
	} else if (!strcmp(key, "playback_channels")) {
		ret = parse_uint(key, val, 0, UACD_MAX_CHANNELS, &v, err, errlen);
		d->g.play_ch = (uint32_t)v;
	} else if (!strcmp(key, "capture_channels")) {
		ret = parse_uint(key, val, 0, UACD_MAX_CHANNELS, &v, err, errlen);
		d->g.cap_ch = (uint32_t)v;
	} else if (!strcmp(key, "chmap")) {
		char *end;
		unsigned long m;

		errno = 0;
		m = strtoul(val, &end, 0);
		if (errno || end == val || *end || m > 0x7ffffffful) {
			snprintf(err, errlen,
				 "sim: chmap=%s: expected a UAC2 bmChannelConfig mask, e.g. 0x3f for 5.1", val);
			return -EINVAL;
		}
		d->g.play_map = d->g.cap_map = (uint32_t)m;
		d->chmap_set = true;
	} else if (!strcmp(key, "format")) {
		d->g.format = uacd_format_parse(val);
		if (!d->g.format) {
			snprintf(err, errlen,
				 "sim: format=%s: expected S16_LE, S24_LE, S24_3LE, S32_LE or FLOAT_LE", val);
			return -EINVAL;
		}
	} else if (!strcmp(key, "name")) {
		if (!*val || strlen(val) >= sizeof(d->name) || strpbrk(val, " \t/:,")) {
			snprintf(err, errlen, "sim: name=%s: 1 to %zu characters, no spaces, '/', ':' or ','",
				 val, sizeof(d->name) - 1);
			return -EINVAL;
		}
		snprintf(d->name, sizeof(d->name), "%s", val);
	} else if (!strcmp(key, "priority")) {
		ret = parse_uint(key, val, 0, 99, &v, err, errlen);
		d->rt_priority = (int)v;
	} else {
		return 1;
	}
	return ret;
}

/* A choice of words for key=val: its index in `words`, or -EINVAL with err. */
static int parse_word(const char *key, const char *val, const char *const *words, unsigned n,
		      const char *expected, char *err, size_t errlen)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!strcmp(val, words[i]))
			return (int)i;
	snprintf(err, errlen, "sim: %s=%s: expected %s", key, val, expected);
	return -EINVAL;
}

/* drift_ppm: an integer within SIM_MAX_DRIFT_PPM either way. */
static int parse_drift(struct sim *s, const char *val, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < -SIM_MAX_DRIFT_PPM || v > SIM_MAX_DRIFT_PPM) {
		snprintf(err, errlen, "sim: drift_ppm=%s: expected an integer from %d to %d",
			 val, -SIM_MAX_DRIFT_PPM, SIM_MAX_DRIFT_PPM);
		return -EINVAL;
	}
	s->drift_ppm = (int)v;
	return 0;
}

/*
 * A key of the model: mode, drift_ppm, usb, time, speedup, out, in, loop.
 * 0, -EINVAL with err, or 1 when the key is not one of these.
 */
static int parse_model_key(struct sim *s, const char *key, const char *val, char *err, size_t errlen)
{
	static const char *const modes[] = { "loopback", "wav", "silence" };
	static const char *const buses[] = { "full", "high" };
	static const char *const times[] = { "real", "fast" };
	long v = 0;
	int ret = 0;

	if (!strcmp(key, "mode")) {
		ret = parse_word(key, val, modes, 3, "loopback, wav or silence", err, errlen);
		if (ret < 0)
			return ret;
		s->mode = ret == 0 ? SIM_LOOPBACK : ret == 1 ? SIM_WAV : SIM_SILENCE;
		return 0;
	} else if (!strcmp(key, "drift_ppm")) {
		return parse_drift(s, val, err, errlen);
	} else if (!strcmp(key, "usb")) {
		ret = parse_word(key, val, buses, 2, "full or high", err, errlen);
		if (ret < 0)
			return ret;
		s->high_speed = ret == 1;
		return 0;
	} else if (!strcmp(key, "time")) {
		ret = parse_word(key, val, times, 2, "real or fast", err, errlen);
		if (ret < 0)
			return ret;
		s->fast = ret == 1;
		return 0;
	} else if (!strcmp(key, "speedup")) {
		ret = parse_uint(key, val, 1, 1000, &v, err, errlen);
		s->speedup = (double)v;
	} else if (!strcmp(key, "out")) {
		snprintf(s->out_path, sizeof(s->out_path), "%s", val);
	} else if (!strcmp(key, "in")) {
		snprintf(s->in_path, sizeof(s->in_path), "%s", val);
	} else if (!strcmp(key, "loop")) {
		ret = parse_uint(key, val, 0, 1, &v, err, errlen);
		s->in_loop = v == 1;
	} else {
		return 1;
	}
	return ret;
}

int sim_parse_spec(struct sim_params *d, struct sim *s, const char *spec, char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *tok;
	const char *opts;
	int ret;

	if (strncmp(spec, "sim", 3) || (spec[3] && spec[3] != ':')) {
		snprintf(err, errlen, "not a sim device spec: %s", spec);
		return -EINVAL;
	}
	opts = spec[3] ? spec + 4 : "";
	if (strlen(opts) >= sizeof(buf)) {
		snprintf(err, errlen, "sim: device spec too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", opts);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq) {
			snprintf(err, errlen, "sim: option '%s' needs a value (key=value)", tok);
			return -EINVAL;
		}
		*eq = '\0';
		ret = parse_device_key(d, tok, eq + 1, err, errlen);
		if (ret == 1)
			ret = parse_model_key(s, tok, eq + 1, err, errlen);
		if (ret == 1) {
			snprintf(err, errlen,
				 "sim: unknown option '%s' (known: rate, channels, playback_channels, capture_channels, chmap, format, mode, drift_ppm, usb, time, speedup, in, out, loop, name, priority)",
				 tok);
			return -EINVAL;
		}
		if (ret)
			return ret;
	}
	if (s->mode != SIM_WAV && (s->out_path[0] || s->in_path[0])) {
		snprintf(err, errlen, "sim: in= and out= need mode=wav");
		return -EINVAL;
	}
	if (!d->g.play_ch && !d->g.cap_ch) {
		snprintf(err, errlen, "sim: a device needs playback or capture channels");
		return -EINVAL;
	}
	if (!d->chmap_set) {
		d->g.play_map = sim_standard_chmap(d->g.play_ch);
		d->g.cap_map = sim_standard_chmap(d->g.cap_ch);
	} else {
		unsigned n = (unsigned)__builtin_popcount(d->g.play_map);

		if (n > d->g.play_ch && n > d->g.cap_ch) {
			snprintf(err, errlen, "sim: chmap=0x%x names %u positions for %u channels",
				 d->g.play_map, n, d->g.play_ch > d->g.cap_ch ? d->g.play_ch : d->g.cap_ch);
			return -EINVAL;
		}
	}
	return 0;
}
