/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-match.c - decisions: may uacd claim this device, may this client do
 * that on this device.
 *
 * How it works
 * ------------
 * Both rule lists are ordered and the first rule that matches decides (like
 * a firewall chain); if none matches the answer is deny, rule "default-deny".
 * A rule matches when every field it names matches (AND across fields) and a
 * field matches when any of its values matches (OR within a field).  Strings
 * are fnmatch(3) globs without flags, so '*' also crosses '/'.
 *
 * Unknown attributes.  A device known only by name, or a client whose
 * executable could not be read (or was deleted), leaves some fields
 * unknowable.  Matching is three-valued: yes, no, unknown.  An allow rule
 * needs "yes"; a deny rule also applies on "unknown".  So an unknown fact can
 * only ever make the answer stricter - the policy fails closed.
 *
 * Decisions are pure functions of (policy, client, device, action), except
 * that a client carrying a pidfd is re-checked first (identity.c): a process
 * that exec'd another program after connecting is denied whatever the rules
 * say.  Nothing here allocates; the policy is only read, so concurrent
 * callers need no lock.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "entitlement-policy/policy-private.h"

static const char *const action_names[UACPOL_N_ACTIONS] = {
	[UACPOL_PLAY] = "play",
	[UACPOL_RECORD] = "record",
	[UACPOL_CONTROL] = "control",
	[UACPOL_RELOAD] = "reload",
	[UACPOL_HOOK] = "hook",
	[UACPOL_ADMIN] = "admin",
};

const char *uacpol_action_name(enum uacpol_action a)
{
	if ((unsigned int)a >= UACPOL_N_ACTIONS)
		return "?";
	return action_names[a];
}

int uacpol_action_parse(const char *s, enum uacpol_action *out)
{
	unsigned int i;

	if (!s || !out)
		return -EINVAL;
	for (i = 0; i < UACPOL_N_ACTIONS; i++)
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum uacpol_action)i;
			return 0;
		}
	return -EINVAL;
}

enum tri { T_NO, T_YES, T_UNKNOWN };

/* AND of two three-valued answers: any "no" wins, then any "unknown". */
static enum tri tri_and(enum tri a, enum tri b)
{
	if (a == T_NO || b == T_NO)
		return T_NO;
	if (a == T_UNKNOWN || b == T_UNKNOWN)
		return T_UNKNOWN;
	return T_YES;
}

static enum tri match_globs(const struct uacpol_strlist *l, const char *v)
{
	size_t i;

	if (l->n == 0)
		return T_YES;
	if (!v)
		return T_UNKNOWN;
	for (i = 0; i < l->n; i++)
		if (fnmatch(l->v[i], v, 0) == 0)
			return T_YES;
	return T_NO;
}

static enum tri match_ints(const struct uacpol_intlist *l, int v)
{
	size_t i;

	if (l->n == 0)
		return T_YES;
	if (v < 0)
		return T_UNKNOWN;
	for (i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return T_YES;
	return T_NO;
}

static const char *device_kind(const struct uacpol_device *d)
{
	if (d->kind)
		return d->kind;
	return NULL;
}

/* A client string field: "" is unknown. */
static const char *known(const char *s)
{
	return s[0] ? s : NULL;
}

static bool has_usb_fields(const struct uacpol_dev_match *m)
{
	return m->usb_class.n || m->usb_subclass.n || m->n_vidpid || m->serial.n || m->bus_path.n;
}

static enum tri match_device(const struct uacpol_dev_match *m, const struct uacpol_device *d)
{
	const char *kind = device_kind(d);
	enum tri t = T_YES;
	size_t i;

	t = tri_and(t, match_globs(&m->kind, kind));
	t = tri_and(t, match_globs(&m->name, d->name));
	/* the simulated device has no USB attributes: not unknown, absent */
	if (kind && strcmp(kind, "sim") == 0 && has_usb_fields(m))
		return T_NO;
	t = tri_and(t, match_ints(&m->usb_class, d->usb_class));
	t = tri_and(t, match_ints(&m->usb_subclass, d->usb_subclass));
	if (m->n_vidpid) {
		enum tri vp = T_NO;

		if (d->vid == 0 && d->pid == 0) {
			vp = T_UNKNOWN;
		} else {
			for (i = 0; i < m->n_vidpid; i++)
				if (m->vidpid[i].vid == d->vid &&
				    (m->vidpid[i].any_pid || m->vidpid[i].pid == d->pid))
					vp = T_YES;
		}
		t = tri_and(t, vp);
	}
	t = tri_and(t, match_globs(&m->serial, d->serial));
	t = tri_and(t, match_globs(&m->bus_path, d->bus_path));
	return t;
}

static void describe_device(const struct uacpol_device *d, char *buf, size_t len)
{
	if (d->name && d->name[0])
		snprintf(buf, len, "\"%s\"", d->name);
	else if (d->vid || d->pid)
		snprintf(buf, len, "usb %04x:%04x%s%s", d->vid, d->pid,
			 d->bus_path ? " at " : "", d->bus_path ? d->bus_path : "");
	else if (d->bus_path)
		snprintf(buf, len, "usb device at %s", d->bus_path);
	else
		snprintf(buf, len, "an unnamed device");
}

static void decide(struct uacpol_decision *out, bool allow, const char *rule)
{
	out->allow = allow;
	snprintf(out->rule, sizeof(out->rule), "%s", rule);
	out->reason[0] = '\0';
}

int uacpol_check_device(const struct uacpol *p, const struct uacpol_device *dev,
			struct uacpol_decision *out)
{
	char what[160];
	size_t i;

	if (!p || !dev || !out)
		return -EINVAL;
	describe_device(dev, what, sizeof(what));
	for (i = 0; i < p->n_dev_rules; i++) {
		const struct uacpol_dev_rule *r = &p->dev_rules[i];
		enum tri t = match_device(&r->match, dev);

		if (t == T_NO || (t == T_UNKNOWN && r->allow))
			continue;
		decide(out, r->allow, r->name);
		snprintf(out->reason, sizeof(out->reason), "device rule \"%s\" (%s line %d) %s claiming %s%s",
			 r->name, p->filename, r->line, r->allow ? "allows" : "denies", what,
			 t == T_UNKNOWN ? " (some attributes unknown: deny applied)" : "");
		return 0;
	}
	decide(out, false, UACPOL_DEFAULT_DENY);
	snprintf(out->reason, sizeof(out->reason), "no device rule in %s allows claiming %s",
		 p->filename, what);
	return 0;
}

static bool in_uids(const uid_t *v, size_t n, uid_t u)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == u)
			return true;
	return false;
}

static bool in_gids(const gid_t *v, size_t n, gid_t g)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == g)
			return true;
	return false;
}

static enum tri match_client(const struct uacpol_client_rule *r, const struct uacpol_client *c)
{
	enum tri t = T_YES;
	int i;

	if (r->any_client)
		return T_YES;
	if (r->n_uid && !in_uids(r->uid, r->n_uid, c->uid))
		return T_NO;
	if (r->n_gid) {
		bool found = in_gids(r->gid, r->n_gid, c->gid);

		for (i = 0; !found && i < c->n_groups && i < UACPOL_MAX_GROUPS; i++)
			found = in_gids(r->gid, r->n_gid, c->groups[i]);
		if (!found)
			return T_NO;
	}
	/* a deleted or unverifiable executable has no trustworthy path */
	t = tri_and(t, match_globs(&r->exe, c->exe_unverified ? NULL : known(c->exe)));
	t = tri_and(t, match_globs(&r->unit, known(c->unit)));
	t = tri_and(t, match_globs(&r->cgroup, known(c->cgroup)));
	return t;
}

int uacpol_check_client_device(const struct uacpol *p, const struct uacpol_client *c,
			       const struct uacpol_device *dev, enum uacpol_action a,
			       struct uacpol_decision *out)
{
	char what[160], why[200];
	size_t i;
	int err;

	if (!p || !c || !dev || !out || (unsigned int)a >= UACPOL_N_ACTIONS)
		return -EINVAL;
	describe_device(dev, what, sizeof(what));
	if (c->pidfd >= 0) {
		err = uacpol_identity_recheck(c, why, sizeof(why));
		if (err < 0) {
			decide(out, false, UACPOL_IDENTITY_RULE);
			snprintf(out->reason, sizeof(out->reason), "%s", why);
			return 0;
		}
	}
	for (i = 0; i < p->n_client_rules; i++) {
		const struct uacpol_client_rule *r = &p->client_rules[i];
		enum tri t;

		if (!(r->actions & (1u << a)))
			continue;
		t = match_globs(&r->devices, dev->name);
		if (r->has_device_match)
			t = tri_and(t, match_device(&r->device_match, dev));
		t = tri_and(t, match_client(r, c));
		if (t == T_NO || (t == T_UNKNOWN && r->allow))
			continue;
		decide(out, r->allow, r->name);
		snprintf(out->reason, sizeof(out->reason),
			 "client rule \"%s\" (%s line %d) %s %s on %s for uid %u%s",
			 r->name, p->filename, r->line, r->allow ? "allows" : "denies",
			 uacpol_action_name(a), what, (unsigned int)c->uid,
			 t == T_UNKNOWN ? " (some attributes unknown: deny applied)" :
			 r->any_client ? " (allow-any-client)" : "");
		return 0;
	}
	decide(out, false, UACPOL_DEFAULT_DENY);
	snprintf(out->reason, sizeof(out->reason), "no client rule in %s allows %s on %s for uid %u%s",
		 p->filename, uacpol_action_name(a), what, (unsigned int)c->uid,
		 c->exe_unverified ? " (its executable is deleted or unverifiable)" : "");
	return 0;
}

int uacpol_check_client(const struct uacpol *p, const struct uacpol_client *c,
			const char *device_name, enum uacpol_action a,
			struct uacpol_decision *out)
{
	struct uacpol_device dev = {
		.name = device_name,
		.kind = NULL,
		.usb_class = -1,
		.usb_subclass = -1,
	};

	/* the built-in simulated device is always called "sim" */
	if (device_name && strcmp(device_name, "sim") == 0)
		dev.kind = "sim";
	return uacpol_check_client_device(p, c, &dev, a, out);
}
