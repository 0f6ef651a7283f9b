/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-load.c - reads /etc/uacd/policy.yml into a struct uacpol.
 *
 * How it works
 * ------------
 * libyaml composes the whole file into a node tree (yaml_document_t); we walk
 * that tree once against a fixed schema and build the in-memory rules
 * (policy-private.h).  The walk is strict, in the CamillaDSP/alsa-plugins
 * tradition: an unknown key, a duplicate key, a value of the wrong type, an
 * unknown action, a malformed vendor:product, a user or group name that does
 * not exist, a duplicate rule name - each is an error, and loading stops at
 * the first one with "file:line:column: message" where the position is that
 * of the offending node and the message names the key.  A policy that fails
 * to load never replaces a running one (the daemon keeps the old pointer).
 *
 * Names are resolved here, at load time (getpwnam_r/getgrnam_r): a decision
 * never touches NSS, so checking is cheap and cannot block on LDAP.  The
 * price is that a user created after the load is known only after a reload.
 *
 * Hostile input (the fuzz target drives this file): YAML aliases could turn
 * the tree into a DAG or even a cycle (an anchor may be referenced inside its
 * own node), so every node may be visited only once - a second visit is the
 * error "aliases are not supported".  The schema is at most four levels
 * deep, so our recursion is bounded whatever the nesting of the input.
 * Sizes are capped (MAX_POLICY_BYTES, MAX_RULES, MAX_LIST).
 *
 * Memory: everything is carved out of one arena owned by the policy, so the
 * error path frees a half-built policy with a single uacpol_free().
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "entitlement-policy/policy-private.h"

#define MAX_POLICY_BYTES (1u << 20)	/* a policy is a few KiB; 1 MiB is absurd */
#define MAX_RULES 4096			/* per list */
#define MAX_LIST 4096			/* entries in one matcher list */
#define ARENA_CHUNK 16384
#define NSS_BUF_SIZE 65536

/* ---- arena ----------------------------------------------------------- */

struct uacpol_arena {
	struct uacpol_arena *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

static void *arena_alloc(struct uacpol_arena **head, size_t size)
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

static void arena_free(struct uacpol_arena *a)
{
	while (a) {
		struct uacpol_arena *next = a->next;

		free(a);
		a = next;
	}
}

static char *arena_strndup(struct uacpol_arena **head, const char *s, size_t n)
{
	char *d = arena_alloc(head, n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- loader state and errors ------------------------------------------ */

struct loader {
	yaml_document_t doc;
	const char *filename;
	struct uacpol *pol;
	char *err;
	size_t errlen;
	unsigned char *visited;	/* one byte per node */
	size_t n_nodes;
	char *nss_buf;		/* getpwnam_r/getgrnam_r scratch */
};

__attribute__((format(printf, 3, 4)))
static int fail(struct loader *ld, const yaml_node_t *node, const char *fmt, ...)
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
static int take(struct loader *ld, int index, yaml_node_t **out)
{
	yaml_node_t *node = yaml_document_get_node(&ld->doc, index);
	size_t i;

	if (!node)
		return fail(ld, NULL, "internal error: bad node index");
	i = (size_t)(index - 1);
	if (i >= ld->n_nodes)
		return fail(ld, node, "internal error: bad node index");
	if (ld->visited[i])
		return fail(ld, node, "YAML aliases are not supported");
	ld->visited[i] = 1;
	*out = node;
	return 0;
}

static const char *node_kind(const yaml_node_t *node)
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
static int map_collect(struct loader *ld, yaml_node_t *map, const char *what,
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

		err = take(ld, pair->key, &k);
		if (err < 0)
			return err;
		if (k->type != YAML_SCALAR_NODE)
			return fail(ld, k, "keys in %s must be strings, not %s", what, node_kind(k));
		name = (const char *)k->data.scalar.value;
		for (i = 0; i < n_keys; i++)
			if (strlen(keys[i]) == k->data.scalar.length && strcmp(keys[i], name) == 0)
				break;
		if (i == n_keys)
			return fail(ld, k, "unknown key '%.*s' in %s", (int)(k->data.scalar.length > 64 ? 64 : k->data.scalar.length), name, what);
		if (slots[i])
			return fail(ld, k, "duplicate key '%s' in %s", keys[i], what);
		err = take(ld, pair->value, &v);
		if (err < 0)
			return err;
		slots[i] = v;
		key_nodes[i] = k;
	}
	return 0;
}

/* ---- scalars -------------------------------------------------------------- */

static int get_string_ex(struct loader *ld, yaml_node_t *node, const char *key,
			 bool allow_empty, const char **out)
{
	if (node->type != YAML_SCALAR_NODE)
		return fail(ld, node, "'%s' must be a string, not %s", key, node_kind(node));
	if (memchr(node->data.scalar.value, '\0', node->data.scalar.length))
		return fail(ld, node, "'%s' must not contain NUL characters", key);
	if (node->data.scalar.length == 0 && !allow_empty)
		return fail(ld, node, "'%s' must not be empty", key);
	*out = (const char *)node->data.scalar.value;
	return 0;
}

static int get_string(struct loader *ld, yaml_node_t *node, const char *key, const char **out)
{
	return get_string_ex(ld, node, key, false, out);
}

static bool is_plain(const yaml_node_t *node)
{
	return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Plain decimal or 0x-hex integer in [min, max]. */
static int get_int(struct loader *ld, yaml_node_t *node, const char *key,
		   long long min, long long max, long long *out)
{
	const char *s = (const char *)node->data.scalar.value;
	char *end;
	long long v;
	int base = 10;

	if (!is_plain(node) || node->data.scalar.length == 0)
		return fail(ld, node, "'%s' must be an integer, not %s", key,
			    node->type == YAML_SCALAR_NODE ? "a quoted string" : node_kind(node));
	/* strtoll would also take blanks, '+' and a bare "0x": not us */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	v = strtoll(s, &end, base);
	if (end == s || *end != '\0' || (size_t)(end - s) != node->data.scalar.length ||
	    !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) || (base == 16 && !isxdigit((unsigned char)s[2])))
		return fail(ld, node, "'%s' must be an integer, not \"%.64s\"", key, s);
	if (errno == ERANGE || v < min || v > max)
		return fail(ld, node, "'%s' must be between %lld and %lld, not %.64s", key, min, max, s);
	*out = v;
	return 0;
}

static int get_bool(struct loader *ld, yaml_node_t *node, const char *key, bool *out)
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
	return fail(ld, node, "'%s' must be true or false", key);
}

static int get_effect(struct loader *ld, yaml_node_t *node, bool *allow)
{
	const char *s;
	int err = get_string(ld, node, "effect", &s);

	if (err < 0)
		return err;
	if (strcmp(s, "allow") == 0)
		*allow = true;
	else if (strcmp(s, "deny") == 0)
		*allow = false;
	else
		return fail(ld, node, "'effect' must be allow or deny, not \"%.64s\"", s);
	return 0;
}

/* ---- lists: a scalar is a list of one -------------------------------------- */

/*
 * Takes the items of a scalar-or-list value into items[] (allocated from the
 * arena); *n >= 1 on success.  Items must be scalars.
 */
static int get_items(struct loader *ld, yaml_node_t *node, const char *key,
		     const char *item_desc, yaml_node_t ***items, size_t *n)
{
	yaml_node_item_t *it;
	yaml_node_t **v;
	size_t count, i;
	int err;

	if (node->type == YAML_SCALAR_NODE) {
		v = arena_alloc(&ld->pol->arena, sizeof(*v));
		if (!v)
			return -ENOMEM;
		v[0] = node;
		*items = v;
		*n = 1;
		return 0;
	}
	if (node->type != YAML_SEQUENCE_NODE)
		return fail(ld, node, "'%s' must be %s or a list of them, not %s", key, item_desc, node_kind(node));
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count == 0)
		return fail(ld, node, "'%s' must not be an empty list", key);
	if (count > MAX_LIST)
		return fail(ld, node, "'%s' has more than %d entries", key, MAX_LIST);
	v = arena_alloc(&ld->pol->arena, count * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0, it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, i++) {
		err = take(ld, *it, &v[i]);
		if (err < 0)
			return err;
		if (v[i]->type != YAML_SCALAR_NODE)
			return fail(ld, v[i], "'%s' must be %s or a list of them, not a list of %s",
				    key, item_desc, v[i]->type == YAML_MAPPING_NODE ? "mappings" : "lists");
	}
	*items = v;
	*n = count;
	return 0;
}

/* Only 'serial' may hold "": it matches devices that have no serial number. */
static int get_strlist(struct loader *ld, yaml_node_t *node, const char *key,
		       struct uacpol_strlist *out)
{
	bool allow_empty = strcmp(key, "serial") == 0;
	yaml_node_t **items;
	size_t n, i;
	int err;

	err = get_items(ld, node, key, "a string", &items, &n);
	if (err < 0)
		return err;
	out->v = arena_alloc(&ld->pol->arena, n * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		err = get_string_ex(ld, items[i], key, allow_empty, &out->v[i]);
		if (err < 0)
			return err;
	}
	out->n = n;
	return 0;
}

static int get_pathlist(struct loader *ld, yaml_node_t *node, const char *key,
			struct uacpol_strlist *out)
{
	size_t i;
	int err = get_strlist(ld, node, key, out);

	if (err < 0)
		return err;
	for (i = 0; i < out->n; i++)
		if (out->v[i][0] != '/')
			return fail(ld, node, "'%s' must be an absolute path, not \"%.64s\"", key, out->v[i]);
	return 0;
}

static int get_intlist(struct loader *ld, yaml_node_t *node, const char *key,
		       long long min, long long max, struct uacpol_intlist *out)
{
	yaml_node_t **items;
	size_t n, i;
	long long v;
	int err;

	err = get_items(ld, node, key, "an integer", &items, &n);
	if (err < 0)
		return err;
	out->v = arena_alloc(&ld->pol->arena, n * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		err = get_int(ld, items[i], key, min, max, &v);
		if (err < 0)
			return err;
		out->v[i] = (int)v;
	}
	out->n = n;
	return 0;
}

static int hex4(const char *s, uint16_t *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*out = (uint16_t)v;
	return 0;
}

static int get_vidpids(struct loader *ld, yaml_node_t *node, struct uacpol_dev_match *m)
{
	static const char key[] = "vendor-product";
	yaml_node_t **items;
	size_t n, i;
	int err;

	err = get_items(ld, node, key, "a \"vvvv:pppp\" string", &items, &n);
	if (err < 0)
		return err;
	m->vidpid = arena_alloc(&ld->pol->arena, n * sizeof(*m->vidpid));
	if (!m->vidpid)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s;
		struct uacpol_vidpid *vp = &m->vidpid[i];
		bool ok;

		err = get_string(ld, items[i], key, &s);
		if (err < 0)
			return err;
		ok = strlen(s) >= 6 && s[4] == ':' && hex4(s, &vp->vid) == 0;
		if (ok && strcmp(s + 5, "*") == 0)
			vp->any_pid = true;
		else
			ok = ok && strlen(s) == 9 && hex4(s + 5, &vp->pid) == 0;
		if (!ok)
			return fail(ld, items[i], "'%s': bad vendor:product \"%.64s\" (expected 4 hex digits each, like 0d8c:0014, or 0d8c:*)", key, s);
	}
	m->n_vidpid = n;
	return 0;
}

/* ---- names ---------------------------------------------------------------- */

static bool valid_rule_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > UACPOL_MAX_RULE_NAME)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr("-_.:@+", *s)))
			return false;
	return true;
}

/* Rule names are unique across both lists: logs name a rule, not a list. */
static int get_rule_name(struct loader *ld, yaml_node_t *node, yaml_node_t *map_node,
			 const char *what, const char **out)
{
	const char *s;
	size_t i;
	int err;

	if (!node)
		return fail(ld, map_node, "%s has no 'name'", what);
	err = get_string(ld, node, "name", &s);
	if (err < 0)
		return err;
	if (!valid_rule_name(s))
		return fail(ld, node, "'name' must be 1 to %d letters, digits or - _ . : @ +, not \"%.64s\"",
			    UACPOL_MAX_RULE_NAME, s);
	if (strcmp(s, UACPOL_DEFAULT_DENY) == 0 || strcmp(s, UACPOL_IDENTITY_RULE) == 0)
		return fail(ld, node, "'name': \"%s\" is reserved", s);
	for (i = 0; i < ld->pol->n_dev_rules; i++)
		if (strcmp(ld->pol->dev_rules[i].name, s) == 0)
			return fail(ld, node, "'name': duplicate rule name \"%s\" (first used at line %d)",
				    s, ld->pol->dev_rules[i].line);
	for (i = 0; i < ld->pol->n_client_rules; i++)
		if (strcmp(ld->pol->client_rules[i].name, s) == 0)
			return fail(ld, node, "'name': duplicate rule name \"%s\" (first used at line %d)",
				    s, ld->pol->client_rules[i].line);
	*out = s;
	return 0;
}

static int resolve_users(struct loader *ld, yaml_node_t *node, struct uacpol_client_rule *r,
			 const struct uacpol_intlist *uids)
{
	struct uacpol_strlist names = { 0 };
	yaml_node_t **items = NULL;
	size_t n_items = 0, i, n = 0;
	int err;

	if (node) {
		err = get_items(ld, node, "user", "a user name", &items, &n_items);
		if (err < 0)
			return err;
		names.v = arena_alloc(&ld->pol->arena, n_items * sizeof(*names.v));
		if (!names.v)
			return -ENOMEM;
		for (i = 0; i < n_items; i++) {
			err = get_string(ld, items[i], "user", &names.v[i]);
			if (err < 0)
				return err;
		}
		names.n = n_items;
	}
	r->uid = arena_alloc(&ld->pol->arena, (uids->n + names.n) * sizeof(*r->uid));
	if (!r->uid)
		return -ENOMEM;
	for (i = 0; i < uids->n; i++)
		r->uid[n++] = (uid_t)uids->v[i];
	for (i = 0; i < names.n; i++) {
		struct passwd pw, *res = NULL;
		int e = getpwnam_r(names.v[i], &pw, ld->nss_buf, NSS_BUF_SIZE, &res);

		if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
			return fail(ld, items[i], "'user': cannot look up \"%.64s\": %s", names.v[i], strerror(e));
		if (!res)
			return fail(ld, items[i], "'user': unknown user \"%.64s\"", names.v[i]);
		r->uid[n++] = pw.pw_uid;
	}
	r->n_uid = n;
	return 0;
}

static int resolve_groups(struct loader *ld, yaml_node_t *node, struct uacpol_client_rule *r,
			  const struct uacpol_intlist *gids)
{
	struct uacpol_strlist names = { 0 };
	yaml_node_t **items = NULL;
	size_t n_items = 0, i, n = 0;
	int err;

	if (node) {
		err = get_items(ld, node, "group", "a group name", &items, &n_items);
		if (err < 0)
			return err;
		names.v = arena_alloc(&ld->pol->arena, n_items * sizeof(*names.v));
		if (!names.v)
			return -ENOMEM;
		for (i = 0; i < n_items; i++) {
			err = get_string(ld, items[i], "group", &names.v[i]);
			if (err < 0)
				return err;
		}
		names.n = n_items;
	}
	r->gid = arena_alloc(&ld->pol->arena, (gids->n + names.n) * sizeof(*r->gid));
	if (!r->gid)
		return -ENOMEM;
	for (i = 0; i < gids->n; i++)
		r->gid[n++] = (gid_t)gids->v[i];
	for (i = 0; i < names.n; i++) {
		struct group gr, *res = NULL;
		int e = getgrnam_r(names.v[i], &gr, ld->nss_buf, NSS_BUF_SIZE, &res);

		if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
			return fail(ld, items[i], "'group': cannot look up \"%.64s\": %s", names.v[i], strerror(e));
		if (!res)
			return fail(ld, items[i], "'group': unknown group \"%.64s\"", names.v[i]);
		r->gid[n++] = gr.gr_gid;
	}
	r->n_gid = n;
	return 0;
}

/* ---- device matches ------------------------------------------------------ */

enum { DM_KIND, DM_NAME, DM_CLASS, DM_SUBCLASS, DM_VIDPID, DM_SERIAL, DM_BUSPATH, DM_N };
static const char *const dev_match_keys[DM_N] = {
	"kind", "name", "class", "subclass", "vendor-product", "serial", "bus-path",
};

static int load_dev_match(struct loader *ld, yaml_node_t *node, const char *what,
			  struct uacpol_dev_match *m)
{
	yaml_node_t *v[DM_N], *k[DM_N];
	size_t i;
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return fail(ld, node, "'%s' must be a mapping, not %s", what, node_kind(node));
	err = map_collect(ld, node, what, dev_match_keys, DM_N, v, k);
	if (err < 0)
		return err;
	if (v[DM_KIND]) {
		err = get_strlist(ld, v[DM_KIND], "kind", &m->kind);
		if (err < 0)
			return err;
		for (i = 0; i < m->kind.n; i++)
			if (strcmp(m->kind.v[i], "usb") != 0 && strcmp(m->kind.v[i], "sim") != 0)
				return fail(ld, v[DM_KIND], "'kind' must be usb or sim, not \"%.64s\"", m->kind.v[i]);
	}
	if (v[DM_NAME]) {
		err = get_strlist(ld, v[DM_NAME], "name", &m->name);
		if (err < 0)
			return err;
	}
	if (v[DM_CLASS]) {
		err = get_intlist(ld, v[DM_CLASS], "class", 0, 255, &m->usb_class);
		if (err < 0)
			return err;
	}
	if (v[DM_SUBCLASS]) {
		err = get_intlist(ld, v[DM_SUBCLASS], "subclass", 0, 255, &m->usb_subclass);
		if (err < 0)
			return err;
	}
	if (v[DM_VIDPID]) {
		err = get_vidpids(ld, v[DM_VIDPID], m);
		if (err < 0)
			return err;
	}
	if (v[DM_SERIAL]) {
		err = get_strlist(ld, v[DM_SERIAL], "serial", &m->serial);
		if (err < 0)
			return err;
	}
	if (v[DM_BUSPATH]) {
		err = get_strlist(ld, v[DM_BUSPATH], "bus-path", &m->bus_path);
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- device rules ----------------------------------------------------------- */

enum { DR_NAME, DR_DESC, DR_EFFECT, DR_MATCH, DR_N };
static const char *const dev_rule_keys[DR_N] = { "name", "description", "effect", "match" };

static int load_dev_rule(struct loader *ld, yaml_node_t *node, struct uacpol_dev_rule *r)
{
	yaml_node_t *v[DR_N], *k[DR_N];
	const char *desc;
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return fail(ld, node, "a device rule must be a mapping, not %s", node_kind(node));
	err = map_collect(ld, node, "device rule", dev_rule_keys, DR_N, v, k);
	if (err < 0)
		return err;
	err = get_rule_name(ld, v[DR_NAME], node, "device rule", &r->name);
	if (err < 0)
		return err;
	r->line = (int)node->start_mark.line + 1;
	if (v[DR_DESC]) {
		err = get_string(ld, v[DR_DESC], "description", &desc);
		if (err < 0)
			return err;
	}
	if (!v[DR_EFFECT])
		return fail(ld, node, "device rule \"%s\" has no 'effect' (allow or deny)", r->name);
	err = get_effect(ld, v[DR_EFFECT], &r->allow);
	if (err < 0)
		return err;
	if (v[DR_MATCH]) {
		err = load_dev_match(ld, v[DR_MATCH], "match", &r->match);
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- client rules ----------------------------------------------------------- */

enum { CM_UID, CM_GID, CM_USER, CM_GROUP, CM_EXE, CM_UNIT, CM_CGROUP, CM_N };
static const char *const client_match_keys[CM_N] = {
	"uid", "gid", "user", "group", "exe", "unit", "cgroup",
};

static int load_client_match(struct loader *ld, yaml_node_t *node, struct uacpol_client_rule *r)
{
	yaml_node_t *v[CM_N], *k[CM_N];
	struct uacpol_intlist uids = { 0 }, gids = { 0 };
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return fail(ld, node, "'match' must be a mapping, not %s", node_kind(node));
	if (node->data.mapping.pairs.top == node->data.mapping.pairs.start)
		return fail(ld, node, "'match' must not be empty (use allow-any-client: true)");
	err = map_collect(ld, node, "client match", client_match_keys, CM_N, v, k);
	if (err < 0)
		return err;
	/* (uid_t)-1 and (gid_t)-1 mean "no change" to the kernel: never valid */
	if (v[CM_UID]) {
		err = get_intlist(ld, v[CM_UID], "uid", 0, 0x7fffffff, &uids);
		if (err < 0)
			return err;
	}
	if (v[CM_GID]) {
		err = get_intlist(ld, v[CM_GID], "gid", 0, 0x7fffffff, &gids);
		if (err < 0)
			return err;
	}
	if (v[CM_UID] || v[CM_USER]) {
		err = resolve_users(ld, v[CM_USER], r, &uids);
		if (err < 0)
			return err;
	}
	if (v[CM_GID] || v[CM_GROUP]) {
		err = resolve_groups(ld, v[CM_GROUP], r, &gids);
		if (err < 0)
			return err;
	}
	if (v[CM_EXE]) {
		err = get_pathlist(ld, v[CM_EXE], "exe", &r->exe);
		if (err < 0)
			return err;
	}
	if (v[CM_UNIT]) {
		err = get_strlist(ld, v[CM_UNIT], "unit", &r->unit);
		if (err < 0)
			return err;
	}
	if (v[CM_CGROUP]) {
		err = get_pathlist(ld, v[CM_CGROUP], "cgroup", &r->cgroup);
		if (err < 0)
			return err;
	}
	return 0;
}

static int get_actions(struct loader *ld, yaml_node_t *node, unsigned int *out)
{
	yaml_node_t **items;
	size_t n, i;
	int err;

	err = get_items(ld, node, "actions", "an action", &items, &n);
	if (err < 0)
		return err;
	*out = 0;
	for (i = 0; i < n; i++) {
		enum uacpol_action a;
		const char *s;

		err = get_string(ld, items[i], "actions", &s);
		if (err < 0)
			return err;
		if (strcmp(s, "all") == 0) {
			*out |= (1u << UACPOL_N_ACTIONS) - 1;
			continue;
		}
		if (uacpol_action_parse(s, &a) < 0)
			return fail(ld, items[i], "'actions': unknown action \"%.64s\" (expected play, record, control, reload, hook, admin or all)", s);
		*out |= 1u << a;
	}
	return 0;
}

enum { CR_NAME, CR_DESC, CR_EFFECT, CR_ACTIONS, CR_DEVICES, CR_DEVMATCH, CR_ANY, CR_MATCH, CR_N };
static const char *const client_rule_keys[CR_N] = {
	"name", "description", "effect", "actions", "devices", "device-match",
	"allow-any-client", "match",
};

static int load_client_rule(struct loader *ld, yaml_node_t *node, struct uacpol_client_rule *r)
{
	yaml_node_t *v[CR_N], *k[CR_N];
	const char *desc;
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return fail(ld, node, "a client rule must be a mapping, not %s", node_kind(node));
	err = map_collect(ld, node, "client rule", client_rule_keys, CR_N, v, k);
	if (err < 0)
		return err;
	err = get_rule_name(ld, v[CR_NAME], node, "client rule", &r->name);
	if (err < 0)
		return err;
	r->line = (int)node->start_mark.line + 1;
	if (v[CR_DESC]) {
		err = get_string(ld, v[CR_DESC], "description", &desc);
		if (err < 0)
			return err;
	}
	if (v[CR_ANY]) {
		err = get_bool(ld, v[CR_ANY], "allow-any-client", &r->any_client);
		if (err < 0)
			return err;
	}
	if (v[CR_EFFECT]) {
		err = get_effect(ld, v[CR_EFFECT], &r->allow);
		if (err < 0)
			return err;
	} else if (r->any_client) {
		r->allow = true;
	} else {
		return fail(ld, node, "client rule \"%s\" has no 'effect' (allow or deny)", r->name);
	}
	if (!v[CR_ACTIONS])
		return fail(ld, node, "client rule \"%s\" has no 'actions'", r->name);
	err = get_actions(ld, v[CR_ACTIONS], &r->actions);
	if (err < 0)
		return err;
	if (v[CR_DEVICES]) {
		err = get_strlist(ld, v[CR_DEVICES], "devices", &r->devices);
		if (err < 0)
			return err;
	}
	if (v[CR_DEVMATCH]) {
		err = load_dev_match(ld, v[CR_DEVMATCH], "device-match", &r->device_match);
		if (err < 0)
			return err;
		r->has_device_match = true;
	}
	if (r->any_client && !r->allow)
		return fail(ld, k[CR_ANY], "'allow-any-client' needs effect: allow");
	if (r->any_client && v[CR_MATCH])
		return fail(ld, k[CR_MATCH], "'match' and 'allow-any-client' exclude each other");
	if (v[CR_MATCH]) {
		err = load_client_match(ld, v[CR_MATCH], r);
		if (err < 0)
			return err;
	} else if (r->allow && !r->any_client) {
		return fail(ld, node, "client rule \"%s\" allows without 'match' (write allow-any-client: true if that is meant)", r->name);
	}
	return 0;
}

/* ---- top level --------------------------------------------------------------- */

enum { TOP_VERSION, TOP_DEVICES, TOP_CLIENTS, TOP_N };
static const char *const top_keys[TOP_N] = { "version", "devices", "clients" };

static int load_rule_list(struct loader *ld, yaml_node_t *node, bool devices)
{
	const char *key = devices ? "devices" : "clients";
	yaml_node_item_t *it;
	size_t count;
	int err;

	if (node->type != YAML_SEQUENCE_NODE)
		return fail(ld, node, "'%s' must be a list of rules, not %s", key, node_kind(node));
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count > MAX_RULES)
		return fail(ld, node, "'%s' has more than %d rules", key, MAX_RULES);
	if (devices)
		ld->pol->dev_rules = arena_alloc(&ld->pol->arena, count * sizeof(*ld->pol->dev_rules));
	else
		ld->pol->client_rules = arena_alloc(&ld->pol->arena, count * sizeof(*ld->pol->client_rules));
	if (devices ? !ld->pol->dev_rules : !ld->pol->client_rules)
		return -ENOMEM;
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *r;

		err = take(ld, *it, &r);
		if (err < 0)
			return err;
		/* the count grows only after the rule loaded, so the duplicate-
		 * name check sees exactly the rules before this one */
		if (devices) {
			err = load_dev_rule(ld, r, &ld->pol->dev_rules[ld->pol->n_dev_rules]);
			if (err < 0)
				return err;
			ld->pol->n_dev_rules++;
		} else {
			err = load_client_rule(ld, r, &ld->pol->client_rules[ld->pol->n_client_rules]);
			if (err < 0)
				return err;
			ld->pol->n_client_rules++;
		}
	}
	return 0;
}

static int load_root(struct loader *ld)
{
	yaml_node_t *root, *v[TOP_N], *k[TOP_N];
	long long version;
	int err;

	root = yaml_document_get_root_node(&ld->doc);
	if (!root)
		return fail(ld, NULL, "empty policy (expected a mapping with 'devices' and 'clients')");
	err = take(ld, 1, &root);
	if (err < 0)
		return err;
	if (root->type != YAML_MAPPING_NODE)
		return fail(ld, root, "the policy must be a mapping with 'devices' and 'clients', not %s", node_kind(root));
	err = map_collect(ld, root, "the policy", top_keys, TOP_N, v, k);
	if (err < 0)
		return err;
	if (v[TOP_VERSION]) {
		err = get_int(ld, v[TOP_VERSION], "version", 1, 1, &version);
		if (err < 0)
			return err;
	}
	if (v[TOP_DEVICES]) {
		err = load_rule_list(ld, v[TOP_DEVICES], true);
		if (err < 0)
			return err;
	}
	if (v[TOP_CLIENTS]) {
		err = load_rule_list(ld, v[TOP_CLIENTS], false);
		if (err < 0)
			return err;
	}
	return 0;
}

/* Copies the scalar strings we keep into the arena: the document goes away. */
static int detach_strings(struct uacpol *p)
{
	/*
	 * Rather than chase every pointer, the loader stores pointers into the
	 * yaml document and we re-home them here.  Each string field lives in
	 * a strlist or is a rule name.
	 */
	struct uacpol_strlist *lists[8];
	size_t i, j, l, n_lists;

	for (i = 0; i < p->n_dev_rules; i++) {
		struct uacpol_dev_rule *r = &p->dev_rules[i];

		r->name = arena_strndup(&p->arena, r->name, strlen(r->name));
		if (!r->name)
			return -ENOMEM;
		n_lists = 0;
		lists[n_lists++] = &r->match.kind;
		lists[n_lists++] = &r->match.name;
		lists[n_lists++] = &r->match.serial;
		lists[n_lists++] = &r->match.bus_path;
		for (l = 0; l < n_lists; l++)
			for (j = 0; j < lists[l]->n; j++) {
				lists[l]->v[j] = arena_strndup(&p->arena, lists[l]->v[j], strlen(lists[l]->v[j]));
				if (!lists[l]->v[j])
					return -ENOMEM;
			}
	}
	for (i = 0; i < p->n_client_rules; i++) {
		struct uacpol_client_rule *r = &p->client_rules[i];

		r->name = arena_strndup(&p->arena, r->name, strlen(r->name));
		if (!r->name)
			return -ENOMEM;
		n_lists = 0;
		lists[n_lists++] = &r->devices;
		lists[n_lists++] = &r->device_match.kind;
		lists[n_lists++] = &r->device_match.name;
		lists[n_lists++] = &r->device_match.serial;
		lists[n_lists++] = &r->device_match.bus_path;
		lists[n_lists++] = &r->exe;
		lists[n_lists++] = &r->unit;
		lists[n_lists++] = &r->cgroup;
		for (l = 0; l < n_lists; l++)
			for (j = 0; j < lists[l]->n; j++) {
				lists[l]->v[j] = arena_strndup(&p->arena, lists[l]->v[j], strlen(lists[l]->v[j]));
				if (!lists[l]->v[j])
					return -ENOMEM;
			}
	}
	return 0;
}

static int syntax_error(struct loader *ld, const yaml_parser_t *parser)
{
	const yaml_mark_t *m = &parser->problem_mark;

	if (parser->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (ld->err && ld->errlen)
		snprintf(ld->err, ld->errlen, "%s:%zu:%zu: YAML syntax error: %s%s%s",
			 ld->filename, m->line + 1, m->column + 1,
			 parser->problem ? parser->problem : "unknown problem",
			 parser->context ? " " : "", parser->context ? parser->context : "");
	return -EINVAL;
}

int uacpol_parse(const char *text, size_t len, const char *filename,
		 struct uacpol **out, char *err, size_t errlen)
{
	struct loader ld = { .filename = filename ? filename : "<policy>", .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t extra;
	struct uacpol *p;
	int ret;

	if (!out || (!text && len))
		return -EINVAL;
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	if (len > MAX_POLICY_BYTES)
		return fail(&ld, NULL, "policy is larger than %u bytes", MAX_POLICY_BYTES);
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ld.pol = p;
	ld.nss_buf = malloc(NSS_BUF_SIZE);
	if (!ld.nss_buf) {
		ret = -ENOMEM;
		goto err_free_policy;
	}
	if (!yaml_parser_initialize(&parser)) {
		ret = -ENOMEM;
		goto err_free_nss;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)(text ? text : ""), len);
	if (!yaml_parser_load(&parser, &ld.doc)) {
		ret = syntax_error(&ld, &parser);
		goto err_delete_parser;
	}
	if (yaml_document_get_root_node(&ld.doc)) {
		if (!yaml_parser_load(&parser, &extra)) {
			ret = syntax_error(&ld, &parser);
			goto err_delete_doc;
		}
		if (yaml_document_get_root_node(&extra)) {
			ret = fail(&ld, yaml_document_get_root_node(&extra),
				   "a policy file holds one YAML document, not several");
			yaml_document_delete(&extra);
			goto err_delete_doc;
		}
		yaml_document_delete(&extra);
	}
	ld.n_nodes = (size_t)(ld.doc.nodes.top - ld.doc.nodes.start);
	ld.visited = calloc(ld.n_nodes ? ld.n_nodes : 1, 1);
	if (!ld.visited) {
		ret = -ENOMEM;
		goto err_delete_doc;
	}
	ret = load_root(&ld);
	if (ret < 0)
		goto err_free_visited;
	ret = detach_strings(p);
	if (ret < 0)
		goto err_free_visited;
	p->filename = arena_strndup(&p->arena, ld.filename, strlen(ld.filename));
	if (!p->filename) {
		ret = -ENOMEM;
		goto err_free_visited;
	}
	free(ld.visited);
	yaml_document_delete(&ld.doc);
	yaml_parser_delete(&parser);
	free(ld.nss_buf);
	*out = p;
	return 0;

err_free_visited:
	free(ld.visited);
err_delete_doc:
	yaml_document_delete(&ld.doc);
err_delete_parser:
	yaml_parser_delete(&parser);
err_free_nss:
	free(ld.nss_buf);
err_free_policy:
	uacpol_free(p);
	if (ret == -ENOMEM && err && errlen)
		snprintf(err, errlen, "%s: out of memory", ld.filename);
	return ret;
}

int uacpol_load(const char *path, struct uacpol **out, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	if (!path || !out)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto err_report;
	}
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s: not a regular file", path);
		goto err_close_quiet;
	}
	if (st.st_size > (off_t)MAX_POLICY_BYTES) {
		ret = -EFBIG;
		goto err_close;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		ret = -ENOMEM;
		goto err_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto err_free_text;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	ret = uacpol_parse(text, got, path, out, err, errlen);
	free(text);
	return ret;

err_free_text:
	free(text);
err_close:
	close(fd);
err_report:
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	return ret;
err_close_quiet:
	close(fd);
	return ret;
}

void uacpol_free(struct uacpol *p)
{
	if (!p)
		return;
	arena_free(p->arena);
	free(p);
}

size_t uacpol_n_device_rules(const struct uacpol *p)
{
	return p ? p->n_dev_rules : 0;
}

size_t uacpol_n_client_rules(const struct uacpol *p)
{
	return p ? p->n_client_rules : 0;
}
