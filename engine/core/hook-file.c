/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Opening a hook file the daemon is about to run (issue 13, item 7).
 *
 * uacd runs a hook's code with its own rights, usually root's, so the file
 * and every directory above it must be changeable by root or uacd's own user
 * only.  The file is opened once, the checks are made on that fd, and the
 * caller dlopen()s /proc/self/fd/N: what was checked is what is loaded, with
 * no window between a stat() and a dlopen() by path.
 *
 * Directories are walked from / down with O_NOFOLLOW, each opened relative
 * to the one above, after realpath() of the directory part (so /lib ->
 * usr/lib works): a component swapped for a symlink on the way is refused,
 * not followed.  The one group/other-writable directory allowed is a sticky
 * one owned by root, like /tmp: there others cannot rename or remove what
 * they do not own.  The file itself may not be a symlink.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/core/hook-file.h"

static int owner_ok(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* 0, or -EPERM with the reason in err. */
static int check_dir(const char *path, const char *dir, int fd, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "hook %s: directory %s: %s", path, dir, strerror(errno));
		return -errno;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(err, errlen,
			 "hook %s: directory %s is owned by uid %u, not by root or uacd's user (uid %u): refused",
			 path, dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !((st.st_mode & S_ISVTX) && st.st_uid == 0)) {
		snprintf(err, errlen, "hook %s: directory %s is writable by %s: refused", path, dir,
			 st.st_mode & S_IWOTH ? "others" : "group");
		return -EPERM;
	}
	return 0;
}

/* Opens the resolved directory rdir component by component: its fd, or -errno. */
static int open_dir_tree(const char *path, const char *rdir, char *err, size_t errlen)
{
	char cur[PATH_MAX], *comp, *save = NULL, walk[PATH_MAX];
	int fd, next, ret;

	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = check_dir(path, "/", fd, err, errlen);
	if (ret)
		goto fail;
	snprintf(walk, sizeof(walk), "%s", rdir);
	cur[0] = '\0';
	for (comp = strtok_r(walk, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		size_t l = strlen(cur);

		snprintf(cur + l, sizeof(cur) - l, "/%s", comp);
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			ret = -errno;
			snprintf(err, errlen, "hook %s: directory %s: %s", path, cur,
				 ret == -ENOTDIR ? "changed while it was checked (now not a directory)"
						 : strerror(-ret));
			goto fail;
		}
		close(fd);
		fd = next;
		ret = check_dir(path, cur, fd, err, errlen);
		if (ret)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return ret;
}

int uacd_hook_file_open(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], rdir[PATH_MAX];
	const char *base = strrchr(path, '/');
	struct stat st;
	int dfd, fd;

	if (path[0] != '/' || !base || !base[1]) {
		snprintf(err, errlen, "hook path must be absolute: %s", path);
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	base++;
	if (!realpath(dir[0] ? dir : "/", rdir)) {
		int e = errno;

		snprintf(err, errlen, "hook %s: %s: cannot open shared object file: %s", path, path,
			 strerror(e));
		return -e;
	}
	dfd = open_dir_tree(path, rdir, err, errlen);
	if (dfd < 0)
		return dfd;
	fd = openat(dfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	close(dfd);
	if (fd < 0) {
		int e = errno;

		if (e == ELOOP)
			snprintf(err, errlen, "hook %s: is a symbolic link: refused", path);
		else
			snprintf(err, errlen, "hook %s: %s: cannot open shared object file: %s", path,
				 path, strerror(e));
		return e == ELOOP ? -EPERM : -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "hook %s: not a regular file", path);
		close(fd);
		return -ENOENT;
	}
	if (!owner_ok(st.st_uid)) {
		snprintf(err, errlen, "hook %s: owned by uid %u, not by root or uacd's user (uid %u): refused",
			 path, (unsigned)st.st_uid, (unsigned)geteuid());
		close(fd);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen, "hook %s is writable by group or others: refused", path);
		close(fd);
		return -EPERM;
	}
	return fd;
}
