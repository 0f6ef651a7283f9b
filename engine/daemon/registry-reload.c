/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reload as a transaction, and hooks loaded at run time.
 *
 * uacd_registry_reload_build() builds everything a reload would run, for
 * every device (dormant ones too, so that a device coming back runs what
 * is in force) and both directions: the DSP chains, compiled and sized for
 * the device, and, when the profile's hook lines changed, the new hook
 * sets with every hook opened.  Nothing running is touched; the first
 * failure frees what was built and says why (file:line:column for a
 * chain).  Commit then swaps it all in with operations that cannot fail:
 * each chain by RCU (uacdsp_chain_inherit() classifies the filters, so an
 * unchanged filter keeps its state and a changed one crossfades), each
 * hook set by RCU.  Hook lines that did not change are not reopened:
 * those hooks keep their state.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/uacd-device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/log.h"
#include "engine/daemon/registry-private.h"

struct uacd_reload {
	struct uacd_profile prof;
	bool hooks_changed;
	unsigned n;
	struct {
		struct reg_entry *e;
		bool has[2];			/* the device has this direction */
		struct uacd_dsp_build *dsp[2];
		struct uacd_hook_set *hooks;	/* NULL: unchanged */
	} dev[UACD_REGISTRY_MAX];
};

static bool same_hooks(const struct uacd_profile *a, const struct uacd_profile *b)
{
	int i;

	if (a->n_hooks != b->n_hooks)
		return false;
	for (i = 0; i < a->n_hooks; i++)
		if (strcmp(a->hooks[i], b->hooks[i]))
			return false;
	return true;
}

void uacd_registry_reload_abort(struct uacd_reload *t)
{
	unsigned k;

	if (!t)
		return;
	for (k = 0; k < t->n; k++) {
		uacd_dsp_build_free(t->dev[k].dsp[0]);
		uacd_dsp_build_free(t->dev[k].dsp[1]);
		reg_free_hooks(t->dev[k].hooks);
	}
	free(t);
}

int uacd_registry_reload_build(struct uacd_registry *r, const struct uacd_profile *p,
			       struct uacd_reload **out, char *err, size_t errlen)
{
	const char *lines[REG_MAX_HOOK_LINES];
	struct uacd_reload *t;
	unsigned k;
	int ret, dir;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->prof = *p;
	t->hooks_changed = !same_hooks(&r->prof, p);
	for (k = 0; k < r->n; k++) {
		struct reg_entry *e = r->e[k];

		t->dev[k].e = e;
		t->n = k + 1;
		t->dev[k].has[0] = uacd_dev_channels(e->d, UACD_DIR_PLAYBACK) != 0;
		t->dev[k].has[1] = uacd_dev_channels(e->d, UACD_DIR_CAPTURE) != 0;
		for (dir = 0; dir < 2; dir++) {
			if (!t->dev[k].has[dir])
				continue;
			ret = uacd_dsp_stage_build(e->dsp, dir, p->dsp[dir], &t->dev[k].dsp[dir],
						   err, errlen);
			if (ret)
				goto fail;
		}
		if (t->hooks_changed) {
			ret = reg_build_hooks(e, lines, reg_hook_lines(e, p, lines), &t->dev[k].hooks,
					      err, errlen);
			if (ret)
				goto fail;
		}
	}
	*out = t;
	return 0;

fail:
	uacd_registry_reload_abort(t);
	return ret;
}

void uacd_registry_reload_commit(struct uacd_registry *r, struct uacd_reload *t)
{
	unsigned k, chains = 0;
	int dir;

	for (k = 0; k < t->n; k++) {
		for (dir = 0; dir < 2; dir++)
			if (t->dev[k].has[dir]) {
				uacd_dsp_stage_commit(t->dev[k].e->dsp, dir, t->dev[k].dsp[dir]);
				chains++;
			}
		if (t->dev[k].hooks)
			reg_publish_hooks(t->dev[k].e, t->dev[k].hooks);
	}
	uacd_info("reload: %u chain(s) on %u device(s) swapped (unchanged filters keep their state), hooks %s",
		  chains, t->n, t->hooks_changed ? "reopened" : "unchanged");
	r->prof = t->prof;
	free(t);
}

/*
 * `uacctl hook load|unload` from a client the policy gave the "hook" right:
 * the new set is the running one plus (or minus) one hook, swapped in one
 * go, so the other hooks keep their state.
 */
int uacd_registry_hook(struct uacd_registry *reg, struct uacd_device *d, bool load, const char *path,
		       const char *args, char *msg, size_t len)
{
	struct reg_entry *e = reg_entry_of(reg, d);
	struct uacd_hook *set[UACD_MAX_HOOKS], *h = NULL, *dsp;
	const struct uacd_hook_set *cur = uacd_dev_hooks(d);	/* the control thread is its only writer */
	unsigned i, n = 0;
	int ret, r;

	if (!e) {
		snprintf(msg, len, "no device named '%s'", uacd_dev_name(d));
		return -ENODEV;
	}
	dsp = uacd_dsp_stage_hook(e->dsp);
	if (!load) {
		for (i = 0; i < cur->n; i++) {
			if (cur->h[i] != dsp && !strcmp(cur->h[i]->name, path))
				h = cur->h[i];
			else
				set[n++] = cur->h[i];
		}
		if (!h) {
			snprintf(msg, len, "%s has no hook named '%s'", uacd_dev_name(d), path);
			return -ENOENT;
		}
		ret = uacd_dev_hooks_set(d, set, n);	/* destroys h */
		if (ret) {
			snprintf(msg, len, "cannot unload: %s", strerror(-ret));
			return ret;
		}
		for (r = 0; r < e->n_rt_hooks; r++)
			if (!strcmp(e->rt_hooks[r].name, path)) {
				e->rt_hooks[r] = e->rt_hooks[--e->n_rt_hooks];
				break;
			}
		snprintf(msg, len, "hook %s unloaded from %s", path, uacd_dev_name(d));
		return 0;
	}
	/* The daemon is going to run this code: uacd_dev_hook_open() insists on a
	 * file and directories nobody else can change (engine/core/hook-file.c). */
	if (path[0] != '/') {
		snprintf(msg, len, "hook path must be absolute: %s", path);
		return -EINVAL;
	}
	if (cur->n >= UACD_MAX_HOOKS || e->n_rt_hooks >= UACD_CONFIG_MAX_HOOKS) {
		snprintf(msg, len, "%s has the most hooks it can take (%u)", uacd_dev_name(d), UACD_MAX_HOOKS);
		return -ENOSPC;
	}
	ret = uacd_dev_hook_open(d, path, args, &h, msg, len);
	if (ret)
		return ret;
	for (i = 0; i < cur->n; i++)
		set[n++] = cur->h[i];
	set[n++] = h;
	ret = uacd_dev_hooks_set(d, set, n);
	if (ret) {
		uacd_dev_hook_close(h);
		snprintf(msg, len, "cannot load: %s", strerror(-ret));
		return ret;
	}
	snprintf(e->rt_hooks[e->n_rt_hooks].line, sizeof(e->rt_hooks[0].line), "%s%s%s",
		 path, args[0] ? " " : "", args);
	snprintf(e->rt_hooks[e->n_rt_hooks].name, sizeof(e->rt_hooks[0].name), "%s", h->name);
	e->n_rt_hooks++;
	snprintf(msg, len, "hook %s (%s) loaded on %s", h->name, path, uacd_dev_name(d));
	return 0;
}

