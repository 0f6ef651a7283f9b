/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test-policy.c - decisions and loader errors of libuacpolicy.
 *
 * One policy (POLICY below) and two tables: device claims and client
 * requests, each row with the expected answer and the name of the rule that
 * must have made it.  Then loader errors, each with its exact
 * "file:line:column: message".  Clients here are synthetic (pidfd -1);
 * identities taken from real processes are in test-identity.c.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entitlement-policy/uacpol.h"

static const char POLICY[] =
	"version: 1\n"
	"devices:\n"
	"  - name: deny-bad-dac\n"
	"    effect: deny\n"
	"    match: {vendor-product: \"0d8c:0014\", serial: \"BAD*\"}\n"
	"  - name: dac-by-id\n"
	"    effect: allow\n"
	"    match: {vendor-product: \"0d8c:0014\"}\n"
	"  - name: any-from-vendor\n"
	"    effect: allow\n"
	"    match: {vendor-product: \"1234:*\", bus-path: \"1-2*\"}\n"
	"  - name: deny-hub-port\n"
	"    effect: deny\n"
	"    match: {bus-path: \"3-1\"}\n"
	"  - name: audio-class\n"
	"    effect: allow\n"
	"    match: {kind: usb, class: 1, subclass: [1, 2]}\n"
	"  - name: the-sim\n"
	"    effect: allow\n"
	"    match: {kind: sim}\n"
	"clients:\n"
	"  - name: no-hooks-for-anyone\n"
	"    description: first match wins, so not even root gets here\n"
	"    effect: deny\n"
	"    actions: hook\n"
	"  - name: root-all\n"
	"    effect: allow\n"
	"    actions: all\n"
	"    match: {user: root}\n"
	"  - name: recorder-app\n"
	"    effect: allow\n"
	"    actions: [record]\n"
	"    devices: [sim, \"usb-*\"]\n"
	"    match: {uid: 1000, exe: /usr/bin/obs}\n"
	"  - name: kids-no-record\n"
	"    effect: deny\n"
	"    actions: record\n"
	"    match: {uid: 1001}\n"
	"  - name: audio-members\n"
	"    effect: allow\n"
	"    actions: [play, control]\n"
	"    devices: [sim, \"usb-*\"]\n"
	"    match: {group: audio}\n"
	"  - name: mpv-unit\n"
	"    effect: allow\n"
	"    actions: play\n"
	"    match: {unit: \"mpv-*.service\"}\n"
	"  - name: recorder-service\n"
	"    effect: allow\n"
	"    actions: record\n"
	"    match: {cgroup: \"/system.slice/recorder.service*\"}\n"
	"  - name: open-sim\n"
	"    allow-any-client: true\n"
	"    actions: play\n"
	"    devices: sim-open\n"
	"  - name: dac-players\n"
	"    effect: allow\n"
	"    actions: play\n"
	"    device-match: {vendor-product: \"0d8c:0014\"}\n"
	"    match: {uid: 2000, gid: [5000, 5001]}\n";

static struct uacpol *pol;

static void load_policy(void)
{
	char err[512] = "";
	int ret = uacpol_parse(POLICY, strlen(POLICY), "test.yml", &pol, err, sizeof(err));

	ck_assert_msg(ret == 0, "policy did not load: %s", err);
}

static void free_policy(void)
{
	uacpol_free(pol);
	pol = NULL;
}

/* ---- device claims ---- */

struct dev_case {
	const char *what;
	const char *name, *kind;
	int cls, sub;
	uint16_t vid, pid;
	const char *serial, *path;
	bool allow;
	const char *rule;
};

static const struct dev_case dev_cases[] = {
	{ "vid:pid with a denied serial", "usb-dac", "usb", 1, 2, 0x0d8c, 0x0014, "BAD01", "1-1", false, "deny-bad-dac" },
	{ "vid:pid with a good serial", "usb-dac", "usb", 1, 2, 0x0d8c, 0x0014, "GOOD", "1-1", true, "dac-by-id" },
	{ "unknown serial: the deny rule applies (fail closed)", "usb-dac", "usb", 1, 2, 0x0d8c, 0x0014, NULL, "1-1", false, "deny-bad-dac" },
	{ "vid:* and a bus path glob", NULL, "usb", 0xff, 0, 0x1234, 0xabcd, NULL, "1-2.3", true, "any-from-vendor" },
	{ "vid:* but another bus path falls to class", NULL, "usb", 1, 2, 0x1234, 0xabcd, NULL, "4-1", true, "audio-class" },
	{ "denied bus path beats the class rule below it", NULL, "usb", 1, 2, 0x1111, 0x2222, NULL, "3-1", false, "deny-hub-port" },
	{ "audio class, subclass 1", NULL, "usb", 1, 1, 0x1111, 0x2222, NULL, "4-2", true, "audio-class" },
	{ "audio class, subclass 3 (MIDI) is not listed", NULL, "usb", 1, 3, 0x1111, 0x2222, NULL, "4-2", false, UACPOL_DEFAULT_DENY },
	{ "class 2 is not audio", NULL, "usb", 2, 0, 0x1111, 0x2222, NULL, "4-2", false, UACPOL_DEFAULT_DENY },
	{ "unknown class never matches an allow rule", NULL, "usb", -1, -1, 0x1111, 0x2222, NULL, "4-2", false, UACPOL_DEFAULT_DENY },
	{ "unknown bus path hits the bus-path deny rule", NULL, "usb", 1, 1, 0x1111, 0x2222, NULL, NULL, false, "deny-hub-port" },
	{ "the simulated device (USB-only deny rules skip it)", "sim", "sim", -1, -1, 0, 0, NULL, NULL, true, "the-sim" },
	{ "no serial number at all is not an unknown serial", "usb-dac", "usb", 1, 2, 0x0d8c, 0x0014, "", "1-1", true, "dac-by-id" },
};

START_TEST(test_device_table)
{
	const struct dev_case *t = &dev_cases[_i];
	struct uacpol_device d = {
		.name = t->name, .kind = t->kind, .usb_class = t->cls, .usb_subclass = t->sub,
		.vid = t->vid, .pid = t->pid, .serial = t->serial, .bus_path = t->path,
	};
	struct uacpol_decision dec;

	ck_assert_int_eq(uacpol_check_device(pol, &d, &dec), 0);
	ck_assert_msg(dec.allow == t->allow, "%s: expected %s, got %s (%s)", t->what,
		      t->allow ? "allow" : "deny", dec.allow ? "allow" : "deny", dec.reason);
	ck_assert_msg(strcmp(dec.rule, t->rule) == 0, "%s: expected rule %s, got %s", t->what, t->rule, dec.rule);
}
END_TEST

START_TEST(test_device_reason)
{
	struct uacpol_device d = { .name = NULL, .kind = "usb", .usb_class = 1, .usb_subclass = 2,
				   .vid = 0x0d8c, .pid = 0x0014, .serial = "GOOD", .bus_path = "1-1" };
	struct uacpol_decision dec;

	ck_assert_int_eq(uacpol_check_device(pol, &d, &dec), 0);
	ck_assert_str_eq(dec.reason, "device rule \"dac-by-id\" (test.yml line 6) allows claiming usb 0d8c:0014 at 1-1");
	d.vid = 0x0bad;
	d.usb_class = 3;
	ck_assert_int_eq(uacpol_check_device(pol, &d, &dec), 0);
	ck_assert_str_eq(dec.rule, "default-deny");
	ck_assert_str_eq(dec.reason, "no device rule in test.yml allows claiming usb 0bad:0014 at 1-1");
	ck_assert_int_eq(uacpol_check_device(NULL, &d, &dec), -EINVAL);
}
END_TEST

/* ---- client requests ---- */

struct client_case {
	const char *what;
	uid_t uid;
	gid_t gid;
	gid_t groups[4];
	int n_groups;
	const char *exe;
	bool exe_unverified;
	const char *unit, *cgroup;
	const char *device;
	enum uacpol_action action;
	bool allow;
	const char *rule;
};

static const struct client_case client_cases[] = {
	{ "first match: the hook deny above root-all", 0, 0, {0}, 0, "/usr/bin/x", false, "", "", "sim", UACPOL_HOOK, false, "no-hooks-for-anyone" },
	{ "root may administer", 0, 0, {0}, 0, "", false, "", "", "sim", UACPOL_ADMIN, true, "root-all" },
	{ "uid and exe both match", 1000, 1000, {0}, 0, "/usr/bin/obs", false, "", "", "sim", UACPOL_RECORD, true, "recorder-app" },
	{ "uid matches but the exe is another", 1000, 1000, {0}, 0, "/usr/bin/arecord", false, "", "", "sim", UACPOL_RECORD, false, UACPOL_DEFAULT_DENY },
	{ "exe matches but the uid is another (and denied)", 1001, 1001, {0}, 0, "/usr/bin/obs", false, "", "", "sim", UACPOL_RECORD, false, "kids-no-record" },
	{ "deleted exe never matches an exe rule", 1000, 1000, {0}, 0, "/usr/bin/obs", true, "", "", "sim", UACPOL_RECORD, false, UACPOL_DEFAULT_DENY },
	{ "unknown exe never matches an exe rule", 1000, 1000, {0}, 0, "", false, "", "", "sim", UACPOL_RECORD, false, UACPOL_DEFAULT_DENY },
	{ "device glob usb-*", 1000, 1000, {0}, 0, "/usr/bin/obs", false, "", "", "usb-dac", UACPOL_RECORD, true, "recorder-app" },
	{ "device not in the rule's list", 1000, 1000, {0}, 0, "/usr/bin/obs", false, "", "", "hdmi", UACPOL_RECORD, false, UACPOL_DEFAULT_DENY },
	{ "audio only as a supplementary group", 1000, 1000, {100, 29}, 2, "", false, "", "", "sim", UACPOL_PLAY, true, "audio-members" },
	{ "audio as the primary group", 1000, 29, {0}, 0, "", false, "", "", "sim", UACPOL_CONTROL, true, "audio-members" },
	{ "groups without audio", 1000, 1000, {44, 100}, 2, "", false, "", "", "sim", UACPOL_PLAY, false, UACPOL_DEFAULT_DENY },
	{ "audio members may not reload", 1000, 29, {0}, 0, "", false, "", "", "sim", UACPOL_RELOAD, false, UACPOL_DEFAULT_DENY },
	{ "systemd unit glob", 1002, 1002, {0}, 0, "", false, "mpv-3.service", "", "sim", UACPOL_PLAY, true, "mpv-unit" },
	{ "another unit", 1002, 1002, {0}, 0, "", false, "vlc.service", "", "sim", UACPOL_PLAY, false, UACPOL_DEFAULT_DENY },
	{ "cgroup path glob", 998, 998, {0}, 0, "", false, "recorder.service", "/system.slice/recorder.service", "sim", UACPOL_RECORD, true, "recorder-service" },
	{ "another cgroup", 998, 998, {0}, 0, "", false, "", "/user.slice/user-998.slice", "sim", UACPOL_RECORD, false, UACPOL_DEFAULT_DENY },
	{ "allow-any-client on its device", 4242, 4242, {0}, 0, "", false, "", "", "sim-open", UACPOL_PLAY, true, "open-sim" },
	{ "allow-any-client only for its actions", 4242, 4242, {0}, 0, "", false, "", "", "sim-open", UACPOL_RECORD, false, UACPOL_DEFAULT_DENY },
	{ "allow-any-client only on its device", 4242, 4242, {0}, 0, "", false, "", "", "sim", UACPOL_PLAY, false, UACPOL_DEFAULT_DENY },
	{ "device-match needs the device's ids (by name only: unknown)", 2000, 5000, {0}, 0, "", false, "", "", "usb-dac", UACPOL_PLAY, false, UACPOL_DEFAULT_DENY },
	{ "nobody special: default deny", 4243, 4243, {0}, 0, "/usr/bin/aplay", false, "", "", "sim", UACPOL_PLAY, false, UACPOL_DEFAULT_DENY },
};

static void fill_client(struct uacpol_client *c, const struct client_case *t)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->pidfd = -1;
	c->pid = 1;
	c->uid = t->uid;
	c->gid = t->gid;
	for (i = 0; i < t->n_groups; i++)
		c->groups[i] = t->groups[i];
	c->n_groups = t->n_groups;
	snprintf(c->exe, sizeof(c->exe), "%s", t->exe);
	c->exe_unverified = t->exe_unverified;
	snprintf(c->unit, sizeof(c->unit), "%s", t->unit);
	snprintf(c->cgroup, sizeof(c->cgroup), "%s", t->cgroup);
}

START_TEST(test_client_table)
{
	const struct client_case *t = &client_cases[_i];
	struct uacpol_decision dec;
	struct uacpol_client c;

	fill_client(&c, t);
	ck_assert_int_eq(uacpol_check_client(pol, &c, t->device, t->action, &dec), 0);
	ck_assert_msg(dec.allow == t->allow, "%s: expected %s, got %s (%s)", t->what,
		      t->allow ? "allow" : "deny", dec.allow ? "allow" : "deny", dec.reason);
	ck_assert_msg(strcmp(dec.rule, t->rule) == 0, "%s: expected rule %s, got %s", t->what, t->rule, dec.rule);
}
END_TEST

START_TEST(test_client_device_match)
{
	struct uacpol_device d = { .name = "usb-dac", .kind = "usb", .usb_class = 1, .usb_subclass = 2,
				   .vid = 0x0d8c, .pid = 0x0014, .serial = "X", .bus_path = "1-1" };
	struct uacpol_client c = { .pid = 1, .uid = 2000, .gid = 100, .n_groups = 1, .groups = { 5001 }, .pidfd = -1 };
	struct uacpol_decision dec;

	ck_assert_int_eq(uacpol_check_client_device(pol, &c, &d, UACPOL_PLAY, &dec), 0);
	ck_assert(dec.allow);
	ck_assert_str_eq(dec.rule, "dac-players");
	ck_assert_str_eq(dec.reason, "client rule \"dac-players\" (test.yml line 56) allows play on \"usb-dac\" for uid 2000");
	d.pid = 0x0015;
	ck_assert_int_eq(uacpol_check_client_device(pol, &c, &d, UACPOL_PLAY, &dec), 0);
	ck_assert(!dec.allow);
	ck_assert_str_eq(dec.rule, "default-deny");
	ck_assert_str_eq(dec.reason, "no client rule in test.yml allows play on \"usb-dac\" for uid 2000");
	ck_assert_int_eq(uacpol_check_client_device(pol, &c, &d, (enum uacpol_action)6, &dec), -EINVAL);
}
END_TEST

START_TEST(test_actions)
{
	static const char *const names[] = { "play", "record", "control", "reload", "hook", "admin" };
	enum uacpol_action a;
	int i;

	for (i = 0; i < 6; i++) {
		ck_assert_str_eq(uacpol_action_name((enum uacpol_action)i), names[i]);
		ck_assert_int_eq(uacpol_action_parse(names[i], &a), 0);
		ck_assert_int_eq(a, i);
	}
	ck_assert_str_eq(uacpol_action_name((enum uacpol_action)6), "?");
	ck_assert_int_eq(uacpol_action_parse("Play", &a), -EINVAL);
	ck_assert_int_eq(uacpol_action_parse("all", &a), -EINVAL);
	ck_assert_uint_eq(uacpol_n_device_rules(pol), 6);
	ck_assert_uint_eq(uacpol_n_client_rules(pol), 9);
}
END_TEST

/* ---- loader errors ---- */

struct lint_case {
	const char *what;
	const char *text;
	const char *error;
};

static const struct lint_case lint_cases[] = {
	{ "unknown key",
	  "clients:\n  - name: a\n    effect: allow\n    actoins: [play]\n",
	  "bad.yml:4:5: unknown key 'actoins' in client rule" },
	{ "unknown top-level key",
	  "version: 1\ndevice:\n  - name: a\n",
	  "bad.yml:2:1: unknown key 'device' in the policy" },
	{ "unknown key in a match",
	  "devices:\n  - name: a\n    effect: allow\n    match: {vendor: \"0d8c\"}\n",
	  "bad.yml:4:13: unknown key 'vendor' in match" },
	{ "wrong type: name for uid",
	  "clients:\n  - name: a\n    effect: allow\n    actions: play\n    match: {uid: root}\n",
	  "bad.yml:5:18: 'uid' must be an integer, not \"root\"" },
	{ "wrong type: quoted integer",
	  "devices:\n  - name: a\n    effect: allow\n    match: {class: \"1\"}\n",
	  "bad.yml:4:20: 'class' must be an integer, not a quoted string" },
	{ "wrong type: mapping for a list of rules",
	  "devices: {a: 1}\n",
	  "bad.yml:1:10: 'devices' must be a list of rules, not a mapping" },
	{ "wrong type: list of lists",
	  "clients:\n  - name: a\n    effect: deny\n    actions: [[play]]\n",
	  "bad.yml:4:15: 'actions' must be an action or a list of them, not a list of lists" },
	{ "wrong type: bool",
	  "clients:\n  - name: a\n    allow-any-client: yes\n    actions: play\n",
	  "bad.yml:3:23: 'allow-any-client' must be true or false" },
	{ "out of range",
	  "devices:\n  - name: a\n    effect: allow\n    match: {class: 256}\n",
	  "bad.yml:4:20: 'class' must be between 0 and 255, not 256" },
	{ "unknown action",
	  "clients:\n  - name: a\n    effect: allow\n    actions: [play, dance]\n    match: {uid: 0}\n",
	  "bad.yml:4:21: 'actions': unknown action \"dance\" (expected play, record, control, reload, hook, admin or all)" },
	{ "bad vid:pid (short product)",
	  "devices:\n  - name: a\n    effect: allow\n    match: {vendor-product: \"0d8c:14\"}\n",
	  "bad.yml:4:29: 'vendor-product': bad vendor:product \"0d8c:14\" (expected 4 hex digits each, like 0d8c:0014, or 0d8c:*)" },
	{ "bad vid:pid (not hex)",
	  "devices:\n  - name: a\n    effect: allow\n    match:\n      vendor-product: [\"0d8c:0014\", \"zz8c:0014\"]\n",
	  "bad.yml:5:37: 'vendor-product': bad vendor:product \"zz8c:0014\" (expected 4 hex digits each, like 0d8c:0014, or 0d8c:*)" },
	{ "unknown user",
	  "clients:\n  - name: a\n    effect: allow\n    actions: play\n    match:\n      user: [root, no-such-user-uacd]\n",
	  "bad.yml:6:20: 'user': unknown user \"no-such-user-uacd\"" },
	{ "unknown group",
	  "clients:\n  - name: a\n    effect: allow\n    actions: play\n    match: {group: no-such-group-uacd}\n",
	  "bad.yml:5:20: 'group': unknown group \"no-such-group-uacd\"" },
	{ "duplicate rule name across lists",
	  "devices:\n  - name: a\n    effect: allow\nclients:\n  - name: b\n    effect: deny\n    actions: play\n  - name: a\n    effect: deny\n    actions: play\n",
	  "bad.yml:8:11: 'name': duplicate rule name \"a\" (first used at line 2)" },
	{ "duplicate key",
	  "clients:\n  - name: a\n    effect: deny\n    effect: allow\n    actions: play\n",
	  "bad.yml:4:5: duplicate key 'effect' in client rule" },
	{ "alias",
	  "clients:\n  - &r {name: a, effect: deny, actions: play}\n  - *r\n",
	  "bad.yml:2:5: YAML aliases are not supported" },
	{ "recursive alias",
	  "clients: &x [*x]\n",
	  "bad.yml:1:10: YAML aliases are not supported" },
	{ "YAML syntax error",
	  "clients:\n  - name: [a\n",
	  "bad.yml:3:1: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence" },
	{ "empty file",
	  "",
	  "bad.yml:1:1: empty policy (expected a mapping with 'devices' and 'clients')" },
	{ "allow without match",
	  "clients:\n  - name: a\n    effect: allow\n    actions: play\n",
	  "bad.yml:2:5: client rule \"a\" allows without 'match' (write allow-any-client: true if that is meant)" },
	{ "allow-any-client with match",
	  "clients:\n  - name: a\n    allow-any-client: true\n    actions: play\n    match: {uid: 0}\n",
	  "bad.yml:5:5: 'match' and 'allow-any-client' exclude each other" },
	{ "no name",
	  "devices:\n  - effect: allow\n",
	  "bad.yml:2:5: device rule has no 'name'" },
	{ "reserved name",
	  "devices:\n  - name: default-deny\n    effect: allow\n",
	  "bad.yml:2:11: 'name': \"default-deny\" is reserved" },
	{ "bad kind",
	  "devices:\n  - name: a\n    effect: allow\n    match: {kind: pci}\n",
	  "bad.yml:4:19: 'kind' must be usb or sim, not \"pci\"" },
	{ "relative exe",
	  "clients:\n  - name: a\n    effect: allow\n    actions: play\n    match: {exe: obs}\n",
	  "bad.yml:5:18: 'exe' must be an absolute path, not \"obs\"" },
	{ "version 2",
	  "version: 2\n",
	  "bad.yml:1:10: 'version' must be between 1 and 1, not 2" },
	{ "two documents",
	  "devices: []\n---\nclients: []\n",
	  "bad.yml:3:1: a policy file holds one YAML document, not several" },
};

START_TEST(test_lint_table)
{
	const struct lint_case *t = &lint_cases[_i];
	struct uacpol *p = (struct uacpol *)1;
	char err[512] = "";
	int ret;

	ret = uacpol_parse(t->text, strlen(t->text), "bad.yml", &p, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "%s: expected -EINVAL, got %d", t->what, ret);
	ck_assert_ptr_null(p);
	ck_assert_msg(strcmp(err, t->error) == 0, "%s:\n expected: %s\n got:      %s", t->what, t->error, err);
}
END_TEST

START_TEST(test_load_file)
{
	char path[] = "/tmp/uacpol-test-XXXXXX", err[512] = "", want[600];
	struct uacpol *p = NULL;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs("clients:\n  - name: x\n    effect: deny\n    actions: sing\n", f);
	fclose(f);
	ck_assert_int_eq(uacpol_load(path, &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:4:14: 'actions': unknown action \"sing\" (expected play, record, control, reload, hook, admin or all)", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	ck_assert_int_eq(uacpol_load(path, &p, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(uacpol_load("/tmp", &p, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "/tmp: not a regular file");
}
END_TEST

/* The shipped files must load: the default policy and the example. */
/* serial: "" is the device without a serial number, not "any serial" */
START_TEST(test_empty_serial)
{
	static const char text[] =
		"devices:\n"
		"  - name: no-serial\n"
		"    effect: allow\n"
		"    match: {vendor-product: \"0d8c:*\", serial: \"\"}\n";
	struct uacpol_device d = { .name = NULL, .kind = "usb", .usb_class = 1, .usb_subclass = 2,
				   .vid = 0x0d8c, .pid = 0x0014, .serial = "", .bus_path = "1-1" };
	struct uacpol_decision dec;
	struct uacpol *p = NULL;
	char err[512] = "";

	ck_assert_msg(uacpol_parse(text, strlen(text), "s.yml", &p, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(uacpol_check_device(p, &d, &dec), 0);
	ck_assert(dec.allow);
	ck_assert_str_eq(dec.rule, "no-serial");
	d.serial = "A1";
	ck_assert_int_eq(uacpol_check_device(p, &d, &dec), 0);
	ck_assert(!dec.allow);
	ck_assert_str_eq(dec.rule, "default-deny");
	uacpol_free(p);
}
END_TEST

START_TEST(test_shipped_files)
{
	static const char *const files[] = { "entitlement-policy/policy.yml", "examples/policy/family-pc.yml" };
	const char *top = getenv("top_srcdir");
	char path[4096], err[512] = "";
	struct uacpol *p = NULL;

	if (!top)
		top = ".";
	snprintf(path, sizeof(path), "%s/%s", top, files[_i]);
	ck_assert_msg(uacpol_load(path, &p, err, sizeof(err)) == 0, "%s", err);
	uacpol_free(p);
}
END_TEST

static Suite *policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("decisions");
	tcase_add_checked_fixture(tc, load_policy, free_policy);
	tcase_add_loop_test(tc, test_device_table, 0, sizeof(dev_cases) / sizeof(dev_cases[0]));
	tcase_add_test(tc, test_device_reason);
	tcase_add_loop_test(tc, test_client_table, 0, sizeof(client_cases) / sizeof(client_cases[0]));
	tcase_add_test(tc, test_client_device_match);
	tcase_add_test(tc, test_actions);
	suite_add_tcase(s, tc);

	tc = tcase_create("loader");
	tcase_add_loop_test(tc, test_lint_table, 0, sizeof(lint_cases) / sizeof(lint_cases[0]));
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_empty_serial);
	tcase_add_loop_test(tc, test_shipped_files, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(policy_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
