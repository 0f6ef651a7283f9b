/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef UACD_CORE_HOOK_FILE_H
#define UACD_CORE_HOOK_FILE_H

#include <stddef.h>

/*
 * Opens the hook file at the absolute path for loading: a regular file, not
 * a symlink, owned by root or uacd's euid and not writable by group or
 * others, below directories that are all owned by root or uacd's euid and
 * not writable by group or others (a root-owned sticky directory such as
 * /tmp is the exception).  Returns the fd (O_CLOEXEC) to dlopen through
 * /proc/self/fd/N, or -errno with the reason in err (-EPERM: refused).
 */
int uacd_hook_file_open(const char *path, char *err, size_t errlen);

#endif
