/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy-cli.c - `uacctl policy check|lint`: explain a decision, validate a
 * file.  Lives in the library so that uacctl and the test driver share it.
 *
 * `check` builds a synthetic client (no pidfd, so no liveness re-check) from
 * the options and asks the same functions the daemon asks.  When --uid names
 * a known user and --gid/--groups are absent, the user's primary and
 * supplementary groups come from the group database, so "what may alice do?"
 * is answered as it would be for alice's login session.  --exe is resolved
 * with realpath() when it exists, because rules match resolved paths.
 * --cgroup without --unit derives the unit as the daemon would.
 *
 * Exit codes: check 0 allow, 1 deny, 2 error; lint 0 valid, 2 invalid.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entitlement-policy/uacpol.h"

#define DEFAULT_POLICY SYSCONFDIR "/uacd/policy.yml"
#define EXIT_ALLOW 0
#define EXIT_DENY 1
#define EXIT_ERROR 2

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uacctl policy check --uid U [--gid G] [--groups G1,G2] [--exe PATH]\n"
		"                           [--unit UNIT] [--cgroup PATH] --device SPEC\n"
		"                           --action ACTION [--policy FILE] [--json]\n"
		"       uacctl policy lint FILE\n"
		"ACTION: play, record, control, reload, hook, admin, or claim (device side)\n"
		"SPEC:   sim | NAME | usb:VID:PID[:SERIAL][,path=P][,class=N][,subclass=N][,name=NAME]\n"
		"        | usb:path=1-2\n"
		"default policy: %s\n", DEFAULT_POLICY);
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_gid(const char *s, gid_t *out)
{
	struct group *gr;
	unsigned long v;

	if (parse_ulong(s, 0x7fffffffUL, &v) == 0) {
		*out = (gid_t)v;
		return 0;
	}
	gr = getgrnam(s);
	if (!gr)
		return -ENOENT;
	*out = gr->gr_gid;
	return 0;
}

static int parse_hex16(const char *s, size_t n, uint16_t *out)
{
	char buf[8], *end;
	unsigned long v;

	if (n == 0 || n > 4)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtoul(buf, &end, 16);
	if (*end)
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

/* "usb:0d8c:0014:SER,path=1-2,class=1"; strings point into spec_copy. */
static int parse_device(char *spec, struct uacpol_device *d)
{
	char *item, *next;
	unsigned long v;

	memset(d, 0, sizeof(*d));
	d->usb_class = -1;
	d->usb_subclass = -1;
	if (strncmp(spec, "usb:", 4) != 0) {
		d->name = spec;
		if (strcmp(spec, "sim") == 0)
			d->kind = "sim";
		return 0;
	}
	d->kind = "usb";
	for (item = spec + 4; item; item = next) {
		char *eq;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		eq = strchr(item, '=');
		if (!eq) {
			char *c1 = strchr(item, ':'), *c2;

			if (!c1)
				return -EINVAL;
			c2 = strchr(c1 + 1, ':');
			if (parse_hex16(item, (size_t)(c1 - item), &d->vid) < 0 ||
			    parse_hex16(c1 + 1, c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1), &d->pid) < 0)
				return -EINVAL;
			if (c2)
				d->serial = c2 + 1;
			continue;
		}
		*eq = '\0';
		if (strcmp(item, "path") == 0) {
			d->bus_path = eq + 1;
		} else if (strcmp(item, "serial") == 0) {
			d->serial = eq + 1;
		} else if (strcmp(item, "name") == 0) {
			d->name = eq + 1;
		} else if (strcmp(item, "class") == 0 || strcmp(item, "subclass") == 0) {
			if (parse_ulong(eq + 1, 255, &v) < 0)
				return -EINVAL;
			if (item[0] == 'c')
				d->usb_class = (int)v;
			else
				d->usb_subclass = (int)v;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void print_decision(const struct uacpol_decision *d, bool json)
{
	if (json) {
		printf("{\"decision\":\"%s\",\"allow\":%s,\"rule\":", d->allow ? "allow" : "deny",
		       d->allow ? "true" : "false");
		json_string(d->rule);
		printf(",\"reason\":");
		json_string(d->reason);
		printf("}\n");
		return;
	}
	printf("decision: %s\nrule: %s\nreason: %s\n", d->allow ? "allow" : "deny", d->rule, d->reason);
}

static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "uacctl policy: %s needs a value\n", name);
		return "";
	}
	return argv[++*i];
}

static int set_client_user(struct uacpol_client *c, const char *s, bool *have_pw, struct passwd *pw,
			   char *pwbuf, size_t pwlen)
{
	struct passwd *res = NULL;
	unsigned long v;

	if (parse_ulong(s, 0x7fffffffUL, &v) == 0) {
		c->uid = (uid_t)v;
		getpwuid_r(c->uid, pw, pwbuf, pwlen, &res);
	} else {
		getpwnam_r(s, pw, pwbuf, pwlen, &res);
		if (!res)
			return -ENOENT;
		c->uid = pw->pw_uid;
	}
	*have_pw = res != NULL;
	return 0;
}

/* --groups, or the user's groups from the group database */
static int set_client_groups(struct uacpol_client *c, const char *groups_s, bool have_pw,
			     const struct passwd *pw)
{
	if (groups_s) {
		char buf[1024], *tok, *save = NULL;

		snprintf(buf, sizeof(buf), "%s", groups_s);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (c->n_groups == UACPOL_MAX_GROUPS)
				break;
			if (parse_gid(tok, &c->groups[c->n_groups]) < 0) {
				fprintf(stderr, "uacctl policy check: unknown group '%s'\n", tok);
				return -1;
			}
			c->n_groups++;
		}
	} else if (have_pw) {
		int n = UACPOL_MAX_GROUPS;

		getgrouplist(pw->pw_name, pw->pw_gid, c->groups, &n);
		c->n_groups = n < 0 ? 0 : (n > UACPOL_MAX_GROUPS ? UACPOL_MAX_GROUPS : n);
	}
	return 0;
}

/* --exe, --unit, --cgroup (the unit from the cgroup unless given) */
static void set_client_process(struct uacpol_client *c, const char *exe_s,
			       const char *unit_s, const char *cgroup_s)
{
	if (exe_s) {
		char *real = realpath(exe_s, NULL);

		snprintf(c->exe, sizeof(c->exe), "%s", real ? real : exe_s);
		free(real);
	}
	if (unit_s)
		snprintf(c->unit, sizeof(c->unit), "%s", unit_s);
	if (cgroup_s) {
		snprintf(c->cgroup, sizeof(c->cgroup), "%s", cgroup_s);
		if (!unit_s)
			uacpol_unit_from_cgroup(c->cgroup, c->unit, sizeof(c->unit));
	}
}

static int cmd_check(int argc, char **argv)
{
	const char *uid_s = NULL, *gid_s = NULL, *groups_s = NULL, *exe_s = NULL;
	const char *unit_s = NULL, *cgroup_s = NULL, *dev_s = NULL, *action_s = NULL;
	const char *policy_path = DEFAULT_POLICY;
	struct uacpol_client client;
	struct uacpol_decision dec;
	struct uacpol_device dev;
	struct uacpol *pol = NULL;
	enum uacpol_action action = UACPOL_PLAY;
	struct passwd pw;
	char pwbuf[4096], err[512], dev_copy[512];
	bool json = false, have_pw = false, claim = false;
	int i, ret;

	const struct {
		const char *name;
		const char **dst;
	} opts[] = {
		{ "--uid", &uid_s }, { "--gid", &gid_s }, { "--groups", &groups_s },
		{ "--exe", &exe_s }, { "--unit", &unit_s }, { "--cgroup", &cgroup_s },
		{ "--device", &dev_s }, { "--action", &action_s }, { "--policy", &policy_path },
	};
	size_t o;

	for (i = 1; i < argc; i++) {
		const char *v = NULL;

		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		for (o = 0; o < sizeof(opts) / sizeof(opts[0]) && !v; o++) {
			v = opt_value(argc, argv, &i, opts[o].name);
			if (v)
				*opts[o].dst = v;
		}
		if (!v) {
			fprintf(stderr, "uacctl policy check: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return EXIT_ERROR;
		}
	}
	if (!dev_s || !dev_s[0] || !action_s || !action_s[0]) {
		fprintf(stderr, "uacctl policy check: --device and --action are required\n");
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(action_s, "claim") == 0) {
		claim = true;
	} else if (uacpol_action_parse(action_s, &action) < 0) {
		fprintf(stderr, "uacctl policy check: unknown action '%s' (expected play, record, control, reload, hook, admin or claim)\n", action_s);
		return EXIT_ERROR;
	}
	if (!claim && (!uid_s || !uid_s[0])) {
		fprintf(stderr, "uacctl policy check: --uid is required for client actions\n");
		return EXIT_ERROR;
	}
	if (strlen(dev_s) >= sizeof(dev_copy)) {
		fprintf(stderr, "uacctl policy check: device spec too long\n");
		return EXIT_ERROR;
	}
	memcpy(dev_copy, dev_s, strlen(dev_s) + 1);
	if (parse_device(dev_copy, &dev) < 0) {
		fprintf(stderr, "uacctl policy check: bad device spec '%s'\n", dev_s);
		return EXIT_ERROR;
	}

	memset(&client, 0, sizeof(client));
	client.pidfd = -1;
	client.gid = (gid_t)-1;	/* matches no rule */
	if (!claim) {
		if (set_client_user(&client, uid_s, &have_pw, &pw, pwbuf, sizeof(pwbuf)) < 0) {
			fprintf(stderr, "uacctl policy check: unknown user '%s'\n", uid_s);
			return EXIT_ERROR;
		}
		if (gid_s) {
			if (parse_gid(gid_s, &client.gid) < 0) {
				fprintf(stderr, "uacctl policy check: unknown group '%s'\n", gid_s);
				return EXIT_ERROR;
			}
		} else if (have_pw) {
			client.gid = pw.pw_gid;
		}
		if (set_client_groups(&client, groups_s, have_pw, &pw) < 0)
			return EXIT_ERROR;
		set_client_process(&client, exe_s, unit_s, cgroup_s);
	}

	ret = uacpol_load(policy_path, &pol, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "uacctl policy: %s\n", err);
		return EXIT_ERROR;
	}
	if (claim)
		ret = uacpol_check_device(pol, &dev, &dec);
	else
		ret = uacpol_check_client_device(pol, &client, &dev, action, &dec);
	uacpol_free(pol);
	if (ret < 0) {
		fprintf(stderr, "uacctl policy check: %s\n", strerror(-ret));
		return EXIT_ERROR;
	}
	print_decision(&dec, json);
	return dec.allow ? EXIT_ALLOW : EXIT_DENY;
}

static int cmd_lint(int argc, char **argv)
{
	struct uacpol *pol = NULL;
	char err[512];
	int ret;

	if (argc != 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	ret = uacpol_load(argv[1], &pol, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_ERROR;
	}
	printf("%s: ok (%zu device rules, %zu client rules)\n", argv[1],
	       uacpol_n_device_rules(pol), uacpol_n_client_rules(pol));
	uacpol_free(pol);
	return 0;
}

int uacpol_cli_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "lint") == 0)
		return cmd_lint(argc - 1, argv + 1);
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "uacctl policy: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_ERROR;
}
