/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Descriptor model tests.
 *
 * Corpus: every NN-name.bin in $UACD_TEST_SHARED/descriptors is parsed and
 * compared field by field with its lsusb -v text, read here by a small
 * reader that knows nothing of the parser: per interface/alt setting the
 * class, channels, subslot, bit resolution, rates, and every endpoint's
 * address, wMaxPacketSize, bInterval, sync and usage type.  Feedback and
 * implicit-feedback decisions are not in lsusb's text; a table below
 * states them per device.
 *
 * Malformed input: hand-built descriptors, asserting the exact error text.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-descriptors.h"

#define MAX_FILES	64
#define MAX_LIFS	256
#define MAX_LEPS	4

/* ---- the lsusb -v reader ---- */

struct lep {
	unsigned addr, mps, interval, transfer;	/* transfer: 1 iso */
	int sync, usage;			/* -1 = not seen */
};

struct lif {
	unsigned num, alt, cls, sub, proto;
	unsigned channels, subslot, bits;
	bool has_rates, continuous;
	unsigned nr_rates, rates[64], rmin, rmax;
	unsigned bcd_adc;
	unsigned nr_eps;
	struct lep eps[MAX_LEPS];
};

/* one AudioControl terminal/unit/clock as lsusb prints it */
struct lent {
	unsigned ac_iface;
	unsigned subtype, id, type, channels, clock;
	unsigned nr_sources, sources[16];
	int ch;				/* current bmaControls(ch), -1 = none yet */
	unsigned nr_ch;			/* bmaControls lines */
	unsigned mute, vol, mute_rw, vol_rw;	/* bit per channel */
};

#define MAX_LENTS 128

struct lsusb {
	unsigned vid, pid, bcd_usb, total_length;
	unsigned nr;
	struct lif ifs[MAX_LIFS];
	unsigned nr_ents;
	struct lent ents[MAX_LENTS];
};

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

static void read_lsusb(const char *path, struct lsusb *l)
{
	FILE *f = fopen(path, "r");
	char line[512];
	enum section sec = S_NONE;
	struct lif *cur = NULL;
	struct lep *ep = NULL;
	int configs = 0;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	memset(l, 0, sizeof(*l));
	while (fgets(line, sizeof(line), f)) {
		const char *v;
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strstr(line, "Configuration Descriptor:")) {
			if (++configs > 1)
				break;	/* first configuration only */
			sec = S_OTHER;
			continue;
		}
		if (strstr(line, "Device Qualifier") || strstr(line, "Binary Object Store") ||
		    strstr(line, "Device Status:"))
			break;
		if (strstr(line, "AudioControl Interface Descriptor:")) {
			sec = S_AC;
			continue;
		}
		if (strstr(line, "AudioStreaming Interface Descriptor:")) {
			sec = S_AS;
			continue;
		}
		if (strstr(line, "AudioStreaming Endpoint Descriptor:")) {
			sec = S_OTHER;
			continue;
		}
		if (!strcmp(line + strspn(line, " "), "Interface Descriptor:")) {
			ck_assert_uint_lt(l->nr, MAX_LIFS);
			cur = &l->ifs[l->nr++];
			ep = NULL;
			sec = S_IF;
			continue;
		}
		if (!strcmp(line + strspn(line, " "), "Endpoint Descriptor:")) {
			ck_assert_ptr_nonnull(cur);
			ck_assert_uint_lt(cur->nr_eps, MAX_LEPS);
			ep = &cur->eps[cur->nr_eps++];
			ep->sync = ep->usage = -1;
			sec = S_EP;
			continue;
		}
		if (strstr(line, "Descriptor:") || strstr(line, "Interface Association:")) {
			sec = S_OTHER;
			continue;
		}
		if (sec == S_NONE || (sec == S_OTHER && !cur)) {
			if (key(line, "idVendor", &v))
				l->vid = num(v);
			else if (key(line, "idProduct", &v))
				l->pid = num(v);
			else if (key(line, "bcdUSB", &v))
				l->bcd_usb = bcd(v);
			else if (key(line, "wTotalLength", &v) && configs == 1 && !l->total_length)
				l->total_length = num(v);
			continue;
		}
		switch (sec) {
		case S_IF:
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
			break;
		case S_AC:
			if (key(line, "bcdADC", &v) && !cur->bcd_adc)
				cur->bcd_adc = bcd(v);
			read_ac_line(l, cur, line);
			break;
		case S_AS:
			if (key(line, "bNrChannels", &v))
				cur->channels = num(v);
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
			break;
		case S_EP:
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
			break;
		default:
			break;
		}
	}
	fclose(f);
}

/* ---- corpus ---- */

static char *shared_dir;
static char *files[MAX_FILES];	/* base names without ".bin" */
static int nr_files;

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, 65536, f);
	fclose(f);
	*len = n;
	return buf;
}

static const struct uacd_usbdesc_alt *find_alt(const struct uacd_usbdesc *d, unsigned ifnum,
					       unsigned alt, const struct uacd_usbdesc_function **fn)
{
	for (unsigned i = 0; i < d->nr_functions; i++)
		for (unsigned s = 0; s < d->functions[i].nr_streams; s++) {
			const struct uacd_usbdesc_stream *st = &d->functions[i].streams[s];

			if (st->iface != ifnum)
				continue;
			for (unsigned k = 0; k < st->nr_alts; k++)
				if (st->alts[k].alt == alt) {
					*fn = &d->functions[i];
					return &st->alts[k];
				}
		}
	return NULL;
}

static unsigned model_alts(const struct uacd_usbdesc *d)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->nr_functions; i++)
		for (unsigned s = 0; s < d->functions[i].nr_streams; s++)
			n += d->functions[i].streams[s].nr_alts;
	return n;
}

/* bDescriptorSubtype -> model type, per UAC version */
static int entity_type(unsigned subtype, int uac)
{
	static const int v1[] = { 0, 0, UACD_USBDESC_INPUT_TERMINAL, UACD_USBDESC_OUTPUT_TERMINAL,
				  UACD_USBDESC_MIXER_UNIT, UACD_USBDESC_SELECTOR_UNIT,
				  UACD_USBDESC_FEATURE_UNIT, UACD_USBDESC_PROCESSING_UNIT,
				  UACD_USBDESC_EXTENSION_UNIT };
	static const int v2[] = { 0, 0, UACD_USBDESC_INPUT_TERMINAL, UACD_USBDESC_OUTPUT_TERMINAL,
				  UACD_USBDESC_MIXER_UNIT, UACD_USBDESC_SELECTOR_UNIT,
				  UACD_USBDESC_FEATURE_UNIT, UACD_USBDESC_EFFECT_UNIT,
				  UACD_USBDESC_PROCESSING_UNIT, UACD_USBDESC_EXTENSION_UNIT,
				  UACD_USBDESC_CLOCK_SOURCE, UACD_USBDESC_CLOCK_SELECTOR,
				  UACD_USBDESC_CLOCK_MULTIPLIER, UACD_USBDESC_SAMPLE_RATE_CONVERTER };

	if (uac == 1)
		return subtype < sizeof(v1) / sizeof(v1[0]) ? v1[subtype] : -1;
	return subtype < sizeof(v2) / sizeof(v2[0]) ? v2[subtype] : -1;
}

/* Every audio interface/alt setting lsusb shows, field by field; nothing else. */
static void compare_interfaces(const char *base, const struct uacd_usbdesc *d, const struct lsusb *l)
{
	unsigned as_alts = 0, ac_alts = 0;

	for (unsigned i = 0; i < l->nr; i++) {
		const struct lif *li = &l->ifs[i];
		const struct uacd_usbdesc_function *fn = NULL;
		const struct uacd_usbdesc_alt *a;

		if (li->cls == 1 && li->sub == 1) {
			ac_alts++;
			for (unsigned k = 0; k < d->nr_functions; k++) {
				if (d->functions[k].ac_iface != li->num)
					continue;
				fn = &d->functions[k];
			}
			ck_assert_msg(fn != NULL, "%s: no function for AC interface %u", base, li->num);
			ck_assert_uint_eq(fn->bcd_adc, li->bcd_adc);
			ck_assert_int_eq(fn->uac_version, li->proto == 0x20 ? 2 : li->proto == 0x30 ? 3 : 1);
			continue;
		}
		if (li->cls != 1 || li->sub != 2)
			continue;
		as_alts++;
		a = find_alt(d, li->num, li->alt, &fn);
		ck_assert_msg(a != NULL, "%s: interface %u alt %u missing", base, li->num, li->alt);
		ck_assert_uint_eq(a->iface_class, li->cls);
		ck_assert_uint_eq(a->iface_subclass, li->sub);
		ck_assert_uint_eq(a->channels, li->channels);
		ck_assert_uint_eq(a->subslot, li->subslot);
		ck_assert_uint_eq(a->bit_resolution, li->bits);
		ck_assert_int_eq(a->rate_continuous, li->continuous);
		if (li->continuous) {
			ck_assert_uint_eq(a->rate_min, li->rmin);
			ck_assert_uint_eq(a->rate_max, li->rmax);
		}
		ck_assert_uint_eq(a->nr_rates, li->nr_rates);
		for (unsigned r = 0; r < li->nr_rates; r++)
			ck_assert_uint_eq(a->rates[r], li->rates[r]);
		ck_assert_msg(a->nr_eps == li->nr_eps, "%s: if %u alt %u: %u endpoints, lsusb %u",
			      base, li->num, li->alt, a->nr_eps, li->nr_eps);
		for (unsigned e = 0; e < li->nr_eps; e++) {
			const struct uacd_usbdesc_endpoint *ep = &a->eps[e];
			const struct lep *le = &li->eps[e];

			ck_assert_uint_eq(ep->address, le->addr);
			ck_assert_uint_eq(ep->max_packet_raw, le->mps);
			ck_assert_uint_eq(ep->interval, le->interval);
			ck_assert_uint_eq(ep->transfer == 1, le->transfer);
			ck_assert_int_eq(ep->sync, le->sync);
			ck_assert_int_eq(ep->usage, le->usage);
		}
		/* an alt with a data endpoint has a PCM format the engine can stream, or says why not */
		if (a->data_ep >= 0 && a->format_type == 1)
			ck_assert_ptr_nonnull(a->alsa_format);
	}
	/* nothing invented: every model alt is one lsusb shows; everything else was skipped */
	ck_assert_uint_eq(model_alts(d), as_alts);
	ck_assert_uint_eq(d->nr_skipped, l->nr - as_alts - ac_alts);
}

/* AudioControl entities, in order, per function. */
static void compare_entities(const struct uacd_usbdesc *d, const struct lsusb *l)
{
	for (unsigned i = 0, k = 0; i < d->nr_functions; i++) {
		const struct uacd_usbdesc_function *fn = &d->functions[i];

		for (unsigned j = 0; j < fn->nr_entities; j++, k++) {
			const struct uacd_usbdesc_entity *e = &fn->entities[j];
			const struct lent *le;

			ck_assert_uint_lt(k, l->nr_ents);
			le = &l->ents[k];
			ck_assert_uint_eq(le->ac_iface, fn->ac_iface);
			ck_assert_int_eq(e->type, entity_type(le->subtype, fn->uac_version));
			ck_assert_uint_eq(e->id, le->id);
			ck_assert_uint_eq(e->nr_sources, le->nr_sources);
			for (unsigned n = 0; n < le->nr_sources; n++)
				ck_assert_uint_eq(e->sources[n], le->sources[n]);
			if (e->type == UACD_USBDESC_INPUT_TERMINAL ||
			    e->type == UACD_USBDESC_OUTPUT_TERMINAL) {
				ck_assert_uint_eq(e->terminal_type, le->type);
				ck_assert_uint_eq(e->clock_id, le->clock);
			}
			if (e->type == UACD_USBDESC_INPUT_TERMINAL || e->type == UACD_USBDESC_MIXER_UNIT)
				ck_assert_uint_eq(e->channels, le->channels);
			if (e->type == UACD_USBDESC_FEATURE_UNIT) {
				ck_assert_uint_eq(e->nr_ctl_channels + 1u, le->nr_ch);
				for (unsigned ch = 0; ch < le->nr_ch && ch < 32; ch++) {
					ck_assert_uint_eq(e->controls[ch] & UACD_USBDESC_FU_MUTE, le->mute >> ch & 1);
					ck_assert_uint_eq(!!(e->controls[ch] & UACD_USBDESC_FU_VOLUME),
							  le->vol >> ch & 1);
					ck_assert_uint_eq(e->writable[ch] & UACD_USBDESC_FU_MUTE,
							  le->mute_rw >> ch & 1);
					ck_assert_uint_eq(!!(e->writable[ch] & UACD_USBDESC_FU_VOLUME),
							  le->vol_rw >> ch & 1);
				}
			}
		}
		if (i + 1 == d->nr_functions)
			ck_assert_uint_eq(k, l->nr_ents);
	}
}

START_TEST(test_corpus_matches_lsusb)
{
	const char *base = files[_i];
	char path[1024], err[160];
	struct uacd_usbdesc *d = NULL;
	struct uacd_usbdesc_device dev;
	struct lsusb *l = calloc(1, sizeof(*l));
	uint8_t *buf;
	size_t len;
	int ret;

	ck_assert_ptr_nonnull(l);
	snprintf(path, sizeof(path), "%s/%s.lsusb.txt", shared_dir, base);
	read_lsusb(path, l);
	ck_assert_uint_gt(l->nr, 0);

	snprintf(path, sizeof(path), "%s/%s.dev.bin", shared_dir, base);
	buf = slurp(path, &len);
	ret = uacd_usbdesc_parse_device(buf, len, &dev, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: %s", path, err);
	ck_assert_uint_eq(dev.vendor_id, l->vid);
	ck_assert_uint_eq(dev.product_id, l->pid);
	ck_assert_uint_eq(dev.bcd_usb, l->bcd_usb);
	free(buf);

	snprintf(path, sizeof(path), "%s/%s.bin", shared_dir, base);
	buf = slurp(path, &len);
	ret = uacd_usbdesc_parse(buf, len, &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: %s", path, err);
	ck_assert_uint_eq(d->total_length, l->total_length);
	ck_assert_uint_eq(d->total_length, len);
	ck_assert_uint_ge(d->nr_functions, 1);

	compare_interfaces(base, d, l);
	compare_entities(d, l);
	printf("%s: UAC%d, %u AudioControl entities, %u streaming alt settings, "
	       "%u other interface settings: match lsusb\n", base, d->functions[0].uac_version,
	       l->nr_ents, model_alts(d), d->nr_skipped);
	free(buf);
	free(l);
	uacd_usbdesc_free(d);
}
END_TEST

/*
 * QEMU's emulated usb-audio (hw/usb/dev-audio.c), the device the VM tests
 * drive, rebuilt byte for byte from qemu-usb-audio.lsusb.txt.  lsusb
 * misreads its feature unit (AudioControl bInterfaceProtocol 4, an unknown
 * value, which the kernel and uacd read as UAC1) as a selector unit and
 * prints the rest as "junk": 00 02 00 02 00 07, i.e. bControlSize 2,
 * bmaControls 0x0001 (mute), 0x0002, 0x0002 (volume), iFeature 7.
 */
static const uint8_t qemu_cfg[] = {
	9, 2, 0x71, 0, 2, 1, 4, 0xc0, 50,
	9, 4, 0, 0, 0, 1, 1, 4, 5,
	9, 0x24, 1, 0x00, 0x01, 0x2b, 0x00, 1, 1,
	12, 0x24, 2, 1, 0x01, 0x01, 0, 2, 0x03, 0x00, 0, 6,
	13, 0x24, 6, 2, 1, 2, 0x01, 0x00, 0x02, 0x00, 0x02, 0x00, 7,
	9, 0x24, 3, 3, 0x01, 0x03, 0, 2, 8,
	9, 4, 1, 0, 0, 1, 2, 0, 9,
	9, 4, 1, 1, 1, 1, 2, 0, 10,
	7, 0x24, 1, 1, 0, 0x01, 0x00,
	11, 0x24, 2, 1, 2, 2, 16, 1, 0x80, 0xbb, 0x00,
	9, 5, 0x01, 13, 0xc0, 0x00, 1, 0, 0,
	7, 0x25, 1, 0x00, 0, 0x00, 0x00,
};

START_TEST(test_qemu_usb_audio)
{
	struct lsusb *l = calloc(1, sizeof(*l));
	const struct uacd_usbdesc_entity *e;
	const struct uacd_usbdesc_function *f;
	const struct uacd_usbdesc_alt *a;
	struct uacd_usbdesc *d = NULL;
	char path[1024], err[160];
	int ret;

	ck_assert_ptr_nonnull(l);
	snprintf(path, sizeof(path), "%s/qemu-usb-audio.lsusb.txt", shared_dir);
	read_lsusb(path, l);
	ret = uacd_usbdesc_parse(qemu_cfg, sizeof(qemu_cfg), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->total_length, l->total_length);
	ck_assert_uint_eq(sizeof(qemu_cfg), l->total_length);
	compare_interfaces("qemu-usb-audio", d, l);
	f = &d->functions[0];
	ck_assert_int_eq(f->uac_version, 1);
	ck_assert_uint_eq(f->protocol, 4);
	ck_assert_str_eq(f->note, "unknown AudioControl protocol 0x04, parsed as UAC1");
	ck_assert_uint_eq(f->nr_entities, 3);
	e = uacd_usbdesc_find_entity(f, 2);
	ck_assert_int_eq(e->type, UACD_USBDESC_FEATURE_UNIT);
	ck_assert_uint_eq(e->sources[0], 1);
	ck_assert_uint_eq(e->nr_ctl_channels, 2);
	ck_assert_uint_eq(e->controls[0], UACD_USBDESC_FU_MUTE);
	ck_assert_uint_eq(e->controls[1], UACD_USBDESC_FU_VOLUME);
	ck_assert_uint_eq(e->controls[2], UACD_USBDESC_FU_VOLUME);
	a = &f->streams[0].alts[1];
	ck_assert_int_eq(f->streams[0].dir, UACD_USBDESC_DIR_PLAYBACK);
	ck_assert_str_eq(a->alsa_format, "S16_LE");
	ck_assert_int_eq(a->eps[a->data_ep].sync, UACD_USBDESC_SYNC_SYNC);
	ck_assert(!a->eps[a->data_ep].freq_control);
	ck_assert_uint_eq(a->fb_address, 0);
	ck_assert(!a->implicit_fb);
	ck_assert_int_eq(uacd_usbdesc_infer_speed(NULL, d), UACD_USB_SPEED_FULL);
	uacd_usbdesc_free(d);
	free(l);
}
END_TEST

/*
 * What lsusb cannot tell: per device, each streaming interface's direction
 * and, per playback alt, the feedback decision.  fb = explicit feedback
 * address (0 = none); imp = implicit-feedback source endpoint (0 = none).
 */
struct expect {
	const char *base;
	int uac;
	unsigned iface, alt;
	enum uacd_usbdesc_dir dir;
	const char *format;
	unsigned fb, imp;
};

static const struct expect expects[] = {
	{ "02-allenheath-xone43c", 1, 1, 1, UACD_USBDESC_DIR_PLAYBACK, "S24_3LE", 0x85, 0 },
	{ "02-allenheath-xone43c", 1, 2, 1, UACD_USBDESC_DIR_CAPTURE, "S24_3LE", 0, 0 },
	{ "04-gyrocom-1852-7022", 1, 2, 2, UACD_USBDESC_DIR_CAPTURE, "S24_3LE", 0, 0 },
	{ "04-gyrocom-1852-7022", 1, 3, 1, UACD_USBDESC_DIR_PLAYBACK, "S16_LE", 0, 0 },
	{ "04-gyrocom-1852-7022", 1, 3, 3, UACD_USBDESC_DIR_PLAYBACK, NULL, 0, 0 },
	{ "08-nux-mightyplug", 2, 1, 1, UACD_USBDESC_DIR_PLAYBACK, "S32_LE", 0x81, 0 },
	{ "08-nux-mightyplug", 2, 2, 1, UACD_USBDESC_DIR_CAPTURE, "S32_LE", 0, 0 },
	{ "11-behringer-uv1", 2, 1, 1, UACD_USBDESC_DIR_PLAYBACK, "S32_LE", 0x84, 0 },
	{ "11-behringer-uv1", 2, 2, 1, UACD_USBDESC_DIR_CAPTURE, "S32_LE", 0, 0 },
	{ "13-razer-1532-0526", 1, 1, 1, UACD_USBDESC_DIR_CAPTURE, "S16_LE", 0, 0 },
	{ "13-razer-1532-0526", 1, 2, 1, UACD_USBDESC_DIR_PLAYBACK, "S16_LE", 0, 0 },
	{ "17-maudio-micro", 1, 1, 2, UACD_USBDESC_DIR_PLAYBACK, "S16_LE", 0, 0 },
	{ "17-maudio-micro", 1, 2, 1, UACD_USBDESC_DIR_CAPTURE, "S8", 0, 0 },
	{ "21-msi-realtek-alc1220-usb", 2, 1, 3, UACD_USBDESC_DIR_CAPTURE, "S32_LE", 0, 0 },
	{ "21-msi-realtek-alc1220-usb", 2, 4, 12, UACD_USBDESC_DIR_PLAYBACK, "S32_LE", 0, 0 },
	{ "21-msi-realtek-alc1220-usb", 2, 6, 9, UACD_USBDESC_DIR_PLAYBACK, NULL, 0, 0 },
	{ "24-arturia-1c75-af20", 2, 1, 1, UACD_USBDESC_DIR_PLAYBACK, "S32_LE", 0, 0x81 },
	{ "24-arturia-1c75-af20", 2, 1, 3, UACD_USBDESC_DIR_PLAYBACK, "S32_LE", 0, 0x81 },
	{ "24-arturia-1c75-af20", 2, 2, 1, UACD_USBDESC_DIR_CAPTURE, "S32_LE", 0, 0 },
	{ "29-rode-ai1", 1, 1, 1, UACD_USBDESC_DIR_CAPTURE, "S24_3LE", 0, 0 },
	{ "29-rode-ai1", 1, 2, 1, UACD_USBDESC_DIR_PLAYBACK, "S24_3LE", 0x84, 0 },
	{ "32-razer-seiren-mini", 1, 1, 1, UACD_USBDESC_DIR_CAPTURE, "S16_LE", 0, 0 },
	{ "34-sony-dualsense", 1, 1, 1, UACD_USBDESC_DIR_PLAYBACK, "S16_LE", 0, 0 },
	{ "34-sony-dualsense", 1, 2, 1, UACD_USBDESC_DIR_CAPTURE, "S16_LE", 0, 0 },
};

START_TEST(test_corpus_decisions)
{
	const struct expect *x = &expects[_i];
	const struct uacd_usbdesc_function *fn = NULL;
	const struct uacd_usbdesc_alt *a;
	struct uacd_usbdesc *d = NULL;
	char path[1024], err[160];
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s.bin", shared_dir, x->base);
	buf = slurp(path, &len);
	ck_assert_msg(uacd_usbdesc_parse(buf, len, &d, err, sizeof(err)) == 0, "%s", err);
	a = find_alt(d, x->iface, x->alt, &fn);
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(fn->uac_version, x->uac);
	for (unsigned s = 0; s < fn->nr_streams; s++)
		if (fn->streams[s].iface == x->iface)
			ck_assert_int_eq(fn->streams[s].dir, x->dir);
	if (x->format)
		ck_assert_str_eq(a->alsa_format, x->format);
	else
		ck_assert_ptr_null(a->alsa_format);
	ck_assert_uint_eq(a->fb_address, x->fb);
	ck_assert_int_eq(a->implicit_fb, x->imp != 0);
	ck_assert_uint_eq(a->implicit_fb_address, x->imp);
	if (x->imp)
		ck_assert_uint_eq(a->implicit_fb_alt, x->alt);	/* the capture alt of the same number */
	if (x->uac == 2) {
		ck_assert_uint_ne(a->clock_id, 0);
		ck_assert_ptr_nonnull(uacd_usbdesc_find_entity(fn, a->clock_source_id));
	}
	free(buf);
	uacd_usbdesc_free(d);
}
END_TEST

/* Specific AudioControl details lsusb shows that the model must carry. */
START_TEST(test_corpus_entities)
{
	char path[1024], err[160];
	struct uacd_usbdesc *d = NULL;
	const struct uacd_usbdesc_entity *e;
	uint8_t *buf;
	size_t len;

	/* UV1: clock source 41 behind selector 40; terminals clocked from 40 */
	snprintf(path, sizeof(path), "%s/11-behringer-uv1.bin", shared_dir);
	buf = slurp(path, &len);
	ck_assert_msg(uacd_usbdesc_parse(buf, len, &d, err, sizeof(err)) == 0, "%s", err);
	e = uacd_usbdesc_find_entity(&d->functions[0], 40);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->type, UACD_USBDESC_CLOCK_SELECTOR);
	ck_assert_uint_eq(e->nr_sources, 1);
	ck_assert_uint_eq(e->sources[0], 41);
	e = uacd_usbdesc_find_entity(&d->functions[0], 41);
	ck_assert_int_eq(e->type, UACD_USBDESC_CLOCK_SOURCE);
	ck_assert_uint_eq(e->attributes, 3);
	ck_assert_uint_eq(e->bm_controls, 7);
	ck_assert_uint_eq(d->functions[0].streams[0].alts[1].clock_id, 40);
	ck_assert_uint_eq(d->functions[0].streams[0].alts[1].clock_source_id, 41);
	ck_assert_int_eq(uacd_usbdesc_infer_speed(NULL, d), UACD_USB_SPEED_HIGH);
	uacd_usbdesc_free(d);
	free(buf);

	/* gyrocom: UAC1 feature unit 16, master mute, per-channel volume */
	snprintf(path, sizeof(path), "%s/04-gyrocom-1852-7022.bin", shared_dir);
	buf = slurp(path, &len);
	ck_assert_msg(uacd_usbdesc_parse(buf, len, &d, err, sizeof(err)) == 0, "%s", err);
	e = uacd_usbdesc_find_entity(&d->functions[0], 16);
	ck_assert_int_eq(e->type, UACD_USBDESC_FEATURE_UNIT);
	ck_assert_uint_eq(e->nr_ctl_channels, 2);
	ck_assert_uint_eq(e->controls[0], UACD_USBDESC_FU_MUTE);
	ck_assert_uint_eq(e->controls[1], UACD_USBDESC_FU_VOLUME);
	ck_assert_uint_eq(e->controls[2], UACD_USBDESC_FU_VOLUME);
	ck_assert_uint_eq(e->sources[0], 9);
	ck_assert(d->functions[0].streams[1].alts[1].eps[0].freq_control);
	ck_assert_uint_eq(d->functions[0].nr_as_ifaces, 2);
	uacd_usbdesc_free(d);
	free(buf);
}
END_TEST

/* ---- malformed input ---- */

static void expect_error(const uint8_t *b, size_t len, const char *msg)
{
	struct uacd_usbdesc *d = (struct uacd_usbdesc *)1;
	char err[160];
	int ret = uacd_usbdesc_parse(b, len, &d, err, sizeof(err));

	ck_assert_int_eq(ret, -EINVAL);
	ck_assert_ptr_null(d);
	ck_assert_str_eq(err, msg);
}

#define CFG(total, nif) 9, 2, (total) & 0xff, (total) >> 8, nif, 1, 0, 0x80, 50
#define IF(n, alt, neps, cls, sub, proto) 9, 4, n, alt, neps, cls, sub, proto, 0

START_TEST(test_malformed_basic)
{
	static const uint8_t zero_len[] = { CFG(20, 1), IF(0, 0, 0, 1, 1, 0), 0, 0 };
	static const uint8_t one_len[] = { CFG(20, 1), IF(0, 0, 0, 1, 1, 0), 1, 0 };
	static const uint8_t past_end[] = { CFG(21, 1), IF(0, 0, 0, 1, 1, 0), 7, 5, 1 };
	static const uint8_t short_if[] = { CFG(14, 1), 5, 4, 0, 0, 0 };
	static const uint8_t short_ep[] = { CFG(23, 1), IF(1, 1, 1, 1, 2, 0), 5, 5, 1, 5, 0 };
	static const uint8_t not_cfg[] = { 9, 1, 9, 0, 0, 0, 0, 0, 0 };
	static const uint8_t tail[] = { CFG(10, 0), 2 };
	static const uint8_t ok_empty[] = { CFG(9, 0) };
	struct uacd_usbdesc *d = NULL;
	char err[160];

	expect_error(zero_len, sizeof(zero_len), "offset 18: descriptor bLength 0");
	expect_error(one_len, sizeof(one_len), "offset 18: descriptor bLength 1");
	expect_error(past_end, sizeof(past_end),
		     "offset 18: descriptor bLength 7 runs past the end (3 bytes left)");
	expect_error(past_end, 20, "offset 2: wTotalLength 21 but only 20 bytes given");
	expect_error(short_if, sizeof(short_if),
		     "offset 9: interface descriptor bLength 5 too short (min 9)");
	expect_error(short_ep, sizeof(short_ep),
		     "offset 18: endpoint descriptor bLength 5 too short (min 7)");
	expect_error(not_cfg, sizeof(not_cfg),
		     "offset 0: bDescriptorType 1 is not a configuration descriptor");
	expect_error(not_cfg, 5, "offset 0: configuration descriptor truncated (5 bytes, need 9)");
	expect_error(tail, sizeof(tail), "offset 9: truncated descriptor header (1 byte left)");

	ck_assert_int_eq(uacd_usbdesc_parse(ok_empty, sizeof(ok_empty), &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d->nr_functions, 0);
	uacd_usbdesc_free(d);
	/* a buffer shorter than wTotalLength is refused, longer is cut */
	ck_assert_int_eq(uacd_usbdesc_parse(tail, 9, &d, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(uacd_usbdesc_parse(zero_len, 9, &d, err, sizeof(err)), -EINVAL);
}
END_TEST

/* A UAC2 function whose clock selector 40 and selector 41 select each other. */
START_TEST(test_malformed_clock_loop)
{
	static const uint8_t b[] = {
		CFG(52, 1),
		IF(0, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 43, 0, 0,		/* header, offset 18 */
		8, 0x24, 11, 40, 1, 41, 3, 0,			/* clock selector 40 <- 41, offset 27 */
		8, 0x24, 11, 41, 1, 40, 3, 0,			/* clock selector 41 <- 40, offset 35 */
		9, 0x24, 0x0a, 42, 3, 7, 0, 0, 0,		/* unrelated clock source, offset 43 */
	};

	expect_error(b, sizeof(b), "offset 27: loop in the clock graph through clock selector 40");
}
END_TEST

/* UAC1 units feeding each other: feature 5 <- selector 6 <- feature 5. */
START_TEST(test_malformed_unit_loop)
{
	static const uint8_t b[] = {
		CFG(48, 1),
		IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 28, 0, 1, 1,		/* header, offset 18 */
		9, 0x24, 6, 5, 6, 1, 3, 0, 0,			/* feature 5 <- 6, offset 27 */
		7, 0x24, 5, 6, 1, 5, 0,				/* selector 6 <- 5, offset 36 */
		5, 0x24, 0x99, 0, 0,				/* unknown subtype: skipped */
	};

	expect_error(b, sizeof(b), "offset 27: loop in the unit graph through feature unit 5");
}
END_TEST

START_TEST(test_malformed_counts)
{
	/* selector unit claiming 200 input pins in 7 bytes */
	static const uint8_t pins[] = {
		CFG(34, 1), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 16, 0, 0, 0,
		7, 0x24, 5, 6, 200, 5, 0,
	};
	/* UAC1 header bInCollection 9 with one interface number present */
	static const uint8_t coll[] = {
		CFG(27, 1), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 9, 0, 9, 1,
	};
	/* feature unit with bControlSize 0 */
	static const uint8_t csize[] = {
		CFG(34, 1), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 16, 0, 0, 0,
		7, 0x24, 6, 3, 1, 0, 0,
	};
	/* UAC1 format type I with bSamFreqType 200 in 14 bytes */
	static const uint8_t rates[] = {
		CFG(61, 2), IF(0, 0, 0, 1, 1, 0),
		9, 0x24, 1, 0x00, 0x01, 9, 0, 1, 1,
		IF(1, 1, 1, 1, 2, 0),
		7, 0x24, 1, 1, 0, 1, 0,				/* AS general, offset 36 */
		11, 0x24, 2, 1, 2, 2, 16, 200, 0x80, 0xbb, 0,	/* format type, offset 43 */
		7, 5, 1, 9, 192, 0, 1,
	};
	/* UAC2 AS_GENERAL cut short */
	static const uint8_t gen[] = {
		CFG(45, 2), IF(0, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 9, 0, 0,
		IF(1, 1, 0, 1, 2, 0x20),
		9, 0x24, 1, 1, 0, 1, 1, 0, 0,			/* offset 36 */
	};

	expect_error(pins, sizeof(pins),
		     "offset 27: selector unit 6: bNrInPins 200 needs bLength >= 205, got 7");
	expect_error(coll, sizeof(coll),
		     "offset 18: AudioControl header bInCollection 9 needs bLength >= 17, got 9");
	expect_error(csize, sizeof(csize), "offset 27: feature unit 3 bControlSize 0");
	expect_error(rates, sizeof(rates),
		     "offset 43: bSamFreqType 200 needs bLength >= 608, got 11");
	expect_error(gen, sizeof(gen), "offset 36: AS_GENERAL bLength 9 too short (min 16)");
}
END_TEST

/* Built by hand: things the corpus lacks. */
START_TEST(test_synthetic_features)
{
	/* UAC2 HS: playback with a high-bandwidth endpoint and SS companion,
	 * capture async; no feedback endpoint -> implicit from capture 0x82;
	 * plus a UAC3 BADD function and a HID interface that are skipped */
	static const uint8_t b[] = {
		CFG(197, 4),
		8, 11, 0, 3, 1, 0, 0x20, 0,
		IF(0, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 63, 0, 0,		/* header */
		8, 0x24, 10, 9, 1, 7, 0, 0,			/* clock source 9 */
		8, 0x24, 12, 8, 9, 0, 0, 0,			/* clock multiplier 8 <- 9 */
		17, 0x24, 2, 1, 0x01, 0x01, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0,
		12, 0x24, 3, 2, 0x01, 0x03, 0, 1, 8, 0, 0, 0,
		IF(1, 0, 0, 1, 2, 0x20),
		IF(1, 1, 1, 1, 2, 0x20),
		16, 0x24, 1, 1, 0, 1, 4, 0, 0, 0, 2, 0, 0, 0, 0, 0,	/* general: FLOAT */
		6, 0x24, 2, 1, 4, 32,				/* 4-byte float */
		7, 5, 0x01, 0x05, 0x00, 0x14, 1,		/* OUT async, 3x 1024 */
		6, 0x30, 2, 1, 0x00, 0x0c,			/* SS companion: burst 3, 3072 */
		8, 0x25, 1, 0, 0, 2, 8, 0,
		IF(2, 0, 0, 1, 2, 0x20),
		IF(2, 1, 1, 1, 2, 0x20),
		16, 0x24, 1, 2, 0, 1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0,	/* general: PCM8 */
		6, 0x24, 2, 1, 1, 8,
		7, 5, 0x82, 0x05, 0x40, 0x00, 1,		/* IN async */
		IF(3, 0, 0, 3, 0, 0),				/* HID */
	};
	static const uint8_t badd[] = {
		CFG(35, 2),
		8, 11, 0, 2, 1, 0x22, 0x30, 0,			/* IAD: BADD profile 0x22 */
		IF(0, 0, 0, 1, 1, 0x30),
		IF(1, 0, 0, 1, 2, 0x30),
	};
	struct uacd_usbdesc *d = NULL;
	const struct uacd_usbdesc_function *fn;
	const struct uacd_usbdesc_alt *a;
	const struct uacd_usbdesc_endpoint *ep;
	char err[160];
	int ret;

	ret = uacd_usbdesc_parse(b, sizeof(b), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->nr_functions, 1);
	fn = &d->functions[0];
	ck_assert_int_eq(fn->uac_version, 2);
	ck_assert_uint_eq(fn->nr_streams, 2);
	ck_assert_uint_eq(d->nr_skipped, 1);
	ck_assert(d->has_ss_companions);
	a = &fn->streams[0].alts[1];
	ck_assert_str_eq(a->alsa_format, "FLOAT_LE");
	ck_assert_uint_eq(a->clock_id, 8);
	ck_assert_uint_eq(a->clock_source_id, 9);
	ep = &a->eps[a->data_ep];
	ck_assert_uint_eq(ep->max_packet, 1024);
	ck_assert_uint_eq(ep->mult, 3);
	ck_assert(ep->has_ss);
	ck_assert_uint_eq(ep->ss_max_burst, 2);
	ck_assert_uint_eq(uacd_usbdesc_ep_bytes_per_interval(ep), 3072);
	ck_assert(ep->has_cs);
	ck_assert_uint_eq(ep->lock_delay_units, 2);
	ck_assert_uint_eq(ep->lock_delay, 8);
	ck_assert_uint_eq(a->fb_address, 0);
	ck_assert(a->implicit_fb);
	ck_assert_uint_eq(a->implicit_fb_address, 0x82);
	ck_assert_uint_eq(a->implicit_fb_iface, 2);
	ck_assert_uint_eq(a->implicit_fb_alt, 1);
	ck_assert_str_eq(fn->streams[1].alts[1].alsa_format, "U8");
	ck_assert_int_eq(fn->streams[1].dir, UACD_USBDESC_DIR_CAPTURE);
	ck_assert_int_eq(uacd_usbdesc_infer_speed(NULL, d), UACD_USB_SPEED_SUPER);
	uacd_usbdesc_free(d);

	ret = uacd_usbdesc_parse(badd, sizeof(badd), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->nr_functions, 1);
	ck_assert_int_eq(d->functions[0].uac_version, 3);
	ck_assert(!d->functions[0].supported);
	ck_assert_str_eq(d->functions[0].note, "UAC3 BADD function (profile 0x22): not supported");
	uacd_usbdesc_free(d);
}
END_TEST

/*
 * Two functions in one device, as some real ones have: a UAC1 function whose
 * header lists a MIDI interface and whose AC header wTotalLength is wrong,
 * with a vendor alt setting inside its streaming interface and a
 * "synchronous" playback endpoint that has a feedback endpoint anyway; and a
 * UAC2 function (IAD) with an adaptive capture endpoint and its OUT
 * feedback endpoint.
 */
START_TEST(test_synthetic_two_functions)
{
	static const uint8_t b[] = {
		CFG(260, 5),
		IF(0, 0, 0, 1, 1, 0),
		10, 0x24, 1, 0x00, 0x01, 200, 0, 2, 1, 2,	/* wTotalLength 200: wrong */
		12, 0x24, 2, 1, 0x01, 0x01, 0, 2, 3, 0, 0, 0,	/* IT 1 USB streaming */
		9, 0x24, 3, 2, 0x01, 0x03, 0, 1, 0,		/* OT 2 speaker <- 1 */
		IF(1, 0, 0, 1, 2, 0),
		IF(1, 1, 2, 1, 2, 0),
		7, 0x24, 1, 1, 1, 1, 0,				/* PCM */
		11, 0x24, 2, 1, 2, 2, 16, 1, 0x80, 0xbb, 0,	/* 48000 */
		9, 5, 0x01, 0x0d, 192, 0, 1, 0, 0x81,		/* OUT synchronous, bSynchAddress 0x81 */
		7, 0x25, 1, 1, 0, 0, 0,
		9, 5, 0x81, 0x01, 3, 0, 1, 2, 0,		/* its feedback endpoint */
		IF(1, 2, 1, 255, 0, 0),				/* vendor alt setting */
		7, 5, 0x01, 0x01, 0, 2, 1,
		IF(2, 0, 0, 1, 3, 0),				/* MIDI streaming */
		8, 11, 3, 2, 1, 0, 0x20, 0,			/* IAD 3..4 */
		IF(3, 0, 0, 1, 1, 0x20),
		9, 0x24, 1, 0x00, 0x02, 8, 30, 0, 0,
		8, 0x24, 10, 5, 1, 7, 0, 0,			/* clock source 5 */
		12, 0x24, 3, 6, 0x01, 0x01, 0, 7, 5, 0, 0, 0,	/* OT 6 USB streaming <- 7 */
		17, 0x24, 2, 7, 0x01, 0x02, 0, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0,	/* IT 7 mic */
		IF(4, 0, 0, 1, 2, 0x20),
		IF(4, 1, 2, 1, 2, 0x20),
		16, 0x24, 1, 6, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0,
		6, 0x24, 2, 1, 3, 24,
		7, 5, 0x82, 0x09, 0x90, 0x01, 1,		/* IN adaptive, 400 bytes */
		8, 0x25, 1, 0, 0, 0, 0, 0,
		7, 5, 0x02, 0x11, 4, 0, 4,			/* OUT feedback */
	};
	struct uacd_usbdesc *d = NULL;
	const struct uacd_usbdesc_function *f;
	const struct uacd_usbdesc_alt *a;
	char err[160];
	int ret;

	ret = uacd_usbdesc_parse(b, sizeof(b), &d, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s", err);
	ck_assert_uint_eq(d->nr_functions, 2);
	ck_assert_uint_eq(d->nr_skipped, 2);

	f = &d->functions[0];
	ck_assert_int_eq(f->uac_version, 1);
	ck_assert_uint_eq(f->nr_as_ifaces, 2);
	ck_assert_uint_eq(f->nr_streams, 1);
	ck_assert_uint_eq(f->streams[0].iface, 1);
	ck_assert_int_eq(f->streams[0].dir, UACD_USBDESC_DIR_PLAYBACK);
	ck_assert_uint_eq(f->streams[0].nr_alts, 2);
	a = &f->streams[0].alts[1];
	ck_assert_str_eq(a->alsa_format, "S16_LE");
	ck_assert_uint_eq(a->nr_rates, 1);
	ck_assert_uint_eq(a->rates[0], 48000);
	ck_assert_int_eq(a->eps[a->data_ep].sync, UACD_USBDESC_SYNC_SYNC);
	ck_assert(a->eps[a->data_ep].freq_control);
	ck_assert_int_eq(a->fb_ep, 1);		/* present ... */
	ck_assert_uint_eq(a->fb_address, 0);	/* ... but a synchronous endpoint does not use it */
	ck_assert(!a->implicit_fb);

	f = &d->functions[1];
	ck_assert_int_eq(f->uac_version, 2);
	ck_assert_uint_eq(f->ac_iface, 3);
	ck_assert_uint_eq(f->nr_streams, 1);
	ck_assert_int_eq(f->streams[0].dir, UACD_USBDESC_DIR_CAPTURE);
	a = &f->streams[0].alts[1];
	ck_assert_str_eq(a->alsa_format, "S24_3LE");
	ck_assert_uint_eq(a->channels, 1);
	ck_assert_uint_eq(a->clock_id, 5);
	ck_assert_uint_eq(a->clock_source_id, 5);
	ck_assert_uint_eq(a->eps[a->data_ep].max_packet, 400);
	ck_assert_uint_eq(a->fb_address, 0x02);	/* adaptive capture: host sends feedback */
	ck_assert(!a->implicit_fb);
	uacd_usbdesc_free(d);
}
END_TEST

START_TEST(test_helpers)
{
	static const uint8_t devd[18] = { 18, 1, 0x00, 0x02, 0xef, 2, 1, 64,
					  0x97, 0x13, 0x10, 0x05, 0, 1, 1, 2, 3, 1 };
	struct uacd_usbdesc_device dev;
	char err[160];

	ck_assert_int_eq(uacd_usbdesc_parse_device(devd, sizeof(devd), &dev, err, sizeof(err)), 0);
	ck_assert_uint_eq(dev.vendor_id, 0x1397);
	ck_assert_uint_eq(dev.product_id, 0x0510);
	ck_assert_uint_eq(dev.bcd_usb, 0x0200);
	ck_assert_int_eq(uacd_usbdesc_parse_device(devd, 17, &dev, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "offset 0: device descriptor truncated (17 bytes, need 18)");
	ck_assert_uint_eq(uacd_usbdesc_interval_us(1, UACD_USB_SPEED_FULL), 1000);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(4, UACD_USB_SPEED_HIGH), 1000);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(1, UACD_USB_SPEED_HIGH), 125);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(0, UACD_USB_SPEED_HIGH), 0);
	ck_assert_uint_eq(uacd_usbdesc_interval_us(17, UACD_USB_SPEED_HIGH), 0);
	dev.bcd_usb = 0x0110;
	ck_assert_int_eq(uacd_usbdesc_infer_speed(&dev, NULL), UACD_USB_SPEED_FULL);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NN-name.bin (not .dev.bin/.cfg2.bin); each must have its .lsusb.txt. */
static void collect_corpus(void)
{
	DIR *dir;

	dir = opendir(shared_dir);
	if (!dir)
		return;
	while (nr_files < MAX_FILES) {
		struct dirent *de = readdir(dir);
		size_t n;

		if (!de)
			break;
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".bin") || strstr(de->d_name, ".dev.bin") ||
		    strstr(de->d_name, ".cfg2.bin"))
			continue;
		files[nr_files++] = strndup(de->d_name, n - 4);
	}
	closedir(dir);
	qsort(files, (size_t)nr_files, sizeof(files[0]), cmp_str);
}

int main(void)
{
	const char *shared = getenv("UACD_TEST_SHARED");
	char dir[1024];
	Suite *s = suite_create("usb-descriptors");
	TCase *tc = tcase_create("corpus");
	SRunner *sr;
	int failed;

	if (!shared) {
		printf("SKIP: UACD_TEST_SHARED is not set (run through make check)\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "%s/descriptors", shared);
	shared_dir = dir;
	collect_corpus();
	if (nr_files == 0) {
		printf("SKIP: no descriptors in %s\n", dir);
		return 77;
	}
	tcase_add_loop_test(tc, test_corpus_matches_lsusb, 0, nr_files);
	tcase_add_loop_test(tc, test_corpus_decisions, 0,
			    (int)(sizeof(expects) / sizeof(expects[0])));
	tcase_add_test(tc, test_corpus_entities);
	tcase_add_test(tc, test_qemu_usb_audio);
	suite_add_tcase(s, tc);
	tc = tcase_create("malformed");
	tcase_add_test(tc, test_malformed_basic);
	tcase_add_test(tc, test_malformed_clock_loop);
	tcase_add_test(tc, test_malformed_unit_loop);
	tcase_add_test(tc, test_malformed_counts);
	tcase_add_test(tc, test_synthetic_features);
	tcase_add_test(tc, test_synthetic_two_functions);
	tcase_add_test(tc, test_helpers);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (int i = 0; i < nr_files; i++)
		free(files[i]);
	printf("%d corpus descriptors checked against lsusb\n", nr_files);
	return failed ? 1 : 0;
}
