/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-private.h - the in-memory form of a loaded policy, shared by the
 * loader (policy-load.c) and the matcher (policy-match.c).  Never installed.
 *
 * Everything hangs off one arena owned by struct uacpol, so a half-built
 * policy is freed by freeing the arena.  After load nothing is written.
 */
#ifndef UACD_POLICY_PRIVATE_H
#define UACD_POLICY_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "entitlement-policy/uacpol.h"

#define UACPOL_MAX_RULE_NAME 127	/* fits struct uacpol_decision.rule */

/* Each matcher field is "any of these"; n == 0 means the field is absent. */
struct uacpol_strlist {
	const char **v;
	size_t n;
};

struct uacpol_intlist {
	int *v;
	size_t n;
};

struct uacpol_vidpid {
	uint16_t vid;
	uint16_t pid;
	bool any_pid;		/* "0d8c:*" */
};

/* Device attributes a rule may test; every present field must match. */
struct uacpol_dev_match {
	struct uacpol_strlist kind;	/* "usb" / "sim" */
	struct uacpol_strlist name;	/* fnmatch() globs */
	struct uacpol_intlist usb_class;
	struct uacpol_intlist usb_subclass;
	struct uacpol_vidpid *vidpid;
	size_t n_vidpid;
	struct uacpol_strlist serial;	/* globs */
	struct uacpol_strlist bus_path;	/* globs */
};

struct uacpol_dev_rule {
	const char *name;
	int line;
	bool allow;
	struct uacpol_dev_match match;
};

struct uacpol_client_rule {
	const char *name;
	int line;
	bool allow;
	bool any_client;		/* allow-any-client: true */
	unsigned int actions;		/* 1u << enum uacpol_action */
	/* device selection: devices (name globs) and/or device-match */
	struct uacpol_strlist devices;
	bool has_device_match;
	struct uacpol_dev_match device_match;
	/* client selection; uid also holds resolved `user`, gid `group` */
	uid_t *uid;
	size_t n_uid;
	gid_t *gid;
	size_t n_gid;
	struct uacpol_strlist exe;	/* globs on the resolved path */
	struct uacpol_strlist unit;	/* globs */
	struct uacpol_strlist cgroup;	/* globs */
};

struct uacpol_arena;

struct uacpol {
	struct uacpol_arena *arena;
	const char *filename;
	struct uacpol_dev_rule *dev_rules;
	size_t n_dev_rules;
	struct uacpol_client_rule *client_rules;
	size_t n_client_rules;
};

#endif /* UACD_POLICY_PRIVATE_H */
