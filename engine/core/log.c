/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "engine/core/log.h"

#define RTLOG_SLOTS 256u	/* power of two */

struct rtlog_slot {
	uint64_t seq;		/* Vyukov bounded-queue sequence */
	int level;
	const char *dev;
	const char *fmt;
	int64_t a, b, c;
};

static struct {
	int level;
	int journal;		/* -1 unknown, 0 no, 1 yes */
	int syslog;		/* detached daemon: stderr is /dev/null */
	struct rtlog_slot slots[RTLOG_SLOTS];
	uint64_t head;		/* producers: next slot to claim */
	uint64_t tail;		/* consumer (control thread) only */
	uint64_t dropped;
	int inited;
	/* repeat folding, control thread only */
	const char *last_fmt;
	const char *last_dev;	/* compared only, never read: the device may be gone */
	char last_name[64];	/* what "last message repeated" names, copied */
	int last_level;
	int64_t last_a, last_b, last_c;
	unsigned repeats;
	time_t last_time;
} L = { .level = UACD_LOG_NOTICE, .journal = -1 };

static void rtlog_init(void)
{
	uint64_t i;

	for (i = 0; i < RTLOG_SLOTS; i++)
		__atomic_store_n(&L.slots[i].seq, i, __ATOMIC_RELAXED);
	L.inited = 1;
}

/* Is stderr connected to the journal?  (systemd sets JOURNAL_STREAM=dev:ino.) */
static int to_journal(void)
{
	const char *js;
	struct stat st;
	unsigned long long dev, ino;

	if (L.journal >= 0)
		return L.journal;
	L.journal = 0;
	js = getenv("JOURNAL_STREAM");
	if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	    st.st_dev == dev && st.st_ino == ino)
		L.journal = 1;
	return L.journal;
}

void uacd_log_set_level(int level)
{
	L.level = level;
	if (!L.inited)
		rtlog_init();
}

int uacd_log_get_level(void)
{
	return L.level;
}

static const char *level_word(int level)
{
	switch (level) {
	case UACD_LOG_ERR: return "error: ";
	case UACD_LOG_WARNING: return "warning: ";
	case UACD_LOG_DEBUG: return "debug: ";
	default: return "";
	}
}

void uacd_log_use_syslog(void)
{
	openlog("uacd", LOG_PID, LOG_DAEMON);
	L.syslog = 1;
}

static void emit(int level, const char *line)
{
	if (L.syslog)
		syslog(level, "%s", line);
	else if (to_journal())
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "uacd: %s%s\n", level_word(level), line);
}

void uacd_log(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > L.level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(level, line);
}

/* rt */
void uacd_rtlog(int level, const char *dev, const char *fmt, int64_t a, int64_t b, int64_t c)
{
	uint64_t pos = __atomic_load_n(&L.head, __ATOMIC_RELAXED);
	struct rtlog_slot *s;

	if (!L.inited || level > L.level)
		return;
	for (;;) {
		uint64_t seq;

		s = &L.slots[pos & (RTLOG_SLOTS - 1)];
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq == pos) {
			if (__atomic_compare_exchange_n(&L.head, &pos, pos + 1, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
				break;
		} else if (seq < pos) {
			__atomic_fetch_add(&L.dropped, 1, __ATOMIC_RELAXED);
			return;	/* full */
		} else {
			pos = __atomic_load_n(&L.head, __ATOMIC_RELAXED);
		}
	}
	s->level = level;
	s->dev = dev;
	s->fmt = fmt;
	s->a = a;
	s->b = b;
	s->c = c;
	__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE);
}

static void flush_repeats(void)
{
	if (L.repeats) {
		uacd_log(UACD_LOG_WARNING, "%s: last message repeated %u times", L.last_name, L.repeats);
		L.repeats = 0;
	}
}

int uacd_log_drain(void)
{
	int n = 0;
	uint64_t dropped;

	if (!L.inited)
		return 0;
	for (;;) {
		struct rtlog_slot *s = &L.slots[L.tail & (RTLOG_SLOTS - 1)];
		char msg[512], line[600];
		time_t now;

		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != L.tail + 1)
			break;
		now = time(NULL);
		/* Only the very same message folds: same words, device, level and values. */
		if (s->fmt == L.last_fmt && s->dev == L.last_dev && s->level == L.last_level &&
		    s->a == L.last_a && s->b == L.last_b && s->c == L.last_c && now - L.last_time < 1) {
			L.repeats++;
		} else {
			flush_repeats();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(msg, sizeof(msg), s->fmt, (long long)s->a, (long long)s->b,
				 (long long)s->c);
#pragma GCC diagnostic pop
			snprintf(line, sizeof(line), "%s: %s", s->dev ? s->dev : "uacd", msg);
			if (s->level <= L.level)
				emit(s->level, line);
			L.last_fmt = s->fmt;
			L.last_dev = s->dev;
			snprintf(L.last_name, sizeof(L.last_name), "%s", s->dev ? s->dev : "uacd");
			L.last_level = s->level;
			L.last_a = s->a;
			L.last_b = s->b;
			L.last_c = s->c;
			L.last_time = now;
			n++;
		}
		__atomic_store_n(&s->seq, L.tail + RTLOG_SLOTS, __ATOMIC_RELEASE);
		L.tail++;
	}
	if (time(NULL) - L.last_time >= 1)
		flush_repeats();
	dropped = __atomic_exchange_n(&L.dropped, 0, __ATOMIC_RELAXED);
	if (dropped)
		uacd_log(UACD_LOG_WARNING, "rt log queue full: %llu messages dropped",
			 (unsigned long long)dropped);
	return n;
}
