/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Descriptor model tests against real devices.
 *
 * Corpus: every NN-name.bin in $UACD_TEST_FIXTURES/descriptors (the
 * repository's tests/fixtures/descriptors) is parsed and compared field by
 * field with its lsusb -v text, read by tests/usb/lsusb-reader.c, which
 * knows nothing of the parser: per interface/alt setting the class,
 * channels, subslot, bit resolution, rates, and every endpoint's address,
 * wMaxPacketSize, bInterval, sync and usage type.  Feedback and
 * implicit-feedback decisions are not in lsusb's text; a table below
 * states them per device.
 *
 * Malformed and hand-built input: tests/usb/test-usb-synthetic.c.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/usb/usb-descriptors.h"
#include "tests/usb/lsusb-reader.h"

#define MAX_FILES	64

/* ---- corpus ---- */

static char *corpus_dir;
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
/*
 * The channel positions lsusb shows for AS interface li: its AS_GENERAL
 * bmChannelConfig (UAC2), else the cluster of the terminal it links to,
 * through output terminals, feature and selector units to the input
 * terminal or mixer unit that declares it (same subtypes in UAC1 and 2).
 */
static unsigned lsusb_chmap(const struct lsusb *l, unsigned ac_iface, const struct lif *li)
{
	unsigned id = li->link, depth;

	if (li->chcfg)
		return li->chcfg;
	for (depth = 0; depth < 16; depth++) {
		const struct lent *e = NULL;

		for (unsigned k = 0; k < l->nr_ents; k++)
			if (l->ents[k].ac_iface == ac_iface && l->ents[k].id == id && l->ents[k].subtype < 7)
				e = &l->ents[k];
		if (!e)
			return 0;
		if (e->subtype == 2 || e->subtype == 4)
			return e->chcfg;
		if (e->subtype == 3 || e->subtype == 5 || e->subtype == 6) {
			if (!e->nr_sources)
				return 0;
			id = e->sources[0];
			continue;
		}
		return 0;
	}
	return 0;
}

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
		{
			unsigned want = lsusb_chmap(l, fn->ac_iface, li);

			ck_assert_msg(uacd_usbdesc_alt_chmap(fn, a) == want,
				      "%s: if %u alt %u: channel map 0x%x, lsusb says 0x%x", base, li->num,
				      li->alt, uacd_usbdesc_alt_chmap(fn, a), want);
		}
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
	snprintf(path, sizeof(path), "%s/%s.lsusb.txt", corpus_dir, base);
	read_lsusb(path, l);
	ck_assert_uint_gt(l->nr, 0);

	snprintf(path, sizeof(path), "%s/%s.dev.bin", corpus_dir, base);
	buf = slurp(path, &len);
	ret = uacd_usbdesc_parse_device(buf, len, &dev, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: %s", path, err);
	ck_assert_uint_eq(dev.vendor_id, l->vid);
	ck_assert_uint_eq(dev.product_id, l->pid);
	ck_assert_uint_eq(dev.bcd_usb, l->bcd_usb);
	free(buf);

	snprintf(path, sizeof(path), "%s/%s.bin", corpus_dir, base);
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
	snprintf(path, sizeof(path), "%s/qemu-usb-audio.lsusb.txt", corpus_dir);
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

	snprintf(path, sizeof(path), "%s/%s.bin", corpus_dir, x->base);
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
	snprintf(path, sizeof(path), "%s/11-behringer-uv1.bin", corpus_dir);
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
	snprintf(path, sizeof(path), "%s/04-gyrocom-1852-7022.bin", corpus_dir);
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NN-name.bin (not .dev.bin/.cfg2.bin); each must have its .lsusb.txt. */
static void collect_corpus(void)
{
	DIR *dir;

	dir = opendir(corpus_dir);
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
	const char *fixtures = getenv("UACD_TEST_FIXTURES");
	char dir[1024];
	Suite *s;
	TCase *tc;
	SRunner *sr;
	int failed;

	if (!fixtures || !*fixtures) {
		printf("SKIP: UACD_TEST_FIXTURES is not set (make check sets it to the source tree's "
		       "tests/fixtures)\n");
		return 77;
	}
	snprintf(dir, sizeof(dir), "%s/descriptors", fixtures);
	corpus_dir = dir;
	collect_corpus();
	/* the corpus is part of the repository and the tarball: missing is a failure */
	if (nr_files == 0) {
		printf("FAIL: no descriptor corpus in %s (UACD_TEST_FIXTURES is set)\n", dir);
		return 1;
	}
	s = suite_create("usb-descriptors");
	tc = tcase_create("corpus");
	tcase_add_loop_test(tc, test_corpus_matches_lsusb, 0, nr_files);
	tcase_add_loop_test(tc, test_corpus_decisions, 0,
			    (int)(sizeof(expects) / sizeof(expects[0])));
	tcase_add_test(tc, test_corpus_entities);
	tcase_add_test(tc, test_qemu_usb_audio);
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
