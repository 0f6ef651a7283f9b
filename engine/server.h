/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef UACD_SERVER_H
#define UACD_SERVER_H

#include <stddef.h>

struct uacd_device;
struct uacd_server;

/* Reload callback (SIGHUP, `uacctl reload`): 0 or -errno, with a message. */
typedef int (*uacd_reload_fn)(void *data, char *msg, size_t len);

/* Control thread: listen (or take systemd's socket), set up signals. */
int uacd_server_new(const char *socket_path, struct uacd_device **devs, unsigned n_devs,
		    struct uacd_server **out);
void uacd_server_set_reload(struct uacd_server *srv, uacd_reload_fn fn, void *data);
/* Serve until SIGINT/SIGTERM.  Returns 0 or -errno. */
int uacd_server_run(struct uacd_server *srv);
void uacd_server_free(struct uacd_server *srv);
struct uacd_device *uacd_server_find_device(struct uacd_server *srv, const char *name);

#endif /* UACD_SERVER_H */
