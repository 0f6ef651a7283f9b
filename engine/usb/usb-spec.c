/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * USB device specs: "usb", "usb:VID:PID[:SERIAL]", "usb:path=BUS-PORT[.PORT]",
 * each with ",key=value" options (see transport-libusb.h), and matching a
 * probed device against one.  Strict: an unknown option or a bad value is
 * an error that names it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/format-name.h"
#include "engine/usb/transport-libusb.h"

static int parse_num(const char *key, const char *v, long lo, long hi, int base, long *out,
		     char *err, size_t errlen)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, base);
	if (errno || end == v || *end || x < lo || x > hi) {
		snprintf(err, errlen, "usb: %s=%s: expected %s from %ld to %ld", key, v,
			 base == 16 ? "a hexadecimal number" : "an integer", lo, hi);
		return -EINVAL;
	}
	*out = x;
	return 0;
}

int uacd_usb_spec_parse(const char *spec, struct uacd_usb_spec *s, char *err, size_t errlen)
{
	char buf[512], *opts, *sel, *tok, *save = NULL;
	long v;
	int ret;

	memset(s, 0, sizeof(*s));
	s->priority = -1;
	if (strncmp(spec, "usb", 3) || (spec[3] && spec[3] != ':' && spec[3] != ',')) {
		snprintf(err, errlen, "not a usb device spec: %s", spec);
		return -EINVAL;
	}
	if (strlen(spec) >= sizeof(buf)) {
		snprintf(err, errlen, "usb: device spec too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", spec + 3);
	opts = strchr(buf, ',');
	if (opts)
		*opts++ = '\0';
	sel = buf[0] == ':' ? buf + 1 : buf;
	if (!*sel) {
		s->any = true;
	} else if (!strncmp(sel, "path=", 5)) {
		const char *p = sel + 5;

		if (!*p || strlen(p) >= sizeof(s->path) || strspn(p, "0123456789-.") != strlen(p) ||
		    !strchr(p, '-')) {
			snprintf(err, errlen, "usb: path=%s: expected BUS-PORT[.PORT...], e.g. 1-2.3", p);
			return -EINVAL;
		}
		snprintf(s->path, sizeof(s->path), "%s", p);
	} else {
		char *vid = sel, *pid = strchr(sel, ':'), *serial = NULL;

		if (!pid) {
			snprintf(err, errlen, "usb:%s: expected usb, usb:VID:PID[:SERIAL] or usb:path=BUS-PORT", sel);
			return -EINVAL;
		}
		*pid++ = '\0';
		serial = strchr(pid, ':');
		if (serial)
			*serial++ = '\0';
		ret = parse_num("vendor", vid, 0, 0xffff, 16, &v, err, errlen);
		if (ret)
			return ret;
		s->vid = (uint16_t)v;
		ret = parse_num("product", pid, 0, 0xffff, 16, &v, err, errlen);
		if (ret)
			return ret;
		s->pid = (uint16_t)v;
		s->has_id = true;
		if (serial) {
			if (!*serial || strlen(serial) >= sizeof(s->serial)) {
				snprintf(err, errlen, "usb: bad serial '%s'", serial);
				return -EINVAL;
			}
			snprintf(s->serial, sizeof(s->serial), "%s", serial);
		}
	}
	for (tok = opts ? strtok_r(opts, ",", &save) : NULL; tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *key = tok, *val;

		if (!eq) {
			snprintf(err, errlen, "usb: option '%s' needs a value (key=value)", tok);
			return -EINVAL;
		}
		*eq = '\0';
		val = eq + 1;
		ret = 0;
		if (!strcmp(key, "rate")) {
			ret = parse_num(key, val, 8000, 768000, 10, &v, err, errlen);
			s->rate = (uint32_t)v;
		} else if (!strcmp(key, "channels")) {
			ret = parse_num(key, val, 1, UACD_MAX_CHANNELS, 10, &v, err, errlen);
			s->channels = (uint32_t)v;
		} else if (!strcmp(key, "format")) {
			s->format = uacd_format_parse(val);
			if (!s->format || s->format == UACD_FMT_FLOAT_LE) {
				snprintf(err, errlen, "usb: format=%s: expected S16_LE, S24_3LE, S24_LE or S32_LE", val);
				return -EINVAL;
			}
		} else if (!strcmp(key, "transfers")) {
			ret = parse_num(key, val, 2, UACD_USB_MAX_TRANSFERS, 10, &v, err, errlen);
			s->transfers = (unsigned)v;
		} else if (!strcmp(key, "packets")) {
			ret = parse_num(key, val, 1, UACD_USB_MAX_PACKETS, 10, &v, err, errlen);
			s->packets = (unsigned)v;
		} else if (!strcmp(key, "priority")) {
			ret = parse_num(key, val, 0, 99, 10, &v, err, errlen);
			s->priority = (int)v;
		} else if (!strcmp(key, "name")) {
			if (!*val || strlen(val) >= sizeof(s->name) || strpbrk(val, " \t/:,")) {
				snprintf(err, errlen, "usb: name=%s: 1 to %zu characters, no spaces, '/', ':' or ','",
					 val, sizeof(s->name) - 1);
				return -EINVAL;
			}
			snprintf(s->name, sizeof(s->name), "%s", val);
		} else {
			snprintf(err, errlen,
				 "usb: unknown option '%s' (known: rate, channels, format, transfers, packets, priority, name)",
				 key);
			return -EINVAL;
		}
		if (ret)
			return ret;
	}
	return 0;
}

bool uacd_usb_spec_match(const struct uacd_usb_spec *s, const struct uacd_usb_probe *p)
{
	if (s->has_id && (p->dev.vendor_id != s->vid || p->dev.product_id != s->pid))
		return false;
	if (s->serial[0] && strcmp(s->serial, p->serial))
		return false;
	if (s->path[0] && strcmp(s->path, p->bus_path))
		return false;
	return true;
}
