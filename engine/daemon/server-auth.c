/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may do what: every request is checked against the entitlement
 * policy (uacd-policy.yml(5)) before it touches a device.
 *   play, record        STREAM_OPEN and DEVICE_INFO for that direction
 *   control             CONTROL set (get needs nothing beyond connecting)
 *   read                STATUS, LIST, STATS, HOOKS: any of play, record
 *                       or control on the device
 *   reload              RELOAD: on every device; admin when there is none
 *   hook                HOOK_LOAD, HOOK_UNLOAD
 * The policy is published with RCU: a reload swaps it, readers never wait.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <urcu-qsbr.h>

#include "engine/core/uacd-device.h"
#include "engine/core/log.h"
#include "engine/daemon/registry.h"
#include "engine/daemon/server-private.h"

static void policy_device(const struct uacd_device *d, struct uacpol_device *pd)
{
	struct uacd_dev_identity id;

	uacd_dev_identity(d, &id);
	pd->name = id.name;
	pd->kind = id.kind;
	pd->usb_class = id.usb_class;
	pd->usb_subclass = id.usb_subclass;
	pd->vid = id.vid;
	pd->pid = id.pid;
	pd->serial = id.serial;
	pd->bus_path = id.bus_path;
}

/*
 * May this connection do `a` on device d?  0, or -EACCES with a sentence
 * for the client in text.  Each denial is logged once per connection and
 * action, with who, what and which rule.
 */
/* The policy's answer for c doing a on d (NULL: the daemon itself, no device). */
static void decide(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
		   enum uacpol_action a, struct uacpol_decision *dec)
{
	struct uacpol_device pd;
	struct uacpol *pol;

	memset(dec, 0, sizeof(*dec));
	pol = rcu_dereference(srv->policy);
	if (!c->ident_ok) {
		snprintf(dec->rule, sizeof(dec->rule), "identity");
		snprintf(dec->reason, sizeof(dec->reason), "uacd could not identify the client");
	} else if (!pol) {
		snprintf(dec->rule, sizeof(dec->rule), "%s", UACPOL_DEFAULT_DENY);
		snprintf(dec->reason, sizeof(dec->reason), "no policy is loaded");
	} else if (!d) {
		uacpol_check_client(pol, &c->ident, "", a, dec);
	} else {
		policy_device(d, &pd);
		uacpol_check_client_device(pol, &c->ident, &pd, a, dec);
	}
}

/* A denial: the client's sentence in text, and one log line per connection and right. */
static int deny(struct uacd_server *srv, struct conn *c, struct uacd_device *d, const char *what,
		unsigned bit, const struct uacpol_decision *dec, char *text, size_t len)
{
	const char *on = d ? uacd_dev_name(d) : "the daemon (no device)";

	snprintf(text, len, "permission denied: %s on %.40s (policy rule '%.48s': %.120s)",
		 what, on, dec->rule, dec->reason);
	if (!(c->denied_logged & (1u << bit))) {
		char exe[sizeof(c->ident.exe)];

		c->denied_logged |= 1u << bit;
		/* Anyone can give a binary a path with a newline in it. */
		snprintf(exe, sizeof(exe), "%s", c->ident_ok && c->ident.exe[0] ? c->ident.exe : "?");
		srv_clean(exe);
		/* One line per uid per log_interval: 2,000 denials are not 2,000 lines. */
		srv_log_client(srv, c->uid, UACD_LOG_NOTICE,
			       "denied %s on %s to %s (pid %d, uid %d, exe %s): rule '%s': %s", what, on,
			       c->name, (int)c->pid, (int)c->uid, exe, dec->rule, dec->reason);
	}
	return -EACCES;
}

int srv_authorize(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
		     enum uacpol_action a, char *text, size_t len)
{
	struct uacpol_decision dec;

	decide(srv, c, d, a, &dec);
	if (dec.allow)
		return 0;
	return deny(srv, c, d, uacpol_action_name(a), (unsigned)a, &dec, text, len);
}

/*
 * The read right (STATUS, LIST, STATS, HOOKS): whoever may play, record
 * or change controls on d may see it, its streams and its numbers.  See
 * uacd-policy.yml(5).  quiet: no text, no log (LIST skips what it may not
 * show).
 */
#define READ_BIT 31u
int srv_authorize_read(struct uacd_server *srv, struct conn *c, struct uacd_device *d,
			  bool quiet, char *text, size_t len)
{
	static const enum uacpol_action rights[] = { UACPOL_PLAY, UACPOL_RECORD, UACPOL_CONTROL };
	struct uacpol_decision dec, first;
	size_t i;

	for (i = 0; i < sizeof(rights) / sizeof(rights[0]); i++) {
		decide(srv, c, d, rights[i], &dec);
		if (dec.allow)
			return 0;
		if (i == 0)
			first = dec;
	}
	if (quiet)
		return -EACCES;
	return deny(srv, c, d, "read (play, record or control)", READ_BIT, &first, text, len);
}

/* Reload touches every device: the reload right on each, or admin when there is none. */
int srv_authorize_reload(struct uacd_server *srv, struct conn *c, char *text, size_t len)
{
	struct uacd_device *devs[UACD_REGISTRY_MAX];
	unsigned n = uacd_registry_all(srv->reg, devs, UACD_REGISTRY_MAX), i;
	int ret;

	if (!n)
		return srv_authorize(srv, c, NULL, UACPOL_ADMIN, text, len);
	for (i = 0; i < n; i++) {
		ret = srv_authorize(srv, c, devs[i], UACPOL_RELOAD, text, len);
		if (ret)
			return ret;
	}
	return 0;
}

void uacd_server_set_policy(struct uacd_server *srv, struct uacpol *p)
{
	struct conn *c;

	struct uacpol *old;

	/* Readers (this thread) rcu_dereference() it: swap, wait, free. */
	old = rcu_xchg_pointer(&srv->policy, p);
	if (old) {
		synchronize_rcu();
		uacpol_free(old);
	}
	/* Streams whose client lost the right end now, with a clear error. */
	for (c = srv->conns; c; c = c->next) {
		unsigned i = 0;

		while (i < c->n_streams) {
			struct uacd_stream *st = c->streams[i];
			char why[UACD_ERRTEXT_MAX];

			if (!srv_authorize(srv, c, st->dev,
				       st->direction == UACD_DIR_CAPTURE ? UACPOL_RECORD : UACPOL_PLAY,
				       why, sizeof(why))) {
				i++;
				continue;
			}
			uacd_notice("%s: stream %u of %s (pid %d) ended: %s", uacd_dev_name(st->dev), st->id,
				    c->name, (int)c->pid, why);
			uacd_dev_stream_end(st, -EACCES);
			c->streams[i] = c->streams[--c->n_streams];
		}
	}
}

int uacd_server_check_device(struct uacd_server *srv, struct uacd_device *d, char *why, size_t len)
{
	struct uacpol_decision dec;
	struct uacpol_device pd;

	struct uacpol *pol = rcu_dereference(srv->policy);

	if (!pol) {
		snprintf(why, len, "no policy is loaded");
		return -EACCES;
	}
	policy_device(d, &pd);
	uacpol_check_device(pol, &pd, &dec);
	if (dec.allow)
		return 0;
	snprintf(why, len, "policy rule '%.48s': %.160s", dec.rule, dec.reason);
	return -EACCES;
}
