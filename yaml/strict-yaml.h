/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * strict-yaml.h - the one strict YAML reader of uacd, shared by dsp/ (the
 * dsp.yml loader) and entitlement-policy/ (the policy loader).
 *
 * A file is composed by libyaml into a node tree; the caller walks that
 * tree against its own schema, asking this reader for nodes, mappings and
 * typed scalars.  Every fault becomes one message
 *
 *	file:line:column: [context: ]message
 *
 * at the node at fault (1-based line and column; 1:1 without a node), and
 * the function returns -EINVAL.  The reader owns what both schemas share:
 * loading (syntax and encoding errors with their position, one document
 * per file), positions, the visit-once rule that rejects aliases, the
 * walk of a mapping against a table of keys (unknown, repeated and
 * non-string keys are errors) and the lexing of plain scalars (numbers,
 * integers, booleans, null).  Wording that belongs to one schema - what a
 * wrong value is called - stays with its caller.
 *
 * Depends on libyaml and libc only (tests/test-layout.sh checks it).
 */
#ifndef UACD_STRICT_YAML_H
#define UACD_STRICT_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

struct syaml {
	yaml_document_t doc;
	const char *file;	/* names the input in messages */
	char *err;		/* message buffer (may be NULL) */
	size_t errlen;
	const char *ctx;	/* when set, prefixes messages: "filter 'lp'" */
	unsigned char *taken;	/* one mark per node, see syaml_take() */
	size_t n_nodes;
	bool loaded;		/* doc holds a document */
};

/* How syaml_load() reads and what it says about a syntax error. */
struct syaml_opts {
	/* message head of a syntax or encoding error; NULL: "YAML syntax error" */
	const char *syntax_word;
	/*
	 * When set, a second document in the input is an error, reported
	 * with this text at that document's root.
	 */
	const char *one_document;
	size_t max_bytes;	/* 0: no limit */
};

/*
 * Composes text[0..len) into y->doc.  y->file, y->err and y->errlen must be
 * set; the rest of *y is initialised here.  An empty input loads a document
 * without a root (syaml_root() returns NULL).  Returns 0, -EINVAL (message
 * in y->err) or -ENOMEM.  After any return, syaml_release() frees *y.
 */
int syaml_load(struct syaml *y, const char *text, size_t len,
	       const struct syaml_opts *opts);
void syaml_release(struct syaml *y);

yaml_node_t *syaml_root(struct syaml *y);
/* The node with libyaml index id (NULL when there is none). */
yaml_node_t *syaml_node(struct syaml *y, int id);
/*
 * The node with index id, taken: each node may be taken once, and a second
 * take (which only an alias can cause) is the error "YAML aliases are not
 * supported".  A walk that takes every node it visits rejects aliases and
 * is bounded by the size of the input, whatever the tree's shape.
 */
int syaml_take(struct syaml *y, int id, yaml_node_t **out);

/* 1-based line and column of n's start; 1:1 for NULL. */
void syaml_pos(const yaml_node_t *n, unsigned *line, unsigned *col);

/* "file:line:column: " + message into err; no-op without a buffer. */
__attribute__((format(printf, 6, 7)))
void syaml_format(char *err, size_t errlen, const char *file,
		  unsigned line, unsigned col, const char *fmt, ...);
/* The message at n (with y->ctx); returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
int syaml_fail(struct syaml *y, const yaml_node_t *n, const char *fmt, ...);

/* "a scalar", "a list", "a mapping" (for "must be X, not ..." messages) */
const char *syaml_kind(const yaml_node_t *n);
const char *syaml_str(const yaml_node_t *n);	/* a scalar's text */
bool syaml_is_plain(const yaml_node_t *n);	/* an unquoted scalar */
/* A plain empty, ~, null, Null or NULL: "not given". */
bool syaml_is_null(const yaml_node_t *n);

/* The value of key in mapping n, or NULL; null values count as absent. */
yaml_node_t *syaml_get(struct syaml *y, yaml_node_t *n, const char *key);

/* ---- mappings -------------------------------------------------------- */

struct syaml_keys {
	const char *what;	/* names the mapping: "client rule"; may be NULL */
	const char *const *keys;	/* the keys the schema knows */
	size_t n_keys;
	/* NULL-terminated keys left to the caller: not stored, not errors */
	const char *const *skip;
	bool take;		/* take (syaml_take) keys and values */
	/*
	 * Called for a key not in keys[] nor skip[]; must return a negative
	 * errno.  NULL: "unknown key 'K' in WHAT".
	 */
	int (*unknown)(struct syaml *y, const yaml_node_t *key,
		       const struct syaml_keys *spec, void *arg);
	void *arg;
};

/*
 * Walks mapping map: the value of keys[i] goes to vals[i] and its key node
 * to key_nodes[i] (may be NULL), both NULL when the key is absent.  A key
 * that is not a scalar, unknown, or given twice is an error; a non-mapping
 * is "WHAT must be a mapping, not ...".
 */
int syaml_map(struct syaml *y, yaml_node_t *map, const struct syaml_keys *spec,
	      yaml_node_t **vals, yaml_node_t **key_nodes);

/* ---- plain scalars ---------------------------------------------------- */
/*
 * The lexers below return 0, -EINVAL when n is not a plain scalar or not of
 * the type, -ERANGE when out of range; they write no message: the caller
 * words it (a quoted "1" is a string, never a number).
 */

/* A finite decimal number (no hex, inf or nan). */
int syaml_double(const yaml_node_t *n, double *out);
/* A decimal integer in [0, 0x7fffffff] without a sign. */
int syaml_uint(const yaml_node_t *n, unsigned *out);
/* A decimal or 0x-hex integer, optionally negative, in [min, max]. */
int syaml_int(const yaml_node_t *n, long long min, long long max, long long *out);

#define SYAML_BOOL_CASES 1u	/* also True/TRUE and False/FALSE */
/* true or false (see SYAML_BOOL_CASES) */
int syaml_bool(const yaml_node_t *n, unsigned flags, bool *out);

#endif /* UACD_STRICT_YAML_H */
