/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-load.c - the schema walk that turns a policy's YAML tree into a
 * struct uacpol (reading the file and the document: policy-read.c).
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
 * Hostile input (the fuzz target drives this file): node access goes through
 * yaml/strict-yaml.c, which visits every node at most once (so aliases, which
 * could make the tree a DAG or a cycle, are errors).  The schema is at most
 * four levels deep, so our recursion is bounded whatever the nesting of the
 * input.  Sizes are capped (policy-read.c's MAX_POLICY_BYTES, MAX_RULES, UACPOL_MAX_LIST).
 *
 * Memory: everything is carved out of one arena owned by the policy, so the
 * error path frees a half-built policy with a single uacpol_free().
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entitlement-policy/policy-fields.h"

#define MAX_RULES 4096			/* per list */

static int get_effect(struct uacpol_loader *ld, yaml_node_t *node, bool *allow)
{
	const char *s;
	int err = uacpol_yaml_string(ld, node, "effect", &s);

	if (err < 0)
		return err;
	if (strcmp(s, "allow") == 0)
		*allow = true;
	else if (strcmp(s, "deny") == 0)
		*allow = false;
	else
		return syaml_fail(&ld->y, node, "'effect' must be allow or deny, not \"%.64s\"", s);
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

static int get_vidpids(struct uacpol_loader *ld, yaml_node_t *node, struct uacpol_dev_match *m)
{
	static const char key[] = "vendor-product";
	yaml_node_t **items;
	size_t n, i;
	int err;

	err = uacpol_yaml_items(ld, node, key, "a \"vvvv:pppp\" string", &items, &n);
	if (err < 0)
		return err;
	m->vidpid = uacpol_arena_alloc(&ld->pol->arena, n * sizeof(*m->vidpid));
	if (!m->vidpid)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *s;
		struct uacpol_vidpid *vp = &m->vidpid[i];
		bool ok;

		err = uacpol_yaml_string(ld, items[i], key, &s);
		if (err < 0)
			return err;
		ok = strlen(s) >= 6 && s[4] == ':' && hex4(s, &vp->vid) == 0;
		if (ok && strcmp(s + 5, "*") == 0)
			vp->any_pid = true;
		else
			ok = ok && strlen(s) == 9 && hex4(s + 5, &vp->pid) == 0;
		if (!ok)
			return syaml_fail(&ld->y, items[i], "'%s': bad vendor:product \"%.64s\" (expected 4 hex digits each, like 0d8c:0014, or 0d8c:*)", key, s);
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
static int get_rule_name(struct uacpol_loader *ld, yaml_node_t *node, yaml_node_t *map_node,
			 const char *what, const char **out)
{
	const char *s;
	size_t i;
	int err;

	if (!node)
		return syaml_fail(&ld->y, map_node, "%s has no 'name'", what);
	err = uacpol_yaml_string(ld, node, "name", &s);
	if (err < 0)
		return err;
	if (!valid_rule_name(s))
		return syaml_fail(&ld->y, node, "'name' must be 1 to %d letters, digits or - _ . : @ +, not \"%.64s\"",
			    UACPOL_MAX_RULE_NAME, s);
	if (strcmp(s, UACPOL_DEFAULT_DENY) == 0 || strcmp(s, UACPOL_IDENTITY_RULE) == 0)
		return syaml_fail(&ld->y, node, "'name': \"%s\" is reserved", s);
	for (i = 0; i < ld->pol->n_dev_rules; i++)
		if (strcmp(ld->pol->dev_rules[i].name, s) == 0)
			return syaml_fail(&ld->y, node, "'name': duplicate rule name \"%s\" (first used at line %d)",
				    s, ld->pol->dev_rules[i].line);
	for (i = 0; i < ld->pol->n_client_rules; i++)
		if (strcmp(ld->pol->client_rules[i].name, s) == 0)
			return syaml_fail(&ld->y, node, "'name': duplicate rule name \"%s\" (first used at line %d)",
				    s, ld->pol->client_rules[i].line);
	*out = s;
	return 0;
}

static int resolve_users(struct uacpol_loader *ld, yaml_node_t *node, struct uacpol_client_rule *r,
			 const struct uacpol_intlist *uids)
{
	struct uacpol_strlist names = { 0 };
	yaml_node_t **items = NULL;
	size_t n_items = 0, i, n = 0;
	int err;

	if (node) {
		err = uacpol_yaml_items(ld, node, "user", "a user name", &items, &n_items);
		if (err < 0)
			return err;
		names.v = uacpol_arena_alloc(&ld->pol->arena, n_items * sizeof(*names.v));
		if (!names.v)
			return -ENOMEM;
		for (i = 0; i < n_items; i++) {
			err = uacpol_yaml_string(ld, items[i], "user", &names.v[i]);
			if (err < 0)
				return err;
		}
		names.n = n_items;
	}
	r->uid = uacpol_arena_alloc(&ld->pol->arena, (uids->n + names.n) * sizeof(*r->uid));
	if (!r->uid)
		return -ENOMEM;
	for (i = 0; i < uids->n; i++)
		r->uid[n++] = (uid_t)uids->v[i];
	for (i = 0; i < names.n; i++) {
		struct passwd pw, *res = NULL;
		int e = getpwnam_r(names.v[i], &pw, ld->nss_buf, UACPOL_NSS_BUF_SIZE, &res);

		if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
			return syaml_fail(&ld->y, items[i], "'user': cannot look up \"%.64s\": %s", names.v[i], strerror(e));
		if (!res)
			return syaml_fail(&ld->y, items[i], "'user': unknown user \"%.64s\"", names.v[i]);
		r->uid[n++] = pw.pw_uid;
	}
	r->n_uid = n;
	return 0;
}

static int resolve_groups(struct uacpol_loader *ld, yaml_node_t *node, struct uacpol_client_rule *r,
			  const struct uacpol_intlist *gids)
{
	struct uacpol_strlist names = { 0 };
	yaml_node_t **items = NULL;
	size_t n_items = 0, i, n = 0;
	int err;

	if (node) {
		err = uacpol_yaml_items(ld, node, "group", "a group name", &items, &n_items);
		if (err < 0)
			return err;
		names.v = uacpol_arena_alloc(&ld->pol->arena, n_items * sizeof(*names.v));
		if (!names.v)
			return -ENOMEM;
		for (i = 0; i < n_items; i++) {
			err = uacpol_yaml_string(ld, items[i], "group", &names.v[i]);
			if (err < 0)
				return err;
		}
		names.n = n_items;
	}
	r->gid = uacpol_arena_alloc(&ld->pol->arena, (gids->n + names.n) * sizeof(*r->gid));
	if (!r->gid)
		return -ENOMEM;
	for (i = 0; i < gids->n; i++)
		r->gid[n++] = (gid_t)gids->v[i];
	for (i = 0; i < names.n; i++) {
		struct group gr, *res = NULL;
		int e = getgrnam_r(names.v[i], &gr, ld->nss_buf, UACPOL_NSS_BUF_SIZE, &res);

		if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM)
			return syaml_fail(&ld->y, items[i], "'group': cannot look up \"%.64s\": %s", names.v[i], strerror(e));
		if (!res)
			return syaml_fail(&ld->y, items[i], "'group': unknown group \"%.64s\"", names.v[i]);
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

static int load_dev_match(struct uacpol_loader *ld, yaml_node_t *node, const char *what,
			  struct uacpol_dev_match *m)
{
	yaml_node_t *v[DM_N], *k[DM_N];
	size_t i;
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return syaml_fail(&ld->y, node, "'%s' must be a mapping, not %s", what, syaml_kind(node));
	err = uacpol_yaml_map(ld, node, what, dev_match_keys, DM_N, v, k);
	if (err < 0)
		return err;
	if (v[DM_KIND]) {
		err = uacpol_yaml_strlist(ld, v[DM_KIND], "kind", &m->kind);
		if (err < 0)
			return err;
		for (i = 0; i < m->kind.n; i++)
			if (strcmp(m->kind.v[i], "usb") != 0 && strcmp(m->kind.v[i], "sim") != 0)
				return syaml_fail(&ld->y, v[DM_KIND], "'kind' must be usb or sim, not \"%.64s\"", m->kind.v[i]);
	}
	if (v[DM_NAME]) {
		err = uacpol_yaml_strlist(ld, v[DM_NAME], "name", &m->name);
		if (err < 0)
			return err;
	}
	if (v[DM_CLASS]) {
		err = uacpol_yaml_intlist(ld, v[DM_CLASS], "class", 0, 255, &m->usb_class);
		if (err < 0)
			return err;
	}
	if (v[DM_SUBCLASS]) {
		err = uacpol_yaml_intlist(ld, v[DM_SUBCLASS], "subclass", 0, 255, &m->usb_subclass);
		if (err < 0)
			return err;
	}
	if (v[DM_VIDPID]) {
		err = get_vidpids(ld, v[DM_VIDPID], m);
		if (err < 0)
			return err;
	}
	if (v[DM_SERIAL]) {
		err = uacpol_yaml_strlist(ld, v[DM_SERIAL], "serial", &m->serial);
		if (err < 0)
			return err;
	}
	if (v[DM_BUSPATH]) {
		err = uacpol_yaml_strlist(ld, v[DM_BUSPATH], "bus-path", &m->bus_path);
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- device rules ----------------------------------------------------------- */

enum { DR_NAME, DR_DESC, DR_EFFECT, DR_MATCH, DR_N };
static const char *const dev_rule_keys[DR_N] = { "name", "description", "effect", "match" };

static int load_dev_rule(struct uacpol_loader *ld, yaml_node_t *node, struct uacpol_dev_rule *r)
{
	yaml_node_t *v[DR_N], *k[DR_N];
	const char *desc;
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return syaml_fail(&ld->y, node, "a device rule must be a mapping, not %s", syaml_kind(node));
	err = uacpol_yaml_map(ld, node, "device rule", dev_rule_keys, DR_N, v, k);
	if (err < 0)
		return err;
	err = get_rule_name(ld, v[DR_NAME], node, "device rule", &r->name);
	if (err < 0)
		return err;
	r->line = (int)node->start_mark.line + 1;
	if (v[DR_DESC]) {
		err = uacpol_yaml_string(ld, v[DR_DESC], "description", &desc);
		if (err < 0)
			return err;
	}
	if (!v[DR_EFFECT])
		return syaml_fail(&ld->y, node, "device rule \"%s\" has no 'effect' (allow or deny)", r->name);
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

static int load_client_match(struct uacpol_loader *ld, yaml_node_t *node, struct uacpol_client_rule *r)
{
	yaml_node_t *v[CM_N], *k[CM_N];
	struct uacpol_intlist uids = { 0 }, gids = { 0 };
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return syaml_fail(&ld->y, node, "'match' must be a mapping, not %s", syaml_kind(node));
	if (node->data.mapping.pairs.top == node->data.mapping.pairs.start)
		return syaml_fail(&ld->y, node, "'match' must not be empty (use allow-any-client: true)");
	err = uacpol_yaml_map(ld, node, "client match", client_match_keys, CM_N, v, k);
	if (err < 0)
		return err;
	/* (uid_t)-1 and (gid_t)-1 mean "no change" to the kernel: never valid */
	if (v[CM_UID]) {
		err = uacpol_yaml_intlist(ld, v[CM_UID], "uid", 0, 0x7fffffff, &uids);
		if (err < 0)
			return err;
	}
	if (v[CM_GID]) {
		err = uacpol_yaml_intlist(ld, v[CM_GID], "gid", 0, 0x7fffffff, &gids);
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
		err = uacpol_yaml_pathlist(ld, v[CM_EXE], "exe", &r->exe);
		if (err < 0)
			return err;
	}
	if (v[CM_UNIT]) {
		err = uacpol_yaml_strlist(ld, v[CM_UNIT], "unit", &r->unit);
		if (err < 0)
			return err;
	}
	if (v[CM_CGROUP]) {
		err = uacpol_yaml_pathlist(ld, v[CM_CGROUP], "cgroup", &r->cgroup);
		if (err < 0)
			return err;
	}
	return 0;
}

static int get_actions(struct uacpol_loader *ld, yaml_node_t *node, unsigned int *out)
{
	yaml_node_t **items;
	size_t n, i;
	int err;

	err = uacpol_yaml_items(ld, node, "actions", "an action", &items, &n);
	if (err < 0)
		return err;
	*out = 0;
	for (i = 0; i < n; i++) {
		enum uacpol_action a;
		const char *s;

		err = uacpol_yaml_string(ld, items[i], "actions", &s);
		if (err < 0)
			return err;
		if (strcmp(s, "all") == 0) {
			*out |= (1u << UACPOL_N_ACTIONS) - 1;
			continue;
		}
		if (uacpol_action_parse(s, &a) < 0)
			return syaml_fail(&ld->y, items[i], "'actions': unknown action \"%.64s\" (expected play, record, control, reload, hook, admin or all)", s);
		*out |= 1u << a;
	}
	return 0;
}

enum { CR_NAME, CR_DESC, CR_EFFECT, CR_ACTIONS, CR_DEVICES, CR_DEVMATCH, CR_ANY, CR_MATCH, CR_N };
static const char *const client_rule_keys[CR_N] = {
	"name", "description", "effect", "actions", "devices", "device-match",
	"allow-any-client", "match",
};

static int load_client_rule(struct uacpol_loader *ld, yaml_node_t *node, struct uacpol_client_rule *r)
{
	yaml_node_t *v[CR_N], *k[CR_N];
	const char *desc;
	int err;

	if (node->type != YAML_MAPPING_NODE)
		return syaml_fail(&ld->y, node, "a client rule must be a mapping, not %s", syaml_kind(node));
	err = uacpol_yaml_map(ld, node, "client rule", client_rule_keys, CR_N, v, k);
	if (err < 0)
		return err;
	err = get_rule_name(ld, v[CR_NAME], node, "client rule", &r->name);
	if (err < 0)
		return err;
	r->line = (int)node->start_mark.line + 1;
	if (v[CR_DESC]) {
		err = uacpol_yaml_string(ld, v[CR_DESC], "description", &desc);
		if (err < 0)
			return err;
	}
	if (v[CR_ANY]) {
		err = uacpol_yaml_bool(ld, v[CR_ANY], "allow-any-client", &r->any_client);
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
		return syaml_fail(&ld->y, node, "client rule \"%s\" has no 'effect' (allow or deny)", r->name);
	}
	if (!v[CR_ACTIONS])
		return syaml_fail(&ld->y, node, "client rule \"%s\" has no 'actions'", r->name);
	err = get_actions(ld, v[CR_ACTIONS], &r->actions);
	if (err < 0)
		return err;
	if (v[CR_DEVICES]) {
		err = uacpol_yaml_strlist(ld, v[CR_DEVICES], "devices", &r->devices);
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
		return syaml_fail(&ld->y, k[CR_ANY], "'allow-any-client' needs effect: allow");
	if (r->any_client && v[CR_MATCH])
		return syaml_fail(&ld->y, k[CR_MATCH], "'match' and 'allow-any-client' exclude each other");
	if (v[CR_MATCH]) {
		err = load_client_match(ld, v[CR_MATCH], r);
		if (err < 0)
			return err;
	} else if (r->allow && !r->any_client) {
		return syaml_fail(&ld->y, node, "client rule \"%s\" allows without 'match' (write allow-any-client: true if that is meant)", r->name);
	}
	return 0;
}

/* ---- top level --------------------------------------------------------------- */

enum { TOP_VERSION, TOP_DEVICES, TOP_CLIENTS, TOP_N };
static const char *const top_keys[TOP_N] = { "version", "devices", "clients" };

static int load_rule_list(struct uacpol_loader *ld, yaml_node_t *node, bool devices)
{
	const char *key = devices ? "devices" : "clients";
	yaml_node_item_t *it;
	size_t count;
	int err;

	if (node->type != YAML_SEQUENCE_NODE)
		return syaml_fail(&ld->y, node, "'%s' must be a list of rules, not %s", key, syaml_kind(node));
	count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count > MAX_RULES)
		return syaml_fail(&ld->y, node, "'%s' has more than %d rules", key, MAX_RULES);
	if (devices)
		ld->pol->dev_rules = uacpol_arena_alloc(&ld->pol->arena, count * sizeof(*ld->pol->dev_rules));
	else
		ld->pol->client_rules = uacpol_arena_alloc(&ld->pol->arena, count * sizeof(*ld->pol->client_rules));
	if (devices ? !ld->pol->dev_rules : !ld->pol->client_rules)
		return -ENOMEM;
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
		yaml_node_t *r;

		err = syaml_take(&ld->y, *it, &r);
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

int uacpol_load_root(struct uacpol_loader *ld)
{
	yaml_node_t *root, *v[TOP_N], *k[TOP_N];
	long long version;
	int err;

	root = syaml_root(&ld->y);
	if (!root)
		return syaml_fail(&ld->y, NULL, "empty policy (expected a mapping with 'devices' and 'clients')");
	err = syaml_take(&ld->y, 1, &root);
	if (err < 0)
		return err;
	if (root->type != YAML_MAPPING_NODE)
		return syaml_fail(&ld->y, root, "the policy must be a mapping with 'devices' and 'clients', not %s", syaml_kind(root));
	err = uacpol_yaml_map(ld, root, "the policy", top_keys, TOP_N, v, k);
	if (err < 0)
		return err;
	if (v[TOP_VERSION]) {
		err = uacpol_yaml_int(ld, v[TOP_VERSION], "version", 1, 1, &version);
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
