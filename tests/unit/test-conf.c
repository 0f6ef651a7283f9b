/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for engine/daemon/uacd-conf.c, the /etc/uacd/uacd.conf reader.
 *
 * Every key is set from a temporary file and read back; every error is
 * checked for its return code and its exact text (users see that text, so
 * it is part of the interface, as uacd.conf(5) documents it).  The shipped
 * examples/uacd.conf must load and must state the real defaults.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/log.h"
#include "engine/daemon/uacd-conf.h"

static char path[64];

/* Write `text` to a fresh temporary file, remembered in `path`. */
static const char *conf_file(const char *text)
{
	int fd;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/tmp/test-conf-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Load `text` over the defaults; returns the result, err holds the text. */
static int load(struct uacd_config *c, const char *text, char *err, size_t errlen)
{
	int ret;

	uacd_config_defaults(c);
	err[0] = '\0';
	ret = uacd_config_load(c, conf_file(text), err, errlen);
	unlink(path);
	return ret;
}

/* Expect -EINVAL and the message "<path>:<line>: <rest>". */
static void expect_error(const char *text, int line, const char *rest)
{
	struct uacd_config c;
	char err[1024], want[1200];
	int ret = load(&c, text, err, sizeof(err));

	ck_assert_int_eq(ret, -EINVAL);
	snprintf(want, sizeof(want), "%s:%d: %s", path, line, rest);
	ck_assert_str_eq(err, want);
}

START_TEST(test_defaults)
{
	struct uacd_config c;

	memset(&c, 0x5a, sizeof(c));
	uacd_config_defaults(&c);
	ck_assert_str_eq(c.socket, "/run/uacd/uacd.sock");
	ck_assert_int_eq(c.n_devices, 0);
	ck_assert_int_eq(c.n_hooks, 0);
	ck_assert_int_eq(c.rt_priority, 70);
	ck_assert(c.mlock);
	ck_assert_int_eq(c.log_level, UACD_LOG_NOTICE);
	ck_assert_str_eq(c.dsp, "");
	ck_assert_str_eq(c.dsp_capture, "");
	ck_assert_str_eq(c.policy, "");
}
END_TEST

START_TEST(test_every_key)
{
	struct uacd_config c;
	char err[512];
	int ret;

	ret = load(&c,
		   "# uacd.conf\n"
		   "\n"
		   "socket = /tmp/x.sock\n"
		   "device = sim:rate=44100,name=a   # trailing comment\n"
		   "device=sim:name=b\n"
		   "  hook   =   /usr/lib/uacd/hooks/peak-meter.so gain_db=-6  \n"
		   "hook = /tmp/h.so\n"
		   "rt_priority = 0\n"
		   "mlock = no\n"
		   "log_level = debug\n"
		   "dsp = /etc/uacd/dsp.yml\n"
		   "dsp_capture=/etc/uacd/mic.yml\n"
		   "policy = /etc/uacd/policy.yml\r\n"
		   "\t# indented comment\n",
		   err, sizeof(err));
	ck_assert_msg(ret == 0, "load: %d %s", ret, err);
	ck_assert_str_eq(c.socket, "/tmp/x.sock");
	ck_assert_int_eq(c.n_devices, 2);
	ck_assert_str_eq(c.devices[0], "sim:rate=44100,name=a");
	ck_assert_str_eq(c.devices[1], "sim:name=b");
	ck_assert_int_eq(c.n_hooks, 2);
	ck_assert_str_eq(c.hooks[0], "/usr/lib/uacd/hooks/peak-meter.so gain_db=-6");
	ck_assert_str_eq(c.hooks[1], "/tmp/h.so");
	ck_assert_int_eq(c.rt_priority, 0);
	ck_assert(!c.mlock);
	ck_assert_int_eq(c.log_level, UACD_LOG_DEBUG);
	ck_assert_str_eq(c.dsp, "/etc/uacd/dsp.yml");
	ck_assert_str_eq(c.dsp_capture, "/etc/uacd/mic.yml");
	ck_assert_str_eq(c.policy, "/etc/uacd/policy.yml");
}
END_TEST

START_TEST(test_values)
{
	struct uacd_config c;
	char err[512];

	/* an empty file keeps every default */
	ck_assert_int_eq(load(&c, "", err, sizeof(err)), 0);
	ck_assert_int_eq(c.rt_priority, 70);
	ck_assert_str_eq(c.socket, "/run/uacd/uacd.sock");

	ck_assert_int_eq(load(&c, "rt_priority = 99\nmlock = true\n", err, sizeof(err)), 0);
	ck_assert_int_eq(c.rt_priority, 99);
	ck_assert(c.mlock);
	ck_assert_int_eq(load(&c, "mlock = false\n", err, sizeof(err)), 0);
	ck_assert(!c.mlock);
	ck_assert_int_eq(load(&c, "mlock = no\nmlock = yes\n", err, sizeof(err)), 0);
	ck_assert(c.mlock);
	ck_assert(!c.wait_for_devices);	/* default: an absent device is an error */
	ck_assert_int_eq(load(&c, "wait_for_devices = yes\n", err, sizeof(err)), 0);
	ck_assert(c.wait_for_devices);

	/* a repeated single-valued key: the last one wins */
	ck_assert_int_eq(load(&c, "socket = /a\nsocket = /b\n", err, sizeof(err)), 0);
	ck_assert_str_eq(c.socket, "/b");

	ck_assert_int_eq(load(&c, "log_level = error\n", err, sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, UACD_LOG_ERR);
	ck_assert_int_eq(load(&c, "log_level = warning\n", err, sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, UACD_LOG_WARNING);
	ck_assert_int_eq(load(&c, "log_level = notice\n", err, sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, UACD_LOG_NOTICE);
	ck_assert_int_eq(load(&c, "log_level = info\n", err, sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, UACD_LOG_INFO);

	ck_assert_int_eq(uacd_config_log_level("error"), 3);
	ck_assert_int_eq(uacd_config_log_level("warning"), 4);
	ck_assert_int_eq(uacd_config_log_level("notice"), 5);
	ck_assert_int_eq(uacd_config_log_level("info"), 6);
	ck_assert_int_eq(uacd_config_log_level("debug"), 7);
	ck_assert_int_eq(uacd_config_log_level("Debug"), -1);
	ck_assert_int_eq(uacd_config_log_level("warn"), -1);
	ck_assert_int_eq(uacd_config_log_level(""), -1);

	/* longest values that fit: 255 (socket, dsp, policy) and 511 (device, hook) */
	{
		char text[1024], v[600];

		memset(v, 's', 255);
		v[255] = '\0';
		snprintf(text, sizeof(text), "socket = %s\n", v);
		ck_assert_int_eq(load(&c, text, err, sizeof(err)), 0);
		ck_assert_uint_eq(strlen(c.socket), 255);
		memset(v, 'd', 511);
		v[511] = '\0';
		snprintf(text, sizeof(text), "device = %s\n", v);
		ck_assert_int_eq(load(&c, text, err, sizeof(err)), 0);
		ck_assert_uint_eq(strlen(c.devices[0]), 511);
	}
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error("socket = /x\n\nsample_rate = 48000\n", 3,
		     "unknown key 'sample_rate' (known: socket, device, hook, rt_priority, mlock, wait_for_devices, log_level, dsp, dsp_capture, policy, "
		     "max_connections, connections_per_uid, streams_per_client, streams_per_uid, ring_memory_per_client, "
		     "ring_memory_per_uid, ring_memory_total, request_rate, request_burst, request_rate_per_uid, log_interval)");
	/* keys are case-sensitive */
	expect_error("Socket = /x\n", 1,
		     "unknown key 'Socket' (known: socket, device, hook, rt_priority, mlock, wait_for_devices, log_level, dsp, dsp_capture, policy, "
		     "max_connections, connections_per_uid, streams_per_client, streams_per_uid, ring_memory_per_client, "
		     "ring_memory_per_uid, ring_memory_total, request_rate, request_burst, request_rate_per_uid, log_interval)");
}
END_TEST

START_TEST(test_limits)
{
	struct uacd_config c;
	char err[1024];

	uacd_config_defaults(&c);
	ck_assert_uint_eq(c.limits.max_connections, 256);
	ck_assert_uint_eq(c.limits.connections_per_uid, 32);
	ck_assert_uint_eq(c.limits.streams_per_client, 4);
	ck_assert_uint_eq(c.limits.streams_per_uid, 16);
	ck_assert_uint_eq(c.limits.ring_memory_per_client, 64ull << 20);
	ck_assert_uint_eq(c.limits.ring_memory_per_uid, 128ull << 20);
	ck_assert_uint_eq(c.limits.ring_memory_total, 512ull << 20);
	ck_assert_uint_eq(c.limits.request_rate, 100);
	ck_assert_uint_eq(c.limits.request_burst, 200);
	ck_assert_uint_eq(c.limits.request_rate_per_uid, 400);
	ck_assert_uint_eq(c.limits.log_interval, 10);
	ck_assert_int_eq(load(&c, "max_connections = 7\nring_memory_per_client = 512K\n"
			      "ring_memory_per_uid = 3M\nring_memory_total = 2g\nring_memory_total = 4096\n"
			      "streams_per_client = 16\nlog_interval = 1\n", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.limits.max_connections, 7);
	ck_assert_uint_eq(c.limits.ring_memory_per_client, 512 << 10);
	ck_assert_uint_eq(c.limits.ring_memory_per_uid, 3 << 20);
	ck_assert_uint_eq(c.limits.ring_memory_total, 4096);	/* the last one given */
	ck_assert_uint_eq(c.limits.streams_per_client, 16);
	ck_assert_uint_eq(c.limits.log_interval, 1);
	expect_error("\nstreams_per_uid = 0\n", 2,
		     "streams_per_uid: expected a whole number from 1 to 1000000, got '0'");
	expect_error("streams_per_client = 17\n", 1,
		     "streams_per_client: expected a whole number from 1 to 16, got '17'");
	expect_error("request_rate = 10K\n", 1,
		     "request_rate: expected a whole number from 1 to 1000000, got '10K'");
	expect_error("ring_memory_per_uid = 1T\n", 1,
		     "ring_memory_per_uid: expected a size in bytes (suffix K, M or G) from 1 to 1024G, got '1T'");
	expect_error("ring_memory_total = 2048G\n", 1,
		     "ring_memory_total: expected a size in bytes (suffix K, M or G) from 1 to 1024G, got '2048G'");
	expect_error("ring_memory_total = -1M\n", 1,
		     "ring_memory_total: expected a size in bytes (suffix K, M or G) from 1 to 1024G, got '-1M'");
	expect_error("ring_memory_total = M\n", 1,
		     "ring_memory_total: expected a size in bytes (suffix K, M or G) from 1 to 1024G, got 'M'");
	expect_error("max_connections = 99999999999999999999\n", 1,
		     "max_connections: expected a whole number from 1 to 1000000, got '99999999999999999999'");
}
END_TEST

START_TEST(test_missing_equals)
{
	expect_error("# x\ndevice sim\n", 2, "expected 'key = value', got 'device sim'");
	expect_error("   rt_priority   # = 3\n", 1, "expected 'key = value', got 'rt_priority'");
}
END_TEST

START_TEST(test_bad_rt_priority)
{
	expect_error("rt_priority = 100\n", 1, "rt_priority: expected 0 (off) to 99, got '100'");
	expect_error("rt_priority = -1\n", 1, "rt_priority: expected 0 (off) to 99, got '-1'");
	expect_error("rt_priority = high\n", 1, "rt_priority: expected 0 (off) to 99, got 'high'");
	expect_error("rt_priority = 5x\n", 1, "rt_priority: expected 0 (off) to 99, got '5x'");
	expect_error("rt_priority =\n", 1, "rt_priority: expected 0 (off) to 99, got ''");
}
END_TEST

START_TEST(test_bad_mlock)
{
	expect_error("mlock = 1\n", 1, "mlock: expected yes or no, got '1'");
	expect_error("mlock = Yes\n", 1, "mlock: expected yes or no, got 'Yes'");
	expect_error("wait_for_devices = maybe\n", 1, "wait_for_devices: expected yes or no, got 'maybe'");
}
END_TEST

START_TEST(test_bad_log_level)
{
	expect_error("log_level = verbose\n", 1,
		     "log_level: expected error, warning, notice, info or debug, got 'verbose'");
	expect_error("\n\n\nlog_level = 7\n", 4,
		     "log_level: expected error, warning, notice, info or debug, got '7'");
}
END_TEST

START_TEST(test_too_long)
{
	char text[1100], v[600];

	memset(v, 'x', 256);
	v[256] = '\0';
	snprintf(text, sizeof(text), "socket = %s\n", v);
	expect_error(text, 1, "socket: value longer than 255 characters");
	snprintf(text, sizeof(text), "dsp = %s\n", v);
	expect_error(text, 1, "dsp: value longer than 255 characters");
	snprintf(text, sizeof(text), "dsp_capture = %s\n", v);
	expect_error(text, 1, "dsp_capture: value longer than 255 characters");
	snprintf(text, sizeof(text), "# c\npolicy = %s\n", v);
	expect_error(text, 2, "policy: value longer than 255 characters");
	memset(v, 'y', 512);
	v[512] = '\0';
	snprintf(text, sizeof(text), "device = %s\n", v);
	expect_error(text, 1, "device: value longer than 511 characters");
	snprintf(text, sizeof(text), "hook = %s\n", v);
	expect_error(text, 1, "hook: value longer than 511 characters");

	/* a line that does not fit the 1024-byte line buffer */
	memset(text, 'z', 1050);
	memcpy(text, "device = ", 9);
	text[1050] = '\n';
	text[1051] = '\0';
	expect_error(text, 1, "line too long");
}
END_TEST

START_TEST(test_too_many)
{
	char text[4096];
	size_t off = 0;
	int i;

	for (i = 0; i < UACD_CONFIG_MAX_DEVICES + 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "device = sim:name=d%d\n", i);
	expect_error(text, 17, "more than 16 devices");

	off = 0;
	for (i = 0; i < UACD_CONFIG_MAX_HOOKS + 1; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "hook = /h%d.so\n", i);
	expect_error(text, 9, "more than 8 hooks");

	/* exactly the limit is fine */
	{
		struct uacd_config c;
		char err[256];

		off = 0;
		for (i = 0; i < UACD_CONFIG_MAX_HOOKS; i++)
			off += (size_t)snprintf(text + off, sizeof(text) - off, "hook = /h%d.so\n", i);
		ck_assert_int_eq(load(&c, text, err, sizeof(err)), 0);
		ck_assert_int_eq(c.n_hooks, 8);
		ck_assert_str_eq(c.hooks[7], "/h7.so");
	}
}
END_TEST

START_TEST(test_stops_at_first_error)
{
	struct uacd_config c;
	char err[512];

	/* line 1 applies, line 2 fails, line 3 is never read */
	ck_assert_int_eq(load(&c, "rt_priority = 10\nbogus = 1\nrt_priority = 20\n", err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(c.rt_priority, 10);
}
END_TEST

START_TEST(test_missing_file)
{
	struct uacd_config c;
	char err[512];

	uacd_config_defaults(&c);
	ck_assert_int_eq(uacd_config_load(&c, "/nonexistent/uacd.conf", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/uacd.conf: No such file or directory");
	/* defaults untouched */
	ck_assert_int_eq(c.rt_priority, 70);
	/* a directory is not an empty config: the read error is reported */
	ck_assert_int_eq(uacd_config_load(&c, "/", err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/: Is a directory");
}
END_TEST

/* The shipped example loads, and what it states equals the built-in defaults. */
START_TEST(test_example_file)
{
	struct uacd_config c, d;
	const char *top = getenv("top_srcdir");
	char file[1024], err[512];
	int ret;

	snprintf(file, sizeof(file), "%s/examples/uacd.conf", top ? top : ".");
	uacd_config_defaults(&c);
	ret = uacd_config_load(&c, file, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: %d: %s", file, ret, err);
	uacd_config_defaults(&d);
	ck_assert_str_eq(c.socket, d.socket);
	ck_assert_int_eq(c.rt_priority, d.rt_priority);
	ck_assert_int_eq(c.mlock, d.mlock);
	ck_assert_int_eq(c.log_level, d.log_level);
	/* the daemon's default device, spelled out */
	ck_assert_int_eq(c.n_devices, 1);
	ck_assert_str_eq(c.devices[0], "sim");
	ck_assert_int_eq(c.n_hooks, 0);
	ck_assert_str_eq(c.dsp, "");
	ck_assert_str_eq(c.dsp_capture, "");
	ck_assert_str_eq(c.policy, "");
	ck_assert_mem_eq(&c.limits, &d.limits, sizeof(c.limits));
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_key);
	tcase_add_test(tc, test_values);
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_missing_equals);
	tcase_add_test(tc, test_bad_rt_priority);
	tcase_add_test(tc, test_bad_mlock);
	tcase_add_test(tc, test_bad_log_level);
	tcase_add_test(tc, test_too_long);
	tcase_add_test(tc, test_too_many);
	tcase_add_test(tc, test_stops_at_first_error);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_example_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
