/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The `mixers:`, `processors:` and `pipeline:` sections.
 *
 * Mixer gains are folded at load time into one linear factor per source
 * (dB or linear scale, inversion and both mute flags), so the chain only
 * multiplies and adds.  Pipeline steps are checked in order while the
 * channel count is carried through them: a Filter step may only name
 * channels that exist at that point, a Mixer must take exactly the current
 * count and sets the next one, a Processor must cover the current count.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/config-internal.h"

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
		yaml_node_t *k = syaml_node(&p->y, pr->key);
		const char *key = k && k->type == YAML_SCALAR_NODE ? syaml_str(k) : "";

		if (strcmp(key, "dest") && strcmp(key, "mute") && strcmp(key, "sources"))
			return syaml_fail(&p->y, k, "mapping: unknown field '%s' (expected: dest, mute, sources)",
					  key);
	}
	dest = syaml_get(&p->y, n, "dest");
	if (!dest)
		return syaml_fail(&p->y, n, "mapping: missing field 'dest'");
	err = cfgy_uint(p, dest, "dest", &map->dest);
	if (err < 0)
		return err;
	if (map->dest >= m->out)
		return syaml_fail(&p->y, dest, "dest: channel %u does not exist (mixer has %u outputs)",
				  map->dest, m->out);
	mute = syaml_get(&p->y, n, "mute");
	if (mute) {
		err = cfgy_bool(p, mute, "mute", &muted);
		if (err < 0)
			return err;
	}
	sources = syaml_get(&p->y, n, "sources");
	if (!sources)
		return syaml_fail(&p->y, n, "mapping: missing field 'sources'");
	if (sources->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&p->y, sources, "sources: expected a list");
	cnt = (size_t)(sources->data.sequence.items.top - sources->data.sequence.items.start);
	if (cnt > UACDSP_MAX_CHANNELS * 4)
		return syaml_fail(&p->y, sources, "sources: too many entries");
	map->src = calloc(cnt ? cnt : 1, sizeof(*map->src));
	if (!map->src)
		return -ENOMEM;
	for (it = sources->data.sequence.items.start; it < sources->data.sequence.items.top; it++) {
		yaml_node_t *sn = syaml_node(&p->y, *it);
		struct src_tmp t = { 0 };
		double g;

		err = cfgy_fields(p, sn, src_fields, &t, NULL, NULL);
		if (err < 0)
			return err;
		if (t.channel >= m->in)
			return syaml_fail(&p->y, sn, "channel: %u does not exist (mixer has %u inputs)",
					  t.channel, m->in);
		if (t.scale == 1) {
			if (t.gain < 0.0 || t.gain > 1e6)
				return syaml_fail(&p->y, sn, "gain: linear gain must be 0..1e6");
			g = t.gain;
		} else {
			if (t.gain < -150.0 || t.gain > 150.0)
				return syaml_fail(&p->y, sn, "gain: must be -150..150 dB, got %g", t.gain);
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

int uacdsp_parse_mixer(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
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
		yaml_node_t *kk = syaml_node(&p->y, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? syaml_str(kk) : "";

		if (strcmp(key, "channels") && strcmp(key, "mapping") &&
		    strcmp(key, "description") && strcmp(key, "labels"))
			return syaml_fail(&p->y, kk, "unknown field '%s' (expected: channels, mapping, description)",
					  key);
	}
	ch = syaml_get(&p->y, n, "channels");
	if (!ch)
		return syaml_fail(&p->y, n, "missing field 'channels'");
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
		return syaml_fail(&p->y, ch, "channels: in and out must be 1..%u", UACDSP_MAX_CHANNELS);
	mapping = syaml_get(&p->y, n, "mapping");
	if (!mapping)
		return syaml_fail(&p->y, n, "missing field 'mapping'");
	if (mapping->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&p->y, mapping, "mapping: expected a list");
	cnt = (size_t)(mapping->data.sequence.items.top - mapping->data.sequence.items.start);
	if (cnt > UACDSP_MAX_CHANNELS * 4)
		return syaml_fail(&p->y, mapping, "mapping: too many entries");
	m->map = calloc(cnt ? cnt : 1, sizeof(*m->map));
	if (!m->map)
		return -ENOMEM;
	for (it = mapping->data.sequence.items.start; it < mapping->data.sequence.items.top; it++) {
		err = parse_mapping(p, m, syaml_node(&p->y, *it), &m->map[m->nmap]);
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

int uacdsp_parse_processor(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *n,
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
		yaml_node_t *kk = syaml_node(&p->y, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? syaml_str(kk) : "";

		if (strcmp(key, "type") && strcmp(key, "parameters") && strcmp(key, "description"))
			return syaml_fail(&p->y, kk, "unknown field '%s' (expected: type, parameters, description)",
					  key);
	}
	t = syaml_get(&p->y, n, "type");
	if (!t)
		return syaml_fail(&p->y, n, "missing field 'type'");
	err = cfgy_enum(p, t, "type", types, &type);
	if (err < 0)
		return err;
	par = syaml_get(&p->y, n, "parameters");
	if (!par)
		return syaml_fail(&p->y, n, "missing field 'parameters'");
	pc->clip_limit = 0.0;
	err = cfgy_fields(p, par, compressor_fields, pc, skip, NULL);
	if (err < 0)
		return err;
	pc->has_clip = syaml_get(&p->y, par, "clip_limit") != NULL;
	if (pc->channels == 0 || pc->channels > UACDSP_MAX_CHANNELS)
		return syaml_fail(&p->y, par, "channels: must be 1..%u", UACDSP_MAX_CHANNELS);
	if (!(pc->attack > 0.0) || !(pc->release > 0.0))
		return syaml_fail(&p->y, par, "attack and release must be > 0 s");
	if (!(pc->factor >= 1.0))
		return syaml_fail(&p->y, par, "factor: must be >= 1, got %g", pc->factor);
	v = syaml_get(&p->y, par, "monitor_channels");
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
	v = syaml_get(&p->y, par, "process_channels");
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
			return syaml_fail(&p->y, par, "monitor_channels: channel %u >= channels (%u)",
					  pc->monitor[i], pc->channels);
	for (i = 0; i < pc->nprocess; i++)
		if (pc->process[i] >= pc->channels)
			return syaml_fail(&p->y, par, "process_channels: channel %u >= channels (%u)",
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
			return syaml_fail(&p->y, v, "no filter named '%s' in filters", s);
	} else if (!strcmp(what, "mixer")) {
		for (i = 0; i < cfg->nmixers; i++)
			if (!strcmp(cfg->mixers[i].name, s))
				break;
		if (i == cfg->nmixers)
			return syaml_fail(&p->y, v, "no mixer named '%s' in mixers", s);
	} else {
		for (i = 0; i < cfg->nprocessors; i++)
			if (!strcmp(cfg->processors[i].name, s))
				break;
		if (i == cfg->nprocessors)
			return syaml_fail(&p->y, v, "no processor named '%s' in processors", s);
	}
	*out = i;
	return 0;
}

/* A Filter step's channels and filter names; nch: channels at this step */
static int parse_filter_step(struct cfg_parser *p, yaml_node_t *n,
			     struct uacdsp_step_cfg *st, unsigned nch)
{
	yaml_node_t *names = syaml_get(&p->y, n, "names");
	yaml_node_item_t *it;
	yaml_node_t *v;
	unsigned i;
	size_t cnt;
	int err;

	v = syaml_get(&p->y, n, "channel");
	if (v && syaml_get(&p->y, n, "channels"))
		return syaml_fail(&p->y, v, "give either 'channel' or 'channels', not both");
	if (v) {
		err = cfgy_uint(p, v, "channel", &st->channels[0]);
		if (err < 0)
			return err;
		st->nchannels = 1;
	} else {
		v = syaml_get(&p->y, n, "channels");
		if (v) {
			err = cfgy_uint_list(p, v, "channels", st->channels,
					     UACDSP_MAX_CHANNELS, &st->nchannels);
			if (err < 0)
				return err;
		} else {
			for (i = 0; i < nch; i++)
				st->channels[i] = i;
			st->nchannels = nch;
		}
	}
	for (i = 0; i < st->nchannels; i++) {
		unsigned j;

		if (st->channels[i] >= nch)
			return syaml_fail(&p->y, v, "channel %u does not exist here "
					  "(the pipeline has %u channels at this step)",
					  st->channels[i], nch);
		for (j = 0; j < i; j++)
			if (st->channels[j] == st->channels[i])
				return syaml_fail(&p->y, v, "channel %u listed twice",
						  st->channels[i]);
	}
	if (!names)
		return syaml_fail(&p->y, n, "pipeline Filter step: missing field 'names'");
	if (names->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&p->y, names, "names: expected a list of filter names");
	cnt = (size_t)(names->data.sequence.items.top - names->data.sequence.items.start);
	if (cnt > 4096)
		return syaml_fail(&p->y, names, "names: too many entries");
	st->filters = calloc(cnt ? cnt : 1, sizeof(*st->filters));
	if (!st->filters)
		return -ENOMEM;
	for (it = names->data.sequence.items.start; it < names->data.sequence.items.top; it++) {
		err = find_name(p, syaml_node(&p->y, *it), "filter", &st->filters[st->nfilters]);
		if (err < 0)
			return err;
		st->nfilters++;
	}
	return 0;
}

int uacdsp_parse_step(struct cfg_parser *p, yaml_node_t *n, struct uacdsp_step_cfg *st,
		      unsigned *nch)
{
	static const char *const types[] = { "Filter", "Mixer", "Processor", NULL };
	yaml_node_t *t, *v;
	yaml_node_pair_t *pr;
	int type, err;

	st->pos = cfgy_pos(n);
	err = cfgy_expect_map(p, n, "pipeline step");
	if (err < 0)
		return err;
	t = syaml_get(&p->y, n, "type");
	if (!t)
		return syaml_fail(&p->y, n, "pipeline step: missing field 'type'");
	err = cfgy_enum(p, t, "type", types, &type);
	if (err < 0)
		return err;
	st->type = (enum uacdsp_step_type)type;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kk = syaml_node(&p->y, pr->key);
		const char *key = kk && kk->type == YAML_SCALAR_NODE ? syaml_str(kk) : "";
		bool ok = !strcmp(key, "type") || !strcmp(key, "description") ||
			  !strcmp(key, "bypassed");

		if (st->type == UACDSP_STEP_FILTER)
			ok |= !strcmp(key, "channel") || !strcmp(key, "channels") ||
			      !strcmp(key, "names");
		else
			ok |= !strcmp(key, "name");
		if (!ok)
			return syaml_fail(&p->y, kk, "pipeline %s step: unknown field '%s'",
					  types[type], key);
	}
	v = syaml_get(&p->y, n, "bypassed");
	if (v) {
		err = cfgy_bool(p, v, "bypassed", &st->bypassed);
		if (err < 0)
			return err;
	}
	st->in = *nch;
	if (st->type == UACDSP_STEP_FILTER) {
		err = parse_filter_step(p, n, st, *nch);
		if (err < 0)
			return err;
	} else {
		v = syaml_get(&p->y, n, "name");
		if (!v)
			return syaml_fail(&p->y, n, "pipeline %s step: missing field 'name'", types[type]);
		err = find_name(p, v, st->type == UACDSP_STEP_MIXER ? "mixer" : "processor",
				&st->index);
		if (err < 0)
			return err;
		if (st->type == UACDSP_STEP_MIXER) {
			struct uacdsp_mixer_cfg *m = &p->cfg->mixers[st->index];

			if (m->in != *nch)
				return syaml_fail(&p->y, v, "mixer '%s' takes %u channels but the pipeline "
						  "has %u here", m->name, m->in, *nch);
			if (!st->bypassed)
				*nch = m->out;
		} else {
			struct uacdsp_processor_cfg *pc = &p->cfg->processors[st->index];

			if (pc->channels != *nch)
				return syaml_fail(&p->y, v, "processor '%s' takes %u channels but the "
						  "pipeline has %u here", pc->name, pc->channels, *nch);
		}
	}
	st->out = *nch;
	return 0;
}

