/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Logging.  Control-thread code calls uacd_log() and friends, which write one
 * line to stderr: with sd-daemon level prefixes ("<3>") when stderr is the
 * journal (JOURNAL_STREAM matches), plain "uacd: error: ..." otherwise; a
 * daemon that detached from its terminal logs to syslog instead.
 *
 * RT threads must not block, so they call uacd_rtlog() with a string literal
 * and up to three integers; the record goes into a bounded lock-free queue
 * (multi-producer: one RT thread per device) and the control thread formats
 * and prints it from uacd_log_drain().  When the queue is full the record is
 * counted and dropped; identical messages repeated within a second are
 * folded into "(repeated N times)".
 */
#ifndef UACD_LOG_H
#define UACD_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum uacd_log_level {
	UACD_LOG_ERR = 3,
	UACD_LOG_WARNING = 4,
	UACD_LOG_NOTICE = 5,
	UACD_LOG_INFO = 6,
	UACD_LOG_DEBUG = 7,
};

void uacd_log_set_level(int level);
/* From now on log to syslog (a detached daemon has no stderr). */
void uacd_log_use_syslog(void);
int uacd_log_get_level(void);
void uacd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define uacd_err(...) uacd_log(UACD_LOG_ERR, __VA_ARGS__)
#define uacd_warn(...) uacd_log(UACD_LOG_WARNING, __VA_ARGS__)
#define uacd_notice(...) uacd_log(UACD_LOG_NOTICE, __VA_ARGS__)
#define uacd_info(...) uacd_log(UACD_LOG_INFO, __VA_ARGS__)
#define uacd_dbg(...) uacd_log(UACD_LOG_DEBUG, __VA_ARGS__)

/*
 * rt: queue a message.  `fmt` must be a string literal (it is printed
 * later) whose conversions are three int64_t-compatible "%lld"; `dev` names
 * the device (static storage or living as long as the device).
 */
void uacd_rtlog(int level, const char *dev, const char *fmt, int64_t a, int64_t b, int64_t c);

/* Control thread: print everything queued.  Returns the number printed. */
int uacd_log_drain(void);

#endif /* UACD_LOG_H */
