/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The device registry: the one owner of every device the daemon has, with
 * its transport, DSP stage, hooks, RT priority and state.  Startup devices,
 * `--wait-for-devices` and hotplug arrivals and removals all go through it;
 * the socket server asks it for devices and never keeps its own list.
 *
 * A device is
 *   prepared  added, with its DSP chains and hooks, not started;
 *   served    started and visible to clients;
 *   dormant   a USB device that left: stopped, closed, kept (name, spec,
 *             volume, chains, run-time hooks) so that the same device
 *             coming back is the same uacd device to clients.
 *
 * Reload is a transaction (uacd_registry_reload_*): everything is built
 * and checked first, then committed in one go, or nothing changes.
 * Control thread only.
 */
#ifndef UACD_REGISTRY_H
#define UACD_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/daemon/uacd-conf.h"

#define UACD_REGISTRY_MAX UACD_CONFIG_MAX_DEVICES
#define UACD_PROFILE_MAX_HOOKS (2 * UACD_CONFIG_MAX_HOOKS)

struct uacd_device;
struct uacd_registry;
struct uacd_server;

/* What every device gets: the settings in force, replaced by a reload. */
struct uacd_profile {
	int rt_priority;			/* for specs without priority= */
	char dsp[2][256];			/* playback, capture chain; "" = none */
	char hooks[UACD_PROFILE_MAX_HOOKS][512];	/* "PATH [ARGS]", command line then file */
	int n_hooks;
};

int uacd_registry_new(const struct uacd_profile *p, struct uacd_registry **out);
/* The server whose clients use the devices (streams end through it). */
void uacd_registry_set_server(struct uacd_registry *r, struct uacd_server *srv);
/*
 * Startup: create the device for `spec` (sim or usb), prepare it (DSP
 * chains, hooks, priority).  -ENODEV for an absent usb device; with
 * `wait` the spec is then remembered and the device served on arrival.
 */
int uacd_registry_create(struct uacd_registry *r, const char *spec, bool wait,
			 char *err, size_t errlen);
/* Startup: may every prepared device be claimed (policy)?  0 or -EACCES. */
int uacd_registry_check(struct uacd_registry *r, char *err, size_t errlen);
/* Start every prepared device and serve it; follow USB arrivals for `specs`. */
int uacd_registry_start(struct uacd_registry *r, const char (*specs)[512], int n_specs,
			char *err, size_t errlen);

/* Devices clients may use: served ones.  "" names the first. */
struct uacd_device *uacd_registry_find(struct uacd_registry *r, const char *name);
unsigned uacd_registry_served(struct uacd_registry *r, struct uacd_device **devs, unsigned max);
/* Every device, dormant ones too (reload authorizes against all of them); how many. */
unsigned uacd_registry_count(const struct uacd_registry *r);
unsigned uacd_registry_all(struct uacd_registry *r, struct uacd_device **devs, unsigned max);

/* `uacctl hook load|unload`: 0 or -errno with msg. */
int uacd_registry_hook(struct uacd_registry *r, struct uacd_device *d, bool load, const char *path,
		       const char *args, char *msg, size_t len);

/*
 * Reload: build (DSP chains of every device and direction, hook sets) for
 * profile p without touching anything running; then commit all, or abort.
 * A chain whose file is unchanged (same path, same bytes) is kept as it
 * runs, filter state and all.
 */
struct uacd_reload;
int uacd_registry_reload_build(struct uacd_registry *r, const struct uacd_profile *p,
			       struct uacd_reload **out, char *err, size_t errlen);
void uacd_registry_reload_commit(struct uacd_registry *r, struct uacd_reload *t);
void uacd_registry_reload_abort(struct uacd_reload *t);
const struct uacd_profile *uacd_registry_profile(const struct uacd_registry *r);

/*
 * Shutdown: stop following USB and every device's RT thread, and drain the
 * RT log while the devices' names live; streams may still be closed after
 * (uacd_server_free).  Then free frees everything (it stops first if
 * that was not done).
 */
void uacd_registry_stop(struct uacd_registry *r);
void uacd_registry_free(struct uacd_registry *r);

#endif /* UACD_REGISTRY_H */
