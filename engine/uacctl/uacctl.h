/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pieces of uacctl shared by its files: the connection to uacd, exit
 * codes, JSON output.  Not a library: uacctl's own.
 */
#ifndef UACD_UACCTL_H
#define UACD_UACCTL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status, documented in uacctl(1). */
#define EXIT_FAILED 1		/* the daemon said no (not its policy), or failed */
#define EXIT_USAGE 2		/* bad command line */
#define EXIT_NO_DAEMON 3	/* cannot reach uacd */
#define EXIT_DENIED 4		/* uacd's policy denied the request */

/* The request never reached uacd (connect failed): exit EXIT_NO_DAEMON. */
#define UACCTL_ENOCONN (-ENOTCONN)

extern const char *uacctl_socket_path;
extern int uacctl_json;
extern int uacctl_timeout_ms;	/* --timeout: for connect and each reply */

/*
 * One request, one reply on a connection of its own (engine/client; no
 * HELLO: uacctl opens no stream): connect, send req (its seq and size are
 * filled), receive up to rep_size bytes into rep.  Returns
 * the number of bytes received (>= a header), or UACCTL_ENOCONN (with a
 * message on stderr: also when uacd did not answer within
 * uacctl_timeout_ms), or another -errno.
 */
int uacctl_call(void *req, size_t req_size, void *rep, size_t rep_size);

/*
 * Report a failed request: "uacctl: WHAT: TEXT" on stderr and, with
 * --json, {"error":TEXT,"exit":N} on stdout.  Returns the exit status for
 * ret: EXIT_NO_DAEMON, EXIT_DENIED for -EACCES (the policy's answer),
 * else EXIT_FAILED (-EPERM too: uacd's own refusals, such as a hook file
 * others may write or a read-only control, are not the policy's).
 */
int uacctl_fail(const char *what, int ret, const char *text);

/* A JSON string with its quotes, escaped. */
void uacctl_json_string(FILE *f, const char *s);

/*
 * Text from the daemon (client names come from clients) made safe for a
 * terminal: every control character but newline and tab, and DEL, becomes
 * '?', so no ESC sequence or BEL reaches it.  JSON output escapes instead.
 */
void uacctl_clean_text(char *s);
/* The same for a fixed-size field, terminated at n - 1 first. */
void uacctl_clean_field(char *s, size_t n);

/* uacctl-stats.c: `status` and `stats`. */
int uacctl_status(int argc, char **argv);
int uacctl_stats(int argc, char **argv);

#endif /* UACD_UACCTL_H */
