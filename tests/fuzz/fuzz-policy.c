/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fuzz-policy.c - libFuzzer target for the policy loader.
 *
 * Feeds arbitrary bytes to uacpol_parse().  A policy that loads must then
 * answer a device and a client question without fault, and every rejected
 * input must come with a "file:line:column: " message.  Sources to link:
 * fuzz-policy.sources.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entitlement-policy/uacpol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uacpol_device dev = {
		.name = "usb-dac", .kind = "usb", .usb_class = 1, .usb_subclass = 2,
		.vid = 0x0d8c, .pid = 0x0014, .serial = "A1", .bus_path = "1-2.3",
	};
	struct uacpol_client client = {
		.pid = 1, .uid = 1000, .gid = 29, .n_groups = 2, .groups = { 44, 100 },
		.exe = "/usr/bin/aplay", .unit = "mpv.service", .cgroup = "/system.slice/mpv.service",
		.pidfd = -1,
	};
	struct uacpol_decision dec;
	struct uacpol *p = NULL;
	char err[512];
	int ret, a;

	ret = uacpol_parse((const char *)data, size, "fuzz.yml", &p, err, sizeof(err));
	if (ret < 0) {
		if (p || (ret == -EINVAL && strncmp(err, "fuzz.yml:", 9) != 0))
			abort();
		return 0;
	}
	if (uacpol_check_device(p, &dev, &dec) < 0)
		abort();
	for (a = 0; a < 6; a++)
		if (uacpol_check_client_device(p, &client, &dev, (enum uacpol_action)a, &dec) < 0)
			abort();
	if (uacpol_check_client(p, &client, "sim", UACPOL_PLAY, &dec) < 0)
		abort();
	uacpol_free(p);
	return 0;
}
