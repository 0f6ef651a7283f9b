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
		     p->y.file, pos.line, pos.col, what);
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
		yaml_node_t *k = syaml_node(&p->y, pr->key);
		yaml_node_t *v = syaml_node(&p->y, pr->value);

		if (!k || k->type != YAML_SCALAR_NODE)
			return syaml_fail(&p->y, k, "%s: keys must be strings", what);
		if (!strcmp(syaml_str(k), "channels")) {
			err = cfgy_uint(p, v, "channels", channels);
			if (err < 0)
				return err;
			if (*channels == 0 || *channels > UACDSP_MAX_CHANNELS)
				return syaml_fail(&p->y, v, "%s: channels: must be 1..%u, got %u",
						  what, UACDSP_MAX_CHANNELS, *channels);
			have = true;
		} else {
			/* every backend's fields (type, device, format, node_name,
			 * signal...): uacd owns the device, they mean nothing here */
			snprintf(msg, sizeof(msg), "devices.%s.%s ignored: uacd owns the devices",
				 what, syaml_str(k));
			note(p, k, msg);
		}
	}
	if (!have)
		return syaml_fail(&p->y, n, "devices.%s: missing field 'channels'", what);
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
		yaml_node_t *k = syaml_node(&p->y, pr->key);
		yaml_node_t *v = syaml_node(&p->y, pr->value);
		const char *key;

		if (!k || k->type != YAML_SCALAR_NODE)
			return syaml_fail(&p->y, k, "devices: keys must be strings");
		key = syaml_str(k);
		if (!strcmp(key, "samplerate")) {
			err = cfgy_uint(p, v, "devices.samplerate", &cfg->samplerate);
			if (err < 0)
				return err;
			if (cfg->samplerate < 1000 || cfg->samplerate > UACDSP_MAX_RATE)
				return syaml_fail(&p->y, v, "devices.samplerate: must be 1000..%u, got %u",
						  UACDSP_MAX_RATE, cfg->samplerate);
			cfg->rate_pos = cfgy_pos(v);
			have_rate = true;
		} else if (!strcmp(key, "chunksize")) {
			err = cfgy_uint(p, v, "devices.chunksize", &cfg->chunksize);
			if (err < 0)
				return err;
			if (cfg->chunksize < 1 || cfg->chunksize > UACDSP_MAX_CHUNK)
				return syaml_fail(&p->y, v, "devices.chunksize: must be 1..%u, got %u",
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
			return syaml_fail(&p->y, k, "devices: unknown field '%s'", key);
		}
	}
	if (!have_rate)
		return syaml_fail(&p->y, n, "devices: missing field 'samplerate'");
	if (!have_chunk)
		return syaml_fail(&p->y, n, "devices: missing field 'chunksize'");
	if (!have_cap)
		return syaml_fail(&p->y, n, "devices: missing field 'capture'");
	if (!have_play)
		return syaml_fail(&p->y, n, "devices: missing field 'playback'");
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
		return syaml_fail(&p->y, n, "%s: too many entries", section);
	base = calloc(cnt ? cnt : 1, elem_size);
	if (!base)
		return -ENOMEM;
	*arr = base;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = syaml_node(&p->y, pr->key);
		yaml_node_t *v = syaml_node(&p->y, pr->value);
		char *elem = base + *count * elem_size;
		char **name = (char **)(elem + name_off);
		unsigned i;

		if (!k || k->type != YAML_SCALAR_NODE || !*syaml_str(k))
			return syaml_fail(&p->y, k, "%s: names must be non-empty strings", section);
		for (i = 0; i < *count; i++)
			if (!strcmp(*(char **)(base + i * elem_size + name_off), syaml_str(k)))
				return syaml_fail(&p->y, k, "%s: '%s' defined twice", section,
						  syaml_str(k));
		*name = strdup(syaml_str(k));
		if (!*name)
			return -ENOMEM;
		(*count)++;
		snprintf(ctx, sizeof(ctx), "%.*s '%.120s'", (int)strlen(section) - 1, section,
			 syaml_str(k));
		p->y.ctx = ctx;
		err = fn(p, k, v, elem);
		p->y.ctx = NULL;
		if (err < 0)
			return err;
	}
	return 0;
}

static int mixer_fn(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *v, void *e)
{
	return uacdsp_parse_mixer(p, k, v, e);
}

static int processor_fn(struct cfg_parser *p, yaml_node_t *k, yaml_node_t *v, void *e)
{
	return uacdsp_parse_processor(p, k, v, e);
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
		return syaml_fail(&p->y, NULL, "empty config");
	err = cfgy_expect_map(p, root, "config");
	if (err < 0)
		return err;
	for (pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = syaml_node(&p->y, pr->key);

		if (!k || k->type != YAML_SCALAR_NODE || !listed(syaml_str(k), top))
			return syaml_fail(&p->y, k, "unknown top-level field '%s' (expected: devices, "
					  "filters, mixers, processors, pipeline, title, description)",
					  k && k->type == YAML_SCALAR_NODE ? syaml_str(k) : "?");
	}
	devices = syaml_get(&p->y, root, "devices");
	if (!devices)
		return syaml_fail(&p->y, root, "missing section 'devices'");
	err = parse_devices(p, devices);
	if (err < 0)
		return err;
	err = parse_named(p, syaml_get(&p->y, root, "filters"), "filters", (void **)&cfg->filters,
			  &cfg->nfilters, sizeof(*cfg->filters),
			  offsetof(struct uacdsp_filter_cfg, name), filter_fn);
	if (err < 0)
		return err;
	err = parse_named(p, syaml_get(&p->y, root, "mixers"), "mixers", (void **)&cfg->mixers,
			  &cfg->nmixers, sizeof(*cfg->mixers),
			  offsetof(struct uacdsp_mixer_cfg, name), mixer_fn);
	if (err < 0)
		return err;
	err = parse_named(p, syaml_get(&p->y, root, "processors"), "processors",
			  (void **)&cfg->processors, &cfg->nprocessors,
			  sizeof(*cfg->processors),
			  offsetof(struct uacdsp_processor_cfg, name), processor_fn);
	if (err < 0)
		return err;

	/* every filter must work at the configured rate, used or not */
	for (i = 0; i < cfg->nfilters; i++) {
		err = uacdsp_filter_check(cfg, &cfg->filters[i], cfg->samplerate,
					  p->y.err, p->y.errlen);
		if (err < 0)
			return err;
	}

	nch = cfg->capture_channels;
	pipeline = syaml_get(&p->y, root, "pipeline");
	if (pipeline) {
		if (pipeline->type != YAML_SEQUENCE_NODE)
			return syaml_fail(&p->y, pipeline, "pipeline: expected a list of steps");
		cnt = (size_t)(pipeline->data.sequence.items.top -
			       pipeline->data.sequence.items.start);
		if (cnt > 4096)
			return syaml_fail(&p->y, pipeline, "pipeline: too many steps");
		cfg->steps = calloc(cnt ? cnt : 1, sizeof(*cfg->steps));
		if (!cfg->steps)
			return -ENOMEM;
		for (it = pipeline->data.sequence.items.start;
		     it < pipeline->data.sequence.items.top; it++) {
			err = uacdsp_parse_step(p, syaml_node(&p->y, *it), &cfg->steps[cfg->nsteps], &nch);
			cfg->nsteps++;
			if (err < 0)
				return err;
		}
	}
	if (nch != cfg->playback_channels)
		return syaml_fail(&p->y, pipeline ? pipeline : root,
				  "pipeline ends with %u channels but devices.playback.channels is %u",
				  nch, cfg->playback_channels);
	return 0;
}

int uacdsp_config_parse(const char *text, size_t len, const char *filename,
			struct uacdsp_config **out, char *err, size_t errlen)
{
	struct cfg_parser p = { .cfg = NULL };
	struct uacdsp_config *cfg;
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
	p.y.file = cfg->filename;
	p.y.err = err;
	p.y.errlen = errlen;
	ret = syaml_load(&p.y, text, len, &(struct syaml_opts){ .syntax_word = "YAML" });
	if (ret == 0)
		ret = parse_root(&p, syaml_root(&p.y));
	syaml_release(&p.y);
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
