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
#include "engine/core/uacd-device.h"
#include "engine/daemon/registry.h"
#include "engine/core/log.h"
#include "engine/daemon/server.h"
#include "entitlement-policy/uacpol.h"

#define UACD_DEFAULT_POLICY SYSCONFDIR "/uacd/policy.yml"
#define UACD_DEFAULT_DSP SYSCONFDIR "/uacd/dsp.yml"

struct daemon {
	struct uacd_config cfg;
	const char *config_path;
	bool config_explicit;
	/* hooks given on the command line survive reloads of the file */
	char cli_hooks[UACD_CONFIG_MAX_HOOKS][512];
	int n_cli_hooks;
	const char *policy_opt;		/* --policy */
	const char *dsp_opt;		/* --dsp */
	struct uacd_registry *reg;	/* every device */
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

static const char *dsp_path(struct daemon *dm, const struct uacd_config *cfg)
{
	if (dm->dsp_opt)
		return dm->dsp_opt;
	if (cfg->dsp[0])
		return cfg->dsp;
	return access(UACD_DEFAULT_DSP, F_OK) == 0 ? UACD_DEFAULT_DSP : "";
}

static const char *policy_path(struct daemon *dm, const struct uacd_config *cfg)
{
	return dm->policy_opt ? dm->policy_opt : cfg->policy[0] ? cfg->policy : UACD_DEFAULT_POLICY;
}

/*
 * What every device gets under config cfg: the RT priority (from startup:
 * priorities need a restart), the DSP chains, the hook lines (command line
 * first, then the file).
 */
static void make_profile(struct daemon *dm, const struct uacd_config *cfg, struct uacd_profile *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->rt_priority = dm->cfg.rt_priority;
	snprintf(p->dsp[0], sizeof(p->dsp[0]), "%s", dsp_path(dm, cfg));
	snprintf(p->dsp[1], sizeof(p->dsp[1]), "%s", cfg->dsp_capture);
	for (i = 0; i < dm->n_cli_hooks; i++)
		snprintf(p->hooks[p->n_hooks++], sizeof(p->hooks[0]), "%s", dm->cli_hooks[i]);
	for (i = 0; i < cfg->n_hooks; i++)
		snprintf(p->hooks[p->n_hooks++], sizeof(p->hooks[0]), "%s", cfg->hooks[i]);
}

/*
 * SIGHUP / `uacctl reload`: the config file, the DSP chains, the hooks and
 * the policy, all or nothing.  Everything is loaded and built first (the
 * registry's transaction for every device's chains and hooks); only when
 * all of it succeeded is it swapped in.  Socket, devices and priorities
 * need a restart.
 */
static int reload(void *data, char *msg, size_t len)
{
	static const char kept[] = "(nothing changed: the running configuration, policy, DSP chains and hooks stay)";
	struct daemon *dm = data;
	struct uacd_config cfg;
	struct uacd_profile prof;
	struct uacd_reload *t = NULL;
	struct uacpol *pol = NULL;
	char err[512];
	unsigned n;
	int ret;

	uacd_config_defaults(&cfg);
	ret = uacd_config_load(&cfg, dm->config_path, err, sizeof(err));
	if (ret && !(ret == -ENOENT && !dm->config_explicit)) {
		snprintf(msg, len, "%s %s", err, kept);
		return -EINVAL;
	}
	ret = uacpol_load(policy_path(dm, &cfg), &pol, err, sizeof(err));
	if (ret) {
		snprintf(msg, len, "%s %s", err, kept);
		return ret;
	}
	make_profile(dm, &cfg, &prof);
	ret = uacd_registry_reload_build(dm->reg, &prof, &t, err, sizeof(err));
	if (ret) {
		uacpol_free(pol);
		snprintf(msg, len, "%s %s", err, kept);
		return ret;
	}
	/* Commit: nothing below can fail. */
	uacd_registry_reload_commit(dm->reg, t);
	uacd_server_set_policy(dm->srv, pol);
	uacd_server_set_limits(dm->srv, &cfg.limits);
	dm->cfg.limits = cfg.limits;
	snprintf(dm->cfg.policy, sizeof(dm->cfg.policy), "%s", cfg.policy);
	snprintf(dm->cfg.dsp, sizeof(dm->cfg.dsp), "%s", cfg.dsp);
	snprintf(dm->cfg.dsp_capture, sizeof(dm->cfg.dsp_capture), "%s", cfg.dsp_capture);
	dm->cfg.n_hooks = cfg.n_hooks;
	memcpy(dm->cfg.hooks, cfg.hooks, sizeof(cfg.hooks));
	n = uacd_registry_count(dm->reg);
	snprintf(msg, len, "policy %s, DSP %s, %d hook(s) on %u device(s)", policy_path(dm, &dm->cfg),
		 prof.dsp[0][0] ? prof.dsp[0] : "none", prof.n_hooks, n);
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

/* What the command line asked for beyond struct daemon's fields. */
struct cli {
	const char *socket, *user;
	char devices[UACD_CONFIG_MAX_DEVICES][512];
	int n_devices, priority, verbose, quiet, no_mlock, wait;
	bool foreground;
};

/* Returns -1 to go on, or the exit status (help, version, usage error). */
static int parse_options(int argc, char **argv, struct daemon *dm, struct cli *o)
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
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "fc:s:d:H:P:D:p:u:wvqhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->foreground = true;
			break;
		case 'c':
			dm->config_path = optarg;
			dm->config_explicit = true;
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'd':
			if (o->n_devices >= UACD_CONFIG_MAX_DEVICES) {
				fprintf(stderr, "uacd: at most %d devices\n", UACD_CONFIG_MAX_DEVICES);
				return 2;
			}
			snprintf(o->devices[o->n_devices++], sizeof(o->devices[0]), "%s", optarg);
			break;
		case 'H':
			if (dm->n_cli_hooks >= UACD_CONFIG_MAX_HOOKS) {
				fprintf(stderr, "uacd: at most %d hooks\n", UACD_CONFIG_MAX_HOOKS);
				return 2;
			}
			snprintf(dm->cli_hooks[dm->n_cli_hooks++], sizeof(dm->cli_hooks[0]), "%s", optarg);
			break;
		case 'P':
			dm->policy_opt = optarg;
			break;
		case 'D':
			dm->dsp_opt = optarg;
			break;
		case 'p':
			o->priority = (int)strtol(optarg, &end, 10);
			if (end == optarg || *end || o->priority < 0 || o->priority > 99) {
				fprintf(stderr, "uacd: --priority %s: expected 0 (off) to 99\n", optarg);
				return 2;
			}
			break;
		case 'M':
			o->no_mlock = 1;
			break;
		case 'w':
			o->wait = 1;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'q':
			o->quiet = 1;
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
	return -1;
}

/* The config file, then what the command line overrides.  0 or -errno (said). */
static int configure(struct daemon *dm, const struct cli *o)
{
	char err[512];
	int ret;

	uacd_config_defaults(&dm->cfg);
	ret = uacd_config_load(&dm->cfg, dm->config_path, err, sizeof(err));
	if (ret && !(ret == -ENOENT && !dm->config_explicit)) {
		fprintf(stderr, "uacd: %s\n", err);
		return ret;
	}
	if (o->socket)
		snprintf(dm->cfg.socket, sizeof(dm->cfg.socket), "%s", o->socket);
	if (o->priority >= 0)
		dm->cfg.rt_priority = o->priority;
	if (o->no_mlock)
		dm->cfg.mlock = false;
	if (o->wait)
		dm->cfg.wait_for_devices = true;
	if (o->n_devices) {
		memcpy(dm->cfg.devices, o->devices, sizeof(o->devices));
		dm->cfg.n_devices = o->n_devices;
	}
	if (!dm->cfg.n_devices) {
		snprintf(dm->cfg.devices[0], sizeof(dm->cfg.devices[0]), "sim");
		dm->cfg.n_devices = 1;
	}
	if (o->quiet)
		dm->cfg.log_level = UACD_LOG_ERR;
	else if (o->verbose)
		dm->cfg.log_level = o->verbose > 1 ? UACD_LOG_DEBUG : UACD_LOG_INFO;
	uacd_log_set_level(dm->cfg.log_level);
	return 0;
}

/* SIGPIPE ignored; the signals the server's signalfd reads blocked before any thread exists. */
static void setup_signals(void)
{
	sigset_t mask;

	/* A client that vanishes must not kill us through a pipe or socket write. */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * liburcu's call_rcu worker and the device threads inherit the mask:
	 * a thread with them unblocked would take SIGTERM's default action.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
}

/* The registry with every configured device, prepared.  0 or -errno (said). */
static int create_devices(struct daemon *dm)
{
	struct uacd_profile prof;
	char err[512];
	int i, ret;

	make_profile(dm, &dm->cfg, &prof);
	ret = uacd_registry_new(&prof, &dm->reg);
	if (ret) {
		fprintf(stderr, "uacd: %s\n", strerror(-ret));
		return ret;
	}
	for (i = 0; i < dm->cfg.n_devices; i++) {
		ret = uacd_registry_create(dm->reg, dm->cfg.devices[i], dm->cfg.wait_for_devices,
					   err, sizeof(err));
		if (ret) {
			fprintf(stderr, "uacd: %s\n", err);
			return ret;
		}
	}
	return 0;
}

/* Policy, socket, the claim check.  0 or -errno (said). */
static int open_server(struct daemon *dm)
{
	struct uacpol *pol = NULL;
	char err[512];
	int ret;

	/* Default deny: without a policy nobody could use the daemon. */
	ret = uacpol_load(policy_path(dm, &dm->cfg), &pol, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "uacd: %s\nuacd: the policy decides who may use uacd; see uacd-policy.yml(5)\n", err);
		return ret;
	}
	ret = uacd_server_new(dm->cfg.socket, dm->reg, &dm->srv);
	if (ret) {
		uacpol_free(pol);
		fprintf(stderr, "uacd: cannot serve %s: %s\n", dm->cfg.socket, strerror(-ret));
		return ret;
	}
	uacd_server_set_policy(dm->srv, pol);
	uacd_server_set_limits(dm->srv, &dm->cfg.limits);
	uacd_registry_set_server(dm->reg, dm->srv);
	uacd_server_set_reload(dm->srv, reload, dm);
	ret = uacd_registry_check(dm->reg, err, sizeof(err));
	if (ret)
		fprintf(stderr, "uacd: %s\n", err);
	return ret;
}

/* Memory locked, root given up.  0 or -errno (said). */
static int lock_and_drop(struct daemon *dm, const char *user)
{
	char err[512];
	int ret;

	if (dm->cfg.mlock) {
		if (sanitized_build())
			uacd_info("sanitizer build: memory not locked");
		else if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
			uacd_warn("cannot lock memory (%s): page faults may cause glitches; raise RLIMIT_MEMLOCK or run with CAP_IPC_LOCK",
				  strerror(errno));
	}
	/* Socket bound, devices open, memory locked: root is no longer needed. */
	if (!user)
		return 0;
	ret = drop_privileges(user, err, sizeof(err));
	if (ret)
		fprintf(stderr, "uacd: %s\n", err);
	return ret;
}

/* Serving: let go of the terminal and of the parent that waits on our output. */
static void detach_done(int *notify_fd)
{
	char ok = 0;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	uacd_log_use_syslog();
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (write(*notify_fd, &ok, 1) != 1)
		(void)0;
	close(*notify_fd);
	*notify_fd = -1;
}

int main(int argc, char **argv)
{
	struct daemon dm;
	struct cli o;
	int notify_fd = -1, ret, status = 1;
	char err[512];

	memset(&dm, 0, sizeof(dm));
	memset(&o, 0, sizeof(o));
	o.priority = -1;
	dm.config_path = UACD_DEFAULT_CONFIG;
	ret = parse_options(argc, argv, &dm, &o);
	if (ret >= 0)
		return ret;
	if (configure(&dm, &o))
		return 1;
	setup_signals();
	if (create_devices(&dm))
		goto out;
	if (!o.foreground) {
		ret = daemonize(&notify_fd);
		if (ret) {
			fprintf(stderr, "uacd: cannot detach: %s\n", strerror(-ret));
			goto out;
		}
	}
	if (open_server(&dm) || lock_and_drop(&dm, o.user))
		goto out;
	/* Every device starts; usb specs are followed for arrivals (nothing for sim). */
	ret = uacd_registry_start(dm.reg, (const char (*)[512])dm.cfg.devices, dm.cfg.n_devices,
				  err, sizeof(err));
	if (ret) {
		uacd_err("%s", err);
		goto out;
	}
	uacd_notice("uacd %s serving %s", PACKAGE_VERSION, dm.cfg.socket);
	if (notify_fd >= 0)
		detach_done(&notify_fd);
	ret = uacd_server_run(dm.srv);
	status = ret ? 1 : 0;
out:
	/*
	 * Clients hear "uacd stopped" (-ESHUTDOWN in their ring header) rather
	 * than waiting for a daemon that is gone; then devices stop (and the RT
	 * log drains) before the connections close and names go.
	 */
	uacd_server_end_streams(dm.srv, NULL, -ESHUTDOWN);
	uacd_registry_stop(dm.reg);
	uacd_server_free(dm.srv);
	uacd_registry_free(dm.reg);
	rcu_barrier();
	uacd_log_drain();
	if (notify_fd >= 0)
		close(notify_fd);	/* parent reads EOF: exit status 1 */
	return status;
}
