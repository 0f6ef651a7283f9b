/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-fields.h - the policy schema's typed values (strings, integers,
 * scalar-or-list matchers) with the policy's wording, on the shared strict
 * reader (yaml/strict-yaml.h), and the arena the loaded policy lives in.
 * Internal to libuacpolicy (policy-load.c and policy-read.c).
 *
 * Every function returns 0 or a negative errno; on -EINVAL the loader's err
 * buffer holds the message.  Strings returned point into the YAML document
 * and must be copied (uacpol_arena_strndup) before it is deleted.
 */
#ifndef UACD_POLICY_FIELDS_H
#define UACD_POLICY_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "entitlement-policy/policy-private.h"
#include "yaml/strict-yaml.h"

#define UACPOL_MAX_LIST 4096	/* entries in one matcher list */
#define UACPOL_NSS_BUF_SIZE 65536	/* getpwnam_r/getgrnam_r buffer */

struct uacpol_arena {
	struct uacpol_arena *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

/* y.file names the policy in messages; every node is taken (syaml_take) */
struct uacpol_loader {
	struct syaml y;
	struct uacpol *pol;
	char *nss_buf;		/* getpwnam_r/getgrnam_r scratch */
};

/* policy-load.c: the schema walk from the document's root into ld->pol. */
int uacpol_load_root(struct uacpol_loader *ld);

/* Zeroed memory that lives until uacpol_arena_free(); NULL on ENOMEM. */
void *uacpol_arena_alloc(struct uacpol_arena **head, size_t size);
char *uacpol_arena_strndup(struct uacpol_arena **head, const char *s, size_t n);
void uacpol_arena_free(struct uacpol_arena *a);

/*
 * Walks a mapping whose allowed keys are keys[]; value nodes go to slots[]
 * and key nodes to key_nodes[] (NULL when absent).  Unknown and duplicate
 * keys are errors; what names the mapping in messages.
 */
int uacpol_yaml_map(struct uacpol_loader *ld, yaml_node_t *map, const char *what,
		    const char *const *keys, size_t n_keys,
		    yaml_node_t **slots, yaml_node_t **key_nodes);
int uacpol_yaml_string(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		       const char **out);
int uacpol_yaml_string_ex(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			  bool allow_empty, const char **out);
/* A plain (unquoted) decimal or 0x-hex integer in [min, max]. */
int uacpol_yaml_int(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		    long long min, long long max, long long *out);
/* Plain true or false. */
int uacpol_yaml_bool(struct uacpol_loader *ld, yaml_node_t *node, const char *key, bool *out);
/* A scalar or a non-empty list of scalars; *items from the arena. */
int uacpol_yaml_items(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
		      const char *item_desc, yaml_node_t ***items, size_t *n);
int uacpol_yaml_strlist(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			struct uacpol_strlist *out);
/* Like strlist, every entry an absolute path. */
int uacpol_yaml_pathlist(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			 struct uacpol_strlist *out);
int uacpol_yaml_intlist(struct uacpol_loader *ld, yaml_node_t *node, const char *key,
			long long min, long long max, struct uacpol_intlist *out);

#endif /* UACD_POLICY_FIELDS_H */
