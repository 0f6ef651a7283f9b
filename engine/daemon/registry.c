/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device registry (registry.h): every device's life, from creation at
 * startup or on a USB arrival, through serving and going dormant on
 * unplug, to the end.  The reload transaction is in registry-reload.c.
 *
 * How a USB device arrives: the monitor (engine/usb/hotplug.c) reports
 * it; arrive() re-opens a dormant device whose spec matches, or creates a
 * device for a configured spec; prepare() gives a new one what startup
 * devices got (RT priority, the profile's DSP chains and hooks), then
 * serve() asks the policy, starts the RT thread and makes it visible.
 * How it leaves: its RT thread ends the streams with -ENODEV and writes to
 * its "gone" pipe (transport-libusb.c), or the monitor's rescan misses it;
 * either way retire() ends what clients still hold, stops the thread,
 * closes the USB side and keeps the device dormant.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <urcu-qsbr.h>

#include "engine/core/uacd-device.h"
#include "engine/core/dsp-stage.h"
#include "engine/core/log.h"
#include "engine/daemon/registry-private.h"
#include "engine/daemon/server.h"
#include "engine/sim/transport-sim.h"
#include "engine/usb/hotplug.h"
#include "engine/usb/transport-libusb.h"

/* Where a USB device sits ("1-2.3"), for logs; "" unknown. */
static const char *bus_path(const struct uacd_device *d)
{
	struct uacd_dev_identity id;

	uacd_dev_identity(d, &id);
	return id.bus_path ? id.bus_path : "";
}

static int create_device(const char *spec, struct uacd_device **out, char *err, size_t errlen)
{
	if (!strncmp(spec, "sim", 3) && (spec[3] == '\0' || spec[3] == ':'))
		return uacd_sim_create(spec, out, err, errlen);
	if (!strncmp(spec, "usb", 3) && (spec[3] == '\0' || spec[3] == ':' || spec[3] == ','))
		return uacd_usb_create(spec, out, err, errlen);
	snprintf(err, errlen, "device spec '%s': expected sim[:options] or usb[:VID:PID[:SERIAL]|:path=BUS-PORT][,options]", spec);
	return -EINVAL;
}

int uacd_registry_new(const struct uacd_profile *p, struct uacd_registry **out)
{
	struct uacd_registry *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->prof = *p;
	*out = r;
	return 0;
}

void uacd_registry_set_server(struct uacd_registry *r, struct uacd_server *srv)
{
	r->srv = srv;
}

const struct uacd_profile *uacd_registry_profile(const struct uacd_registry *r)
{
	return &r->prof;
}

/* The hook lines of entry e under profile p: the profile's, then its run-time ones. */
int reg_hook_lines(const struct reg_entry *e, const struct uacd_profile *p, const char **lines)
{
	int i, n = 0;

	for (i = 0; i < p->n_hooks; i++)
		lines[n++] = p->hooks[i];
	for (i = 0; i < e->n_rt_hooks; i++)
		lines[n++] = e->rt_hooks[i].line;
	return n;
}

/*
 * Open the hooks named by `lines` for e's device, behind its DSP stage, in
 * a set ready to publish (uacd_dev_hooks_publish).  On error nothing is
 * left open and err says why.
 */
int reg_build_hooks(struct reg_entry *e, const char **lines, int n, struct uacd_hook_set **out,
		    char *err, size_t errlen)
{
	struct uacd_device *d = e->d;
	struct uacd_hook_set *set;
	int i, ret;

	*out = NULL;
	if (n + 1 > (int)UACD_MAX_HOOKS) {
		snprintf(err, errlen, "%s: %d hooks: a device takes at most %u besides its DSP stage",
			 uacd_dev_name(d), n, UACD_MAX_HOOKS - 1);
		return -ENOSPC;
	}
	set = calloc(1, sizeof(*set));
	if (!set) {
		snprintf(err, errlen, "%s: out of memory", uacd_dev_name(d));
		return -ENOMEM;
	}
	set->h[set->n++] = uacd_dsp_stage_hook(e->dsp);
	for (i = 0; i < n; i++) {
		char path[512];
		const char *args = "";
		char *sp;

		snprintf(path, sizeof(path), "%s", lines[i]);
		sp = strchr(path, ' ');
		if (sp) {
			*sp = '\0';
			args = sp + 1;
			while (*args == ' ')
				args++;
		}
		ret = uacd_dev_hook_open(d, path, args, &set->h[set->n], err, errlen);
		if (ret) {
			reg_free_hooks(set);
			return ret;
		}
		set->n++;
	}
	*out = set;
	return 0;
}

/* A hook set built and not published: close what it opened (not the DSP stage). */
void reg_free_hooks(struct uacd_hook_set *set)
{
	if (!set)
		return;
	while (set->n > 1)
		uacd_dev_hook_close(set->h[--set->n]);
	free(set);
}

void reg_publish_hooks(struct reg_entry *e, struct uacd_hook_set *set)
{
	unsigned i;

	uacd_dev_hooks_publish(e->d, set);
	for (i = 1; i < set->n; i++)
		uacd_notice("%s: hook %s loaded", uacd_dev_name(e->d), set->h[i]->path);
}

/*
 * Forget entry e: free its DSP stage (and the device with its hooks when
 * free_dev).  Without free_dev the stage must not be published in the
 * device's hook set; its hook is then freed here.
 */
static void entry_free(struct reg_entry *e, bool free_dev)
{
	struct uacd_device *d = e->d;
	struct uacd_hook *h = e->dsp ? uacd_dsp_stage_hook(e->dsp) : NULL;
	bool published = false;
	unsigned i;

	for (i = 0; h && uacd_dev_hooks(d) && i < uacd_dev_hooks(d)->n; i++)
		published |= uacd_dev_hooks(d)->h[i] == h;
	if (free_dev)
		uacd_dev_free(d);
	else
		uacd_dev_set_dsp(d, NULL);
	if (h && !published)
		free(h);
	uacd_dsp_stage_free(e->dsp);
	free(e);
}

static void entry_remove(struct uacd_registry *r, struct reg_entry *e, bool free_dev)
{
	unsigned i;

	for (i = 0; i < r->n; i++)
		if (r->e[i] == e) {
			memmove(&r->e[i], &r->e[i + 1], sizeof(e) * (r->n - i - 1));
			r->n--;
			break;
		}
	entry_free(e, free_dev);
}

/*
 * Give device d what every device gets under the registry's profile: the
 * RT priority (unless its spec names one), the DSP chains and the hooks.
 * The entry is added, prepared and not started; on error nothing is added
 * (d is not freed) and err says why.
 */
static int prepare(struct uacd_registry *r, struct uacd_device *d, const char *spec,
		   struct reg_entry **out, char *err, size_t errlen)
{
	const char *lines[REG_MAX_HOOK_LINES];
	struct uacd_hook_set *set;
	struct reg_entry *e;
	int ret;

	if (r->n >= UACD_REGISTRY_MAX) {
		snprintf(err, errlen, "%s: uacd serves at most %u devices", uacd_dev_name(d), UACD_REGISTRY_MAX);
		return -ENOSPC;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		snprintf(err, errlen, "%s: out of memory", uacd_dev_name(d));
		return -ENOMEM;
	}
	e->d = d;
	e->r = r;
	e->usb = uacd_usb_is_usb(d);
	snprintf(e->spec, sizeof(e->spec), "%s", spec);
	if (!strstr(spec, "priority="))
		uacd_dev_set_rt_priority(d, r->prof.rt_priority);
	ret = uacd_dsp_stage_new(d, &e->dsp);
	if (ret) {
		snprintf(err, errlen, "%s: %s", uacd_dev_name(d), strerror(-ret));
		free(e);
		return ret;
	}
	ret = 0;
	if (uacd_dev_channels(d, UACD_DIR_PLAYBACK))
		ret = uacd_dsp_stage_load(e->dsp, 0, r->prof.dsp[0], err, errlen);
	if (!ret && uacd_dev_channels(d, UACD_DIR_CAPTURE))
		ret = uacd_dsp_stage_load(e->dsp, 1, r->prof.dsp[1], err, errlen);
	if (!ret)
		ret = reg_build_hooks(e, lines, reg_hook_lines(e, &r->prof, lines), &set, err, errlen);
	if (ret) {
		entry_free(e, false);
		return ret;
	}
	reg_publish_hooks(e, set);
	r->e[r->n++] = e;
	*out = e;
	return 0;
}

int uacd_registry_create(struct uacd_registry *r, const char *spec, bool wait,
			 char *err, size_t errlen)
{
	struct uacd_device *d = NULL;
	struct reg_entry *e;
	unsigned k;
	int ret;

	ret = create_device(spec, &d, err, errlen);
	if (ret == -ENODEV && wait && !strncmp(spec, "usb", 3)) {
		/* served when it arrives, like a further match of its spec */
		uacd_notice("%s; waiting for it to be plugged in", err);
		r->n_waiting++;
		return 0;
	}
	if (ret)
		return ret;
	for (k = 0; k < r->n; k++)
		if (!strcmp(uacd_dev_name(r->e[k]->d), uacd_dev_name(d))) {
			snprintf(err, errlen, "two devices named '%s' (use name=)", uacd_dev_name(d));
			uacd_dev_free(d);
			return -EEXIST;
		}
	ret = prepare(r, d, spec, &e, err, errlen);
	if (ret)
		uacd_dev_free(d);
	return ret;
}

int uacd_registry_check(struct uacd_registry *r, char *err, size_t errlen)
{
	char why[256];
	unsigned k;

	for (k = 0; k < r->n; k++)
		if (uacd_server_check_device(r->srv, r->e[k]->d, why, sizeof(why))) {
			snprintf(err, errlen, "device %s may not be claimed: %s", uacd_dev_name(r->e[k]->d), why);
			return -EACCES;
		}
	return 0;
}

/* ---- serving, unplug, arrival ---------------------------------------------- */

static void on_gone(void *data);

static void watch_gone(struct reg_entry *e)
{
	int ret;

	if (!e->usb || e->watching)
		return;
	ret = uacd_server_watch(e->r->srv, uacd_usb_gone_fd(e->d), on_gone, e);
	if (ret)
		uacd_warn("%s: cannot watch for unplug: %s", uacd_dev_name(e->d), strerror(-ret));
	else
		e->watching = true;
}

static void unwatch_gone(struct reg_entry *e)
{
	if (!e->watching)
		return;
	uacd_server_unwatch(e->r->srv, uacd_usb_gone_fd(e->d));
	e->watching = false;
}

/* The monitor holds a served USB device's location (a no-op before it runs). */
static void hold(struct reg_entry *e)
{
	uint8_t b, a;

	if (!e->usb)
		return;
	uacd_usb_location(e->d, &b, &a);
	uacd_usb_monitor_hold(e->r->mon, b, a);
}

/* Start e's RT thread and serve it.  0 or -errno. */
static int go_live(struct reg_entry *e)
{
	int ret = uacd_dev_start(e->d);

	if (ret)
		return ret;
	e->state = REG_SERVED;
	watch_gone(e);
	hold(e);
	return 0;
}

/* Bring a prepared or re-opened device into service.  0 or -errno (logged). */
static int serve(struct reg_entry *e)
{
	struct uacd_device *d = e->d;
	char why[256];
	int ret;

	ret = uacd_server_check_device(e->r->srv, d, why, sizeof(why));
	if (ret) {
		uacd_notice("%s: the policy does not allow claiming it: %s", uacd_dev_name(d), why);
		return ret;
	}
	ret = go_live(e);
	if (ret)
		uacd_err("%s: cannot start: %s", uacd_dev_name(d), strerror(-ret));
	return ret;
}

/* The device left: end its streams, stop it, close its USB side, keep it dormant. */
static void retire(struct reg_entry *e)
{
	struct uacd_device *d = e->d;
	uint8_t b, a;

	if (e->state != REG_SERVED)
		return;
	uacd_usb_gone_ack(d);
	unwatch_gone(e);
	uacd_usb_location(d, &b, &a);
	uacd_usb_monitor_forget(e->r->mon, b, a);
	e->state = REG_DORMANT;
	uacd_server_end_streams(e->r->srv, d, -ENODEV);
	uacd_dev_stop(d);
	uacd_usb_close(d, true);
	uacd_notice("%s: device disconnected; streams ended, waiting for it to come back", uacd_dev_name(d));
}

static void on_gone(void *data)
{
	retire(data);
}

static void on_leave(void *data, uint8_t bus, uint8_t addr)
{
	struct uacd_registry *r = data;
	unsigned k;

	for (k = 0; k < r->n; k++) {
		struct reg_entry *e = r->e[k];
		uint8_t b, a;

		if (!e->usb || e->state != REG_SERVED)
			continue;
		uacd_usb_location(e->d, &b, &a);
		if (b == bus && a == addr) {
			retire(e);
			return;
		}
	}
}

/* A dormant device that this arrival is again?  true when it is served again. */
static bool come_back(struct uacd_registry *r, const struct uacd_usb_probe *p, bool *matched)
{
	char err[512];
	unsigned k;

	*matched = false;
	for (k = 0; k < r->n; k++) {
		struct reg_entry *e = r->e[k];
		struct uacd_usb_spec s;
		int ret;

		if (e->state != REG_DORMANT ||
		    uacd_usb_spec_parse(uacd_usb_spec_string(e->d), &s, err, sizeof(err)) ||
		    !uacd_usb_spec_match(&s, p))
			continue;
		ret = uacd_usb_reopen(e->d, p->bus, p->address, err, sizeof(err));
		if (ret) {
			uacd_notice("%s: cannot take the re-plugged device: %s", uacd_dev_name(e->d), err);
			continue;
		}
		*matched = true;
		if (serve(e) == 0) {
			uacd_notice("%s: device back at %s", uacd_dev_name(e->d), bus_path(e->d));
			return true;
		}
		uacd_usb_close(e->d, false);
		return false;
	}
	return false;
}

static bool name_taken(struct uacd_registry *r, const char *name, struct uacd_device *self)
{
	unsigned k;

	for (k = 0; k < r->n; k++)
		if (r->e[k]->d != self && !strcmp(uacd_dev_name(r->e[k]->d), name))
			return true;
	return false;
}

/* A configured spec that wants this arrival: a new device.  true when served. */
static bool adopt(struct uacd_registry *r, const struct uacd_usb_probe *p)
{
	char err[512];
	int k, ret;
	unsigned i;

	for (k = 0; k < r->n_specs; k++) {
		struct uacd_device *d = NULL;
		struct reg_entry *e;

		if (!uacd_usb_spec_match(&r->parsed[k], p))
			continue;
		ret = uacd_usb_create_at(r->specs[k], p->bus, p->address, &d, err, sizeof(err));
		if (ret) {
			uacd_notice("usb %04x:%04x at %s: %s", p->dev.vendor_id, p->dev.product_id,
				    p->bus_path, err);
			continue;
		}
		for (i = 2; name_taken(r, uacd_dev_name(d), d) && i < 100; i++) {
			char base[UACD_NAME_MAX - 4], name[UACD_NAME_MAX];

			memcpy(base, uacd_dev_name(d), sizeof(base) - 1);
			base[sizeof(base) - 1] = '\0';
			snprintf(name, sizeof(name), "%s-%u", base, i % 100);
			uacd_dev_set_name(d, name);
		}
		uacd_dev_set_rt_priority(d, r->parsed[k].priority >= 0 ? r->parsed[k].priority : 0);
		/*
		 * If the chains or hooks do not load it is not served: a device
		 * that silently skipped the user's room correction would be worse.
		 */
		ret = prepare(r, d, r->specs[k], &e, err, sizeof(err));
		if (ret) {
			uacd_err("%s: not served: %s", uacd_dev_name(d), err);
			uacd_dev_free(d);
			return false;
		}
		if (serve(e)) {
			entry_remove(r, e, true);
			return false;
		}
		uacd_notice("%s: new device at %s", uacd_dev_name(d), bus_path(d));
		return true;
	}
	return false;
}

static bool on_arrive(void *data, const struct uacd_usb_probe *p)
{
	struct uacd_registry *r = data;
	bool matched;

	if (come_back(r, p, &matched))
		return true;
	if (matched)
		return false;	/* it is ours, and could not be served now */
	return adopt(r, p);
}

static void on_monitor(void *data)
{
	uacd_usb_monitor_dispatch(data);
}

/* Follow USB arrivals for the usb specs among `specs` (nothing for sim). */
static void follow(struct uacd_registry *r, const char (*specs)[512], int n)
{
	const struct uacd_usb_monitor_ops ops = { .arrive = on_arrive, .leave = on_leave, .data = r };
	char err[256];
	unsigned k;
	int i, ret;

	for (i = 0; i < n && r->n_specs < UACD_CONFIG_MAX_DEVICES; i++) {
		if (strncmp(specs[i], "usb", 3))
			continue;
		if (uacd_usb_spec_parse(specs[i], &r->parsed[r->n_specs], err, sizeof(err)))
			continue;	/* refused at create already */
		snprintf(r->specs[r->n_specs], sizeof(r->specs[0]), "%s", specs[i]);
		r->n_specs++;
	}
	if (!r->n_specs)
		return;
	ret = uacd_usb_monitor_start(&ops, &r->mon);
	if (ret) {
		uacd_warn("hotplug: %s; devices will not come back after an unplug", strerror(-ret));
		return;
	}
	for (k = 0; k < r->n; k++)
		if (r->e[k]->state == REG_SERVED)
			hold(r->e[k]);	/* started before the monitor existed */
	ret = uacd_server_watch(r->srv, uacd_usb_monitor_fd(r->mon), on_monitor, r->mon);
	if (ret)
		uacd_warn("hotplug: cannot watch: %s", strerror(-ret));
	else
		r->watching_mon = true;
	if (uacd_usb_monitor_following(r->mon))
		uacd_info("hotplug: following USB arrivals for %d spec(s)", r->n_specs);
}

int uacd_registry_start(struct uacd_registry *r, const char (*specs)[512], int n_specs,
			char *err, size_t errlen)
{
	unsigned k;
	int ret;

	for (k = 0; k < r->n; k++) {
		struct reg_entry *e = r->e[k];
		char desc[512];

		if (e->state != REG_PREPARED)
			continue;
		ret = go_live(e);
		if (ret) {
			snprintf(err, errlen, "%s: cannot start: %s", uacd_dev_name(e->d), strerror(-ret));
			return ret;
		}
		uacd_dev_describe(e->d, desc, sizeof(desc));
		desc[strcspn(desc, "\n")] = '\0';
		uacd_notice("device %s", desc);
	}
	follow(r, specs, n_specs);
	if (r->n_waiting && !uacd_usb_monitor_following(r->mon))
		uacd_warn("%d absent device(s) will not be noticed when plugged in: no source of USB events",
			  r->n_waiting);
	else if (r->n_waiting)
		uacd_usb_monitor_rescan(r->mon);
	return 0;
}

/* ---- lookups ----------------------------------------------------------------- */

struct uacd_device *uacd_registry_find(struct uacd_registry *r, const char *name)
{
	unsigned k;

	for (k = 0; k < r->n; k++)
		if (r->e[k]->state == REG_SERVED && (!name[0] || !strcmp(uacd_dev_name(r->e[k]->d), name)))
			return r->e[k]->d;
	return NULL;
}

unsigned uacd_registry_served(struct uacd_registry *r, struct uacd_device **devs, unsigned max)
{
	unsigned k, n = 0;

	for (k = 0; k < r->n && n < max; k++)
		if (r->e[k]->state == REG_SERVED)
			devs[n++] = r->e[k]->d;
	return n;
}

unsigned uacd_registry_count(const struct uacd_registry *r)
{
	return r->n;
}

unsigned uacd_registry_all(struct uacd_registry *r, struct uacd_device **devs, unsigned max)
{
	unsigned k;

	for (k = 0; k < r->n && k < max; k++)
		devs[k] = r->e[k]->d;
	return k;
}

struct reg_entry *reg_entry_of(struct uacd_registry *r, struct uacd_device *d)
{
	unsigned k;

	for (k = 0; k < r->n; k++)
		if (r->e[k]->d == d)
			return r->e[k];
	return NULL;
}

/* ---- the end ------------------------------------------------------------------ */

void uacd_registry_stop(struct uacd_registry *r)
{
	unsigned k;

	if (!r)
		return;
	if (r->watching_mon)
		uacd_server_unwatch(r->srv, uacd_usb_monitor_fd(r->mon));
	r->watching_mon = false;
	uacd_usb_monitor_stop(r->mon);
	r->mon = NULL;
	for (k = 0; k < r->n; k++) {
		unwatch_gone(r->e[k]);
		uacd_dev_stop(r->e[k]->d);
	}
	/* RT log records name their device: print them while the names live. */
	uacd_log_drain();
}

void uacd_registry_free(struct uacd_registry *r)
{
	if (!r)
		return;
	uacd_registry_stop(r);
	while (r->n)
		entry_remove(r, r->e[r->n - 1], true);
	free(r);
}
