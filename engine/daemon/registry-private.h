/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The registry's insides, shared by registry.c and registry-reload.c only. */
#ifndef UACD_REGISTRY_PRIVATE_H
#define UACD_REGISTRY_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/core/uacd-device.h"
#include "engine/daemon/registry.h"
#include "engine/usb/transport-libusb.h"

#define REG_MAX_HOOK_LINES (UACD_PROFILE_MAX_HOOKS + UACD_CONFIG_MAX_HOOKS)

struct uacd_dsp_stage;
struct uacd_usb_monitor;

enum reg_state { REG_PREPARED, REG_SERVED, REG_DORMANT };

struct reg_entry {
	struct uacd_device *d;
	struct uacd_dsp_stage *dsp;
	char spec[512];
	enum reg_state state;
	bool usb;
	bool watching;			/* its "gone" pipe */
	/* hooks loaded at run time (uacctl hook load), kept across reloads */
	struct {
		char line[512];		/* "PATH ARGS" */
		char name[UACD_NAME_MAX];
	} rt_hooks[UACD_CONFIG_MAX_HOOKS];
	int n_rt_hooks;
	struct uacd_registry *r;
};

struct uacd_registry {
	struct uacd_profile prof;
	struct reg_entry *e[UACD_REGISTRY_MAX];
	unsigned n;
	struct uacd_server *srv;
	/* USB arrivals: the usb specs followed and the monitor */
	char specs[UACD_CONFIG_MAX_DEVICES][512];
	struct uacd_usb_spec parsed[UACD_CONFIG_MAX_DEVICES];
	int n_specs;
	int n_waiting;
	struct uacd_usb_monitor *mon;
	bool watching_mon;
};

int reg_hook_lines(const struct reg_entry *e, const struct uacd_profile *p, const char **lines);
int reg_build_hooks(struct reg_entry *e, const char **lines, int n, struct uacd_hook_set **out,
		    char *err, size_t errlen);
void reg_free_hooks(struct uacd_hook_set *set);
void reg_publish_hooks(struct reg_entry *e, struct uacd_hook_set *set);
struct reg_entry *reg_entry_of(struct uacd_registry *r, struct uacd_device *d);

#endif /* UACD_REGISTRY_PRIVATE_H */
