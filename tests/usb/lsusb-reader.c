/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lsusb -v reader (lsusb-reader.h): per interface/alt setting the
 * class, channels, subslot, bit resolution, rates, and every endpoint's
 * address, wMaxPacketSize, bInterval, sync and usage type; the AudioControl
 * terminals, units and clocks with their sources and controls.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-descriptors.h"
#include "tests/usb/lsusb-reader.h"

enum section { S_NONE, S_IF, S_AC, S_AS, S_EP, S_OTHER };

static bool key(const char *line, const char *k, const char **val)
{
	const char *s = line;

	while (*s == ' ')
		s++;
	if (strncmp(s, k, strlen(k)))
		return false;
	s += strlen(k);
	if (*s != ' ' && *s != '\t')
		return false;
	while (*s == ' ')
		s++;
	*val = s;
	return true;
}

static unsigned num(const char *v)
{
	return (unsigned)strtoul(v, NULL, 0);
}

/* "2.00" -> 0x0200 */
static unsigned bcd(const char *v)
{
	unsigned hi = 0, lo = 0;

	sscanf(v, "%x.%x", &hi, &lo);
	return hi << 8 | lo;
}

static int sync_of(const char *v)
{
	if (!strncmp(v, "None", 4)) return UACD_USBDESC_SYNC_NONE;
	if (!strncmp(v, "Asynchronous", 12)) return UACD_USBDESC_SYNC_ASYNC;
	if (!strncmp(v, "Adaptive", 8)) return UACD_USBDESC_SYNC_ADAPTIVE;
	if (!strncmp(v, "Synchronous", 11)) return UACD_USBDESC_SYNC_SYNC;
	return -2;
}

static int usage_of(const char *v)
{
	if (!strncmp(v, "Data", 4)) return UACD_USBDESC_USAGE_DATA;
	if (!strncmp(v, "Feedback", 8)) return UACD_USBDESC_USAGE_FEEDBACK;
	if (!strncmp(v, "Implicit feedback Data", 22)) return UACD_USBDESC_USAGE_IMPLICIT_FB;
	return -2;
}

/* A line of an AudioControl class-specific descriptor. */
static void read_ac_line(struct lsusb *l, const struct lif *cur, const char *line)
{
	struct lent *e = l->nr_ents ? &l->ents[l->nr_ents - 1] : NULL;
	const char *v, *t = line + strspn(line, " ");

	if (key(line, "bDescriptorSubtype", &v)) {
		if (num(v) == 1)
			return;	/* header */
		ck_assert_uint_lt(l->nr_ents, MAX_LENTS);
		e = &l->ents[l->nr_ents++];
		e->ac_iface = cur->num;
		e->subtype = num(v);
		e->ch = -1;
		return;
	}
	if (!e || e->ac_iface != cur->num)
		return;
	if (key(line, "bTerminalID", &v) || key(line, "bUnitID", &v) || key(line, "bClockID", &v)) {
		e->id = num(v);
	} else if (key(line, "wTerminalType", &v)) {
		e->type = num(v);
	} else if (key(line, "bNrChannels", &v)) {
		e->channels = num(v);
	} else if (key(line, "wChannelConfig", &v) || key(line, "bmChannelConfig", &v)) {
		e->chcfg = num(v);
	} else if (key(line, "bSourceID", &v) ||
		   (key(line, "bCSourceID", &v) && e->subtype == 12)) {
		e->sources[e->nr_sources++] = num(v);
	} else if (key(line, "bCSourceID", &v)) {
		e->clock = num(v);
	} else if (!strncmp(t, "baSourceID(", 11) || !strncmp(t, "baCSourceID(", 12)) {
		ck_assert_uint_lt(e->nr_sources, 16);
		e->sources[e->nr_sources++] = num(strchr(t, ')') + 1);
	} else if (!strncmp(t, "bmaControls(", 12)) {
		e->ch = (int)e->nr_ch++;
	} else if (e->ch >= 0 && (!strncmp(t, "Mute Control", 12) || !strncmp(t, "Volume Control", 14))) {
		bool mute = t[0] == 'M';
		/* UAC1 prints no access; UAC2 "(read/write)" or "(read-only)" */
		bool rw = !strstr(t, "(read-only)");

		*(mute ? &e->mute : &e->vol) |= 1u << e->ch;
		if (rw)
			*(mute ? &e->mute_rw : &e->vol_rw) |= 1u << e->ch;
	}
}

/* Where read_lsusb() is in the dump. */
struct reader {
	struct lsusb *l;
	enum section sec;
	struct lif *cur;
	struct lep *ep;
	int configs;
};

/*
 * A line that opens a descriptor: the section it starts.  1 = taken,
 * 0 = not a heading, -1 = the first configuration is over.
 */
static int read_heading(struct reader *r, const char *line)
{
	const char *t = line + strspn(line, " ");

	if (strstr(line, "Configuration Descriptor:")) {
		if (++r->configs > 1)
			return -1;	/* first configuration only */
		r->sec = S_OTHER;
		return 1;
	}
	if (strstr(line, "Device Qualifier") || strstr(line, "Binary Object Store") ||
	    strstr(line, "Device Status:"))
		return -1;
	if (strstr(line, "AudioControl Interface Descriptor:")) {
		r->sec = S_AC;
		return 1;
	}
	if (strstr(line, "AudioStreaming Interface Descriptor:")) {
		r->sec = S_AS;
		return 1;
	}
	if (strstr(line, "AudioStreaming Endpoint Descriptor:")) {
		r->sec = S_OTHER;
		return 1;
	}
	if (!strcmp(t, "Interface Descriptor:")) {
		ck_assert_uint_lt(r->l->nr, MAX_LIFS);
		r->cur = &r->l->ifs[r->l->nr++];
		r->ep = NULL;
		r->sec = S_IF;
		return 1;
	}
	if (!strcmp(t, "Endpoint Descriptor:")) {
		ck_assert_ptr_nonnull(r->cur);
		ck_assert_uint_lt(r->cur->nr_eps, MAX_LEPS);
		r->ep = &r->cur->eps[r->cur->nr_eps++];
		r->ep->sync = r->ep->usage = -1;
		r->sec = S_EP;
		return 1;
	}
	if (strstr(line, "Descriptor:") || strstr(line, "Interface Association:")) {
		r->sec = S_OTHER;
		return 1;
	}
	return 0;
}

/* Device descriptor and configuration header fields. */
static void read_device_line(struct reader *r, const char *line)
{
	struct lsusb *l = r->l;
	const char *v;

	if (key(line, "idVendor", &v))
		l->vid = num(v);
	else if (key(line, "idProduct", &v))
		l->pid = num(v);
	else if (key(line, "bcdUSB", &v))
		l->bcd_usb = bcd(v);
	else if (key(line, "wTotalLength", &v) && r->configs == 1 && !l->total_length)
		l->total_length = num(v);
}

static void read_if_line(struct lif *cur, const char *line)
{
	const char *v;

	if (key(line, "bInterfaceNumber", &v))
		cur->num = num(v);
	else if (key(line, "bAlternateSetting", &v))
		cur->alt = num(v);
	else if (key(line, "bInterfaceClass", &v))
		cur->cls = num(v);
	else if (key(line, "bInterfaceSubClass", &v))
		cur->sub = num(v);
	else if (key(line, "bInterfaceProtocol", &v))
		cur->proto = num(v);
}

/* AudioStreaming class-specific lines: format and rates. */
static void read_as_line(struct lif *cur, const char *line)
{
	const char *v;

	if (key(line, "bNrChannels", &v))
		cur->channels = num(v);
	else if (key(line, "bmChannelConfig", &v))
		cur->chcfg = num(v);
	else if (key(line, "bTerminalLink", &v))
		cur->link = num(v);
	else if (key(line, "bSubframeSize", &v) || key(line, "bSubslotSize", &v))
		cur->subslot = num(v);
	else if (key(line, "bBitResolution", &v))
		cur->bits = num(v);
	else if (key(line, "tLowerSamFreq", &v)) {
		cur->continuous = true;
		cur->rmin = num(v);
	} else if (key(line, "tUpperSamFreq", &v)) {
		cur->rmax = num(v);
	} else if (!strncmp(line + strspn(line, " "), "tSamFreq[", 9)) {
		const char *c = strchr(line, ']');

		ck_assert_ptr_nonnull(c);
		ck_assert_uint_lt(cur->nr_rates, 64);
		cur->has_rates = true;
		cur->rates[cur->nr_rates++] = num(c + 1);
	}
}

static void read_ep_line(struct lep *ep, const char *line)
{
	const char *v;

	if (key(line, "bEndpointAddress", &v))
		ep->addr = num(v);
	else if (key(line, "wMaxPacketSize", &v))
		ep->mps = num(v);
	else if (key(line, "bInterval", &v))
		ep->interval = num(v);
	else if (key(line, "Transfer", &v) && key(line, "Transfer Type", &v))
		ep->transfer = !strncmp(v, "Isochronous", 11) ? 1 : 0;
	else if (key(line, "Synch", &v) && key(line, "Synch Type", &v))
		ep->sync = sync_of(v);
	else if (key(line, "Usage", &v) && key(line, "Usage Type", &v))
		ep->usage = usage_of(v);
}

void read_lsusb(const char *path, struct lsusb *l)
{
	FILE *f = fopen(path, "r");
	char line[512];
	struct reader r = { .l = l, .sec = S_NONE };

	ck_assert_msg(f != NULL, "cannot open %s", path);
	memset(l, 0, sizeof(*l));
	while (fgets(line, sizeof(line), f)) {
		const char *v;
		char *nl = strchr(line, '\n');
		int h;

		if (nl)
			*nl = '\0';
		h = read_heading(&r, line);
		if (h < 0)
			break;
		if (h > 0)
			continue;
		if (r.sec == S_NONE || (r.sec == S_OTHER && !r.cur)) {
			read_device_line(&r, line);
			continue;
		}
		switch (r.sec) {
		case S_IF:
			read_if_line(r.cur, line);
			break;
		case S_AC:
			if (key(line, "bcdADC", &v) && !r.cur->bcd_adc)
				r.cur->bcd_adc = bcd(v);
			read_ac_line(l, r.cur, line);
			break;
		case S_AS:
			read_as_line(r.cur, line);
			break;
		case S_EP:
			read_ep_line(r.ep, line);
			break;
		default:
			break;
		}
	}
	fclose(f);
}
