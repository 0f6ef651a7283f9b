/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dsp.yml schema's typed fields, on the shared strict reader
 * (yaml/strict-yaml.h): CamillaDSP's scalar types with dsp.yml's wording
 * ("freq: expected a number"), and mappings read into structs through
 * field tables.  Used by config.c, config-filters.c and config-pipeline.c.
 */
#ifndef UACDSP_CONFIG_FIELDS_H
#define UACDSP_CONFIG_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "dsp/dsp-config.h"
#include "yaml/strict-yaml.h"

/* y.ctx ("filter 'lp'" etc.) prefixes messages */
struct cfg_parser {
	struct syaml y;
	struct uacdsp_config *cfg;
};

enum field_kind {
	FD_DOUBLE,
	FD_UINT,
	FD_BOOL,
	FD_DLIST,	/* double array, stored as (double *, unsigned) */
	FD_ENUM,	/* string from a NULL-terminated table -> int */
	FD_STRING,	/* strdup'ed char * */
	FD_IGNORE,	/* accepted, ignored (description) */
};

struct field {
	const char *key;
	enum field_kind kind;
	size_t off;		/* into the destination struct */
	bool required;
	const char *const *names;	/* FD_ENUM */
	size_t off_n;		/* FD_DLIST: offset of the unsigned count */
};

#define FIELD_END { .key = NULL }

struct uacdsp_pos cfgy_pos(const yaml_node_t *n);

int cfgy_double(struct cfg_parser *p, yaml_node_t *n, const char *key, double *out);
int cfgy_uint(struct cfg_parser *p, yaml_node_t *n, const char *key, unsigned *out);
int cfgy_bool(struct cfg_parser *p, yaml_node_t *n, const char *key, bool *out);
int cfgy_string(struct cfg_parser *p, yaml_node_t *n, const char *key, const char **out);
int cfgy_enum(struct cfg_parser *p, yaml_node_t *n, const char *key,
	      const char *const *names, int *out);
int cfgy_uint_list(struct cfg_parser *p, yaml_node_t *n, const char *key,
		   unsigned *out, unsigned max, unsigned *count);
int cfgy_expect_map(struct cfg_parser *p, yaml_node_t *n, const char *what);

/*
 * Read mapping n into dst following fields; keys in skip (NULL-terminated,
 * may be NULL) are left for the caller.  Unknown keys, wrong types and
 * missing required fields are errors.  seen (optional) gets bit i set for
 * each field i present.
 */
int cfgy_fields(struct cfg_parser *p, yaml_node_t *n, const struct field *fields,
		void *dst, const char *const *skip, unsigned long *seen);

#endif /* UACDSP_CONFIG_FIELDS_H */
