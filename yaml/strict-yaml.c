/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strict-yaml.c - the strict YAML reader shared by dsp/ and
 * entitlement-policy/ (see strict-yaml.h).
 *
 * Typing follows the YAML core schema where YAML 1.1 would guess: numbers,
 * integers and booleans are plain scalars only, booleans are true/false
 * (never yes/no/on/off), and a plain empty value, ~ or null means "not
 * given".  libyaml rejects tabs in indentation, bad UTF-8 and control
 * characters itself; this file turns its complaint into the same
 * file:line:column message as a schema error, computing the position of an
 * encoding error (which libyaml reports as a byte offset) from the text.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml/strict-yaml.h"

/* ---- messages --------------------------------------------------------- */

void syaml_format(char *err, size_t errlen, const char *file,
		  unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%u:%u: ", file ? file : "<memory>", line, col);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

void syaml_pos(const yaml_node_t *n, unsigned *line, unsigned *col)
{
	*line = n ? (unsigned)n->start_mark.line + 1 : 1;
	*col = n ? (unsigned)n->start_mark.column + 1 : 1;
}

int syaml_fail(struct syaml *y, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[512];
	unsigned line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syaml_pos(n, &line, &col);
	if (y->ctx)
		syaml_format(y->err, y->errlen, y->file, line, col, "%s: %s", y->ctx, msg);
	else
		syaml_format(y->err, y->errlen, y->file, line, col, "%s", msg);
	return -EINVAL;
}

/* ---- loading ---------------------------------------------------------- */

/* Line and column (in characters) of byte offset off of text. */
static void offset_pos(const char *text, size_t len, size_t off,
		       unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static int syntax_error(struct syaml *y, const yaml_parser_t *yp,
			const char *text, size_t len, const struct syaml_opts *o)
{
	const char *word = o && o->syntax_word ? o->syntax_word : "YAML syntax error";
	unsigned line, col;

	if (yp->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (yp->error == YAML_READER_ERROR) {
		offset_pos(text, len, yp->problem_offset, &line, &col);
	} else {
		line = (unsigned)yp->problem_mark.line + 1;
		col = (unsigned)yp->problem_mark.column + 1;
	}
	syaml_format(y->err, y->errlen, y->file, line, col, "%s: %s%s%s", word,
		     yp->problem ? yp->problem : "unknown problem",
		     yp->context ? " " : "", yp->context ? yp->context : "");
	return -EINVAL;
}

/* A second document after the first is an error when o->one_document. */
static int only_document(struct syaml *y, yaml_parser_t *yp, const char *text,
			 size_t len, const struct syaml_opts *o)
{
	yaml_document_t extra;
	int ret = 0;

	if (!o || !o->one_document || !syaml_root(y))
		return 0;
	if (!yaml_parser_load(yp, &extra))
		return syntax_error(y, yp, text, len, o);
	if (yaml_document_get_root_node(&extra))
		ret = syaml_fail(y, yaml_document_get_root_node(&extra), "%s",
				 o->one_document);
	yaml_document_delete(&extra);
	return ret;
}

int syaml_load(struct syaml *y, const char *text, size_t len,
	       const struct syaml_opts *o)
{
	yaml_parser_t yp;
	int ret;

	y->ctx = NULL;
	y->taken = NULL;
	y->n_nodes = 0;
	y->loaded = false;
	if (y->err && y->errlen)
		y->err[0] = '\0';
	if (!text)
		text = "";
	if (o && o->max_bytes && len > o->max_bytes)
		return syaml_fail(y, NULL, "larger than %zu bytes", o->max_bytes);
	if (!yaml_parser_initialize(&yp))
		return -ENOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, &y->doc)) {
		ret = syntax_error(y, &yp, text, len, o);
		yaml_parser_delete(&yp);
		return ret;
	}
	y->loaded = true;
	ret = only_document(y, &yp, text, len, o);
	yaml_parser_delete(&yp);
	if (ret < 0)
		return ret;
	y->n_nodes = (size_t)(y->doc.nodes.top - y->doc.nodes.start);
	y->taken = calloc(y->n_nodes ? y->n_nodes : 1, 1);
	return y->taken ? 0 : -ENOMEM;
}

void syaml_release(struct syaml *y)
{
	free(y->taken);
	y->taken = NULL;
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

/* ---- nodes ------------------------------------------------------------ */

yaml_node_t *syaml_root(struct syaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *syaml_node(struct syaml *y, int id)
{
	return y->loaded ? yaml_document_get_node(&y->doc, id) : NULL;
}

int syaml_take(struct syaml *y, int id, yaml_node_t **out)
{
	yaml_node_t *n = syaml_node(y, id);

	if (!n || (size_t)(id - 1) >= y->n_nodes)
		return syaml_fail(y, n, "internal error: bad node index");
	if (y->taken[id - 1])
		return syaml_fail(y, n, "YAML aliases are not supported");
	y->taken[id - 1] = 1;
	*out = n;
	return 0;
}

const char *syaml_kind(const yaml_node_t *n)
{
	switch (n ? n->type : YAML_NO_NODE) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

const char *syaml_str(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool syaml_is_plain(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

bool syaml_is_null(const yaml_node_t *n)
{
	const char *s;

	if (!syaml_is_plain(n))
		return false;
	s = syaml_str(n);
	return !strcmp(s, "") || !strcmp(s, "~") || !strcmp(s, "null") ||
	       !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* n is a scalar whose text is s and holds no NUL before its end. */
static bool whole_scalar(const yaml_node_t *n)
{
	return strlen(syaml_str(n)) == n->data.scalar.length;
}

static bool key_is(const yaml_node_t *k, const char *key)
{
	return k && k->type == YAML_SCALAR_NODE && whole_scalar(k) &&
	       !strcmp(syaml_str(k), key);
}

yaml_node_t *syaml_get(struct syaml *y, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *pr;

	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *v = syaml_node(y, pr->value);

		if (key_is(syaml_node(y, pr->key), key))
			return syaml_is_null(v) ? NULL : v;
	}
	return NULL;
}

/* ---- mappings --------------------------------------------------------- */

static bool listed(const char *s, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int pair_node(struct syaml *y, const struct syaml_keys *spec, int id,
		     yaml_node_t **out)
{
	if (spec->take)
		return syaml_take(y, id, out);
	*out = syaml_node(y, id);
	return 0;
}

static int bad_key(struct syaml *y, const yaml_node_t *k, const struct syaml_keys *spec)
{
	if (spec->what)
		return syaml_fail(y, k, "keys in %s must be strings, not %s", spec->what,
				  syaml_kind(k));
	return syaml_fail(y, k, "keys must be strings, not %s", syaml_kind(k));
}

static int unknown_key(struct syaml *y, const yaml_node_t *k, const struct syaml_keys *spec)
{
	int len = k->data.scalar.length > 64 ? 64 : (int)k->data.scalar.length;

	if (spec->unknown)
		return spec->unknown(y, k, spec, spec->arg);
	if (spec->what)
		return syaml_fail(y, k, "unknown key '%.*s' in %s", len, syaml_str(k), spec->what);
	return syaml_fail(y, k, "unknown key '%.*s'", len, syaml_str(k));
}

static int twice(struct syaml *y, const yaml_node_t *k, const struct syaml_keys *spec)
{
	if (spec->what)
		return syaml_fail(y, k, "duplicate key '%s' in %s", syaml_str(k), spec->what);
	return syaml_fail(y, k, "duplicate key '%s'", syaml_str(k));
}

int syaml_map(struct syaml *y, yaml_node_t *map, const struct syaml_keys *spec,
	      yaml_node_t **vals, yaml_node_t **key_nodes)
{
	yaml_node_pair_t *pr;
	size_t i;
	int err;

	for (i = 0; i < spec->n_keys; i++) {
		vals[i] = NULL;
		if (key_nodes)
			key_nodes[i] = NULL;
	}
	if (!map || map->type != YAML_MAPPING_NODE)
		return syaml_fail(y, map, "%s must be a mapping, not %s",
				  spec->what ? spec->what : "this", syaml_kind(map));
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k, *v;

		err = pair_node(y, spec, pr->key, &k);
		if (err < 0)
			return err;
		if (!k || k->type != YAML_SCALAR_NODE)
			return bad_key(y, k, spec);
		for (i = 0; i < spec->n_keys; i++)
			if (key_is(k, spec->keys[i]))
				break;
		if (i == spec->n_keys) {
			if (whole_scalar(k) && listed(syaml_str(k), spec->skip))
				continue;
			return unknown_key(y, k, spec);
		}
		if (vals[i] || (key_nodes && key_nodes[i]))
			return twice(y, k, spec);
		err = pair_node(y, spec, pr->value, &v);
		if (err < 0)
			return err;
		vals[i] = v;
		if (key_nodes)
			key_nodes[i] = k;
	}
	return 0;
}

/* ---- plain scalars ---------------------------------------------------- */

int syaml_double(const yaml_node_t *n, double *out)
{
	const char *s;
	char *end;
	double v;

	if (!syaml_is_plain(n) || !whole_scalar(n))
		return -EINVAL;
	s = syaml_str(n);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || !strncasecmp(s, "0x", 2) || strpbrk(s, "iInN") ||
	    isspace((unsigned char)s[0]))
		return -EINVAL;
	if (errno == ERANGE || !isfinite(v))
		return -ERANGE;
	*out = v;
	return 0;
}

int syaml_uint(const yaml_node_t *n, unsigned *out)
{
	const char *s;
	char *end;
	unsigned long v;

	if (!syaml_is_plain(n) || !whole_scalar(n))
		return -EINVAL;
	s = syaml_str(n);
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v > 0x7fffffffUL)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

int syaml_int(const yaml_node_t *n, long long min, long long max, long long *out)
{
	const char *s, *digits;
	char *end;
	long long v;
	int base = 10;

	if (!syaml_is_plain(n) || !whole_scalar(n))
		return -EINVAL;
	s = syaml_str(n);
	digits = s[0] == '-' ? s + 1 : s;
	/* strtoll would also take blanks, '+' and a bare "0x": not us */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)s[2]))
			return -EINVAL;
	} else if (!isdigit((unsigned char)digits[0])) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoll(s, &end, base);
	if (end == s || *end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int syaml_bool(const yaml_node_t *n, unsigned flags, bool *out)
{
	bool cases = flags & SYAML_BOOL_CASES;
	const char *s;

	if (!syaml_is_plain(n))
		return -EINVAL;
	s = syaml_str(n);
	if (!strcmp(s, "true") || (cases && (!strcmp(s, "True") || !strcmp(s, "TRUE")))) {
		*out = true;
		return 0;
	}
	if (!strcmp(s, "false") || (cases && (!strcmp(s, "False") || !strcmp(s, "FALSE")))) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}
