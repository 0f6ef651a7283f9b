/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uacd/protocol.h>

#include "engine/daemon/uacd-conf.h"
#include "engine/core/log.h"

void uacd_config_defaults(struct uacd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->socket, sizeof(c->socket), "%s", UACD_DEFAULT_SOCKET);
	c->rt_priority = 70;
	c->mlock = true;
	c->log_level = UACD_LOG_NOTICE;
	uacd_limits_defaults(&c->limits);
}

void uacd_limits_defaults(struct uacd_limits *l)
{
	l->max_connections = 256;
	l->connections_per_uid = 32;
	l->streams_per_client = 4;
	l->streams_per_uid = 16;
	l->ring_memory_per_client = 64ull << 20;
	l->ring_memory_per_uid = 128ull << 20;
	l->ring_memory_total = 512ull << 20;
	l->request_rate = 100;
	l->request_burst = 200;
	l->request_rate_per_uid = 400;
	l->log_interval = 10;
}

/* The limit keys: counts, sizes (K, M, G: powers of 1024) and seconds. */
enum limit_kind { LIM_COUNT, LIM_SIZE };
static const struct limit_key {
	const char *name;
	enum limit_kind kind;
	size_t off;
	uint64_t max;
} limit_keys[] = {
#define LK(n, k, max) { #n, k, offsetof(struct uacd_limits, n), max }
	LK(max_connections, LIM_COUNT, 1000000),
	LK(connections_per_uid, LIM_COUNT, 1000000),
	LK(streams_per_client, LIM_COUNT, 16),
	LK(streams_per_uid, LIM_COUNT, 1000000),
	LK(ring_memory_per_client, LIM_SIZE, 1ull << 40),
	LK(ring_memory_per_uid, LIM_SIZE, 1ull << 40),
	LK(ring_memory_total, LIM_SIZE, 1ull << 40),
	LK(request_rate, LIM_COUNT, 1000000),
	LK(request_burst, LIM_COUNT, 1000000),
	LK(request_rate_per_uid, LIM_COUNT, 1000000),
	LK(log_interval, LIM_COUNT, 86400),
#undef LK
};

/* A limit key's value: 0, 1 when key is not a limit, or -EINVAL with err. */
static int set_limit(struct uacd_limits *l, const char *key, const char *v, const char *path,
		     int line, char *err, size_t errlen)
{
	const struct limit_key *k = NULL;
	unsigned long long n;
	unsigned i, shift = 0;
	char *end;

	for (i = 0; i < sizeof(limit_keys) / sizeof(limit_keys[0]); i++)
		if (!strcmp(key, limit_keys[i].name))
			k = &limit_keys[i];
	if (!k)
		return 1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (k->kind == LIM_SIZE && *end && !end[1]) {
		const char *u = strchr("KkMmGg", *end);

		if (u) {
			shift = (unsigned)(u - "KkMmGg") / 2 * 10 + 10;
			end++;
		}
	}
	if (end == v || *end || !isdigit((unsigned char)*v) || errno || n < 1 ||
	    (shift && n > (k->max >> shift)) || (n << shift) > k->max) {
		snprintf(err, errlen, "%s:%d: %s: expected %s from 1 to %llu%s, got '%s'", path, line, key,
			 k->kind == LIM_SIZE ? "a size in bytes (suffix K, M or G)" : "a whole number",
			 k->kind == LIM_SIZE ? (unsigned long long)(k->max >> 30) : (unsigned long long)k->max,
			 k->kind == LIM_SIZE ? "G" : "", v);
		return -EINVAL;
	}
	if (k->kind == LIM_SIZE)
		*(uint64_t *)((char *)l + k->off) = n << shift;
	else
		*(unsigned *)((char *)l + k->off) = (unsigned)n;
	return 0;
}

int uacd_config_log_level(const char *w)
{
	static const struct { const char *name; int level; } t[] = {
		{ "error", UACD_LOG_ERR }, { "warning", UACD_LOG_WARNING },
		{ "notice", UACD_LOG_NOTICE }, { "info", UACD_LOG_INFO }, { "debug", UACD_LOG_DEBUG },
	};
	unsigned i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(w, t[i].name))
			return t[i].level;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int set_string(char *dst, size_t len, const char *v, const char *path, int line,
		      const char *key, char *err, size_t errlen)
{
	if (strlen(v) >= len) {
		snprintf(err, errlen, "%s:%d: %s: value longer than %zu characters", path, line, key, len - 1);
		return -EINVAL;
	}
	snprintf(dst, len, "%s", v);
	return 0;
}

int uacd_config_load(struct uacd_config *c, const char *path, char *err, size_t errlen)
{
	char buf[1024];
	FILE *f;
	int line = 0, ret = 0;

	errno = 0;
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (fgets(buf, sizeof(buf), f)) {
		char *key, *val, *eq, *hash;

		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, line);
			ret = -EINVAL;
			break;
		}
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		key = trim(buf);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected 'key = value', got '%s'", path, line, key);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		if (!strcmp(key, "socket")) {
			ret = set_string(c->socket, sizeof(c->socket), val, path, line, key, err, errlen);
		} else if (!strcmp(key, "device")) {
			if (c->n_devices >= UACD_CONFIG_MAX_DEVICES) {
				snprintf(err, errlen, "%s:%d: more than %d devices", path, line,
					 UACD_CONFIG_MAX_DEVICES);
				ret = -EINVAL;
			} else {
				ret = set_string(c->devices[c->n_devices], sizeof(c->devices[0]), val, path,
						 line, key, err, errlen);
				c->n_devices += ret == 0;
			}
		} else if (!strcmp(key, "hook")) {
			if (c->n_hooks >= UACD_CONFIG_MAX_HOOKS) {
				snprintf(err, errlen, "%s:%d: more than %d hooks", path, line,
					 UACD_CONFIG_MAX_HOOKS);
				ret = -EINVAL;
			} else {
				ret = set_string(c->hooks[c->n_hooks], sizeof(c->hooks[0]), val, path, line,
						 key, err, errlen);
				c->n_hooks += ret == 0;
			}
		} else if (!strcmp(key, "rt_priority")) {
			char *end;
			long v = strtol(val, &end, 10);

			if (end == val || *end || v < 0 || v > 99) {
				snprintf(err, errlen, "%s:%d: rt_priority: expected 0 (off) to 99, got '%s'",
					 path, line, val);
				ret = -EINVAL;
			}
			c->rt_priority = (int)v;
		} else if (!strcmp(key, "mlock") || !strcmp(key, "wait_for_devices")) {
			bool *b = !strcmp(key, "mlock") ? &c->mlock : &c->wait_for_devices;

			if (!strcmp(val, "yes") || !strcmp(val, "true"))
				*b = true;
			else if (!strcmp(val, "no") || !strcmp(val, "false"))
				*b = false;
			else {
				snprintf(err, errlen, "%s:%d: %s: expected yes or no, got '%s'", path, line, key, val);
				ret = -EINVAL;
			}
		} else if (!strcmp(key, "log_level")) {
			int l = uacd_config_log_level(val);

			if (l < 0) {
				snprintf(err, errlen,
					 "%s:%d: log_level: expected error, warning, notice, info or debug, got '%s'",
					 path, line, val);
				ret = -EINVAL;
			}
			c->log_level = l;
		} else if (!strcmp(key, "dsp")) {
			ret = set_string(c->dsp, sizeof(c->dsp), val, path, line, key, err, errlen);
		} else if (!strcmp(key, "dsp_capture")) {
			ret = set_string(c->dsp_capture, sizeof(c->dsp_capture), val, path, line, key, err, errlen);
		} else if (!strcmp(key, "policy")) {
			ret = set_string(c->policy, sizeof(c->policy), val, path, line, key, err, errlen);
		} else if ((ret = set_limit(&c->limits, key, val, path, line, err, errlen)) == 1) {
			snprintf(err, errlen,
				 "%s:%d: unknown key '%s' (known: socket, device, hook, rt_priority, mlock, wait_for_devices, log_level, dsp, dsp_capture, policy, "
				 "max_connections, connections_per_uid, streams_per_client, streams_per_uid, ring_memory_per_client, ring_memory_per_uid, ring_memory_total, "
				 "request_rate, request_burst, request_rate_per_uid, log_interval)",
				 path, line, key);
			ret = -EINVAL;
		}
		if (ret)
			break;
	}
	/* fgets() stops on errors as on EOF: a directory must not load as empty. */
	if (!ret && ferror(f)) {
		ret = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
	}
	fclose(f);
	return ret;
}
