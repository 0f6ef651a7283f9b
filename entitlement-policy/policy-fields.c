/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-fields.c - the policy schema's typed values, on yaml/strict-yaml.c.
 *
 * The schema walk in policy-load.c asks questions like "this node is the
 * value of 'uid': give me a list of integers"; the answers here either
 * deliver exactly that or fail with "file:line:column: message", the
 * position being the node at fault and the message naming the key.  The
 * typing is the shared reader's (integers and booleans are plain scalars,
 * booleans only true/false); the policy adds that a scalar stands for a
 * list of one.
 *
 * Aliases: libyaml's composer resolves *x to the anchored node itself, so the
 * tree may be a DAG or even contain a cycle (&x [*x]).  Every node is taken
 * with syaml_take(), which refuses a second visit: that rejects aliases and
 * bounds the walk by the size of the input.
 *
 * The arena: every allocation of a loaded policy comes from a chain of
 * calloc'ed chunks freed at once, so half-built policies need no care.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entitlement-policy/policy-fields.h"

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
	const struct syaml_keys spec = {
		.what = what, .keys = keys, .n_keys = n_keys, .take = true,
	};

	return syaml_map(&ld->y, map, &spec, slots, key_nodes);
}

/* ---- scalars -------------------------------------------------------------- */

int uacpol_yaml_string_ex(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			 bool allow_empty, const char **out)
{
	if (node->type != YAML_SCALAR_NODE)
		return syaml_fail(&ld->y, node, "'%s' must be a string, not %s", key, syaml_kind(node));
	if (memchr(node->data.scalar.value, '\0', node->data.scalar.length))
		return syaml_fail(&ld->y, node, "'%s' must not contain NUL characters", key);
	if (node->data.scalar.length == 0 && !allow_empty)
		return syaml_fail(&ld->y, node, "'%s' must not be empty", key);
	*out = (const char *)node->data.scalar.value;
	return 0;
}

int uacpol_yaml_string(struct uacpol_loader *ld, yaml_node_t *node, const char *key, const char **out)
{
	return uacpol_yaml_string_ex(ld, node, key, false, out);
}

/* Plain decimal or 0x-hex integer in [min, max]. */
int uacpol_yaml_int(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		    long long min, long long max, long long *out)
{
	int err;

	if (!syaml_is_plain(node) || node->data.scalar.length == 0)
		return syaml_fail(&ld->y, node, "'%s' must be an integer, not %s", key,
				  node->type == YAML_SCALAR_NODE ? "a quoted string" : syaml_kind(node));
	err = syaml_int(node, min, max, out);
	if (err == -ERANGE)
		return syaml_fail(&ld->y, node, "'%s' must be between %lld and %lld, not %.64s",
				  key, min, max, syaml_str(node));
	if (err < 0)
		return syaml_fail(&ld->y, node, "'%s' must be an integer, not \"%.64s\"", key,
				  syaml_str(node));
	return 0;
}

int uacpol_yaml_bool(struct uacpol_loader *ld, yaml_node_t *node, const char *key, bool *out)
{
	if (syaml_bool(node, 0, out) < 0)
		return syaml_fail(&ld->y, node, "'%s' must be true or false", key);
	return 0;
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
		return syaml_fail(&ld->y, node, "'%s' must be %s or a list of them, not %s", key, item_desc, syaml_kind(node));
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count == 0)
		return syaml_fail(&ld->y, node, "'%s' must not be an empty list", key);
	if (count > UACPOL_MAX_LIST)
		return syaml_fail(&ld->y, node, "'%s' has more than %d entries", key, UACPOL_MAX_LIST);
	v = uacpol_arena_alloc(&ld->pol->arena, count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0, it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, i++) {
		err = syaml_take(&ld->y, *it, &v[i]);
		if (err < 0)
			return err;
		if (v[i]->type != YAML_SCALAR_NODE)
			return syaml_fail(&ld->y, v[i], "'%s' must be %s or a list of them, not a list of %s",
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
			return syaml_fail(&ld->y, node, "'%s' must be an absolute path, not \"%.64s\"", key, out->v[i]);
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
