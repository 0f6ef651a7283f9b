/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-yaml.c - strict, positioned access to a libyaml document tree.
 *
 * The schema walk in policy-load.c asks questions like "this node is the
 * value of 'uid': give me a list of integers"; the answers here either
 * deliver exactly that or fail with "file:line:column: message", the
 * position being the node at fault and the message naming the key.  Typing
 * is YAML-core-schema strict where YAML 1.1 would guess: integers and
 * booleans must be plain scalars ("1" in quotes is a string), booleans are
 * only true/false (not yes/no/on/off), a scalar stands for a list of one.
 *
 * Aliases: libyaml's composer resolves *x to the anchored node itself, so the
 * tree may be a DAG or even contain a cycle (&x [*x]).  uacpol_yaml_take()
 * marks every node it hands out and refuses a second visit, which both
 * rejects aliases and bounds the walk by the size of the input.
 *
 * The arena: every allocation of a loaded policy comes from a chain of
 * calloc'ed chunks freed at once, so half-built policies need no care.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entitlement-policy/policy-yaml.h"

#define ARENA_CHUNK 16384

/* ---- arena ----------------------------------------------------------- */


void *uacpol_arena_alloc(struct uacpol_arena **head, size_t size)
{
	struct uacpol_arena *a = *head;
	size_t align = sizeof(max_align_t);
	size_t need = (size + align - 1) / align * align;
	void *p;

	if (size == 0)
		need = align;
	if (!a || a->cap - a->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		a = calloc(1, sizeof(*a) + cap);
		if (!a)
			return NULL;
		a->cap = cap;
		a->next = *head;
		*head = a;
	}
	p = (char *)a->data + a->used;
	a->used += need;
	return p;	/* zeroed: chunks come from calloc and are never reused */
}

void uacpol_arena_free(struct uacpol_arena *a)
{
	while (a) {
		struct uacpol_arena *next = a->next;

		free(a);
		a = next;
	}
}

char *uacpol_arena_strndup(struct uacpol_arena **head, const char *s, size_t n)
{
	char *d = uacpol_arena_alloc(head, n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- errors and node access ------------------------------------------ */


int uacpol_yaml_fail(struct uacpol_loader *ld, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ld->err || ld->errlen == 0)
		return -EINVAL;
	n = snprintf(ld->err, ld->errlen, "%s:%zu:%zu: ", ld->filename,
		     node ? node->start_mark.line + 1 : 1,
		     node ? node->start_mark.column + 1 : 1);
	if (n < 0 || (size_t)n >= ld->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(ld->err + n, ld->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Every node is taken exactly once; a second take means an alias. */
int uacpol_yaml_take(struct uacpol_loader *ld, int index, yaml_node_t **out)
{
	yaml_node_t *node = yaml_document_get_node(&ld->doc, index);
	size_t i;

	if (!node)
		return uacpol_yaml_fail(ld, NULL, "internal error: bad node index");
	i = (size_t)(index - 1);
	if (i >= ld->n_nodes)
		return uacpol_yaml_fail(ld, node, "internal error: bad node index");
	if (ld->visited[i])
		return uacpol_yaml_fail(ld, node, "YAML aliases are not supported");
	ld->visited[i] = 1;
	*out = node;
	return 0;
}

const char *uacpol_yaml_kind(const yaml_node_t *node)
{
	switch (node->type) {
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

/* ---- mappings ------------------------------------------------------------ */

/*
 * Walks a mapping whose allowed keys are keys[]; stores each value node in
 * slots[] (NULL when absent) and, in key_nodes[], the key node (for
 * messages).  what names the mapping in messages ("client rule", ...).
 */
int uacpol_yaml_map(struct uacpol_loader *ld, yaml_node_t *map, const char *what,
		       const char *const *keys, size_t n_keys,
		       yaml_node_t **slots, yaml_node_t **key_nodes)
{
	yaml_node_pair_t *pair;
	size_t i;
	int err;

	for (i = 0; i < n_keys; i++) {
		slots[i] = NULL;
		key_nodes[i] = NULL;
	}
	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k, *v;
		const char *name;

		err = uacpol_yaml_take(ld, pair->key, &k);
		if (err < 0)
			return err;
		if (k->type != YAML_SCALAR_NODE)
			return uacpol_yaml_fail(ld, k, "keys in %s must be strings, not %s", what, uacpol_yaml_kind(k));
		name = (const char *)k->data.scalar.value;
		for (i = 0; i < n_keys; i++)
			if (strlen(keys[i]) == k->data.scalar.length && strcmp(keys[i], name) == 0)
				break;
		if (i == n_keys)
			return uacpol_yaml_fail(ld, k, "unknown key '%.*s' in %s", (int)(k->data.scalar.length > 64 ? 64 : k->data.scalar.length), name, what);
		if (slots[i])
			return uacpol_yaml_fail(ld, k, "duplicate key '%s' in %s", keys[i], what);
		err = uacpol_yaml_take(ld, pair->value, &v);
		if (err < 0)
			return err;
		slots[i] = v;
		key_nodes[i] = k;
	}
	return 0;
}

/* ---- scalars -------------------------------------------------------------- */

int uacpol_yaml_string_ex(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			 bool allow_empty, const char **out)
{
	if (node->type != YAML_SCALAR_NODE)
		return uacpol_yaml_fail(ld, node, "'%s' must be a string, not %s", key, uacpol_yaml_kind(node));
	if (memchr(node->data.scalar.value, '\0', node->data.scalar.length))
		return uacpol_yaml_fail(ld, node, "'%s' must not contain NUL characters", key);
	if (node->data.scalar.length == 0 && !allow_empty)
		return uacpol_yaml_fail(ld, node, "'%s' must not be empty", key);
	*out = (const char *)node->data.scalar.value;
	return 0;
}

int uacpol_yaml_string(struct uacpol_loader *ld, yaml_node_t *node, const char *key, const char **out)
{
	return uacpol_yaml_string_ex(ld, node, key, false, out);
}

static bool is_plain(const yaml_node_t *node)
{
	return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Plain decimal or 0x-hex integer in [min, max]. */
int uacpol_yaml_int(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		   long long min, long long max, long long *out)
{
	const char *s = (const char *)node->data.scalar.value;
	char *end;
	long long v;
	int base = 10;

	if (!is_plain(node) || node->data.scalar.length == 0)
		return uacpol_yaml_fail(ld, node, "'%s' must be an integer, not %s", key,
			    node->type == YAML_SCALAR_NODE ? "a quoted string" : uacpol_yaml_kind(node));
	/* strtoll would also take blanks, '+' and a bare "0x": not us */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	v = strtoll(s, &end, base);
	if (end == s || *end != '\0' || (size_t)(end - s) != node->data.scalar.length ||
	    !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) || (base == 16 && !isxdigit((unsigned char)s[2])))
		return uacpol_yaml_fail(ld, node, "'%s' must be an integer, not \"%.64s\"", key, s);
	if (errno == ERANGE || v < min || v > max)
		return uacpol_yaml_fail(ld, node, "'%s' must be between %lld and %lld, not %.64s", key, min, max, s);
	*out = v;
	return 0;
}

int uacpol_yaml_bool(struct uacpol_loader *ld, yaml_node_t *node, const char *key, bool *out)
{
	const char *s = (const char *)node->data.scalar.value;

	if (is_plain(node) && strcmp(s, "true") == 0) {
		*out = true;
		return 0;
	}
	if (is_plain(node) && strcmp(s, "false") == 0) {
		*out = false;
		return 0;
	}
	return uacpol_yaml_fail(ld, node, "'%s' must be true or false", key);
}

/* ---- lists: a scalar is a list of one -------------------------------------- */

/*
 * Takes the items of a scalar-or-list value into items[] (allocated from the
 * arena); *n >= 1 on success.  Items must be scalars.
 */
int uacpol_yaml_items(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		     const char *item_desc, yaml_node_t ***items, size_t *n)
{
	yaml_node_item_t *it;
	yaml_node_t **v;
	size_t count, i;
	int err;

	if (node->type == YAML_SCALAR_NODE) {
		v = uacpol_arena_alloc(&ld->pol->arena, sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[0] = node;
		*items = v;
		*n = 1;
		return 0;
	}
	if (node->type != YAML_SEQUENCE_NODE)
		return uacpol_yaml_fail(ld, node, "'%s' must be %s or a list of them, not %s", key, item_desc, uacpol_yaml_kind(node));
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count == 0)
		return uacpol_yaml_fail(ld, node, "'%s' must not be an empty list", key);
	if (count > UACPOL_MAX_LIST)
		return uacpol_yaml_fail(ld, node, "'%s' has more than %d entries", key, UACPOL_MAX_LIST);
	v = uacpol_arena_alloc(&ld->pol->arena, count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0, it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, i++) {
		err = uacpol_yaml_take(ld, *it, &v[i]);
		if (err < 0)
			return err;
		if (v[i]->type != YAML_SCALAR_NODE)
			return uacpol_yaml_fail(ld, v[i], "'%s' must be %s or a list of them, not a list of %s",
				    key, item_desc, v[i]->type == YAML_MAPPING_NODE ? "mappings" : "lists");
	}
	*items = v;
	*n = count;
	return 0;
}

/* Only 'serial' may hold "": it matches devices that have no serial number. */
int uacpol_yaml_strlist(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		       struct uacpol_strlist *out)
{
	bool allow_empty = strcmp(key, "serial") == 0;
	yaml_node_t **items;
	size_t n, i;
	int err;

	err = uacpol_yaml_items(ld, node, key, "a string", &items, &n);
	if (err < 0)
		return err;
	out->v = uacpol_arena_alloc(&ld->pol->arena, n * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		err = uacpol_yaml_string_ex(ld, items[i], key, allow_empty, &out->v[i]);
		if (err < 0)
			return err;
	}
	out->n = n;
	return 0;
}

int uacpol_yaml_pathlist(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			struct uacpol_strlist *out)
{
	size_t i;
	int err = uacpol_yaml_strlist(ld, node, key, out);

	if (err < 0)
		return err;
	for (i = 0; i < out->n; i++)
		if (out->v[i][0] != '/')
			return uacpol_yaml_fail(ld, node, "'%s' must be an absolute path, not \"%.64s\"", key, out->v[i]);
	return 0;
}

int uacpol_yaml_intlist(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		       long long min, long long max, struct uacpol_intlist *out)
{
	yaml_node_t **items;
	size_t n, i;
	long long v;
	int err;

	err = uacpol_yaml_items(ld, node, key, "an integer", &items, &n);
	if (err < 0)
		return err;
	out->v = uacpol_arena_alloc(&ld->pol->arena, n * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		err = uacpol_yaml_int(ld, items[i], key, min, max, &v);
		if (err < 0)
			return err;
		out->v[i] = (int)v;
	}
	out->n = n;
	return 0;
}
