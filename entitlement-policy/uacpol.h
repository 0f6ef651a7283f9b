/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * uacpol.h - libuacpolicy: the entitlement policy of uacd.
 *
 * DriverKit gates a driver twice: which hardware it may serve (transport and
 * family entitlements with vendor/product matches) and which applications may
 * talk to it (userclient-access, allow-any-userclient-access).  libuacpolicy
 * does the same for uacd, from /etc/uacd/policy.yml (see uacd-policy.yml(5)):
 *
 *  - device rules decide which devices the daemon may claim;
 *  - client rules decide which local processes may play, record, change
 *    controls, reload the DSP chain, install hooks or administer the daemon.
 *
 * Both lists are ordered: the first rule that matches decides; when none
 * matches the answer is "deny" and the rule is named "default-deny".  Every
 * decision carries the name of the rule that made it, for logs and for
 * `uacctl policy check`.
 *
 * Threads: a loaded struct uacpol is immutable, so any number of threads may
 * read it at once; the daemon publishes a new one with RCU on reload and frees
 * the old one after a grace period.  Nothing here runs on the RT thread (the
 * identity functions read /proc and may block on it).
 *
 * Errors: functions return 0 or a negative errno.
 */
#ifndef UACD_UACPOL_H
#define UACD_UACPOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The rule name reported when no rule matched. */
#define UACPOL_DEFAULT_DENY "default-deny"
/* The rule name reported when the client's identity failed its re-check. */
#define UACPOL_IDENTITY_RULE "identity-changed"

#define UACPOL_MAX_GROUPS 64

enum uacpol_action {
	UACPOL_PLAY,
	UACPOL_RECORD,
	UACPOL_CONTROL,	/* volume, mute, other controls */
	UACPOL_RELOAD,	/* reload the DSP chain / policy */
	UACPOL_HOOK,	/* install a processing hook */
	UACPOL_ADMIN,	/* everything else that changes the daemon */
};
#define UACPOL_N_ACTIONS 6

/* "play", "record", ...; "?" for a value outside the enum. */
const char *uacpol_action_name(enum uacpol_action a);
/* Parses an action name (exact, lower case).  Returns 0 or -EINVAL. */
int uacpol_action_parse(const char *s, enum uacpol_action *out);

/* A loaded, validated policy; opaque and immutable after load. */
struct uacpol;

/*
 * Loads and validates a policy file.  On error returns a negative errno and,
 * if err is not NULL, writes "file:line:column: message" (the message names
 * the offending key) into err.  User and group names are resolved with
 * getpwnam()/getgrnam() here, once.  *out is owned by the caller
 * (uacpol_free()).
 *   -ENOENT/-EACCES/...  the file cannot be read
 *   -EINVAL              the policy is not valid (err says why and where)
 *   -ENOMEM              out of memory
 */
int uacpol_load(const char *path, struct uacpol **out, char *err, size_t errlen);
/* Same, from memory; filename is only used in messages (may be NULL). */
int uacpol_parse(const char *text, size_t len, const char *filename,
		 struct uacpol **out, char *err, size_t errlen);
/* Accepts NULL. */
void uacpol_free(struct uacpol *p);

/* Number of device / client rules (for status output and tests). */
size_t uacpol_n_device_rules(const struct uacpol *p);
size_t uacpol_n_client_rules(const struct uacpol *p);

/*
 * A device as the daemon sees it.  Unknown attributes are NULL, -1
 * (usb_class, usb_subclass) or 0 (vid and pid both 0).  A device that has no
 * serial number has serial "" (known to be empty), not NULL.  The simulated
 * device (kind "sim") has no USB attributes: rules that test them never
 * match it.
 */
struct uacpol_device {
	const char *name;	/* "sim", or the daemon's name for a USB device */
	const char *kind;	/* "usb" or "sim" (NULL: unknown) */
	int usb_class, usb_subclass;	/* -1 unknown */
	uint16_t vid, pid;	/* both 0: unknown */
	const char *serial;	/* NULL: unknown */
	const char *bus_path;	/* "1-2.3"; NULL: unknown */
};

/*
 * Who is on the other end of a socket.  Filled by
 * uacpol_identity_from_socket(), or by hand (tests, `policy check`) with
 * pidfd = -1, which skips the liveness re-check.
 */
struct uacpol_client {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	gid_t groups[UACPOL_MAX_GROUPS];	/* supplementary groups */
	int n_groups;
	char exe[4096];		/* resolved path (" (deleted)" stripped); "" unknown */
	dev_t exe_dev;
	ino_t exe_ino;
	char cgroup[512];	/* cgroup v2 path, "" unknown */
	char unit[256];		/* systemd unit derived from cgroup, "" unknown */
	int pidfd;		/* -1: none */
	/*
	 * exe does not lead to the running executable (deleted, replaced on
	 * disk, other mount namespace): exe rules never allow this client
	 */
	bool exe_unverified;
};

struct uacpol_decision {
	bool allow;
	char rule[128];		/* rule that decided, or "default-deny" */
	char reason[256];	/* one human sentence, for logs and errors */
};

/*
 * May the daemon claim this device?  Device rules, first match wins.
 * Returns 0 (the answer is in *out) or -EINVAL for NULL arguments.
 */
int uacpol_check_device(const struct uacpol *p, const struct uacpol_device *dev,
			struct uacpol_decision *out);

/*
 * May this client perform action a on the device?  Client rules, first match
 * wins.  If c->pidfd >= 0 the identity is re-checked first
 * (uacpol_identity_recheck()); a client that exited or exec'd another program
 * since it connected is denied with rule "identity-changed".
 *
 * uacpol_check_client() knows only the device's name (kind "sim" when the
 * name is "sim"); uacpol_check_client_device() gets every attribute.  When a
 * rule selects devices by attributes that are unknown, an allow rule does not
 * match and a deny rule does (fail closed).
 * Returns 0 (answer in *out) or -EINVAL for bad arguments.
 */
int uacpol_check_client(const struct uacpol *p, const struct uacpol_client *c,
			const char *device_name, enum uacpol_action a,
			struct uacpol_decision *out);
int uacpol_check_client_device(const struct uacpol *p, const struct uacpol_client *c,
			       const struct uacpol_device *dev, enum uacpol_action a,
			       struct uacpol_decision *out);

/*
 * Takes the identity of the peer of a connected AF_UNIX stream socket, at
 * connect time: SO_PEERCRED, a pidfd (SO_PEERPIDFD where the kernel has it,
 * else pidfd_open()), supplementary groups, executable (path, dev, ino),
 * cgroup and systemd unit.  /proc is read and then the pidfd is polled, so
 * the data cannot belong to a recycled pid.  Release with
 * uacpol_identity_release().
 *   -ESRCH   the peer has already exited
 *   -ENOTSOCK/-EINVAL/... getsockopt failed
 */
int uacpol_identity_from_socket(int fd, struct uacpol_client *out);
/*
 * 0: the same program still runs in the process; -ESRCH: it exited;
 * -EPERM: it exec'd another program (why says which); -EBADF: no pidfd.
 */
int uacpol_identity_recheck(const struct uacpol_client *c, char *why, size_t len);
/* Closes the pidfd (sets it to -1).  Accepts a half-filled client. */
void uacpol_identity_release(struct uacpol_client *c);
/* Fills *out for process pid (no socket, uid/gid from /proc); opens a pidfd. */
int uacpol_identity_from_pid(pid_t pid, struct uacpol_client *out);
/*
 * The systemd unit a cgroup path belongs to: the innermost ".service" or
 * ".scope" component ("/user.slice/user-1000.slice/user@1000.service/
 * app.slice/mpv.service" -> "mpv.service"); "" when there is none.
 */
void uacpol_unit_from_cgroup(const char *cgroup, char *unit, size_t len);

/*
 * `uacctl policy ...`: argv[0] is "policy".
 *   policy check --uid U [--gid G] [--groups G1,G2] [--exe PATH] [--unit UNIT]
 *                [--cgroup PATH] --device SPEC --action ACTION
 *                [--policy FILE] [--json]
 *   policy lint FILE
 * check: exit 0 allow, 1 deny, 2 error.  lint: 0 valid, 2 invalid.
 * ACTION "claim" asks the device side.  SPEC: "sim", a device name, or
 * "usb:VID:PID[:SERIAL][,path=P][,class=N][,subclass=N][,name=NAME]",
 * "usb:path=1-2".
 */
int uacpol_cli_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif /* UACD_UACPOL_H */
