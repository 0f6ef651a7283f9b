/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed access to a libyaml document for the config loader.
 *
 * The config is loaded with libyaml's document API, which keeps the start
 * mark (line, column) of every node; errors point at the offending value or
 * key.  We never walk the tree generically: every access is directed by the
 * schema in config.c, so an alias cycle or an alias bomb in a hostile file
 * costs nothing (the schema is a few levels deep).
 *
 * Typing follows serde_yaml, which CamillaDSP uses: numbers and booleans are
 * plain scalars (a quoted "1000" is a string, an error where a number is
 * expected); `null`, `~` and an empty value mean "not given", which is what
 * CamillaDSP's GUI writes for optional fields.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/config-yaml.h"

void uacdsp_err_at(char *err, size_t errlen, const char *file,
		   struct uacdsp_pos pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%u:%u: ", file ? file : "<memory>",
		     pos.line, pos.col);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

struct uacdsp_pos cfgy_pos(const yaml_node_t *n)
{
	struct uacdsp_pos pos = { 1, 1 };

	if (n) {
		pos.line = (unsigned)n->start_mark.line + 1;
		pos.col = (unsigned)n->start_mark.column + 1;
	}
	return pos;
}

yaml_node_t *cfgy_node(struct cfg_parser *p, int id)
{
	return yaml_document_get_node(&p->doc, id);
}

const char *cfgy_str(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool cfgy_is_null(const yaml_node_t *n)
{
	const char *s;

	if (!n || n->type != YAML_SCALAR_NODE)
		return false;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	s = cfgy_str(n);
	return !strcmp(s, "") || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

int cfgy_error(struct cfg_parser *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->ctx)
		uacdsp_err_at(p->err, p->errlen, p->file, cfgy_pos(n), "%s: %s",
			      p->ctx, msg);
	else
		uacdsp_err_at(p->err, p->errlen, p->file, cfgy_pos(n), "%s", msg);
	return -EINVAL;
}

static bool plain_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int cfgy_double(struct cfg_parser *p, yaml_node_t *n, const char *key, double *out)
{
	const char *s;
	char *end;
	double v;

	if (!plain_scalar(n))
		return cfgy_error(p, n, "%s: expected a number", key);
	s = cfgy_str(n);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(v) ||
	    !strncasecmp(s, "0x", 2) || strpbrk(s, "iInN"))
		return cfgy_error(p, n, "%s: expected a number, got '%s'", key, s);
	*out = v;
	return 0;
}

int cfgy_uint(struct cfg_parser *p, yaml_node_t *n, const char *key, unsigned *out)
{
	const char *s;
	char *end;
	unsigned long v;

	if (!plain_scalar(n))
		return cfgy_error(p, n, "%s: expected a non-negative integer", key);
	s = cfgy_str(n);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (end == s || *end || errno || s[0] == '-' || s[0] == '+' || v > 0x7fffffffUL)
		return cfgy_error(p, n, "%s: expected a non-negative integer, got '%s'",
				  key, s);
	*out = (unsigned)v;
	return 0;
}

int cfgy_bool(struct cfg_parser *p, yaml_node_t *n, const char *key, bool *out)
{
	const char *s;

	if (!plain_scalar(n))
		return cfgy_error(p, n, "%s: expected true or false", key);
	s = cfgy_str(n);
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
		*out = false;
		return 0;
	}
	return cfgy_error(p, n, "%s: expected true or false, got '%s'", key, s);
}

int cfgy_string(struct cfg_parser *p, yaml_node_t *n, const char *key, const char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return cfgy_error(p, n, "%s: expected a string", key);
	*out = cfgy_str(n);
	return 0;
}

int cfgy_enum(struct cfg_parser *p, yaml_node_t *n, const char *key,
	      const char *const *names, int *out)
{
	char list[400];
	size_t used = 0;
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
	list[0] = '\0';
	for (i = 0; names[i] && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s",
				 i ? ", " : "", names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return cfgy_error(p, n, "%s: unknown value '%s' (expected one of: %s)",
			  key, s, list);
}

int cfgy_uint_list(struct cfg_parser *p, yaml_node_t *n, const char *key,
		   unsigned *out, unsigned max, unsigned *count)
{
	yaml_node_item_t *it;
	unsigned cnt = 0;
	int err;

	if (n->type != YAML_SEQUENCE_NODE)
		return cfgy_error(p, n, "%s: expected a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = cfgy_node(p, *it);

		if (cnt >= max)
			return cfgy_error(p, v, "%s: more than %u entries", key, max);
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
		return cfgy_error(p, n, "%s: expected a list of numbers", key);
	len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > UACDSP_MAX_TAPS)
		return cfgy_error(p, n, "%s: more than %u values", key, UACDSP_MAX_TAPS);
	v = calloc(len ? len : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		err = cfgy_double(p, cfgy_node(p, *it), key, &v[cnt]);
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
		return cfgy_error(p, n, "%s: expected a mapping", what);
	return 0;
}

yaml_node_t *cfgy_get(struct cfg_parser *p, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *pr;

	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);
		yaml_node_t *v = cfgy_node(p, pr->value);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp(cfgy_str(k), key))
			return cfgy_is_null(v) ? NULL : v;
	}
	return NULL;
}

static bool in_list(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int unknown_key(struct cfg_parser *p, yaml_node_t *k,
		       const struct field *fields)
{
	char list[400];
	size_t used = 0;
	unsigned i;

	list[0] = '\0';
	for (i = 0; fields[i].key && used < sizeof(list); i++) {
		int w;

		if (fields[i].kind == FD_IGNORE)
			continue;
		w = snprintf(list + used, sizeof(list) - used, "%s%s",
			     used ? ", " : "", fields[i].key);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return cfgy_error(p, k, "unknown field '%s' (expected: %s)", cfgy_str(k), list);
}

int cfgy_fields(struct cfg_parser *p, yaml_node_t *n, const struct field *fields,
		void *dst, const char *const *skip, unsigned long *seen)
{
	unsigned long have = 0;
	yaml_node_pair_t *pr;
	unsigned i;
	int err;

	if (n->type != YAML_MAPPING_NODE)
		return cfgy_error(p, n, "expected a mapping");
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = cfgy_node(p, pr->key);
		yaml_node_t *v = cfgy_node(p, pr->value);
		char *base = dst;

		if (!k || k->type != YAML_SCALAR_NODE)
			return cfgy_error(p, k, "keys must be strings");
		if (in_list(cfgy_str(k), skip))
			continue;
		for (i = 0; fields[i].key; i++)
			if (!strcmp(fields[i].key, cfgy_str(k)))
				break;
		if (!fields[i].key)
			return unknown_key(p, k, fields);
		if (have & (1UL << i))
			return cfgy_error(p, k, "field '%s' given twice", fields[i].key);
		if (cfgy_is_null(v) || fields[i].kind == FD_IGNORE)
			continue;
		have |= 1UL << i;
		switch (fields[i].kind) {
		case FD_DOUBLE:
			err = cfgy_double(p, v, fields[i].key, (double *)(base + fields[i].off));
			break;
		case FD_UINT:
			err = cfgy_uint(p, v, fields[i].key, (unsigned *)(base + fields[i].off));
			break;
		case FD_BOOL:
			err = cfgy_bool(p, v, fields[i].key, (bool *)(base + fields[i].off));
			break;
		case FD_ENUM:
			err = cfgy_enum(p, v, fields[i].key, fields[i].names,
					(int *)(base + fields[i].off));
			break;
		case FD_DLIST:
			err = dlist(p, v, fields[i].key, (double **)(base + fields[i].off),
				    (unsigned *)(base + fields[i].off_n));
			break;
		case FD_STRING: {
			const char *s;
			char **slot = (char **)(base + fields[i].off);

			err = cfgy_string(p, v, fields[i].key, &s);
			if (err < 0)
				break;
			free(*slot);
			*slot = strdup(s);
			if (!*slot)
				err = -ENOMEM;
			break;
		}
		default:
			err = 0;
			break;
		}
		if (err < 0)
			return err;
	}
	for (i = 0; fields[i].key; i++)
		if (fields[i].required && !(have & (1UL << i)))
			return cfgy_error(p, n, "missing field '%s'", fields[i].key);
	if (seen)
		*seen = have;
	return 0;
}
