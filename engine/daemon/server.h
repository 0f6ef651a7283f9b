/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef UACD_SERVER_H
#define UACD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

struct uacd_device;
struct uacd_registry;
struct uacd_server;
struct uacpol;
struct uacd_limits;

/* Reload callback (SIGHUP, `uacctl reload`): 0 or -errno, with a message. */
typedef int (*uacd_reload_fn)(void *data, char *msg, size_t len);
/* Control thread: listen (or take systemd's socket), set up signals. */
int uacd_server_new(const char *socket_path, struct uacd_registry *reg, struct uacd_server **out);
void uacd_server_set_reload(struct uacd_server *srv, uacd_reload_fn fn, void *data);
/*
 * Control thread: the limits to enforce from now on (uacd.conf(5)); until
 * called, the defaults.  Streams already open stay.
 */
void uacd_server_set_limits(struct uacd_server *srv, const struct uacd_limits *l);
/* Serve until SIGINT/SIGTERM.  Returns 0 or -errno. */
int uacd_server_run(struct uacd_server *srv);
void uacd_server_free(struct uacd_server *srv);
struct uacd_device *uacd_server_find_device(struct uacd_server *srv, const char *name);

/*
 * Control thread: take ownership of a loaded policy (NULL denies every
 * client) and end the streams of clients that lost their right (-EACCES).
 */
void uacd_server_set_policy(struct uacd_server *srv, struct uacpol *p);
/* May the daemon claim d?  0 or -EACCES with the rule in why. */
int uacd_server_check_device(struct uacd_server *srv, struct uacd_device *d, char *why, size_t len);

/*
 * Control thread: end every stream on d (every stream of every device when
 * d is NULL) for its client with error (e.g. -ENODEV; -ESHUTDOWN when the
 * daemon stops), which lands in the ring header before the client's wake.
 */
void uacd_server_end_streams(struct uacd_server *srv, struct uacd_device *d, int error);

/* Control thread: call cb(data) on the control thread whenever fd is readable. */
int uacd_server_watch(struct uacd_server *srv, int fd, void (*cb)(void *data), void *data);
void uacd_server_unwatch(struct uacd_server *srv, int fd);

#endif /* UACD_SERVER_H */
