/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dsp.yml loader.
 *
 * The vocabulary is CamillaDSP's (v2/v3 config format) so that existing
 * configs load unchanged: top-level `devices`, `filters`, `mixers`,
 * `processors`, `pipeline` (plus `title` and `description`).  Anything we do
 * not implement is an error that names the key and its file:line:column;
 * nothing is silently dropped except what uacd owns by design (device names,
 * sample formats, resampling, queue sizes), and those leave a note that
 * uacd-dsp --check prints.
 *
 * Validation is complete before a chain is ever built: field types and
 * ranges, filter names referenced by the pipeline, channel counts carried
 * through every step from devices.capture.channels to
 * devices.playback.channels, and every biquad designed at
 * devices.samplerate to prove it is stable and below Nyquist.  The chain
 * builder repeats the rate-dependent checks (uacdsp_filter_check()) when it
 * is given another rate.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/config-yaml.h"
#include "dsp/config-internal.h"
#include "dsp/uacdsp.h"

#define MAX_FILE_SIZE	(16u << 20)

/* ---- notes -------------------------------------------------------------- */

static void note(struct cfg_parser *p, yaml_node_t *n, const char *what)
{
	struct uacdsp_config *cfg = p->cfg;
	struct uacdsp_pos pos = cfgy_pos(n);
	char line[256];
	size_t len;
	char *nb;
	int w;

	w = snprintf(line, sizeof(line), "%s:%u:%u: note: %s\n",
		     p->file, pos.line, pos.col, what);
	if (w < 0)
		return;
	len = (size_t)w < sizeof(line) ? (size_t)w : sizeof(line) - 1;
	nb = realloc(cfg->notes, cfg->notes_len + len + 1);
	if (!nb)
		return;
	memcpy(nb + cfg->notes_len, line, len + 1);
	cfg->notes = nb;
	cfg->notes_len += len;
}

/* ---- devices ------------------------------------------------------------ */

static const char *const devices_ignored[] = {
	"queuelimit", "silence_threshold", "silence_timeout", "target_level",
	"adjust_period", "enable_rate_adjust", "resampler", "capture_samplerate",
	"stop_on_rate_change", "rate_measure_interval", "volume_ramp_time",
	"volume_limit", "multithreaded", "worker_threads", "enable_resampling",
	"resampler_type", "silence_timeout_s", "adjust_interval_s",
	"rate_measure_interval_s", "volume_ramp_time_ms", NULL
};

static bool listed(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int parse_port(struct cfg_parser *p, yaml_node_t *n, const char *what,
		      unsigned *channels)
{
	yaml_node_pair_t *pr;
	bool have = false;
	char msg[160];
	int err;

	err = cfgy_expect_map(p, n, what);
	if (err < 0)
		return err;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);
		yaml_node_t *v = cfgy_node(p, pr->value);

		if (!k || k->type != YAML_SCALAR_NODE)
			return cfgy_error(p, k, "%s: keys must be strings", what);
		if (!strcmp(cfgy_str(k), "channels")) {
			err = cfgy_uint(p, v, "channels", channels);
			if (err < 0)
				return err;
			if (*channels == 0 || *channels > UACDSP_MAX_CHANNELS)
				return cfgy_error(p, v, "%s: channels: must be 1..%u, got %u",
						  what, UACDSP_MAX_CHANNELS, *channels);
			have = true;
		} else {
			/* every backend's fields (type, device, format, node_name,
			 * signal...): uacd owns the device, they mean nothing here */
			snprintf(msg, sizeof(msg), "devices.%s.%s ignored: uacd owns the devices",
				 what, cfgy_str(k));
			note(p, k, msg);
		}
	}
	if (!have)
		return cfgy_error(p, n, "devices.%s: missing field 'channels'", what);
	return 0;
}

static int parse_devices(struct cfg_parser *p, yaml_node_t *n)
{
	struct uacdsp_config *cfg = p->cfg;
	bool have_rate = false, have_chunk = false, have_cap = false, have_play = false;
	yaml_node_pair_t *pr;
	char msg[160];
	int err;

	err = cfgy_expect_map(p, n, "devices");
	if (err < 0)
		return err;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);
		yaml_node_t *v = cfgy_node(p, pr->value);
		const char *key;

		if (!k || k->type != YAML_SCALAR_NODE)
			return cfgy_error(p, k, "devices: keys must be strings");
		key = cfgy_str(k);
		if (!strcmp(key, "samplerate")) {
			err = cfgy_uint(p, v, "devices.samplerate", &cfg->samplerate);
			if (err < 0)
				return err;
			if (cfg->samplerate < 1000 || cfg->samplerate > UACDSP_MAX_RATE)
				return cfgy_error(p, v, "devices.samplerate: must be 1000..%u, got %u",
						  UACDSP_MAX_RATE, cfg->samplerate);
			cfg->rate_pos = cfgy_pos(v);
			have_rate = true;
		} else if (!strcmp(key, "chunksize")) {
			err = cfgy_uint(p, v, "devices.chunksize", &cfg->chunksize);
			if (err < 0)
				return err;
			if (cfg->chunksize < 1 || cfg->chunksize > UACDSP_MAX_CHUNK)
				return cfgy_error(p, v, "devices.chunksize: must be 1..%u, got %u",
						  UACDSP_MAX_CHUNK, cfg->chunksize);
			have_chunk = true;
		} else if (!strcmp(key, "capture")) {
			err = parse_port(p, v, "capture", &cfg->capture_channels);
			if (err < 0)
				return err;
			have_cap = true;
		} else if (!strcmp(key, "playback")) {
			err = parse_port(p, v, "playback", &cfg->playback_channels);
			if (err < 0)
				return err;
			have_play = true;
		} else if (listed(key, devices_ignored)) {
			snprintf(msg, sizeof(msg), "devices.%s ignored: uacd owns the devices", key);
			note(p, k, msg);
		} else {
			return cfgy_error(p, k, "devices: unknown field '%s'", key);
		}
	}
	if (!have_rate)
		return cfgy_error(p, n, "devices: missing field 'samplerate'");
	if (!have_chunk)
		return cfgy_error(p, n, "devices: missing field 'chunksize'");
	if (!have_cap)
		return cfgy_error(p, n, "devices: missing field 'capture'");
	if (!have_play)
		return cfgy_error(p, n, "devices: missing field 'playback'");
	return 0;
}

/* ---- mixers ------------------------------------------------------------- */

static const char *const scale_names[] = { "dB", "linear", NULL };

struct src_tmp {
	unsigned channel;
	double gain;
	bool inverted, mute;
	int scale;
};

static const struct field src_fields[] = {
	{ "channel", FD_UINT, offsetof(struct src_tmp, channel), true, NULL, 0 },
	{ "gain", FD_DOUBLE, offsetof(struct src_tmp, gain), false, NULL, 0 },
	{ "inverted", FD_BOOL, offsetof(struct src_tmp, inverted), false, NULL, 0 },
	{ "mute", FD_BOOL, offsetof(struct src_tmp, mute), false, NULL, 0 },
	{ "scale", FD_ENUM, offsetof(struct src_tmp, scale), false, scale_names, 0 },
	FIELD_END
};

static int parse_mapping(struct cfg_parser *p, struct uacdsp_mixer_cfg *m,
			 yaml_node_t *n, struct uacdsp_mixer_map *map)
{
	yaml_node_t *dest, *mute, *sources;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	bool muted = false;
	size_t cnt;
	int err;

	err = cfgy_expect_map(p, n, "mapping entry");
	if (err < 0)
		return err;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);
		const char *key = k && k->type == YAML_SCALAR_NODE ? cfgy_str(k) : "";

		if (strcmp(key, "dest") && strcmp(key, "mute") && strcmp(key, "sources"))
			return cfgy_error(p, k, "mapping: unknown field '%s' (expected: dest, mute, sources)",
					  key);
	}
	dest = cfgy_get(p, n, "dest");
	if (!dest)
		return cfgy_error(p, n, "mapping: missing field 'dest'");
	err = cfgy_uint(p, dest, "dest", &map->dest);
	if (err < 0)
		return err;
	if (map->dest >= m->out)
		return cfgy_error(p, dest, "dest: channel %u does not exist (mixer has %u outputs)",
				  map->dest, m->out);
	mute = cfgy_get(p, n, "mute");
	if (mute) {
		err = cfgy_bool(p, mute, "mute", &muted);
		if (err < 0)
			return err;
	}
	sources = cfgy_get(p, n, "sources");
	if (!sources)
		return cfgy_error(p, n, "mapping: missing field 'sources'");
	if (sources->type != YAML_SEQUENCE_NODE)
		return cfgy_error(p, sources, "sources: expected a list");
	cnt = (size_t)(sources->data.sequence.items.top - sources->data.sequence.items.start);
	if (cnt > UACDSP_MAX_CHANNELS * 4)
		return cfgy_error(p, sources, "sources: too many entries");
	map->src = calloc(cnt ? cnt : 1, sizeof(*map->src));
	if (!map->src)
		return -ENOMEM;
	for (it = sources->data.sequence.items.start; it < sources->data.sequence.items.top; it++) {
		yaml_node_t *sn = cfgy_node(p, *it);
		struct src_tmp t = { 0 };
		double g;

		err = cfgy_fields(p, sn, src_fields, &t, NULL, NULL);
		if (err < 0)
			return err;
		if (t.channel >= m->in)
			return cfgy_error(p, sn, "channel: %u does not exist (mixer has %u inputs)",
					  t.channel, m->in);
		if (t.scale == 1) {
			if (t.gain < 0.0 || t.gain > 1e6)
				return cfgy_error(p, sn, "gain: linear gain must be 0..1e6");
			g = t.gain;
		} else {
			if (t.gain < -150.0 || t.gain > 150.0)
				return cfgy_error(p, sn, "gain: must be -150..150 dB, got %g", t.gain);
			g = pow(10.0, t.gain / 20.0);
		}
		if (t.inverted)
			g = -g;
		if (t.mute || muted)
			g = 0.0;
		map->src[map->nsrc].channel = t.channel;
		map->src[map->nsrc].gain = g;
		map->nsrc++;
	}
	return 0;
}

static int parse_mixer(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
		       struct uacdsp_mixer_cfg *m)
{
	yaml_node_t *ch, *mapping;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	size_t cnt;
	int err;

	m->pos = cfgy_pos(k);
	err = cfgy_expect_map(p, n, "mixer");
	if (err < 0)
		return err;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kk = cfgy_node(p, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? cfgy_str(kk) : "";

		if (strcmp(key, "channels") && strcmp(key, "mapping") &&
		    strcmp(key, "description") && strcmp(key, "labels"))
			return cfgy_error(p, kk, "unknown field '%s' (expected: channels, mapping, description)",
					  key);
	}
	ch = cfgy_get(p, n, "channels");
	if (!ch)
		return cfgy_error(p, n, "missing field 'channels'");
	{
		static const struct field chf[] = {
			{ "in", FD_UINT, offsetof(struct uacdsp_mixer_cfg, in), true, NULL, 0 },
			{ "out", FD_UINT, offsetof(struct uacdsp_mixer_cfg, out), true, NULL, 0 },
			FIELD_END
		};

		err = cfgy_fields(p, ch, chf, m, NULL, NULL);
		if (err < 0)
			return err;
	}
	if (m->in == 0 || m->in > UACDSP_MAX_CHANNELS || m->out == 0 ||
	    m->out > UACDSP_MAX_CHANNELS)
		return cfgy_error(p, ch, "channels: in and out must be 1..%u", UACDSP_MAX_CHANNELS);
	mapping = cfgy_get(p, n, "mapping");
	if (!mapping)
		return cfgy_error(p, n, "missing field 'mapping'");
	if (mapping->type != YAML_SEQUENCE_NODE)
		return cfgy_error(p, mapping, "mapping: expected a list");
	cnt = (size_t)(mapping->data.sequence.items.top - mapping->data.sequence.items.start);
	if (cnt > UACDSP_MAX_CHANNELS * 4)
		return cfgy_error(p, mapping, "mapping: too many entries");
	m->map = calloc(cnt ? cnt : 1, sizeof(*m->map));
	if (!m->map)
		return -ENOMEM;
	for (it = mapping->data.sequence.items.start; it < mapping->data.sequence.items.top; it++) {
		err = parse_mapping(p, m, cfgy_node(p, *it), &m->map[m->nmap]);
		m->nmap++;
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- processors --------------------------------------------------------- */

static const struct field compressor_fields[] = {
	{ "channels", FD_UINT, offsetof(struct uacdsp_processor_cfg, channels), true, NULL, 0 },
	{ "attack", FD_DOUBLE, offsetof(struct uacdsp_processor_cfg, attack), true, NULL, 0 },
	{ "release", FD_DOUBLE, offsetof(struct uacdsp_processor_cfg, release), true, NULL, 0 },
	{ "threshold", FD_DOUBLE, offsetof(struct uacdsp_processor_cfg, threshold), true, NULL, 0 },
	{ "factor", FD_DOUBLE, offsetof(struct uacdsp_processor_cfg, factor), true, NULL, 0 },
	{ "makeup_gain", FD_DOUBLE, offsetof(struct uacdsp_processor_cfg, makeup_gain), false, NULL, 0 },
	{ "soft_clip", FD_BOOL, offsetof(struct uacdsp_processor_cfg, soft_clip), false, NULL, 0 },
	{ "clip_limit", FD_DOUBLE, offsetof(struct uacdsp_processor_cfg, clip_limit), false, NULL, 0 },
	{ "monitor_channels", FD_IGNORE, 0, false, NULL, 0 },
	{ "process_channels", FD_IGNORE, 0, false, NULL, 0 },
	FIELD_END
};

static int parse_processor(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
			   struct uacdsp_processor_cfg *pc)
{
	static const char *const types[] = { "Compressor", NULL };
	static const char *const skip[] = { "monitor_channels", "process_channels", NULL };
	yaml_node_t *t, *par, *v;
	yaml_node_pair_t *pr;
	unsigned i;
	int type, err;

	pc->pos = cfgy_pos(k);
	err = cfgy_expect_map(p, n, "processor");
	if (err < 0)
		return err;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kk = cfgy_node(p, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? cfgy_str(kk) : "";

		if (strcmp(key, "type") && strcmp(key, "parameters") && strcmp(key, "description"))
			return cfgy_error(p, kk, "unknown field '%s' (expected: type, parameters, description)",
					  key);
	}
	t = cfgy_get(p, n, "type");
	if (!t)
		return cfgy_error(p, n, "missing field 'type'");
	err = cfgy_enum(p, t, "type", types, &type);
	if (err < 0)
		return err;
	par = cfgy_get(p, n, "parameters");
	if (!par)
		return cfgy_error(p, n, "missing field 'parameters'");
	pc->clip_limit = 0.0;
	err = cfgy_fields(p, par, compressor_fields, pc, skip, NULL);
	if (err < 0)
		return err;
	pc->has_clip = cfgy_get(p, par, "clip_limit") != NULL;
	if (pc->channels == 0 || pc->channels > UACDSP_MAX_CHANNELS)
		return cfgy_error(p, par, "channels: must be 1..%u", UACDSP_MAX_CHANNELS);
	if (!(pc->attack > 0.0) || !(pc->release > 0.0))
		return cfgy_error(p, par, "attack and release must be > 0 s");
	if (!(pc->factor >= 1.0))
		return cfgy_error(p, par, "factor: must be >= 1, got %g", pc->factor);
	v = cfgy_get(p, par, "monitor_channels");
	if (v) {
		err = cfgy_uint_list(p, v, "monitor_channels", pc->monitor, UACDSP_MAX_CHANNELS,
				     &pc->nmonitor);
		if (err < 0)
			return err;
	} else {
		for (i = 0; i < pc->channels; i++)
			pc->monitor[i] = i;
		pc->nmonitor = pc->channels;
	}
	v = cfgy_get(p, par, "process_channels");
	if (v) {
		err = cfgy_uint_list(p, v, "process_channels", pc->process, UACDSP_MAX_CHANNELS,
				     &pc->nprocess);
		if (err < 0)
			return err;
	} else {
		for (i = 0; i < pc->channels; i++)
			pc->process[i] = i;
		pc->nprocess = pc->channels;
	}
	for (i = 0; i < pc->nmonitor; i++)
		if (pc->monitor[i] >= pc->channels)
			return cfgy_error(p, par, "monitor_channels: channel %u >= channels (%u)",
					  pc->monitor[i], pc->channels);
	for (i = 0; i < pc->nprocess; i++)
		if (pc->process[i] >= pc->channels)
			return cfgy_error(p, par, "process_channels: channel %u >= channels (%u)",
					  pc->process[i], pc->channels);
	return 0;
}

/* ---- pipeline ----------------------------------------------------------- */

static int find_name(struct cfg_parser *p, yaml_node_t *v, const char *what,
		     unsigned *out)
{
	struct uacdsp_config *cfg = p->cfg;
	const char *s;
	unsigned i;
	int err;

	err = cfgy_string(p, v, "name", &s);
	if (err < 0)
		return err;
	if (!strcmp(what, "filter")) {
		for (i = 0; i < cfg->nfilters; i++)
			if (!strcmp(cfg->filters[i].name, s))
				break;
		if (i == cfg->nfilters)
			return cfgy_error(p, v, "no filter named '%s' in filters", s);
	} else if (!strcmp(what, "mixer")) {
		for (i = 0; i < cfg->nmixers; i++)
			if (!strcmp(cfg->mixers[i].name, s))
				break;
		if (i == cfg->nmixers)
			return cfgy_error(p, v, "no mixer named '%s' in mixers", s);
	} else {
		for (i = 0; i < cfg->nprocessors; i++)
			if (!strcmp(cfg->processors[i].name, s))
				break;
		if (i == cfg->nprocessors)
			return cfgy_error(p, v, "no processor named '%s' in processors", s);
	}
	*out = i;
	return 0;
}

static int parse_step(struct cfg_parser *p, yaml_node_t *n, struct uacdsp_step_cfg *st,
		      unsigned *nch)
{
	static const char *const types[] = { "Filter", "Mixer", "Processor", NULL };
	yaml_node_t *t, *v;
	yaml_node_pair_t *pr;
	unsigned i;
	int type, err;

	st->pos = cfgy_pos(n);
	err = cfgy_expect_map(p, n, "pipeline step");
	if (err < 0)
		return err;
	t = cfgy_get(p, n, "type");
	if (!t)
		return cfgy_error(p, n, "pipeline step: missing field 'type'");
	err = cfgy_enum(p, t, "type", types, &type);
	if (err < 0)
		return err;
	st->type = (enum uacdsp_step_type)type;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kk = cfgy_node(p, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? cfgy_str(kk) : "";
		bool ok = !strcmp(key, "type") || !strcmp(key, "description") ||
			  !strcmp(key, "bypassed");

		if (st->type == UACDSP_STEP_FILTER)
			ok |= !strcmp(key, "channel") || !strcmp(key, "channels") ||
			      !strcmp(key, "names");
		else
			ok |= !strcmp(key, "name");
		if (!ok)
			return cfgy_error(p, kk, "pipeline %s step: unknown field '%s'",
					  types[type], key);
	}
	v = cfgy_get(p, n, "bypassed");
	if (v) {
		err = cfgy_bool(p, v, "bypassed", &st->bypassed);
		if (err < 0)
			return err;
	}
	st->in = *nch;
	if (st->type == UACDSP_STEP_FILTER) {
		yaml_node_t *names = cfgy_get(p, n, "names");
		yaml_node_item_t *it;
		size_t cnt;

		v = cfgy_get(p, n, "channel");
		if (v && cfgy_get(p, n, "channels"))
			return cfgy_error(p, v, "give either 'channel' or 'channels', not both");
		if (v) {
			err = cfgy_uint(p, v, "channel", &st->channels[0]);
			if (err < 0)
				return err;
			st->nchannels = 1;
		} else {
			v = cfgy_get(p, n, "channels");
			if (v) {
				err = cfgy_uint_list(p, v, "channels", st->channels,
						     UACDSP_MAX_CHANNELS, &st->nchannels);
				if (err < 0)
					return err;
			} else {
				for (i = 0; i < *nch; i++)
					st->channels[i] = i;
				st->nchannels = *nch;
			}
		}
		for (i = 0; i < st->nchannels; i++) {
			unsigned j;

			if (st->channels[i] >= *nch)
				return cfgy_error(p, v, "channel %u does not exist here "
						  "(the pipeline has %u channels at this step)",
						  st->channels[i], *nch);
			for (j = 0; j < i; j++)
				if (st->channels[j] == st->channels[i])
					return cfgy_error(p, v, "channel %u listed twice",
							  st->channels[i]);
		}
		if (!names)
			return cfgy_error(p, n, "pipeline Filter step: missing field 'names'");
		if (names->type != YAML_SEQUENCE_NODE)
			return cfgy_error(p, names, "names: expected a list of filter names");
		cnt = (size_t)(names->data.sequence.items.top - names->data.sequence.items.start);
		if (cnt > 4096)
			return cfgy_error(p, names, "names: too many entries");
		st->filters = calloc(cnt ? cnt : 1, sizeof(*st->filters));
		if (!st->filters)
			return -ENOMEM;
		for (it = names->data.sequence.items.start; it < names->data.sequence.items.top; it++) {
			err = find_name(p, cfgy_node(p, *it), "filter", &st->filters[st->nfilters]);
			if (err < 0)
				return err;
			st->nfilters++;
		}
	} else {
		v = cfgy_get(p, n, "name");
		if (!v)
			return cfgy_error(p, n, "pipeline %s step: missing field 'name'", types[type]);
		err = find_name(p, v, st->type == UACDSP_STEP_MIXER ? "mixer" : "processor",
				&st->index);
		if (err < 0)
			return err;
		if (st->type == UACDSP_STEP_MIXER) {
			struct uacdsp_mixer_cfg *m = &p->cfg->mixers[st->index];

			if (m->in != *nch)
				return cfgy_error(p, v, "mixer '%s' takes %u channels but the pipeline "
						  "has %u here", m->name, m->in, *nch);
			if (!st->bypassed)
				*nch = m->out;
		} else {
			struct uacdsp_processor_cfg *pc = &p->cfg->processors[st->index];

			if (pc->channels != *nch)
				return cfgy_error(p, v, "processor '%s' takes %u channels but the "
						  "pipeline has %u here", pc->name, pc->channels, *nch);
		}
	}
	st->out = *nch;
	return 0;
}

/* ---- top level ---------------------------------------------------------- */

typedef int (*named_fn)(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *v, void *elem);

static int parse_named(struct cfg_parser *p, yaml_node_t *n, const char *section,
		       void **arr, unsigned *count, size_t elem_size, size_t name_off,
		       named_fn fn)
{
	char ctx[200];
	yaml_node_pair_t *pr;
	size_t cnt;
	char *base;
	int err;

	if (!n)
		return 0;
	err = cfgy_expect_map(p, n, section);
	if (err < 0)
		return err;
	cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (cnt > 4096)
		return cfgy_error(p, n, "%s: too many entries", section);
	base = calloc(cnt ? cnt : 1, elem_size);
	if (!base)
		return -ENOMEM;
	*arr = base;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);
		yaml_node_t *v = cfgy_node(p, pr->value);
		char *elem = base + *count * elem_size;
		char **name = (char **)(elem + name_off);
		unsigned i;

		if (!k || k->type != YAML_SCALAR_NODE || !*cfgy_str(k))
			return cfgy_error(p, k, "%s: names must be non-empty strings", section);
		for (i = 0; i < *count; i++)
			if (!strcmp(*(char **)(base + i * elem_size + name_off), cfgy_str(k)))
				return cfgy_error(p, k, "%s: '%s' defined twice", section,
						  cfgy_str(k));
		*name = strdup(cfgy_str(k));
		if (!*name)
			return -ENOMEM;
		(*count)++;
		snprintf(ctx, sizeof(ctx), "%.*s '%.120s'", (int)strlen(section) - 1, section,
			 cfgy_str(k));
		p->ctx = ctx;
		err = fn(p, k, v, elem);
		p->ctx = NULL;
		if (err < 0)
			return err;
	}
	return 0;
}

static int mixer_fn(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *v, void *e)
{
	return parse_mixer(p, k, v, e);
}

static int processor_fn(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *v, void *e)
{
	return parse_processor(p, k, v, e);
}

static int filter_fn(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *v, void *e)
{
	return uacdsp_parse_filter(p, k, v, e);
}

static int parse_root(struct cfg_parser *p, yaml_node_t *root)
{
	static const char *const top[] = { "title", "description", "devices", "filters",
					   "mixers", "processors", "pipeline", NULL };
	struct uacdsp_config *cfg = p->cfg;
	yaml_node_t *devices, *pipeline;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;
	unsigned nch, i;
	size_t cnt;
	int err;

	if (!root)
		return cfgy_error(p, NULL, "empty config");
	err = cfgy_expect_map(p, root, "config");
	if (err < 0)
		return err;
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);

		if (!k || k->type != YAML_SCALAR_NODE || !listed(cfgy_str(k), top))
			return cfgy_error(p, k, "unknown top-level field '%s' (expected: devices, "
					  "filters, mixers, processors, pipeline, title, description)",
					  k && k->type == YAML_SCALAR_NODE ? cfgy_str(k) : "?");
	}
	devices = cfgy_get(p, root, "devices");
	if (!devices)
		return cfgy_error(p, root, "missing section 'devices'");
	err = parse_devices(p, devices);
	if (err < 0)
		return err;
	err = parse_named(p, cfgy_get(p, root, "filters"), "filters", (void **)&cfg->filters,
			  &cfg->nfilters, sizeof(*cfg->filters),
			  offsetof(struct uacdsp_filter_cfg, name), filter_fn);
	if (err < 0)
		return err;
	err = parse_named(p, cfgy_get(p, root, "mixers"), "mixers", (void **)&cfg->mixers,
			  &cfg->nmixers, sizeof(*cfg->mixers),
			  offsetof(struct uacdsp_mixer_cfg, name), mixer_fn);
	if (err < 0)
		return err;
	err = parse_named(p, cfgy_get(p, root, "processors"), "processors",
			  (void **)&cfg->processors, &cfg->nprocessors,
			  sizeof(*cfg->processors),
			  offsetof(struct uacdsp_processor_cfg, name), processor_fn);
	if (err < 0)
		return err;

	/* every filter must work at the configured rate, used or not */
	for (i = 0; i < cfg->nfilters; i++) {
		err = uacdsp_filter_check(cfg, &cfg->filters[i], cfg->samplerate,
					  p->err, p->errlen);
		if (err < 0)
			return err;
	}

	nch = cfg->capture_channels;
	pipeline = cfgy_get(p, root, "pipeline");
	if (pipeline) {
		if (pipeline->type != YAML_SEQUENCE_NODE)
			return cfgy_error(p, pipeline, "pipeline: expected a list of steps");
		cnt = (size_t)(pipeline->data.sequence.items.top -
			       pipeline->data.sequence.items.start);
		if (cnt > 4096)
			return cfgy_error(p, pipeline, "pipeline: too many steps");
		cfg->steps = calloc(cnt ? cnt : 1, sizeof(*cfg->steps));
		if (!cfg->steps)
			return -ENOMEM;
		for (it = pipeline->data.sequence.items.start;
		     it < pipeline->data.sequence.items.top; it++) {
			err = parse_step(p, cfgy_node(p, *it), &cfg->steps[cfg->nsteps], &nch);
			cfg->nsteps++;
			if (err < 0)
				return err;
		}
	}
	if (nch != cfg->playback_channels)
		return cfgy_error(p, pipeline ? pipeline : root,
				  "pipeline ends with %u channels but devices.playback.channels is %u",
				  nch, cfg->playback_channels);
	return 0;
}

static int yaml_fail(struct cfg_parser *p, yaml_parser_t *yp)
{
	struct uacdsp_pos pos = {
		(unsigned)yp->problem_mark.line + 1, (unsigned)yp->problem_mark.column + 1
	};

	if (yp->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	uacdsp_err_at(p->err, p->errlen, p->file, pos, "YAML: %s%s%s",
		      yp->problem ? yp->problem : "syntax error",
		      yp->context ? " " : "", yp->context ? yp->context : "");
	return -EINVAL;
}

int uacdsp_config_parse(const char *text, size_t len, const char *filename,
			struct uacdsp_config **out, char *err, size_t errlen)
{
	struct cfg_parser p = { .err = err, .errlen = errlen };
	struct uacdsp_config *cfg;
	yaml_parser_t yp;
	char *dup;
	int ret;

	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	cfg->filename = strdup(filename ? filename : "<memory>");
	dup = strdup(filename ? filename : "./x");
	cfg->dir = dup ? strdup(dirname(dup)) : NULL;
	free(dup);
	if (!cfg->filename || !cfg->dir) {
		uacdsp_config_free(cfg);
		return -ENOMEM;
	}
	p.cfg = cfg;
	p.file = cfg->filename;

	if (!yaml_parser_initialize(&yp)) {
		uacdsp_config_free(cfg);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &p.doc)) {
		ret = yaml_fail(&p, &yp);
		yaml_parser_delete(&yp);
		uacdsp_config_free(cfg);
		return ret;
	}
	ret = parse_root(&p, yaml_document_get_root_node(&p.doc));
	yaml_document_delete(&p.doc);
	yaml_parser_delete(&yp);
	if (ret < 0) {
		if (ret == -ENOMEM && err && errlen && !err[0])
			uacdsp_err_at(err, errlen, cfg->filename, (struct uacdsp_pos){ 1, 1 },
				      "out of memory");
		uacdsp_config_free(cfg);
		return ret;
	}
	*out = cfg;
	return 0;
}

int uacdsp_config_load(const char *path, struct uacdsp_config **out,
		       char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int ret;

	*out = NULL;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nb;

			if (cap >= MAX_FILE_SIZE) {
				ret = -EFBIG;
				if (err && errlen)
					snprintf(err, errlen, "%s: larger than %u bytes", path,
						 MAX_FILE_SIZE);
				goto out_free;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out_free;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: read error", path);
		goto out_free;
	}
	ret = uacdsp_config_parse(buf ? buf : "", len, path, out, err, errlen);
out_free:
	free(buf);
	fclose(f);
	return ret;
}

void uacdsp_config_free(struct uacdsp_config *cfg)
{
	unsigned i, j;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nfilters; i++)
		uacdsp_filter_cfg_release(&cfg->filters[i]);
	free(cfg->filters);
	for (i = 0; i < cfg->nmixers; i++) {
		free(cfg->mixers[i].name);
		for (j = 0; j < cfg->mixers[i].nmap; j++)
			free(cfg->mixers[i].map[j].src);
		free(cfg->mixers[i].map);
	}
	free(cfg->mixers);
	for (i = 0; i < cfg->nprocessors; i++)
		free(cfg->processors[i].name);
	free(cfg->processors);
	for (i = 0; i < cfg->nsteps; i++)
		free(cfg->steps[i].filters);
	free(cfg->steps);
	free(cfg->notes);
	free(cfg->filename);
	free(cfg->dir);
	free(cfg);
}

const char *uacdsp_config_notes(const struct uacdsp_config *cfg)
{
	return cfg->notes ? cfg->notes : "";
}

unsigned uacdsp_config_samplerate(const struct uacdsp_config *cfg)
{
	return cfg->samplerate;
}

unsigned uacdsp_config_chunksize(const struct uacdsp_config *cfg)
{
	return cfg->chunksize;
}

int uacdsp_config_set_chunksize(struct uacdsp_config *cfg, unsigned frames)
{
	if (frames < 1 || frames > UACDSP_MAX_CHUNK)
		return -EINVAL;
	cfg->chunksize = frames;
	return 0;
}
