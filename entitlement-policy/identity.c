/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * identity.c - who is on the other end of a uacd socket.
 *
 * How it works
 * ------------
 * At connect time (uacpol_identity_from_socket) we take:
 *   - SO_PEERCRED: pid, uid, gid as they were when the peer called connect();
 *     the kernel stores them, so a later setuid()/exec cannot change them;
 *   - a pidfd for that process: SO_PEERPIDFD (Linux >= 6.5) names exactly the
 *     peer; on older kernels pidfd_open(pid), which has a small window in
 *     which a dead peer's pid could be recycled (see below);
 *   - from /proc/PID: supplementary groups (status "Groups:"), the executable
 *     (readlink of exe plus st_dev/st_ino of the file it points to), the
 *     cgroup (v2 "0::" line, or the v1 name=systemd hierarchy) and the
 *     systemd unit derived from the cgroup path.
 * /proc/PID is read by number, so after reading we poll the pidfd: if the
 * process is still alive its pid cannot have been reused, hence what we read
 * was its own.  If it exited meanwhile the identity is refused (-ESRCH).
 *
 * Why re-check: rights may depend on the executable ("only /usr/bin/obs may
 * record").  A process that connected as /usr/bin/obs could exec() a shell
 * script and keep the socket.  uacpol_identity_recheck() compares the
 * executable's device and inode now with those taken at connect, through the
 * same pidfd, and reports -EPERM ("exec'd ... after connecting") on change;
 * uacpol_check_client() calls it before every decision.
 *
 * Executable paths.  /proc/PID/exe is the path of the file the kernel
 * actually executed, with symlinks already resolved: rules must name the
 * target (/usr/bin/python3.11, not /usr/bin/python3).  The path is trusted
 * only when stat(path) leads to the same inode as /proc/PID/exe; otherwise
 * (deleted - the kernel appends " (deleted)" - replaced on disk, or a process
 * in another mount namespace) exe_unverified is set, the suffix is stripped
 * for display, and exe rules never allow it.
 *
 * Privileges: reading another user's /proc/PID/exe needs ptrace read access
 * (root or CAP_SYS_PTRACE).  Without it exe stays "" (unknown) and the
 * re-check can only test liveness - harmless, since exe rules then never
 * allow that client either.
 *
 * Not detected: a live process that passes its connected socket to another
 * process (SCM_RIGHTS); the connecting process vouches for its socket.  And
 * SO_PEERCRED is frozen at connect(), but /proc is read at accept time: a
 * process that execs in between is seen as the program it became.  Since
 * same-user code can ptrace/LD_PRELOAD that user's programs anyway, exe
 * rules separate programs, not mutually hostile ones (uacd-policy.yml(5)).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "entitlement-policy/uacpol.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77		/* asm-generic; Linux 6.5 */
#endif

/* tests build a second copy with -DUACPOL_TEST_NO_PEERPIDFD (Linux < 6.5 path) */
#ifdef UACPOL_TEST_NO_PEERPIDFD
static const bool peer_pidfd_sockopt = false;
#else
static const bool peer_pidfd_sockopt = true;
#endif

#define DELETED_SUFFIX " (deleted)"
#define PROC_FILE_MAX 65536	/* /proc/PID/status and cgroup are small */

static int sys_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	long r = syscall(SYS_pidfd_open, pid, 0);

	if (r < 0)
		return -errno;
	return (int)r;
#else
	return -ENOSYS;
#endif
}

/* 0 alive, -ESRCH exited (a zombie counts as exited), other -errno. */
static int pidfd_alive(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int r;

	do {
		r = poll(&pfd, 1, 0);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r > 0 && (pfd.revents & (POLLIN | POLLHUP)))
		return -ESRCH;
	if (r > 0 && (pfd.revents & POLLNVAL))
		return -EBADF;
	return 0;
}

/* Reads a small /proc file into a NUL-terminated heap buffer. */
static int read_proc(pid_t pid, const char *name, char **out)
{
	char path[64], *buf;
	size_t got = 0;
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(PROC_FILE_MAX);
	if (!buf) {
		err = -ENOMEM;
		goto err_close;
	}
	while (got < PROC_FILE_MAX - 1) {
		n = read(fd, buf + got, PROC_FILE_MAX - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto err_free_buf;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	*out = buf;
	return 0;

err_free_buf:
	free(buf);
err_close:
	close(fd);
	return err;
}

static int read_status(pid_t pid, struct uacpol_client *c, bool want_ids)
{
	char *buf, *line, *end;
	int err;

	err = read_proc(pid, "status", &buf);
	if (err < 0)
		return err;
	c->n_groups = 0;
	for (line = buf; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (want_ids && strncmp(line, "Uid:", 4) == 0) {
			unsigned long r, e;

			if (sscanf(line + 4, "%lu %lu", &r, &e) == 2)
				c->uid = (uid_t)e;
		} else if (want_ids && strncmp(line, "Gid:", 4) == 0) {
			unsigned long r, e;

			if (sscanf(line + 4, "%lu %lu", &r, &e) == 2)
				c->gid = (gid_t)e;
		} else if (strncmp(line, "Groups:", 7) == 0) {
			char *p = line + 7, *q;

			while (c->n_groups < UACPOL_MAX_GROUPS) {
				unsigned long g;

				errno = 0;
				g = strtoul(p, &q, 10);
				if (q == p || errno)
					break;
				c->groups[c->n_groups++] = (gid_t)g;
				p = q;
			}
		}
	}
	free(buf);
	return 0;
}

/* The innermost .service or .scope in a cgroup path, like systemd does. */
void uacpol_unit_from_cgroup(const char *cg, char *unit, size_t len)
{
	const char *p = cg ? cg : "", *best = NULL;
	size_t best_len = 0;

	if (!unit || len == 0)
		return;
	unit[0] = '\0';
	if (!cg)
		return;
	while (*p) {
		const char *s = p, *e;
		size_t n;

		while (*s == '/')
			s++;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if ((n > 8 && memcmp(s + n - 8, ".service", 8) == 0) ||
		    (n > 6 && memcmp(s + n - 6, ".scope", 6) == 0)) {
			best = s;
			best_len = n;
		}
		if (!e)
			break;
		p = e;
	}
	if (best && best_len < len) {
		memcpy(unit, best, best_len);
		unit[best_len] = '\0';
	}
}

static int read_cgroup(pid_t pid, struct uacpol_client *c)
{
	char *buf, *line, *end, *v1 = NULL, *v2 = NULL;
	int err;

	err = read_proc(pid, "cgroup", &buf);
	if (err < 0)
		return err;
	for (line = buf; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (strncmp(line, "0::", 3) == 0)
			v2 = line + 3;
		else if (strstr(line, ":name=systemd:"))
			v1 = strstr(line, ":name=systemd:") + 14;
	}
	if (!v2)
		v2 = v1;
	if (v2 && strlen(v2) < sizeof(c->cgroup)) {
		memcpy(c->cgroup, v2, strlen(v2) + 1);
		uacpol_unit_from_cgroup(c->cgroup, c->unit, sizeof(c->unit));
	}
	free(buf);
	return 0;
}

static int read_exe(pid_t pid, struct uacpol_client *c)
{
	char link[64], path[sizeof(c->exe)];
	struct stat st, st_path;
	size_t n_suffix = strlen(DELETED_SUFFIX);
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	if (stat(link, &st) < 0) {
		/* kernel threads have no exe; EACCES: not ours to read */
		if (errno == ENOENT || errno == ESRCH)
			return -ESRCH;
		return 0;
	}
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : 0;
	path[n] = '\0';
	c->exe_dev = st.st_dev;
	c->exe_ino = st.st_ino;
	if (stat(path, &st_path) == 0 && st_path.st_dev == st.st_dev && st_path.st_ino == st.st_ino) {
		c->exe_unverified = false;
	} else {
		c->exe_unverified = true;
		if ((size_t)n > n_suffix && strcmp(path + n - n_suffix, DELETED_SUFFIX) == 0)
			path[n - n_suffix] = '\0';
	}
	memcpy(c->exe, path, strlen(path) + 1);
	return 0;
}

static void client_init(struct uacpol_client *c)
{
	memset(c, 0, sizeof(*c));
	c->pidfd = -1;
}

/* Everything but uid/gid; then proves the data was the live process's. */
static int gather(pid_t pid, struct uacpol_client *c, bool want_ids)
{
	int err;

	err = read_status(pid, c, want_ids);
	if (err < 0)
		return err == -ENOENT ? -ESRCH : err;
	err = read_exe(pid, c);
	if (err < 0)
		return err;
	err = read_cgroup(pid, c);
	if (err < 0 && err != -ENOENT)
		return err;
	if (err == -ENOENT)
		return -ESRCH;
	return pidfd_alive(c->pidfd);
}

int uacpol_identity_from_socket(int fd, struct uacpol_client *out)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int pidfd = -1, err;

	if (!out)
		return -EINVAL;
	client_init(out);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (cred.pid <= 0)
		return -ESRCH;	/* peer in a pid namespace we cannot see */
	len = sizeof(pidfd);
	err = peer_pidfd_sockopt ? getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) : -1;
	if (err < 0) {
		if (peer_pidfd_sockopt && errno != ENOPROTOOPT && errno != EINVAL && errno != EOPNOTSUPP)
			return errno == ESRCH ? -ESRCH : -errno;
		/* Linux < 6.5: see the window described at the top */
		pidfd = sys_pidfd_open(cred.pid);
		if (pidfd < 0)
			return pidfd;
	}
	out->pidfd = pidfd;
	out->pid = cred.pid;
	out->uid = cred.uid;
	out->gid = cred.gid;
	err = gather(cred.pid, out, false);
	if (err < 0)
		goto err_release;
	return 0;

err_release:
	uacpol_identity_release(out);
	return err;
}

int uacpol_identity_from_pid(pid_t pid, struct uacpol_client *out)
{
	int err;

	if (!out || pid <= 0)
		return -EINVAL;
	client_init(out);
	err = sys_pidfd_open(pid);
	if (err < 0)
		return err;
	out->pidfd = err;
	out->pid = pid;
	err = gather(pid, out, true);
	if (err < 0)
		goto err_release;
	return 0;

err_release:
	uacpol_identity_release(out);
	return err;
}

int uacpol_identity_recheck(const struct uacpol_client *c, char *why, size_t len)
{
	char link[64], now[4096];
	struct stat st;
	ssize_t n;
	int err;

	if (why && len)
		why[0] = '\0';
	if (!c)
		return -EINVAL;
	if (c->pidfd < 0) {
		if (why && len)
			snprintf(why, len, "no pidfd for process %d", (int)c->pid);
		return -EBADF;
	}
	err = pidfd_alive(c->pidfd);
	if (err < 0)
		goto out_gone;
	if (c->exe_dev == 0 && c->exe_ino == 0)
		return 0;	/* executable unknown since connect: liveness only */
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)c->pid);
	if (stat(link, &st) < 0) {
		err = -errno;
		if (err == -ENOENT || err == -ESRCH)
			goto out_gone;
		if (why && len)
			snprintf(why, len, "cannot verify the executable of process %d: %s",
				 (int)c->pid, strerror(-err));
		return -EPERM;
	}
	/* the pid may have died and been reused between poll and stat */
	err = pidfd_alive(c->pidfd);
	if (err < 0)
		goto out_gone;
	if (st.st_dev != c->exe_dev || st.st_ino != c->exe_ino) {
		n = readlink(link, now, sizeof(now) - 1);
		if (n < 0)
			n = 0;
		now[n] = '\0';
		if (why && len)
			snprintf(why, len, "process %d exec'd %.100s after connecting as %.100s",
				 (int)c->pid, n ? now : "another program", c->exe[0] ? c->exe : "?");
		return -EPERM;
	}
	return 0;

out_gone:
	if (why && len)
		snprintf(why, len, "process %d has exited since it connected", (int)c->pid);
	return err == -EBADF ? -EBADF : -ESRCH;
}

void uacpol_identity_release(struct uacpol_client *c)
{
	if (!c)
		return;
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
}
