/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uacd: the daemon's entry point.  Reads the config, creates the devices,
 * loads hooks, locks memory, starts each device's RT thread and serves the
 * socket until SIGTERM.  See uacd(8).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include <urcu-qsbr.h>

#include "engine/daemon/uacd-conf.h"
#include "engine/core/device.h"
#include "engine/core/dsp-stage.h"
#include "engine/daemon/hotplug.h"
#include "engine/core/log.h"
#include "engine/daemon/server.h"
#include "engine/usb/transport-libusb.h"
#include "engine/sim/transport-sim.h"
#include "entitlement-policy/uacpol.h"

#define UACD_DEFAULT_POLICY SYSCONFDIR "/uacd/policy.yml"
#define UACD_DEFAULT_DSP SYSCONFDIR "/uacd/dsp.yml"

struct daemon {
	struct uacd_config cfg;
	const char *config_path;
	bool config_explicit;
	struct uacd_device *devs[UACD_CONFIG_MAX_DEVICES];
	unsigned n_devs;
	/* hooks given on the command line survive reloads of the file */
	char cli_hooks[UACD_CONFIG_MAX_HOOKS][512];
	int n_cli_hooks;
	const char *policy_opt;		/* --policy */
	const char *dsp_opt;		/* --dsp */
	struct uacd_dsp_stage *dsp[UACD_CONFIG_MAX_DEVICES];
	/* hooks loaded at run time (uacctl hook load), kept across reloads */
	struct {
		char line[512];		/* "PATH ARGS" */
		char name[UACD_NAME_MAX];
	} rt_hooks[UACD_CONFIG_MAX_DEVICES][UACD_CONFIG_MAX_HOOKS];
	int n_rt_hooks[UACD_CONFIG_MAX_DEVICES];
	struct uacd_server *srv;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uacd [OPTION]...\n"
		"User-space USB Audio Class driver: serves ALSA clients (aplay -D uac) through\n"
		"shared-memory rings, one real-time thread per device.\n"
		"\n"
		"  -f, --foreground       stay in the foreground, log to stderr (default: detach\n"
		"                         once serving and log to syslog)\n"
		"  -c, --config FILE      daemon config (default " UACD_DEFAULT_CONFIG ")\n"
		"  -s, --socket PATH      client socket (default " UACD_DEFAULT_SOCKET ")\n"
		"  -d, --device SPEC      serve this device; repeatable (default: sim)\n"
		"                         sim[:rate=R,channels=N,format=F,mode=loopback|wav|silence,\n"
		"                         drift_ppm=P,usb=full|high,time=real|fast,speedup=N,\n"
		"                         in=FILE,out=FILE,loop=0|1,name=NAME,priority=N]\n"
		"                         usb[:VID:PID[:SERIAL]|:path=BUS-PORT][,rate=R,channels=N,\n"
		"                         format=F,transfers=N,packets=N,name=NAME,priority=N]\n"
		"  -H, --hook 'PATH [ARGS]'  load a processing hook on every device; repeatable\n"
		"  -P, --policy FILE      entitlement policy (default " UACD_DEFAULT_POLICY ")\n"
		"  -D, --dsp FILE         playback DSP chain, CamillaDSP-style YAML (default\n"
		"                         " UACD_DEFAULT_DSP " when it exists)\n"
		"  -p, --priority N       SCHED_FIFO priority of device threads, 0 = off (default 70)\n"
		"      --no-mlock         do not lock memory\n"
		"  -w, --wait-for-devices a usb device that is absent at start is waited for\n"
		"                         (served when plugged in) instead of an error\n"
		"  -u, --user NAME        when started as root, switch to this user and its\n"
		"                         groups once socket, devices and memory are set up,\n"
		"                         keeping CAP_SYS_NICE, CAP_IPC_LOCK, CAP_SYS_PTRACE\n"
		"                         (default: keep running as the invoking user)\n"
		"  -v, --verbose          more log output (repeat for debug)\n"
		"  -q, --quiet            only errors\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n"
		"\n"
		"Signals: SIGHUP reloads the DSP chains, hooks and the policy; SIGTERM/SIGINT stop.\n"
		"Exit status: 0 clean stop, 1 startup error, 2 usage error.\n");
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

/*
 * The hook lines in force: command line first, then the config file.
 * `lines` holds 2 * UACD_CONFIG_MAX_HOOKS (each source holds at most
 * UACD_CONFIG_MAX_HOOKS), plus room for run-time hooks added by callers.
 */
static int hook_lines(struct daemon *dm, const struct uacd_config *cfg, const char **lines)
{
	int i, n = 0;

	for (i = 0; i < dm->n_cli_hooks; i++)
		lines[n++] = dm->cli_hooks[i];
	for (i = 0; i < cfg->n_hooks; i++)
		lines[n++] = cfg->hooks[i];
	return n;
}

/*
 * Open the hooks named by `lines` for d and publish [dsp stage, hooks...]
 * in one swap.  On error nothing changes and err says why.
 */
static int install_hooks(struct daemon *dm, unsigned k, const char **lines, int n,
			 char *err, size_t errlen)
{
	struct uacd_device *d = dm->devs[k];
	struct uacd_hook *h[UACD_MAX_HOOKS];
	int i, nh = 0, ret;

	if (n + 1 > (int)UACD_MAX_HOOKS) {
		snprintf(err, errlen, "%s: %d hooks: a device takes at most %u besides its DSP stage",
			 d->name, n, UACD_MAX_HOOKS - 1);
		return -ENOSPC;
	}
	h[nh++] = uacd_dsp_stage_hook(dm->dsp[k]);
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
		ret = uacd_dev_hook_open(d, path, args, &h[nh], err, errlen);
		if (ret)
			goto err_close;
		nh++;
		uacd_notice("%s: hook %s loaded", d->name, path);
	}
	ret = uacd_dev_hooks_set(d, h, (unsigned)nh);
	if (ret) {
		snprintf(err, errlen, "%s: cannot install hooks: %s", d->name, strerror(-ret));
		goto err_close;
	}
	return 0;

err_close:
	while (nh > 1)
		uacd_dev_hook_close(h[--nh]);
	return ret;
}

static const char *dsp_path(struct daemon *dm, const struct uacd_config *cfg)
{
	if (dm->dsp_opt)
		return dm->dsp_opt;
	if (cfg->dsp[0])
		return cfg->dsp;
	return access(UACD_DEFAULT_DSP, F_OK) == 0 ? UACD_DEFAULT_DSP : "";
}

/* Load device k's DSP chains (that device keeps its running ones on error). */
static int load_dsp_one(struct daemon *dm, unsigned k, const struct uacd_config *cfg,
			char *err, size_t errlen)
{
	int ret;

	if (dm->devs[k]->play_ch) {
		ret = uacd_dsp_stage_load(dm->dsp[k], 0, dsp_path(dm, cfg), err, errlen);
		if (ret)
			return ret;
	}
	if (dm->devs[k]->cap_ch) {
		ret = uacd_dsp_stage_load(dm->dsp[k], 1, cfg->dsp_capture, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* Load the DSP chains of every device; stops at the first error. */
static int load_dsp(struct daemon *dm, const struct uacd_config *cfg, char *err, size_t errlen)
{
	unsigned k;
	int ret;

	for (k = 0; k < dm->n_devs; k++) {
		ret = load_dsp_one(dm, k, cfg, err, errlen);
		if (ret)
			return ret;
	}
	return 0;
}

/* The daemon-wide RT priority, unless the device's spec names its own (priority=). */
static void default_priority(const struct daemon *dm, struct uacd_device *d, const char *spec)
{
	if (!strstr(spec, "priority="))
		d->rt_priority = dm->cfg.rt_priority;
}

/*
 * Forget device k: free its DSP stage (and the device itself when
 * free_dev) and close the gap in the per-device arrays.  Without free_dev
 * the stage must not be published in the device's hook set.
 */
static void drop_device(struct daemon *dm, unsigned k, bool free_dev)
{
	struct uacd_device *d = dm->devs[k];
	struct uacd_hook *h = dm->dsp[k] ? uacd_dsp_stage_hook(dm->dsp[k]) : NULL;
	bool published = false;
	unsigned i;

	/* The stage's hook is published (the device frees it), or owned by nobody yet. */
	for (i = 0; h && d->hooks && i < d->hooks->n; i++)
		published |= d->hooks->h[i] == h;
	if (free_dev)
		uacd_dev_free(d);
	else
		d->dsp = NULL;
	if (h && !published)
		free(h);
	uacd_dsp_stage_free(dm->dsp[k]);
	for (i = k; i + 1 < dm->n_devs; i++) {
		dm->devs[i] = dm->devs[i + 1];
		dm->dsp[i] = dm->dsp[i + 1];
		memcpy(dm->rt_hooks[i], dm->rt_hooks[i + 1], sizeof(dm->rt_hooks[i]));
		dm->n_rt_hooks[i] = dm->n_rt_hooks[i + 1];
	}
	dm->n_devs--;
	dm->devs[dm->n_devs] = NULL;
	dm->dsp[dm->n_devs] = NULL;
	dm->n_rt_hooks[dm->n_devs] = 0;
}

/*
 * A USB device that arrived as a new one (hotplug.c): it gets what the
 * startup devices got, the daemon's RT priority, the DSP chains in force
 * and the configured hooks, before it starts.  If they do not load it is
 * not served: a device that silently skipped the user's room correction
 * would be worse.
 */
static int adopt_device(struct uacd_device *d, void *data)
{
	struct daemon *dm = data;
	const char *lines[2 * UACD_CONFIG_MAX_HOOKS];
	char err[512];
	unsigned k = dm->n_devs;
	int ret;

	if (k >= UACD_CONFIG_MAX_DEVICES) {
		uacd_notice("%s: not served: uacd serves at most %u devices", d->name,
			    UACD_CONFIG_MAX_DEVICES);
		return -ENOSPC;
	}
	default_priority(dm, d, uacd_usb_spec_string(d));
	ret = uacd_dsp_stage_new(d, &dm->dsp[k]);
	if (ret) {
		uacd_err("%s: not served: DSP stage: %s", d->name, strerror(-ret));
		return ret;
	}
	dm->devs[k] = d;
	dm->n_rt_hooks[k] = 0;
	dm->n_devs++;
	ret = load_dsp_one(dm, k, &dm->cfg, err, sizeof(err));
	if (!ret)
		ret = install_hooks(dm, k, lines, hook_lines(dm, &dm->cfg, lines), err, sizeof(err));
	if (ret) {
		uacd_err("%s: not served: %s", d->name, err);
		drop_device(dm, k, false);
		return ret;
	}
	return 0;
}

static void release_device(struct uacd_device *d, void *data)
{
	struct daemon *dm = data;
	unsigned k;

	for (k = 0; k < dm->n_devs; k++)
		if (dm->devs[k] == d) {
			drop_device(dm, k, true);
			return;
		}
	uacd_dev_free(d);
}

static const char *policy_path(struct daemon *dm)
{
	return dm->policy_opt ? dm->policy_opt : dm->cfg.policy[0] ? dm->cfg.policy : UACD_DEFAULT_POLICY;
}

static bool same_hooks(struct daemon *dm, const struct uacd_config *a, const struct uacd_config *b)
{
	const char *la[2 * UACD_CONFIG_MAX_HOOKS], *lb[2 * UACD_CONFIG_MAX_HOOKS];
	int na = hook_lines(dm, a, la), nb = hook_lines(dm, b, lb), i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (strcmp(la[i], lb[i]))
			return false;
	return true;
}

/*
 * SIGHUP / `uacctl reload`: the config file, the DSP chains, the hooks and
 * the policy.  Each part is validated before it replaces the running one;
 * a part that fails leaves its running version in place and the error is
 * returned.  Socket, devices and priorities need a restart.
 */
static int reload(void *data, char *msg, size_t len)
{
	struct daemon *dm = data;
	struct uacd_config cfg;
	struct uacpol *pol = NULL;
	const char *lines[3 * UACD_CONFIG_MAX_HOOKS];
	char err[512];
	unsigned i;
	int ret, n;

	uacd_config_defaults(&cfg);
	ret = uacd_config_load(&cfg, dm->config_path, err, sizeof(err));
	if (ret && !(ret == -ENOENT && !dm->config_explicit)) {
		snprintf(msg, len, "%s (running configuration kept)", err);
		return -EINVAL;
	}
	snprintf(dm->cfg.policy, sizeof(dm->cfg.policy), "%s", cfg.policy);
	ret = uacpol_load(policy_path(dm), &pol, err, sizeof(err));
	if (ret) {
		snprintf(msg, len, "%s (running policy kept)", err);
		return ret;
	}
	ret = load_dsp(dm, &cfg, err, sizeof(err));
	if (ret) {
		uacpol_free(pol);
		snprintf(msg, len, "%s (running DSP chain kept)", err);
		return ret;
	}
	snprintf(dm->cfg.dsp, sizeof(dm->cfg.dsp), "%s", cfg.dsp);
	snprintf(dm->cfg.dsp_capture, sizeof(dm->cfg.dsp_capture), "%s", cfg.dsp_capture);
	if (!same_hooks(dm, &dm->cfg, &cfg)) {
		for (i = 0; i < dm->n_devs; i++) {
			int k;

			n = hook_lines(dm, &cfg, lines);
			for (k = 0; k < dm->n_rt_hooks[i]; k++)
				lines[n++] = dm->rt_hooks[i][k].line;
			ret = install_hooks(dm, i, lines, n, err, sizeof(err));
			if (ret) {
				uacpol_free(pol);
				snprintf(msg, len, "%s (running hooks kept)", err);
				return ret;
			}
		}
		dm->cfg.n_hooks = cfg.n_hooks;
		memcpy(dm->cfg.hooks, cfg.hooks, sizeof(cfg.hooks));
	}
	uacd_server_set_policy(dm->srv, pol);
	snprintf(msg, len, "policy %s, DSP %s, %d hook(s) on %u device(s)", policy_path(dm),
		 dsp_path(dm, &dm->cfg)[0] ? dsp_path(dm, &dm->cfg) : "none",
		 dm->n_cli_hooks + dm->cfg.n_hooks, dm->n_devs);
	return 0;
}

/*
 * `uacctl hook load|unload` from a client the policy gave the "hook" right:
 * the new set is the running one plus (or minus) one hook, swapped in one
 * go, so the other hooks keep their state.
 */
static int hook_handler(void *data, struct uacd_device *d, bool load, const char *path,
			const char *args, char *msg, size_t len)
{
	struct daemon *dm = data;
	struct uacd_hook *set[UACD_MAX_HOOKS], *h = NULL, *dsp;
	struct uacd_hook_set *cur = d->hooks;	/* the control thread is its only writer */
	struct stat st;
	unsigned k, i, n = 0;
	int ret, r;

	for (k = 0; k < dm->n_devs && dm->devs[k] != d; k++)
		;
	if (k == dm->n_devs)
		return -ENODEV;
	dsp = uacd_dsp_stage_hook(dm->dsp[k]);
	if (!load) {
		for (i = 0; i < cur->n; i++) {
			if (cur->h[i] != dsp && !strcmp(cur->h[i]->name, path))
				h = cur->h[i];
			else
				set[n++] = cur->h[i];
		}
		if (!h) {
			snprintf(msg, len, "%s has no hook named '%s'", d->name, path);
			return -ENOENT;
		}
		ret = uacd_dev_hooks_set(d, set, n);	/* destroys h */
		if (ret) {
			snprintf(msg, len, "cannot unload: %s", strerror(-ret));
			return ret;
		}
		for (r = 0; r < dm->n_rt_hooks[k]; r++)
			if (!strcmp(dm->rt_hooks[k][r].name, path)) {
				dm->rt_hooks[k][r] = dm->rt_hooks[k][--dm->n_rt_hooks[k]];
				break;
			}
		snprintf(msg, len, "hook %s unloaded from %s", path, d->name);
		return 0;
	}
	/* The daemon is going to run this code: insist on a file nobody else can change. */
	if (path[0] != '/') {
		snprintf(msg, len, "hook path must be absolute: %s", path);
		return -EINVAL;
	}
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, len, "hook %s: not a regular file", path);
		return -ENOENT;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(msg, len, "hook %s is writable by group or others: refused", path);
		return -EPERM;
	}
	if (cur->n >= UACD_MAX_HOOKS || dm->n_rt_hooks[k] >= UACD_CONFIG_MAX_HOOKS) {
		snprintf(msg, len, "%s has the most hooks it can take (%u)", d->name, UACD_MAX_HOOKS);
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
	snprintf(dm->rt_hooks[k][dm->n_rt_hooks[k]].line, sizeof(dm->rt_hooks[k][0].line), "%s%s%s",
		 path, args[0] ? " " : "", args);
	snprintf(dm->rt_hooks[k][dm->n_rt_hooks[k]].name, sizeof(dm->rt_hooks[k][0].name), "%s", h->name);
	dm->n_rt_hooks[k]++;
	snprintf(msg, len, "hook %s (%s) loaded on %s", h->name, path, d->name);
	return 0;
}

/*
 * --user: what the daemon keeps after giving up root.
 *   CAP_SYS_NICE   SCHED_FIFO for device threads started later (and for
 *                  threads of USB devices that arrive by hotplug);
 *   CAP_IPC_LOCK   mlockall(MCL_FUTURE) keeps locking new allocations
 *                  beyond RLIMIT_MEMLOCK;
 *   CAP_SYS_PTRACE reading /proc/PID/exe of other users' clients, which
 *                  the policy's exe rules need (entitlement-policy/identity.c);
 *                  without it those rules would never allow anyone.
 * Capabilities are per thread: threads that exist before the switch lose
 * all of theirs, threads created after it inherit these.
 */
static const unsigned kept_caps[] = { CAP_SYS_NICE, CAP_IPC_LOCK, CAP_SYS_PTRACE };

static bool cap_kept(unsigned long cap)
{
	size_t i;

	for (i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		if (kept_caps[i] == cap)
			return true;
	return false;
}

/*
 * Become `user` (its uid, primary group and supplementary groups) with
 * only kept_caps left.  Raw capget/capset: libcap is not a dependency.
 * The bounding set is trimmed too when we may (CAP_SETPCAP; under
 * systemd the unit's CapabilityBoundingSet has done it already).  Called
 * once, from the main thread, before any device thread starts.
 */
static int drop_privileges(const char *user, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	struct passwd *pw;
	unsigned long cap;
	size_t i;
	int ret;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		ret = errno ? -errno : -ENOENT;
		snprintf(err, errlen, "--user %s: %s", user, errno ? strerror(errno) : "no such user");
		return ret;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid && pw->pw_uid != 0)
		return 0;	/* already that user: nothing to give up */
	if (geteuid() != 0) {
		snprintf(err, errlen, "--user %s: switching users needs root (running as uid %u)",
			 user, (unsigned)geteuid());
		return -EPERM;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errlen, "--user %s: refusing to \"drop\" to uid 0", user);
		return -EINVAL;
	}

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--user %s: capget: %s", user, strerror(errno));
		return ret;
	}
	if (data[CAP_TO_INDEX(CAP_SETPCAP)].effective & CAP_TO_MASK(CAP_SETPCAP)) {
		for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
			if (cap_kept(cap) || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 0)
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
				ret = -errno;
				snprintf(err, errlen, "--user %s: cannot drop capability %lu from the bounding set: %s",
					 user, cap, strerror(errno));
				return ret;
			}
		}
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--user %s: PR_SET_KEEPCAPS: %s", user, strerror(errno));
		return ret;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--user %s: cannot set supplementary groups: %s (needs CAP_SETGID)",
			 user, strerror(errno));
		goto err_keepcaps;
	}
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--user %s: cannot switch to gid %u: %s (needs CAP_SETGID)",
			 user, (unsigned)pw->pw_gid, strerror(errno));
		goto err_keepcaps;
	}
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--user %s: cannot switch to uid %u: %s (needs CAP_SETUID)",
			 user, (unsigned)pw->pw_uid, strerror(errno));
		goto err_keepcaps;
	}
	/* KEEPCAPS kept the permitted set; now keep only ours, and make them effective. */
	memset(data, 0, sizeof(data));
	for (i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++) {
		data[CAP_TO_INDEX(kept_caps[i])].permitted |= CAP_TO_MASK(kept_caps[i]);
		data[CAP_TO_INDEX(kept_caps[i])].effective |= CAP_TO_MASK(kept_caps[i]);
	}
	if (syscall(SYS_capset, &hdr, data) < 0) {
		ret = -errno;
		snprintf(err, errlen, "--user %s: cannot keep CAP_SYS_NICE, CAP_IPC_LOCK, CAP_SYS_PTRACE: %s "
			 "(missing from the capability bounding set?)", user, strerror(errno));
		goto err_keepcaps;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	if (setuid(0) == 0) {
		snprintf(err, errlen, "--user %s: root could be regained after the switch", user);
		return -EPERM;
	}
	uacd_info("running as %s (uid %u, gid %u), keeping CAP_SYS_NICE, CAP_IPC_LOCK, CAP_SYS_PTRACE",
		  pw->pw_name, (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	return 0;

err_keepcaps:
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return ret;
}

static bool sanitized_build(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return true;
#else
	return false;
#endif
}

/*
 * Detach; the parent exits once the child reports it is serving (or
 * failed).  This must happen before the signalfd and epoll exist: a
 * signalfd's readiness stays bound to the process that polled it first.
 */
static int daemonize(int *notify_fd)
{
	int p[2];
	pid_t pid;
	char c = 1;

	if (pipe(p) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = 1;
		_exit(c);
	}
	close(p[0]);
	setsid();
	*notify_fd = p[1];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ "hook", required_argument, NULL, 'H' },
		{ "policy", required_argument, NULL, 'P' },
		{ "dsp", required_argument, NULL, 'D' },
		{ "priority", required_argument, NULL, 'p' },
		{ "no-mlock", no_argument, NULL, 'M' },
		{ "wait-for-devices", no_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon dm;
	struct uacd_server *srv = NULL;
	struct uacd_hotplug *hotplug = NULL;
	const char *socket_opt = NULL, *user_opt = NULL;
	char cli_devices[UACD_CONFIG_MAX_DEVICES][512];
	int n_cli_devices = 0, priority = -1, verbose = 0, quiet = 0, no_mlock = 0, wait_opt = 0;
	int n_waiting = 0;
	bool foreground = false;
	int notify_fd = -1, ret, opt, i, status = 1;
	char err[512];

	memset(&dm, 0, sizeof(dm));
	dm.config_path = UACD_DEFAULT_CONFIG;
	while ((opt = getopt_long(argc, argv, "fc:s:d:H:P:D:p:u:wvqhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			foreground = true;
			break;
		case 'c':
			dm.config_path = optarg;
			dm.config_explicit = true;
			break;
		case 's':
			socket_opt = optarg;
			break;
		case 'd':
			if (n_cli_devices >= UACD_CONFIG_MAX_DEVICES) {
				fprintf(stderr, "uacd: at most %d devices\n", UACD_CONFIG_MAX_DEVICES);
				return 2;
			}
			snprintf(cli_devices[n_cli_devices++], sizeof(cli_devices[0]), "%s", optarg);
			break;
		case 'H':
			if (dm.n_cli_hooks >= UACD_CONFIG_MAX_HOOKS) {
				fprintf(stderr, "uacd: at most %d hooks\n", UACD_CONFIG_MAX_HOOKS);
				return 2;
			}
			snprintf(dm.cli_hooks[dm.n_cli_hooks++], sizeof(dm.cli_hooks[0]), "%s", optarg);
			break;
		case 'P':
			dm.policy_opt = optarg;
			break;
		case 'D':
			dm.dsp_opt = optarg;
			break;
		case 'p': {
			char *end;

			priority = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || priority < 0 || priority > 99) {
				fprintf(stderr, "uacd: --priority %s: expected 0 (off) to 99\n", optarg);
				return 2;
			}
			break;
		}
		case 'M':
			no_mlock = 1;
			break;
		case 'w':
			wait_opt = 1;
			break;
		case 'u':
			user_opt = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("uacd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "uacd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	uacd_config_defaults(&dm.cfg);
	ret = uacd_config_load(&dm.cfg, dm.config_path, err, sizeof(err));
	if (ret && !(ret == -ENOENT && !dm.config_explicit)) {
		fprintf(stderr, "uacd: %s\n", err);
		return 1;
	}
	if (socket_opt)
		snprintf(dm.cfg.socket, sizeof(dm.cfg.socket), "%s", socket_opt);
	if (priority >= 0)
		dm.cfg.rt_priority = priority;
	if (no_mlock)
		dm.cfg.mlock = false;
	if (wait_opt)
		dm.cfg.wait_for_devices = true;
	if (n_cli_devices) {
		memcpy(dm.cfg.devices, cli_devices, sizeof(cli_devices));
		dm.cfg.n_devices = n_cli_devices;
	}
	if (!dm.cfg.n_devices) {
		snprintf(dm.cfg.devices[0], sizeof(dm.cfg.devices[0]), "sim");
		dm.cfg.n_devices = 1;
	}
	if (quiet)
		dm.cfg.log_level = UACD_LOG_ERR;
	else if (verbose)
		dm.cfg.log_level = verbose > 1 ? UACD_LOG_DEBUG : UACD_LOG_INFO;
	uacd_log_set_level(dm.cfg.log_level);

	/* A client that vanishes must not kill us through a pipe or socket write. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Block the signals the server reads from its signalfd before any
	 * thread exists (liburcu's call_rcu worker, device threads): a thread
	 * with them unblocked would take SIGTERM's default action.
	 */
	{
		sigset_t mask;

		sigemptyset(&mask);
		sigaddset(&mask, SIGINT);
		sigaddset(&mask, SIGTERM);
		sigaddset(&mask, SIGHUP);
		pthread_sigmask(SIG_BLOCK, &mask, NULL);
	}

	for (i = 0; i < dm.cfg.n_devices; i++) {
		struct uacd_device *d = NULL;
		unsigned k;

		ret = create_device(dm.cfg.devices[i], &d, err, sizeof(err));
		if (ret == -ENODEV && dm.cfg.wait_for_devices && !strncmp(dm.cfg.devices[i], "usb", 3)) {
			/* hotplug.c claims it when it arrives, like a further match */
			uacd_notice("%s; waiting for it to be plugged in", err);
			n_waiting++;
			continue;
		}
		if (ret) {
			fprintf(stderr, "uacd: %s\n", err);
			goto out;
		}
		for (k = 0; k < dm.n_devs; k++)
			if (!strcmp(dm.devs[k]->name, d->name)) {
				fprintf(stderr, "uacd: two devices named '%s' (use name=)\n", d->name);
				uacd_dev_free(d);
				goto out;
			}
		default_priority(&dm, d, dm.cfg.devices[i]);
		dm.devs[dm.n_devs] = d;
		ret = uacd_dsp_stage_new(d, &dm.dsp[dm.n_devs]);
		dm.n_devs++;
		if (ret) {
			fprintf(stderr, "uacd: %s: %s\n", d->name, strerror(-ret));
			goto out;
		}
	}
	ret = load_dsp(&dm, &dm.cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uacd: %s\n", err);
		goto out;
	}
	{
		const char *lines[2 * UACD_CONFIG_MAX_HOOKS];
		int n = hook_lines(&dm, &dm.cfg, lines);

		for (i = 0; i < (int)dm.n_devs; i++) {
			ret = install_hooks(&dm, (unsigned)i, lines, n, err, sizeof(err));
			if (ret) {
				fprintf(stderr, "uacd: %s\n", err);
				goto out;
			}
		}
	}

	if (!foreground) {
		ret = daemonize(&notify_fd);
		if (ret) {
			fprintf(stderr, "uacd: cannot detach: %s\n", strerror(-ret));
			goto out;
		}
	}

	{
		struct uacpol *pol = NULL;

		/* Default deny: without a policy nobody could use the daemon. */
		ret = uacpol_load(policy_path(&dm), &pol, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "uacd: %s\nuacd: the policy decides who may use uacd; see uacd-policy.yml(5)\n", err);
			goto out;
		}
		ret = uacd_server_new(dm.cfg.socket, dm.devs, dm.n_devs, &srv);
		if (ret) {
			uacpol_free(pol);
			fprintf(stderr, "uacd: cannot serve %s: %s\n", dm.cfg.socket, strerror(-ret));
			goto out;
		}
		uacd_server_set_policy(srv, pol);
	}
	dm.srv = srv;
	uacd_server_set_reload(srv, reload, &dm);
	uacd_server_set_hook_handler(srv, hook_handler, &dm);
	for (i = 0; i < (int)dm.n_devs; i++) {
		ret = uacd_server_check_device(srv, dm.devs[i], err, sizeof(err));
		if (ret) {
			fprintf(stderr, "uacd: device %s may not be claimed: %s\n", dm.devs[i]->name, err);
			goto out;
		}
	}

	if (dm.cfg.mlock) {
		if (sanitized_build())
			uacd_info("sanitizer build: memory not locked");
		else if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
			uacd_warn("cannot lock memory (%s): page faults may cause glitches; raise RLIMIT_MEMLOCK or run with CAP_IPC_LOCK",
				  strerror(errno));
	}
	/* Socket bound, devices open, memory locked: root is no longer needed. */
	if (user_opt) {
		ret = drop_privileges(user_opt, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "uacd: %s\n", err);
			goto out;
		}
	}

	for (i = 0; i < (int)dm.n_devs; i++) {
		char desc[512];

		ret = uacd_dev_start(dm.devs[i]);
		if (ret) {
			uacd_err("%s: cannot start: %s", dm.devs[i]->name, strerror(-ret));
			goto out;
		}
		uacd_dev_describe(dm.devs[i], desc, sizeof(desc));
		desc[strcspn(desc, "\n")] = '\0';
		uacd_notice("device %s", desc);
	}
	/* USB devices that come and go (usb... specs only; nothing for sim). */
	{
		const struct uacd_hotplug_ops hp_ops = {
			.adopt = adopt_device,
			.release = release_device,
			.data = &dm,
		};

		ret = uacd_hotplug_start(srv, (const char (*)[512])dm.cfg.devices, dm.cfg.n_devices,
					 &hp_ops, &hotplug);
	}
	if (n_waiting && !uacd_hotplug_following(hotplug))
		uacd_warn("%d absent device(s) will not be noticed when plugged in: no source of USB events",
			  n_waiting);
	else if (n_waiting)
		uacd_hotplug_rescan(hotplug);
	if (ret)
		uacd_warn("hotplug: %s", strerror(-ret));
	uacd_notice("uacd %s serving %s", PACKAGE_VERSION, dm.cfg.socket);
	if (notify_fd >= 0) {
		char ok = 0;
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		/* Serving: let go of the terminal and of whoever waits on our output. */
		uacd_log_use_syslog();
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			if (null > STDERR_FILENO)
				close(null);
		}
		if (write(notify_fd, &ok, 1) != 1)
			(void)0;
		close(notify_fd);
		notify_fd = -1;
	}
	ret = uacd_server_run(srv);
	status = ret ? 1 : 0;
out:
	uacd_hotplug_stop(hotplug);	/* frees the devices it created */
	uacd_server_free(srv);
	while (dm.n_devs)
		drop_device(&dm, dm.n_devs - 1, true);
	rcu_barrier();
	uacd_log_drain();
	if (notify_fd >= 0)
		close(notify_fd);	/* parent reads EOF: exit status 1 */
	return status;
}
