/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dsp.yml schema's typed fields (config-fields.h), read with the shared
 * strict reader in yaml/strict-yaml.c.
 *
 * Every access is directed by the schema in config.c, so an alias cycle or
 * an alias bomb in a hostile file costs nothing (the schema is a few levels
 * deep): unlike the policy, dsp.yml keeps YAML anchors and aliases, which
 * CamillaDSP configs may use.
 *
 * Typing follows serde_yaml, which CamillaDSP uses: numbers and booleans are
 * plain scalars (a quoted "1000" is a string, an error where a number is
 * expected); `null`, `~` and an empty value mean "not given", which is what
 * CamillaDSP's GUI writes for optional fields.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/config-fields.h"

void uacdsp_err_at(char *err, size_t errlen, const char *file,
		   struct uacdsp_pos pos, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syaml_format(err, errlen, file, pos.line, pos.col, "%s", msg);
}

struct uacdsp_pos cfgy_pos(const yaml_node_t *n)
{
	struct uacdsp_pos pos;

	syaml_pos(n, &pos.line, &pos.col);
	return pos;
}

int cfgy_double(struct cfg_parser *p, yaml_node_t *n, const char *key, double *out)
{
	if (!syaml_is_plain(n))
		return syaml_fail(&p->y, n, "%s: expected a number", key);
	if (syaml_double(n, out) < 0)
		return syaml_fail(&p->y, n, "%s: expected a number, got '%s'", key, syaml_str(n));
	return 0;
}

int cfgy_uint(struct cfg_parser *p, yaml_node_t *n, const char *key, unsigned *out)
{
	if (!syaml_is_plain(n))
		return syaml_fail(&p->y, n, "%s: expected a non-negative integer", key);
	if (syaml_uint(n, out) < 0)
		return syaml_fail(&p->y, n, "%s: expected a non-negative integer, got '%s'",
				  key, syaml_str(n));
	return 0;
}

int cfgy_bool(struct cfg_parser *p, yaml_node_t *n, const char *key, bool *out)
{
	if (!syaml_is_plain(n))
		return syaml_fail(&p->y, n, "%s: expected true or false", key);
	if (syaml_bool(n, SYAML_BOOL_CASES, out) < 0)
		return syaml_fail(&p->y, n, "%s: expected true or false, got '%s'", key,
				  syaml_str(n));
	return 0;
}

int cfgy_string(struct cfg_parser *p, yaml_node_t *n, const char *key, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return syaml_fail(&p->y, n, "%s: expected a string", key);
	*out = syaml_str(n);
	return 0;
}

/* "a, b, c" of names[] (or of the non-ignored fields' keys) into list */
static void join(char *list, size_t size, const char *const *names,
		 const struct field *fields)
{
	size_t used = 0;
	unsigned i;

	list[0] = '\0';
	for (i = 0; (names ? names[i] : fields[i].key) && used < size; i++) {
		int w;

		if (fields && fields[i].kind == FD_IGNORE)
			continue;
		w = snprintf(list + used, size - used, "%s%s", used ? ", " : "",
			     names ? names[i] : fields[i].key);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int cfgy_enum(struct cfg_parser *p, yaml_node_t *n, const char *key,
	      const char *const *names, int *out)
{
	char list[400];
	const char *s;
	int i, err;

	err = cfgy_string(p, n, key, &s);
	if (err < 0)
		return err;
	for (i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	join(list, sizeof(list), names, NULL);
	return syaml_fail(&p->y, n, "%s: unknown value '%s' (expected one of: %s)",
			  key, s, list);
}

int cfgy_uint_list(struct cfg_parser *p, yaml_node_t *n, const char *key,
		   unsigned *out, unsigned max, unsigned *count)
{
	yaml_node_item_t *it;
	unsigned cnt = 0;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&p->y, n, "%s: expected a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = syaml_node(&p->y, *it);

		if (cnt >= max)
			return syaml_fail(&p->y, v, "%s: more than %u entries", key, max);
		err = cfgy_uint(p, v, key, &out[cnt]);
		if (err < 0)
			return err;
		cnt++;
	}
	*count = cnt;
	return 0;
}

static int dlist(struct cfg_parser *p, yaml_node_t *n, const char *key,
		 double **out, unsigned *count)
{
	yaml_node_item_t *it;
	unsigned cnt = 0;
	size_t len;
	double *v;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&p->y, n, "%s: expected a list of numbers", key);
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > UACDSP_MAX_TAPS)
		return syaml_fail(&p->y, n, "%s: more than %u values", key, UACDSP_MAX_TAPS);
	v = calloc(len ? len : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		err = cfgy_double(p, syaml_node(&p->y, *it), key, &v[cnt]);
		if (err < 0) {
			free(v);
			return err;
		}
		cnt++;
	}
	free(*out);
	*out = v;
	*count = cnt;
	return 0;
}

int cfgy_expect_map(struct cfg_parser *p, yaml_node_t *n, const char *what)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return syaml_fail(&p->y, n, "%s: expected a mapping", what);
	return 0;
}

/* dsp.yml's wording for an unknown key: the fields it could have been */
static int unknown_field(struct syaml *y, const yaml_node_t *k,
			 const struct syaml_keys *spec, void *arg)
{
	char list[400];

	(void)spec;
	join(list, sizeof(list), NULL, arg);
	return syaml_fail(y, k, "unknown field '%s' (expected: %s)", syaml_str(k), list);
}

static int read_field(struct cfg_parser *p, const struct field *f, yaml_node_t *v,
		      char *base)
{
	const char *s;
	char **slot;
	int err;

	switch (f->kind) {
	case FD_DOUBLE:
		return cfgy_double(p, v, f->key, (double *)(base + f->off));
	case FD_UINT:
		return cfgy_uint(p, v, f->key, (unsigned *)(base + f->off));
	case FD_BOOL:
		return cfgy_bool(p, v, f->key, (bool *)(base + f->off));
	case FD_ENUM:
		return cfgy_enum(p, v, f->key, f->names, (int *)(base + f->off));
	case FD_DLIST:
		return dlist(p, v, f->key, (double **)(base + f->off),
			     (unsigned *)(base + f->off_n));
	case FD_STRING:
		slot = (char **)(base + f->off);
		err = cfgy_string(p, v, f->key, &s);
		if (err < 0)
			return err;
		free(*slot);
		*slot = strdup(s);
		return *slot ? 0 : -ENOMEM;
	default:
		return 0;
	}
}

#define MAX_FIELDS (sizeof(unsigned long) * 8)

int cfgy_fields(struct cfg_parser *p, yaml_node_t *n, const struct field *fields,
		void *dst, const char *const *skip, unsigned long *seen)
{
	const char *keys[MAX_FIELDS];
	yaml_node_t *vals[MAX_FIELDS], *knodes[MAX_FIELDS];
	struct syaml_keys spec = {
		.keys = keys, .skip = skip, .unknown = unknown_field,
		.arg = (void *)fields,
	};
	unsigned long have = 0;
	yaml_node_pair_t *pr;
	unsigned i;
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return syaml_fail(&p->y, n, "expected a mapping");
	for (i = 0; fields[i].key && i < MAX_FIELDS; i++)
		keys[i] = fields[i].key;
	spec.n_keys = i;
	err = syaml_map(&p->y, n, &spec, vals, knodes);
	if (err < 0)
		return err;
	/* in document order, so the first bad value is the one reported */
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = syaml_node(&p->y, pr->key);

		for (i = 0; i < spec.n_keys && knodes[i] != k; i++)
			;
		if (i == spec.n_keys || syaml_is_null(vals[i]) || fields[i].kind == FD_IGNORE)
			continue;
		have |= 1UL << i;
		err = read_field(p, &fields[i], vals[i], dst);
		if (err < 0)
			return err;
	}
	for (i = 0; i < spec.n_keys; i++)
		if (fields[i].required && !(have & (1UL << i)))
			return syaml_fail(&p->y, n, "missing field '%s'", fields[i].key);
	if (seen)
		*seen = have;
	return 0;
}
